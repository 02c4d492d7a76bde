// gRPC ApprovalInbox. Identity comes from the verified token only. Every human action is decided by the workflow's
// update validator (the domain's decide on its live state); a caller who is no party of the approval is told it does
// not exist before any update is sent. A refused action is answered at once and recorded as an audit event
// (Temporal keeps no trace of rejected updates).
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  approvalDecisionStateQuery,
  approvalStateQuery,
  claimStepUpdate,
  delegateStepUpdate,
  overruleObjectionUpdate,
  releaseStepUpdate,
  signOffUpdate,
  takeBackStepUpdate,
  workflowTypes,
  type ActorRef,
  type ApprovalView,
  type Position as PositionName,
  type StepView,
} from '../../../../workflows/contracts';
import { decide, inboxItemsFor, inboxKeysOf, type ApprovalState, type Command, type Refusal } from '../../../../workflows/approval/domain';
import type {
  ApprovalInboxServer,
  ApprovalView as ApprovalViewMessage,
  InboxItem,
  ProposalSummary,
  StepView as StepViewMessage,
} from '../../../../proto/gen/bps/approvals/v1/inbox';
import { approvalEvents } from '../../../shared/events/approvals';
import type { Directory } from '../../../shared/auth/directory';
import { mayReadProposal, type Viewer } from '../../../shared/auth/proposal-visibility';
import { NotFoundError, ValidationError } from '../../../shared/errors/errors';
import { newEvent } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';
import type { ApprovalEventStore } from '../mongo/approval-events';
import type { ApprovalRecords } from '../mongo/approval-records';
import { approvalsSource, fromPosition, toActor, toPosition } from '../../application/messages';
import type { ApprovalResumer } from '../temporal/approval-resumer';
import { queryWorkflow, refusalError, required, unaryHandler, updateWorkflow } from './workflow-calls';
import { currentRequestScope } from '../../../shared/grpc/client';
import { TransientError } from '../../../shared/errors/errors';

export type InboxDeps = {
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly events: ApprovalEventStore;
  readonly topicNamespace: string;
  readonly logger: Logger;
  /** The directory of people: a delegate is resolved through it (who they are, their organisation and roles). */
  readonly directory: Directory;
  /** Starts an open approval's workflow again from its record when Temporal no longer has it. */
  readonly resumer?: ApprovalResumer;
  /** The approvals' records: the inbox entries of open approvals and who may see each approval. */
  readonly records: Pick<ApprovalRecords, 'inboxViews' | 'parties'>;
};

function summaryMessage(view: ApprovalView): ProposalSummary {
  const p = view.proposal;
  return {
    proposalId: p.proposalId,
    proposalRevision: p.proposalRevision,
    kind: p.kind,
    cycleId: p.cycleId ?? '',
    title: p.title,
    leadMinistry: p.leadMinistry,
    proposer: p.proposer.subject,
    fieldCodes: [...p.fieldCodes],
    itemCodes: [...p.itemCodes],
    effectiveFrom: p.effectiveFrom,
    fiscalTotals: { ...p.fiscalTotals },
    conflictsWith: [...p.conflictsWith],
  };
}
function stepMessage(s: StepView): StepViewMessage {
  return {
    stepId: s.stepId,
    stageId: s.stageId,
    stageName: s.stageName,
    label: s.label,
    role: s.role,
    organisation: s.organisation,
    mustConcur: s.mustConcur,
    position: s.position ? toPosition(s.position) : 0,
    signedBy: s.signedBy ?? '',
    comment: s.comment ?? '',
    signedAt: s.signedAt === undefined ? undefined : new Date(s.signedAt),
    claimedBy: s.claimedBy ?? '',
    delegatedTo: s.delegatedTo ?? '',
    delegatedBy: s.delegatedBy ?? '',
    overruledBy: s.overruledBy ?? '',
    dueAt: s.dueAt === undefined ? undefined : new Date(s.dueAt),
    escalated: s.escalated,
    open: s.open,
  };
}
export function viewMessage(view: ApprovalView): ApprovalViewMessage {
  return {
    proposal: summaryMessage(view),
    workflowId: view.workflowId,
    routeId: view.routeId,
    routeVersion: String(view.routeVersion),
    status: view.status,
    round: view.round,
    rounds: view.rounds.map((r) => ({ round: r.round, proposalRevision: r.proposalRevision, outcome: r.outcome ?? '', steps: r.steps.map(stepMessage) })),
    needs: [...view.needs],
    rebase: view.rebase
      ? { cycleId: view.rebase.cycleId, title: view.rebase.title, effectiveFrom: view.rebase.effectiveFrom, releasedAt: new Date(view.rebase.releasedAt) }
      : undefined,
  };
}

