// The approvals service: the Temporal worker running the approval workflows, the outbox relay that publishes
// their events on bps.approvals.v1, and the ApprovalInbox gRPC server. Built from explicit dependencies so tests
// run it in-process with their own database, topic namespace and task queue.
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { RevisionCyclesService } from '../../proto/gen/bps/approvals/v1/cycles';
import { ApprovalInboxService } from '../../proto/gen/bps/approvals/v1/inbox';
import type { Directory } from '../shared/auth/directory';
import type { TokenVerifier } from '../shared/auth/identity';
import type { JWK } from 'jose';
import { topicName, topics } from '../shared/events/catalog';
import { decisionSigner } from '../shared/events/decision-signature';
import { RefusalRecorder, refusalOutbox } from '../shared/grpc/refusals';
import { startGrpcServer } from '../shared/grpc/server';
import type { GrpcTls } from '../shared/grpc/tls';
import { observeApprovals } from './adapters/temporal/approval-metrics';
import { kafkaDependency, mongoDependency, temporalDependency, type HealthCheckTiming } from '../shared/grpc/health';
import { createKafka, ensureTopics, EventProducer, type KafkaCredentials } from '../shared/kafka/kafka';
import type { Logger } from '../shared/log/logger';
import { connectMongo } from '../shared/mongo/mongo';
import { IdempotencyStore } from '../shared/idempotency/idempotency';
import { OutboxRelay } from '../shared/mongo/outbox';
import type { PayloadKeys } from '../shared/temporal/sealing';
import { connectTemporal, type TemporalOptions, type TemporalTls } from '../shared/temporal/temporal';
import { runSealedWorker } from '../shared/temporal/worker';
import { createActivities } from './application/activities';
import { ApprovalEventStore } from './adapters/mongo/approval-events';
import { ApprovalRecords } from './adapters/mongo/approval-records';
import { ApprovalResumer, type ResumeOutcome } from './adapters/temporal/approval-resumer';
import { createCycleHandlers } from './adapters/grpc/cycles';
import { createInboxHandlers } from './adapters/grpc/inbox';
import { evaluationsConsumer, EvaluationsProjection } from './adapters/kafka/evaluations-projection';
import { refilingConsumer } from './adapters/kafka/refiling';
import { RoutesRepository } from './adapters/mongo/routes';
import { TemporalRunningRevisions } from './adapters/temporal/running-revisions';
import { defaultRouteStages, type StepDurations } from './domain/default-route';

export type ApprovalsDeps = {
  /** How often gRPC health checks the database, Kafka, Temporal and the worker (default every 5 s, 2 s each). */
  readonly healthCheck?: HealthCheckTiming;
  readonly mongoUri: string;
  readonly dbName: string;
  readonly kafkaBrokers: string;
  /** This service's Kafka principal (SASL/SCRAM-SHA-512). */
  readonly kafkaCredentials: KafkaCredentials;
  readonly topicNamespace: string;
  readonly temporalAddress: string;
  readonly temporalNamespace: string;
  /** The platform's payload key(s): the worker and the client seal every payload with it. */
  readonly temporalPayloadKeys: PayloadKeys;
  readonly temporalTls?: TemporalTls;
  readonly taskQueue: string;
  readonly grpcPort: number; // 0 = any free port
  /** Where gRPC binds (BPS_GRPC_HOST; default 127.0.0.1). */
  readonly grpcHost?: string;
  /** mTLS for gRPC (BPS_GRPC_TLS_*; required in production): the server asks for client certificates; plaintext without. */
  readonly grpcTls?: GrpcTls | undefined;
  readonly tokens: TokenVerifier;
  /** The directory of people the tokens are checked against; delegates are resolved through it too. */
  readonly directory: Directory;
  readonly logger: Logger;
  /** Durations of the default route's steps (seconds in tests). */
  readonly durations: StepDurations;
  readonly relayPollMs?: number;
  /** A pre-built workflow bundle (tests share one across workers; bundling takes seconds). */
  readonly workflowBundle?: WorkflowBundleWithSourceMap;
  readonly afterChangeSetRecorded?: (attempt: number) => Promise<void>;
  /** The approvals service's private Ed25519 JWK (with kid) signing every event that changes the standard. */
  readonly decisionSigningJwk: string | JWK;
};

export type ApprovalsService = {
  readonly grpcPort: number;
  readonly routes: RoutesRepository;
  readonly events: ApprovalEventStore;
  readonly records: ApprovalRecords;
  /** The start-up pass over open approvals: what became of each (resumed when Temporal had lost its workflow). */
  readonly reconciled: Promise<Record<string, ResumeOutcome | 'failed'>>;
  /** Stops the worker only (the process "dies" as far as Temporal is concerned); used by tests. */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
};

