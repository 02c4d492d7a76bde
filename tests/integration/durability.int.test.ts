// Durability settings (issue #19): every service's writes ask for majority + journal acknowledgement (FerretDB
// accepts the setting; a URI's own w=/journal= wins), and the topics services create get the cluster's default
// replication factor rather than a hard-coded 1.
import { type CommandStartedEvent } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { ensureTopics, EventProducer, newEvent } from '../../services/shared/kafka/kafka';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { defineEvent } from '../../services/shared/events/catalog';
import { DateMessage as ProtoDate } from '../../proto/gen/bps/common/v1/common';
import { adminKafka } from '../support/kafka';
import { uniqueName } from '../support/names';
import { stack } from '../support/stack';

const Recorded = defineEvent('bps.test.date.recorded', 'unused', 'bps.common.v1.Date', ProtoDate);

describe('durability settings', () => {
  const handles: MongoHandle[] = [];
  afterAll(async () => {
    for (const h of handles) {
      await h.db.dropDatabase().catch(() => undefined);
      await h.close();
    }
  });

  const writesOf = async (uri: string) => {
    const handle = await connectMongo(uri, uniqueName('durable').replace(/[^a-zA-Z0-9_]/g, '_'), { monitorCommands: true });
    handles.push(handle);
    const commands: CommandStartedEvent[] = [];
    handle.client.on('commandStarted', (e) => commands.push(e));
    await handle.db.collection('things').insertOne({ _id: 'a', n: 1 } as never);
    await handle.db.collection('things').updateOne({ _id: 'a' } as never, { $set: { n: 2 } });
    expect(await handle.db.collection('things').findOne({ _id: 'a' } as never)).toMatchObject({ n: 2 });
    return commands.filter((c) => c.commandName === 'insert' || c.commandName === 'update').map((c) => c.command['writeConcern'] as unknown);
  };

  it('asks for majority and journal on every write, and the database takes it', async () => {
    expect(await writesOf(stack().mongoUri)).toEqual([
      { w: 'majority', j: true },
      { w: 'majority', j: true },
    ]);
  });

  it('leaves the write concern to a URI that sets one', async () => {
    const uri = `${stack().mongoUri.replace(/\/?$/, '/')}?w=1`;
    const concerns = await writesOf(uri);
    expect(concerns).toHaveLength(2);
    for (const c of concerns) expect(c).toEqual({ w: 1 });
  });

  it("creates topics with the cluster's default replication factor", async () => {
    const kafka = adminKafka('test-durability');
    const asked: unknown[] = [];
    // The real admin client, with its createTopics requests recorded.
    const recording = {
      admin: () => {
        const admin = kafka.admin();
        const create = admin.createTopics.bind(admin);
        admin.createTopics = async (options) => {
          asked.push(...options.topics);
          return create(options);
        };
        return admin;
      },
    } as unknown as Kafka;
    const topic = uniqueName('durable');
    await ensureTopics(recording, [topic], 2);
    expect(asked).toEqual([{ topic, numPartitions: 2 }]); // no replicationFactor: the broker's default.replication.factor
    const producer = new EventProducer(kafka);
    try {
      await producer.publish([{ ...newEvent(Recorded, { year: 2026, month: 1, day: 1 }, { source: '/bps/test', key: 'k' }), topic }]); // acks=-1
    } finally {
      await producer.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0]!.partitions).toHaveLength(2);
      expect(metadata.topics[0]!.partitions[0]!.replicas).toHaveLength(1); // the local stack's one broker
    } finally {
      await admin.disconnect();
    }
  });
});
