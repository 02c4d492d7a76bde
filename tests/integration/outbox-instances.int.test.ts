// Two instances of a service, as two OS processes, relay the outbox of one database (issue #19, "two of
// everything"): a second relay runs in a child process (tests/support/outbox-relay-process.ts), so nothing in one
// process can make them take turns — only the claims in the database. Each event reaches Kafka exactly once (the
// topic is read back raw, duplicates included), both relays do some of the work, an aggregate's events keep their
// order, and the claims of a relay killed while sending are taken over by the other once their lease has run out.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics, EventProducer, newEvent, type CloudEvent } from '../../services/shared/kafka/kafka';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { CLAIMS_COLLECTION, Outbox, OutboxRelay, PENDING_COLLECTION } from '../../services/shared/mongo/outbox';
import { defineEvent } from '../../services/shared/events/catalog';
import { DateMessage as ProtoDate } from '../../proto/gen/bps/common/v1/common';
import { stack, testLogger } from '../support/stack';
import { adminKafka } from '../support/kafka';
import { uniqueName } from '../support/names';

const Recorded = defineEvent('bps.test.date.recorded', 'unused', 'bps.common.v1.Date', ProtoDate);

/** A producer that records what Kafka acknowledged, per relay. */
class CountingProducer extends EventProducer {
  readonly published: string[] = [];
  override async publish(events: readonly (CloudEvent & { topic: string })[]): Promise<void> {
    await super.publish(events);
    this.published.push(...events.map((e) => e.id));
  }
}

type Child = { process: ChildProcess; lines: Record<string, unknown>[]; exited: Promise<void> };

