// The approvals service: the Temporal worker running the approval workflows, the outbox relay that publishes
// their events on bps.approvals.v1, and the ApprovalInbox gRPC server. Built from explicit dependencies so tests
// run it in-process with their own database, topic namespace and task queue.
import { RevisionCyclesService } from '../../proto/gen/bps/approvals/v1/cycles';
import { ApprovalInboxService } from '../../proto/gen/bps/approvals/v1/inbox';
import type { Directory } from '../shared/auth/directory';
import type { JWK } from 'jose';
import { topicName, topics } from '../shared/events/catalog';
import { decisionSigner } from '../shared/events/decision-signature';
import { observeApprovals } from './adapters/temporal/approval-metrics';
import { kafkaDependency, mongoDependency, temporalDependency } from '../shared/grpc/health';
import { hostService } from '../shared/runtime/host';
import {
  startGrpcEdge,
  startKafka,
  startMongo,
  startOutboxRelay,
  startRefusalOutbox,
  startTemporal,
  startWorker,
  type DatabaseDeps,
  type GrpcEdgeDeps,
  type KafkaDeps,
  type TemporalDeps,
} from '../shared/runtime/parts';
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

export type ApprovalsDeps = DatabaseDeps &
  KafkaDeps &
  TemporalDeps &
  GrpcEdgeDeps & {
    readonly taskQueue: string;
    /** The directory of people the tokens are checked against; delegates are resolved through it too. */
    readonly directory: Directory;
    /** Durations of the default route's steps (seconds in tests). */
    readonly durations: StepDurations;
    readonly relayPollMs?: number;
    readonly afterChangeSetRecorded?: (attempt: number) => Promise<void>;
    /** The approvals service's private Ed25519 JWK (with kid) signing every event that changes the standard. */
    readonly decisionSigningJwk: string | JWK;
  };

export type RunningApprovals = {
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

export function startApprovals(deps: ApprovalsDeps): Promise<RunningApprovals> {
  const { logger } = deps;
  return hostService({ name: 'approvals', logger }, async (host) => {
    const mongo = await startMongo(host, deps);
    const routes = new RoutesRepository(mongo.db);
    const events = new ApprovalEventStore(mongo.db, await decisionSigner(deps.decisionSigningJwk));
    const records = new ApprovalRecords(mongo.db);
    await host.step('routes and events', async () => {
      await routes.init();
      await events.init();
      await records.init();
      await routes.publish('default', { kind: '*', fieldCode: '*' }, defaultRouteStages(deps.durations));
    });

    const { kafka, producer } = await startKafka(host, deps, 'approvals', [
      topicName(topics.approvals, deps.topicNamespace),
      topicName(topics.standards, deps.topicNamespace),
      topicName(topics.programme, deps.topicNamespace),
    ]);
    const refused = await startRefusalOutbox(host, mongo.db);
    await startOutboxRelay(host, [events.outbox, refused.outbox.collection], producer, { pollMs: deps.relayPollMs });

    const temporal = await startTemporal(host, deps);
    const worker = await startWorker(host, deps, {
      name: 'approvals',
      taskQueue: deps.taskQueue,
      activities: createActivities({
        routes,
        events,
        records,
        topicNamespace: deps.topicNamespace,
        runningRevisions: new TemporalRunningRevisions(temporal.client, deps.taskQueue),
        ...(deps.afterChangeSetRecorded ? { afterChangeSetRecorded: deps.afterChangeSetRecorded } : {}),
      }),
    });
    // Approvals recorded as open whose workflow Temporal no longer has (a restore into an empty stack) go on from
    // their records; in the background, so the service answers meanwhile (a first access resumes one by itself).
    const resumer = new ApprovalResumer({ temporal: temporal.client, taskQueue: deps.taskQueue, records, logger });
    const reconciled = resumer.reconcile().catch((error: unknown) => {
      logger.error({ err: String(error) }, 'the open approvals could not be reconciled with Temporal');
      return {};
    });
    host.onStop('reconciliation', () => reconciled);
    const consumerGroup = (name: string): string => (deps.topicNamespace ? `${name}.${deps.topicNamespace}` : name);
    await host.launch(
      'refiling consumer',
      refilingConsumer({
        kafka,
        db: mongo.db,
        temporal: temporal.client,
        topicNamespace: deps.topicNamespace,
        logger,
        groupId: consumerGroup('approvals-refiling'),
      }),
    );
    // Implementation evaluations of the standardisation programme, which a cycle's field evaluation may cite.
    const evaluationsProjection = new EvaluationsProjection(mongo.db);
    await host.launch(
      'evaluations consumer',
      evaluationsConsumer({
        kafka,
        db: mongo.db,
        projection: evaluationsProjection,
        topicNamespace: deps.topicNamespace,
        logger,
        groupId: consumerGroup('approvals-evaluations'),
      }),
    );

    const grpc = await startGrpcEdge(host, deps, {
      serviceName: 'approvals',
      family: 'approvals',
      db: mongo.db,
      refusals: refused.sink,
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
            records,
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
      dependencies: [
        mongoDependency(mongo),
        kafkaDependency(kafka),
        temporalDependency(temporal.connection, deps.healthCheck?.timeoutMs),
        // The worker runs the approval workflows: a stopped or failed worker leaves every approval waiting.
        worker.dependency,
      ],
    });
    await host.start(
      'approval metrics',
      () => observeApprovals(temporal.client, deps.taskQueue),
      (unobserve) => unobserve(),
    );

    return { grpcPort: grpc.port, routes, events, records, reconciled, stopWorker: () => worker.stop() };
  });
}
