// Builds the programme service from explicit dependencies, so tests run it in-process with their own database,
// topic namespace, task queue and ports. main.ts only reads config and calls startProgramme.
// One process: the gRPC API, the outbox relay, and the Temporal worker that runs the pilots (its own task queue).
import { ProgrammeService } from '../../proto/gen/bps/programme/v1/programme';
import type { ServiceTokenSource } from '../shared/auth/service-tokens';
import { topicName, topics } from '../shared/events/catalog';
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
import { programmeHandlers } from './adapters/grpc/programme';
import { ProgrammeStore } from './adapters/mongo/store';
import { GrpcCatalogue } from './adapters/registry/catalogue';
import { createPilotActivities } from './adapters/temporal/activities';
import { TemporalPilotWorkflows } from './adapters/temporal/pilot-workflows';
import { Programme } from './application/programme';

export type ProgrammeDeps = DatabaseDeps &
  KafkaDeps &
  TemporalDeps &
  GrpcEdgeDeps & {
    readonly registryAddress: string;
    /** The pilots' task queue (default bps-programme). */
    readonly taskQueue: string;
    /** Its own token for registry reads (service account svc.programme). */
    readonly serviceTokens: ServiceTokenSource;
    readonly now?: () => Date;
    readonly relayPollMs?: number;
  };

export type RunningProgramme = {
  readonly grpcPort: number;
  readonly programme: Programme;
  readonly store: ProgrammeStore;
  stop(): Promise<void>;
};

export function startProgramme(deps: ProgrammeDeps): Promise<RunningProgramme> {
  const { logger } = deps;
  return hostService({ name: 'programme', logger }, async (host) => {
    const mongo = await startMongo(host, deps);
    const store = new ProgrammeStore(mongo.db, { topicNamespace: deps.topicNamespace });
    await host.step('programme store', () => store.init());

    const { kafka, producer } = await startKafka(host, deps, 'programme', [topicName(topics.programme, deps.topicNamespace)]);
    const refused = await startRefusalOutbox(host, mongo.db);
    await startOutboxRelay(host, [...store.outboxes, refused.outbox.collection], producer, { pollMs: deps.relayPollMs });

    const temporal = await startTemporal(host, deps);
    const worker = await startWorker(host, deps, {
      name: 'programme',
      taskQueue: deps.taskQueue,
      activities: createPilotActivities({ store }),
    });

    const catalogue = new GrpcCatalogue(deps.registryAddress, deps.serviceTokens, deps.grpcTls);
    host.onStop('registry client', () => catalogue.close());
    const programme = new Programme({
      records: store,
      catalogue,
      pilots: new TemporalPilotWorkflows(temporal.client, deps.taskQueue, deps.topicNamespace),
      now: deps.now ?? (() => new Date()),
    });

    const server = await startGrpcEdge(host, deps, {
      serviceName: 'programme',
      family: 'programme',
      db: mongo.db,
      refusals: refused.sink,
      services: [{ definition: ProgrammeService, implementation: programmeHandlers(programme) }],
      dependencies: [mongoDependency(mongo), kafkaDependency(kafka), temporalDependency(temporal.connection, deps.healthCheck?.timeoutMs), worker.dependency],
    });
    return { grpcPort: server.port, programme, store };
  });
}
