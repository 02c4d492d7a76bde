// Builds the notifications service from explicit dependencies, so tests run it in-process with their own
// database, topic namespace, consumer group and ports.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { MongoNetworkError, type CommandStartedEvent } from 'mongodb';
import type { JSONWebKeySet } from 'jose';
import { errorMessage, PermissionDeniedError } from '../shared/errors/errors';
import { SubscriptionsService } from '../../proto/gen/bps/notifications/v1/subscriptions';
import type { TokenVerifier } from '../shared/auth/identity';
import { deadLetterTopic, topicName, topics } from '../shared/events/catalog';
import { RefusalRecorder } from '../shared/grpc/refusals';
import { startGrpcServer } from '../shared/grpc/server';
import type { GrpcTls } from '../shared/grpc/tls';
import { kafkaDependency, mongoDependency, type HealthCheckTiming } from '../shared/grpc/health';
import { ensureTopics, EventConsumer, EventProducer, principalOf, ProcessedEvents, type EventHandler } from '../shared/kafka/kafka';
import { decisionVerifier, isStandardChanging, type DecisionVerifier } from '../shared/events/decision-signature';
import type { Logger } from '../shared/log/logger';
import { connectMongo } from '../shared/mongo/mongo';
import { IdempotencyStore } from '../shared/idempotency/idempotency';
import { Outbox, OutboxRelay } from '../shared/mongo/outbox';
import { endpointPolicy } from './domain/endpoint-policy';
import type { RetryPolicy } from './domain/retry';
import { DeliveryWorker } from './adapters/webhooks/delivery-worker';
import { FeedSignal } from './application/feed';
import { subscriptionsServer } from './adapters/grpc/handlers';
import { intakeHandler } from './adapters/kafka/intake';
import { AttemptLog, DeliveryRepository, FeedRepository, SubscriptionRepository } from './adapters/mongo/store';
import { SubscriptionIndex } from './application/subscription-index';
import { SubscriptionCommands } from './application/subscription-commands';
import { WebhookSender } from './adapters/webhooks/sender';

export type NotificationsDeps = {
  /** How often gRPC health checks the database and Kafka (default every 5 s, 2 s each). */
  readonly healthCheck?: HealthCheckTiming;
  readonly mongoUri: string;
  readonly dbName: string;
  readonly kafka: Kafka;
  readonly topicNamespace: string;
  readonly consumerGroup: string;
  readonly grpcPort: number;
  /** Where gRPC binds (BPS_GRPC_HOST; default 127.0.0.1). */
  readonly grpcHost?: string;
  /** mTLS for gRPC (BPS_GRPC_TLS_*; required in production): the server asks for client certificates; plaintext without. */
  readonly grpcTls?: GrpcTls | undefined;
  readonly tokens: TokenVerifier;
  readonly logger: Logger;
  /** Hosts, addresses or CIDRs that may be internal (SSRF allow-list). */
  readonly allowedHosts: readonly string[];
  readonly retry: RetryPolicy;
  readonly delivery: {
    /**
     * Kafka partitions fanned out side by side (per-key order is kept: a key stays in its partition). Default 3.
     * (It was 1 while FerretDB v1 wedged under concurrent writes; infra/local/ferretdb-patches fixed that.)
     */
    readonly partitionsConcurrently?: number;
    readonly concurrency: number;
    readonly perSubscriptionConcurrency: number;
    readonly requestTimeoutMs: number;
    readonly leaseMs: number;
    readonly pollMs: number;
    readonly sweepMs: number;
  };
  readonly stream: { readonly pollMs: number; readonly gapGraceMs: number; readonly batchSize: number };
  /** How long a rotated-out secret keeps signing when the caller names no grace period. */
  readonly defaultSecretGraceMs: number;
  readonly outboxPollMs: number;
  /** Identifies this process's claims in the delivery log; unique per start by default. */
  readonly workerId?: string;
  /**
   * The public JWKS decisions changing the standard are verified against (BPS_DECISION_PUBLIC_JWKS): a forged one is
   * dead-lettered, never fed to subscribers (and cannot take a real event's feed id).
   */
  readonly decisionPublicJwks?: string | JSONWebKeySet;
  /** Connections to the database (default 8: see startNotifications). */
  readonly mongoMaxPoolSize?: number;
  /** Sees every command the service sends to its database (tests count round trips). */
  readonly onDatabaseCommand?: (command: CommandStartedEvent) => void;
};

