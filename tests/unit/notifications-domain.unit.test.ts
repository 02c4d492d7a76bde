// Pure logic of the notifications service: filters and facets, the subscription life cycle and secrets,
// retry verdicts (backoff, jitter, Retry-After, 410, dead letter), the SSRF policy, access rules, signatures,
// the webhook body, and the feed reader's handling of cursor gaps.
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { ReleaseKind } from '../../proto/gen/bps/standards/v1/changes';
import { FloorBreached, VersionPublished } from '../../proto/gen/bps/standards/v1/events';
import { personas } from '../../services/shared/auth/personas';
import { encodeData } from '../../services/shared/events/catalog';
import { standardEvents } from '../../services/shared/events/standards';
import { approvalEvents } from '../../services/shared/events/approvals';
import { FailedPreconditionError, PermissionDeniedError, ruleRefusalError, ValidationError } from '../../services/shared/errors/errors';
import { canManage, canRead, canRedeliver, scopedFilter } from '../../services/notifications/domain/access';
import { structuredCloudEvent } from '../../services/notifications/domain/cloudevent';
import { addressAllowed, checkEndpointUrl, endpointPolicy, isInternalAddress } from '../../services/notifications/domain/endpoint-policy';
import { decodeKnown, facetsOf } from '../../services/notifications/domain/facets';
import { emptyFilter, matches, type EventFilter } from '../../services/notifications/domain/filter';
import { backoffMs, judge, parseRetryAfter, type RetryPolicy } from '../../services/notifications/domain/retry';
import {
  decide,
  evolve,
  signingSecrets,
  subscriptionDecider,
  type SubscriptionCommand,
  type SubscriptionState,
} from '../../services/notifications/domain/subscription';
import { FeedSignal, readFeed } from '../../services/notifications/application/feed';
import type { Feed, FeedDoc } from '../../services/notifications/application/ports';
import { signatureHeader } from '../../services/notifications/adapters/webhooks/sender';

const published = (kind: ReleaseKind, fieldCode: string, itemCode: string) =>
  facetsOf(
    standardEvents.versionPublished.type,
    decodeKnown(
      standardEvents.versionPublished.type,
      encodeData(
        standardEvents.versionPublished,
        VersionPublished.fromPartial({
          releaseId: 'r1',
          kind,
          fieldCodes: [fieldCode],
          itemVersions: [{ itemCode, fieldCode, version: 2 }],
        }),
      ),
    ),
  );
const breached = (provinceCode: string) =>
  facetsOf(
    standardEvents.floorBreached.type,
    decodeKnown(
      standardEvents.floorBreached.type,
      encodeData(
        standardEvents.floorBreached,
        FloorBreached.fromPartial({
          provinceCode,
          itemCode: 'HEALTH-01',
          fieldCode: 'HEALTH',
          releaseId: 'r1',
          refileDeadline: { year: 2027, month: 3, day: 31 },
        }),
      ),
    ),
  );
const filter = (f: Partial<EventFilter>): EventFilter => ({ ...emptyFilter, ...f });

describe('filters', () => {
  it('reads facets from the proto JSON of each event type', () => {
    expect(published(ReleaseKind.RELEASE_KIND_EDITION, 'HEALTH', 'HEALTH-01')).toEqual({
      type: 'bps.standard.version.published',
      releaseId: 'r1',
      releaseKind: 'edition',
      fieldCodes: ['HEALTH'],
      itemCodes: ['HEALTH-01'],
    });
    expect(breached('110000')).toMatchObject({ provinceCodes: ['110000'], itemCodes: ['HEALTH-01'], fieldCodes: ['HEALTH'], releaseId: 'r1' });
    expect(facetsOf('bps.something.else', decodeKnown('bps.something.else', Buffer.from('{}')))).toEqual({ type: 'bps.something.else' });
    expect(() => decodeKnown(standardEvents.floorBreached.type, Buffer.from('not json'))).toThrow();
  });

  it('gives every registry event by default, approval outcomes only when asked for', () => {
    expect(matches(emptyFilter, published(ReleaseKind.RELEASE_KIND_AMENDMENT, 'HEALTH', 'H-1'))).toBe(true);
    expect(matches(emptyFilter, breached('440000'))).toBe(true);
    const decided = { type: approvalEvents.proposalDecided.type };
    expect(matches(emptyFilter, decided)).toBe(false);
    expect(matches(filter({ eventTypes: [approvalEvents.proposalDecided.type] }), decided)).toBe(true);
  });

  it('restricts by the dimensions an event carries: a province filter keeps national publications, drops other provinces', () => {
    const beijing = filter({ provinceCodes: ['110000'] });
    expect(matches(beijing, breached('110000'))).toBe(true);
    expect(matches(beijing, breached('440000'))).toBe(false);
    expect(matches(beijing, published(ReleaseKind.RELEASE_KIND_EDITION, 'HEALTH', 'H-1'))).toBe(true);
    const amendmentsOfElderly = filter({ fieldCodes: ['ELDERLY'], releaseKind: 'amendment' });
    expect(matches(amendmentsOfElderly, published(ReleaseKind.RELEASE_KIND_AMENDMENT, 'ELDERLY', 'E-1'))).toBe(true);
    expect(matches(amendmentsOfElderly, published(ReleaseKind.RELEASE_KIND_EDITION, 'ELDERLY', 'E-1'))).toBe(false);
    expect(matches(amendmentsOfElderly, published(ReleaseKind.RELEASE_KIND_AMENDMENT, 'HEALTH', 'H-1'))).toBe(false);
    expect(matches(filter({ itemCodes: ['H-2'] }), published(ReleaseKind.RELEASE_KIND_AMENDMENT, 'HEALTH', 'H-1'))).toBe(false);
  });
});