/** Filter values are codes: they reach a Temporal visibility query, where anything else can stall it (issue #15). */
const filterCode = /^[A-Za-z0-9._:-]{1,128}$/;
/** The longest a listing may take before the caller is told to retry (DEADLINE_EXCEEDED, never a hang). */
const LIST_DEADLINE_MS = 5_000;

export function inboxFilterViolations(request: { fieldCode: string; kind: string; cycleId: string }): { field: string; description: string }[] {
  const filters = [
    ['field_code', request.fieldCode],
    ['kind', request.kind],
    ['cycle_id', request.cycleId],
  ] as const;
  return filters
    .filter(([, v]) => v !== '' && !filterCode.test(v))
    .map(([field]) => ({ field, description: 'must be a code of letters, digits and . _ : - (at most 128)' }));
}

/**
 * The approval as `viewer` may see it (steps, positions, comments): the lead ministry's and the route's parties,
 * the final approver, auditors and operators; for anyone else it does not exist (NOT_FOUND, as for a missing one).
 */
export function visibleTo(viewer: Viewer, view: ApprovalView): boolean {
  const route = view.rounds.flatMap((r) => r.steps.map((s) => ({ role: s.role, organisation: s.organisation })));
  return mayReadProposal(viewer, { leadMinistry: view.proposal.leadMinistry, coProposers: [], route });
}

