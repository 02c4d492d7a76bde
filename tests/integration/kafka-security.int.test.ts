// The broker's authentication and ACLs (infra/local/kafka.ts, infra/local/kafka-acls.ts) and the consumers'
// ce_source check, against the real local broker: anonymous clients and wrong passwords are refused, each topic
// family has one writer, readers read only what they consume, and an event on a topic that claims another
// service as its source is dead-lettered instead of handled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { approvalEvents } from '../../services/shared/events/approvals';
import { deadLetterTopic, topicName, topics } from '../../services/shared/events/catalog';
import { standardEvents } from '../../services/shared/events/standards';
import { ensureTopics, EventProducer, newEvent, ProcessedEvents, type CloudEvent } from '../../services/shared/kafka/kafka';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';
import { startConsumer } from '../support/collector';
import { uniqueName } from '../support/names';
import { stack, testLogger } from '../support/stack';

/** A bare kafkajs client that gives up at once (the refusals are what is tested, not retries). */
function rawKafka(sasl?: { username: string; password: string }): Kafka {
  return new Kafka({
    clientId: 'test-security',
    brokers: [stack().kafkaBrokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 0 },
    ...(sasl ? { sasl: { mechanism: 'scram-sha-512' as const, ...sasl } } : {}),
  });
}

const failure = (promise: Promise<unknown>): Promise<{ name?: string; type?: string; message?: string }> =>
  promise.then(
    () => {
      throw new Error('expected the broker to refuse');
    },
    (error: { name?: string; type?: string; message?: string }) => error,
  );