describe('subscription life cycle', () => {
  const at = new Date('2026-11-01T08:00:00Z');
  const create: SubscriptionCommand = {
    kind: 'create',
    id: 's1',
    organisation: 'NBS',
    endpointUrl: 'https://nbs.example/hook',
    filter: emptyFilter,
    description: '',
    secret: 'whsec_a',
    by: 'nbs.system',
    at,
  };
  const run = (state: SubscriptionState | undefined, command: SubscriptionCommand): SubscriptionState => {
    const decision = decide(state, command);
    if (!decision.ok) throw new Error(JSON.stringify(decision.refusal));
    return decision.events.reduce<SubscriptionState | undefined>(evolve, state)!;
  };
  const created = run(undefined, create);

  it('pauses, resumes, is disabled by 410 and resumed again; pausing twice changes nothing', () => {
    const paused = run(created, { kind: 'pause', at });
    expect(paused).toMatchObject({ status: 'paused', revision: 2 });
    expect(decide(paused, { kind: 'pause', at })).toEqual({ ok: true, events: [] });
    const disabled = run(run(paused, { kind: 'resume', at }), { kind: 'disable', reason: 'endpoint answered 410', at });
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'endpoint answered 410' });
    expect(decide(paused, { kind: 'disable', reason: 'x', at })).toEqual({ ok: true, events: [] }); // a paused one stays paused
    expect(run(disabled, { kind: 'resume', at })).toMatchObject({ status: 'active', disabledReason: '' });
  });

  it('refuses to change a deleted subscription and to create one twice', () => {
    const deleted = run(created, { kind: 'delete', at });
    const refusal = decide(deleted, { kind: 'resume', at });
    expect(refusal).toEqual({
      ok: false,
      refusal: {
        code: 'FAILED_PRECONDITION',
        reason: 'SUBSCRIPTION_STATUS',
        message: 'cannot resume a deleted subscription',
        violations: [{ field: 'subscriptions/s1', description: 'subscription is deleted', reason: 'SUBSCRIPTION_STATUS' }],
      },
    });
    // At the edge it is the error the API has always answered with (FAILED_PRECONDITION, SUBSCRIPTION_STATUS).
    const error = !refusal.ok ? ruleRefusalError(refusal.refusal, 'subscriptions/s1', 'subscription_id') : undefined;
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect(error).toMatchObject({
      code: 'SUBSCRIPTION_STATUS',
      message: 'cannot resume a deleted subscription',
      violations: [{ type: 'SUBSCRIPTION_STATUS', subject: 'subscriptions/s1', description: 'subscription is deleted' }],
    });
    expect(decide(created, create)).toMatchObject({ ok: false, refusal: { code: 'FAILED_PRECONDITION', reason: 'SUBSCRIPTION_EXISTS' } });
    expect(decide(undefined, { kind: 'pause', at })).toMatchObject({ ok: false, refusal: { reason: 'SUBSCRIPTION_UNKNOWN' } });
    expect(subscriptionDecider.initialState).toBeUndefined();
  });

  it('signs with the new and the previous secret until the grace period ends', () => {
    const rotated = run(created, { kind: 'rotateSecret', secret: 'whsec_b', graceMs: 60_000, at });
    expect(signingSecrets(rotated, new Date(at.getTime() + 59_000))).toEqual(['whsec_b', 'whsec_a']);
    expect(signingSecrets(rotated, new Date(at.getTime() + 60_000))).toEqual(['whsec_b']);
    const twice = run(rotated, { kind: 'rotateSecret', secret: 'whsec_c', graceMs: 60_000, at: new Date(at.getTime() + 1_000) });
    expect(signingSecrets(twice, new Date(at.getTime() + 2_000))).toEqual(['whsec_c', 'whsec_b']); // two keys at most
  });
});

