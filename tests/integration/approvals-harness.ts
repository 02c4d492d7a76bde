// The approvals tests' fixtures over the test kit (tests/support/platform.ts): the service in-process with its own
// db, topic namespace and task queue (loading the run's workflow bundle), a collector of bps.approvals.v1, gRPC inbox
// clients per persona, a Temporal client acting as the proposals service (it starts workflows, signals
// resubmission, sends withdrawal), and proposal inputs.
import * as grpc from '@grpc/grpc-js';
import { ApprovalInboxClient, type ListMyOpenStepsRequest } from '../../proto/gen/bps/approvals/v1/inbox';
import type { Position } from '../../proto/gen/bps/approvals/v1/events';
import { unary } from '../../services/shared/grpc/client';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import type { Identity } from '../../services/shared/auth/identity';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import type { TemporalHandle } from '../../services/shared/temporal/temporal';
import type { ApprovalsDeps, RunningApprovals } from '../../services/approvals/app';
import { approvalStateQuery, workflowTypes, type ActorRef, type ApprovalResult, type ProposalApprovalInput } from '../../workflows/contracts';
import type { ReceivedEvent } from '../support/collector';
import { uniqueName } from '../support/names';
import { startPlatform, type ServiceName, type StartedPlatform } from '../support/platform';
import { stack } from '../support/stack';
import { waitUntil } from '../support/wait';

export type { ReceivedEvent };

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

export type Harness<S extends ServiceName = 'approvals'> = {
  /** The kit's platform (with the other services asked for in `with`). */
  readonly platform: StartedPlatform<'approvals' | S>;
  readonly app: RunningApprovals;
  readonly temporal: TemporalHandle;
  readonly mongo: MongoHandle;
  readonly taskQueue: string;
  readonly topicNamespace: string;
  /** Every bps.approvals.v1 event so far, data parsed. */
  readonly received: ReceivedEvent[];
  client: InstanceType<typeof ApprovalInboxClient>;
  token(who: PersonaName | Identity): Promise<string>;
  start(input: ProposalApprovalInput): Promise<void>;
  eventsOf(proposalId: string, type: string): ReceivedEvent[];
  restartApp(overrides?: Partial<ApprovalsDeps>): Promise<RunningApprovals>;
  close(): Promise<void>;
};

export type HarnessOptions<S extends ServiceName> = Pick<Partial<ApprovalsDeps>, 'durations' | 'workflowBundle' | 'afterChangeSetRecorded'> & {
  readonly with?: readonly S[];
};

export async function startHarness<S extends ServiceName = 'approvals'>(options: HarnessOptions<S> = {}): Promise<Harness<S>> {
  const { with: others = [], ...approvals } = options;
  const p = await startPlatform('approvals', { services: ['approvals', ...others], collect: ['approvals'], overrides: { approvals } });
  const temporal = p.temporal!;
  const mongo = await connectMongo(stack().mongoUri, p.names.db('approvals'));
  const makeClient = () => new ApprovalInboxClient(p.address('approvals'), grpc.credentials.createInsecure());
  const collector = p.collector!;

  const harness: Harness<S> = {
    platform: p,
    get app() {
      return p.approvals;
    },
    get received() {
      return collector.received();
    },
    temporal,
    mongo,
    taskQueue: p.names.taskQueue,
    topicNamespace: p.namespace,
    client: makeClient(),
    token: (who) => p.token(who),
    async start(input) {
      const handle = await temporal.client.workflow.start(workflowTypes.adHocRevision, {
        taskQueue: p.names.taskQueue,
        workflowId: input.proposalId,
        args: [input],
      });
      // Ready once the route is loaded (its query answers).
      await waitUntil(
        () =>
          handle.query(approvalStateQuery).then(
            () => true,
            () => false,
          ),
        `workflow ${input.proposalId} answering queries`,
        15_000,
        100,
      );
    },
    eventsOf: (proposalId, type) => collector.received(type, proposalId),
    async restartApp(overrides = {}) {
      harness.client.close();
      const app = await p.restart('approvals', overrides);
      harness.client = makeClient();
      return app;
    },
    async close() {
      harness.client.close();
      await mongo.close();
      await p.stop();
    },
  };
  return harness;
}

export type Who = PersonaName | Identity;

/**
 * The inbox as its users call it, over the harness's gRPC client: sign, list, read, and wait for a step to arrive.
 * `harness` is read at each call (suites assign theirs in beforeAll).
 */
export function inboxCalls<S extends ServiceName>(harness: () => Harness<S>) {
  const inbox = async (who: Who, request: Partial<ListMyOpenStepsRequest> = {}) => {
    const h = harness();
    return (
      await unary(
        h.client.listMyOpenSteps.bind(h.client),
        { fieldCode: '', kind: '', cycleId: '', dueBefore: undefined, overdueOnly: false, ...request },
        await h.token(who),
      )
    ).items;
  };
  return {
    sign: async (who: Who, proposalId: string, stepId: string, position: Position, comment = '') => {
      const h = harness();
      return (await unary(h.client.signOff.bind(h.client), { proposalId, stepId, position, comment }, await h.token(who))).approval!;
    },
    inbox,
    approval: async (proposalId: string) => {
      const h = harness();
      return (await unary(h.client.getApproval.bind(h.client), { proposalId }, await h.token('auditor'))).approval!;
    },
    result: (proposalId: string) => harness().temporal.client.workflow.getHandle(proposalId).result() as Promise<ApprovalResult>,
    /** Waits until `who`'s inbox lists `stepId` of the proposal. */
    inboxHas: (who: Who, proposalId: string, stepId: string, request: Partial<ListMyOpenStepsRequest> = {}) =>
      waitUntil(
        () =>
          inbox(who, request).then(
            (items) => items.some((i) => i.proposal?.proposalId === proposalId && i.step?.stepId === stepId),
            () => false,
          ),
        `${typeof who === 'string' ? who : who.subject}'s inbox listing ${proposalId}/${stepId}`,
        20_000,
        300,
      ),
  };
}
