// Every event carries a traceparent, a root span where there is no request (issue #20): the registry's seed
// publication shares the trace of a `registry seed` span, each audit checkpoint the trace of its `audit checkpoint`
// span, and an event made outside any span gets a producer span of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Consumer } from 'kafkajs';
import { startAudit, type RunningAudit } from '../../services/audit/app';
import { startRegistry, type RunningRegistry } from '../../services/registry/app';
import { auditEvents } from '../../services/shared/events/audit';
import { topicName, topics } from '../../services/shared/events/catalog';
import { fromKafkaMessage, type CloudEvent } from '../../services/shared/kafka/cloudevents';
import { newEvent } from '../../services/shared/kafka/kafka';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { initTelemetry } from '../../services/shared/telemetry/otel';
import { decisionVerifyingDeps } from '../support/decisions';
import { testVerifier } from '../support/identity';
import { adminKafka, kafkaCredentials } from '../support/kafka';
import { uniqueName } from '../support/names';
import { stack, testLogger } from '../support/stack';

const exporter = new InMemorySpanExporter();
initTelemetry({ serviceName: 'traceparent-test', exporter });

const traceIdOf = (e: CloudEvent): string | undefined => /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(e.traceparent ?? '')?.[1];

describe('events produced outside a request carry a traceparent', () => {
  const namespace = uniqueName('tp');
  const dbName = uniqueName('tp-reg').replace(/[^a-zA-Z0-9_-]/g, '_');
  let registry: RunningRegistry;
  let audit: RunningAudit;
  let consumer: Consumer;
  const received = new Map<string, CloudEvent[]>();

  beforeAll(async () => {
    const { mongoUri, kafkaBrokers } = stack();
    registry = await startRegistry({
      ...decisionVerifyingDeps(),
      mongoUri,
      dbName,
      kafkaBrokers,
      kafkaCredentials: kafkaCredentials('registry'),
      topicNamespace: namespace,
      grpcPort: 0,
      tokens: testVerifier(),
      logger: testLogger,
      schedulerPollMs: 60_000,
      relayPollMs: 100,
    });
    audit = await startAudit({
      ...decisionVerifyingDeps(),
      mongoUri,
      dbName: `${dbName}_audit`,
      kafkaBrokers,
      kafkaCredentials: kafkaCredentials('audit'),
      topicNamespace: namespace,
      grpcPort: 0,
      tokens: testVerifier(),
      logger: testLogger,
      environment: 'test',
      hashAlgorithm: 'sha256',
      signatureAlgorithm: 'ed25519',
      checkpointIntervalMs: 300,
      outboxPollMs: 100,
    });
    // Reading bps.audit.v1 is no service's right: the stack's admin reads both topics here.
    consumer = adminKafka('test-traceparent').consumer({ groupId: uniqueName('tp-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topicName(topics.standards, namespace), topicName(topics.audit, namespace)], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        received.set(topic, [...(received.get(topic) ?? []), fromKafkaMessage(message)]);
      },
    });
  }, 300_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await audit?.stop();
    await registry?.stop();
    for (const name of [dbName, `${dbName}_audit`]) {
      const mongo = await connectMongo(stack().mongoUri, name);
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  });

  it("the seed publication shares the trace of its registry seed span; the scheduler's events start their own", async () => {
    const seedSpans = exporter.getFinishedSpans().filter((s) => s.name === 'registry seed' && s.attributes['bps.registry.db'] === dbName);
    expect(seedSpans).toHaveLength(1);
    const seedTrace = seedSpans[0]!.spanContext().traceId;
    expect(seedSpans[0]!.parentSpanId).toBeUndefined();
    await expect.poll(() => (received.get(topicName(topics.standards, namespace)) ?? []).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const published = received.get(topicName(topics.standards, namespace))!;
    expect(published.map((e) => e.type)).toContain('bps.standard.version.published');
    const seeded = published.filter((e) => e.type === 'bps.standard.version.published');
    expect(seeded.map(traceIdOf)).toEqual(seeded.map(() => seedTrace));
    // The scheduler's version.effective (no request either) starts a trace with a producer span of its own.
    for (const event of published.filter((e) => e.type !== 'bps.standard.version.published')) {
      const root = exporter.getFinishedSpans().find((s) => s.spanContext().traceId === traceIdOf(event) && s.parentSpanId === undefined);
      expect(root?.name, event.type).toBe(`create ${topicName(topics.standards, namespace)}`);
    }
  });

  it('each audit checkpoint carries the trace of its own root span', async () => {
    const auditTopic = topicName(topics.audit, namespace);
    await expect
      .poll(() => (received.get(auditTopic) ?? []).filter((e) => e.type === auditEvents.checkpointSigned.type).length, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const checkpoints = received.get(auditTopic)!.filter((e) => e.type === auditEvents.checkpointSigned.type);
    const checkpointTraces = new Set(
      exporter
        .getFinishedSpans()
        .filter((s) => s.name === 'audit checkpoint' && s.parentSpanId === undefined)
        .map((s) => s.spanContext().traceId),
    );
    for (const event of checkpoints) {
      expect(traceIdOf(event), event.id).toBeDefined();
      expect(checkpointTraces.has(traceIdOf(event)!), event.id).toBe(true);
    }
    // Every record on the audit topic has one (the issue counted 299 of 305 without).
    expect(
      received
        .get(auditTopic)!
        .filter((e) => !traceIdOf(e))
        .map((e) => e.type),
    ).toEqual([]);
  });

  it('an event made outside any span gets a producer span of its own as the root of a new trace', () => {
    const event = newEvent(auditEvents.checkpointSigned, auditEvents.checkpointSigned.codec.fromPartial({}), {
      source: '/bps/audit',
      key: 'k',
      topicNamespace: namespace,
    });
    const traceId = traceIdOf(event);
    expect(traceId).toBeDefined();
    const span = exporter.getFinishedSpans().find((s) => s.spanContext().traceId === traceId);
    expect(span?.name).toBe(`create ${topicName(topics.audit, namespace)}`);
    expect(span?.parentSpanId).toBeUndefined();
  });
});
