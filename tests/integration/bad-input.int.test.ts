// Issue #15: bad input gets a clear 4xx / INVALID_ARGUMENT naming the field, fast, and nothing is stored — over
// the gateway's HTTP API and directly over gRPC, against the real services (registry, proposals, approvals).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { OpenCycleRequest, RevisionCyclesClient } from '../../proto/gen/bps/approvals/v1/cycles';
import { ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import { decodeStatus } from '../../services/shared/grpc/status';
import { unary } from '../../services/shared/grpc/client';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';
import { uniqueName } from '../support/names';

const BOUND_MS = 2_000;
type Answer = { status: number; json: any; ms: number };

describe('bad input at every edge (issue #15)', () => {
  let p: TestPlatform;
  let cycles: RevisionCyclesClient;
  let inbox: ApprovalInboxClient;
  let proposals: ProposalsClient;
  const seen: Record<string, number> = {};

  beforeAll(async () => {
    p = await startTestPlatform('bad-input', {}, { full: true });
    cycles = new RevisionCyclesClient(p.addresses['APPROVALS_GRPC_ADDRESS']!, grpc.credentials.createInsecure());
    inbox = new ApprovalInboxClient(p.addresses['APPROVALS_GRPC_ADDRESS']!, grpc.credentials.createInsecure());
    proposals = new ProposalsClient(p.addresses['PROPOSALS_GRPC_ADDRESS']!, grpc.credentials.createInsecure());
  }, 240_000);
  afterAll(async () => {
    cycles?.close();
    inbox?.close();
    proposals?.close();
    await p?.stop();
    console.info('bad-input cases by class:', JSON.stringify(seen));
  });

  const http = async (klass: string, method: string, path: string, body?: unknown): Promise<Answer> => {
    seen[klass] = (seen[klass] ?? 0) + 1;
    const start = Date.now();
    const res = await apiAs(p, 'ndrc-approver', method, path, body);
    return { ...res, ms: Date.now() - start };
  };
  /** 400 INVALID_ARGUMENT with `field` among the violations, answered within the bound. */
  const expect400 = (a: Answer, field: string, what: string) => {
    expect(a.status, `${what}: ${JSON.stringify(a.json)}`).toBe(400);
    expect(a.json.error.code, what).toBe('INVALID_ARGUMENT');
    expect(
      (a.json.error.fieldViolations ?? []).map((v: { field: string }) => v.field),
      `${what}: ${JSON.stringify(a.json)}`,
    ).toContain(field);
    expect(a.ms, what).toBeLessThan(BOUND_MS);
  };
  const grpcRefusal = async (klass: string, call: () => Promise<unknown>) => {
    seen[klass] = (seen[klass] ?? 0) + 1;
    const start = Date.now();
    const error = await call().then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    return { error: error!, decoded: error ? decodeStatus(error) : undefined, ms: Date.now() - start };
  };
  const cycleIds = async () => ((await apiAs(p, 'auditor', 'GET', '/api/v1/cycles')).json.cycles ?? []).map((c: { cycleId: string }) => c.cycleId) as string[];
  const baseCycle = (cycleId: string) => ({
    cycleId,
    planPeriod: '2026-2030',
    title: '国家基本公共服务标准（2026年版）',
    effectiveFrom: { year: 2027, month: 7, day: 1 },
    fields: [{ fieldCode: 'F17-HEA', leadMinistry: 'NHC' }],
    fiscalCeiling: { centralFen: '100000', localFen: '100000' },
    evaluationSeconds: '3600',
    proposalWindowSeconds: '3600',
  });

  it('numbers in query and path are parsed strictly and bounded (1e309, Infinity, 0x1, 2^31, 2^64 → 400, never 500)', async () => {
    const bad = ['1e309', 'Infinity', '-Infinity', 'NaN', '0x1', '1.5', '%201', '01', '2147483648', '18446744073709551616', 'true'];
    for (const v of bad) {
      expect400(await http('query-number', 'GET', `/api/v1/proposals?pageSize=${v}`), 'pageSize', `pageSize=${v}`);
      expect400(await http('query-number', 'GET', `/api/v1/proposals/P-1?revision=${v}`), 'revision', `revision=${v}`);
      expect400(
        await http('path-number', 'POST', `/api/v1/standards/items/X1/versions/${v}/corrections`, { item: {}, reason: 'r' }),
        'version',
        `version=${v}`,
      );
      expect400(await http('path-number', 'GET', `/api/v1/audit/items/X1/versions/${v}/trace`), 'version', `audit version=${v}`);
    }
    expect400(await http('query-boolean', 'GET', '/api/v1/inbox?overdue=1'), 'overdue', 'overdue=1');
    // The good forms still work.
    expect((await http('query-number', 'GET', '/api/v1/proposals?pageSize=5')).status).toBe(200);
    expect((await http('query-boolean', 'GET', '/api/v1/inbox?overdue=true')).status).toBe(200);
  });

  it('JSON bodies are not coerced and integers/money are bounded; nothing is stored', async () => {
    const before = await cycleIds();
    const id = uniqueName('BAD').replace(/[^A-Za-z0-9._-]/g, '-');
    const cases: [string, unknown, string][] = [
      ['body-type', { ...baseCycle(id), cycleId: 123 }, 'cycleId'],
      ['body-type', { ...baseCycle(id), title: true }, 'title'],
      ['body-type', { ...baseCycle(id), title: 1e300 }, 'title'],
      ['body-type', { ...baseCycle(id), evaluationSeconds: 3600 }, 'evaluationSeconds'],
      ['body-type', { ...baseCycle(id), fields: { fieldCode: 'F17-HEA' } }, 'fields'],
      ['body-int32', { ...baseCycle(id), effectiveFrom: { year: 2 ** 31, month: 7, day: 1 } }, 'effectiveFrom.year'],
      ['body-int32', { ...baseCycle(id), effectiveFrom: { year: 2 ** 64, month: 7, day: 1 } }, 'effectiveFrom.year'],
      ['body-int32', { ...baseCycle(id), effectiveFrom: { year: '2027', month: 7, day: 1 } }, 'effectiveFrom.year'],
      ['body-int64', { ...baseCycle(id), evaluationSeconds: '18446744073709551616' }, 'evaluationSeconds'],
      ['body-int64', { ...baseCycle(id), evaluationSeconds: '9223372036854775808' }, 'evaluationSeconds'],
      ['body-int64', { ...baseCycle(id), fiscalCeiling: { centralFen: '18446744073709551616', localFen: '1' } }, 'fiscalCeiling.centralFen'],
      ['body-int64', { ...baseCycle(id), fiscalCeiling: { centralFen: '9223372036854775808', localFen: '1' } }, 'fiscalCeiling.centralFen'],
    ];
    for (const [klass, body, field] of cases)
      expect400(await http(klass, 'POST', '/api/v1/cycles', body), field, `${klass} ${JSON.stringify(body).slice(0, 120)}`);
    // Money in a filing: 2^64 fen is refused before the registry is asked.
    const filing = {
      provinceCode: '110000',
      itemCode: 'X1',
      effectiveFrom: { year: 2027, month: 1, day: 1 },
      metrics: [],
      localFunding: { currency: 'CNY', fen: '18446744073709551616' },
    };
    expect400(await http('body-int64', 'POST', '/api/v1/standards/filings', filing), 'localFunding.fen', 'filing fen 2^64');
    for (const [field, value] of [
      ['expectedRevision', true],
      ['expectedRevision', 2 ** 31],
      ['expectedRevision', '1'],
    ] as const) {
      expect400(await http('body-type', 'POST', '/api/v1/proposals/P-1/submit', { [field]: value }), field, `submit ${field}=${String(value)}`);
    }
    expect400(await http('body-type', 'POST', '/api/v1/approvals/P-1/steps/S-1/delegate', { delegate: 123 }), 'delegate', 'delegate: 123');
    expect(await cycleIds()).toEqual(before);
    expect(before).not.toContain('123');
  });

  it('control characters, separators and lone surrogates are refused with the field, over HTTP and gRPC; nothing is stored', async () => {
    const before = await cycleIds();
    const texts = ['\u0000', '\u001b[31m', '\u007f', '\u2028', '\u2029', '\ud800', '\udfff', 'line\nbreak'];
    for (const t of texts) {
      const id = uniqueName('TXT').replace(/[^A-Za-z0-9._-]/g, '-');
      expect400(await http('text-http', 'POST', '/api/v1/cycles', { ...baseCycle(id), title: `标题${t}` }), 'title', `title ${JSON.stringify(t)}`);
      expect400(await http('text-http', 'POST', '/api/v1/cycles', { ...baseCycle(`${id}${t}`) }), 'cycleId', `cycleId ${JSON.stringify(t)}`);
      expect400(
        await http('text-http', 'POST', `/api/v1/cycles/${id}/evaluations`, { fieldCode: `F17${t}`, summary: 'ok' }),
        'fieldCode',
        `fieldCode ${JSON.stringify(t)}`,
      );
    }
    // Free text keeps its line breaks and tabs (the evaluation is refused for another reason: no such cycle).
    const freeText = await http('text-http', 'POST', '/api/v1/cycles/NO-SUCH-CYCLE/evaluations', { fieldCode: 'F17-HEA', summary: '第一段\n\t第二段' });
    expect(freeText.status).toBe(404);
    const token = await p.token('ndrc-approver');
    for (const t of ['\u0000', '\u001b', '\u007f', '\u2028']) {
      const request = OpenCycleRequest.fromJSON({ ...baseCycle(uniqueName('G').replace(/[^A-Za-z0-9._-]/g, '-')), title: `t${t}` });
      const { error, decoded, ms } = await grpcRefusal('text-grpc', () => unary(cycles.openCycle.bind(cycles), request, token, 5_000));
      expect(error?.code, JSON.stringify(t)).toBe(grpc.status.INVALID_ARGUMENT);
      expect(decoded?.fieldViolations.map((v) => v.field)).toContain('title');
      expect(ms).toBeLessThan(BOUND_MS);
    }
    expect(await cycleIds()).toEqual(before);
  });

  it('inbox filters never reach the visibility query unchecked: HTTP 400 and gRPC INVALID_ARGUMENT at once', async () => {
    for (const name of ['field', 'kind', 'cycle']) {
      for (const v of ['%00', '%27', 'a%20b', '%E2%80%A8']) expect400(await http('inbox-filter', 'GET', `/api/v1/inbox?${name}=${v}`), name, `${name}=${v}`);
    }
    const token = await p.token('nhc-approver');
    const base = { fieldCode: '', kind: '', cycleId: '', dueBefore: undefined, overdueOnly: false };
    for (const [field, request] of [
      ['field_code', { fieldCode: '\u0000' }],
      ['kind', { kind: "x' OR 'a'='a" }],
      ['cycle_id', { cycleId: 'c\u0000' }],
    ] as const) {
      const { error, decoded, ms } = await grpcRefusal('inbox-filter', () => unary(inbox.listMyOpenSteps.bind(inbox), { ...base, ...request }, token, 5_000));
      expect(error?.code, field).toBe(grpc.status.INVALID_ARGUMENT);
      expect(decoded?.fieldViolations.map((v) => v.field)).toContain(field);
      expect(ms).toBeLessThan(BOUND_MS);
    }
    expect((await unary(inbox.listMyOpenSteps.bind(inbox), { ...base, fieldCode: 'F17-HEA' }, token, 5_000)).items).toBeDefined();
  });

  it('gRPC: garbage bytes are INVALID_ARGUMENT, a megabyte id is refused and never echoed whole', async () => {
    const token = await p.token('ndrc-approver');
    const raw = new grpc.Client(p.addresses['APPROVALS_GRPC_ADDRESS']!, grpc.credentials.createInsecure());
    try {
      for (const bytes of [Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0x0a, 0x7f]), Buffer.from('garbage protobuf \u0000\u0001\u0002')]) {
        const { error, ms } = await grpcRefusal(
          'grpc-bytes',
          () =>
            new Promise((resolve, reject) => {
              const metadata = new grpc.Metadata();
              metadata.set('authorization', `Bearer ${token}`);
              raw.makeUnaryRequest(
                '/bps.approvals.v1.RevisionCycles/GetCycle',
                (b: Buffer) => b,
                (b: Buffer) => b,
                bytes,
                metadata,
                { deadline: Date.now() + 5_000 },
                (e, v) => (e ? reject(e) : resolve(v)),
              );
            }),
        );
        expect(error?.code, bytes.toString('hex')).toBe(grpc.status.INVALID_ARGUMENT);
        expect(ms).toBeLessThan(BOUND_MS);
      }
    } finally {
      raw.close();
    }
    const huge = 'P'.repeat(1024 * 1024);
    for (const call of [
      () => unary(proposals.getProposal.bind(proposals), { proposalId: huge, revision: 0 }, token, 5_000),
      () => unary(cycles.getCycle.bind(cycles), { cycleId: huge }, token, 5_000),
    ]) {
      const { error, decoded, ms } = await grpcRefusal('grpc-size', call);
      expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error?.details.length).toBeLessThan(2_048);
      expect(decoded?.fieldViolations[0]?.description).toMatch(/at most 256/);
      expect(ms).toBeLessThan(BOUND_MS);
    }
  });

  it('router-level refusals use the documented error body and do not echo the path', async () => {
    const badUrl = await http('router', 'GET', '/api/v1/proposals/%E0%A4%A');
    expect(badUrl.status).toBe(400);
    expect(badUrl.json.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    for (const [path, status] of [
      [`/api/v1/${'x'.repeat(8_000)}`, 404],
      [`/api/v1/proposals/${'p'.repeat(300)}`, 414],
      [`/api/v1/${'x'.repeat(20_000)}`, 431],
    ] as const) {
      const long = await http('router', 'GET', path);
      expect(long.status).toBe(status);
      expect(typeof long.json.error.code).toBe('string');
      expect(JSON.stringify(long.json).length).toBeLessThan(1_000);
    }
  });
});
