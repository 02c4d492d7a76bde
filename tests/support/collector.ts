// The one Kafka collector of the tests: a consumer (as a real principal, in its own group and database) that
// records every event of the given topic families in a namespace, with look-ups by type and key and barriers on
// exact events.
import { decodeData, topicName, topics, type EventDefinition } from '../../services/shared/events/catalog';
import { ensureTopics, EventConsumer, ProcessedEvents, type CloudEvent } from '../../services/shared/kafka/kafka';
import { connectMongo } from '../../services/shared/mongo/mongo';
import { adminKafka, testGroup, testKafka, type KafkaPrincipal } from './kafka';
import { uniqueName } from './names';
import { stack, testLogger } from './stack';
import { waitFor } from './wait';

export type TopicFamily = keyof typeof topics;

/** An event as most assertions want it: ids and the JSON data, parsed. */
export type ReceivedEvent = { readonly id: string; readonly type: string; readonly key: string; readonly data: any; readonly event: CloudEvent };

export type EventCollector = {
  /** Every event received so far, in arrival order. */
  readonly events: CloudEvent[];
  /** When the event with this ce_id arrived (ms since the epoch), for benchmarks. */
  arrivedAt(id: string): number | undefined;
  /** Events of this type (and key), data parsed as JSON. */
  received(type?: string, key?: string): ReceivedEvent[];
  /** Events of this catalogued type (and key), decoded with the proto codec. */
  eventsOf<T>(definition: EventDefinition<T>, key?: string): T[];
  /** Barrier: the first event matching (fails after `timeoutMs`). */
  waitFor(predicate: (e: CloudEvent) => boolean, what?: string, timeoutMs?: number): Promise<CloudEvent>;
  /** Barrier: the event with this ce_id. */
  waitForId(id: string, timeoutMs?: number): Promise<CloudEvent>;
  stop(): Promise<void>;
};

export type CollectorOptions = {
  readonly namespace: string;
  readonly families: readonly TopicFamily[];
  /** Whose ACLs it reads with (default audit, which reads every family but its own; the audit family needs 'admin'). */
  readonly principal?: KafkaPrincipal | 'admin';
  readonly brokers?: string;
  readonly mongoUri?: string;
};

const asReceived = (e: CloudEvent): ReceivedEvent => {
  let data: unknown;
  try {
    data = JSON.parse(e.data.toString('utf8'));
  } catch {
    data = undefined;
  }
  return { id: e.id, type: e.type, key: e.key, data, event: e };
};

/** Starts a consumer; resolves once it has joined its group (nothing published after is missed). */
export async function startConsumer(options: ConstructorParameters<typeof EventConsumer>[0]): Promise<EventConsumer> {
  const consumer = new EventConsumer(options);
  const joined = consumer.ready();
  await consumer.start();
  await joined;
  return consumer;
}

/** Starts collecting; resolves once the consumer has joined its group (nothing published after is missed). */
export async function collectEvents(options: CollectorOptions): Promise<EventCollector> {
  const { kafkaBrokers, mongoUri } = { kafkaBrokers: options.brokers ?? stack().kafkaBrokers, mongoUri: options.mongoUri ?? stack().mongoUri };
  const principal = options.principal ?? (options.families.includes('audit') ? 'admin' : 'audit');
  const kafka = principal === 'admin' ? adminKafka('test-collector', kafkaBrokers) : testKafka(principal, 'test-collector', kafkaBrokers);
  const topicNames = options.families.map((f) => topicName(topics[f], options.namespace));
  await ensureTopics(kafka, topicNames);
  const db = await connectMongo(mongoUri, uniqueName('col').replace(/[^a-zA-Z0-9_-]/g, '_'));
  const events: CloudEvent[] = [];
  const arrivals = new Map<string, number>();
  const consumer = await startConsumer({
    kafka,
    groupId: principal === 'admin' ? uniqueName('collector') : testGroup(principal, 'collector'),
    topics: topicNames,
    processed: new ProcessedEvents(db.db),
    logger: testLogger,
    handler: async (e) => {
      arrivals.set(e.id, Date.now());
      events.push(e);
    },
  });
  const waitForEvent = (predicate: (e: CloudEvent) => boolean, what = 'an event', timeoutMs = 30_000) => waitFor(() => events.find(predicate), what, timeoutMs);
  return {
    events,
    arrivedAt: (id) => arrivals.get(id),
    received: (type, key) => events.filter((e) => (type === undefined || e.type === type) && (key === undefined || e.key === key)).map(asReceived),
    eventsOf: (definition, key) =>
      events.filter((e) => e.type === definition.type && (key === undefined || e.key === key)).map((e) => decodeData(definition, e.data)),
    waitFor: waitForEvent,
    waitForId: (id, timeoutMs) => waitForEvent((e) => e.id === id, `event ${id}`, timeoutMs),
    async stop() {
      await consumer.stop();
      await db.db.dropDatabase();
      await db.close();
    },
  };
}