export type NotificationsApp = {
  readonly grpcPort: number;
  /** Graceful stop; `abandon` drops sends in flight without recording them, like a killed process. */
  stop(mode?: 'graceful' | 'abandon'): Promise<void>;
};

/** Events that change the standard reach subscribers only when their decision signature verifies (issue #13). */
function verifiedDecisions(handler: EventHandler, decisions: DecisionVerifier | undefined, logger: Logger): EventHandler {
  if (!decisions) return handler;
  return async (event, meta) => {
    if (isStandardChanging(event.type)) {
      const verified = await decisions.verify(event);
      if (!verified.ok) {
        logger.warn({ ceId: event.id, reason: verified.reason }, 'forged decision not fed to subscribers');
        throw new PermissionDeniedError(`decision signature refused (${verified.reason}): ${verified.detail}`, 'FORGED_DECISION');
      }
    }
    await handler(event, meta);
  };
}

/**
 * Start-up steps worth another try: the database dropped a connection, or Kafka does not yet serve a topic it
 * has just created (a busy single-node broker reports UNKNOWN_TOPIC_OR_PARTITION for a moment).
 */
const transientAtStart = (error: unknown): boolean =>
  error instanceof MongoNetworkError ||
  (error instanceof Error && error.name.startsWith('KafkaJS') && (error as { retriable?: boolean }).retriable === true) ||
  (error instanceof Error && /does not host this topic-partition/.test(error.message));

async function retryTransient<T>(step: () => Promise<T>, logger: Logger, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= attempts || !transientAtStart(error)) throw error;
      logger.warn({ err: errorMessage(error), attempt }, 'start-up step failed transiently; retrying');
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