describe('retries', () => {
  const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };
  const now = new Date('2026-11-01T08:00:00Z');

  it('backs off exponentially with jitter, capped', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 0))).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it('delivers on 2xx, disables on 410, retries 5xx/429/408 and network trouble, gives up after the last attempt', () => {
    expect(judge({ kind: 'response', status: 204 }, 1, policy, now, Math.random)).toEqual({ kind: 'delivered' });
    expect(judge({ kind: 'response', status: 410 }, 1, policy, now, Math.random)).toEqual({ kind: 'gone' });
    for (const status of [500, 502, 503, 429, 408]) expect(judge({ kind: 'response', status }, 1, policy, now, () => 0).kind).toBe('retry');
    expect(judge({ kind: 'timeout', error: 'no response' }, 2, policy, now, () => 0)).toMatchObject({ kind: 'retry', delayMs: 1_000 });
    expect(judge({ kind: 'network-error', error: 'ECONNREFUSED' }, 5, policy, now, () => 0)).toMatchObject({
      kind: 'dead-letter',
      reason: 'ECONNREFUSED; gave up after 5 attempts',
    });
    expect(judge({ kind: 'response', status: 400 }, 1, policy, now, () => 0).kind).toBe('dead-letter');
    expect(judge({ kind: 'refused', error: 'resolves to 10.0.0.1' }, 1, policy, now, () => 0).kind).toBe('dead-letter');
  });

  it('honours Retry-After in seconds or as a date, within a cap', () => {
    expect(judge({ kind: 'response', status: 429, retryAfter: '7' }, 1, policy, now, () => 0)).toMatchObject({ kind: 'retry', delayMs: 7_000 });
    expect(judge({ kind: 'response', status: 503, retryAfter: new Date(now.getTime() + 30_000).toUTCString() }, 1, policy, now, () => 0)).toMatchObject({
      kind: 'retry',
      delayMs: 30_000,
    });
    expect(judge({ kind: 'response', status: 503, retryAfter: '86400' }, 1, policy, now, () => 0)).toMatchObject({ kind: 'retry', delayMs: 60_000 });
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('SSRF policy', () => {
  it('treats loopback, private, link-local, CGNAT and unique-local addresses as internal', () => {
    for (const a of [
      '127.0.0.1',
      '10.2.3.4',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
    ]) {
      expect(isInternalAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '202.108.22.5', '2400:3200::1']) expect(isInternalAddress(a), a).toBe(false);
  });

  it('allows internal addresses only by host, address or CIDR on the allow-list', () => {
    const policy = endpointPolicy(['127.0.0.1', 'hooks.internal', '10.20.0.0/16']);
    expect(addressAllowed(policy, '127.0.0.1', '127.0.0.1')).toBe(true);
    expect(addressAllowed(policy, 'hooks.internal', '10.9.9.9')).toBe(true);
    expect(addressAllowed(policy, 'other.internal', '10.20.3.4')).toBe(true);
    expect(addressAllowed(policy, 'other.internal', '10.21.3.4')).toBe(false);
    expect(addressAllowed(policy, 'localhost', '::1')).toBe(false);
    expect(addressAllowed(endpointPolicy([]), 'public.example', '202.108.22.5')).toBe(true);
  });

  it('accepts only absolute http(s) URLs without credentials', () => {
    expect(checkEndpointUrl('https://hooks.example.cn/bps').violations).toEqual([]);
    for (const bad of ['ftp://x/y', 'https://user:pw@x/y', 'nonsense', 'https://x/y#frag'])
      expect(checkEndpointUrl(bad).violations.length, bad).toBeGreaterThan(0);
  });
});

describe('access', () => {
  it('limits a province officer to its own province and lets only the owner manage', () => {
    expect(scopedFilter(personas['beijing-officer'], emptyFilter).provinceCodes).toEqual(['110000']);
    expect(() => scopedFilter(personas['beijing-officer'], filter({ provinceCodes: ['440000'] }))).toThrow(ValidationError);
    expect(scopedFilter(personas['statistics-subscriber'], filter({ provinceCodes: ['440000'] })).provinceCodes).toEqual(['440000']);
    expect(() => scopedFilter(personas['nhc-staff'], emptyFilter)).toThrow(PermissionDeniedError);
    expect(canManage(personas['statistics-subscriber'], 'NBS')).toBe(true);
    expect(canManage(personas['beijing-officer'], 'NBS')).toBe(false);
    expect(canManage(personas.operator, 'NBS')).toBe(false);
    expect(canRead(personas.operator, 'NBS')).toBe(true);
    expect(canRead(personas['beijing-officer'], 'NBS')).toBe(false);
    expect(canRedeliver(personas.operator, 'NBS')).toBe(true);
  });

  it('lets downstream systems receive publications only: internal event types need an internal role', () => {
    for (const type of [
      approvalEvents.stepSignedOff.type,
      approvalEvents.objectionRaised.type,
      approvalEvents.changeSetApproved.type,
      standardEvents.changeSetRejected.type,
    ]) {
      expect(() => scopedFilter(personas['statistics-subscriber'], filter({ eventTypes: [type] })), type).toThrow(/INTERNAL_EVENT_TYPE|internal event types/);
      expect(() => scopedFilter(personas['beijing-officer'], filter({ eventTypes: [type] })), type).toThrow(PermissionDeniedError);
      expect(scopedFilter(personas.operator, filter({ eventTypes: [type] })).eventTypes).toEqual([type]);
    }
    expect(
      scopedFilter(personas['statistics-subscriber'], filter({ eventTypes: [standardEvents.versionPublished.type, standardEvents.floorBreached.type] }))
        .eventTypes,
    ).toHaveLength(2);
    // No types listed: the publications, never the deliberations.
    expect(matches(emptyFilter, { type: approvalEvents.stepSignedOff.type })).toBe(false);
    expect(matches(emptyFilter, { type: standardEvents.changeSetRejected.type })).toBe(false);
    expect(matches(emptyFilter, { type: standardEvents.versionEffective.type })).toBe(true);
  });
});

describe('webhook format', () => {
  it('signs per Standard Webhooks, with one signature per secret, verifiable by the standardwebhooks library', () => {
    const secrets = [`whsec_${Buffer.alloc(32, 1).toString('base64')}`, `whsec_${Buffer.alloc(32, 2).toString('base64')}`];
    const body = '{"id":"e1"}';
    const timestamp = Math.floor(Date.now() / 1000);
    const header = signatureHeader(secrets, 'e1', timestamp, body);
    expect(header.split(' ')).toHaveLength(2);
    expect(header.split(' ')[0]).toBe(new Webhook(secrets[0]!).sign('e1', new Date(timestamp * 1000), body));
    for (const secret of secrets) {
      expect(new Webhook(secret).verify(body, { 'webhook-id': 'e1', 'webhook-timestamp': String(timestamp), 'webhook-signature': header })).toEqual({
        id: 'e1',
      });
    }
  });

  it('renders the event as a CloudEvents structured-mode JSON with the data as proto JSON', () => {
    const body = JSON.parse(
      structuredCloudEvent({
        id: 'e1',
        type: 't',
        source: '/bps/registry',
        subject: 'releases/r1',
        time: new Date('2026-11-01T00:00:00Z'),
        datacontenttype: 'application/json',
        dataschema: 'urn:proto:x',
        data: '{"a":1}',
      }),
    );
    expect(body).toEqual({
      specversion: '1.0',
      id: 'e1',
      type: 't',
      source: '/bps/registry',
      subject: 'releases/r1',
      time: '2026-11-01T00:00:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:proto:x',
      data: { a: 1 },
    });
  });
});

describe('feed reader', () => {
  const doc = (cursor: number, ageMs: number): FeedDoc => ({
    _id: `e${cursor}`,
    cursor,
    type: 't',
    source: 's',
    time: new Date(),
    datacontenttype: 'application/json',
    data: '{}',
    key: 'k',
    facets: { type: 't' },
    appendedAt: new Date(Date.now() - ageMs),
  });
  const fakeFeed = (docs: FeedDoc[]): Pick<Feed, 'after'> => ({
    after: async (c: number, limit: number) =>
      docs
        .filter((d) => d.cursor > c)
        .sort((a, b) => a.cursor - b.cursor)
        .slice(0, limit),
  });

  it('waits at a fresh gap (an earlier cursor may still be written) and steps over it once it is older than the grace period', async () => {
    const docs = [doc(1, 0), doc(3, 0)];
    const stop = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const d of readFeed(fakeFeed(docs), 0, { pollMs: 10, gapGraceMs: 300, batchSize: 10, signal: stop.signal, feedSignal: new FeedSignal() }))
        seen.push(d.cursor);
    })();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([1]); // 3 is held back: 2 may be in flight
    docs.push(doc(2, 0)); // the slow writer of 2 finishes
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([1, 2, 3]);
    docs.push(doc(5, 0)); // 4 was taken by a writer that died
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).toEqual([1, 2, 3, 5]);
    stop.abort();
    await reading;
  });
});
