// Temporal closed to outsiders (issue #13): a client that reaches the Temporal frontend but lacks the platform's
// payload key (a raw @temporalio/client, no codec) can neither sign off, signal, read nor usefully start an approval
// workflow, and cannot replay a sealed payload copied out of one history into another workflow — while the
// platform's own path (the ApprovalInbox gRPC API over the sealed client and worker) approves end to end.
import { Client, Connection, WorkflowFailedError, type Payload } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import {
  approvalDecisionStateQuery,
  approvalStateQuery,
  editionReleasedSignal,
  proposalResubmittedSignal,
  signOffUpdate,
  workflowTypes,
  type ApprovalResult,
  type ApprovalView,
  type ProposalResubmitted,
  type RebaseNotice,
  type SignOffArgs,
} from '../../workflows/contracts';
import { Worker } from '@temporalio/worker';
import { testWorkflowBundle } from '../support/workflow-bundle';
import { workerTelemetryOptions } from '../../services/shared/temporal/temporal';
import { stack } from '../support/stack';
import { sealedDataConverter } from '../support/temporal';
import { uniqueName } from '../support/names';
import { actorOf, proposalInput, startHarness, type Harness } from './approvals-harness';

let h: Harness;
let rawConnection: Connection;
let raw: Client;

beforeAll(async () => {
  h = await startHarness();
  rawConnection = await Connection.connect({ address: stack().temporalAddress });
  raw = new Client({ connection: rawConnection, namespace: stack().temporalNamespace });
});
afterAll(async () => {
  await rawConnection?.close();
  await h?.close();
});

const sign = async (who: PersonaName, proposalId: string, stepId: string, position: Position, comment = '') =>
  (await unary(h.client.signOff.bind(h.client), { proposalId, stepId, position, comment }, await h.token(who))).approval!;
const view = (proposalId: string) => h.temporal.client.workflow.getHandle(proposalId).query<ApprovalView>(approvalStateQuery);
const step = async (proposalId: string, stepId: string) => (await view(proposalId)).rounds.at(-1)!.steps.find((s) => s.stepId === stepId)!;
const rawSignOff = (proposalId: string, args: SignOffArgs) => raw.workflow.getHandle(proposalId).executeUpdate(signOffUpdate, { args: [args] });

