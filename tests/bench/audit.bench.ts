// `npm run bench -- audit`: audit log append throughput (SHA-256 vs SM3), end-to-end Kafka -> log latency,
// chain verification speed, checkpoint signing (Ed25519 vs SM2), and growth: routine verification and traces
// at 1x and 10x history (BENCH_AUDIT_SIZES, default "1000,10000"), each against a raw findOne(_id) anchor
// (BENCH_AUDIT_ONLY=growth runs only those).
import { randomUUID } from 'node:crypto';
import { CheckpointStore } from '../../services/audit/adapters/mongo/checkpoints';
import { entryId, LogStore, type EntryDoc } from '../../services/audit/adapters/mongo/log-store';
import { TraceReader } from '../../services/audit/application/trace';
import { MongoVerificationAnchors } from '../../services/audit/adapters/mongo/verification-anchors';
import { verifyLog } from '../../services/audit/application/verify-log';
import { indexFieldsOf } from '../../services/audit/domain/derive';
import { entryHash, recordEvent } from '../../services/audit/domain/entry';
import { recordPlatformEvent } from '../../services/audit/application/record-event';
import { checkpointMessage, generatePrivateKey, loadSigningKey, signCheckpoint, verifySignature } from '../../services/audit/domain/signing';
import { verifyChain } from '../../services/audit/domain/verify';
import type { HashAlgorithm } from '../../services/audit/domain/hashing';
import { topicName, topics } from '../../services/shared/events/catalog';
import type { CloudEvent } from '../../services/shared/kafka/cloudevents';
import { EventProducer } from '../../services/shared/kafka/kafka';
import { createLogger } from '../../services/shared/log/logger';
import { connectMongo } from '../../services/shared/mongo/mongo';
import type { Bench, BenchRow } from './run';
import { testKafka } from '../support/kafka';
import { startPlatform } from '../support/platform';
import { waitUntil } from '../support/wait';

const logger = createLogger('bench', 'silent');
const name = (p: string) => `t-bench-${p}-${Date.now().toString(36)}`;

function event(i: number, proposalId = `P-${i % 10}`): CloudEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    type: 'bps.approval.step.signed',
    source: '/bps/approvals',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    key: proposalId,
    data: Buffer.from(
      JSON.stringify({
        step: { proposalId, workflowId: proposalId, stepId: 'mof', round: 1 },
        position: 'POSITION_APPROVE',
        comment: '同意',
        actor: { subject: 'mof.approver.sun', organisation: 'MOF', roles: ['approver'] },
      }),
    ),
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
      {
        case: `record event (4 logs: global, proposal, workflow, actor), ${algorithm}`,
        n: count,
        'events/s': Math.round((count / total) * 1000),
        'p50 ms': +percentile(latencies, 50).toFixed(1),
        'p95 ms': +percentile(latencies, 95).toFixed(1),
      },
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
  const p = await startPlatform('bench-audit', { services: ['audit'], overrides: { audit: { checkpointIntervalMs: 1_000 } } });
  const { audit: app, namespace } = p;
  const kafka = testKafka('approvals', 'bench-audit', endpoints.kafkaBrokers); // approvals events, as approvals
  const producer = new EventProducer(kafka);
  try {
    const events = Array.from({ length: count }, (_, i) => ({ ...event(i), topic: topicName(topics.approvals, namespace) }));
    const began = performance.now();
    await producer.publish(events);
    await waitUntil(async () => (await app.store.entries.countDocuments({ log: 'global' })) >= count, `${count} events in the global log`, 600_000, 100);
    const ms = performance.now() - began;
    return { case: 'Kafka -> audit logs (4 logs per event), end to end', n: count, 'events/s': Math.round((count / ms) * 1000), 'total ms': Math.round(ms) };
  } finally {
    await producer.disconnect();
    await p.stop();
  }
}

const PER_PROPOSAL = 10;
const APPENDED = 100;

/**
 * A history of `size` events written straight into the store (hashes computed as the service computes them):
 * the global log, and a log per proposal of PER_PROPOSAL events each.
 */
async function seedHistory(store: LogStore, size: number, firstSequence = 1): Promise<void> {
  const heads = new Map<string, { size: number; hash: string }>();
  const headOf = async (log: string) => heads.get(log) ?? (await store.head(log));
  let batch: EntryDoc[] = [];
  const flush = async () => {
    if (batch.length > 0) await store.entries.insertMany(batch, { ordered: false });
    batch = [];
  };
  for (let i = firstSequence; i < firstSequence + size; i++) {
    // Event i belongs to proposal P-⌈i/10⌉ in its content too, so a trace follows its own proposal's events (and
    // its workflow's), as a real trace does, rather than the same ten logs whatever the proposal asked.
    const proposalId = `P-${Math.ceil(i / PER_PROPOSAL)}`;
    const e = event(i, proposalId);
    const recorded = recordEvent({ ...e, key: e.key ?? '' });
    const proposalLog = `proposal:${proposalId}`;
    for (const log of ['global', proposalLog]) {
      const head = await headOf(log);
      const content = { log, sequence: head.size + 1, prevHash: head.hash, hashAlgorithm: 'sha256' as const, topic: topics.approvals, event: recorded };
      const hash = entryHash(content);
      batch.push({
        _id: entryId(log, content.sequence),
        ...content,
        eventId: recorded.id,
        hash,
        index: indexFieldsOf(recorded),
        globalSequence: i,
        recordedAt: new Date(),
      });
      heads.set(log, { size: content.sequence, hash });
    }
    if (batch.length >= 2_000) await flush();
  }
  await flush();
  for (const [log, head] of heads)
    await store.logs.updateOne(
      { _id: log },
      { $set: { size: head.size, headHash: head.hash, dirty: true, updatedAt: new Date() }, $inc: { version: 1 } },
      { upsert: true },
    );
}

