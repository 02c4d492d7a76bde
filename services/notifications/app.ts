// Builds the notifications service from explicit dependencies, so tests run it in-process with their own
// database, topic namespace, consumer group and ports.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { CommandStartedEvent } from 'mongodb';
import type { JSONWebKeySet } from 'jose';
import { PermissionDeniedError } from '../shared/errors/errors';
import { SubscriptionsService } from '../../proto/gen/bps/notifications/v1/subscriptions';
import { deadLetterTopic, topicName, topics } from '../shared/events/catalog';
import { kafkaDependency, mongoDependency } from '../shared/grpc/health';
import { EventConsumer, principalOf, ProcessedEvents, type EventHandler } from '../shared/kafka/kafka';
import { decisionVerifier, isStandardChanging, type DecisionVerifier } from '../shared/events/decision-signature';
import type { Logger } from '../shared/log/logger';
import { Outbox, OutboxRelay } from '../shared/mongo/outbox';
import { hostService } from '../shared/runtime/host';
import { startGrpcEdge, startMongo, startProducer, startTopics, type DatabaseDeps, type GrpcEdgeDeps } from '../shared/runtime/parts';
import { endpointPolicy } from './domain/endpoint-policy';
import type { RetryPolicy } from './domain/retry';
import { DeliveryWorker } from './adapters/webhooks/delivery-worker';
import { FeedSignal } from './application/feed';
import { subscriptionsServer } from './adapters/grpc/subscriptions';
import { intakeHandler } from './adapters/kafka/intake';
import { AttemptLog, DeliveryRepository, FeedRepository, SubscriptionRepository } from './adapters/mongo/store';
import { SubscriptionIndex } from './application/subscription-index';
import { SubscriptionCommands } from './application/subscription-commands';
import { WebhookSender } from './adapters/webhooks/sender';

export type NotificationsDeps = DatabaseDeps &
  GrpcEdgeDeps & {
    readonly kafka: Kafka;
    readonly topicNamespace: string;
    readonly consumerGroup: string;
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

export type RunningNotifications = {
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

export function startNotifications(deps: NotificationsDeps): Promise<RunningNotifications> {
  const { logger } = deps;
  let stopMode: 'graceful' | 'abandon' = 'graceful';
  return hostService({ name: 'notifications', logger }, async (host) => {
    // Few commands in flight: FerretDB v1.24 on PostgreSQL wedged (every request hangs, PostgreSQL idle, until it is
    // restarted) under bursts of concurrent commands on this machine, with the driver's default pool of 100.
    const mongo = await startMongo(host, deps, { maxPoolSize: deps.mongoMaxPoolSize ?? 8, ...(deps.onDatabaseCommand ? { monitorCommands: true } : {}) });
    if (deps.onDatabaseCommand) mongo.client.on('commandStarted', deps.onDatabaseCommand);
    const subscriptions = new SubscriptionRepository(mongo.db);
    const feed = new FeedRepository(mongo.db);
    const deliveries = new DeliveryRepository(mongo.db);
    const attempts = new AttemptLog(mongo.db);
    const outbox = new Outbox(mongo.db);
    await host.step('collections', () => Promise.all([subscriptions.init(), feed.init(), deliveries.init(), attempts.init(), outbox.init()]));
    // Collections otherwise created by their first write are created now, one at a time: the first writes come side
    // by side (partitions consumed concurrently), and FerretDB v1 creating one collection from concurrent requests
    // was seen to wedge it.
    for (const name of ['processed_events', 'counters']) {
      await host.step(`collection ${name}`, () =>
        mongo.db.createCollection(name).then(
          () => undefined,
          (error: unknown) => {
            if ((error as { code?: number }).code !== 48) throw error; // NamespaceExists
          },
        ),
      );
    }
    const index = new SubscriptionIndex(subscriptions);
    const local: { worker?: DeliveryWorker } = {}; // the worker needs the commands, the commands tell the worker
    const commands = new SubscriptionCommands(subscriptions, deliveries, (id, rowsMoved) => {
      index.invalidate();
      if (rowsMoved) local.worker?.subscriptionChanged(id);
    });

    const consumed = [
      topicName(topics.standards, deps.topicNamespace),
      topicName(topics.approvals, deps.topicNamespace),
      topicName(topics.programme, deps.topicNamespace),
    ];
    const emitted = topicName(topics.notifications, deps.topicNamespace);
    await startTopics(host, deps.kafka, [...consumed, emitted, ...consumed.map((t) => deadLetterTopic(principalOf(deps.kafka), t))]);

    const producer = await startProducer(host, deps.kafka, { connect: true });
    // Started last (below); stopped after the gRPC edge, then a graceful stop sends what is left.
    const relay = await host.start(
      'outbox relay',
      () => new OutboxRelay([outbox.collection], producer, logger, { pollMs: deps.outboxPollMs }),
      async (r) => {
        await r.stop();
        if (stopMode === 'graceful') await r.relayOnce().catch(() => 0);
      },
    );

    const sender = new WebhookSender(endpointPolicy(deps.allowedHosts));
    host.onStop('webhook sender', () => sender.close());
    const { partitionsConcurrently = 3, ...delivery } = deps.delivery;
    const deliveryWorker = new DeliveryWorker(
      { index, commands, deliveries, attempts, feed, outbox, events: producer, sender, topicNamespace: deps.topicNamespace, logger },
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
    const grpc = await startGrpcEdge(host, deps, {
      serviceName: 'notifications',
      family: 'notifications',
      db: mongo.db,
      refusals: (events) => outbox.append(events),
      dependencies: [mongoDependency(mongo), kafkaDependency(deps.kafka)],
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
    await host.launch('event consumer', consumer);
    await joined;
    // Stopped first: the streams end, then the deliveries in flight (dropped unrecorded when abandoned), then intake.
    await host.start(
      'delivery worker',
      () => deliveryWorker.start(),
      () => deliveryWorker.stop(stopMode),
    );
    host.onStop('feed streams', () => stopping.abort());
    await host.step('outbox relay start', () => relay.start());
    logger.info({ grpcPort: grpc.port, db: deps.dbName, topics: consumed }, 'notifications started');

    return {
      grpcPort: grpc.port,
      stop(mode: 'graceful' | 'abandon' = 'graceful') {
        stopMode = mode;
        return host.stop();
      },
    };
  });
}
