// Builds the registry from explicit dependencies, so tests run it in-process with their own database, topic
// namespace and ports. main.ts only reads config and calls startRegistry.
import type { JSONWebKeySet } from 'jose';
import { topics, topicName } from '../shared/events/catalog';
import { decisionVerifier } from '../shared/events/decision-signature';
import { inRootSpan } from '../shared/telemetry/otel';
import { kafkaDependency, mongoDependency } from '../shared/grpc/health';
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
import { StandardRegistryService } from '../../proto/gen/bps/registry/v1/registry';
import { registryHandlers } from './adapters/grpc/registry';
import { changeSetConsumer } from './adapters/kafka/change-sets';
import { RegistryStore } from './adapters/mongo/store';
import { EffectiveScheduler, MonitoringScheduler } from './adapters/scheduler';
import { DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT } from '../shared/standards/monitoring';
import { Registry } from './application/registry';

export type RegistryDeps = DatabaseDeps &
  KafkaDeps &
  GrpcEdgeDeps & {
    readonly now?: () => Date;
    /** Days after a raised floor takes effect by which provinces below it must re-file (default 90). */
    readonly refileDays?: number;
    /** National monitoring: percent above the national level from which a filed level is "blindly high" (default 50). */
    readonly blindlyHighMarginPercent?: number;
    /** How often national monitoring looks for early warnings besides after each filing or change (default 10 min). */
    readonly monitorPollMs?: number;
    /** How often the version.effective due list is polled (default 60 s). */
    readonly schedulerPollMs?: number;
    /** How often the outbox relay polls (default 200 ms). */
    readonly relayPollMs?: number;
    /** Versions per timeline page (default 64); tests use small pages to cross page boundaries quickly. */
    readonly timelinePageSize?: number;
    /** How long after a write of the catalogue or of a province's filings their reads are not kept (default 5 s). */
    readonly stampSettleMs?: number;
    /** Consumer group for approved change sets (default "registry" + namespace). */
    readonly consumerGroupId?: string;
    /** The public JWKS approved change sets are verified against (BPS_DECISION_PUBLIC_JWKS). */
    readonly decisionPublicJwks: string | JSONWebKeySet;
  };

export type RunningRegistry = {
  readonly grpcPort: number;
  readonly registry: Registry;
  readonly store: RegistryStore;
  stop(): Promise<void>;
};

export function startRegistry(deps: RegistryDeps): Promise<RunningRegistry> {
  const { logger } = deps;
  const decisions = decisionVerifier(deps.decisionPublicJwks); // fails fast on a bad key set
  return hostService({ name: 'registry', logger }, async (host) => {
    const mongo = await startMongo(host, deps);
    const store = new RegistryStore(mongo.db, { pageSize: deps.timelinePageSize });
    await host.step('registry store', () => store.init());
    const registry = new Registry({
      store,
      topicNamespace: deps.topicNamespace,
      logger,
      now: deps.now ?? (() => new Date()),
      refileDays: deps.refileDays ?? 90,
      blindlyHighMarginPercent: deps.blindlyHighMarginPercent ?? DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT,
      ...(deps.stampSettleMs !== undefined ? { stampSettleMs: deps.stampSettleMs } : {}),
    });
    await host.step('pending projections', () => registry.projectPending());
    // Seeding is no request: its publications get a trace of their own (issue #20).
    await host.step('seed', () => inRootSpan('registry seed', { 'bps.registry.db': deps.dbName }, () => registry.seed()));

    const { kafka, producer } = await startKafka(host, deps, 'registry', [
      topicName(topics.standards, deps.topicNamespace),
      topicName(topics.approvals, deps.topicNamespace),
    ]);
    const refused = await startRefusalOutbox(host, mongo.db);
    await startOutboxRelay(host, [...store.outboxCollections(), refused.outbox.collection], producer, { pollMs: deps.relayPollMs });
    const groupId = deps.consumerGroupId ?? (deps.topicNamespace ? `registry.${deps.topicNamespace}` : 'registry');
    await host.launch(
      'change-set consumer',
      changeSetConsumer({ kafka, db: mongo.db, registry, logger, topicNamespace: deps.topicNamespace, decisions, groupId }),
    );
    const scheduler = new EffectiveScheduler(registry, logger, deps.schedulerPollMs ?? 60_000);
    const monitor = new MonitoringScheduler(registry, logger, deps.monitorPollMs ?? 600_000);
    await host.start(
      'schedulers',
      () => {
        scheduler.start();
        monitor.start();
      },
      async () => {
        await scheduler.stop();
        await monitor.stop();
        await registry.monitorIdle();
      },
    );

    const server = await startGrpcEdge(host, deps, {
      serviceName: 'registry',
      family: 'standards',
      db: mongo.db,
      refusals: refused.sink,
      services: [{ definition: StandardRegistryService, implementation: registryHandlers(registry) }],
      dependencies: [mongoDependency(mongo), kafkaDependency(kafka)],
    });
    return { grpcPort: server.port, registry, store };
  });
}
