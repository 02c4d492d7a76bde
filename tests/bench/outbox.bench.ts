// The outbox relay with a long history already relayed: hop latency from the write (the event stored with its
// state change, `Outbox.append`) to the event's arrival at a Kafka consumer, next to a bare kafkajs produce of the
// same message to the same consumer in the same run; then what an idle minute costs — CPU seconds of the database
// processes (FerretDB, and PostgreSQL with its backends) and of this process (the relay) — next to the relay of
// before (an unsent-entry query on the event collection every 200 ms), at 1x and 10x history.
//
// Size: BENCH_OUTBOX_HISTORY (default 10,000; the 10x run adds 9x more), BENCH_OUTBOX_SAMPLES (default 100),
// BENCH_OUTBOX_IDLE_S (default 60), BENCH_OUTBOX_BURST (default 100); with MONGODB_URI, BENCH_OUTBOX_DB_PIDS names
// the database processes. `npm run bench -- outbox`. The 1,000,000 (BENCH_OUTBOX_HISTORY=100000) loads in
// about 2 min on the 2-core dev machine (FerretDB on PostgreSQL) and runs about 12 min in all; the growth ratio
// between 1x and 10x is the figure that says whether cost grows.
import { randomBytes } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { ObjectId } from 'mongodb';
import { defineEvent } from '../../services/shared/events/catalog';
import { ensureTopics, EventProducer, newEvent } from '../../services/shared/kafka/kafka';
import { toKafkaMessage } from '../../services/shared/kafka/cloudevents';
import { createLogger } from '../../services/shared/log/logger';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { Outbox, OutboxRelay, SWEPT_COLLECTION, toOutboxFields } from '../../services/shared/mongo/outbox';
import { DateMessage as ProtoDate } from '../../proto/gen/bps/common/v1/common';
import { adminKafka } from '../support/kafka';
import { databaseCpu } from './cpu';
import type { Bench, BenchRow } from './run';

const HISTORY = Number(process.env['BENCH_OUTBOX_HISTORY'] ?? 10_000);
const SAMPLES = Number(process.env['BENCH_OUTBOX_SAMPLES'] ?? 100);
const IDLE_S = Number(process.env['BENCH_OUTBOX_IDLE_S'] ?? 60);
const BURST = Number(process.env['BENCH_OUTBOX_BURST'] ?? 100);
const Recorded = defineEvent('bps.bench.date.recorded', 'unused', 'bps.common.v1.Date', ProtoDate);
const logger = createLogger('bench-outbox', 'warn');
const unique = (p: string): string => `bench-${p}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 2): number => +n.toFixed(digits);

/** Arrival times by ce_id, and a way to wait for one. */
class Arrivals {
  private readonly times = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();
  record(id: string, at: number): void {
    this.times.set(id, at);
    this.waiters.get(id)?.(at);
  }
  wait(id: string, timeoutMs = 30_000): Promise<number> {
    const known = this.times.get(id);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`event ${id} did not arrive within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(id, (t) => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(t);
      });
    });
  }
}

/** CPU seconds of the database processes and of this process over an idle window. */
async function idleCost(seconds: number): Promise<{ database: number; process: number }> {
  const db = databaseCpu();
  const dbBefore = db();
  const before = process.cpuUsage();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  return { database: round(db() - dbBefore), process: round((used.user + used.system) / 1e6) };
}

