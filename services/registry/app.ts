// Builds the registry from explicit dependencies, so tests run it in-process with their own database, topic
// namespace and ports. main.ts only reads config and calls startRegistry.
import type { TokenVerifier } from '../shared/auth/identity';
import type { JSONWebKeySet } from 'jose';
import { topics, topicName } from '../shared/events/catalog';
import { decisionVerifier } from '../shared/events/decision-signature';
import { RefusalRecorder, refusalOutbox } from '../shared/grpc/refusals';
import { startGrpcServer } from '../shared/grpc/server';
import type { GrpcTls } from '../shared/grpc/tls';
import { inRootSpan } from '../shared/telemetry/otel';
import { kafkaDependency, mongoDependency, type HealthCheckTiming } from '../shared/grpc/health';
import { createKafka, ensureTopics, EventProducer, type KafkaCredentials } from '../shared/kafka/kafka';
import type { Logger } from '../shared/log/logger';
import { connectMongo } from '../shared/mongo/mongo';
import { IdempotencyStore } from '../shared/idempotency/idempotency';
import { OutboxRelay } from '../shared/mongo/outbox';
import { StandardRegistryService } from '../../proto/gen/bps/registry/v1/registry';
import { registryHandlers } from './adapters/grpc/handlers';
import { changeSetConsumer } from './adapters/kafka/change-sets';
import { RegistryStore } from './adapters/mongo/store';
import { EffectiveScheduler, MonitoringScheduler } from './adapters/scheduler';
import { DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT } from '../shared/standards/monitoring';
import { Registry } from './registry';

export type RegistryDeps = {
  /** How often gRPC health checks the database and Kafka (default every 5 s, 2 s each). */
  healthCheck?: HealthCheckTiming;
  mongoUri: string;
  dbName: string;
  kafkaBrokers: string;
  /** This service's Kafka principal (SASL/SCRAM-SHA-512). */
  kafkaCredentials: KafkaCredentials;
  topicNamespace: string;
  /** 0 = any free port */
  grpcPort: number;
  /** Where gRPC binds (BPS_GRPC_HOST; default 127.0.0.1). */
  grpcHost?: string;
  /** mTLS for gRPC (BPS_GRPC_TLS_*; required in production): the server asks for client certificates; plaintext without. */
  grpcTls?: GrpcTls | undefined;
  tokens: TokenVerifier;
  logger: Logger;
  now?: () => Date;
  /** Days after a raised floor takes effect by which provinces below it must re-file (default 90). */
  refileDays?: number;
  /** National monitoring: percent above the national level from which a filed level is "blindly high" (default 50). */
  blindlyHighMarginPercent?: number;
  /** How often national monitoring looks for early warnings besides after each filing or change (default 10 min). */
  monitorPollMs?: number;
  /** How often the version.effective due list is polled (default 60 s). */
  schedulerPollMs?: number;
  /** How often the outbox relay polls (default 200 ms). */
  relayPollMs?: number;
  /** Versions per timeline page (default 64); tests use small pages to cross page boundaries quickly. */
  timelinePageSize?: number;
  /** Consumer group for approved change sets (default "registry" + namespace). */
  consumerGroupId?: string;
  /** The public JWKS approved change sets are verified against (BPS_DECISION_PUBLIC_JWKS). */
  decisionPublicJwks: string | JSONWebKeySet;
};

export type RunningRegistry = {
  readonly grpcPort: number;
  readonly registry: Registry;
  readonly store: RegistryStore;
  stop(): Promise<void>;
};

export async function startRegistry(deps: RegistryDeps): Promise<RunningRegistry> {
  const logger = deps.logger;
  const decisions = decisionVerifier(deps.decisionPublicJwks); // fails fast on a bad key set
  const mongo = await connectMongo(deps.mongoUri, deps.dbName);
  const store = new RegistryStore(mongo.db, { pageSize: deps.timelinePageSize });
  await store.init();
  const registry = new Registry({
    store,
    topicNamespace: deps.topicNamespace,
    logger,
    now: deps.now ?? (() => new Date()),
    refileDays: deps.refileDays ?? 90,
    blindlyHighMarginPercent: deps.blindlyHighMarginPercent ?? DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT,
  });
  await registry.projectPending();
  // Seeding is no request: its publications get a trace of their own (issue #20).
  await inRootSpan('registry seed', { 'bps.registry.db': deps.dbName }, () => registry.seed());

  const kafka = createKafka({ brokers: deps.kafkaBrokers, clientId: 'registry', logger, credentials: deps.kafkaCredentials });
  await ensureTopics(kafka, [topicName(topics.standards, deps.topicNamespace), topicName(topics.approvals, deps.topicNamespace)]);
  const producer = new EventProducer(kafka);
  const refused = await refusalOutbox(mongo.db);
  const relay = new OutboxRelay([...store.outboxCollections(), refused.outbox.collection], producer, logger, { pollMs: deps.relayPollMs });
  relay.start();
  const consumer = changeSetConsumer({
    kafka,
    db: mongo.db,
    registry,
    logger,
    topicNamespace: deps.topicNamespace,
    decisions,
    groupId: deps.consumerGroupId ?? (deps.topicNamespace ? `registry.${deps.topicNamespace}` : 'registry'),
  });
  await consumer.start();
  const scheduler = new EffectiveScheduler(registry, logger, deps.schedulerPollMs ?? 60_000);
  scheduler.start();
  const monitor = new MonitoringScheduler(registry, logger, deps.monitorPollMs ?? 600_000);
  monitor.start();

  const refusals = new RefusalRecorder({ service: 'registry', family: 'standards', topicNamespace: deps.topicNamespace, sink: refused.sink, logger });
  const server = await startGrpcServer({
    ...(deps.grpcHost ? { host: deps.grpcHost } : {}),
    tls: deps.grpcTls,
    idempotency: new IdempotencyStore(mongo.db),
    refusals,
    serviceName: 'registry',
    port: deps.grpcPort,
    services: [{ definition: StandardRegistryService, implementation: registryHandlers(registry) }],
    tokens: deps.tokens,
    logger,
    dependencies: [mongoDependency(mongo), kafkaDependency(kafka)],
    ...(deps.healthCheck ? { healthCheck: deps.healthCheck } : {}),
  });

  return {
    grpcPort: server.port,
    registry,
    store,
    async stop() {
      await server.shutdown();
      await refusals.stop();
      await scheduler.stop();
      await monitor.stop();
      await registry.monitorIdle();
      await consumer.stop();
      await relay.stop();
      await producer.disconnect();
      await mongo.close();
    },
  };
}
