// Set-up for the proposals integration tests and benchmark: an in-process registry and proposals service on
// their own databases and topic namespace, a Temporal client (no worker: workflows started here just wait), a
// gRPC client, persona tokens, a producer of approval outcomes and a collector of bps.proposals.v1 events.
import * as grpc from '@grpc/grpc-js';
import type { Client } from '@temporalio/client';
import { Decision, ProposalDecided } from '../../proto/gen/bps/approvals/v1/events';
import { ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import type { ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import { startProposals, type ProposalsAppDeps, type RunningProposals } from '../../services/proposals/app';
import { startRegistry, type RunningRegistry } from '../../services/registry/app';
import type { Identity } from '../../services/shared/auth/identity';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { approvalEvents } from '../../services/shared/events/approvals';
import { decodeData, topicName, topics, type EventDefinition } from '../../services/shared/events/catalog';
import { ensureTopics, EventConsumer, EventProducer, newEvent, ProcessedEvents, type CloudEvent } from '../../services/shared/kafka/kafka';
import { createLogger } from '../../services/shared/log/logger';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { connectTemporal } from '../../services/shared/temporal/temporal';
import { uniqueName } from '../support/names';
import { testServiceTokens, testVerifier, tokenFor } from '../support/identity';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';
import { decisionVerifyingDeps } from '../support/decisions';
import { testPayloadKeys } from '../support/temporal';

export type Endpoints = { kafkaBrokers: string; temporalAddress: string; temporalNamespace: string; mongoUri: string };

export const mohrssStaff: Identity = { subject: 'mohrss.staff.zhang', name: '张华（人力资源社会保障部）', organisation: 'MOHRSS', roles: ['ministry-staff'] };

export type ProposalsTestEnv = {
  namespace: string;
  taskQueue: string;
  client: ProposalsClient;
  registry: RunningRegistry;
  proposals: RunningProposals;
  temporal: Client;
  token(persona: PersonaName | Identity): Promise<string>;
  /** Publishes bps.approval.proposal.decided as the approvals worker would. */
  decide(proposalId: string, revision: number, decision: Decision, comment?: string, round?: number): Promise<string>;
  /** Applies an approved change set directly in the in-process registry (moves an item to a new version). */
  publishInRegistry(changeSet: Partial<ChangeSet>): Promise<string>;
  /** Every bps.proposals.v1 event received so far. */
  events: CloudEvent[];
  eventsOf<T>(definition: EventDefinition<T>, proposalId?: string): T[];
  /** Executions with this workflow id in the Temporal namespace (visibility; poll it). */
  workflowCount(workflowId: string): Promise<number>;
  /** Stops the proposals service and starts it again on the same database (as after a crash). */
  restartProposals(): Promise<void>;
  stop(): Promise<void>;
};

export async function startProposalsTestEnv(prefix: string, endpoints: Endpoints, options: { collect?: boolean } = {}): Promise<ProposalsTestEnv> {
  const logger = createLogger('test', process.env['BPS_TEST_LOG_LEVEL'] ?? 'silent');
  const namespace = uniqueName(prefix);
  const dbBase = namespace.replace(/[^a-zA-Z0-9_-]/g, '_');
  const taskQueue = uniqueName(`${prefix}-tq`);
  const tokens = testVerifier();

  const producer = new EventProducer(testKafka('approvals', 'test-proposals', endpoints.kafkaBrokers)); // produces as approvals
  const kafka = testKafka('audit', 'test-proposals-collector', endpoints.kafkaBrokers); // reads bps.proposals.v1
  const events: CloudEvent[] = [];
  const startCollector = async (): Promise<{ consumer: EventConsumer; db: MongoHandle } | undefined> => {
    if (options.collect === false) return undefined;
    const proposalsTopic = topicName(topics.proposals, namespace);
    await ensureTopics(kafka, [proposalsTopic]);
    const db = await connectMongo(endpoints.mongoUri, `${dbBase}_col`);
    const consumer = new EventConsumer({
      kafka, groupId: testGroup('audit', 'prop-collector'), topics: [proposalsTopic], processed: new ProcessedEvents(db.db), logger,
      handler: async (e) => { events.push(e); },
    });
    await consumer.start();
    return { consumer, db };
  };
  // Independent start-ups run side by side: the registry's seeding dominates.
  const [registry, temporal, collector] = await Promise.all([
    startRegistry({ ...decisionVerifyingDeps(), 
      mongoUri: endpoints.mongoUri, dbName: `${dbBase}_reg`, kafkaBrokers: endpoints.kafkaBrokers, kafkaCredentials: kafkaCredentials('registry'), topicNamespace: namespace, grpcPort: 0,
      tokens, logger, schedulerPollMs: 60_000, relayPollMs: 200,
    }),
    connectTemporal({ address: endpoints.temporalAddress, namespace: endpoints.temporalNamespace, payloadKeys: testPayloadKeys() }),
    startCollector(),
  ]);
  const deps: ProposalsAppDeps = {
    mongoUri: endpoints.mongoUri, dbName: `${dbBase}_prop`, kafkaBrokers: endpoints.kafkaBrokers, kafkaCredentials: kafkaCredentials('proposals'), topicNamespace: namespace, grpcPort: 0,
    registryAddress: `127.0.0.1:${registry.grpcPort}`, temporal: temporal.client, approvalTaskQueue: taskQueue, tokens, serviceTokens: testServiceTokens(), logger, relayPollMs: 50,
  };
  let proposals = await startProposals(deps);
  let client = new ProposalsClient(`127.0.0.1:${proposals.grpcPort}`, grpc.credentials.createInsecure());
  const started = new Set<string>();

  return {
    namespace, taskQueue, registry, temporal: temporal.client, events,
    get client() { return client; },
    get proposals() { return proposals; },
    async restartProposals() {
      client.close();
      await proposals.stop();
      proposals = await startProposals(deps);
      client = new ProposalsClient(`127.0.0.1:${proposals.grpcPort}`, grpc.credentials.createInsecure());
    },
    token: (p) => tokenFor(p),
    async decide(proposalId, revision, decision, comment = '', round = 0) {
      const actor = { subject: personas['final-approver'].subject, organisation: 'SCO', roles: ['final-approver'] };
      const payload = ProposalDecided.fromPartial({ proposalId, proposalRevision: revision, workflowId: proposalId, round, decision, comment, actor, decidedAt: new Date() });
      const event = newEvent(approvalEvents.proposalDecided, payload, { source: '/bps/approvals', key: proposalId, topicNamespace: namespace });
      await producer.publish([event]);
      return event.id;
    },
    async publishInRegistry(changeSet) {
      return registry.registry.applyChangeSet(changeSet as ChangeSet);
    },
    eventsOf<T>(definition: EventDefinition<T>, proposalId?: string): T[] {
      return events.filter((e) => e.type === definition.type && (proposalId === undefined || e.key === proposalId)).map((e) => decodeData(definition, e.data));
    },
    async workflowCount(workflowId) {
      started.add(workflowId);
      let n = 0;
      for await (const _ of temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n++;
      return n;
    },
    async stop() {
      client.close();
      await Promise.all([...started].map((id) => temporal.client.workflow.getHandle(id).terminate('test finished').catch(() => undefined)));
      await Promise.all([proposals.stop(), registry.stop(), collector?.consumer.stop(), producer.disconnect()]);
      await temporal.close();
      await Promise.all([`${dbBase}_reg`, `${dbBase}_prop`].map(async (name) => {
        const mongo = await connectMongo(endpoints.mongoUri, name);
        await mongo.db.dropDatabase();
        await mongo.close();
      }));
      if (collector) {
        await collector.db.db.dropDatabase();
        await collector.db.close();
      }
    },
  };
}

export { Decision };
