// Issue #16, approvals row. Throughput of complete ad-hoc approvals (start, 3-party countersign and final approval
// through the inbox gRPC API, ChangeSetApproved on Kafka) and sign-off latency, next to a bare Temporal workflow
// taking the same number of updates in the same run, at two sizes (N/10 and N). Then an approver's inbox listing at
// two numbers of open approvals, next to one raw Temporal visibility list call with the same filter (the anchor)
// and to the listing of before (that list, then one workflow query per approval).
// `npm run bench -- approvals` (APPROVALS_BENCH_N = 200, APPROVALS_BENCH_CONCURRENCY = 5,
// APPROVALS_BENCH_OPEN = 100, APPROVALS_BENCH_SAMPLES = 20, APPROVALS_BENCH_RELAY_POLL_MS = the service's default).
// The outbox relay runs as in production (issue #16: "every background process running as in production"): woken
// in-process by every write of the service, with its default safety-net poll. Runs before 2026-12-01 06:30 UTC
// polled every 20 ms (APPROVALS_BENCH_RELAY_POLL_MS=20 repeats them): some 100 database queries a second on top.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import type { PersonaName } from '../../services/shared/auth/personas';
import { tokenFor } from '../support/identity';
import { unary } from '../../services/shared/grpc/client';
import { sealedWorkerDataConverter } from '../../services/shared/temporal/sealing';
import { approvalStateQuery, workflowTypes, type ApprovalView, type ProposalApprovalInput } from '../../workflows/contracts';
import { inboxItemsFor, inboxKeysOf } from '../../workflows/approval/domain';
import { personas } from '../../services/shared/auth/personas';
import type { Bench } from './run';
import { startPlatform } from '../support/platform';
import { testPayloadKeys } from '../support/temporal';
import { waitUntil } from '../support/wait';
import { nhcLedSignOffs } from '../support/cycles';

const suffix = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

type Row = Record<string, string | number>;
const ms = (v: number): string => v.toFixed(1);
const ratio = (a: number, b: number): string => (b === 0 ? '' : (a / b).toFixed(2));

