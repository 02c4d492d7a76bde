// Issue #14 "every refusal is audited" and the leftovers of issue #15, against the real services: each kind of
// refusal (authentication, permission, domain rule, not found; over gRPC and through the gateway) produces exactly
// the expected bps.access.refused record in the audit trail (TraceActor of the subject, or of "anonymous");
// identical refusals are coalesced; forged page tokens and impossible or reversed dates are INVALID_ARGUMENT /
// HTTP 400 naming the field; cancelling something in the wrong state is a clear NOT_FOUND / FAILED_PRECONDITION,
// never INTERNAL, and on record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { ProposalsClient, type ListProposalsRequest } from '../../proto/gen/bps/proposals/v1/proposals';
import { StandardRegistryClient, type FileLocalStandardRequest } from '../../proto/gen/bps/registry/v1/registry';
import { SubscriptionsClient } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { RevisionCyclesClient } from '../../proto/gen/bps/approvals/v1/cycles';
import { personas } from '../../services/shared/auth/personas';
import { callMetadata, unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { generatedIssuer, issuerOf, tokenFor, tokenIssuer } from '../support/identity';
import { importJWK, SignJWT, type JWK } from 'jose';
import { refused } from '../support/grpc';
import { uniqueName } from '../support/names';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';

type Refusal = {
  actor: { subject: string; organisation?: string; roles?: string[] };
  claimedSubject?: string;
  service: string;
  operation: string;
  httpRoute?: string;
  targetKind?: string;
  targetId?: string;
  code: string;
  reason: string;
  message: string;
  traceId?: string;
  count: number;
};

const GET_ITEM = '/bps.registry.v1.StandardRegistry/GetItem';
const FILE_LOCAL = '/bps.registry.v1.StandardRegistry/FileLocalStandard';

describe('every refusal is on record (issue #14); page tokens, dates and cancelling mistakes (issue #15)', () => {
  let p: TestPlatform;
  let registry: StandardRegistryClient;
  let audit: AuditClient;
  let proposals: ProposalsClient;
  let subscriptions: SubscriptionsClient;
  let cycles: RevisionCyclesClient;
  let auditorToken: string;

  beforeAll(async () => {
    p = await startTestPlatform('refusals', {}, { full: true, audit: true, notifications: true });
    const insecure = grpc.credentials.createInsecure();
    registry = new StandardRegistryClient(p.addresses['REGISTRY_GRPC_ADDRESS']!, insecure);
    audit = new AuditClient(p.addresses['AUDIT_GRPC_ADDRESS']!, insecure);
    proposals = new ProposalsClient(p.addresses['PROPOSALS_GRPC_ADDRESS']!, insecure);
    subscriptions = new SubscriptionsClient(p.addresses['NOTIFICATIONS_GRPC_ADDRESS']!, insecure);
    cycles = new RevisionCyclesClient(p.addresses['APPROVALS_GRPC_ADDRESS']!, insecure);
    auditorToken = await tokenFor('auditor');
  }, 240_000);
  afterAll(async () => {
    for (const c of [registry, audit, proposals, subscriptions, cycles]) c?.close();
    await p?.stop();
  });

  /** The refusal records in `subject`'s audit log. */
  const refusalsOf = async (subject: string): Promise<Refusal[]> => {
    const { trace } = await unary(audit.traceActor.bind(audit), { subject, from: undefined, to: undefined }, auditorToken);
    return (trace?.steps ?? []).filter((s) => s.eventType === 'bps.access.refused').map((s) => JSON.parse(s.dataJson) as Refusal);
  };
  /** Waits until exactly one record of `subject` matches `where`, and returns it. */
  const recordOf = async (subject: string, where: Partial<Refusal>): Promise<Refusal> => {
    const matching = async () => (await refusalsOf(subject)).filter((r) => Object.entries(where).every(([k, v]) => (r as Record<string, unknown>)[k] === v));
    await expect.poll(async () => (await matching()).length, { timeout: 30_000, interval: 200 }).toBeGreaterThan(0);
    const found = await matching();
    expect(found, JSON.stringify(found)).toHaveLength(1);
    return found[0]!;
  };
  const getItem = (token?: string) => refused(unary(registry.getItem.bind(registry), { itemCode: 'EDU-05', asOf: undefined, provinceCode: '' }, token));

  it('authentication refusals over gRPC — no token, an expired one, one signed by another issuer — are each on record as "anonymous"', async () => {
    const key = await importJWK({ ...(tokenIssuer.privateJwk as JWK), alg: 'EdDSA' }, 'EdDSA');
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ org: 'NHC', roles: ['ministry-staff'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: tokenIssuer.keyId })
      .setSubject(personas['nhc-staff'].subject)
      .setIssuer(tokenIssuer.issuer)
      .setAudience(tokenIssuer.audience)
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 600)
      .sign(key);
    const foreign = await issuerOf(generatedIssuer()).mint(personas['moe-staff']);
    for (const token of [undefined, expired, foreign]) expect((await getItem(token)).code).toBe(grpc.status.UNAUTHENTICATED);

    const common = { service: 'registry', operation: GET_ITEM, code: 'UNAUTHENTICATED', targetKind: 'item', targetId: 'EDU-05', count: 1 };
    const missing = await recordOf('anonymous', { operation: GET_ITEM, reason: 'TOKEN_MISSING' });
    expect(missing).toMatchObject({ ...common, actor: { subject: 'anonymous' } });
    expect(missing.claimedSubject ?? '').toBe('');
    expect(await recordOf('anonymous', { operation: GET_ITEM, reason: 'TOKEN_EXPIRED' })).toMatchObject({
      ...common,
      claimedSubject: personas['nhc-staff'].subject,
      message: 'token expired',
    });
    expect(await recordOf('anonymous', { operation: GET_ITEM, reason: 'TOKEN_INVALID' })).toMatchObject({
      ...common,
      claimedSubject: personas['moe-staff'].subject,
    });

    // A server stream is refused the same way, and on record too.
    const stream = subscriptions.subscribe({ from: { $case: 'now', now: true }, filter: undefined } as never, callMetadata(expired));
    const streamError = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('error', resolve);
      stream.on('data', () => undefined);
    });
    expect(streamError.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await recordOf('anonymous', { operation: '/bps.notifications.v1.Subscriptions/Subscribe' })).toMatchObject({
      service: 'notifications',
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_EXPIRED',
      claimedSubject: personas['nhc-staff'].subject,
      count: 1,
    });
  });

  it("a permission refusal is on record with the verified subject, organisation, target and the call's trace id", async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const metadata = callMetadata(await tokenFor('nhc-staff'));
    metadata.set('traceparent', `00-${traceId}-0123456789abcdef-01`);
    const request: FileLocalStandardRequest = {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year: 2018, month: 1, day: 1 },
      metrics: [],
      localFunding: undefined,
      localFundingSource: '',
      note: '',
    };
    const error = await new Promise<grpc.ServiceError>((resolve) => registry.fileLocalStandard(request, metadata, (e) => resolve(e!)));
    expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
    const record = await recordOf(personas['nhc-staff'].subject, { operation: FILE_LOCAL });
    expect(record).toMatchObject({
      actor: { subject: personas['nhc-staff'].subject, organisation: 'NHC', roles: ['ministry-staff'] },
      service: 'registry',
      code: 'PERMISSION_DENIED',
      reason: 'NOT_PROVINCE_OFFICER',
      targetKind: 'item',
      targetId: 'INS-05',
      traceId,
      count: 1,
    });
    expect(record.message).toContain('only a province officer of 110000');
  });

  it("a domain rule's refusal (FAILED_PRECONDITION) is on record", async () => {
    const beijing = await tokenFor('beijing-officer');
    const filing = (year: number): FileLocalStandardRequest => ({
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year, month: 1, day: 1 },
      metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
      localFunding: undefined,
      localFundingSource: '',
      note: '',
    });
    await unary(registry.fileLocalStandard.bind(registry), filing(2019), beijing);
    const error = await refused(unary(registry.fileLocalStandard.bind(registry), filing(2018), beijing));
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(await recordOf(personas['beijing-officer'].subject, { operation: FILE_LOCAL, code: 'FAILED_PRECONDITION' })).toMatchObject({
      actor: { subject: personas['beijing-officer'].subject, organisation: '110000' },
      service: 'registry',
      targetId: 'INS-05',
      count: 1,
    });
  });

  it("through the gateway: the gateway's own 401 and a backend's 403 are on record with the HTTP route", async () => {
    const noToken = await fetch(`${p.gateway.url}/api/v1/audit/cycles/C-1/trace`);
    expect(noToken.status).toBe(401);
    expect(await recordOf('anonymous', { httpRoute: 'GET /api/v1/audit/cycles/:cycleId/trace' })).toMatchObject({
      actor: { subject: 'anonymous' },
      service: 'audit',
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
      count: 1,
    });

    const forbidden = await apiAs(p, 'moe-staff', 'GET', '/api/v1/audit/proposals/P-X-1/trace');
    expect(forbidden.status).toBe(403);
    expect(await recordOf(personas['moe-staff'].subject, { operation: '/bps.audit.v1.Audit/TraceProposal' })).toMatchObject({
      service: 'audit',
      code: 'PERMISSION_DENIED',
      httpRoute: 'GET /api/v1/audit/proposals/:proposalId/trace',
      targetKind: 'proposal',
      targetId: 'P-X-1',
      count: 1,
    });
  });

  it('identical refusals are coalesced: a burst of twenty leaves one record, not twenty', async () => {
    const token = await tokenFor('guangdong-officer');
    const request: FileLocalStandardRequest = {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year: 2020, month: 1, day: 1 },
      metrics: [],
      localFunding: undefined,
      localFundingSource: '',
      note: '',
    };
    for (let i = 0; i < 20; i++)
      expect((await refused(unary(registry.fileLocalStandard.bind(registry), request, token))).code).toBe(grpc.status.PERMISSION_DENIED);
    // A different refusal of the same subject after the burst: same Kafka key, so it is filed after the burst's records.
    expect((await refused(unary(registry.getItem.bind(registry), { itemCode: 'NO-SUCH-ITEM', asOf: undefined, provinceCode: '' }, token))).code).toBe(
      grpc.status.NOT_FOUND,
    );
    await recordOf(personas['guangdong-officer'].subject, { operation: GET_ITEM, code: 'NOT_FOUND' });
    const burst = (await refusalsOf(personas['guangdong-officer'].subject)).filter((r) => r.operation === FILE_LOCAL);
    expect(burst).toHaveLength(1);
    expect(burst[0]).toMatchObject({ reason: 'NOT_PROVINCE_OFFICER', count: 1 });
  });

  it('cancelling mistakes: an already-deleted subscription, an unknown or someone else’s proposal, an unknown cycle → NOT_FOUND / FAILED_PRECONDITION / PERMISSION_DENIED (never INTERNAL), on record', async () => {
    // (An unknown subscription id answers the same NOT_FOUND as a deleted one: one subject, one operation, one
    // reason, so within a minute the two would be one coalesced record; the deleted one is checked here.)
    const subscriber = await tokenFor('statistics-subscriber');
    const { subscription } = await unary(
      subscriptions.createSubscription.bind(subscriptions),
      {
        endpointUrl: 'http://127.0.0.1:9/hook',
        filter: { eventTypes: ['bps.standard.version.published'], itemCodes: [], fieldCodes: [], provinceCodes: [], releaseKind: 0 },
        description: 'created by mistake',
      },
      subscriber,
    );
    const id = subscription!.subscriptionId;
    await unary(subscriptions.deleteSubscription.bind(subscriptions), { subscriptionId: id }, subscriber);
    const again = await refused(unary(subscriptions.deleteSubscription.bind(subscriptions), { subscriptionId: id }, subscriber));
    expect(again.code).toBe(grpc.status.NOT_FOUND);
    expect(
      await recordOf(personas['statistics-subscriber'].subject, { operation: '/bps.notifications.v1.Subscriptions/DeleteSubscription', targetId: id }),
    ).toMatchObject({ service: 'notifications', code: 'NOT_FOUND', targetKind: 'subscription', count: 1 });

    const nhc = await tokenFor('nhc-staff');
    const unknownProposal = await refused(unary(proposals.withdrawProposal.bind(proposals), { proposalId: 'P-NO-SUCH', reason: 'opened by mistake' }, nhc));
    expect(unknownProposal.code).toBe(grpc.status.NOT_FOUND);
    expect(await recordOf(personas['nhc-staff'].subject, { operation: '/bps.proposals.v1.Proposals/WithdrawProposal', targetId: 'P-NO-SUCH' })).toMatchObject({
      service: 'proposals',
      code: 'NOT_FOUND',
      targetKind: 'proposal',
      count: 1,
    });
    // A draft opened by mistake is cancelled by withdrawing it (again: the same answer, idempotent); someone else's
    // draft cannot be withdrawn, and that refusal is on record.
    const { proposal } = await unary(
      proposals.createProposal.bind(proposals),
      { content: healthProposal({ itemCode: 'HEA-01' }), requestId: uniqueName('req') },
      nhc,
    );
    const moe = await tokenFor('moe-staff');
    const foreign = await refused(unary(proposals.withdrawProposal.bind(proposals), { proposalId: proposal!.proposalId, reason: 'not mine' }, moe));
    expect([grpc.status.PERMISSION_DENIED, grpc.status.NOT_FOUND]).toContain(foreign.code);
    expect(
      await recordOf(personas['moe-staff'].subject, { operation: '/bps.proposals.v1.Proposals/WithdrawProposal', targetId: proposal!.proposalId }),
    ).toMatchObject({ service: 'proposals', targetKind: 'proposal', actor: { subject: personas['moe-staff'].subject, organisation: 'MOE' } });
    const withdrawn = await unary(proposals.withdrawProposal.bind(proposals), { proposalId: proposal!.proposalId, reason: 'drafted by mistake' }, nhc);
    expect((await unary(proposals.withdrawProposal.bind(proposals), { proposalId: proposal!.proposalId, reason: 'again' }, nhc)).proposal?.state).toBe(
      withdrawn.proposal?.state,
    );

    // Closing a cycle is the final approver's (anyone else is refused for who they are, before the cycle is looked up).
    const closer = await tokenFor('final-approver');
    const cycle = await refused(unary(cycles.closeCycle.bind(cycles), { cycleId: 'C-NO-SUCH' } as never, closer));
    expect([grpc.status.NOT_FOUND, grpc.status.FAILED_PRECONDITION]).toContain(cycle.code);
    expect(
      await recordOf(personas['final-approver'].subject, { operation: '/bps.approvals.v1.RevisionCycles/CloseCycle', targetId: 'C-NO-SUCH' }),
    ).toMatchObject({ service: 'approvals', targetKind: 'cycle' });
  });

  it('page tokens are opaque and integrity-protected: forged or foreign ones are INVALID_ARGUMENT / HTTP 400 naming page_token', async () => {
    const nhc = await tokenFor('nhc-staff');
    for (let i = 0; i < 2; i++)
      await unary(
        proposals.createProposal.bind(proposals),
        { content: ProposalContent.fromPartial(healthProposal({ itemCode: 'HEA-02' })), requestId: uniqueName('req') },
        nhc,
      );
    const list = (over: Partial<ListProposalsRequest>) =>
      unary(
        proposals.listProposals.bind(proposals),
        { leadMinistry: 'NHC', fieldCode: '', kind: 0, state: 0, cycleId: '', pageSize: 1, pageToken: '', ...over },
        nhc,
      );
    const first = await list({});
    expect(first.nextPageToken).not.toBe('');
    const second = await list({ pageToken: first.nextPageToken });
    expect(second.proposals[0]?.proposalId).not.toBe(first.proposals[0]?.proposalId);

    const forged = [
      'AAAA',
      Buffer.from('{"offset":-1}').toString('base64'),
      first.proposals[0]!.proposalId,
      `${Buffer.from('P-ZZZZ').toString('base64url')}.${first.nextPageToken.split('.')[1]}`, // another position under a real MAC
    ];
    for (const pageToken of forged) {
      const error = await refused(list({ pageToken }));
      expect(error.code, pageToken).toBe(grpc.status.INVALID_ARGUMENT);
      expect(decodeStatus(error).fieldViolations.map((v) => v.field)).toContain('page_token');
    }
    // A real token of another list (other filters) is refused too.
    const other = await refused(list({ leadMinistry: 'MOE', pageToken: first.nextPageToken }));
    expect(other.code).toBe(grpc.status.INVALID_ARGUMENT);
    // Bad input is a refusal of a rule too: on record, who and why.
    expect(await recordOf(personas['nhc-staff'].subject, { operation: '/bps.proposals.v1.Proposals/ListProposals', code: 'INVALID_ARGUMENT' })).toMatchObject({
      service: 'proposals',
      actor: { subject: personas['nhc-staff'].subject, organisation: 'NHC' },
    });

    for (const path of [
      '/api/v1/proposals?leadMinistry=NHC&pageToken=AAAA',
      `/api/v1/subscriptions/sub-x/deliveries?pageToken=${Buffer.from('-1').toString('base64url')}`,
    ]) {
      const res = await apiAs(p, 'nhc-staff', 'GET', path);
      expect(res.status, `${path}: ${JSON.stringify(res.json)}`).toBe(400);
      expect(
        res.json.error.fieldViolations.map((v: { field: string }) => v.field),
        path,
      ).toContain('pageToken');
    }
  });

  it('dates: a reversed range, a day that does not exist, a year out of range → INVALID_ARGUMENT / HTTP 400 with the field', async () => {
    const reversed = await apiAs(
      p,
      'auditor',
      'GET',
      `/api/v1/audit/actors/${personas['nhc-staff'].subject}/trace?from=2026-03-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    );
    expect(reversed.status, JSON.stringify(reversed.json)).toBe(400);
    expect(reversed.json.error.code).toBe('INVALID_ARGUMENT');
    expect(reversed.json.error.fieldViolations.map((v: { field: string }) => v.field)).toContain('from');

    const grpcReversed = await refused(
      unary(audit.traceActor.bind(audit), { subject: 'x', from: new Date('2026-03-01'), to: new Date('2026-01-01') }, auditorToken),
    );
    expect(grpcReversed.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(decodeStatus(grpcReversed).fieldViolations).toEqual([expect.objectContaining({ field: 'from', reason: 'RANGE_REVERSED' })]);

    const token = await tokenFor('nhc-staff');
    const impossible = await refused(
      unary(
        registry.getItem.bind(registry),
        { itemCode: 'EDU-05', asOf: { date: { year: 2026, month: 2, day: 30 }, knownAt: undefined }, provinceCode: '' },
        token,
      ),
    );
    expect(impossible.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(decodeStatus(impossible).fieldViolations).toEqual([expect.objectContaining({ field: 'as_of.date', reason: 'DATE_INVALID' })]);
    const ancient = await refused(
      unary(
        registry.getItem.bind(registry),
        { itemCode: 'EDU-05', asOf: { date: undefined, knownAt: new Date('1066-10-14T00:00:00Z') }, provinceCode: '' },
        token,
      ),
    );
    expect(ancient.code).toBe(grpc.status.INVALID_ARGUMENT);
    const farFuture = await refused(
      unary(
        registry.getItem.bind(registry),
        { itemCode: 'EDU-05', asOf: { date: { year: 99999, month: 1, day: 1 }, knownAt: undefined }, provinceCode: '' },
        token,
      ),
    );
    expect(decodeStatus(farFuture).fieldViolations).toEqual([expect.objectContaining({ field: 'as_of.date', reason: 'DATE_OUT_OF_RANGE' })]);
    expect(decodeStatus(ancient).fieldViolations).toEqual([expect.objectContaining({ field: 'as_of.known_at', reason: 'DATE_OUT_OF_RANGE' })]);
  });
});