async function timed<T>(n: number, f: (i: number) => Promise<T>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

/** At one history size: routine and full verification of the global log, proposal traces, and the raw anchor. */
async function growthAt(
  mongoUri: string,
  size: number,
): Promise<{ size: number; routineMs: number; fullMs: number; checked: number; trace: number[]; raw: number[] }> {
  const mongo = await connectMongo(mongoUri, name(`audit-growth-${size}`));
  try {
    const store = new LogStore(mongo.db, 'sha256');
    await store.init();
    const key = loadSigningKey('ed25519', generatePrivateKey('ed25519'));
    const checkpoints = new CheckpointStore(mongo.db, store, key, { hashAlgorithm: 'sha256', topicNamespace: 'bench', logger });
    await checkpoints.init();
    const anchors = new MongoVerificationAnchors(mongo.db);
    const ports = { chain: store, checkpoints, anchors, trustedKeys: async () => new Map([[key.keyId, key]]), now: () => new Date() };
    await seedHistory(store, size);
    await checkpoints.checkpointHead('global');
    const full = performance.now();
    const first = await verifyLog(ports, { log: 'global', given: [], full: true }); // also leaves the anchor
    const fullMs = performance.now() - full;
    if (!first.ok) throw new Error('seeded history did not verify');
    await seedHistory(store, APPENDED, size + 1); // what happened since
    const routine = performance.now();
    const next = await verifyLog(ports, { log: 'global', given: [], full: false });
    const routineMs = performance.now() - routine;
    if (!next.ok || next.anchor === undefined) throw new Error('routine verification did not start at the anchor');
    const traces = new TraceReader(store, checkpoints, async () => new Map([[key.keyId, key]]));
    const proposals = Math.floor(size / PER_PROPOSAL);
    const trace = await timed(50, async (i) => {
      const { steps } = await traces.trace({ kind: 'proposal', proposalId: `P-${1 + ((i * 7919) % proposals)}` });
      if (steps.length !== PER_PROPOSAL) throw new Error(`a proposal's trace has ${steps.length} steps, not ${PER_PROPOSAL}`);
    });
    const raw = await timed(50, (i) => store.entries.findOne({ _id: entryId('global', 1 + ((i * 7919) % size)) }));
    return { size, routineMs, fullMs, checked: next.entriesChecked, trace, raw };
  } finally {
    await mongo.db.dropDatabase();
    await mongo.close();
  }
}

async function growthRows(mongoUri: string): Promise<BenchRow[]> {
  const sizes = (process.env['BENCH_AUDIT_SIZES'] ?? '1000,10000').split(',').map(Number);
  const results = [];
  for (const size of sizes) results.push(await growthAt(mongoUri, size));
  const base = results[0]!;
  const rows: BenchRow[] = [];
  for (const r of results) {
    const rawP99 = percentile(r.raw, 99);
    rows.push(
      {
        case: `routine verify after ${APPENDED} new entries (global log)`,
        n: r.size,
        'service ms': Math.round(r.routineMs),
        'entries re-hashed': r.checked,
        'growth vs smallest': +(r.routineMs / base.routineMs).toFixed(2),
      },
      {
        case: 'full verify (global log, every entry)',
        n: r.size,
        'service ms': Math.round(r.fullMs),
        'entries re-hashed': r.size,
        'growth vs smallest': +(r.fullMs / base.fullMs).toFixed(2),
      },
      {
        case: `trace a proposal (${PER_PROPOSAL} events) vs raw findOne(_id)`,
        n: r.size,
        'service p50 ms': +percentile(r.trace, 50).toFixed(1),
        'service p99 ms': +percentile(r.trace, 99).toFixed(1),
        'anchor p99 ms': +rawP99.toFixed(1),
        ratio: +(percentile(r.trace, 99) / rawP99).toFixed(2),
        'growth vs smallest': +(percentile(r.trace, 99) / percentile(base.trace, 99)).toFixed(2),
      },
    );
  }
  return rows;
}

const bench: Bench = {
  title: 'Audit: hash-chained log appends, verification, checkpoint signatures',
  async run(endpoints) {
    if (process.env['BENCH_AUDIT_ONLY'] === 'growth') return growthRows(endpoints.mongoUri);
    return [
      ...(await appendRows(endpoints.mongoUri, 'sha256', 100)),
      ...(await appendRows(endpoints.mongoUri, 'sm3', 100)),
      ...signingRows(20),
      await endToEnd(endpoints, 100),
      ...(await growthRows(endpoints.mongoUri)),
    ];
  },
};

export default bench;
