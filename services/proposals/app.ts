// Builds the proposals service from explicit dependencies, so tests run it in-process with their own database,
// topic namespace, task queue and ports. main.ts only reads config and calls startProposals.
import type { Client } from '@temporalio/client';
import { ProposalsService } from '../../proto/gen/bps/proposals/v1/proposals';
import type { TokenVerifier } from '../shared/auth/identity';
import type { ServiceTokenSource } from '../shared/auth/service-tokens';
import { topics, topicName } from '../shared/events/catalog';
import { RefusalRecorder, refusalOutbox } from '../shared/grpc/refusals';
import { startGrpcServer } from '../shared/grpc/server';
import type { GrpcTls } from '../shared/grpc/tls';
import { kafkaDependency, mongoDependency, temporalDependency, type HealthCheckTiming } from '../shared/grpc/health';
import { createKafka, ensureTopics, EventProducer, type KafkaCredentials } from '../shared/kafka/kafka';
import type { Logger } from '../shared/log/logger';
import { connectMongo } from '../shared/mongo/mongo';
import { IdempotencyStore } from '../shared/idempotency/idempotency';
import { OutboxRelay } from '../shared/mongo/outbox';
import { proposalsHandlers } from './adapters/grpc/handlers';
import { decisionConsumer } from './adapters/kafka/decisions';
import { ProposalEventLogOnMongo, ProposalStore } from './adapters/mongo/store';
import { GrpcRegistry } from './adapters/registry/registry-client';
import { TemporalApprovalWorkflows } from './adapters/temporal/approval-workflows';
import { Proposals } from './application/proposals';

export type ProposalsAppDeps = {
  /** How often gRPC health checks the database, Kafka and Temporal (default every 5 s, 2 s each). */
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
  registryAddress: string;
  /** A connected Temporal client (the caller owns and closes it). */
  temporal: Client;
  approvalTaskQueue: string;
  tokens: TokenVerifier;
  /** Its own token for registry calls (service account svc.proposals). */
  serviceTokens: ServiceTokenSource;
  logger: Logger;
  now?: () => Date;
  /** How often the outbox relay polls (default 200 ms). */
  relayPollMs?: number;
  /** Consumer group for approval outcomes (default "proposals" + namespace). */
  consumerGroupId?: string;
};

export type RunningProposals = {
  readonly grpcPort: number;
  readonly proposals: Proposals;
  readonly store: ProposalStore;
  stop(): Promise<void>;
};

export async function startProposals(deps: ProposalsAppDeps): Promise<RunningProposals> {
  const { logger } = deps;
  const mongo = await connectMongo(deps.mongoUri, deps.dbName);
  const store = new ProposalStore(mongo.db, { topicNamespace: deps.topicNamespace });
  await store.init();
  const registry = new GrpcRegistry(deps.registryAddress, deps.serviceTokens, deps.grpcTls);
  const proposals = new Proposals({
    store,
    log: new ProposalEventLogOnMongo(store),
    registry,
    logger,
    workflows: new TemporalApprovalWorkflows(deps.temporal, deps.approvalTaskQueue),
    idNamespace: deps.topicNamespace,
    now: deps.now ?? (() => new Date()),
  });

  const recovered = await proposals.recover();
  if (recovered.reprojected + recovered.resumed > 0) logger.info(recovered, 'recovered after an interrupted run');

  const kafka = createKafka({ brokers: deps.kafkaBrokers, clientId: 'proposals', logger, credentials: deps.kafkaCredentials });
  await ensureTopics(kafka, [topicName(topics.proposals, deps.topicNamespace), topicName(topics.approvals, deps.topicNamespace)]);
  const producer = new EventProducer(kafka);
  const refused = await refusalOutbox(mongo.db);
  const relay = new OutboxRelay([store.events, refused.outbox.collection], producer, logger, { pollMs: deps.relayPollMs });
  relay.start();
  const consumer = decisionConsumer({
    kafka,
    db: mongo.db,
    proposals,
    logger,
    topicNamespace: deps.topicNamespace,
    groupId: deps.consumerGroupId ?? (deps.topicNamespace ? `proposals.${deps.topicNamespace}` : 'proposals'),
  });
  await consumer.start();

  const refusals = new RefusalRecorder({ service: 'proposals', family: 'proposals', topicNamespace: deps.topicNamespace, sink: refused.sink, logger });
  const server = await startGrpcServer({
    ...(deps.grpcHost ? { host: deps.grpcHost } : {}),
    tls: deps.grpcTls,
    idempotency: new IdempotencyStore(mongo.db),
    refusals,
    serviceName: 'proposals',
    port: deps.grpcPort,
    services: [{ definition: ProposalsService, implementation: proposalsHandlers(proposals) }],
    tokens: deps.tokens,
    logger,
    dependencies: [mongoDependency(mongo), kafkaDependency(kafka), temporalDependency(deps.temporal.connection, deps.healthCheck?.timeoutMs)],
    ...(deps.healthCheck ? { healthCheck: deps.healthCheck } : {}),
  });

  return {
    grpcPort: server.port,
    proposals,
    store,
    async stop() {
      await server.shutdown();
      await refusals.stop();
      await Promise.all([consumer.stop(), relay.stop()]);
      await producer.disconnect();
      registry.close();
      await mongo.close();
    },
  };
}
