// Throughput of complete ad-hoc approvals (start, 3-party countersign through the inbox gRPC API, final approval,
// ChangeSetApproved on Kafka) and sign-off latency, next to a bare Temporal workflow taking the same number of
// updates in the same run. `npm run bench -- approvals` (APPROVALS_BENCH_N, APPROVALS_BENCH_CONCURRENCY).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { startApprovals } from '../../services/approvals/app';
import type { PersonaName } from '../../services/shared/auth/personas';
import { testDirectory, testVerifier, tokenFor } from '../support/identity';
import { topicName, topics } from '../../services/shared/events/catalog';
import { unary } from '../../services/shared/grpc/client';
import { EventConsumer, ProcessedEvents } from '../../services/shared/kafka/kafka';
import { createLogger } from '../../services/shared/log/logger';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { ensureDevSecrets } from '../../infra/local/secrets';
import { settings } from '../../infra/local/settings';
import { sealedWorkerDataConverter } from '../../services/shared/temporal/sealing';
import { connectTemporal } from '../../services/shared/temporal/temporal';
import { approvalStateQuery, workflowTypes, type ProposalApprovalInput } from '../../workflows/contracts';
import type { Bench } from './run';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';
import { decisionSigningDeps } from '../support/decisions';

const logger = createLogger('bench', 'silent');
const suffix = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

