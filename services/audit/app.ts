// The audit service from explicit dependencies: tests start it in-process with their own database, topic
// namespace and consumer group.
import { AuditService } from '../../proto/gen/bps/audit/v1/audit';
import type { TokenVerifier } from '../shared/auth/identity';
import type { JSONWebKeySet } from 'jose';
import { topicName, topics } from '../shared/events/catalog';
import { decisionVerifier } from '../shared/events/decision-signature';
import { RefusalRecorder } from '../shared/grpc/refusals';
import { startGrpcServer } from '../shared/grpc/server';
import type { GrpcTls } from '../shared/grpc/tls';
import { kafkaDependency, mongoDependency, type HealthCheckTiming } from '../shared/grpc/health';
import { createKafka, ensureTopics, EventConsumer, EventProducer, newEvent, ProcessedEvents, type KafkaCredentials } from '../shared/kafka/kafka';
import { refusalEvents } from '../shared/events/refusals';
import { AUDIT_SOURCE } from './domain/refusal';
import type { Db } from 'mongodb';
import type { Logger } from '../shared/log/logger';
import { connectMongo } from '../shared/mongo/mongo';
import { IdempotencyStore } from '../shared/idempotency/idempotency';
import { OutboxRelay } from '../shared/mongo/outbox';
import { CheckpointStore } from './adapters/mongo/checkpoints';
import { auditHandler } from './adapters/kafka/consumer';
import { recordPlatformEvent } from './application/record-event';
import { auditServer } from './adapters/grpc/handlers';
import { KeyRing } from './adapters/mongo/keys';
import { LogStore } from './adapters/mongo/log-store';
import { TraceReader } from './application/trace';
import { MongoVerificationAnchors } from './adapters/mongo/verification-anchors';
import type { HashAlgorithm } from './domain/hashing';
import type { SignatureAlgorithm, SigningKey } from './domain/signing';

export type AuditDeps = {
  /** How often gRPC health checks the database and Kafka (default every 5 s, 2 s each). */
  readonly healthCheck?: HealthCheckTiming;
  readonly mongoUri: string;
  readonly dbName: string;
  readonly kafkaBrokers: string;
  /** This service's Kafka principal (SASL/SCRAM-SHA-512). */
  readonly kafkaCredentials: KafkaCredentials;
  readonly topicNamespace: string;
  readonly grpcPort: number;
  /** Where gRPC binds (BPS_GRPC_HOST; default 127.0.0.1). */
  readonly grpcHost?: string;
  /** mTLS for gRPC (BPS_GRPC_TLS_*; required in production): the server asks for client certificates; plaintext without. */
  readonly grpcTls?: GrpcTls | undefined;
  readonly tokens: TokenVerifier;
  readonly logger: Logger;
  readonly environment: string;
  readonly hashAlgorithm: HashAlgorithm;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** PEM or hex; absent outside production = a development key kept in the audit DB. */
  readonly signingKey?: string;
  readonly checkpointIntervalMs: number;
  readonly consumerGroup?: string;
  readonly outboxPollMs?: number;
  /** The public JWKS decisions changing the standard are verified against (BPS_DECISION_PUBLIC_JWKS). */
  readonly decisionPublicJwks: string | JSONWebKeySet;
};

export type AuditApp = {
  readonly port: number;
  readonly db: Db;
  /** The consumer group; its processed_events record which ce_ids are fully recorded. */
  readonly consumerGroup: string;
  readonly store: LogStore;
  readonly checkpoints: CheckpointStore;
  readonly keys: KeyRing;
  readonly signingKey: SigningKey;
  stop(): Promise<void>;
};

/** Every platform topic the audit service records (not its own: checkpoints of checkpoints would never settle). */
export function auditedTopics(namespace: string): string[] {
  return Object.values(topics)
    .filter((t) => t !== topics.audit)
    .map((t) => topicName(t, namespace));
}

