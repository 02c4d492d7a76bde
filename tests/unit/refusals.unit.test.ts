// The pure parts of issue #14/#15's refusal handling: coalescing of identical refusals (RefusalRecorder with a
// capturing sink), the date checks every gRPC edge runs, and integrity-protected page tokens.
import { afterEach, describe, expect, it } from 'vitest';
import { AccessRefused } from '../../proto/gen/bps/common/v1/events';
import type { Identity } from '../../services/shared/auth/identity';
import { ValidationError } from '../../services/shared/errors/errors';
import { RefusalRecorder, targetOf } from '../../services/shared/grpc/refusals';
import type { CloudEvent } from '../../services/shared/kafka/kafka';
import { createLogger } from '../../services/shared/log/logger';
import { dateViolations } from '../../services/shared/validation/input';
import { openPageToken, sealPageToken } from '../../services/shared/validation/page-token';

const staff: Identity = { subject: 'nhc.staff.li', name: '李明', organisation: 'NHC', roles: ['ministry-staff'] };
const logger = createLogger('test', 'silent');

describe('RefusalRecorder: identical refusals are coalesced', () => {
  const recorders: RefusalRecorder[] = [];
  afterEach(async () => {
    await Promise.all(recorders.map((r) => r.stop()));
    recorders.length = 0;
  });
  const recorder = (options: { windowMs?: number; maxKeys?: number } = {}) => {
    const written: (CloudEvent & { topic: string })[] = [];
    const r = new RefusalRecorder({
      service: 'registry',
      family: 'standards',
      topicNamespace: 'ns',
      sink: async (events) => {
        written.push(...events);
      },
      logger,
      windowMs: 60_000,
      ...options,
    });
    recorders.push(r);
    const payloads = () => written.map((e) => AccessRefused.fromJSON(JSON.parse(e.data.toString('utf8'))));
    return { r, written, payloads };
  };
  const refusal = {
    identity: staff,
    operation: '/bps.registry.v1.StandardRegistry/FileLocalStandard',
    code: 'PERMISSION_DENIED',
    reason: 'NOT_PROVINCE_OFFICER',
    message: 'no',
    target: { kind: 'item', id: 'INS-05' },
  };

  it('records the first at once, counts the rest of the window into one record', async () => {
    const { r, written, payloads } = recorder();
    for (let i = 0; i < 25; i++) r.record(refusal);
    await Promise.resolve();
    expect(payloads().map((p) => p.count)).toEqual([1]);
    expect(written[0]).toMatchObject({ type: 'bps.access.refused', source: '/bps/registry', topic: 'bps.standards.v1.ns', key: staff.subject });
    r.flushExpired(Date.now() + 60_001);
    await r.stop();
    expect(payloads().map((p) => p.count)).toEqual([1, 24]);
    expect(payloads()[1]).toMatchObject({
      actor: { subject: staff.subject, organisation: 'NHC' },
      reason: 'NOT_PROVINCE_OFFICER',
      targetKind: 'item',
      targetId: 'INS-05',
    });
  });

  it('keeps apart different subjects, operations and reasons; anonymous callers key on "anonymous", not on the claimed subject', async () => {
    const { r, payloads } = recorder();
    r.record(refusal);
    r.record({ ...refusal, reason: 'OTHER' });
    r.record({ ...refusal, operation: '/x/Y' });
    r.record({ ...refusal, identity: { ...staff, subject: 'moe.staff.wang' } });
    const forged = (sub: string) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.x`;
    for (const sub of ['a', 'b', 'c'])
      r.record({ operation: '/x/Y', code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID', message: 'invalid token', presentedToken: forged(sub) });
    await r.stop();
    const all = payloads();
    expect(all.filter((p) => p.actor?.subject === 'anonymous').map((p) => [p.count, p.claimedSubject])).toEqual([
      [1, 'a'],
      [2, ''],
    ]);
    expect(all.filter((p) => p.actor?.subject !== 'anonymous')).toHaveLength(4);
  });

  it('bounds its memory: refusals beyond maxKeys distinct windows are counted under one overflow record', async () => {
    const { r, payloads } = recorder({ maxKeys: 3 });
    for (let i = 0; i < 10; i++) r.record({ ...refusal, identity: { ...staff, subject: `s${i}` } });
    await r.stop();
    const overflow = payloads().filter((p) => p.actor?.subject === '*');
    expect(overflow.map((p) => [p.reason, p.count])).toEqual([
      ['REFUSAL_FLOOD', 1],
      ['REFUSAL_FLOOD', 7],
    ]);
    expect(payloads().filter((p) => p.actor?.subject?.startsWith('s'))).toHaveLength(3);
  });

  it("names the target from the request's id fields", () => {
    expect(targetOf({ proposalId: 'P-1', itemCode: 'X' })).toEqual({ kind: 'proposal', id: 'P-1' });
    expect(targetOf({ subscriptionId: 'sub-1' })).toEqual({ kind: 'subscription', id: 'sub-1' });
    // The programme's objects (issue #18): a refused pilot step is filed in the pilot's log.
    expect(targetOf({ pilotId: 'PILOT-B1-abc', action: {} })).toEqual({ kind: 'pilot', id: 'PILOT-B1-abc' });
    expect(targetOf({ standardId: 'TS-2026-1', to: 3 })).toEqual({ kind: 'technical-standard', id: 'TS-2026-1' });
    expect(targetOf({ title: 't' })).toBeUndefined();
  });
});

describe('dateViolations', () => {
  it('accepts real dates, unset dates and ordered ranges', () => {
    expect(
      dateViolations({ asOf: { date: { year: 2024, month: 2, day: 29 }, knownAt: new Date('2026-01-01') }, effectiveFrom: { year: 0, month: 0, day: 0 } }),
    ).toEqual([]);
    expect(dateViolations({ from: new Date('2026-01-01'), to: new Date('2026-01-01') })).toEqual([]);
    expect(dateViolations({ date: { year: 9999, month: 12, day: 31 } })).toEqual([]);
  });
  it('refuses days that do not exist, years out of range and reversed ranges, naming the field', () => {
    expect(dateViolations({ asOf: { date: { year: 2026, month: 2, day: 29 } } })).toEqual([
      expect.objectContaining({ field: 'as_of.date', reason: 'DATE_INVALID' }),
    ]);
    expect(dateViolations({ effectiveFrom: { year: 99999, month: 1, day: 1 } })).toEqual([
      expect.objectContaining({ field: 'effective_from', reason: 'DATE_OUT_OF_RANGE' }),
    ]);
    expect(dateViolations({ dueBefore: new Date('1800-01-01') })).toEqual([expect.objectContaining({ field: 'due_before', reason: 'DATE_OUT_OF_RANGE' })]);
    expect(dateViolations({ from: new Date('2026-02-01'), to: new Date('2026-01-01') })).toEqual([
      expect.objectContaining({ field: 'from', reason: 'RANGE_REVERSED' }),
    ]);
    expect(dateViolations({ validFrom: { year: 2027, month: 1, day: 1 }, validTo: { year: 2026, month: 1, day: 1 } })).toEqual([
      expect.objectContaining({ field: 'valid_from', reason: 'RANGE_REVERSED' }),
    ]);
  });
});

describe('page tokens', () => {
  it('round-trip within their list and are refused anywhere else or when altered', () => {
    const token = sealPageToken('list-a', 'P-0007');
    expect(openPageToken('list-a', token)).toBe('P-0007');
    expect(openPageToken('list-a', '')).toBe('');
    const refusedToken = (scope: string, t: string) => {
      try {
        openPageToken(scope, t);
        return undefined;
      } catch (e) {
        return e;
      }
    };
    expect(refusedToken('list-b', token)).toBeInstanceOf(ValidationError);
    for (const forged of [
      'AAAA',
      Buffer.from('{"offset":-1}').toString('base64'),
      `${Buffer.from('P-0008').toString('base64url')}.${token.split('.')[1]}`,
      `${token}x`,
      'x'.repeat(2000),
    ]) {
      const error = refusedToken('list-a', forged) as ValidationError;
      expect(error, forged).toBeInstanceOf(ValidationError);
      expect(error.violations[0]).toMatchObject({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN' });
    }
  });
});