/** Runs the consumer on the topic and resolves with the error it crashes with (the broker's refusal). */
async function consumerCrash(consumer: Consumer, topic: string): Promise<Error> {
  const crashed = new Promise<Error>((resolve) => {
    consumer.on(consumer.events.CRASH, (e) => resolve(e.payload.error));
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    return await crashed;
  } catch (error) {
    return error as Error;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

const decided = (proposalId: string) =>
  approvalEvents.proposalDecided.codec.fromPartial({ proposalId, proposalRevision: 1, workflowId: proposalId, decision: 1 });

describe('Kafka authentication and ACLs', () => {
  const namespace = uniqueName('sec');
  const approvalsTopic = topicName(topics.approvals, namespace);
  const standardsTopic = topicName(topics.standards, namespace);
  let mongo: MongoHandle;

  beforeAll(async () => {
    mongo = await connectMongo(stack().mongoUri, uniqueName('sec'));
    await ensureTopics(testKafka('approvals'), [approvalsTopic], 1);
    await ensureTopics(testKafka('registry'), [standardsTopic], 1);
  });
  afterAll(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('refuses a client without credentials: it can neither produce nor list topics', async () => {
    const producer = rawKafka().producer();
    const produced = await failure(producer.connect().then(() => producer.send({ topic: approvalsTopic, messages: [{ value: 'anonymous' }] })));
    await producer.disconnect().catch(() => undefined);
    expect(produced.message ?? '').not.toBe('');
    const admin = rawKafka().admin();
    await failure(admin.connect().then(() => admin.listTopics()));
    await admin.disconnect().catch(() => undefined);
  });

  it('refuses a wrong password', async () => {
    const admin = rawKafka({ username: 'approvals', password: `${kafkaCredentials('approvals').password}x` }).admin();
    const error = await failure(admin.connect());
    await admin.disconnect().catch(() => undefined);
    expect(`${error.name} ${error.message}`).toMatch(/SASL|authentication/i);
  });

  it('lets only the owner write a topic family: proposals cannot write bps.approvals.v1, approvals can', async () => {
    const event = newEvent(approvalEvents.proposalDecided, decided('P-SEC-1'), { source: '/bps/approvals', key: 'P-SEC-1', topicNamespace: namespace });
    const intruder = new EventProducer(testKafka('proposals', 'test-intruder'));
    const refused = await failure(intruder.publish([event]));
    await intruder.disconnect().catch(() => undefined);
    expect(refused.type ?? refused.message).toMatch(/TOPIC_AUTHORIZATION_FAILED|not authorized/i);

    const owner = new EventProducer(testKafka('approvals', 'test-owner'));
    await owner.publish([event]);
    await owner.disconnect();
  });

  it('lets a reader read only the families it consumes, in its own consumer groups', async () => {
    // The registry consumes approvals, not its own standards topic.
    const denied = await consumerCrash(
      testKafka('registry', 'test-reader').consumer({ groupId: testGroup('registry', 'reader'), retry: { retries: 0 } }),
      standardsTopic,
    );
    expect(denied.message).toMatch(/not authorized to access topics|topic authorization failed/i);

    // Nor may a principal join another principal's consumer group (proposals may read approvals, not as the registry).
    const squatted = await consumerCrash(
      testKafka('proposals', 'test-squatter').consumer({ groupId: testGroup('registry', 'squat'), retry: { retries: 0 } }),
      approvalsTopic,
    );
    // (kafkajs reports the broker's GROUP_AUTHORIZATION_FAILED on FindCoordinator as "Failed to find group coordinator";
    // the same call for the group's owner succeeds below and in the next test.)
    expect(squatted.message).toMatch(/not authorized to access group|group authorization failed|failed to find group coordinator/i);

    // The owner of the group and a consumer of the family may.
    const allowed = testKafka('proposals', 'test-allowed').consumer({ groupId: testGroup('proposals', 'allowed') });
    await allowed.connect();
    const joined = new Promise<void>((resolve) => {
      allowed.on(allowed.events.GROUP_JOIN, () => resolve());
    });
    await allowed.subscribe({ topics: [approvalsTopic], fromBeginning: true });
    await allowed.run({ eachMessage: async () => undefined });
    await joined;
    await allowed.disconnect();
  });

  it("dead-letters an event whose ce_source is not the topic owner's instead of handling it", async () => {
    const ns = uniqueName('sec-src');
    const approvalsTopic = topicName(topics.approvals, ns);
    const kafka = testKafka('registry', 'test-source-check'); // the registry consumes bps.approvals.v1
    const handled: string[] = [];
    const groupId = testGroup('registry', 'source-check');
    const dlqTopic = deadLetterTopic('registry', approvalsTopic);
    await ensureTopics(kafka, [approvalsTopic, dlqTopic], 1);
    const consumer = await startConsumer({
      kafka,
      groupId,
      topics: [approvalsTopic],
      processed: new ProcessedEvents(mongo.db),
      logger: testLogger,
      handler: async (event) => {
        handled.push(event.id);
      },
    });

    // The approvals principal writes its own topic, but claims to be the registry; then a genuine event.
    const owner = new EventProducer(testKafka('approvals', 'test-source-owner'));
    const forged = newEvent(approvalEvents.proposalDecided, decided('P-SEC-2'), { source: '/bps/registry', key: 'P-SEC-2', topicNamespace: ns });
    const genuine = newEvent(approvalEvents.proposalDecided, decided('P-SEC-3'), { source: '/bps/approvals', key: 'P-SEC-3', topicNamespace: ns });
    await owner.publish([forged]);
    await owner.publish([genuine]);
    await owner.disconnect();
    await expect.poll(() => handled, { timeout: 20_000 }).toEqual([genuine.id]);
    await consumer.stop();

    const dead: CloudEvent[] = [];
    const errors: string[] = [];
    const reader = kafka.consumer({ groupId: testGroup('registry', 'dlq') });
    await reader.connect();
    await reader.subscribe({ topic: dlqTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        errors.push(`${message.headers?.['x-bps-dead-letter-reason']?.toString() ?? ''}: ${message.headers?.['x-bps-error']?.toString() ?? ''}`);
        dead.push({ id: message.headers?.['ce_id']?.toString() ?? '', source: message.headers?.['ce_source']?.toString() ?? '' } as CloudEvent);
      },
    });
    await expect.poll(() => dead.map((e) => [e.id, e.source]), { timeout: 20_000 }).toEqual([[forged.id, '/bps/registry']]);
    await reader.disconnect();
    expect(errors[0]).toMatch(/^foreign-source: .*ce_source "\/bps\/registry" does not belong to bps\.approvals\.v1's owner/);
    // The refused event was not remembered as processed: it was never handled.
    expect(await mongo.db.collection('processed_events').countDocuments({ _id: `${groupId}:${forged.id}` as never })).toBe(0);
  });

  it("keeps the dead-letter topics apart: one consumer principal cannot write another's", async () => {
    const event = newEvent(standardEvents.versionPublished, standardEvents.versionPublished.codec.fromPartial({ releaseId: 'r-sec' }), {
      source: '/bps/registry',
      key: 'r-sec',
      topicNamespace: namespace,
    });
    const producer = new EventProducer(testKafka('proposals', 'test-dlq-intruder'));
    const refused = await failure(producer.sendRaw(deadLetterTopic('registry', approvalsTopic), [{ key: event.key, value: event.data }]));
    await producer.disconnect().catch(() => undefined);
    expect(refused.type ?? refused.message).toMatch(/TOPIC_AUTHORIZATION_FAILED|not authorized/i);
  });
});