export async function startAudit(deps: AuditDeps): Promise<AuditApp> {
  const { logger } = deps;
  const decisions = decisionVerifier(deps.decisionPublicJwks); // fails fast on a bad key set
  const mongo = await connectMongo(deps.mongoUri, deps.dbName);
  const store = new LogStore(mongo.db, deps.hashAlgorithm);
  const keys = new KeyRing(mongo.db);
  await Promise.all([store.init(), keys.init()]);
  const signingKey = await keys.signingKey({ algorithm: deps.signatureAlgorithm, configured: deps.signingKey, environment: deps.environment, logger });
  const checkpoints = new CheckpointStore(mongo.db, store, signingKey, { hashAlgorithm: deps.hashAlgorithm, topicNamespace: deps.topicNamespace, logger });
  await checkpoints.init();

  const kafka = createKafka({ brokers: deps.kafkaBrokers, clientId: 'bps-audit', logger, credentials: deps.kafkaCredentials });
  const consumed = auditedTopics(deps.topicNamespace);
  await ensureTopics(kafka, [...consumed, topicName(topics.audit, deps.topicNamespace)]);
  const producer = new EventProducer(kafka);
  const relay = new OutboxRelay([checkpoints.collection], producer, logger, { pollMs: deps.outboxPollMs });
  const consumerGroup = deps.consumerGroup ?? (deps.topicNamespace ? `bps-audit.${deps.topicNamespace}` : 'bps-audit');
  const consumer = new EventConsumer({
    kafka,
    groupId: consumerGroup,
    topics: consumed,
    handler: auditHandler(store, deps.topicNamespace, decisions, logger),
    processed: new ProcessedEvents(mongo.db),
    logger,
    service: 'audit',
    // Its own dead letters go straight into its log (it does not consume bps.audit.v1).
    onDeadLetter: async (record) => {
      await recordPlatformEvent(
        store,
        topics.audit,
        newEvent(refusalEvents.eventDeadLettered.audit, record, {
          source: AUDIT_SOURCE,
          key: record.consumerGroup,
          subject: `dead-letters/${record.consumerGroup}`,
          topicNamespace: deps.topicNamespace,
        }),
      );
    },
  });
  // Not waiting for the group join: after a kill -9 it waits for the dead member's session to expire, and the trail
  // can be read and verified meanwhile; entries follow once joined (from the committed offsets).
  await consumer.start();
  relay.start();
  checkpoints.startInterval(deps.checkpointIntervalMs);

  const traces = new TraceReader(store, checkpoints, () => keys.all());
  // The audit service files its own refusals straight into its log (it does not consume its own topic).
  const refusals = new RefusalRecorder({
    service: 'audit',
    family: 'audit',
    topicNamespace: deps.topicNamespace,
    sink: async (events) => {
      for (const e of events) await recordPlatformEvent(store, topics.audit, e);
    },
    logger,
  });
  const server = await startGrpcServer({
    ...(deps.grpcHost ? { host: deps.grpcHost } : {}),
    tls: deps.grpcTls,
    idempotency: new IdempotencyStore(mongo.db),
    refusals,
    serviceName: 'audit',
    port: deps.grpcPort,
    services: [
      { definition: AuditService, implementation: auditServer({ store, checkpoints, anchors: new MongoVerificationAnchors(mongo.db), keys, traces }) },
    ],
    tokens: deps.tokens,
    logger,
    dependencies: [mongoDependency(mongo), kafkaDependency(kafka)],
    ...(deps.healthCheck ? { healthCheck: deps.healthCheck } : {}),
  });

  return {
    port: server.port,
    db: mongo.db,
    consumerGroup,
    store,
    checkpoints,
    keys,
    signingKey,
    stop: async () => {
      await server.shutdown();
      await refusals.stop();
      await consumer.stop();
      await checkpoints.stop();
      await relay.stop();
      await producer.disconnect();
      await mongo.close();
    },
  };
}