export async function startApprovals(deps: ApprovalsDeps): Promise<ApprovalsService> {
  const { logger } = deps;
  const mongo = await connectMongo(deps.mongoUri, deps.dbName);
  const routes = new RoutesRepository(mongo.db);
  const events = new ApprovalEventStore(mongo.db, await decisionSigner(deps.decisionSigningJwk));
  const records = new ApprovalRecords(mongo.db);
  await routes.init();
  await events.init();
  await routes.publish('default', { kind: '*', fieldCode: '*' }, defaultRouteStages(deps.durations));

  const kafka = createKafka({ brokers: deps.kafkaBrokers, clientId: 'approvals', logger, credentials: deps.kafkaCredentials });
  await ensureTopics(kafka, [
    topicName(topics.approvals, deps.topicNamespace),
    topicName(topics.standards, deps.topicNamespace),
    topicName(topics.programme, deps.topicNamespace),
  ]);
  const producer = new EventProducer(kafka);
  const refused = await refusalOutbox(mongo.db);
  const relay = new OutboxRelay([events.outbox, refused.outbox.collection], producer, logger, { pollMs: deps.relayPollMs });
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
    name: 'approvals',
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : {}),
    activities: createActivities({
      routes,
      events,
      records,
      topicNamespace: deps.topicNamespace,
      runningRevisions: new TemporalRunningRevisions(temporal.client, deps.taskQueue),
      ...(deps.afterChangeSetRecorded ? { afterChangeSetRecorded: deps.afterChangeSetRecorded } : {}),
    }),
    logger,
  });
  // Approvals recorded as open whose workflow Temporal no longer has (a restore into an empty stack) go on from
  // their records; in the background, so the service answers meanwhile (a first access resumes one by itself).
  const resumer = new ApprovalResumer({ temporal: temporal.client, taskQueue: deps.taskQueue, records, logger });
  const reconciled = resumer.reconcile().catch((error: unknown) => {
    logger.error({ err: String(error) }, 'the open approvals could not be reconciled with Temporal');
    return {};
  });
  const refiling = refilingConsumer({
    kafka,
    db: mongo.db,
    temporal: temporal.client,
    topicNamespace: deps.topicNamespace,
    logger,
    groupId: deps.topicNamespace ? `approvals-refiling.${deps.topicNamespace}` : 'approvals-refiling',
  });
  await refiling.start();
  // Implementation evaluations of the standardisation programme, which a cycle's field evaluation may cite.
  const evaluationsProjection = new EvaluationsProjection(mongo.db);
  const evaluations = evaluationsConsumer({
    kafka,
    db: mongo.db,
    projection: evaluationsProjection,
    topicNamespace: deps.topicNamespace,
    logger,
    groupId: deps.topicNamespace ? `approvals-evaluations.${deps.topicNamespace}` : 'approvals-evaluations',
  });
  await evaluations.start();

  const refusals = new RefusalRecorder({ service: 'approvals', family: 'approvals', topicNamespace: deps.topicNamespace, sink: refused.sink, logger });
  const grpc = await startGrpcServer({
    ...(deps.grpcHost ? { host: deps.grpcHost } : {}),
    tls: deps.grpcTls,
    idempotency: new IdempotencyStore(mongo.db),
    refusals,
    serviceName: 'approvals',
    port: deps.grpcPort,
    services: [
      {
        definition: ApprovalInboxService,
        implementation: createInboxHandlers({
          temporal: temporal.client,
          taskQueue: deps.taskQueue,
          events,
          topicNamespace: deps.topicNamespace,
          logger,
          directory: deps.directory,
          resumer,
        }),
      },
      {
        definition: RevisionCyclesService,
        implementation: createCycleHandlers({
          temporal: temporal.client,
          taskQueue: deps.taskQueue,
          logger,
          events,
          topicNamespace: deps.topicNamespace,
          evaluations: evaluationsProjection,
        }),
      },
    ],
    tokens: deps.tokens,
    logger,
    dependencies: [
      mongoDependency(mongo),
      kafkaDependency(kafka),
      temporalDependency(temporal.connection, deps.healthCheck?.timeoutMs),
      // The worker runs the approval workflows: a stopped or failed worker leaves every approval waiting.
      worker.dependency,
    ],
    ...(deps.healthCheck ? { healthCheck: deps.healthCheck } : {}),
  });

  const unobserve = observeApprovals(temporal.client, deps.taskQueue);

  const stopWorker = (): Promise<void> => worker.stop();

  return {
    grpcPort: grpc.port,
    routes,
    events,
    records,
    reconciled,
    stopWorker,
    async stop() {
      unobserve();
      await reconciled;
      await grpc.shutdown();
      await refusals.stop();
      await refiling.stop();
      await evaluations.stop();
      await stopWorker();
      await relay.stop();
      await producer.disconnect();
      await temporal.close();
      await mongo.close();
    },
  };
}
