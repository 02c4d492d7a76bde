// Issue #15: a consumer dead-letters an event after a bounded number of failures of ANY kind — here a poison event
// (JSON nested 200,000 deep, whose canonicalisation overflows the stack) — instead of retrying it forever, puts the
// dead letter on record (bps.event.deadlettered, filed by the audit service), and keeps consuming later events.
// Also the audit service's own consumer: its dead letters (the same poison, a foreign ce_source) go into its log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAudit } from '../../services/audit/app';
import { approvalEvents } from '../../services/shared/events/approvals';
import { deadLetterTopic, topicName, topics } from '../../services/shared/events/catalog';
import { ensureTopics, EventProducer, newEvent, ProcessedEvents, type CloudEvent } from '../../services/shared/kafka/kafka';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { testGroup, testKafka } from '../support/kafka';
import { startConsumer } from '../support/collector';
import { stack, testLogger } from '../support/stack';
import { startPlatform, type StartedPlatform } from '../support/platform';

const decided = (proposalId: string) =>
  approvalEvents.proposalDecided.codec.fromPartial({ proposalId, proposalRevision: 1, workflowId: proposalId, decision: 1 });
const DEPTH = 200_000;
const poisonData = Buffer.from('['.repeat(DEPTH) + ']'.repeat(DEPTH));

type DeadLettered = {
  service: string;
  consumerGroup: string;
  sourceTopic: string;
  deadLetterTopic: string;
  eventId: string;
  eventType: string;
  eventSource: string;
  reason: string;
  message: string;
  attempts: number;
};

describe('dead letters: bounded retries for any failure, on record, consumption goes on (issue #15)', () => {
  let p: StartedPlatform<'audit'>;
  let namespace: string;
  let approvalsTopic: string;
  let mongo: MongoHandle;
  let audit: RunningAudit;
  const owner = new EventProducer(testKafka('approvals', 'test-dlq-owner'));

  beforeAll(async () => {
    p = await startPlatform('dlq', { services: ['audit'] });
    ({ namespace, audit } = p);
    approvalsTopic = topicName(topics.approvals, namespace);
    mongo = await connectMongo(stack().mongoUri, p.names.db('consumers'));
    await ensureTopics(
      testKafka('registry', 'test-dlq-topics'),
      [approvalsTopic, topicName(topics.standards, namespace), deadLetterTopic('registry', approvalsTopic)],
      1,
    );
  }, 120_000);
  afterAll(async () => {
    await owner.disconnect();
    await p?.stop();
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  /** bps.event.deadlettered records in the audit service's global log. */
  const deadLettersOnRecord = async (): Promise<DeadLettered[]> =>
    (await audit.store.entriesOf('global')).filter((e) => e.event.type === 'bps.event.deadlettered').map((e) => JSON.parse(e.event.data) as DeadLettered);

  it('a poison event is tried N times, dead-lettered with its reason, put on record, and the next event is handled', async () => {
    const handled: string[] = [];
    const groupId = testGroup('registry', 'poison');
    const consumer = await startConsumer({
      kafka: testKafka('registry', 'test-dlq-consumer'),
      groupId,
      topics: [approvalsTopic],
      processed: new ProcessedEvents(mongo.db),
      logger: testLogger,
      maxAttempts: 3,
      retryDelayMs: 50,
      service: 'registry',
      handler: async (event) => {
        handled.push(event.id);
      },
    });

    const poison: CloudEvent & { topic: string } = {
      ...newEvent(approvalEvents.proposalDecided, decided('P-POISON'), { source: '/bps/approvals', key: 'P-POISON', topicNamespace: namespace }),
      data: poisonData,
    };
    const later = newEvent(approvalEvents.proposalDecided, decided('P-LATER'), { source: '/bps/approvals', key: 'P-POISON', topicNamespace: namespace }); // same key: same partition, after the poison
    await owner.publish([poison]);
    await owner.publish([later]);
    await expect.poll(() => handled, { timeout: 30_000 }).toEqual([later.id]);
    await consumer.stop();

    // The registry principal's record (on its own topic, bps.standards.v1) and the audit service's own (its consumer
    // met the same poison), both filed by the audit service.
    await expect
      .poll(
        async () =>
          (await deadLettersOnRecord())
            .filter((d) => d.eventId === poison.id)
            .map((d) => d.service)
            .sort(),
        { timeout: 60_000, interval: 250 },
      )
      .toEqual(['audit', 'registry']);
    const records = (await deadLettersOnRecord()).filter((d) => d.eventId === poison.id);
    expect(records.find((d) => d.service === 'registry')).toMatchObject({
      consumerGroup: groupId,
      sourceTopic: approvalsTopic,
      deadLetterTopic: deadLetterTopic('registry', approvalsTopic),
      eventType: 'bps.approval.proposal.decided',
      eventSource: '/bps/approvals',
      reason: 'retries-exhausted',
      attempts: 3,
    });
    expect(records.find((d) => d.service === 'registry')?.message).toMatch(/call stack/i);
    expect(records.find((d) => d.service === 'audit')).toMatchObject({ reason: 'retries-exhausted', attempts: 5, sourceTopic: approvalsTopic });
    // The audit service went on too: the later event is in its log.
    await expect.poll(async () => (await audit.store.entriesOf('global')).some((e) => e.eventId === later.id), { timeout: 30_000 }).toBe(true);
  }, 120_000);

  it('an event refused for its foreign ce_source is dead-lettered and on record', async () => {
    const forged = newEvent(approvalEvents.proposalDecided, decided('P-FOREIGN'), { source: '/bps/registry', key: 'P-FOREIGN', topicNamespace: namespace });
    await owner.publish([forged]);
    await expect
      .poll(async () => (await deadLettersOnRecord()).filter((d) => d.eventId === forged.id), { timeout: 30_000, interval: 250 })
      .toEqual([
        expect.objectContaining({ service: 'audit', reason: 'foreign-source', eventSource: '/bps/registry', attempts: 1, sourceTopic: approvalsTopic }),
      ]);
  }, 60_000);
});
