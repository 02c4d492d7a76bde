// The one Kafka wrapper: CloudEvents in, CloudEvents out. Producers are idempotent; consumers commit only
// what they have handled and skip events they have already processed, known by ce_id + content digest (at-least-once delivery).
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer, type KafkaMessage, type LogEntry, type Message } from 'kafkajs';
import type { Collection, Db } from 'mongodb';
import { errorMessage, isRetriable, PlatformError, ValidationError } from '../errors/errors';
import type { Logger } from '../log/logger';
import { isDuplicateKey, insertOne } from '../mongo/mongo';
import { eventTraceContext, extractTraceContext, inSpan, SpanKind } from '../telemetry/otel';
import { observeGauge, recordConsumed } from '../telemetry/metrics';
import { fromKafkaMessage, toKafkaMessage, type CloudEvent } from './cloudevents';
import {
  deadLetterTopic,
  encodeData,
  foreignSourceReason,
  topicFamilyOf,
  topicName,
  topicOwners,
  topics,
  type EventDefinition,
  type TopicFamily,
} from '../events/catalog';
import { refusalEvents } from '../events/refusals';
import { clip as clipText } from '../validation/input';
import type { EventDeadLettered } from '../../../proto/gen/bps/common/v1/events';
import { eventContentDigest } from '../events/decision-signature';

export type { CloudEvent };

/**
 * TLS to the brokers (SASL_SSL): the CA of their certificates, and a client certificate and key when they require
 * mutual TLS (config BPS_KAFKA_TLS_CA / _CERT / _KEY, PEM).
 */
export type KafkaTls = { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer };

/**
 * A Kafka principal's SASL/SCRAM-SHA-512 credentials (config BPS_KAFKA_USERNAME / BPS_KAFKA_PASSWORD), and how to
 * reach the brokers over TLS (production: SCRAM over TLS); without `tls` the connection is plaintext (development).
 */
export type KafkaCredentials = { readonly username: string; readonly password: string; readonly tls?: KafkaTls };

/** kafkajs's `ssl` option for `tls`: verified against the CA, with the client certificate when given. */
export function kafkaSsl(tls: KafkaTls | undefined): { ca: Buffer[]; cert?: Buffer; key?: Buffer; rejectUnauthorized: true } | undefined {
  if (!tls) return undefined;
  if (Boolean(tls.cert) !== Boolean(tls.key)) throw new Error('BPS_KAFKA_TLS_CERT and BPS_KAFKA_TLS_KEY go together');
  return { ca: [tls.ca], ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}), rejectUnauthorized: true };
}

const principals = new WeakMap<Kafka, string>();

/** The principal a client built by createKafka authenticates as (names its dead-letter topics). */
export function principalOf(kafka: Kafka): string {
  const principal = principals.get(kafka);
  if (principal === undefined) throw new Error('this Kafka client was not built by createKafka: its principal is unknown');
  return principal;
}

/** A Kafka client authenticated as one principal (SASL/SCRAM-SHA-512, over TLS when configured); the broker refuses anonymous clients. */
export function createKafka(options: { brokers: string; clientId: string; logger: Logger; credentials: KafkaCredentials }): Kafka {
  const { username, password } = options.credentials;
  if (!username || !password) throw new Error('Kafka credentials are required (BPS_KAFKA_USERNAME, BPS_KAFKA_PASSWORD)');
  const log = options.logger.child({ component: 'kafkajs' });
  const ssl = kafkaSsl(options.credentials.tls);
  const kafka = new Kafka({
    clientId: options.clientId,
    sasl: { mechanism: 'scram-sha-512', username, password },
    ...(ssl ? { ssl } : {}),
    brokers: options.brokers
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
      log[level]({ ...rest, namespace: entry.namespace }, message);
    },
    retry: { initialRetryTime: 200, retries: 8 },
  });
  principals.set(kafka, username);
  return kafka;
}

