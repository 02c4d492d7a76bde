// The Kafka wrapper against a real broker: CloudEvents attributes and trace context survive the trip,
// and a redelivered event (same ce_id) is handled once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { ensureTopics, EventProducer, newEvent, ProcessedEvents } from '../../services/shared/kafka/kafka';
import type { CloudEvent } from '../../services/shared/kafka/cloudevents';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { initTelemetry, inSpan } from '../../services/shared/telemetry/otel';
import { deadLetterTopic, defineEvent } from '../../services/shared/events/catalog';
import { DateMessage as ProtoDate } from '../../proto/gen/bps/common/v1/common';
import { stack, testLogger } from '../support/stack';
import { startConsumer } from '../support/collector';
import { adminKafka } from '../support/kafka';
import { uniqueName } from '../support/names';

const exporter = new InMemorySpanExporter();
initTelemetry({ serviceName: 'test', exporter });

const TestEvent = defineEvent('bps.test.date.recorded', 'unused', 'bps.common.v1.Date', ProtoDate);

describe('Kafka wrapper (CloudEvents binary mode)', () => {
  let mongo: MongoHandle;
  const kafka = adminKafka('test'); // the wrapper on topics outside the platform's families (ACLs: kafka-security.int)
  const producer = new EventProducer(kafka);

  beforeAll(async () => {
    mongo = await connectMongo(stack().mongoUri, uniqueName('kafka'));
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('delivers every CloudEvents attribute and the trace context, and handles a redelivered event once', async () => {
    const topic = uniqueName('ce');
    await ensureTopics(kafka, [topic], 1);
    const received: CloudEvent[] = [];
    const consumerTraceIds: string[] = [];
    const consumer = await startConsumer({
      kafka,
      topics: [topic],
      groupId: uniqueName('group'),
      processed: new ProcessedEvents(mongo.db),
      logger: testLogger,
      handler: async (event) => {
        received.push(event);
        consumerTraceIds.push(trace.getActiveSpan()?.spanContext().traceId ?? 'none');
      },
    });

    let producerTraceId = '';
    const event = await inSpan('test-publish', {}, async (span) => {
      producerTraceId = span.spanContext().traceId;
      return { ...newEvent(TestEvent, { year: 2026, month: 1, day: 1 }, { source: '/bps/test', key: 'HEA-01', subject: 'items/HEA-01' }), topic };
    });
    await producer.publish([event]);
    await producer.publish([event]); // a redelivery: same ce_id
    const marker = { ...newEvent(TestEvent, { year: 2027, month: 1, day: 1 }, { source: '/bps/test', key: 'HEA-01' }), topic };
    await producer.publish([marker]);

    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(2);
    await consumer.stop();

    const [first, second] = received;
    expect(first).toMatchObject({
      specversion: '1.0',
      id: event.id,
      type: 'bps.test.date.recorded',
      source: '/bps/test',
      subject: 'items/HEA-01',
      time: event.time,
      datacontenttype: 'application/json',
      dataschema: 'urn:proto:bps.common.v1.Date',
      key: 'HEA-01',
    });
    expect(JSON.parse(first!.data.toString())).toEqual({ year: 2026, month: 1, day: 1 });
    expect(first!.traceparent).toMatch(new RegExp(`^00-${producerTraceId}-[0-9a-f]{16}-01$`));
    expect(consumerTraceIds[0]).toBe(producerTraceId);
    expect(second!.id).toBe(marker.id); // the duplicate in between was skipped
    // The handler ran in the producer's trace (above), and that context stayed inside the consumer: back in the test,
    // no span is active.
    expect(trace.getSpan(context.active())).toBeUndefined();
  });

  it('sends an event that no handler can accept to the dead-letter topic and carries on', async () => {
    const topic = uniqueName('poison');
    await ensureTopics(kafka, [topic, deadLetterTopic('admin', topic)], 1);
    const handled: string[] = [];
    const consumer = await startConsumer({
      kafka,
      topics: [topic],
      groupId: uniqueName('group'),
      processed: new ProcessedEvents(mongo.db),
      logger: testLogger,
      handler: async (event) => {
        handled.push(event.id);
      },
    });
    await producer.sendRaw(topic, [{ key: 'x', value: 'not a cloud event' }]);
    const good = { ...newEvent(TestEvent, { year: 2026, month: 2, day: 2 }, { source: '/bps/test', key: 'x' }), topic };
    await producer.publish([good]);
    await expect.poll(() => handled, { timeout: 20_000 }).toEqual([good.id]);
    await consumer.stop();

    const dlqMessages: string[] = [];
    const dlq = kafka.consumer({ groupId: uniqueName('dlq') });
    await dlq.connect();
    await dlq.subscribe({ topic: deadLetterTopic('admin', topic), fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        dlqMessages.push(message.value?.toString() ?? '');
      },
    });
    await expect.poll(() => dlqMessages, { timeout: 20_000 }).toEqual(['not a cloud event']);
    await dlq.disconnect();
  });

  it('publishes a burst larger than one Kafka request may carry, every event once and in order', async () => {
    // A delivery worker's batch of outcomes after a slow write, or a relay catching up: thousands of events in one
    // call. Kafka refuses a record batch over message.max.bytes (1 MiB by default), so the wrapper sends in chunks.
    const topic = uniqueName('burst');
    await ensureTopics(kafka, [topic], 1);
    const LargeEvent = defineEvent('bps.test.burst', 'unused', 'bps.common.v1.Date', ProtoDate);
    const events = Array.from({ length: 3_000 }, (_, i) => ({
      ...newEvent(LargeEvent, { year: 2026, month: 1, day: 1 }, { source: '/bps/test', key: 'burst', subject: `burst/${i}/${'x'.repeat(900)}` }),
      topic,
    }));
    await producer.publish(events);
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('burst') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(String(message.headers?.['ce_id']));
      },
    });
    await expect.poll(() => seen.length, { timeout: 30_000 }).toBe(events.length);
    expect(seen).toEqual(events.map((e) => e.id));
    await consumer.disconnect();
  }, 60_000);
});
