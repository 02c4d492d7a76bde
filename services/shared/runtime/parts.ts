// The parts every service is made of, started through its ServiceHost (./host.ts): the database, Kafka (client,
// topics, producer), the outbox relay, Temporal (client, worker), and the gRPC edge (refusal recorder, idempotency
// store, health of the dependencies). An app.ts declares which it has, in its start order.
import type { Kafka } from 'kafkajs';
import type { Collection, Db, MongoClientOptions } from 'mongodb';
import type { TokenVerifier } from '../auth/identity';
import type { TopicFamily } from '../events/catalog';
import type { DependencyCheck, HealthCheckTiming } from '../grpc/health';
import { RefusalRecorder, refusalOutbox, type RefusalSink } from '../grpc/refusals';
import { startGrpcServer, type GrpcServer, type ServiceRegistration } from '../grpc/server';
import type { GrpcTls } from '../grpc/tls';
import { IdempotencyStore } from '../idempotency/idempotency';
import { createKafka, ensureTopics, EventProducer, type KafkaCredentials } from '../kafka/kafka';
import type { Logger } from '../log/logger';
import { connectMongo, type MongoHandle } from '../mongo/mongo';
import { OutboxRelay, type Outbox } from '../mongo/outbox';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { PayloadKeys } from '../temporal/sealing';
import { connectTemporal, type TemporalHandle, type TemporalOptions, type TemporalTls } from '../temporal/temporal';
import { runSealedWorker, type RunningWorker } from '../temporal/worker';
import type { ServiceHost } from './host';

/** The service's database. */
export type DatabaseDeps = {
  readonly mongoUri: string;
  readonly dbName: string;
};

/** The service's Kafka principal and topic namespace. */
export type KafkaDeps = {
  readonly kafkaBrokers: string;
  /** This service's Kafka principal (SASL/SCRAM-SHA-512). */
  readonly kafkaCredentials: KafkaCredentials;
  readonly topicNamespace: string;
};

/** The Temporal the service's client and worker connect to. */
export type TemporalDeps = {
  readonly temporalAddress: string;
  readonly temporalNamespace: string;
  /** The platform's payload key(s): the worker and the client seal every payload with it. */
  readonly temporalPayloadKeys: PayloadKeys;
  readonly temporalTls?: TemporalTls;
  /** A pre-built workflow bundle (tests share one across workers; bundling takes seconds). */
  readonly workflowBundle?: WorkflowBundleWithSourceMap;
};

/** Where and how the service's gRPC edge listens. */
export type GrpcEdgeDeps = {
  /** How often gRPC health checks the service's dependencies (default every 5 s, 2 s each). */
  readonly healthCheck?: HealthCheckTiming;
  /** 0 = any free port */
  readonly grpcPort: number;
  /** Where gRPC binds (BPS_GRPC_HOST; default 127.0.0.1). */
  readonly grpcHost?: string;
  /** mTLS for gRPC (BPS_GRPC_TLS_*; required in production): the server asks for client certificates; plaintext without. */
  readonly grpcTls?: GrpcTls | undefined;
  readonly tokens: TokenVerifier;
  readonly logger: Logger;
};

/** Connects the database first; it is closed last. */
export function startMongo(host: ServiceHost, deps: DatabaseDeps, options?: MongoClientOptions): Promise<MongoHandle> {
  return host.start(
    'mongo',
    () => connectMongo(deps.mongoUri, deps.dbName, options, { logger: host.logger }),
    (mongo) => mongo.close(),
  );
}

/** Makes sure the topics exist (and have leaders). */
export function startTopics(host: ServiceHost, kafka: Kafka, topicNames: readonly string[]): Promise<void> {
  return host.step('kafka topics', () => ensureTopics(kafka, topicNames));
}

/** The service's producer (idempotent), disconnected at stop; `connect` connects it now rather than on first use. */
export function startProducer(host: ServiceHost, kafka: Kafka, options: { readonly connect?: boolean } = {}): Promise<EventProducer> {
  return host.start(
    'kafka producer',
    async () => {
      const producer = new EventProducer(kafka);
      if (options.connect) await producer.connect();
      return producer;
    },
    (producer) => producer.disconnect(),
  );
}

