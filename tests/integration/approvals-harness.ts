// Shared set-up of the approvals integration tests: the service in-process with its own db, topic namespace and
// task queue; a Kafka consumer recording bps.approvals.v1; gRPC inbox clients per persona; a Temporal client acting
// as the proposals service (it starts workflows, signals resubmission, sends withdrawal).
import * as grpc from '@grpc/grpc-js';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import type { Identity } from '../../services/shared/auth/identity';
import { topicName, topics } from '../../services/shared/events/catalog';
import { EventConsumer, ProcessedEvents, type CloudEvent } from '../../services/shared/kafka/kafka';
import { decisionSigningDeps } from '../support/decisions';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import type { TemporalHandle } from '../../services/shared/temporal/temporal';
import { testPayloadKeys, testTemporal } from '../support/temporal';
import { startApprovals, type ApprovalsDeps, type ApprovalsService } from '../../services/approvals/app';
import { approvalStateQuery, workflowTypes, type ActorRef, type ProposalApprovalInput } from '../../workflows/contracts';
import { stack, testLogger } from '../support/stack';
import { uniqueName } from '../support/names';
import { testDirectory, testVerifier, tokenFor } from '../support/identity';
import { kafkaCredentials, testGroup, testKafka } from '../support/kafka';

export type ReceivedEvent = { id: string; type: string; key: string; data: any };

export const tokens = testVerifier();
export const actorOf = (i: Identity): ActorRef => ({ subject: i.subject, organisation: i.organisation, roles: [...i.roles] });

export function proposalInput(overrides: Partial<ProposalApprovalInput> = {}): ProposalApprovalInput {
  const proposalId = overrides.proposalId ?? uniqueName('P');
  return {
    proposalId,
    proposalRevision: 1,
    kind: 'AD_HOC',
    title: '基本公共卫生服务人均经费补助标准调整',
    leadMinistry: 'NHC',
    proposer: actorOf(personas['nhc-staff']),
    fieldCodes: ['HEALTH'],
    itemCodes: ['HEA-01'],
    effectiveFrom: '2027-01-01',
    fiscalTotals: { totalFen: '1200000000', centralFen: '800000000', localFen: '400000000' },
    conflictsWith: [],
    changeSet: {
      changeSetId: `${proposalId}-cs`,
      kind: 'RELEASE_KIND_AMENDMENT',
      title: '病有所医领域标准调整',
      changes: [{ changeId: 'c1', retireItem: { base: { itemCode: 'HEA-01', version: 1 }, reason: '并入新项目' } }],
      fieldCodes: ['HEALTH'],
    },
    ...overrides,
  };
}

export type Harness = {
  readonly app: ApprovalsService;
  readonly temporal: TemporalHandle;
  readonly mongo: MongoHandle;
  readonly taskQueue: string;
  readonly topicNamespace: string;
  readonly received: ReceivedEvent[];
  client: InstanceType<typeof ApprovalInboxClient>;
  token(who: PersonaName | Identity): Promise<string>;
  start(input: ProposalApprovalInput): Promise<void>;
  eventsOf(proposalId: string, type: string): ReceivedEvent[];
  restartApp(overrides?: Partial<ApprovalsDeps>): Promise<ApprovalsService>;
  close(): Promise<void>;
};

export async function startHarness(options: { durations?: ApprovalsDeps['durations']; workflowBundle?: WorkflowBundleWithSourceMap; afterChangeSetRecorded?: ApprovalsDeps['afterChangeSetRecorded'] } = {}): Promise<Harness> {
  const s = stack();
  const dbName = uniqueName('approvals');
  const topicNamespace = uniqueName('ns');
  const taskQueue = uniqueName('tq');
  const baseDeps: ApprovalsDeps = {
    ...decisionSigningDeps(), mongoUri: s.mongoUri, dbName, kafkaBrokers: s.kafkaBrokers, kafkaCredentials: kafkaCredentials('approvals'), topicNamespace, temporalAddress: s.temporalAddress, temporalNamespace: s.temporalNamespace, temporalPayloadKeys: testPayloadKeys(),
    taskQueue, grpcPort: 0, tokens, directory: testDirectory, logger: testLogger, durations: options.durations ?? { dueSeconds: 3600, reminderBeforeSeconds: 600 }, relayPollMs: 50,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    ...(options.afterChangeSetRecorded ? { afterChangeSetRecorded: options.afterChangeSetRecorded } : {}),
  };
  let app = await startApprovals(baseDeps);
  const temporal = await testTemporal();
  const mongo = await connectMongo(s.mongoUri, dbName);
  const makeClient = (port: number) => new ApprovalInboxClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

  const received: ReceivedEvent[] = [];
  const kafka = testKafka('audit', 'approvals-test'); // a reader of bps.approvals.v1
  const consumer = new EventConsumer({
    kafka, groupId: testGroup('audit', 'approvals-test'), topics: [topicName(topics.approvals, topicNamespace)], processed: new ProcessedEvents(mongo.db, 'test_processed'), logger: testLogger,
    handler: async (e: CloudEvent) => { received.push({ id: e.id, type: e.type, key: e.key, data: JSON.parse(e.data.toString('utf8')) }); },
  });
  const joined = consumer.ready();
  await consumer.start();
  await joined;

  const harness: Harness = {
    get app() { return app; },
    temporal, mongo, taskQueue, topicNamespace, received,
    client: makeClient(app.grpcPort),
    token: (who) => tokenFor(who),
    async start(input) {
      const handle = await temporal.client.workflow.start(workflowTypes.adHocRevision, { taskQueue, workflowId: input.proposalId, args: [input] });
      // Ready once the route is loaded (its query answers).
      for (let i = 0; ; i++) {
        try {
          await handle.query(approvalStateQuery);
          return;
        } catch (error) {
          if (i > 100) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    eventsOf: (proposalId, type) => received.filter((e) => e.key === proposalId && e.type === type),
    async restartApp(overrides = {}) {
      await app.stop();
      harness.client.close();
      app = await startApprovals({ ...baseDeps, ...overrides });
      harness.client = makeClient(app.grpcPort);
      return app;
    },
    async close() {
      harness.client.close();
      await consumer.stop();
      await app.stop();
      await temporal.close();
      await mongo.db.dropDatabase();
      await mongo.close();
    },
  };
  return harness;
}
