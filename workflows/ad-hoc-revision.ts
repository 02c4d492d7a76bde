// adHocRevision: one proposal through its approval route (countersign, then final approval), with deadlines,
// reminders, escalation, return-for-revision rounds and withdrawal. The rules live in approval/domain.ts;
// this file only waits, applies and records.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  approvalDecisionStateQuery,
  approvalStateQuery,
  claimStepUpdate,
  delegateStepUpdate,
  editionReleasedSignal,
  overruleObjectionUpdate,
  proposalResubmittedSignal,
  releaseStepUpdate,
  signOffUpdate,
  takeBackStepUpdate,
  withdrawProposalUpdate,
  type ApprovalResult,
  type ApprovalView,
  type DelegateStepArgs,
  type OverruleObjectionArgs,
  type ProposalResubmitted,
  type RebaseNotice,
  type SignOffArgs,
  type StepArgs,
  type WithdrawProposal,
} from './contracts';
import { decide, evolve, initialState, nextDeadline, openKeys, toView, type ApprovalEvent, type ApprovalState, type Command } from './approval/domain';
import { outgoingFor, type OutgoingEvent } from './approval/outgoing';
import type { RecordApprovalArgs, ResumableApprovalInput } from './approval/record';
import { acceptSignal, requireSealed } from './sealed';
import { approvalActivities, approvalLocalActivities } from './approvals-activities';
import { refusalFailure } from './refusals';

const { chooseApprovalRoute, recordApprovalEvents, recordApproval, publishApprovedChangeSet } = approvalActivities();
const locally = approvalLocalActivities();

export const signOff = defineUpdate<ApprovalView, [SignOffArgs]>(signOffUpdate);
export const claimStep = defineUpdate<ApprovalView, [StepArgs]>(claimStepUpdate);
export const releaseStep = defineUpdate<ApprovalView, [StepArgs]>(releaseStepUpdate);
export const delegateStep = defineUpdate<ApprovalView, [DelegateStepArgs]>(delegateStepUpdate);
export const takeBackStep = defineUpdate<ApprovalView, [StepArgs]>(takeBackStepUpdate);
export const overruleObjection = defineUpdate<ApprovalView, [OverruleObjectionArgs]>(overruleObjectionUpdate);
export const withdrawProposal = defineUpdate<ApprovalView, [WithdrawProposal]>(withdrawProposalUpdate);
export const proposalResubmitted = defineSignal<[ProposalResubmitted]>(proposalResubmittedSignal);
export const editionReleased = defineSignal<[RebaseNotice]>(editionReleasedSignal);
export const approvalState = defineQuery<ApprovalView>(approvalStateQuery);
export const approvalDecisionState = defineQuery<ApprovalState>(approvalDecisionStateQuery);

