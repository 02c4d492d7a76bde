// Throughput of complete ad-hoc approvals (start, 3-party countersign through the inbox gRPC API, final approval,
// ChangeSetApproved on Kafka) and sign-off latency, next to a bare Temporal workflow taking the same number of
// updates in the same run. `npm run bench -- approvals` (APPROVALS_BENCH_N, APPROVALS_BENCH_CONCURRENCY).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import type { PersonaName } from '../../services/shared/auth/personas';
import { tokenFor } from '../support/identity';
import { unary } from '../../services/shared/grpc/client';
import { sealedWorkerDataConverter } from '../../services/shared/temporal/sealing';
import { approvalStateQuery, workflowTypes, type ProposalApprovalInput } from '../../workflows/contracts';
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

const bench: Bench = {
  title: 'Ad-hoc approvals: complete approvals per second and sign-off latency vs a bare Temporal workflow',
  async run(endpoints) {
    const payloadKeys = testPayloadKeys();
    const n = Number(process.env['APPROVALS_BENCH_N'] ?? 30);
    const concurrency = Number(process.env['APPROVALS_BENCH_CONCURRENCY'] ?? 5);
    const id = suffix();
    const p = await startPlatform('bench-approvals', { services: ['approvals'], collect: ['approvals'], overrides: { approvals: { relayPollMs: 20 } } });
    const { taskQueue } = p.names;
    const temporal = p.temporal!;
    const client = new ApprovalInboxClient(p.address('approvals'), grpc.credentials.createInsecure());
    const approved = () => p.collector!.received('bps.approval.changeset.approved');
    const approvedAt = () => approved().map((e) => p.collector!.arrivedAt(e.id)!);
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

    try {
      // Ad-hoc approvals, end to end.
      const signLatencies: number[] = [];
      const ids = Array.from({ length: n }, (_, i) => `bench-P-${id}-${i}`);
      const t0 = Date.now();
      await pool(ids, concurrency, async (proposalId) => {
        const input: ProposalApprovalInput = {
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
        };
        const handle = await temporal.client.workflow.start(workflowTypes.adHocRevision, { taskQueue, workflowId: proposalId, args: [input] });
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
        for (const [persona, stepId] of nhcLedSignOffs) {
          const s = performance.now();
          await unary(client.signOff.bind(client), { proposalId, stepId, position: Position.POSITION_APPROVE, comment: '' }, token[persona]);
          signLatencies.push(performance.now() - s);
        }
      });
      await waitUntil(() => approved().length >= n, `${n} approved change sets`, 120_000, 20).catch(() => undefined);
      const approvalSeconds = (Math.max(...approvedAt()) - t0) / 1000;

      // The bare baseline: the same number of workflows and updates, no rules, no activities, no gRPC.
      const bareLatencies: number[] = [];
      const b0 = Date.now();
      await pool(
        Array.from({ length: n }, (_, i) => `bench-bare-${id}-${i}`),
        concurrency,
        async (workflowId) => {
          const handle = await temporal.client.workflow.start('bareApproval', { taskQueue: bareQueue, workflowId, args: [4] });
          for (const who of ['nhc', 'ndrc', 'mof', 'sco']) {
            const s = performance.now();
            await handle.executeUpdate('bareSignOff', { args: [who] });
            bareLatencies.push(performance.now() - s);
          }
          await handle.result();
        },
      );
      const bareSeconds = (Date.now() - b0) / 1000;

      const approvalsPerSecond = approved().length / approvalSeconds;
      const barePerSecond = n / bareSeconds;
      return [
        {
          scenario: 'ad-hoc approval (inbox gRPC + workflow + outbox + Kafka)',
          completed: approved().length,
          'per second': approvalsPerSecond.toFixed(2),
          'sign-off p50 ms': percentile(signLatencies, 50).toFixed(1),
          'sign-off p99 ms': percentile(signLatencies, 99).toFixed(1),
        },
        {
          scenario: 'bare workflow, 4 updates (Temporal client)',
          completed: n,
          'per second': barePerSecond.toFixed(2),
          'sign-off p50 ms': percentile(bareLatencies, 50).toFixed(1),
          'sign-off p99 ms': percentile(bareLatencies, 99).toFixed(1),
        },
        {
          scenario: 'ratio approval / bare',
          completed: '',
          'per second': (approvalsPerSecond / barePerSecond).toFixed(2),
          'sign-off p50 ms': (percentile(signLatencies, 50) / percentile(bareLatencies, 50)).toFixed(2),
          'sign-off p99 ms': (percentile(signLatencies, 99) / percentile(bareLatencies, 99)).toFixed(2),
        },
      ];
    } finally {
      bareWorker.shutdown();
      await bareRunning;
      await connection.close();
      client.close();
      await p.stop();
    }
  },
};
export default bench;