/** Every payload of a history (proto JSON), with the path it sits at. */
function payloadsOf(node: unknown, path = ''): { path: string; payload: { metadata?: Record<string, string>; data?: string } }[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => payloadsOf(n, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  if ('metadata' in o && typeof o['metadata'] === 'object' && 'data' in o) return [{ path, payload: o as never }];
  return Object.entries(o).flatMap(([k, v]) => payloadsOf(v, `${path}.${k}`));
}
const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

describe('Temporal closed to outsiders: a raw client without the payload key', () => {
  it('cannot sign off, signal or read an approval, and the platform still approves it end to end', async () => {
    const input = proposalInput({ title: `密封测试提案 ${uniqueName('title')}` });
    const P = input.proposalId;
    await h.start(input);
    const mof = actorOf(personas['mof-approver']);

    // A sign-off under the Ministry of Finance's real approver (the must-concur step) is refused by the validator.
    await expect(rawSignOff(P, { actor: mof, stepId: 'countersign.mof', position: 'APPROVE', comment: 'forged' })).rejects.toThrow();
    // A countersign step of the lead ministry likewise; and an update with no argument at all.
    await expect(rawSignOff(P, { actor: actorOf(personas['nhc-approver']), stepId: 'countersign.lead', position: 'APPROVE', comment: '' })).rejects.toThrow();
    await expect(raw.workflow.getHandle(P).executeUpdate(signOffUpdate)).rejects.toThrow();
    expect(await step(P, 'countersign.mof')).toMatchObject({ open: true });
    expect((await step(P, 'countersign.mof')).signedBy).toBeUndefined();
    expect((await step(P, 'countersign.lead')).signedBy).toBeUndefined();

    // Signals: a forged "edition released" (would send the proposal back for rebase), a forged resubmission and an
    // empty signal change nothing and do not wedge the workflow.
    const handle = raw.workflow.getHandle(P);
    await handle.signal(editionReleasedSignal, {
      cycleId: 'forged',
      title: 'forged',
      effectiveFrom: '2027-01-01',
      releasedAt: Date.now(),
    } satisfies RebaseNotice);
    await handle.signal(proposalResubmittedSignal, {
      proposalRevision: 9,
      title: 'forged',
      fieldCodes: ['HEALTH'],
      itemCodes: ['HEA-01'],
      effectiveFrom: '2027-01-01',
      fiscalTotals: { totalFen: '0', centralFen: '0', localFen: '0' },
      conflictsWith: [],
      changeSet: {},
    } satisfies ProposalResubmitted);
    await handle.signal(editionReleasedSignal);
    // The signals are in the history (one workflow task after them has completed) ...
    await expect
      .poll(
        async () => {
          const events = (await h.temporal.client.workflow.getHandle(P).fetchHistory()).events ?? [];
          const lastSignal = events.findLastIndex((e) => e.workflowExecutionSignaledEventAttributes);
          return lastSignal >= 0 && events.slice(lastSignal).some((e) => e.workflowTaskCompletedEventAttributes);
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);
    // ... and had no effect: still in progress, same round and revision, no rebase notice.
    const afterSignals = await view(P);
    expect(afterSignals).toMatchObject({ status: 'in_progress', round: 1, proposal: { proposalRevision: 1, title: input.title } });
    expect(afterSignals.rebase).toBeUndefined();

    // Queries: the answer is sealed; a raw client cannot decode it.
    await expect(handle.query(approvalStateQuery)).rejects.toThrow(/binary\/encrypted/);
    await expect(handle.query(approvalDecisionStateQuery)).rejects.toThrow(/binary\/encrypted/);

    // The platform signs the very steps the outsider tried to, and the approval completes.
    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE, '牵头部门同意（密封测试）');
    await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_NO_OBJECTION);
    const afterCountersign = await sign('mof-approver', P, 'countersign.mof', Position.POSITION_APPROVE, '财政部同意（密封测试）');
    expect(afterCountersign.needs).toEqual(['waiting for 国务院办公厅']);
    expect(await step(P, 'countersign.mof')).toMatchObject({ signedBy: mof.subject, comment: '财政部同意（密封测试）' });
    const final = await sign('final-approver', P, 'final.sco', Position.POSITION_APPROVE);
    expect(final.status).toBe('approved');
    expect((await h.temporal.client.workflow.getHandle(P).result()) as ApprovalResult).toEqual({ status: 'approved', rounds: 1, routeVersion: 1 });
    await expect.poll(() => h.eventsOf(P, 'bps.approval.changeset.approved').length, { timeout: 20_000 }).toBe(1);
    // The raw client cannot read the result either.
    await expect(handle.result()).rejects.toThrow(/binary\/encrypted/);

    // The history at rest: every payload outside search attributes and headers is sealed (but for the outsider's own
    // signals above: the platform sent none here), and no payload anywhere carries the title, an approver, a comment
    // or the change set in clear.
    const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory()).toJSON();
    const payloads = payloadsOf(history);
    // Patch markers (`patched()`) are written by the SDK itself, outside the data converter; they hold only the patch
    // id (e.g. "approval-duties"), so they stay plain. Everything else is sealed.
    // Likewise a local activity's marker (approval-local-records) carries the SDK's own bookkeeping in `data` (its
    // sequence number, attempt, activity id and type, times); its result, in `result`, is sealed like any other.
    const sealedExpected = payloads.filter(
      (p) => !/searchAttributes|header|workflowExecutionSignaledEventAttributes|markerRecordedEventAttributes\.details\.(patch-data|data)\./i.test(p.path),
    );
    const patchMarkers = payloads.filter((p) => /markerRecordedEventAttributes\.details\.patch-data/.test(p.path)).map((p) => text(p.payload.data));
    for (const marker of patchMarkers) expect(Object.keys(JSON.parse(marker) as object).sort()).toEqual(['deprecated', 'id']);
    const localActivityMarkers = payloads.filter((p) => /markerRecordedEventAttributes\.details\.data\./.test(p.path)).map((p) => text(p.payload.data));
    expect(localActivityMarkers.length).toBeGreaterThan(0);
    for (const marker of localActivityMarkers)
      expect(['activity_id', 'activity_type', 'attempt', 'backoff', 'complete_time', 'original_schedule_time', 'seq']).toEqual(
        expect.arrayContaining(Object.keys(JSON.parse(marker) as object)),
      );
    expect(sealedExpected.length).toBeGreaterThan(10);
    for (const p of sealedExpected)
      expect({ path: p.path, encoding: text(p.payload.metadata?.['encoding']) }).toEqual({ path: p.path, encoding: 'binary/encrypted' });
    const clear = payloads.map((p) => text(p.payload.data)).join('\n') + JSON.stringify(history);
    for (const secret of [input.title, mof.subject, personas['final-approver'].subject, '财政部同意（密封测试）', '牵头部门同意', `${P}-cs`, '并入新项目']) {
      expect(clear).not.toContain(secret);
    }
    // What stays visible: the search attributes (ids, kind, field code, open roles/organisations), by design.
    expect(
      payloads
        .filter((p) => /searchAttributes/i.test(p.path))
        .map((p) => text(p.payload.data))
        .join(' '),
    ).toContain(P);

    // The sealed history, the outsider's signals included, replays with the worker's converter (as after a cache
    // eviction or a worker restart): same commands, no nondeterminism. Payloads are bound to their workflow id, which a
    // history does not carry: a replay names it.
    await Worker.runReplayHistory(
      {
        workflowBundle: (await testWorkflowBundle())!,
        dataConverter: sealedDataConverter(),
        ...workerTelemetryOptions({ prebuiltBundle: true }),
        replayName: P,
      },
      await h.temporal.client.workflow.getHandle(P).fetchHistory(),
      P,
    );
  });

  it('cannot replay a sealed sign-off copied out of one approval into another', async () => {
    const a = proposalInput();
    const b = proposalInput();
    await h.start(a);
    await h.start(b);
    await sign('mof-approver', a.proposalId, 'countersign.mof', Position.POSITION_APPROVE, '只对 A');
    // The sealed update argument of A's sign-off, as anyone who can read A's history sees it.
    const history = await raw.workflow.getHandle(a.proposalId).fetchHistory();
    const accepted = (history.events ?? []).find(
      (e) =>
        e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId !== undefined &&
        e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest.input?.name === signOffUpdate,
    );
    const copied = accepted!.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0]! as Payload;
    expect(Buffer.from(copied.metadata!['encoding']!).toString()).toBe('binary/encrypted');

    // A client that sends the copied bytes as they are (a codec that swaps in the copy) to B.
    const replaying = new Client({
      connection: rawConnection,
      namespace: stack().temporalNamespace,
      dataConverter: { payloadCodecs: [{ encode: async (ps: Payload[]) => ps.map(() => copied), decode: async (ps: Payload[]) => ps }] },
    });
    await expect(replaying.workflow.getHandle(b.proposalId).executeUpdate(signOffUpdate, { args: [{}] })).rejects.toThrow();
    expect((await step(b.proposalId, 'countersign.mof')).signedBy).toBeUndefined();
    // The same bytes sent back to A are refused by the rules (already signed), not accepted twice.
    expect((await step(a.proposalId, 'countersign.mof')).signedBy).toBe(personas['mof-approver'].subject);
  });

  it('cannot start an approval workflow: it fails at once, before choosing a route or announcing anything', async () => {
    const input = proposalInput();
    const started = await raw.workflow.start(workflowTypes.adHocRevision, { taskQueue: h.taskQueue, workflowId: input.proposalId, args: [input] });
    await expect(h.temporal.client.workflow.getHandle(input.proposalId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const failure = await h.temporal.client.workflow
      .getHandle(input.proposalId)
      .result()
      .catch((e: WorkflowFailedError) => e.cause);
    expect(failure?.message).toMatch(/not sealed with the platform's key/);
    const events = (await started.fetchHistory()).events ?? [];
    expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    expect(events.some((e) => e.workflowExecutionFailedEventAttributes)).toBe(true);
    // The failure message itself is sealed in the history (only "Encoded failure" in clear).
    expect(JSON.stringify(events.map((e) => e.workflowExecutionFailedEventAttributes).filter(Boolean))).not.toMatch(/not sealed/);
  });
});
