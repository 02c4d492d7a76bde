// The outbox relay against real MongoDB protocol + Kafka: an event written with its state change while no relay
// ran (the process "died" before the Kafka send) is published by the next relay, and a re-send after a crash
// between send and mark reaches the consumer's handler exactly once. A write wakes the relay at once (the poll is
// only a safety net), and an idle relay reads only the pending markers, never the event collections.
import { MongoClient, ObjectId, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics, EventProducer, newEvent, ProcessedEvents } from '../../services/shared/kafka/kafka';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { markPending, Outbox, OutboxRelay, PENDING_COLLECTION, SWEPT_COLLECTION, toOutboxFields } from '../../services/shared/mongo/outbox';
import { behindFerretDbOnPostgres, rowsRead } from '../support/pg-stats';
import { defineEvent } from '../../services/shared/events/catalog';
import { DateMessage as ProtoDate } from '../../proto/gen/bps/common/v1/common';
import { stack, testLogger } from '../support/stack';
import { startConsumer } from '../support/collector';
import { adminKafka } from '../support/kafka';
import { uniqueName } from '../support/names';

const Recorded = defineEvent('bps.test.date.recorded', 'unused', 'bps.common.v1.Date', ProtoDate);

describe('outbox relay', () => {
  let mongo: MongoHandle;
  const kafka = adminKafka('test-outbox'); // a topic outside the platform's families
  const producer = new EventProducer(kafka);

  beforeAll(async () => {
    mongo = await connectMongo(stack().mongoUri, uniqueName('outbox'));
  });
  afterAll(async () => {
    await producer.disconnect();
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('publishes what was written while no relay ran, and a crash-induced re-send is handled once', async () => {
    const topic = uniqueName('outbox');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db);
    await outbox.init();

    // The "process" writes its state change + event, then dies before any relay pass.
    const events = [1, 2, 3].map((day) => ({ ...newEvent(Recorded, { year: 2026, month: 3, day }, { source: '/bps/test', key: 'EDU-01' }), topic }));
    await outbox.append(events);
    expect(await outbox.collection.countDocuments({ 'outbox.sentAt': null })).toBe(3);

    // Crash between Kafka send and "mark sent": the first event already went out once.
    await producer.publish([events[0]!]);

    const handled: string[] = [];
    const consumer = await startConsumer({
      kafka,
      topics: [topic],
      groupId: uniqueName('group'),
      processed: new ProcessedEvents(mongo.db),
      logger: testLogger,
      handler: async (e) => {
        handled.push(e.id);
      },
    });

    // A new process starts its relay.
    const relay = new OutboxRelay([outbox.collection], producer, testLogger, { pollMs: 50 });
    relay.start();
    await expect.poll(() => handled.length, { timeout: 20_000 }).toBe(3);
    await relay.stop();
    expect(handled).toEqual(events.map((e) => e.id)); // in order, each once
    expect(await outbox.collection.countDocuments({ 'outbox.sentAt': null })).toBe(0);

    // Nothing more arrives: a marker sent after everything (one partition) is handled right after the three.
    const end = marker(topic);
    await producer.publish([end]);
    await expect.poll(() => handled.includes(end.id), { timeout: 20_000 }).toBe(true);
    expect(handled).toEqual([...events.map((e) => e.id), end.id]);
    await consumer.stop();
  });

  /** A last event on a (one-partition) topic: once it is read, everything sent before it has been read. */
  const marker = (topic: string) => ({ ...newEvent(Recorded, { year: 2026, month: 12, day: 31 }, { source: '/bps/test', key: 'marker' }), topic });

  /**
   * Every message on a topic up to now, duplicates included (no ce_id dedupe), as ce_ids in offset order: once at
   * least `expected` arrived (a relay may still be sending), a marker is sent behind them and read.
   */
  async function rawMessages(topic: string, expected = 0): Promise<string[]> {
    const end = marker(topic);
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('raw') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.headers?.['ce_id']?.toString() ?? '');
      },
    });
    try {
      await expect.poll(() => seen.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(expected);
      await producer.publish([end]);
      await expect.poll(() => seen.includes(end.id), { timeout: 20_000 }).toBe(true);
      return seen.filter((id) => id !== end.id);
    } finally {
      await consumer.disconnect();
    }
  }

  it('does not send a batch again when marking it sent failed once', async () => {
    const topic = uniqueName('outbox-mark');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db, uniqueName('outbox_mark'));
    await outbox.init();
    const events = [1, 2].map((day) => ({ ...newEvent(Recorded, { year: 2026, month: 4, day }, { source: '/bps/test', key: 'EDU-02' }), topic }));
    await outbox.append(events);
    // The database refuses the first "mark sent" (after Kafka acknowledged the batch), then recovers.
    let failures = 1;
    const flaky = new Proxy(outbox.collection, {
      get(target, property, receiver) {
        if ((property === 'updateMany' || property === 'updateOne') && failures > 0) {
          failures -= 1;
          return async () => {
            throw new Error('simulated database hiccup');
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const relay = new OutboxRelay([flaky], producer, testLogger);
    await expect(relay.relayOnce()).rejects.toThrow(/simulated database hiccup/);
    expect(await relay.relayOnce()).toBe(0); // marks what Kafka already has, sends nothing
    expect(await outbox.collection.countDocuments({ 'outbox.sentAt': null })).toBe(0);
    expect(await rawMessages(topic)).toEqual(events.map((e) => e.id)); // each exactly once on the wire
  });

  it('sets aside an event Kafka can never take, and keeps relaying the ones after it', async () => {
    const topic = uniqueName('outbox-large');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db, uniqueName('outbox_large'));
    await outbox.init();
    const small = (day: number) => ({ ...newEvent(Recorded, { year: 2026, month: 5, day }, { source: '/bps/test', key: 'EDU-03' }), topic });
    const huge = { ...small(2), data: Buffer.from(JSON.stringify({ year: 2026, month: 5, day: 2, padding: 'x'.repeat(1_200_000) })) };
    const events = [small(1), huge, small(3)];
    await outbox.append(events);
    const relay = new OutboxRelay([outbox.collection], producer, testLogger);
    expect(await relay.relayOnce()).toBe(2);
    expect(await rawMessages(topic)).toEqual([events[0]!.id, events[2]!.id]);
    const setAside = await outbox.collection.find({ 'outbox.setAsideAt': { $exists: true } }).toArray();
    expect(setAside.map((d) => [d.outbox.event.id, d.outbox.sentAt])).toEqual([[huge.id, null]]);
    expect(setAside[0]!.outbox.setAsideReason).toMatch(/EVENT_TOO_LARGE|bytes; Kafka takes at most/);
    expect(await relay.relayOnce()).toBe(0); // nothing left to send, nothing blocked
  });

  /** Arrival time (ms since epoch) of each message on a topic, read from the beginning. */
  async function arrivals(topic: string): Promise<{ times: Map<string, number>; stop: () => Promise<void> }> {
    const times = new Map<string, number>();
    const consumer = kafka.consumer({ groupId: uniqueName('arrivals') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        times.set(message.headers?.['ce_id']?.toString() ?? '', Date.now());
      },
    });
    await joined;
    return { times, stop: () => consumer.disconnect() };
  }

  it('is woken by a write in its process: the event is on Kafka long before the safety poll', async () => {
    const topic = uniqueName('outbox-wake');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db, uniqueName('outbox_wake'));
    await outbox.init();
    const relay = new OutboxRelay([outbox.collection], producer, testLogger, { pollMs: 60_000 });
    relay.start();
    const seen = await arrivals(topic);
    try {
      await relay.settled(); // the start-up pass is over; the next poll is a minute away
      const latencies: number[] = [];
      for (const day of [1, 2, 3]) {
        const event = { ...newEvent(Recorded, { year: 2026, month: 6, day }, { source: '/bps/test', key: 'EDU-04' }), topic };
        const written = Date.now();
        await outbox.append([event]);
        await expect.poll(() => seen.times.has(event.id), { timeout: 10_000, interval: 5 }).toBe(true);
        latencies.push(seen.times.get(event.id)! - written);
      }
      expect(Math.max(...latencies)).toBeLessThan(3_000);
      await relay.settled(); // the "sent" mark follows Kafka's acknowledgement
      expect(await outbox.collection.countDocuments({ 'outbox.sentAt': null })).toBe(0);
    } finally {
      await relay.stop();
      await seen.stop();
    }
  });

  it('reads only its small pending-marker collection while idle, whatever the history', async () => {
    const topic = uniqueName('outbox-idle');
    await ensureTopics(kafka, [topic], 1);
    const name = uniqueName('outbox_idle');
    const outbox = new Outbox(mongo.db, name);
    await outbox.init();
    const history = Array.from({ length: 300 }, (_, i) => ({
      ...newEvent(Recorded, { year: 2026, month: 7, day: 1 + (i % 28) }, { source: '/bps/test', key: `EDU-${i}` }),
      topic,
    }));
    for (let i = 0; i < history.length; i += 100) await outbox.append(history.slice(i, i + 100));
    // A client of its own that records every command the relay sends.
    const monitored = new MongoClient(stack().mongoUri, { monitorCommands: true });
    await monitored.connect();
    const commands: CommandStartedEvent[] = [];
    monitored.on('commandStarted', (e) => commands.push(e));
    const relay = new OutboxRelay([monitored.db(mongo.db.databaseName).collection(name)], producer, testLogger, { pollMs: 100 });
    try {
      relay.start();
      await expect.poll(() => outbox.collection.countDocuments({ 'outbox.sentAt': null }), { timeout: 60_000 }).toBe(0);
      await relay.settled();
      commands.length = 0;
      // Idle: at least five safety polls.
      await expect.poll(() => commands.filter((c) => c.commandName === 'find').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5);
      const touched = commands.map((c) => `${c.commandName} ${String(c.command[c.commandName])}`);
      expect(new Set(touched)).toEqual(new Set([`find ${PENDING_COLLECTION}`]));
      expect(await mongo.db.collection(PENDING_COLLECTION).countDocuments({ c: name })).toBe(0);
    } finally {
      await relay.stop();
      await monitored.close();
    }
  });

  it('a sweep reads only the unsent entries, not the history (FerretDB on PostgreSQL: rows read)', async (ctx) => {
    const topic = uniqueName('outbox-sweep-flag');
    await ensureTopics(kafka, [topic], 1);
    const name = `sweepflag_${Date.now().toString(36)}`;
    const outbox = new Outbox(mongo.db, name);
    await outbox.init();
    if (!(await behindFerretDbOnPostgres(mongo.db, name))) ctx.skip(); // MongoDB: the index on the flag does the same
    // 3,000 entries already relayed, as the relay leaves them, and two whose writer died before their marker.
    const at = (i: number) => ({ ...newEvent(Recorded, { year: 2026, month: 9, day: 1 + (i % 28) }, { source: '/bps/test', key: `EDU-${i}` }), topic });
    const sentAt = new Date();
    for (let i = 0; i < 3_000; i += 1_000) {
      await outbox.collection.insertMany(
        Array.from({ length: 1_000 }, (_, k) => {
          const { outboxUnsent: _flag, outbox: fields } = toOutboxFields(at(i + k));
          return { _id: new ObjectId(), outbox: { ...fields, sentAt } };
        }),
      );
    }
    const lost = [at(3_000), at(3_001)];
    await outbox.collection.insertMany(lost.map((e) => ({ _id: new ObjectId(), ...toOutboxFields(e) })));
    // The collection's one whole read, for entries from before the flag, is behind it.
    await mongo.db.collection<{ _id: string; at: Date }>(SWEPT_COLLECTION).insertOne({ _id: name, at: new Date() });
    const rows = await rowsRead(mongo.db.databaseName, name);
    try {
      const before = await rows.settled();
      const relay = new OutboxRelay([outbox.collection], producer, testLogger);
      expect(await relay.relayOnce()).toBe(2); // a new relay's first pass sweeps
      expect(await rawMessages(topic)).toEqual(lost.map((e) => e.id));
      const read = (await rows.settled()) - before;
      // The two entries, their "not yet sent" checks and "sent" marks. Reading the history would be 3,000 at least.
      expect(read).toBeLessThan(100);
    } finally {
      await rows.close();
    }
  }, 120_000);

  it("finds a collection's entries written before the flag existed, in its first sweep", async () => {
    const topic = uniqueName('outbox-sweep-old');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db, uniqueName('outbox_sweep_old'));
    await outbox.init();
    const event = { ...newEvent(Recorded, { year: 2026, month: 9, day: 2 }, { source: '/bps/test', key: 'EDU-06' }), topic };
    const { outboxUnsent: _flag, ...before } = toOutboxFields(event); // as written before the flag, and no marker
    await outbox.collection.insertOne(before as never);
    expect(await new OutboxRelay([outbox.collection], producer, testLogger).relayOnce()).toBe(1);
    expect(await rawMessages(topic)).toEqual([event.id]);
    expect(await mongo.db.collection(SWEPT_COLLECTION).countDocuments({ _id: outbox.collection.collectionName as never })).toBe(1);
    expect(await outbox.collection.countDocuments({ outboxUnsent: true })).toBe(0);
  });

  it('publishes an entry whose pending marker was never written (the writer died between its two writes)', async () => {
    const topic = uniqueName('outbox-sweep');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db, uniqueName('outbox_sweep'));
    await outbox.init();
    const event = { ...newEvent(Recorded, { year: 2026, month: 8, day: 1 }, { source: '/bps/test', key: 'EDU-05' }), topic };
    await outbox.collection.insertOne(toOutboxFields(event) as never); // the state change, and no marker
    const relay = new OutboxRelay([outbox.collection], producer, testLogger);
    expect(await relay.relayOnce()).toBe(1); // a new relay's first pass sweeps for unmarked entries
    expect(await rawMessages(topic)).toEqual([event.id]);
    expect(await relay.relayOnce()).toBe(0);
  });

  it('does not publish again an entry whose writer recorded its marker after a sweep had sent it (issue #19)', async () => {
    const topic = uniqueName('outbox-late-marker');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db, uniqueName('outbox_late'));
    await outbox.init();
    const event = { ...newEvent(Recorded, { year: 2026, month: 9, day: 1 }, { source: '/bps/test', key: 'EDU-06' }), topic };
    const doc = { _id: event.id, ...toOutboxFields(event) };
    await outbox.collection.insertOne(doc as never); // the writer stored its entry ...
    const relay = new OutboxRelay([outbox.collection], producer, testLogger);
    expect(await relay.relayOnce()).toBe(1); // ... a starting relay's sweep found it and sent it ...
    await markPending(outbox.collection, [doc]); // ... and only now the writer records its marker
    expect(await relay.relayOnce()).toBe(0);
    expect(await rawMessages(topic)).toEqual([event.id]);
    expect(await mongo.db.collection(PENDING_COLLECTION).countDocuments({ _id: { $in: [`${outbox.collection.collectionName}|s:${event.id}`] } } as never)).toBe(
      0,
    );
  });

  it('puts each of many quickly written events on the topic exactly once, under wake-ups, polls, sweeps and a relay restart', async () => {
    const topic = uniqueName('outbox-once');
    await ensureTopics(kafka, [topic], 1);
    const outbox = new Outbox(mongo.db, uniqueName('outbox_once'));
    await outbox.init();
    // A marker write that fails (as under a database hiccup) makes the relays of the database sweep.
    const failingMarkers = new Proxy(outbox.collection, {
      get: (target, property, receiver) => (property === 'client' ? undefined : (Reflect.get(target, property, receiver) as unknown)),
    });
    let relay = new OutboxRelay([outbox.collection], producer, testLogger, { pollMs: 5, batchSize: 7 });
    relay.start();
    const ids: string[] = [];
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < 12; i++) {
        const event = { ...newEvent(Recorded, { year: 2026, month: 10, day: 1 + i }, { source: '/bps/test', key: `EDU-W${w}` }), topic };
        ids.push(event.id);
        const doc = { _id: event.id, ...toOutboxFields(event) };
        await outbox.collection.insertOne(doc as never);
        await new Promise((r) => setTimeout(r, ((w * 7 + i * 13) % 10) * 40)); // the window between a write and its marker
        await markPending(i % 5 === 4 ? failingMarkers : outbox.collection, [doc]);
      }
    };
    const writers = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    await new Promise((r) => setTimeout(r, 150));
    await relay.stop(); // a restart: the new relay sweeps on its first pass while the writers go on
    relay = new OutboxRelay([outbox.collection], producer, testLogger, { pollMs: 5, batchSize: 7 });
    relay.start();
    await writers;
    try {
      const seen = await rawMessages(topic, ids.length);
      const counts = new Map<string, number>();
      for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
      expect(new Set(seen)).toEqual(new Set(ids));
    } finally {
      await relay.stop();
    }
  });
});
