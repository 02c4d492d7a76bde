// The outbox relay against real MongoDB protocol + Kafka: an event written with its state change while no relay
// ran (the process "died" before the Kafka send) is published by the next relay, and a re-send after a crash
// between send and mark reaches the consumer's handler exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics, EventConsumer, EventProducer, newEvent, ProcessedEvents } from '../../services/shared/kafka/kafka';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { Outbox, OutboxRelay } from '../../services/shared/mongo/outbox';
import { defineEvent } from '../../services/shared/events/catalog';
import { DateMessage as ProtoDate } from '../../proto/gen/bps/common/v1/common';
import { stack, testLogger } from '../support/stack';
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
    const consumer = new EventConsumer({
      kafka, topics: [topic], groupId: uniqueName('group'), processed: new ProcessedEvents(mongo.db), logger: testLogger,
      handler: async (e) => { handled.push(e.id); },
    });
    const joined = consumer.ready();
    await consumer.start();
    await joined;

    // A new process starts its relay.
    const relay = new OutboxRelay([outbox.collection], producer, testLogger, { pollMs: 50 });
    relay.start();
    await expect.poll(() => handled.length, { timeout: 20_000 }).toBe(3);
    await relay.stop();
    expect(handled).toEqual(events.map((e) => e.id)); // in order, each once
    expect(await outbox.collection.countDocuments({ 'outbox.sentAt': null })).toBe(0);

    // Nothing more arrives: give the consumer a moment to show a duplicate if there were one.
    await new Promise((r) => setTimeout(r, 1500));
    expect(handled).toHaveLength(3);
    await consumer.stop();
  });
});