export async function ensureTopics(kafka: Kafka, topicNames: readonly string[], numPartitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Right after creation the broker may still answer "does not host this topic-partition" for a moment
    // (metadata not yet propagated): retry until every topic has its leaders.
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = topicNames.filter((t) => !existing.has(t));
        if (missing.length > 0) {
          // Replication as the cluster is configured (default.replication.factor; kafkajs sends -1): 1 on the
          // single local broker, 3 on a production cluster, with min.insync.replicas making acks=-1 mean "on that many".
          await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions })) });
        }
        await admin.fetchTopicMetadata({ topics: [...topicNames] });
        return;
      } catch (error) {
        const retriable = (error as { retriable?: boolean }).retriable === true || /topic-partition|leader|not available/i.test(errorMessage(error));
        if (!retriable || attempt >= 15) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 2_000)));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Builds a CloudEvent for a catalogued event type, carrying the active trace context. */
export function newEvent<T>(
  definition: EventDefinition<T>,
  payload: T,
  options: { source: string; key: string; subject?: string; id?: string; time?: Date; topicNamespace?: string },
): CloudEvent & { topic: string } {
  const topic = topicName(definition.topic, options.topicNamespace);
  const trace = eventTraceContext(topic, { 'cloudevents.event_type': definition.type });
  return {
    topic,
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    type: definition.type,
    source: options.source,
    subject: options.subject ?? options.key,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    dataschema: definition.schema,
    data: encodeData(definition, payload),
    key: options.key,
    traceparent: trace['traceparent'],
    tracestate: trace['tracestate'],
  };
}

/** Kafka's default max message size is 1 MiB (message.max.bytes); keep room for the record framing. */
export const MAX_EVENT_BYTES = 1_000_000;

/** A record's framing in a batch (length, attributes, deltas, header counts), rounded up: counted per message. */
const RECORD_OVERHEAD_BYTES = 64;

/** An event Kafka will never take: sending it again cannot help, so it must not block what comes after it. */
export class EventTooLargeError extends PlatformError {
  constructor(
    readonly eventId: string,
    readonly bytes: number,
  ) {
    super('EVENT_TOO_LARGE', `event ${eventId} is ${bytes} bytes; Kafka takes at most ${MAX_EVENT_BYTES} per message`, { retriable: false });
  }
}

function messageBytes(message: Message): number {
  const size = (v: unknown): number => (v === null || v === undefined ? 0 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v)));
  let total = size(message.key) + size(message.value);
  for (const [k, v] of Object.entries(message.headers ?? {}))
    total += Buffer.byteLength(k) + (Array.isArray(v) ? v.reduce((n: number, x) => n + size(x), 0) : size(v));
  return total;
}

/** Errors of one event that no retry can fix (as opposed to an outage or an authorization problem to repair). */
export function isUnsendable(error: unknown): boolean {
  if (error instanceof EventTooLargeError) return true;
  const type = (error as { type?: unknown }).type;
  return type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE' || type === 'INVALID_RECORD';
}

export class EventProducer {
  private readonly producer: Producer;
  private connected = false;
  constructor(kafka: Kafka) {
    // Idempotent: the broker drops duplicates from producer retries, and order per partition is kept.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
  }
  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }
  /**
   * Sends the events in order, in requests of at most MAX_EVENT_BYTES of messages: Kafka refuses a record batch
   * larger than message.max.bytes (MESSAGE_TOO_LARGE), which a burst of small events would otherwise make. The
   * requests go one after another, so order per partition holds.
   */
  async publish(events: readonly (CloudEvent & { topic: string })[]): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    const chunks: { topic: string; message: Message }[][] = [[]];
    let chunkBytes = 0;
    for (const e of events) {
      const message = toKafkaMessage(e);
      const bytes = messageBytes(message);
      if (bytes > MAX_EVENT_BYTES) throw new EventTooLargeError(e.id, bytes); // checked before anything is written
      const cost = bytes + RECORD_OVERHEAD_BYTES;
      if (chunkBytes + cost > MAX_EVENT_BYTES && chunks.at(-1)!.length > 0) {
        chunks.push([]);
        chunkBytes = 0;
      }
      chunks.at(-1)!.push({ topic: e.topic, message });
      chunkBytes += cost;
    }
    for (const chunk of chunks) {
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of chunk) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    }
  }
  /** For messages that are not (valid) CloudEvents, e.g. copies sent to a dead-letter topic. */
  async sendRaw(topic: string, messages: Message[]): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, acks: -1, messages });
  }
  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}

