// Builds the proposals service from explicit dependencies, so tests run it in-process with their own database,
// topic namespace, task queue and ports. main.ts only reads config and calls startProposals.
import type { Client } from '@temporalio/client';
import { ProposalsService } from '../../proto/gen/bps/proposals/v1/proposals';
import type { ServiceTokenSource } from '../shared/auth/service-tokens';
import { topics, topicName } from '../shared/events/catalog';
import { kafkaDependency, mongoDependency, temporalDependency } from '../shared/grpc/health';
import { hostService } from '../shared/runtime/host';
import {
  startGrpcEdge,
  startKafka,
  startMongo,
  startOutboxRelay,
  startRefusalOutbox,
  type DatabaseDeps,
  type GrpcEdgeDeps,
  type KafkaDeps,
} from '../shared/runtime/parts';
import { proposalsHandlers } from './adapters/grpc/proposals';
import { decisionConsumer } from './adapters/kafka/decisions';
import { ProposalEventLogOnMongo, ProposalStore } from './adapters/mongo/store';
import { GrpcRegistry } from './adapters/registry/registry-client';
import { TemporalApprovalWorkflows } from './adapters/temporal/approval-workflows';
import { Proposals } from './application/proposals';
import { ConflictReconciler } from './application/reconciler';

export type ProposalsDeps = DatabaseDeps &
  KafkaDeps &
  GrpcEdgeDeps & {
    readonly registryAddress: string;
    /** A connected Temporal client (the caller owns and closes it). */
    readonly temporal: Client;
    readonly approvalTaskQueue: string;
    /** Its own token for registry calls (service account svc.proposals). */
    readonly serviceTokens: ServiceTokenSource;
    readonly now?: () => Date;
    /** How often the outbox relay polls (default 200 ms). */
    readonly relayPollMs?: number;
    /** Consumer group for approval outcomes (default "proposals" + namespace). */
    readonly consumerGroupId?: string;
  };

export type RunningProposals = {
  readonly grpcPort: number;
  readonly proposals: Proposals;
  readonly store: ProposalStore;
  stop(): Promise<void>;
};

export function startProposals(deps: ProposalsDeps): Promise<RunningProposals> {
  const { logger } = deps;
  return hostService({ name: 'proposals', logger }, async (host) => {
    const mongo = await startMongo(host, deps);
    const store = new ProposalStore(mongo.db, { topicNamespace: deps.topicNamespace });
    await host.step('proposal store', () => store.init());
    const registry = new GrpcRegistry(deps.registryAddress, deps.serviceTokens, deps.grpcTls);
    host.onStop('registry client', () => registry.close());
    const proposals = new Proposals({
      store,
      log: new ProposalEventLogOnMongo(store),
      registry,
      logger,
      workflows: new TemporalApprovalWorkflows(deps.temporal, deps.approvalTaskQueue),
      idNamespace: deps.topicNamespace,
      now: deps.now ?? (() => new Date()),
    });
    const recovered = await host.step('recovery', () => proposals.recover());
    if (recovered.reprojected + recovered.resumed > 0) logger.info(recovered, 'recovered after an interrupted run');
    const reconciler = new ConflictReconciler(proposals, logger);
    store.onMarked = () => reconciler.wake();
    await host.launch('conflict reconciler', reconciler);

    const { kafka, producer } = await startKafka(host, deps, 'proposals', [
      topicName(topics.proposals, deps.topicNamespace),
      topicName(topics.approvals, deps.topicNamespace),
    ]);
    const refused = await startRefusalOutbox(host, mongo.db);
    await startOutboxRelay(host, [store.events, refused.outbox.collection], producer, { pollMs: deps.relayPollMs });
    const groupId = deps.consumerGroupId ?? (deps.topicNamespace ? `proposals.${deps.topicNamespace}` : 'proposals');
    await host.launch('decision consumer', decisionConsumer({ kafka, db: mongo.db, proposals, logger, topicNamespace: deps.topicNamespace, groupId }));

    const server = await startGrpcEdge(host, deps, {
      serviceName: 'proposals',
      family: 'proposals',
      db: mongo.db,
      refusals: refused.sink,
      services: [{ definition: ProposalsService, implementation: proposalsHandlers(proposals) }],
      dependencies: [mongoDependency(mongo), kafkaDependency(kafka), temporalDependency(deps.temporal.connection, deps.healthCheck?.timeoutMs)],
    });
    return { grpcPort: server.port, proposals, store };
  });
}