describe('outbox relays in two processes on one database', () => {
  let mongo: MongoHandle;
  const kafka = adminKafka('test-outbox-instances');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    mongo = await connectMongo(stack().mongoUri, uniqueName('outbox_inst').replace(/[^a-zA-Z0-9_]/g, '_'));
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  function startChild(env: Record<string, string>): Child {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/outbox-relay-process.ts'], {
      env: { ...process.env, OUTBOX_MONGO_URI: stack().mongoUri, OUTBOX_DB: mongo.db.databaseName, OUTBOX_BROKERS: stack().kafkaBrokers, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not one of its reports
      }
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { process: child, lines, exited };
  }

  const reported = (child: Child, field: string): string[] => child.lines.flatMap((l) => (Array.isArray(l[field]) ? (l[field] as string[]) : []));

  /** Every message on a one-partition topic, duplicates included, as ce_ids in offset order, once `expected` arrived. */
  async function rawMessages(topic: string, expected: number, settleMs = 2_000): Promise<{ id: string; key: string }[]> {
    const seen: { id: string; key: string }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('raw') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ id: message.headers?.['ce_id']?.toString() ?? '', key: message.key?.toString() ?? '' });
      },
    });
    try {
      await expect.poll(() => seen.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(expected);
      // A duplicate would come right behind: give the relays a moment more than their poll.
      await new Promise((r) => setTimeout(r, settleMs));
      return [...seen];
    } finally {
      await consumer.disconnect();
    }
  }

  it('publishes each of a few hundred concurrently written events exactly once, the work shared by both', async () => {
    const topic = uniqueName('outbox-inst');
    await ensureTopics(kafka, [topic], 1);
    const name = uniqueName('outbox_inst');
    const outbox = new Outbox(mongo.db, name);
    await outbox.init();
    const producer = new CountingProducer(kafka);
    const relay = new OutboxRelay([outbox.collection], producer, testLogger, { pollMs: 20, batchSize: 10 });
    const child = startChild({ OUTBOX_COLLECTION: name, OUTBOX_TOPIC: topic, OUTBOX_WRITE: '150', OUTBOX_POLL_MS: '20', OUTBOX_BATCH: '10' });
    try {
      await expect.poll(() => child.lines.some((l) => 'ready' in l), { timeout: 30_000 }).toBe(true);
      relay.start();
      // This process writes as many as the child, concurrently, one key per writer, each writer's events in order.
      const order = new Map<string, string[]>();
      await Promise.all(
        Array.from({ length: 5 }, async (_, w) => {
          const key = `parent-${w}`;
          order.set(key, []);
          for (let i = 0; i < 30; i++) {
            const event = { ...newEvent(Recorded, { year: 2026, month: 11, day: 1 + (i % 28) }, { source: '/bps/test', key }), topic };
            await outbox.append([event]);
            order.get(key)!.push(event.id);
          }
        }),
      );
      await expect.poll(() => reported(child, 'written').length, { timeout: 60_000 }).toBe(150);
      const ids = [...[...order.values()].flat(), ...reported(child, 'written')];
      expect(new Set(ids).size).toBe(300);

      const seen = await rawMessages(topic, ids.length);
      const counts = new Map<string, number>();
      for (const { id } of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]); // no ce_id twice on the wire
      expect(new Set(counts.keys())).toEqual(new Set(ids));
      // Both relays did some of the work, and between them sent each event once.
      const byChild = reported(child, 'published');
      expect(producer.published.length).toBeGreaterThan(0);
      expect(byChild.length).toBeGreaterThan(0);
      expect(producer.published.length + byChild.length).toBe(300);
      // One aggregate's events in the order they were written, whichever relay sent them.
      for (const [key, written] of order) expect(seen.filter((m) => m.key === key).map((m) => m.id)).toEqual(written);
      await expect.poll(() => mongo.db.collection(PENDING_COLLECTION).countDocuments({ c: name })).toBe(0);
      await expect.poll(() => mongo.db.collection(CLAIMS_COLLECTION).countDocuments({ c: name })).toBe(0);
    } finally {
      await relay.stop();
      await producer.disconnect();
      child.process.kill('SIGTERM');
      await child.exited;
    }
  });

  it('takes over, once their lease has run out, the markers of a relay killed while sending them', async () => {
    const topic = uniqueName('outbox-inst-kill');
    await ensureTopics(kafka, [topic], 1);
    const name = uniqueName('outbox_kill');
    const outbox = new Outbox(mongo.db, name);
    await outbox.init();
    const events = Array.from({ length: 20 }, (_, i) => ({
      ...newEvent(Recorded, { year: 2026, month: 12, day: 1 + (i % 28) }, { source: '/bps/test', key: `EDU-K${i % 4}` }),
      topic,
    }));
    await outbox.append(events); // written while no relay ran
    const leaseMs = 5_000;
    // The other instance claims them and hangs in its Kafka send; then it is killed (kill -9), claims held.
    const child = startChild({ OUTBOX_COLLECTION: name, OUTBOX_HANG: '1', OUTBOX_LEASE_MS: String(leaseMs) });
    await expect.poll(() => reported(child, 'publishing').length, { timeout: 30_000 }).toBe(20);
    const claimedBy = await mongo.db.collection(CLAIMS_COLLECTION).find({ c: name }).toArray();
    expect(claimedBy).toHaveLength(20);
    child.process.kill('SIGKILL');
    await child.exited;
    const killedAt = Date.now();

    const producer = new CountingProducer(kafka);
    const relay = new OutboxRelay([outbox.collection], producer, testLogger, { pollMs: 100, leaseMs });
    try {
      expect(await relay.relayOnce()).toBe(0); // still the dead relay's: not sent while its lease runs
      relay.start();
      const seen = await rawMessages(topic, events.length, 500);
      const tookOverAfter = Date.now() - killedAt;
      expect(seen.map((m) => m.id).sort()).toEqual(events.map((e) => e.id).sort()); // each exactly once
      for (let k = 0; k < 4; k++) {
        const key = `EDU-K${k}`;
        expect(seen.filter((m) => m.key === key).map((m) => m.id)).toEqual(events.filter((e) => e.key === key).map((e) => e.id));
      }
      expect(producer.published).toHaveLength(20);
      expect(tookOverAfter).toBeLessThan(leaseMs + 20_000);
      await expect.poll(() => mongo.db.collection(CLAIMS_COLLECTION).countDocuments({ c: name })).toBe(0);
    } finally {
      await relay.stop();
      await producer.disconnect();
    }
  });
});