const bench: Bench = {
  title: 'Ad-hoc approvals: complete approvals per second and sign-off latency vs a bare Temporal workflow',
  async run(endpoints) {
    const payloadKeys = { key: ensureDevSecrets(settings()).temporalPayloadKey };
    const n = Number(process.env['APPROVALS_BENCH_N'] ?? 30);
    const concurrency = Number(process.env['APPROVALS_BENCH_CONCURRENCY'] ?? 5);
    const id = suffix();
    const taskQueue = `bench-approvals-${id}`;
    const topicNamespace = `bench-${id}`;
    const dbName = `bench-approvals-${id}`;
    const tokens = testVerifier();
    const app = await startApprovals({ ...decisionSigningDeps(), 
      mongoUri: endpoints.mongoUri, dbName, kafkaBrokers: endpoints.kafkaBrokers, kafkaCredentials: kafkaCredentials('approvals'), topicNamespace, temporalAddress: endpoints.temporalAddress,
      temporalNamespace: endpoints.temporalNamespace, temporalPayloadKeys: payloadKeys, taskQueue, grpcPort: 0, tokens, directory: testDirectory, logger, durations: { dueSeconds: 3600, reminderBeforeSeconds: 600 }, relayPollMs: 20,
    });
    const temporal = await connectTemporal({ address: endpoints.temporalAddress, namespace: endpoints.temporalNamespace, payloadKeys });
    const client = new ApprovalInboxClient(`127.0.0.1:${app.grpcPort}`, grpc.credentials.createInsecure());
    const mongo = await connectMongo(endpoints.mongoUri, dbName);
    const approvedAt = new Map<string, number>();
    const kafka = testKafka('audit', 'bench', endpoints.kafkaBrokers); // a reader of bps.approvals.v1
    const consumer = new EventConsumer({
      kafka, groupId: testGroup('audit', `bench-${id}`), topics: [topicName(topics.approvals, topicNamespace)], processed: new ProcessedEvents(mongo.db, 'bench_processed'), logger,
      handler: async (e) => { if (e.type === 'bps.approval.changeset.approved') approvedAt.set(e.key, Date.now()); },
    });
    const joined = consumer.ready();
    await consumer.start();
    await joined;
    const token = Object.fromEntries(await Promise.all((['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as PersonaName[]).map(async (p) => [p, await tokenFor(p)] as const)));

    const bareQueue = `bench-bare-${id}`;
    const connection = await NativeConnection.connect({ address: endpoints.temporalAddress });
    const bareWorker = await Worker.create({ connection, namespace: endpoints.temporalNamespace, taskQueue: bareQueue, dataConverter: sealedWorkerDataConverter(payloadKeys), workflowsPath: fileURLToPath(new URL('../../workflows/bench/bare-approval.ts', import.meta.url)) });
    const bareRunning = bareWorker.run();

    try {
      // Ad-hoc approvals, end to end.
      const signLatencies: number[] = [];
      const ids = Array.from({ length: n }, (_, i) => `bench-P-${id}-${i}`);
      const t0 = Date.now();
      await pool(ids, concurrency, async (proposalId) => {
        const input: ProposalApprovalInput = {
          proposalId, proposalRevision: 1, kind: 'AD_HOC', title: '基准测试', leadMinistry: 'NHC', proposer: { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] },
          fieldCodes: ['HEALTH'], itemCodes: ['HEA-01'], effectiveFrom: '2027-01-01', fiscalTotals: { totalFen: '1', centralFen: '1', localFen: '0' }, conflictsWith: [],
          changeSet: { changeSetId: `${proposalId}-cs`, changes: [] },
        };
        const handle = await temporal.client.workflow.start(workflowTypes.adHocRevision, { taskQueue, workflowId: proposalId, args: [input] });
        for (;;) {
          try { await handle.query(approvalStateQuery); break; } catch { await new Promise((r) => setTimeout(r, 20)); }
        }
        for (const [persona, stepId] of [['nhc-approver', 'countersign.lead'], ['ndrc-approver', 'countersign.ndrc'], ['mof-approver', 'countersign.mof'], ['final-approver', 'final.sco']] as const) {
          const s = performance.now();
          await unary(client.signOff.bind(client), { proposalId, stepId, position: Position.POSITION_APPROVE, comment: '' }, token[persona]);
          signLatencies.push(performance.now() - s);
        }
      });
      while (approvedAt.size < n && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
      const approvalSeconds = (Math.max(...approvedAt.values()) - t0) / 1000;

      // The bare baseline: the same number of workflows and updates, no rules, no activities, no gRPC.
      const bareLatencies: number[] = [];
      const b0 = Date.now();
      await pool(Array.from({ length: n }, (_, i) => `bench-bare-${id}-${i}`), concurrency, async (workflowId) => {
        const handle = await temporal.client.workflow.start('bareApproval', { taskQueue: bareQueue, workflowId, args: [4] });
        for (const who of ['nhc', 'ndrc', 'mof', 'sco']) {
          const s = performance.now();
          await handle.executeUpdate('bareSignOff', { args: [who] });
          bareLatencies.push(performance.now() - s);
        }
        await handle.result();
      });
      const bareSeconds = (Date.now() - b0) / 1000;

      const approvalsPerSecond = approvedAt.size / approvalSeconds;
      const barePerSecond = n / bareSeconds;
      return [
        { scenario: 'ad-hoc approval (inbox gRPC + workflow + outbox + Kafka)', completed: approvedAt.size, 'per second': approvalsPerSecond.toFixed(2), 'sign-off p50 ms': percentile(signLatencies, 50).toFixed(1), 'sign-off p99 ms': percentile(signLatencies, 99).toFixed(1) },
        { scenario: 'bare workflow, 4 updates (Temporal client)', completed: n, 'per second': barePerSecond.toFixed(2), 'sign-off p50 ms': percentile(bareLatencies, 50).toFixed(1), 'sign-off p99 ms': percentile(bareLatencies, 99).toFixed(1) },
        { scenario: 'ratio approval / bare', completed: '', 'per second': (approvalsPerSecond / barePerSecond).toFixed(2), 'sign-off p50 ms': (percentile(signLatencies, 50) / percentile(bareLatencies, 50)).toFixed(2), 'sign-off p99 ms': (percentile(signLatencies, 99) / percentile(bareLatencies, 99)).toFixed(2) },
      ];
    } finally {
      bareWorker.shutdown();
      await bareRunning;
      await connection.close();
      client.close();
      await consumer.stop();
      await app.stop();
      await temporal.close();
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  },
};
export default bench;