export async function startNotifications(deps: NotificationsDeps): Promise<NotificationsApp> {
  const { logger } = deps;
  // Few commands in flight: FerretDB v1.24 on PostgreSQL wedged (every request hangs, PostgreSQL idle, until it is
  // restarted) under bursts of concurrent commands on this machine, with the driver's default pool of 100.
  const mongo = await connectMongo(deps.mongoUri, deps.dbName, {
    maxPoolSize: deps.mongoMaxPoolSize ?? 8,
    ...(deps.onDatabaseCommand ? { monitorCommands: true } : {}),
  });
  if (deps.onDatabaseCommand) mongo.client.on('commandStarted', deps.onDatabaseCommand);
  const subscriptions = new SubscriptionRepository(mongo.db);
  const feed = new FeedRepository(mongo.db);
  const deliveries = new DeliveryRepository(mongo.db);
  const attempts = new AttemptLog(mongo.db);
  const outbox = new Outbox(mongo.db);
  await retryTransient(() => Promise.all([subscriptions.init(), feed.init(), deliveries.init(), attempts.init(), outbox.init()]), logger);
  // Collections otherwise created by their first write are created now, one at a time: the first writes come side
  // by side (partitions consumed concurrently), and FerretDB v1 creating one collection from concurrent requests
  // was seen to wedge it.
  for (const name of ['processed_events', 'counters']) {
    await retryTransient(
      () =>
        mongo.db.createCollection(name).then(
          () => undefined,
          (error: unknown) => {
            if ((error as { code?: number }).code !== 48) throw error; // NamespaceExists
          },
        ),
      logger,
    );
  }
  const index = new SubscriptionIndex(subscriptions);
  const local: { worker?: DeliveryWorker } = {}; // the worker needs the commands, the commands tell the worker
  const commands = new SubscriptionCommands(subscriptions, deliveries, (id) => {
    index.invalidate();
    local.worker?.subscriptionChanged(id);
  });

  const consumed = [
    topicName(topics.standards, deps.topicNamespace),
    topicName(topics.approvals, deps.topicNamespace),
    topicName(topics.programme, deps.topicNamespace),
  ];
  const emitted = topicName(topics.notifications, deps.topicNamespace);
  await retryTransient(() => ensureTopics(deps.kafka, [...consumed, emitted, ...consumed.map((t) => deadLetterTopic(principalOf(deps.kafka), t))]), logger);

  const producer = new EventProducer(deps.kafka);
  await producer.connect();
  const relay = new OutboxRelay([outbox.collection], producer, logger, { pollMs: deps.outboxPollMs });

  const sender = new WebhookSender(endpointPolicy(deps.allowedHosts));
  const { partitionsConcurrently = 3, ...delivery } = deps.delivery;
  const deliveryWorker = new DeliveryWorker(
    { index, commands, deliveries, attempts, feed, outbox, sender, topicNamespace: deps.topicNamespace, logger },
    { workerId: deps.workerId ?? `notifications-${randomUUID().slice(0, 8)}`, retry: deps.retry, ...delivery },
  );
  local.worker = deliveryWorker;
  const feedSignal = new FeedSignal();
  const decisions = deps.decisionPublicJwks !== undefined ? decisionVerifier(deps.decisionPublicJwks) : undefined;
  const consumer = new EventConsumer({
    kafka: deps.kafka,
    groupId: deps.consumerGroup,
    topics: consumed,
    processed: new ProcessedEvents(mongo.db),
    logger,
    partitionsConsumedConcurrently: partitionsConcurrently,
    handler: verifiedDecisions(
      intakeHandler({ feed, subscriptions: index, deliveries, worker: deliveryWorker, logger, onAppended: () => feedSignal.notify() }),
      decisions,
      logger,
    ),
  });
  // A (re)join may have moved partitions, hence keys, between instances: lanes look at the database again.
  consumer.onGroupJoin(() => deliveryWorker.untrustAll());

  const stopping = new AbortController();
  const refusals = new RefusalRecorder({
    service: 'notifications',
    family: 'notifications',
    topicNamespace: deps.topicNamespace,
    sink: (events) => outbox.append(events),
    logger,
  });
  const grpc = await startGrpcServer({
    ...(deps.grpcHost ? { host: deps.grpcHost } : {}),
    tls: deps.grpcTls,
    idempotency: new IdempotencyStore(mongo.db),
    serviceName: 'notifications',
    port: deps.grpcPort,
    tokens: deps.tokens,
    logger,
    refusals,
    dependencies: [mongoDependency(mongo), kafkaDependency(deps.kafka)],
    ...(deps.healthCheck ? { healthCheck: deps.healthCheck } : {}),
    services: [
      {
        definition: SubscriptionsService,
        implementation: subscriptionsServer({
          subscriptions,
          commands,
          deliveries,
          attempts,
          feed,
          feedSignal,
          endpointPolicy: endpointPolicy(deps.allowedHosts),
          defaultGraceMs: deps.defaultSecretGraceMs,
          stream: deps.stream,
          stopping: stopping.signal,
          kickWorker: () => deliveryWorker.kick(),
          logger,
        }),
      },
    ],
  });

  const joined = consumer.ready();
  await retryTransient(() => consumer.start(), logger);
  await joined;
  deliveryWorker.start();
  relay.start();
  logger.info({ grpcPort: grpc.port, db: deps.dbName, topics: consumed }, 'notifications started');

  return {
    grpcPort: grpc.port,
    async stop(mode = 'graceful') {
      stopping.abort();
      await deliveryWorker.stop(mode);
      await consumer.stop();
      await grpc.shutdown();
      await refusals.stop();
      await relay.stop();
      if (mode === 'graceful') await relay.relayOnce().catch(() => 0);
      await producer.disconnect();
      sender.close();
      await mongo.close();
    },
  };
}
