// `npm run bench -- audit`: audit log append throughput (SHA-256 vs SM3), end-to-end Kafka -> log latency,
// chain verification speed, and checkpoint signing (Ed25519 vs SM2).
import { randomUUID } from 'node:crypto';
import { LogStore } from '../../services/audit/adapters/log-store';
import { recordPlatformEvent } from '../../services/audit/adapters/consumer';
import { startAudit } from '../../services/audit/app';
import { checkpointMessage, generatePrivateKey, loadSigningKey, signCheckpoint, verifySignature } from '../../services/audit/domain/signing';
import { verifyChain } from '../../services/audit/domain/verify';
import type { HashAlgorithm } from '../../services/audit/domain/hashing';
import { testVerifier } from '../support/identity';
import { topicName, topics } from '../../services/shared/events/catalog';
import type { CloudEvent } from '../../services/shared/kafka/cloudevents';
import { EventProducer } from '../../services/shared/kafka/kafka';
import { createLogger } from '../../services/shared/log/logger';
import { connectMongo } from '../../services/shared/mongo/mongo';
import type { Bench, BenchRow } from './run';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';
import { decisionVerifyingDeps } from '../support/decisions';

const logger = createLogger('bench', 'silent');
const name = (p: string) => `t-bench-${p}-${Date.now().toString(36)}`;

function event(i: number): CloudEvent {
  const proposalId = `P-${i % 10}`;
  return {
    specversion: '1.0', id: randomUUID(), type: 'bps.approval.step.signed', source: '/bps/approvals', time: new Date().toISOString(),
    datacontenttype: 'application/json', key: proposalId,
    data: Buffer.from(JSON.stringify({ step: { proposalId, workflowId: proposalId, stepId: 'mof', round: 1 }, position: 'POSITION_APPROVE', comment: '同意', actor: { subject: 'mof.approver.sun', organisation: 'MOF', roles: ['approver'] } })),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function appendRows(mongoUri: string, algorithm: HashAlgorithm, count: number): Promise<BenchRow[]> {
  const mongo = await connectMongo(mongoUri, name(`audit-${algorithm}`));
  try {
    const store = new LogStore(mongo.db, algorithm);
    await store.init();
    const latencies: number[] = [];
    const began = performance.now();
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await recordPlatformEvent(store, topics.approvals, event(i)); // global + proposal + workflow + actor logs
      latencies.push(performance.now() - t);
    }
    const total = performance.now() - began;
    latencies.sort((a, b) => a - b);
    const t = performance.now();
    const chain = verifyChain('global', await store.read('global'));
    const verifyMs = performance.now() - t;
    if (chain.mismatch) throw new Error('chain did not verify');
    return [
      { case: `record event (4 logs: global, proposal, workflow, actor), ${algorithm}`, n: count, 'events/s': Math.round((count / total) * 1000), 'p50 ms': +percentile(latencies, 50).toFixed(1), 'p95 ms': +percentile(latencies, 95).toFixed(1) },
      { case: `read + verify global log, ${algorithm}`, n: count, 'entries/s': Math.round((count / verifyMs) * 1000), 'total ms': Math.round(verifyMs) },
    ];
  } finally {
    await mongo.db.dropDatabase();
    await mongo.close();
  }
}

function signingRows(count: number): BenchRow[] {
  return (['ed25519', 'sm2'] as const).map((algorithm) => {
    const key = loadSigningKey(algorithm, generatePrivateKey(algorithm));
    const t = performance.now();
    for (let i = 0; i < count; i++) {
      const cp = signCheckpoint(key, { log: 'global', size: i, headHash: 'ab'.repeat(32), hashAlgorithm: 'sha256', time: new Date().toISOString() });
      if (!verifySignature(key, checkpointMessage(cp), cp.signature)) throw new Error('signature did not verify');
    }
    const ms = performance.now() - t;
    return { case: `sign + verify checkpoint, ${algorithm}`, n: count, 'ops/s': Math.round((count / ms) * 1000), 'ms/op': +(ms / count).toFixed(2) };
  });
}

async function endToEnd(endpoints: { kafkaBrokers: string; mongoUri: string }, count: number): Promise<BenchRow> {
  const namespace = name('audit');
  const app = await startAudit({ ...decisionVerifyingDeps(), 
    mongoUri: endpoints.mongoUri, dbName: namespace, kafkaBrokers: endpoints.kafkaBrokers, kafkaCredentials: kafkaCredentials('audit'), topicNamespace: namespace, grpcPort: 0,
    tokens: testVerifier(), logger, environment: 'test',
    hashAlgorithm: 'sha256', signatureAlgorithm: 'ed25519', checkpointIntervalMs: 1_000, consumerGroup: testGroup('audit', namespace),
  });
  const kafka = testKafka('approvals', 'bench-audit', endpoints.kafkaBrokers); // approvals events, as approvals
  const producer = new EventProducer(kafka);
  try {
    const events = Array.from({ length: count }, (_, i) => ({ ...event(i), topic: topicName(topics.approvals, namespace) }));
    const began = performance.now();
    await producer.publish(events);
    while ((await app.store.entries.countDocuments({ log: 'global' })) < count) await new Promise((r) => setTimeout(r, 100));
    const ms = performance.now() - began;
    return { case: 'Kafka -> audit logs (4 logs per event), end to end', n: count, 'events/s': Math.round((count / ms) * 1000), 'total ms': Math.round(ms) };
  } finally {
    await producer.disconnect();
    await app.stop();
    const mongo = await connectMongo(endpoints.mongoUri, namespace);
    await mongo.db.dropDatabase();
    await mongo.close();
  }
}

const bench: Bench = {
  title: 'Audit: hash-chained log appends, verification, checkpoint signatures',
  async run(endpoints) {
    return [
      ...(await appendRows(endpoints.mongoUri, 'sha256', 100)),
      ...(await appendRows(endpoints.mongoUri, 'sm3', 100)),
      ...signingRows(20),
      await endToEnd(endpoints, 100),
    ];
  },
};

export default bench;