const bench: Bench = {
  title: 'Ad-hoc approvals vs a bare Temporal workflow (throughput, sign-off latency) and the inbox listing vs one visibility list',
  async run(endpoints) {
    const payloadKeys = testPayloadKeys();
    const n = Number(process.env['APPROVALS_BENCH_N'] ?? 200);
    const small = Math.max(1, Math.round(n / 10));
    const concurrency = Number(process.env['APPROVALS_BENCH_CONCURRENCY'] ?? 5);
    const openLarge = Number(process.env['APPROVALS_BENCH_OPEN'] ?? 100);
    const openSmall = Math.max(1, Math.round(openLarge / 10));
    const samples = Number(process.env['APPROVALS_BENCH_SAMPLES'] ?? 20);
    const id = suffix();
    const relayPollMs = process.env['APPROVALS_BENCH_RELAY_POLL_MS'] ? Number(process.env['APPROVALS_BENCH_RELAY_POLL_MS']) : undefined;
    const p = await startPlatform('bench-approvals', { services: ['approvals'], collect: ['approvals'], overrides: { approvals: { relayPollMs } } });
    const { taskQueue } = p.names;
    const temporal = p.temporal!;
    const client = new ApprovalInboxClient(p.address('approvals'), grpc.credentials.createInsecure());
    const approved = () => p.collector!.received('bps.approval.changeset.approved');
    const token = Object.fromEntries(
      await Promise.all(
        (['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as PersonaName[]).map(async (p) => [p, await tokenFor(p)] as const),
      ),
    );

    const bareQueue = `bench-bare-${id}`;
    const connection = await NativeConnection.connect({ address: endpoints.temporalAddress });
    const bareWorker = await Worker.create({
      connection,
      namespace: endpoints.temporalNamespace,
      taskQueue: bareQueue,
      dataConverter: sealedWorkerDataConverter(payloadKeys),
      workflowsPath: fileURLToPath(new URL('../../workflows/bench/bare-approval.ts', import.meta.url)),
    });
    const bareRunning = bareWorker.run();
    const input = (proposalId: string): ProposalApprovalInput => ({
      proposalId,
      proposalRevision: 1,
      kind: 'AD_HOC',
      title: '基准测试',
      leadMinistry: 'NHC',
      proposer: { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] },
      fieldCodes: ['HEALTH'],
      itemCodes: ['HEA-01'],
      effectiveFrom: '2027-01-01',
      fiscalTotals: { totalFen: '1', centralFen: '1', localFen: '0' },
      conflictsWith: [],
      changeSet: { changeSetId: `${proposalId}-cs`, changes: [] },
    });
    const startApproval = async (proposalId: string) => {
      const handle = await temporal.client.workflow.start(workflowTypes.adHocRevision, { taskQueue, workflowId: proposalId, args: [input(proposalId)] });
      await waitUntil(
        () =>
          handle.query(approvalStateQuery).then(
            () => true,
            () => false,
          ),
        `${proposalId} answering queries`,
        30_000,
        20,
      );
      return handle;
    };

    /**
     * `count` complete approvals through the inbox API and as many bare workflows with 4 updates each, in alternating
     * slices (APPROVALS_BENCH_SLICES, default 4): the machine is shared and its load drifts over a run, so both sides
     * are measured across the same stretch of it rather than one after the other. A slice of approvals ends when the
     * last of its ChangeSetApproved events has arrived (its publication is part of its cost, and none of its work
     * runs on into the bare workflows' slice); a slice of bare workflows when the last has returned.
     */
    const throughput = async (count: number, label: string) => {
      const signLatencies: number[] = [];
      const bareLatencies: number[] = [];
      const ids = Array.from({ length: count }, (_, i) => `bench-P-${id}-${label}-${i}`);
      const bareIds = Array.from({ length: count }, (_, i) => `bench-bare-${id}-${label}-${i}`);
      const wanted = new Set(ids);
      const mine = () => approved().filter((e) => wanted.has(e.key));
      const slices = Math.max(1, Math.min(count, Number(process.env['APPROVALS_BENCH_SLICES'] ?? 4)));
      let approvalMs = 0;
      let bareMs = 0;
      for (let k = 0; k < slices; k++) {
        const from = Math.floor((k * count) / slices);
        const to = Math.floor(((k + 1) * count) / slices);
        const slice = ids.slice(from, to);
        const t0 = Date.now();
        await pool(slice, concurrency, async (proposalId) => {
          await startApproval(proposalId);
          for (const [persona, stepId] of nhcLedSignOffs) {
            const s = performance.now();
            await unary(client.signOff.bind(client), { proposalId, stepId, position: Position.POSITION_APPROVE, comment: '' }, token[persona]);
            signLatencies.push(performance.now() - s);
          }
        });
        const inSlice = new Set(slice);
        const arrived = () => approved().filter((e) => inSlice.has(e.key));
        await waitUntil(() => arrived().length >= slice.length, `${slice.length} approved change sets`, 120_000, 20).catch(() => undefined);
        approvalMs += Math.max(t0, ...arrived().map((e) => p.collector!.arrivedAt(e.id)!)) - t0;

        const b0 = Date.now();
        await pool(bareIds.slice(from, to), concurrency, async (workflowId) => {
          const handle = await temporal.client.workflow.start('bareApproval', { taskQueue: bareQueue, workflowId, args: [4] });
          for (const who of ['nhc', 'ndrc', 'mof', 'sco']) {
            const s = performance.now();
            await handle.executeUpdate('bareSignOff', { args: [who] });
            bareLatencies.push(performance.now() - s);
          }
          await handle.result();
        });
        bareMs += Date.now() - b0;
      }
      return {
        completed: mine().length,
        perSecond: mine().length / (approvalMs / 1000),
        barePerSecond: count / (bareMs / 1000),
        p50: percentile(signLatencies, 50),
        p99: percentile(signLatencies, 99),
        bareP50: percentile(bareLatencies, 50),
        bareP99: percentile(bareLatencies, 99),
      };
    };

    /** The mof approver's inbox with `open` approvals waiting for them: service, raw visibility list, list + query each. */
    const mof = personas['mof-approver'];
    const mofActor = { subject: mof.subject, organisation: mof.organisation, roles: [...mof.roles] };
    const visibilityQuery = [
      `TaskQueue = '${taskQueue}'`,
      `WorkflowType = '${workflowTypes.adHocRevision}'`,
      `ExecutionStatus = 'Running'`,
      `BpsOpenRoles IN (${inboxKeysOf(mofActor)
        .map((k) => `'${k}'`)
        .join(', ')})`,
    ].join(' AND ');
    const listService = async () =>
      (
        await unary(
          client.listMyOpenSteps.bind(client),
          { fieldCode: '', kind: '', cycleId: '', dueBefore: undefined, overdueOnly: false },
          token['mof-approver'],
        )
      ).items;
    const listRaw = async () => {
      const ids: string[] = [];
      for await (const e of temporal.client.workflow.list({ query: visibilityQuery })) ids.push(e.workflowId);
      return ids;
    };
    const listThenQuery = async () => {
      const items: unknown[] = [];
      for await (const e of temporal.client.workflow.list({ query: visibilityQuery })) {
        const view = await temporal.client.workflow.getHandle(e.workflowId, e.runId).query<ApprovalView>(approvalStateQuery);
        items.push(...inboxItemsFor(view, mofActor));
      }
      return items;
    };
    const openIds: string[] = [];
    const inbox = async (open: number) => {
      const more = Array.from({ length: open - openIds.length }, (_, i) => `bench-open-${id}-${openIds.length + i}`);
      await pool(more, concurrency, async (proposalId) => void (await startApproval(proposalId)));
      openIds.push(...more);
      await waitUntil(async () => (await listService()).length >= open && (await listRaw()).length >= open, `${open} items in the mof inbox`, 120_000, 200);
      const timings = { service: [] as number[], raw: [] as number[], before: [] as number[] };
      let listed = 0;
      for (let i = 0; i < samples; i++) {
        // Interleaved, so the three share the machine's load alike.
        let s = performance.now();
        listed = (await listService()).length;
        timings.service.push(performance.now() - s);
        s = performance.now();
        await listRaw();
        timings.raw.push(performance.now() - s);
        s = performance.now();
        await listThenQuery();
        timings.before.push(performance.now() - s);
      }
      return { listed, ...Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, { p50: percentile(v, 50), p99: percentile(v, 99) }])) } as {
        listed: number;
        service: { p50: number; p99: number };
        raw: { p50: number; p99: number };
        before: { p50: number; p99: number };
      };
    };

    try {
      const t1 = await throughput(small, 's');
      const t10 = await throughput(n, 'l');
      const i1 = await inbox(openSmall);
      const i10 = await inbox(openLarge);
      const rows: Row[] = [];
      const tRows = (t: typeof t1, size: number, base?: typeof t1): Row[] => [
        {
          row: 'complete approvals / s',
          size,
          anchor: t.barePerSecond.toFixed(2),
          service: t.perSecond.toFixed(2),
          ratio: ratio(t.perSecond, t.barePerSecond),
          growth: base ? ratio(t.perSecond / t.barePerSecond, base.perSecond / base.barePerSecond) : '',
          note: `${t.completed}/${size} approved`,
        },
        {
          row: 'sign-off p50 ms',
          size,
          anchor: ms(t.bareP50),
          service: ms(t.p50),
          ratio: ratio(t.p50, t.bareP50),
          growth: base ? ratio(t.p50 / t.bareP50, base.p50 / base.bareP50) : '',
          note: '',
        },
        {
          row: 'sign-off p99 ms',
          size,
          anchor: ms(t.bareP99),
          service: ms(t.p99),
          ratio: ratio(t.p99, t.bareP99),
          growth: base ? ratio(t.p99 / t.bareP99, base.p99 / base.bareP99) : '',
          note: '',
        },
      ];
      rows.push(...tRows(t1, small), ...tRows(t10, n, t1));
      const iRows = (i: typeof i1, open: number, base?: typeof i1): Row[] =>
        (['p50', 'p99'] as const).flatMap((q) => [
          {
            row: `inbox listing ${q} ms`,
            size: open,
            anchor: ms(i.raw[q]),
            service: ms(i.service[q]),
            ratio: ratio(i.service[q], i.raw[q]),
            growth: base ? ratio(i.service[q] / i.raw[q], base.service[q] / base.raw[q]) : '',
            note: `${i.listed} items`,
          },
          {
            row: `inbox before (list + query each) ${q} ms`,
            size: open,
            anchor: ms(i.raw[q]),
            service: ms(i.before[q]),
            ratio: ratio(i.before[q], i.raw[q]),
            growth: base ? ratio(i.before[q] / i.raw[q], base.before[q] / base.raw[q]) : '',
            note: 'for comparison',
          },
        ]);
      rows.push(...iRows(i1, openSmall), ...iRows(i10, openLarge, i1));
      return rows;
    } finally {
      // The open approvals would otherwise wait for their deadlines on the dev server forever.
      await Promise.all(
        openIds.map((wid) =>
          temporal.client.workflow
            .getHandle(wid)
            .terminate('benchmark over')
            .catch(() => undefined),
        ),
      );
      bareWorker.shutdown();
      await bareRunning;
      await connection.close();
      client.close();
      await p.stop();
    }
  },
};
export default bench;