/** A Kafka client as the service's principal, the topics it uses, and its producer. */
export async function startKafka(
  host: ServiceHost,
  deps: KafkaDeps,
  clientId: string,
  topicNames: readonly string[],
): Promise<{ readonly kafka: Kafka; readonly producer: EventProducer }> {
  const kafka = createKafka({ brokers: deps.kafkaBrokers, clientId, logger: host.logger, credentials: deps.kafkaCredentials });
  await startTopics(host, kafka, topicNames);
  return { kafka, producer: await startProducer(host, kafka) };
}

/** The outbox collection for the refusals recorded at the gRPC edge (services whose outbox is an event store). */
export function startRefusalOutbox(host: ServiceHost, db: Db): Promise<{ readonly outbox: Outbox; readonly sink: RefusalSink }> {
  return host.step('refusal outbox', () => refusalOutbox(db));
}

/** Publishes the given outbox collections through the producer (started now, stopped at stop). */
export function startOutboxRelay(
  host: ServiceHost,
  collections: readonly Collection<any>[],
  producer: EventProducer,
  options: { readonly pollMs?: number | undefined } = {},
): Promise<OutboxRelay> {
  return host.launch('outbox relay', new OutboxRelay([...collections], producer, host.logger, { pollMs: options.pollMs }));
}

/** One set of connection settings for the client (queries, updates, starts) and the worker. */
function temporalOptions(deps: TemporalDeps): TemporalOptions {
  return {
    address: deps.temporalAddress,
    namespace: deps.temporalNamespace,
    payloadKeys: deps.temporalPayloadKeys,
    ...(deps.temporalTls ? { tls: deps.temporalTls } : {}),
  };
}

/** A Temporal client, closed at stop. */
export function startTemporal(host: ServiceHost, deps: TemporalDeps): Promise<TemporalHandle> {
  return host.start(
    'temporal',
    () => connectTemporal(temporalOptions(deps)),
    (temporal) => temporal.close(),
  );
}

/** A Temporal worker (sealed payloads) on the task queue, stopped (drained) at stop. */
export function startWorker(
  host: ServiceHost,
  deps: TemporalDeps,
  worker: { readonly name: string; readonly taskQueue: string; readonly activities: object },
): Promise<RunningWorker> {
  return host.start(
    'temporal worker',
    () =>
      runSealedWorker({
        ...temporalOptions(deps),
        ...worker,
        ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : {}),
        logger: host.logger,
      }),
    (running) => running.stop(),
  );
}

/**
 * The gRPC edge: the refusal recorder (refusals on record through `refusals`), then the server with its idempotency
 * store and the health of `dependencies`. At stop the server drains first, then the recorder flushes.
 */
export async function startGrpcEdge(
  host: ServiceHost,
  deps: GrpcEdgeDeps & { readonly topicNamespace: string },
  edge: {
    readonly serviceName: string;
    readonly family: TopicFamily;
    readonly db: Db;
    readonly refusals: RefusalSink;
    readonly services: readonly ServiceRegistration[];
    readonly dependencies: readonly DependencyCheck[];
  },
): Promise<GrpcServer> {
  const { serviceName, family } = edge;
  const refusals = await host.start(
    'refusal recorder',
    () => new RefusalRecorder({ service: serviceName, family, topicNamespace: deps.topicNamespace, sink: edge.refusals, logger: deps.logger }),
    (recorder) => recorder.stop(),
  );
  return host.start(
    'grpc server',
    () =>
      startGrpcServer({
        ...(deps.grpcHost ? { host: deps.grpcHost } : {}),
        tls: deps.grpcTls,
        idempotency: new IdempotencyStore(edge.db),
        refusals,
        serviceName,
        port: deps.grpcPort,
        services: edge.services,
        tokens: deps.tokens,
        logger: deps.logger,
        dependencies: edge.dependencies,
        ...(deps.healthCheck ? { healthCheck: deps.healthCheck } : {}),
      }),
    (server) => server.shutdown(),
  );
}
