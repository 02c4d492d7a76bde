// Shared set-up for the registry integration tests: an in-process registry on its own database and topics,
// a gRPC client, tokens for personas, a Kafka producer for approved change sets and a collector of
// bps.standards.v1 events.
import * as grpc from '@grpc/grpc-js';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import type { ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import { startRegistry, type RegistryDeps, type RunningRegistry } from '../../services/registry/app';
import type { Identity, TokenVerifier } from '../../services/shared/auth/identity';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { approvalEvents } from '../../services/shared/events/approvals';
import { decodeData, topicName, topics } from '../../services/shared/events/catalog';
import { standardEvents } from '../../services/shared/events/standards';
import { ensureTopics, EventConsumer, EventProducer, newEvent, ProcessedEvents, type CloudEvent } from '../../services/shared/kafka/kafka';
import { decisionVerifyingDeps, signedEvent } from '../support/decisions';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { stack, testLogger } from '../support/stack';
import { uniqueName } from '../support/names';
import { testVerifier, tokenFor } from '../support/identity';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';

export type TestRegistry = {
  running: RunningRegistry;
  client: StandardRegistryClient;
  tokens: TokenVerifier;
  namespace: string;
  dbName: string;
  token(persona: PersonaName | Identity): Promise<string>;
  /** Produces bps.approval.changeset.approved for the change set (returns the ce_id). */
  approve(changeSet: Partial<ChangeSet>, id?: string): Promise<string>;
  /** Every bps.standards.v1 event received so far (decoded later by type). */
  events: CloudEvent[];
  eventsOf<T>(definition: { type: string; codec: { fromJSON(o: unknown): T } }): T[];
  restart(overrides?: Partial<RegistryDeps>): Promise<void>;
  stop(): Promise<void>;
};

export async function startTestRegistry(prefix: string, overrides: Partial<RegistryDeps> = {}): Promise<TestRegistry> {
  const { mongoUri, kafkaBrokers } = stack();
  const namespace = uniqueName(prefix);
  const dbName = uniqueName(prefix).replace(/[^a-zA-Z0-9_-]/g, '_');
  const tokens = testVerifier();
  const deps: RegistryDeps = {
    ...decisionVerifyingDeps(), mongoUri, dbName, kafkaBrokers, kafkaCredentials: kafkaCredentials('registry'), topicNamespace: namespace, grpcPort: 0, tokens, logger: testLogger,
    schedulerPollMs: 200, relayPollMs: 100, ...overrides,
  };
  let running = await startRegistry(deps);
  let client = new StandardRegistryClient(`127.0.0.1:${running.grpcPort}`, grpc.credentials.createInsecure());

  const kafka = testKafka('approvals', 'test-registry'); // stands in for approvals: writes approvals, reads standards
  const producer = new EventProducer(kafka);
  const events: CloudEvent[] = [];
  const standardsTopic = topicName(topics.standards, namespace);
  await ensureTopics(kafka, [standardsTopic]);
  const collectorDb: MongoHandle = await connectMongo(mongoUri, `${dbName}_collector`);
  const collector = new EventConsumer({
    kafka, groupId: testGroup('approvals', 'collector'), topics: [standardsTopic], processed: new ProcessedEvents(collectorDb.db), logger: testLogger,
    handler: async (e) => { events.push(e); },
  });
  await collector.start();

  const t: TestRegistry = {
    get running() { return running; },
    get client() { return client; },
    tokens, namespace, dbName, events,
    token: (p) => tokenFor(p),
    async approve(changeSet, id) {
      const actor = { subject: personas['final-approver'].subject, organisation: 'SCO', roles: ['final-approver'] };
      const payload = approvalEvents.changeSetApproved.codec.fromPartial({ changeSet, actor });
      const event = newEvent(approvalEvents.changeSetApproved, payload, { source: '/bps/approvals', key: changeSet.changeSetId ?? 'x', topicNamespace: namespace, ...(id ? { id } : {}) });
      await producer.publish([await signedEvent(event)]);
      return event.id;
    },
    eventsOf(definition) {
      return events.filter((e) => e.type === definition.type).map((e) => decodeData(definition as never, e.data) as never);
    },
    async restart(more = {}) {
      client.close();
      await running.stop();
      running = await startRegistry({ ...deps, ...more });
      client = new StandardRegistryClient(`127.0.0.1:${running.grpcPort}`, grpc.credentials.createInsecure());
    },
    async stop() {
      client.close();
      await running.stop();
      await collector.stop();
      await producer.disconnect();
      const mongo = await connectMongo(mongoUri, dbName);
      await mongo.db.dropDatabase();
      await mongo.close();
      await collectorDb.db.dropDatabase();
      await collectorDb.close();
    },
  };
  return t;
}

export { standardEvents };