const bench: Bench = {
  title: `Outbox relay: hop latency and idle cost with ${HISTORY.toLocaleString('en')} and ${(HISTORY * 10).toLocaleString('en')} events already relayed`,
  async run(endpoints) {
    const kafka = adminKafka('bench-outbox', endpoints.kafkaBrokers);
    let topic = '';
    const dbName = `bench_outbox_${Date.now().toString(36)}`;
    const mongo = await connectMongo(endpoints.mongoUri, dbName);
    const outbox = new Outbox(mongo.db);
    await outbox.init();
    const relayProducer = new EventProducer(kafka);
    const raw: Producer = kafka.producer();
    await raw.connect();
    const arrivals = new Arrivals();
    let consumer: Consumer | undefined;
    const listen = async (): Promise<void> => {
      topic = unique('outbox'); // a fresh topic per size, read from its beginning
      await ensureTopics(kafka, [topic], 1);
      consumer = kafka.consumer({ groupId: unique('g') });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const joined = new Promise<void>((resolve) => consumer!.on(consumer!.events.GROUP_JOIN, () => resolve()));
      await consumer.run({
        eachMessage: async ({ message }) => {
          arrivals.record(message.headers?.['ce_id']?.toString() ?? '', Date.now());
        },
      });
      await joined;
      // Connections warm: one message through before measuring.
      const probe = event(0);
      await raw.send({ topic, acks: -1, messages: [toKafkaMessage(probe)] });
      await arrivals.wait(probe.id);
    };
    const event = (i: number) => ({
      ...newEvent(Recorded, { year: 2026, month: 1 + (i % 12), day: 1 + (i % 28) }, { source: '/bps/bench', key: `K-${i % 97}` }),
      topic,
    });

    type Result = {
      size: number;
      anchor: number[];
      service: number[];
      sweepMs: number;
      burstAnchor: number;
      burstService: number;
      burstMarked: number;
      idleNew: { database: number; process: number };
      idleOld: { database: number; process: number };
    };
    const results: Result[] = [];
    let loaded = 0;
    try {
      for (const size of [HISTORY, HISTORY * 10]) {
        // ---- history: `size` events already relayed, as the relay leaves them
        const loadStart = performance.now();
        const sent = new Date();
        for (let i = loaded; i < size; i += 1000) {
          const docs = Array.from({ length: Math.min(1000, size - i) }, (_, k) => {
            const fields = toOutboxFields(event(i + k));
            return { _id: new ObjectId(), outbox: { ...fields.outbox, sentAt: sent } };
          });
          await outbox.collection.insertMany(docs);
        }
        loaded = size;
        console.log(`outbox history ${size}: loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

        await listen();
        // As a relay of today leaves a collection: its one whole read (entries from before the `outboxUnsent` flag)
        // done long ago; the start-up sweep reads the flagged (unsent) entries only.
        await mongo.db
          .collection<{ _id: string; at: Date }>(SWEPT_COLLECTION)
          .updateOne({ _id: outbox.collection.collectionName }, { $set: { at: new Date() } }, { upsert: true });
        const relay = new OutboxRelay([outbox.collection], relayProducer, logger);
        const sweepStart = performance.now();
        relay.start(); // the start-up sweep
        await relay.settled();
        const sweepMs = performance.now() - sweepStart;

        // ---- hop latency: raw produce (anchor) and outbox write → relay → Kafka (service), alternating
        const anchor: number[] = [];
        const service: number[] = [];
        for (let i = 0; i < 5 + SAMPLES; i++) {
          const a = event(i);
          const ta = Date.now();
          await raw.send({ topic, acks: -1, messages: [toKafkaMessage(a)] });
          const la = (await arrivals.wait(a.id)) - ta;
          const s = event(i);
          const ts = Date.now();
          await outbox.append([s]);
          const ls = (await arrivals.wait(s.id)) - ts;
          await relay.settled(); // events spaced like independent writes: the mark of the last one is done
          if (i >= 5) {
            anchor.push(la);
            service.push(ls);
          } // the first five warm up connections
        }
        // ---- a burst: BURST events in one write, until the last is on Kafka, and until all are marked sent
        const burstRaw = Array.from({ length: BURST }, (_, i) => event(i));
        const tr = Date.now();
        await raw.send({ topic, acks: -1, messages: burstRaw.map((e) => toKafkaMessage(e)) });
        const burstAnchor = Math.max(...(await Promise.all(burstRaw.map((e) => arrivals.wait(e.id))))) - tr;
        const burst = Array.from({ length: BURST }, (_, i) => event(i));
        const tb = Date.now();
        await outbox.append(burst);
        const burstService = Math.max(...(await Promise.all(burst.map((e) => arrivals.wait(e.id, 300_000))))) - tb;
        await relay.settled();
        const burstMarked = Date.now() - tb;
        await consumer?.disconnect();
        consumer = undefined;

        // ---- an idle minute: the relay of now, then the query the relay of before ran every 200 ms
        await sleep(2000);
        const idleNew = await idleCost(IDLE_S);
        await relay.stop();
        let polling = true;
        const legacy = (async () => {
          while (polling) {
            await outbox.collection
              .find({ 'outbox.sentAt': null, 'outbox.setAsideAt': { $exists: false } })
              .sort({ _id: 1 })
              .limit(100)
              .toArray();
            await sleep(200);
          }
        })();
        const idleOld = await idleCost(IDLE_S);
        polling = false;
        await legacy;
        anchor.sort((x, y) => x - y);
        service.sort((x, y) => x - y);
        results.push({ size, anchor, service, sweepMs, burstAnchor, burstService, burstMarked, idleNew, idleOld });
        console.log(
          `outbox history ${size}: hop p50 ${percentile(service, 50)} ms (anchor ${percentile(anchor, 50)} ms), idle db ${idleNew.database} s vs ${idleOld.database} s before`,
        );
      }
    } finally {
      await consumer?.disconnect().catch(() => undefined);
      await raw.disconnect();
      await relayProducer.disconnect();
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
    }

    const rows: BenchRow[] = [];
    const [one, ten] = results as [Result, Result];
    const growth = (f: (r: Result) => number, r: Result): string => {
      if (r !== ten) return '';
      return f(one) === 0 ? `${f(one)} → ${f(ten)}` : round(f(ten) / f(one)).toString();
    };
    for (const r of results) {
      for (const p of [50, 99]) {
        const svc = (x: Result): number => percentile(x.service, p);
        rows.push({
          row: `hop latency p${p} (ms)`,
          history: r.size,
          anchor: percentile(r.anchor, p),
          service: svc(r),
          ratio: round(svc(r) / Math.max(1, percentile(r.anchor, p))),
          growth: growth(svc, r),
        });
      }
    }
    for (const r of results) {
      rows.push({
        row: `idle ${IDLE_S} s: database CPU s (anchor = relay before)`,
        history: r.size,
        anchor: r.idleOld.database,
        service: r.idleNew.database,
        ratio: round(r.idleNew.database / r.idleOld.database, 3),
        growth: growth((x) => x.idleNew.database, r),
      });
      rows.push({
        row: `idle ${IDLE_S} s: relay process CPU s (anchor = relay before)`,
        history: r.size,
        anchor: r.idleOld.process,
        service: r.idleNew.process,
        ratio: round(r.idleNew.process / r.idleOld.process, 3),
        growth: growth((x) => x.idleNew.process, r),
      });
    }
    for (const r of results) {
      rows.push({
        row: `burst of ${BURST} in one write: last on Kafka (ms)`,
        history: r.size,
        anchor: r.burstAnchor,
        service: r.burstService,
        ratio: round(r.burstService / Math.max(1, r.burstAnchor)),
        growth: growth((x) => x.burstService, r),
      });
      rows.push({
        row: `burst of ${BURST}: all marked sent (ms)`,
        history: r.size,
        anchor: '',
        service: r.burstMarked,
        ratio: '',
        growth: growth((x) => x.burstMarked, r),
      });
    }
    for (const r of results)
      rows.push({
        row: 'relay start-up sweep (ms, once per start)',
        history: r.size,
        anchor: '',
        service: Math.round(r.sweepMs),
        ratio: '',
        growth: growth((x) => x.sweepMs, r),
      });
    return rows;
  },
};

export default bench;