export const searchAttributes = {
  proposalId: defineSearchAttributeKey('BpsProposalId', SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey('BpsProposalKind', SearchAttributeType.KEYWORD),
  fieldCode: defineSearchAttributeKey('BpsFieldCode', SearchAttributeType.KEYWORD),
  cycleId: defineSearchAttributeKey('BpsCycleId', SearchAttributeType.KEYWORD),
  openRoles: defineSearchAttributeKey('BpsOpenRoles', SearchAttributeType.KEYWORD_LIST),
  openOrganisations: defineSearchAttributeKey('BpsOpenOrganisations', SearchAttributeType.KEYWORD_LIST),
  stepDueAt: defineSearchAttributeKey('BpsStepDueAt', SearchAttributeType.DATETIME),
  escalated: defineSearchAttributeKey('BpsEscalated', SearchAttributeType.BOOL),
};

export async function adHocRevision(input: ResumableApprovalInput): Promise<ApprovalResult> {
  // Started by a client without the platform's key: fail at once (no route, no inbox entry, no events).
  requireSealed(input, 'the approval input');
  const { workflowId } = workflowInfo();
  // Since 'approval-recorded-state' the approvals service records the whole approval after every change (and its
  // end), so it can start the workflow again from that record when Temporal has lost it (input.resumeFrom).
  // Histories recorded before write only the outgoing events.
  const recording = patched('approval-recorded-state');
  // Since 'approval-local-records' the route is read and the approval recorded by local activities (in the workflow
  // task, no activity task and no second workflow task per change); histories recorded before use activities.
  const local = recording && patched('approval-local-records');
  const record = local ? locally.recordApproval : recordApproval;
  const resume = input.resumeFrom;
  // Handlers are registered before the route is loaded, so an early caller gets a clear "starting" answer
  // instead of "no such query/update".
  let loaded: ApprovalState | undefined;
  const current = (): ApprovalState => {
    if (!loaded)
      throw ApplicationFailure.create({
        type: 'FAILED_PRECONDITION',
        message: 'the approval is starting; try again shortly',
        details: ['STARTING'],
        nonRetryable: true,
      });
    return loaded;
  };
  let changeSet: unknown = resume ? resume.changeSet : input.changeSet;
  let changes = 0; // bumped by every applied event: wakes the main loop
  let seq = resume?.seq ?? 0; // numbers outgoing events (part of their deterministic ids): a resumed run goes on counting
  // The last recorded batch goes out again: the outbox's unique event ids drop what was already written.
  const pending: OutgoingEvent[] = resume ? [...resume.events] : [];
  let version = resume?.version ?? 0; // of the approval's record
  let unrecorded = recording; // the state changed since it was last recorded (the start counts)

  const indexForInbox = (): void => {
    const keys = openKeys(current());
    upsertSearchAttributes([
      { key: searchAttributes.proposalId, value: input.proposalId },
      { key: searchAttributes.kind, value: input.kind },
      { key: searchAttributes.fieldCode, value: current().proposal.fieldCodes[0] ?? '' },
      { key: searchAttributes.cycleId, value: input.cycleId ?? '' },
      { key: searchAttributes.openRoles, value: keys.roles },
      { key: searchAttributes.openOrganisations, value: keys.organisations },
      { key: searchAttributes.stepDueAt, value: keys.dueAt === undefined ? null : new Date(keys.dueAt) },
      { key: searchAttributes.escalated, value: keys.escalated },
    ]);
  };
  const apply = (events: readonly ApprovalEvent[]): void => {
    for (const event of events) {
      pending.push(...outgoingFor(current(), event, ++seq));
      loaded = evolve(current(), event);
      if (event.type === 'resubmitted') changeSet = event.resubmission.changeSet;
    }
    if (events.length > 0) {
      changes++;
      unrecorded = recording;
      indexForInbox();
    }
  };
  const snapshot = (events: readonly OutgoingEvent[], closed: boolean): RecordApprovalArgs => ({
    version: ++version,
    state: current(),
    seq,
    changeSet,
    events,
    closed,
  });
  const flush = async (): Promise<void> => {
    while (pending.length > 0 || unrecorded) {
      const events = pending.splice(0);
      if (recording) {
        unrecorded = false;
        await record(snapshot(events, false));
      } else await recordApprovalEvents(events);
    }
  };
  /** `args` as the update arrived: refused first when a raw client sent it (not sealed with the platform's key). */
  const validate = (args: unknown, cmd: Command): void => {
    requireSealed(args, `the ${cmd.type} update`);
    const decision = decide(current(), cmd);
    if (!decision.ok) throw refusalFailure(decision.refusal);
  };
  /**
   * The handler decides again (the validator ran on the same state; this keeps the rule in one place). Actions
   * recorded before the duty rules of issue #14 (delegate holds the role, every author excluded, capped actions)
   * replay under the original rules; validators never run on replay, so they always apply today's.
   */
  const handle = async (cmd: Command): Promise<ApprovalView> => {
    const decision = decide(current(), cmd, patched('approval-duties') ? 'duties' : 'original');
    if (!decision.ok) throw refusalFailure(decision.refusal);
    apply(decision.events);
    await flush();
    return toView(current());
  };

  setHandler(approvalState, () => toView(current()));
  setHandler(approvalDecisionState, () => current());
  setHandler(signOff, (a) => handle({ type: 'signOff', ...a, at: Date.now() }), { validator: (a) => validate(a, { type: 'signOff', ...a, at: Date.now() }) });
  setHandler(claimStep, (a) => handle({ type: 'claim', ...a, at: Date.now() }), { validator: (a) => validate(a, { type: 'claim', ...a, at: Date.now() }) });
  setHandler(releaseStep, (a) => handle({ type: 'release', ...a, at: Date.now() }), {
    validator: (a) => validate(a, { type: 'release', ...a, at: Date.now() }),
  });
  setHandler(delegateStep, (a) => handle({ type: 'delegate', ...a, at: Date.now() }), {
    validator: (a) => validate(a, { type: 'delegate', ...a, at: Date.now() }),
  });
  setHandler(takeBackStep, (a) => handle({ type: 'takeBack', ...a, at: Date.now() }), {
    validator: (a) => validate(a, { type: 'takeBack', ...a, at: Date.now() }),
  });
  setHandler(overruleObjection, (a) => handle({ type: 'overrule', ...a, at: Date.now() }), {
    validator: (a) => validate(a, { type: 'overrule', ...a, at: Date.now() }),
  });
  setHandler(withdrawProposal, (a) => handle({ type: 'withdraw', ...a, at: Date.now() }), {
    validator: (a) => validate(a, { type: 'withdraw', ...a, at: Date.now() }),
  });
  // Signals that arrive while the route is loading are applied once it is loaded (a release can race a start).
  const early: Command[] = [];
  const applySignal = (cmd: Command): void => {
    if (!loaded) {
      early.push(cmd);
      return;
    }
    const decision = decide(loaded, cmd);
    if (!decision.ok) {
      log.warn(`${cmd.type} ignored`, { reason: decision.refusal.reason });
      return;
    }
    apply(decision.events);
  };
  // A signal a raw client sent (not sealed with the platform's key) changes nothing.
  setHandler(proposalResubmitted, (resubmission) => {
    if (acceptSignal(resubmission, 'proposalResubmitted')) applySignal({ type: 'resubmit', resubmission, at: Date.now() });
  });
  setHandler(editionReleased, (edition) => {
    if (acceptSignal(edition, 'editionReleased')) applySignal({ type: 'supersede', edition, at: Date.now() });
  });

  if (resume) loaded = resume.state;
  else {
    const route = await (local ? locally.chooseApprovalRoute : chooseApprovalRoute)({ kind: input.kind, fieldCode: input.fieldCodes[0] ?? '' });
    loaded = initialState(workflowId, input, route, Date.now());
  }
  indexForInbox();
  for (const cmd of early.splice(0)) applySignal(cmd);
  for (;;) {
    await flush();
    const state = current();
    if (state.status === 'in_progress') {
      const seen = changes;
      const wakeAt = nextDeadline(state);
      const changed =
        wakeAt === undefined
          ? await condition(() => changes !== seen).then(() => true)
          : await condition(() => changes !== seen, Math.max(1, wakeAt - Date.now()));
      if (!changed) {
        const tick = decide(state, { type: 'tick', at: Date.now() });
        if (tick.ok) apply(tick.events);
      }
      continue;
    }
    if (state.status === 'awaiting_resubmission') {
      const seen = changes;
      await condition(() => changes !== seen);
      continue;
    }
    break;
  }
  if (current().status === 'approved') {
    // Inside a unified revision cycle the proposal is released with the cycle's edition, not on its own.
    if (input.kind === 'UNIFIED' && patched('unified-cycle-releases-edition')) log.info('approved for the cycle edition', { cycleId: input.cycleId });
    else await announceApprovedChangeSet(current());
  }
  await flush();
  await condition(allHandlersFinished);
  if (recording) {
    // The approval is over: off the list of open approvals the service resumes.
    await flush();
    await record(snapshot([], true));
  }
  const final = current();
  return { status: final.status, rounds: final.rounds.length, routeVersion: final.route.version };

  // Final approval reached: one ChangeSetApproved (and the APPROVED decision) for the registry and proposals.
  async function announceApprovedChangeSet(state: ApprovalState): Promise<void> {
    const approvedBy = state.finalApprover;
    if (!approvedBy) throw ApplicationFailure.nonRetryable('approved without a final approver');
    await publishApprovedChangeSet({
      workflowId,
      proposalId: state.proposal.proposalId,
      proposalRevision: state.proposal.proposalRevision,
      cycleId: state.proposal.cycleId ?? '',
      round: state.rounds.length,
      routeVersion: `${state.route.routeId}@${state.route.version}`,
      approvedBy,
      approvedAt: state.decidedAt ?? Date.now(),
      title: state.proposal.title,
      effectiveFrom: state.proposal.effectiveFrom,
      fieldCodes: [...state.proposal.fieldCodes],
      changeSet,
    });
  }
}