/**
 * Remembers which events a consumer group has handled, so redelivered events are skipped. An event is known by its
 * ce_id AND the digest of its content (canonical bytes + decision signature): a forger who sends an event under a
 * real event's id first does not make the real one a "duplicate" (issue #13).
 */
export class ProcessedEvents {
  private readonly collection: Collection<{ _id: string; group: string; eventId: string; type: string; processedAt: Date }>;
  constructor(db: Db, collectionName = 'processed_events') {
    this.collection = db.collection(collectionName);
  }
  /** `<group>:<ce_id>:<content digest>`: the _id of a processed event's document. */
  static key(group: string, event: CloudEvent): string {
    return `${group}:${event.id}:${eventContentDigest(event)}`;
  }
  /** `key` is `ProcessedEvents.key(group, event)`, computed once per event (the digest canonicalises its data). */
  async seen(key: string): Promise<boolean> {
    return (await this.collection.countDocuments({ _id: key }, { limit: 1 })) > 0;
  }
  async remember(key: string, group: string, event: CloudEvent): Promise<void> {
    try {
      await insertOne(this.collection, { _id: key, group, eventId: event.id, type: event.type, processedAt: new Date() }, 'processed event');
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
}

export type EventHandler = (event: CloudEvent, meta: { topic: string; partition: number; offset: string }) => Promise<void>;

export type ConsumerOptions = {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  handler: EventHandler;
  processed: ProcessedEvents;
  logger: Logger;
  fromBeginning?: boolean;
  /**
   * Where events that can never be handled go, so one poison event does not stop the stream. Default: the consumer
   * principal's own `bps.dlq.<principal>.<topic>` (catalog deadLetterTopic), which only that principal may write.
   */
  deadLetterTopic?: (topic: string) => string;
  /**
   * How many times an event is tried before it is dead-lettered as `retries-exhausted` (issue #15: a poison event
   * — a decode error, a stack overflow, anything that keeps failing — must not block its partition forever).
   * Failures a retry cannot fix (non-retriable platform errors) are dead-lettered at the first. Default 5.
   */
  maxAttempts?: number;
  /** Pause before the second attempt, doubled for each later one (capped at 4 s). Default 500 ms (five attempts span about 7.5 s, within the group's session timeout: heartbeats are sent between attempts). */
  retryDelayMs?: number;
  /**
   * Puts a dead-lettered event on record. Default: a bps.event.deadlettered event on the topic family the
   * consumer's principal owns (the audit service files it); the audit service, which does not consume its own
   * topic, records straight into its log.
   */
  onDeadLetter?: (record: EventDeadLettered) => Promise<void>;
  /** Names the consuming service in dead-letter records (default: the principal). */
  service?: string;
  /**
   * Partitions handled side by side (kafkajs `partitionsConsumedConcurrently`); events of one partition, hence of one
   * key, are still handled one after the other. Default 1.
   */
  partitionsConsumedConcurrently?: number;
};

export type DeadLetterReason = 'foreign-source' | 'undecodable' | 'unhandleable' | 'retries-exhausted';

export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly dlqProducer: EventProducer;
  /** Messages behind the high watermark per topic-partition, as of the last batch handled (bps.consumer.lag). */
  private readonly lag = new Map<string, { topic: string; partition: number; lag: number }>();
  private unobserve: (() => void) | undefined;
  constructor(private readonly options: ConsumerOptions) {
    this.consumer = options.kafka.consumer({ groupId: options.groupId, sessionTimeout: 15_000, heartbeatInterval: 1_000, retry: { retries: 10 } });
    this.dlqProducer = new EventProducer(options.kafka);
  }

  async start(): Promise<void> {
    const { topics, fromBeginning = true } = this.options;
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.lag.set(`${payload.topic}|${payload.partition}`, { topic: payload.topic, partition: payload.partition, lag: Number(payload.offsetLag) });
    });
    this.unobserve ??= observeGauge(
      'bps.consumer.lag',
      { description: 'Messages a consumer group has yet to handle per topic partition (as of its last batch)' },
      async () =>
        [...this.lag.values()].map(
          (l) =>
            [
              l.lag,
              {
                'messaging.consumer.group.name': this.options.groupId,
                'messaging.destination.name': l.topic,
                'messaging.destination.partition.id': String(l.partition),
              },
            ] as const,
        ),
    );
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning });
    // Joining the group goes on in the background (`ready()` tells when it is done). After a kill -9 the group still
    // counts the dead member until its session times out, and the join waits for it: a restarted service serves its
    // calls meanwhile instead of staying closed for that long (issue #19), and then consumes from its committed
    // offsets, so nothing is missed. kafkajs reports a failed join as a crash and restarts the consumer itself.
    void this.consumer
      .run({
        partitionsConsumedConcurrently: Math.max(1, this.options.partitionsConsumedConcurrently ?? 1),
        // kafkajs commits an offset only once eachMessage for it has resolved.
        eachMessage: async ({ topic, partition, message, heartbeat }) => this.handle(topic, partition, message, heartbeat),
      })
      .catch((error: unknown) => this.options.logger.error({ err: errorMessage(error), group: this.options.groupId }, 'consumer stopped'));
  }

  /** Calls `listener` each time the consumer (re)joins its group: the partitions it holds may have changed. */
  onGroupJoin(listener: () => void): () => void {
    return this.consumer.on(this.consumer.events.GROUP_JOIN, () => listener());
  }

  /** Resolves once the consumer has joined its group and been given partitions. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumer ${this.options.groupId} did not join within ${timeoutMs}ms`)), timeoutMs);
      const remove = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        remove();
        resolve();
      });
    });
  }

  private async handle(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void> = async () => undefined): Promise<void> {
    const { groupId, processed, handler, logger } = this.options;
    let event: CloudEvent;
    try {
      event = fromKafkaMessage(message);
    } catch (error) {
      logger.error({ topic, partition, offset: message.offset, err: errorMessage(error) }, 'undecodable message sent to dead-letter topic');
      await this.deadLetter(topic, partition, message, error, 'undecodable', 1);
      return;
    }
    const foreign = foreignSourceReason(topic, event.source);
    if (foreign !== undefined) {
      // Refused: only the topic's owner speaks on it. Not handled, not remembered; kept in the dead-letter topic.
      logger.error({ topic, ceId: event.id, type: event.type, source: event.source }, `event refused (${foreign}); sent to dead-letter topic`);
      await this.deadLetter(topic, partition, message, new ValidationError([{ field: 'ce_source', description: foreign }]), 'foreign-source', 1, event);
      return;
    }
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      let processedKey: string | undefined;
      try {
        // Everything that reads the event's content is inside the attempt: computing its digest canonicalises the
        // data, which a poison event (JSON nested thousands deep) can make throw.
        processedKey = ProcessedEvents.key(groupId, event);
        if (await processed.seen(processedKey)) {
          logger.debug({ ceId: event.id, type: event.type }, 'duplicate event skipped');
          recordConsumed(groupId, topic, 'duplicate');
          return;
        }
        const parent = extractTraceContext({ traceparent: event.traceparent, tracestate: event.tracestate });
        await inSpan(
          `${topic} process`,
          {
            kind: SpanKind.CONSUMER,
            parent,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.destination.name': topic,
              'messaging.message.id': event.id,
              'cloudevents.event_type': event.type,
            },
          },
          () => handler(event, { topic, partition, offset: message.offset }),
        );
        await processed.remember(processedKey, groupId, event);
        recordConsumed(groupId, topic, 'handled');
        return;
      } catch (error) {
        const retriable = isRetriable(error);
        if (retriable && attempt < maxAttempts) {
          logger.warn({ ceId: event.id, type: event.type, attempt, err: errorMessage(error) }, 'event handling failed; will retry');
          await new Promise((resolve) => setTimeout(resolve, Math.min((this.options.retryDelayMs ?? 500) * 2 ** (attempt - 1), 4_000)));
          await heartbeat();
          continue;
        }
        const reason = retriable ? 'retries-exhausted' : 'unhandleable';
        logger.error({ ceId: event.id, type: event.type, attempt, reason, err: errorMessage(error) }, 'event could not be handled; sent to dead-letter topic');
        await this.deadLetter(topic, partition, message, error, reason, attempt, event);
        if (processedKey !== undefined) await processed.remember(processedKey, groupId, event).catch(() => undefined);
        return;
      }
    }
  }

  /** Sends the message as received to the dead-letter topic (header `x-bps-dead-letter-reason`), then puts that on record. */
  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    reason: DeadLetterReason,
    attempts: number,
    event?: CloudEvent,
  ): Promise<void> {
    const principal = principalOf(this.options.kafka);
    const target = (this.options.deadLetterTopic ?? ((t: string) => deadLetterTopic(principal, t)))(topic);
    const headers = {
      ...(message.headers ?? {}),
      'x-bps-error': clipText(errorMessage(error), 1024),
      'x-bps-consumer-group': this.options.groupId,
      'x-bps-source-topic': topic,
      'x-bps-dead-letter-reason': reason,
      'x-bps-attempts': String(attempts),
    };
    await this.dlqProducer.sendRaw(target, [{ key: message.key, value: message.value, headers }]);
    recordConsumed(this.options.groupId, topic, 'dead_lettered', reason);
    const record: EventDeadLettered = {
      service: this.options.service ?? principal,
      consumerGroup: this.options.groupId,
      sourceTopic: topic,
      partition,
      offset: message.offset,
      deadLetterTopic: target,
      eventId: clipText(event?.id ?? ''),
      eventType: clipText(event?.type ?? ''),
      eventSource: clipText(event?.source ?? ''),
      reason,
      message: clipText(errorMessage(error), 1024),
      attempts,
      at: new Date(),
    };
    await (this.options.onDeadLetter ?? ((r: EventDeadLettered) => this.recordOnOwnTopic(r)))(record);
  }

  /** The default record of a dead letter: bps.event.deadlettered on the family the consumer's principal writes. */
  private async recordOnOwnTopic(record: EventDeadLettered): Promise<void> {
    const principal = principalOf(this.options.kafka);
    const family = (Object.keys(topicOwners) as TopicFamily[]).find((f) => topicOwners[f].principal === principal);
    const consumed = topicFamilyOf(record.sourceTopic);
    if (family === undefined || consumed === undefined) {
      this.options.logger.warn({ principal, topic: record.sourceTopic }, 'dead letter not put on record: the consumer writes no topic family');
      return;
    }
    const namespace = record.sourceTopic.slice(topics[consumed].length + 1);
    const event = newEvent(refusalEvents.eventDeadLettered[family], record, {
      source: topicOwners[family].sources[0],
      key: record.consumerGroup,
      subject: `dead-letters/${record.consumerGroup}`,
      topicNamespace: namespace || undefined,
    });
    // The dead-letter copy (with its reason headers) is already written: a record that cannot be sent is logged,
    // never allowed to block the partition.
    await this.dlqProducer
      .publish([event])
      .catch((error: unknown) =>
        this.options.logger.error({ err: errorMessage(error), topic: event.topic, deadLetter: record }, 'dead letter could not be put on record'),
      );
  }

  async stop(): Promise<void> {
    this.unobserve?.();
    this.unobserve = undefined;
    await this.consumer.disconnect();
    await this.dlqProducer.disconnect();
  }
}