function stateVisibleTo(viewer: Viewer, state: ApprovalState): boolean {
  const route = state.rounds.flatMap((r) => r.stages.flatMap((st) => st.steps.map((s) => ({ role: s.role, organisation: s.organisation }))));
  return mayReadProposal(viewer, { leadMinistry: state.proposal.leadMinistry, coProposers: [], route });
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function createInboxHandlers(deps: InboxDeps): ApprovalInboxServer {
  const { temporal, taskQueue } = deps;

  /**
   * A query of the approval's workflow; when Temporal does not have it but the record says it is open (Temporal lost
   * it), the workflow is started again from the record and asked again (it answers once its first task has run).
   */
  const query = async <T>(proposalId: string, name: string): Promise<T> => {
    const id = required(proposalId, 'proposal_id');
    try {
      return await queryWorkflow<T>(temporal, id, name, 'approval');
    } catch (error) {
      if (!(error instanceof NotFoundError) || !deps.resumer || (await deps.resumer.ensure(id)) !== 'resumed') throw error;
      deps.logger.info({ proposalId: id }, 'approval resumed on first access');
      for (let attempt = 0; ; attempt++) {
        try {
          return await queryWorkflow<T>(temporal, id, name, 'approval');
        } catch (again) {
          if (attempt >= 20) throw again;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  };

  async function recordRefusedSignOff(
    proposalId: string,
    stepId: string,
    position: PositionName | undefined,
    actor: ActorRef,
    refusal: Refusal,
  ): Promise<void> {
    const event = newEvent(
      approvalEvents.signOffRefused,
      {
        proposalId,
        stepId,
        position: position ? toPosition(position) : 0,
        reason: refusal.reason,
        message: refusal.message,
        actor: toActor(actor),
        attemptedAt: new Date(),
      },
      { source: approvalsSource, key: proposalId, id: randomUUID(), topicNamespace: deps.topicNamespace },
    );
    await deps.events.append([event]);
    deps.logger.info({ proposalId, stepId, subject: actor.subject, reason: refusal.reason }, 'sign-off refused');
  }

  /** Every other refused inbox action is on record too: who tried what on which step, and the rule's reason. */
  function recordRefusedAction(proposalId: string, stepId: string, action: string, actor: ActorRef, detail = ''): (refusal: Refusal) => Promise<void> {
    return async (refusal) => {
      const event = newEvent(
        approvalEvents.actionRefused,
        {
          proposalId,
          stepId,
          action,
          reason: refusal.reason,
          message: refusal.message,
          actor: toActor(actor),
          attemptedAt: new Date(),
          detail,
        },
        { source: approvalsSource, key: proposalId, id: randomUUID(), topicNamespace: deps.topicNamespace },
      );
      await deps.events.append([event]);
      deps.logger.info({ proposalId, stepId, action, subject: actor.subject, reason: refusal.reason }, 'inbox action refused');
    };
  }

  /**
   * Refuses a caller who is no party of the approval (a province, a subscriber system, another ministry): told it
   * does not exist, as for a read — and the attempt is on record like every refusal. Who the parties are (the lead
   * ministry, the route's steps) is fixed for the approval's life and recorded with it: read by `_id`, not asked of
   * the workflow.
   */
  async function refuseNonParty(proposalId: string, actor: ActorRef, onRefused?: (r: Refusal) => Promise<void>): Promise<boolean> {
    const parties = await deps.records.parties(required(proposalId, 'proposal_id'));
    if (parties === undefined) return false; // not recorded yet: the caller asks the workflow
    if (mayReadProposal(actor, { leadMinistry: parties.leadMinistry, coProposers: [], route: parties.route })) return true;
    await onRefused?.({ code: 'PERMISSION_DENIED', reason: 'NOT_A_PARTY', message: `${actor.subject} is no party of the approval of ${proposalId}` });
    throw new NotFoundError('approval', proposalId);
  }

  /**
   * Send the update: its validator decides with the workflow's rules on its live state, and a refusal is recorded
   * (onRefused) before it is answered. Only the party check is made here, first. An approval not recorded yet (or
   * one Temporal lost, resumed from its record) is asked for its state instead, as before the records existed.
   */
  async function act(proposalId: string, updateName: string, args: object, cmd: Command, onRefused?: (r: Refusal) => Promise<void>): Promise<ApprovalView> {
    const actor = 'actor' in cmd ? cmd.actor : undefined;
    if (actor && (await refuseNonParty(proposalId, actor, onRefused))) {
      // A workflow still loading its route (or resumed a moment ago) refuses with STARTING: worth retrying, no rule was broken.
      const audited = async (refusal: Refusal): Promise<void> => {
        if (refusal.reason === 'STARTING') throw new TransientError(`approval ${proposalId} cannot be read now`, refusal.message);
        await onRefused?.(refusal);
      };
      try {
        return await updateWorkflow<ApprovalView>(temporal, proposalId, updateName, args, 'approval', audited);
      } catch (error) {
        if (!(error instanceof NotFoundError) || !deps.resumer) throw error;
        // Temporal lost it: resumed below on first access (checkedAct), then sent again.
      }
    }
    return checkedAct(proposalId, updateName, args, cmd, onRefused);
  }

  /** Check with the workflow's rules on its queried state, then send the update (whose validator checks again). */
  async function checkedAct(
    proposalId: string,
    updateName: string,
    args: object,
    cmd: Command,
    onRefused?: (r: Refusal) => Promise<void>,
  ): Promise<ApprovalView> {
    const state = await query<ApprovalState>(proposalId, approvalDecisionStateQuery);
    const actor = 'actor' in cmd ? cmd.actor : undefined;
    if (actor && !stateVisibleTo(actor, state)) {
      await onRefused?.({ code: 'PERMISSION_DENIED', reason: 'NOT_A_PARTY', message: `${actor.subject} is no party of the approval of ${proposalId}` });
      throw new NotFoundError('approval', proposalId);
    }
    // A keyed call goes straight to the update (whose validator decides the same): its update id is derived from the
    // key, and if an earlier try already made this update — its service killed before the key's result was recorded
    // — Temporal answers with that outcome, where a check here would refuse the step as already signed.
    const decision = currentRequestScope() === undefined ? decide(state, cmd) : ({ ok: true } as const);
    if (!decision.ok) {
      await onRefused?.(decision.refusal);
      throw refusalError(decision.refusal, proposalId);
    }
    return updateWorkflow<ApprovalView>(temporal, proposalId, updateName, args, 'approval', onRefused);
  }

  return {
    listMyOpenSteps: unaryHandler(async (request, actor) => {
      const invalid = inboxFilterViolations(request);
      if (invalid.length > 0) throw new ValidationError(invalid);
      const keys = inboxKeysOf(actor).map(quote).join(', ');
      const filters = [
        `TaskQueue = ${quote(taskQueue)}`,
        `WorkflowType = ${quote(workflowTypes.adHocRevision)}`,
        `ExecutionStatus = 'Running'`,
        `BpsOpenRoles IN (${keys})`,
        ...(request.fieldCode ? [`BpsFieldCode = ${quote(request.fieldCode)}`] : []),
        ...(request.kind ? [`BpsProposalKind = ${quote(request.kind)}`] : []),
        ...(request.cycleId ? [`BpsCycleId = ${quote(request.cycleId)}`] : []),
      ];
      // Which approvals are running with a step open to the caller: one visibility list. What each looks like: its
      // inbox entry, recorded before the change's update returned (one indexed read per key, alongside). Only an
      // approval without an entry under the caller's keys (recorded before entries were, or listed by visibility in
      // the instant between its change and its record) is asked for its view.
      const listed = await temporal.withDeadline(Date.now() + LIST_DEADLINE_MS, async () => {
        const [running, views] = await Promise.all([
          (async () => {
            const found: { workflowId: string; runId: string }[] = [];
            for await (const execution of temporal.workflow.list({ query: filters.join(' AND ') }))
              found.push({ workflowId: execution.workflowId, runId: execution.runId });
            return found;
          })(),
          deps.records.inboxViews(inboxKeysOf(actor)),
        ]);
        const out: ApprovalView[] = [];
        for (const execution of running) {
          const view = views.get(execution.workflowId);
          if (view) out.push(view);
          else
            try {
              out.push(await temporal.workflow.getHandle(execution.workflowId, execution.runId).query<ApprovalView>(approvalStateQuery));
            } catch (error) {
              deps.logger.debug({ workflowId: execution.workflowId, err: String(error) }, 'inbox: approval closed while listing');
            }
        }
        return out;
      });
      const now = Date.now();
      const items: InboxItem[] = [];
      for (const view of listed) {
        for (const { step, escalation } of inboxItemsFor(view, actor)) {
          const overdue = step.dueAt !== undefined && step.dueAt < now;
          if (request.overdueOnly && !overdue) continue;
          if (request.dueBefore && (step.dueAt === undefined || step.dueAt >= request.dueBefore.getTime())) continue;
          items.push({
            step: stepMessage(step),
            proposal: summaryMessage(view),
            round: view.round,
            needs: [...view.needs],
            escalation,
            overdue,
            rebaseRequired: view.rebase !== undefined,
          });
        }
      }
      items.sort((a, b) => (a.step?.dueAt?.getTime() ?? Infinity) - (b.step?.dueAt?.getTime() ?? Infinity));
      return { items };
    }),

    getApproval: unaryHandler(async (request, actor) => {
      const view = await query<ApprovalView>(request.proposalId, approvalStateQuery);
      if (!visibleTo(actor, view)) throw new NotFoundError('approval', request.proposalId);
      return { approval: viewMessage(view) };
    }),

    claimStep: unaryHandler(async (request, actor) => {
      const args = { actor, stepId: required(request.stepId, 'step_id') };
      return {
        approval: viewMessage(
          await act(
            request.proposalId,
            claimStepUpdate,
            args,
            { type: 'claim', ...args, at: Date.now() },
            recordRefusedAction(request.proposalId, args.stepId, 'claim', actor),
          ),
        ),
      };
    }),
    releaseStep: unaryHandler(async (request, actor) => {
      const args = { actor, stepId: required(request.stepId, 'step_id') };
      return {
        approval: viewMessage(
          await act(
            request.proposalId,
            releaseStepUpdate,
            args,
            { type: 'release', ...args, at: Date.now() },
            recordRefusedAction(request.proposalId, args.stepId, 'release', actor),
          ),
        ),
      };
    }),
    delegateStep: unaryHandler(async (request, actor) => {
      const delegate = required(request.delegate, 'delegate');
      // The workflow checks that the delegate holds the step's role in its organisation: it learns who they are
      // from the directory only, never from the caller.
      const person = await deps.directory.lookup(delegate);
      if (!person) {
        await recordRefusedAction(
          request.proposalId,
          request.stepId,
          'delegate',
          actor,
          delegate,
        )({ code: 'INVALID_ARGUMENT', reason: 'DELEGATE_UNKNOWN', message: `no person ${delegate} in the directory` });
        throw new NotFoundError('person', delegate);
      }
      const delegateIdentity: ActorRef = { subject: person.subject, organisation: person.organisation, roles: [...person.roles] };
      const args = { actor, stepId: required(request.stepId, 'step_id'), delegate, delegateIdentity };
      return {
        approval: viewMessage(
          await act(
            request.proposalId,
            delegateStepUpdate,
            args,
            { type: 'delegate', ...args, at: Date.now() },
            recordRefusedAction(request.proposalId, args.stepId, 'delegate', actor, delegate),
          ),
        ),
      };
    }),
    takeBackStep: unaryHandler(async (request, actor) => {
      const args = { actor, stepId: required(request.stepId, 'step_id') };
      return {
        approval: viewMessage(
          await act(
            request.proposalId,
            takeBackStepUpdate,
            args,
            { type: 'takeBack', ...args, at: Date.now() },
            recordRefusedAction(request.proposalId, args.stepId, 'take_back', actor),
          ),
        ),
      };
    }),

    signOff: unaryHandler(async (request, actor) => {
      const position = fromPosition(request.position);
      if (!position) throw new ValidationError([{ field: 'position', description: 'a ballot position is required' }]);
      const args = { actor, stepId: required(request.stepId, 'step_id'), position, comment: request.comment };
      const view = await act(request.proposalId, signOffUpdate, args, { type: 'signOff', ...args, at: Date.now() }, (refusal) =>
        recordRefusedSignOff(request.proposalId, request.stepId, position, actor, refusal),
      );
      return { approval: viewMessage(view) };
    }),

    overruleObjection: unaryHandler(async (request, actor) => {
      const args = { actor, stepId: required(request.stepId, 'step_id'), comment: request.comment };
      return {
        approval: viewMessage(
          await act(
            request.proposalId,
            overruleObjectionUpdate,
            args,
            { type: 'overrule', ...args, at: Date.now() },
            recordRefusedAction(request.proposalId, args.stepId, 'overrule', actor),
          ),
        ),
      };
    }),

    listMySignOffs: unaryHandler(async (request, actor) => {
      const docs = await deps.events.signOffsOf(actor.subject, request.proposalId || undefined);
      return {
        signOffs: docs.map((d) => ({
          eventId: d._id,
          proposalId: d.proposalId,
          round: d.round,
          stepId: d.stepId,
          position: toPosition(d.position),
          comment: d.comment,
          signedAt: d.signedAt,
        })),
      };
    }),
  };
}
