// The proposals tests' fixtures over the test kit (tests/support/platform.ts): the registry and proposals service
// on their own databases and topic namespace, a Temporal client (no worker: workflows started here just wait), a
// gRPC client, a collector of bps.proposals.v1, and `decide`, which publishes an approval outcome as the
// approvals worker would.
import * as grpc from '@grpc/grpc-js';
import type { Client } from '@temporalio/client';
import { Decision, ProposalDecided } from '../../proto/gen/bps/approvals/v1/events';
import { ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import type { ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import type { RunningProposals } from '../../services/proposals/app';
import type { RunningRegistry } from '../../services/registry/app';
import type { Identity } from '../../services/shared/auth/identity';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { approvalEvents } from '../../services/shared/events/approvals';
import type { EventDefinition } from '../../services/shared/events/catalog';
import { newEvent, type CloudEvent } from '../../services/shared/kafka/kafka';
import { startPlatform } from '../support/platform';

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

export async function startProposalsTestEnv(prefix: string, options: { collect?: boolean } = {}): Promise<ProposalsTestEnv> {
  const p = await startPlatform(prefix, { services: ['registry', 'proposals'], ...(options.collect === false ? {} : { collect: ['proposals'] as const }) });
  const temporal = p.temporal!.client;
  const connect = () => new ProposalsClient(p.address('proposals'), grpc.credentials.createInsecure());
  let client = connect();
  const started = new Set<string>();
  return {
    namespace: p.namespace,
    taskQueue: p.names.taskQueue,
    temporal,
    events: p.collector?.events ?? [],
    get registry() {
      return p.registry;
    },
    get client() {
      return client;
    },
    get proposals() {
      return p.proposals;
    },
    async restartProposals() {
      client.close();
      await p.restart('proposals');
      client = connect();
    },
    token: (who) => p.token(who),
    async decide(proposalId, revision, decision, comment = '', round = 0) {
      const actor = { subject: personas['final-approver'].subject, organisation: 'SCO', roles: ['final-approver'] };
      const payload = ProposalDecided.fromPartial({
        proposalId,
        proposalRevision: revision,
        workflowId: proposalId,
        round,
        decision,
        comment,
        actor,
        decidedAt: new Date(),
      });
      const event = newEvent(approvalEvents.proposalDecided, payload, { source: '/bps/approvals', key: proposalId, topicNamespace: p.namespace });
      await p.publisher.publish([event]);
      return event.id;
    },
    publishInRegistry: (changeSet) => p.registry.registry.applyChangeSet(changeSet as ChangeSet),
    eventsOf: (definition, proposalId) => p.collector?.eventsOf(definition, proposalId) ?? [],
    async workflowCount(workflowId) {
      started.add(workflowId);
      let n = 0;
      for await (const _ of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n++;
      return n;
    },
    async stop() {
      client.close();
      await Promise.all(
        [...started].map((id) =>
          temporal.workflow
            .getHandle(id)
            .terminate('test finished')
            .catch(() => undefined),
        ),
      );
      await p.stop();
    },
  };
}

export { Decision };
