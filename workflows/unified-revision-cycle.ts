// unifiedRevisionCycle: the 5-year revision (集中统一调整). Evaluation by each field's lead ministry, a proposal
// window per field (each proposal approved by its own adHocRevision child, not published alone), consolidation
// (conflicts on the same item resolved; fiscal cost by level of government within the ceiling), joint approval,
// one edition with one effective date, then tracking of provincial re-filing. The rules live in cycle/domain.ts;
// this file only waits, applies and records.
import {
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import {
  approvePackageUpdate,
  closeCycleUpdate,
  closeProposalWindowUpdate,
  cycleStateQuery,
  fileEvaluationUpdate,
  floorBreachedSignal,
  provinceRefiledSignal,
  resolveConflictUpdate,
  submitCycleProposalUpdate,
  trimProposalUpdate,
  type ActorRef,
  type ApprovalResult,
  type ApprovePackageArgs,
  type CloseProposalWindowArgs,
  type CycleCitedEvaluation,
  type CycleInput,
  type CyclePhase,
  type CycleView,
  type FiscalTotals,
  type FileEvaluationArgs,
  type FloorBreachedSignal,
  type ProvinceRefiledSignal,
  type ResolveConflictArgs,
  type SubmitCycleProposalArgs,
  type TrimProposalArgs,
} from './contracts';
import {
  allEvaluationsFiled,
  decide,
  dueWindows,
  eventsOf,
  evolve,
  initialCycleState,
  nextRefilingDeadline,
  nextWindowDeadline,
  overdueRefilings,
  releasedEntries,
  viewOf,
  windowsOpened,
  type CycleCommand,
  type CycleEvent,
  type CycleState,
} from './cycle/domain';
import { trimSummary } from './cycle/trim';
import { adHocRevision } from './ad-hoc-revision';
import { approvalActivities } from './approvals-activities';
import { refusalFailure } from './refusals';
import { systemActor } from './approval/domain';
import { acceptSignal, requireSealed } from './sealed';
import { evolveAll } from '../services/shared/domain/decider';

const { recordCycleAction, recordCyclePhase, recordProposalWindowClosed, releaseCycleEdition, sendRunningRevisionsToRebase, warnRefilingOverdue } =
  approvalActivities();

export const fileEvaluation = defineUpdate<CycleView, [FileEvaluationArgs]>(fileEvaluationUpdate);
export const submitCycleProposal = defineUpdate<CycleView, [SubmitCycleProposalArgs]>(submitCycleProposalUpdate);
export const closeProposalWindow = defineUpdate<CycleView, [CloseProposalWindowArgs]>(closeProposalWindowUpdate);
export const resolveConflict = defineUpdate<CycleView, [ResolveConflictArgs]>(resolveConflictUpdate);
export const trimProposal = defineUpdate<CycleView, [TrimProposalArgs]>(trimProposalUpdate);
export const approvePackage = defineUpdate<CycleView, [ApprovePackageArgs]>(approvePackageUpdate);
export const closeCycle = defineUpdate<CycleView, [{ actor: ActorRef }]>(closeCycleUpdate);
export const floorBreached = defineSignal<[FloorBreachedSignal]>(floorBreachedSignal);
export const provinceRefiled = defineSignal<[ProvinceRefiledSignal]>(provinceRefiledSignal);
export const cycleState = defineQuery<CycleView>(cycleStateQuery);

/** The one event of `type` among `events` (each handler's command yields exactly one). */
function eventOf<T extends CycleEvent['type']>(events: readonly CycleEvent[], type: T): Extract<CycleEvent, { type: T }> {
  const event = events.find((e): e is Extract<CycleEvent, { type: T }> => e.type === type);
  if (!event) throw new Error(`the cycle command yielded no ${type} event`);
  return event;
}

type RecordedOn = {
  fieldCode?: string;
  proposalId?: string;
  itemCode?: string;
  provinceCode?: string;
  comment?: string;
  proposalIds?: readonly string[];
  fiscalBefore?: FiscalTotals;
  fiscalAfter?: FiscalTotals;
  citedEvaluations?: readonly CycleCitedEvaluation[];
};

export async function unifiedRevisionCycle(input: CycleInput): Promise<{ phase: CyclePhase; released: readonly string[] }> {
  // Started by a client without the platform's key: fail at once.
  requireSealed(input, 'the cycle input');
  const { workflowId, startTime } = workflowInfo();
  let state: CycleState = initialCycleState(input, startTime.getTime());
  const apply = (...events: readonly CycleEvent[]): void => {
    state = evolveAll(evolve, state, events);
  };
  // Events of updates accepted but applied only once their action is recorded (approvePackage, closeCycle): the next
  // validator decides as if they were applied, so the package is not approved twice.
  const pending: CycleEvent[] = [];
  const children: Promise<void>[] = [];
  // Histories recorded before per-field windows had one window for the whole cycle.
  const perFieldWindows = patched('per-field-proposal-windows');
  // ... and recorded only phase changes, not who filed, resolved, trimmed or approved what.
  const actionsRecorded = patched('cycle-actions-recorded');
  let actionSeq = 0;
  // Undefined when not recorded: handlers then stay synchronous, as in the histories recorded before.
  const recordAction = (action: string, actor: ActorRef, on: RecordedOn = {}): Promise<void> | undefined => {
    if (!actionsRecorded) return undefined;
    return recordCycleAction({ cycleId: input.cycleId, workflowId, seq: ++actionSeq, action, actor, at: Date.now(), ...on });
  };
  const afterRecording = <T>(recording: Promise<void> | undefined, then: () => T): T | Promise<T> => (recording ? recording.then(then) : then());
  const view = (): CycleView => viewOf(state);
  const movePhase = async (next: CyclePhase, note: string, actor?: ActorRef): Promise<void> => {
    apply({ type: 'phaseMoved', phase: next });
    await recordCyclePhase({ cycleId: input.cycleId, workflowId, phase: next, note, actor: actor ?? systemActor, at: Date.now() });
  };
  /** `args` as the update arrived: refused first when a raw client sent it (not sealed with the platform's key). */
  const validate = (args: unknown, update: string, command: CycleCommand): void => {
    requireSealed(args, `the ${update} update`);
    const decision = decide(evolveAll(evolve, state, pending), command);
    if (!decision.ok) throw refusalFailure(decision.refusal);
  };

  setHandler(cycleState, view);
  const fileEvaluationCommand = (a: FileEvaluationArgs): CycleCommand => ({ type: 'fileEvaluation', ...a });
  setHandler(
    fileEvaluation,
    (a) => {
      const events = eventsOf(state, fileEvaluationCommand(a));
      apply(...events);
      const filed = eventOf(events, 'evaluationFiled');
      const cited = filed.evaluation.citedEvaluations ? { citedEvaluations: filed.evaluation.citedEvaluations } : {};
      return afterRecording(recordAction('evaluation.filed', a.actor, { fieldCode: a.fieldCode, comment: a.summary, ...cited }), view);
    },
    { validator: (a) => validate(a, 'fileEvaluation', fileEvaluationCommand(a)) },
  );
  setHandler(
    submitCycleProposal,
    async (a) => {
      const events = eventsOf(state, { type: 'submitProposal', ...a });
      apply(...events);
      const { proposal } = eventOf(events, 'proposalEntered');
      const child: ChildWorkflowHandle<typeof adHocRevision> = await startChild(adHocRevision, { workflowId: proposal.proposalId, args: [proposal] });
      children.push(
        child.result().then(
          (r: ApprovalResult) =>
            apply({
              type: 'proposalApprovalEnded',
              proposalId: proposal.proposalId,
              status: r.status === 'approved' ? 'approved' : 'not_approved',
              note: r.status,
            }),
          () => apply({ type: 'proposalApprovalEnded', proposalId: proposal.proposalId, status: 'not_approved', note: 'approval failed' }),
        ),
      );
      const recording = recordAction('proposal.entered', a.actor, { fieldCode: proposal.fieldCodes[0] ?? '', proposalId: proposal.proposalId });
      if (recording) await recording;
      return view();
    },
    { validator: (a) => validate(a, 'submitCycleProposal', { type: 'submitProposal', ...a }) },
  );
  setHandler(
    closeProposalWindow,
    (a) => {
      apply(...eventsOf(state, { type: 'closeProposalWindow', ...a, at: Date.now() }));
      // Completing this update in the same task as the main loop cancels its window timer replays in another
      // order (a nondeterminism error, found by querying a closed cycle); recording first puts them in separate tasks.
      return afterRecording(recordAction('window.closed_early', a.actor, { fieldCode: a.fieldCode }), view);
    },
    { validator: (a) => validate(a, 'closeProposalWindow', { type: 'closeProposalWindow', ...a, at: Date.now() }) },
  );
  setHandler(
    resolveConflict,
    (a) => {
      const events = eventsOf(state, { type: 'resolveConflict', ...a });
      apply(...events);
      const { dropped } = eventOf(events, 'conflictResolved');
      return afterRecording(
        recordAction('conflict.resolved', a.actor, { itemCode: a.itemCode, proposalId: a.keepProposalId, proposalIds: dropped, comment: a.reason }),
        view,
      );
    },
    { validator: (a) => validate(a, 'resolveConflict', { type: 'resolveConflict', ...a }) },
  );
  setHandler(
    trimProposal,
    (a) => {
      // Histories recorded before kept a trim's change set and recorded no trim on the entry. Since this patch a trim is
      // money only (the validator refuses another change set) and the entry keeps who lowered what, when and why.
      const moneyOnly = patched('cycle-trim-money-only');
      const events = eventsOf(state, { type: 'trimProposal', ...a, at: Date.now() }, moneyOnly ? 'moneyOnly' : 'original');
      apply(...events);
      const trimmed = eventOf(events, 'proposalTrimmed');
      const { before, after } = trimmed;
      const recorded: RecordedOn = moneyOnly
        ? {
            fieldCode: trimmed.fieldCode,
            proposalId: a.proposalId,
            comment: `${trimmed.trim?.reason ?? ''} (${trimSummary(before, after)})`,
            fiscalBefore: before,
            fiscalAfter: after,
          }
        : { proposalId: a.proposalId, comment: `central ${before.centralFen}→${after.centralFen} fen, local ${before.localFen}→${after.localFen} fen` };
      return afterRecording(recordAction('proposal.trimmed', a.actor, recorded), view);
    },
    { validator: (a) => validate(a, 'trimProposal', { type: 'trimProposal', ...a, at: Date.now() }) },
  );
  setHandler(
    approvePackage,
    (a) => {
      // Recorded before the release is triggered, so the approval precedes the edition in every log.
      const events = eventsOf(state, { type: 'approvePackage', ...a });
      pending.push(...events);
      const { proposalIds } = eventOf(events, 'packageApproved');
      return afterRecording(recordAction('package.approved', a.actor, { proposalIds, comment: a.comment }), () => applyPending(events));
    },
    { validator: (a) => validate(a, 'approvePackage', { type: 'approvePackage', ...a }) },
  );
  setHandler(floorBreached, (s) => {
    if (!acceptSignal(s, 'floorBreached')) return; // a raw client's signal changes nothing
    const events = eventsOf(state, { type: 'reportFloorBreach', ...s, at: Date.now() });
    if (events.length === 0) return; // the same breach reported again
    apply(...events);
    const { deadline } = eventOf(events, 'refilingRequired');
    return recordAction('refiling.required', systemActor, {
      provinceCode: s.provinceCode,
      itemCode: s.itemCode,
      comment: `deadline ${new Date(deadline).toISOString()}`,
    });
  });
  setHandler(provinceRefiled, (s) => {
    if (!acceptSignal(s, 'provinceRefiled')) return; // a raw client's signal changes nothing
    const events = eventsOf(state, { type: 'reportRefiled', provinceCode: s.provinceCode, itemCode: s.itemCode });
    if (events.length === 0) return;
    apply(...events);
    const { overdue } = eventOf(events, 'refilingCompleted');
    return recordAction('refiling.completed', systemActor, {
      provinceCode: s.provinceCode,
      itemCode: s.itemCode,
      ...(overdue ? { comment: 'after the deadline' } : {}),
    });
  });
  setHandler(
    closeCycle,
    (a) => {
      const events = eventsOf(state, { type: 'closeCycle', ...a });
      pending.push(...events);
      // Recorded first, so the update never completes in the task where the main loop reacts (see closeProposalWindow).
      return afterRecording(recordAction('cycle.closed', a.actor), () => applyPending(events));
    },
    { validator: (a) => validate(a, 'closeCycle', { type: 'closeCycle', ...a }) },
  );
  function applyPending(events: readonly CycleEvent[]): CycleView {
    pending.splice(pending.indexOf(events[0]!), events.length);
    apply(...events);
    return view();
  }

  // Evaluation: every field files, or the phase's deadline passes.
  await movePhase('evaluation', `plan period ${input.planPeriod}`, input.openedBy);
  const allFiled = await condition(() => allEvaluationsFiled(state), input.evaluationSeconds * 1000);
  const opened = windowsOpened(state, Date.now(), perFieldWindows);
  apply(opened);
  await movePhase('proposals', allFiled ? 'all fields filed their evaluation' : 'evaluation deadline passed');

  // Proposal windows (one per field, each with its deadline), then wait for every proposal's own approval to end.
  if (perFieldWindows) await closeWindowsAtTheirDeadlines();
  else await sleep(Math.max(1, opened.windowClosesAt - Date.now()));
  await movePhase('consolidation', 'proposal window closed');
  await Promise.all(children);

  // Joint approval blocks (in its validator) until conflicts are resolved and the ceiling is met.
  await condition(() => state.approvedBy !== undefined);
  const approvedBy = state.approvedBy!;
  const released = releasedEntries(state).map((e) => e.proposalId);
  await releaseCycleEdition({
    cycleId: input.cycleId,
    workflowId,
    title: input.title,
    effectiveFrom: input.effectiveFrom,
    approvedBy,
    approvedAt: Date.now(),
    proposals: releasedEntries(state).map((e) => {
      const p = state.proposals.find((x) => x.proposalId === e.proposalId)!;
      return { proposalId: p.proposalId, proposalRevision: p.proposalRevision, fieldCodes: [...p.fieldCodes], changeSet: p.changeSet };
    }),
    dropped: state.entries
      .filter((e) => e.status === 'dropped')
      .map((e) => ({ proposalId: e.proposalId, proposalRevision: e.proposalRevision, note: e.note ?? '' })),
  });
  await movePhase('released', `edition released with ${released.length} proposals`, approvedBy);
  if (patched('running-revisions-rebase-on-release')) {
    const proposalIds = await sendRunningRevisionsToRebase({
      cycleId: input.cycleId,
      title: input.title,
      effectiveFrom: input.effectiveFrom,
      releasedAt: Date.now(),
      exclude: state.proposals.map((p) => p.proposalId),
    });
    apply({ type: 'rebaseRequired', proposalIds });
    if (proposalIds.length > 0) await recordAction('revisions.sent_to_rebase', systemActor, { proposalIds });
  }

  // Provincial re-filing: each breach has a deadline; overdue provinces produce a warning (once).
  await movePhase('refiling', 'tracking provincial re-filing');
  while (!state.closed) {
    const next = nextRefilingDeadline(state);
    const seen = state.refiling;
    // Wakes when the cycle closes or a report of the registry changes the re-filings (the array is replaced).
    const changed = (): boolean => state.closed || state.refiling !== seen;
    if (next === undefined) {
      await condition(changed);
      continue;
    }
    if (await condition(changed, Math.max(1, next - Date.now()))) continue;
    for (const r of overdueRefilings(state, Date.now())) {
      apply({ type: 'refilingOverdue', provinceCode: r.provinceCode, itemCode: r.itemCode });
      await warnRefilingOverdue({ cycleId: input.cycleId, workflowId, provinceCode: r.provinceCode, itemCode: r.itemCode, deadline: r.deadline });
    }
  }
  await movePhase('closed', 'closed by the final approver');
  await condition(allHandlersFinished);
  return { phase: state.phase, released };

  async function closeWindowsAtTheirDeadlines(): Promise<void> {
    for (;;) {
      const next = nextWindowDeadline(state);
      if (next === undefined) return;
      const earliest = state.windows;
      // Wakes early when a lead ministry closes its window (the array is replaced).
      await condition(() => state.windows !== earliest, Math.max(1, next - Date.now()));
      for (const w of dueWindows(state, Date.now())) {
        apply({ type: 'windowClosed', fieldCode: w.fieldCode });
        const filed = state.entries.filter((e) => e.fieldCode === w.fieldCode).map((e) => e.proposalId);
        await recordProposalWindowClosed({
          cycleId: input.cycleId,
          workflowId,
          fieldCode: w.fieldCode,
          proposalIds: filed,
          closedEarlyBy: w.closedEarlyBy ?? '',
          at: Date.now(),
        });
      }
    }
  }
}
