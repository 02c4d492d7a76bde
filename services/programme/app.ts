// Builds the programme service from explicit dependencies, so tests run it in-process with their own database,
// topic namespace, task queue and ports. main.ts only reads config and calls startProgramme.
// One process: the gRPC API, the outbox relay, and the Temporal worker that runs the pilots (its own task queue).
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ProgrammeService } from '../../proto/gen/bps/programme/v1/programme';
import type { TokenVerifier } from '../shared/auth/identity';
import type { ServiceTokenSource } from '../shared/auth/service-tokens';
import { topicName, topics } from '../shared/events/catalog';
import { kafkaDependency, mongoDependency, temporalDependency, type HealthCheckTiming } from '../shared/grpc/health';
import { RefusalRecorder, refusalOutbox } from '../shared/grpc/refusals';
import { startGrpcServer } from '../shared/grpc/server';
import type { GrpcTls } from '../shared/grpc/tls';
import { IdempotencyStore } from '../shared/idempotency/idempotency';
import { createKafka, ensureTopics, EventProducer, type KafkaCredentials } from '../shared/kafka/kafka';
import type { Logger } from '../shared/log/logger';
import { connectMongo } from '../shared/mongo/mongo';
import { OutboxRelay } from '../shared/mongo/outbox';
import type { PayloadKeys } from '../shared/temporal/sealing';
import { connectTemporal, type TemporalOptions, type TemporalTls } from '../shared/temporal/temporal';
import { runSealedWorker } from '../shared/temporal/worker';
import { programmeHandlers } from './adapters/grpc/handlers';
import { ProgrammeStore } from './adapters/mongo/store';
import { GrpcCatalogue } from './adapters/registry/catalogue';
import { createPilotActivities } from './adapters/temporal/activities';
import { TemporalPilotWorkflows } from './adapters/temporal/pilot-workflows';
import { Programme } from './application/programme';

export type ProgrammeDeps = {
  readonly healthCheck?: HealthCheckTiming;
  readonly mongoUri: string;
  readonly dbName: string;
  readonly kafkaBrokers: string;
  /** This service's Kafka principal (SASL/SCRAM-SHA-512). */
  readonly kafkaCredentials: KafkaCredentials;
  readonly topicNamespace: string;
  /** 0 = any free port */
  readonly grpcPort: number;
  /** Where gRPC binds (BPS_GRPC_HOST; default 127.0.0.1). */
  readonly grpcHost?: string;
  /** mTLS for gRPC (BPS_GRPC_TLS_*; required in production): the server asks for client certificates; plaintext without. */
  readonly grpcTls?: GrpcTls | undefined;
  readonly registryAddress: string;
  readonly temporalAddress: string;
  readonly temporalNamespace: string;
  readonly temporalPayloadKeys: PayloadKeys;
  readonly temporalTls?: TemporalTls;
  /** The pilots' task queue (default bps-programme). */
  readonly taskQueue: string;
  readonly tokens: TokenVerifier;
  /** Its own token for registry reads (service account svc.programme). */
  readonly serviceTokens: ServiceTokenSource;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly relayPollMs?: number;
  /** A pre-built workflow bundle (tests share one across workers). */
  readonly workflowBundle?: WorkflowBundleWithSourceMap;
};

export type RunningProgramme = {
  readonly grpcPort: number;
  readonly programme: Programme;
  readonly store: ProgrammeStore;
  stop(): Promise<void>;
};

export async function startProgramme(deps: ProgrammeDeps): Promise<RunningProgramme> {
  const { logger } = deps;
  const mongo = await connectMongo(deps.mongoUri, deps.dbName);
  const store = new ProgrammeStore(mongo.db, { topicNamespace: deps.topicNamespace });
  await store.init();

  const kafka = createKafka({ brokers: deps.kafkaBrokers, clientId: 'programme', logger, credentials: deps.kafkaCredentials });
  await ensureTopics(kafka, [topicName(topics.programme, deps.topicNamespace)]);
  const producer = new EventProducer(kafka);
  const refused = await refusalOutbox(mongo.db);
  const relay = new OutboxRelay([...store.outboxes, refused.outbox.collection], producer, logger, { pollMs: deps.relayPollMs });
  relay.start();

  // One set of connection settings for the client (queries, updates, starts) and the worker.
  const temporalOptions: TemporalOptions = {
    address: deps.temporalAddress,
    namespace: deps.temporalNamespace,
    payloadKeys: deps.temporalPayloadKeys,
    ...(deps.temporalTls ? { tls: deps.temporalTls } : {}),
  };
  const temporal = await connectTemporal(temporalOptions);
  const worker = await runSealedWorker({
    ...temporalOptions,
    name: 'programme',
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : {}),
    activities: createPilotActivities({ store }),
    logger,
  });

  const catalogue = new GrpcCatalogue(deps.registryAddress, deps.serviceTokens, deps.grpcTls);
  const programme = new Programme({
    records: store,
    catalogue,
    pilots: new TemporalPilotWorkflows(temporal.client, deps.taskQueue, deps.topicNamespace),
    now: deps.now ?? (() => new Date()),
  });

  const refusals = new RefusalRecorder({ service: 'programme', family: 'programme', topicNamespace: deps.topicNamespace, sink: refused.sink, logger });
  const server = await startGrpcServer({
    ...(deps.grpcHost ? { host: deps.grpcHost } : {}),
    tls: deps.grpcTls,
    idempotency: new IdempotencyStore(mongo.db),
    refusals,
    serviceName: 'programme',
    port: deps.grpcPort,
    services: [{ definition: ProgrammeService, implementation: programmeHandlers(programme) }],
    tokens: deps.tokens,
    logger,
    dependencies: [mongoDependency(mongo), kafkaDependency(kafka), temporalDependency(temporal.connection, deps.healthCheck?.timeoutMs), worker.dependency],
    ...(deps.healthCheck ? { healthCheck: deps.healthCheck } : {}),
  });

  return {
    grpcPort: server.port,
    programme,
    store,
    async stop() {
      await server.shutdown();
      await refusals.stop();
      await worker.stop();
      await relay.stop();
      await producer.disconnect();
      catalogue.close();
      await temporal.close();
      await mongo.close();
    },
  };
}
