// The unified revision cycle (集中统一调整) as a pure state machine, in the one decision shape
// (services/shared/domain/decider.ts): decide(state, command) -> events | refusal, evolve(state, event) -> state.
// The workflow (unified-revision-cycle.ts) waits, applies and records: its update validators call decide and throw the
// refusal, its handlers apply the events (eventsOf) and run the activities. The cycle's own steps (phases, window
// deadlines, child approvals ending, re-filing deadlines) are events the workflow applies directly.
// `cycleAcceptanceRefusal` ("does this cycle take this proposal now") is the one rule the proposals service applies
// to the queried cycle before it marks a unified revision's proposal submitted.
import { accepted, refused, type Decider, type Decision, type Refusal } from '../../services/shared/domain/decider';
import type {
  ActorRef,
  CycleCitedEvaluation,
  CycleEvaluation,
  CycleField,
  CycleInput,
  CyclePackageEntry,
  CyclePhase,
  CycleTrim,
  CycleView,
  FiscalTotals,
  ProposalApprovalInput,
  ProposalWindow,
} from '../contracts';
import { maxCitedEvaluations } from '../contracts';
import { isFinalApprover } from '../parties';
import { conflictsOf, exceedsCeiling, included, totalsOf } from './consolidation';
import { trimRefusal } from './trim';

export type Refiling = {
  readonly provinceCode: string;
  readonly itemCode: string;
  readonly deadline: number;
  readonly refiled: boolean;
  readonly overdue: boolean;
};

export type CycleState = {
  readonly input: CycleInput;
  readonly openedAt: number;
  readonly phase: CyclePhase;
  readonly evaluations: Readonly<Record<string, CycleEvaluation>>;
  readonly windowClosesAt?: number;
  /** One per field from the proposal phase on (empty in cycles recorded before per-field windows). */
  readonly windows: readonly ProposalWindow[];
  readonly rebaseRequired: readonly string[];
  readonly entries: readonly CyclePackageEntry[];
  /** Every proposal entered, in order, as its approval runs it (kind UNIFIED), change set included. */
  readonly proposals: readonly ProposalApprovalInput[];
  readonly refiling: readonly Refiling[];
  readonly approvedBy?: ActorRef;
  readonly closed: boolean;
};

/** What people (updates) and the registry (signals) ask of the cycle; `at` is the workflow's time. */
export type CycleCommand =
  | {
      readonly type: 'fileEvaluation';
      readonly actor: ActorRef;
      readonly fieldCode: string;
      readonly summary: string;
      readonly citedEvaluations?: readonly CycleCitedEvaluation[];
    }
  | { readonly type: 'submitProposal'; readonly actor: ActorRef; readonly proposal: ProposalApprovalInput }
  | { readonly type: 'closeProposalWindow'; readonly actor: ActorRef; readonly fieldCode: string; readonly at: number }
  | { readonly type: 'resolveConflict'; readonly actor: ActorRef; readonly itemCode: string; readonly keepProposalId: string; readonly reason: string }
  | {
      readonly type: 'trimProposal';
      readonly actor: ActorRef;
      readonly proposalId: string;
      readonly fiscalTotals: FiscalTotals;
      readonly changeSet: unknown;
      readonly reason?: string;
      readonly at: number;
    }
  | { readonly type: 'approvePackage'; readonly actor: ActorRef; readonly comment: string }
  | { readonly type: 'closeCycle'; readonly actor: ActorRef }
  | { readonly type: 'reportFloorBreach'; readonly provinceCode: string; readonly itemCode: string; readonly refileDeadline: number; readonly at: number }
  | { readonly type: 'reportRefiled'; readonly provinceCode: string; readonly itemCode: string };

export type CycleEvent =
  | { readonly type: 'phaseMoved'; readonly phase: CyclePhase }
  | { readonly type: 'evaluationFiled'; readonly actor: ActorRef; readonly fieldCode: string; readonly evaluation: CycleEvaluation }
  | { readonly type: 'windowsOpened'; readonly windows: readonly ProposalWindow[]; readonly windowClosesAt: number }
  | { readonly type: 'proposalEntered'; readonly actor: ActorRef; readonly proposal: ProposalApprovalInput }
  | { readonly type: 'proposalApprovalEnded'; readonly proposalId: string; readonly status: 'approved' | 'not_approved'; readonly note: string }
  | { readonly type: 'windowClosedEarly'; readonly actor: ActorRef; readonly fieldCode: string; readonly at: number }
  | { readonly type: 'windowClosed'; readonly fieldCode: string }
  | {
      readonly type: 'conflictResolved';
      readonly actor: ActorRef;
      readonly itemCode: string;
      readonly keepProposalId: string;
      readonly reason: string;
      readonly dropped: readonly string[];
    }
  | {
      readonly type: 'proposalTrimmed';
      readonly actor: ActorRef;
      readonly proposalId: string;
      readonly fieldCode: string;
      readonly before: FiscalTotals;
      readonly after: FiscalTotals;
      readonly note: string;
      /** The trim as the entry keeps it (absent for trims recorded before 'cycle-trim-money-only'). */
      readonly trim?: CycleTrim;
      /** The change set a trim recorded before 'cycle-trim-money-only' replaced (or kept). */
      readonly changeSet?: unknown;
    }
  | { readonly type: 'packageApproved'; readonly actor: ActorRef; readonly comment: string; readonly proposalIds: readonly string[] }
  | { readonly type: 'rebaseRequired'; readonly proposalIds: readonly string[] }
  | { readonly type: 'refilingRequired'; readonly provinceCode: string; readonly itemCode: string; readonly deadline: number }
  | { readonly type: 'refilingCompleted'; readonly provinceCode: string; readonly itemCode: string; readonly overdue: boolean }
  | { readonly type: 'refilingOverdue'; readonly provinceCode: string; readonly itemCode: string }
  | { readonly type: 'cycleClosed'; readonly actor: ActorRef };

/**
 * Which trim rules a handler applies: `moneyOnly` for everything decided now; `original` only where the workflow
 * replays a trim recorded before patched('cycle-trim-money-only') (the change set replaced, no trim on the entry).
 */
export type TrimRules = 'original' | 'moneyOnly';

export function initialCycleState(input: CycleInput, openedAt: number): CycleState {
  return {
    input,
    openedAt,
    phase: 'evaluation',
    evaluations: {},
    windows: [],
    rebaseRequired: [],
    entries: [],
    proposals: [],
    refiling: [],
    closed: false,
  };
}

/** The part of a cycle the acceptance rule reads: the workflow's state, or the cycle's view as its query returns it. */
export type CycleAcceptance = {
  readonly cycleId: string;
  readonly phase: CyclePhase;
  /** Absent only in views of cycles started before fields were shown: then any field is taken. */
  readonly fields?: readonly CycleField[];
  readonly windows?: readonly ProposalWindow[];
};

/**
 * Does the cycle take a proposal for `fieldCode` from `actor` now: the proposal phase, a field of the cycle, its
 * window still open, filed by the field's lead ministry. The one rule: the workflow's validator and the proposals
 * service (on the queried view, before it marks the proposal submitted) both apply it.
 */
export function cycleAcceptanceRefusal(cycle: CycleAcceptance, fieldCode: string, actor: ActorRef): Refusal | undefined {
  if (cycle.phase !== 'proposals') return refusal('FAILED_PRECONDITION', 'WINDOW_CLOSED', `the proposal window is not open (phase ${cycle.phase})`);
  const lead = cycle.fields ? cycle.fields.find((f) => f.fieldCode === fieldCode)?.leadMinistry : undefined;
  if (cycle.fields && !lead) return refusal('INVALID_ARGUMENT', 'UNKNOWN_FIELD', `field ${fieldCode} is not part of cycle ${cycle.cycleId}`);
  if (cycle.windows?.find((w) => w.fieldCode === fieldCode)?.closed)
    return refusal('FAILED_PRECONDITION', 'WINDOW_CLOSED', `the proposal window of ${fieldCode} closed`);
  if (lead !== undefined && actor.organisation !== lead)
    return refusal('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `proposals for ${fieldCode} come from ${lead}`);
  return undefined;
}

const refusal = (code: Refusal['code'], reason: string, message: string): Refusal => ({ code, reason, message });

const leadOf = (state: CycleState, fieldCode: string): string | undefined => state.input.fields.find((f) => f.fieldCode === fieldCode)?.leadMinistry;
const windowOf = (state: CycleState, fieldCode: string): ProposalWindow | undefined => state.windows.find((w) => w.fieldCode === fieldCode);
const inPhase = (state: CycleState, phase: CyclePhase, reason: string): Refusal | undefined =>
  state.phase === phase ? undefined : refusal('FAILED_PRECONDITION', reason, `the cycle is in phase ${state.phase}`);

/** Why the cycle refuses `command` now, or undefined: the rules of every update and signal. */
export function refusalOf(state: CycleState, command: CycleCommand): Refusal | undefined {
  switch (command.type) {
    case 'fileEvaluation': {
      const notNow = inPhase(state, 'evaluation', 'NOT_IN_EVALUATION');
      if (notNow) return notNow;
      const lead = leadOf(state, command.fieldCode);
      if (!lead) return refusal('INVALID_ARGUMENT', 'UNKNOWN_FIELD', `field ${command.fieldCode} is not part of cycle ${state.input.cycleId}`);
      if (command.actor.organisation !== lead)
        return refusal('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `the evaluation of ${command.fieldCode} is filed by ${lead}`);
      if (command.summary.trim() === '') return refusal('INVALID_ARGUMENT', 'SUMMARY_REQUIRED', 'an evaluation needs a summary');
      // The approvals service resolved the citations from its projection of bps.programme.v1; the cycle holds the rules.
      const cited: readonly CycleCitedEvaluation[] = command.citedEvaluations ?? [];
      if (cited.length > maxCitedEvaluations)
        return refusal('INVALID_ARGUMENT', 'TOO_MANY_CITATIONS', `an evaluation cites at most ${maxCitedEvaluations} implementation evaluations`);
      if (new Set(cited.map((c) => c.evaluationId)).size !== cited.length)
        return refusal('INVALID_ARGUMENT', 'DUPLICATE_CITATION', 'an evaluation is cited once');
      const foreign = cited.find((c) => c.fieldCode !== command.fieldCode);
      if (foreign)
        return refusal(
          'FAILED_PRECONDITION',
          'EVALUATION_OF_ANOTHER_FIELD',
          `evaluation ${foreign.evaluationId} is of field ${foreign.fieldCode}, not of ${command.fieldCode}`,
        );
      return undefined;
    }
    case 'submitProposal': {
      const field = command.proposal.fieldCodes[0] ?? '';
      const refused = cycleAcceptanceRefusal(acceptanceOf(state), field, command.actor);
      if (refused) return refused;
      if (state.proposals.some((p) => p.proposalId === command.proposal.proposalId))
        return refusal('FAILED_PRECONDITION', 'ALREADY_SUBMITTED', `proposal ${command.proposal.proposalId} is already in the cycle`);
      return undefined;
    }
    case 'closeProposalWindow': {
      const w = windowOf(state, command.fieldCode);
      if (state.phase !== 'proposals' || !w) return refusal('FAILED_PRECONDITION', 'WINDOW_CLOSED', `no proposal window is open (phase ${state.phase})`);
      if (w.closed || w.closedEarlyBy) return refusal('FAILED_PRECONDITION', 'WINDOW_CLOSED', `the proposal window of ${command.fieldCode} is already closed`);
      if (command.actor.organisation !== w.leadMinistry)
        return refusal('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `the window of ${command.fieldCode} is closed by ${w.leadMinistry}`);
      return undefined;
    }
    case 'resolveConflict': {
      const notNow = inPhase(state, 'consolidation', 'NOT_IN_CONSOLIDATION');
      if (notNow) return notNow;
      if (!isFinalApprover(command.actor)) return refusal('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'conflicts are resolved by the final approver');
      const conflict = conflictsOf(state.entries).find((c) => c.itemCode === command.itemCode);
      if (!conflict || !conflict.proposalIds.includes(command.keepProposalId))
        return refusal('FAILED_PRECONDITION', 'NO_SUCH_CONFLICT', `no conflict on ${command.itemCode} involving ${command.keepProposalId}`);
      if (command.reason.trim() === '') return refusal('INVALID_ARGUMENT', 'COMMENT_REQUIRED', 'resolving a conflict needs a reason');
      return undefined;
    }
    case 'trimProposal': {
      const notNow = inPhase(state, 'consolidation', 'NOT_IN_CONSOLIDATION');
      if (notNow) return notNow;
      const entry = state.entries.find((e) => e.proposalId === command.proposalId && e.status === 'approved');
      if (!entry) return refusal('FAILED_PRECONDITION', 'NOT_IN_PACKAGE', `proposal ${command.proposalId} is not in the package`);
      const held = state.proposals.find((p) => p.proposalId === command.proposalId);
      return trimRefusal(command.actor, { fiscalTotals: entry.fiscalTotals, changeSet: held?.changeSet }, command);
    }
    case 'approvePackage': {
      if (state.approvedBy) return refusal('FAILED_PRECONDITION', 'ALREADY_APPROVED', 'the package is already approved');
      const notNow = inPhase(state, 'consolidation', 'NOT_IN_CONSOLIDATION');
      if (notNow) return notNow;
      if (!isFinalApprover(command.actor)) return refusal('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'the package is approved by the final approver');
      const conflicts = conflictsOf(state.entries);
      if (conflicts.length > 0)
        return refusal('FAILED_PRECONDITION', 'CONFLICTS_UNRESOLVED', `unresolved conflicts on ${conflicts.map((c) => c.itemCode).join(', ')}`);
      const ceiling = state.input.fiscalCeiling;
      if (exceedsCeiling(state.entries, ceiling)) {
        const t = totalsOf(state.entries);
        return refusal(
          'FAILED_PRECONDITION',
          'FISCAL_CEILING_EXCEEDED',
          `package costs central ${t.centralFen} / local ${t.localFen} fen, ceiling ${ceiling.centralFen} / ${ceiling.localFen}`,
        );
      }
      if (included(state.entries).length === 0) return refusal('FAILED_PRECONDITION', 'EMPTY_PACKAGE', 'no approved proposal to release');
      return undefined;
    }
    case 'closeCycle':
      if (state.phase !== 'refiling' || state.closed) return refusal('FAILED_PRECONDITION', 'NOT_RELEASED', `the cycle is in phase ${state.phase}`);
      if (!isFinalApprover(command.actor)) return refusal('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'the cycle is closed by the final approver');
      return undefined;
    case 'reportFloorBreach':
    case 'reportRefiled':
      return undefined; // the registry's reports are facts: repeated ones change nothing (eventsOf)
    default: {
      const never: never = command;
      throw new Error(`unknown cycle command ${String((never as { type?: unknown }).type)}`);
    }
  }
}

/**
 * The events of a command the cycle takes. Handlers apply these without judging again: validators do not run on
 * replay, and a history may hold an update accepted under the rules of its time (`rules` selects the trim's).
 */
export function eventsOf(state: CycleState, command: CycleCommand, rules: TrimRules = 'moneyOnly'): CycleEvent[] {
  switch (command.type) {
    case 'fileEvaluation': {
      // Citations are only ever in updates sent since they existed: without them, state and activity input are as before.
      const cited =
        command.citedEvaluations && command.citedEvaluations.length > 0 ? { citedEvaluations: command.citedEvaluations.map((c) => ({ ...c })) } : {};
      return [
        {
          type: 'evaluationFiled',
          actor: command.actor,
          fieldCode: command.fieldCode,
          evaluation: { by: command.actor.subject, summary: command.summary, ...cited },
        },
      ];
    }
    case 'submitProposal':
      return [{ type: 'proposalEntered', actor: command.actor, proposal: { ...command.proposal, kind: 'UNIFIED', cycleId: state.input.cycleId } }];
    case 'closeProposalWindow':
      return [{ type: 'windowClosedEarly', actor: command.actor, fieldCode: command.fieldCode, at: command.at }];
    case 'resolveConflict': {
      const dropped = included(state.entries)
        .filter((e) => e.itemCodes.includes(command.itemCode) && e.proposalId !== command.keepProposalId)
        .map((e) => e.proposalId);
      const { actor, itemCode, keepProposalId, reason } = command;
      return [{ type: 'conflictResolved', actor, itemCode, keepProposalId, reason, dropped }];
    }
    case 'trimProposal': {
      const p = state.proposals.find((x) => x.proposalId === command.proposalId)!;
      const entry = state.entries.find((e) => e.proposalId === command.proposalId);
      const fieldCode = entry?.fieldCode ?? '';
      if (rules === 'original') {
        const { actor, proposalId, fiscalTotals } = command;
        const changeSet = command.changeSet ?? p.changeSet;
        return [{ type: 'proposalTrimmed', actor, proposalId, fieldCode, before: p.fiscalTotals, after: fiscalTotals, note: 'trimmed', changeSet }];
      }
      const before = entry!.fiscalTotals;
      const after = { totalFen: command.fiscalTotals.totalFen, centralFen: command.fiscalTotals.centralFen, localFen: command.fiscalTotals.localFen };
      const reason = (command.reason ?? '').trim();
      const trim: CycleTrim = { actor: command.actor, at: command.at, reason, before, after };
      return [
        {
          type: 'proposalTrimmed',
          actor: command.actor,
          proposalId: command.proposalId,
          fieldCode,
          before,
          after,
          note: `trimmed by ${command.actor.subject}: ${reason}`,
          trim,
        },
      ];
    }
    case 'approvePackage':
      return [{ type: 'packageApproved', actor: command.actor, comment: command.comment, proposalIds: included(state.entries).map((e) => e.proposalId) }];
    case 'closeCycle':
      return [{ type: 'cycleClosed', actor: command.actor }];
    case 'reportFloorBreach': {
      const deadline = state.input.refilingSeconds !== undefined ? command.at + state.input.refilingSeconds * 1000 : command.refileDeadline;
      const known = refilingOf(state, command);
      if (known && !known.refiled) return []; // the same breach reported again
      return [{ type: 'refilingRequired', provinceCode: command.provinceCode, itemCode: command.itemCode, deadline }];
    }
    case 'reportRefiled': {
      const r = refilingOf(state, command);
      if (!r || r.refiled) return [];
      return [{ type: 'refilingCompleted', provinceCode: command.provinceCode, itemCode: command.itemCode, overdue: r.overdue }];
    }
    default: {
      const never: never = command;
      throw new Error(`unknown cycle command ${String((never as { type?: unknown }).type)}`);
    }
  }
}

export function decide(state: CycleState, command: CycleCommand): Decision<CycleEvent> {
  const refusal = refusalOf(state, command);
  return refusal ? refused(refusal.code, refusal.reason, refusal.message) : accepted(...eventsOf(state, command));
}

const refilingOf = (state: CycleState, at: { readonly provinceCode: string; readonly itemCode: string }): Refiling | undefined =>
  state.refiling.find((r) => r.provinceCode === at.provinceCode && r.itemCode === at.itemCode);

function withEntry(state: CycleState, proposalId: string, patch: Partial<CyclePackageEntry>): CycleState {
  if (!state.entries.some((e) => e.proposalId === proposalId)) return state;
  return { ...state, entries: state.entries.map((e) => (e.proposalId === proposalId ? { ...e, ...patch } : e)) };
}

function withRefiling(state: CycleState, at: { readonly provinceCode: string; readonly itemCode: string }, patch: Partial<Refiling>): CycleState {
  return { ...state, refiling: state.refiling.map((r) => (r.provinceCode === at.provinceCode && r.itemCode === at.itemCode ? { ...r, ...patch } : r)) };
}

/**
 * Folds an event into the cycle. Only the events about windows replace `windows` (the workflow wakes its window
 * timers on that), and only re-filing events replace `refiling`.
 */
export function evolve(state: CycleState, event: CycleEvent): CycleState {
  switch (event.type) {
    case 'phaseMoved':
      return { ...state, phase: event.phase };
    case 'evaluationFiled':
      return { ...state, evaluations: { ...state.evaluations, [event.fieldCode]: event.evaluation } };
    case 'windowsOpened':
      return { ...state, windows: event.windows, windowClosesAt: event.windowClosesAt };
    case 'proposalEntered': {
      const p = event.proposal;
      const entry: CyclePackageEntry = {
        proposalId: p.proposalId,
        proposalRevision: p.proposalRevision,
        fieldCode: p.fieldCodes[0] ?? '',
        itemCodes: [...p.itemCodes],
        fiscalTotals: p.fiscalTotals,
        status: 'in_approval',
      };
      return { ...state, proposals: [...state.proposals, p], entries: [...state.entries, entry] };
    }
    case 'proposalApprovalEnded':
      return withEntry(state, event.proposalId, { status: event.status, note: event.note });
    case 'windowClosedEarly':
      return {
        ...state,
        windows: state.windows.map((w) => (w.fieldCode === event.fieldCode ? { ...w, closesAt: event.at, closedEarlyBy: event.actor.subject } : w)),
      };
    case 'windowClosed':
      return { ...state, windows: state.windows.map((w) => (w.fieldCode === event.fieldCode ? { ...w, closed: true } : w)) };
    case 'conflictResolved':
      return event.dropped.reduce(
        (s, proposalId) =>
          withEntry(s, proposalId, { status: 'dropped', note: `conflict on ${event.itemCode} resolved for ${event.keepProposalId}: ${event.reason}` }),
        state,
      );
    case 'proposalTrimmed': {
      const proposals = state.proposals.map((p) =>
        p.proposalId === event.proposalId ? { ...p, fiscalTotals: event.after, ...('changeSet' in event ? { changeSet: event.changeSet } : {}) } : p,
      );
      const entry = state.entries.find((e) => e.proposalId === event.proposalId);
      const trims = event.trim ? { trims: [...(entry?.trims ?? []), event.trim] } : {};
      return withEntry({ ...state, proposals }, event.proposalId, { fiscalTotals: event.after, note: event.note, ...trims });
    }
    case 'packageApproved':
      return { ...state, approvedBy: event.actor };
    case 'rebaseRequired':
      return { ...state, rebaseRequired: [...event.proposalIds] };
    case 'refilingRequired':
      return refilingOf(state, event)
        ? withRefiling(state, event, { refiled: false, overdue: false, deadline: event.deadline }) // re-filed, then below the floor again
        : {
            ...state,
            refiling: [
              ...state.refiling,
              { provinceCode: event.provinceCode, itemCode: event.itemCode, deadline: event.deadline, refiled: false, overdue: false },
            ],
          };
    case 'refilingCompleted':
      return withRefiling(state, event, { refiled: true });
    case 'refilingOverdue':
      return withRefiling(state, event, { overdue: true });
    case 'cycleClosed':
      return { ...state, closed: true };
    default: {
      const never: never = event;
      throw new Error(`unknown cycle event ${String((never as { type?: unknown }).type)}`);
    }
  }
}

/** The cycle as a Decider (its initial state depends on the cycle's input: initialCycleState). */
export const cycleDecider: Omit<Decider<CycleState, CycleCommand, CycleEvent>, 'initialState'> = { decide, evolve };

// ---- The cycle's own steps: what the workflow applies when a phase ends or a deadline passes. ----

/**
 * The proposal windows opened at `at`: one per field with its own deadline; `perField` false (cycles recorded before
 * per-field windows) keeps one deadline for the whole cycle and no windows.
 */
export function windowsOpened(state: CycleState, at: number, perField: boolean): Extract<CycleEvent, { type: 'windowsOpened' }> {
  const { input } = state;
  const windows: ProposalWindow[] = perField
    ? input.fields.map((f) => ({
        fieldCode: f.fieldCode,
        leadMinistry: f.leadMinistry,
        closesAt: at + (f.proposalWindowSeconds ?? input.proposalWindowSeconds) * 1000,
        closed: false,
      }))
    : [];
  const windowClosesAt = perField ? Math.max(...windows.map((w) => w.closesAt)) : at + input.proposalWindowSeconds * 1000;
  return { type: 'windowsOpened', windows, windowClosesAt };
}

/** Every field has filed its evaluation. */
export function allEvaluationsFiled(state: CycleState): boolean {
  return state.input.fields.every((f) => state.evaluations[f.fieldCode]);
}

/** Windows still open, and the earliest deadline among them. */
export function nextWindowDeadline(state: CycleState): number | undefined {
  const open = state.windows.filter((w) => !w.closed);
  return open.length > 0 ? Math.min(...open.map((w) => w.closesAt)) : undefined;
}

export function dueWindows(state: CycleState, now: number): ProposalWindow[] {
  return state.windows.filter((w) => !w.closed && w.closesAt <= now);
}

/** Open re-filings (neither re-filed nor overdue), and the earliest deadline among them. */
export function nextRefilingDeadline(state: CycleState): number | undefined {
  const open = state.refiling.filter((r) => !r.refiled && !r.overdue);
  return open.length > 0 ? Math.min(...open.map((r) => r.deadline)) : undefined;
}

export function overdueRefilings(state: CycleState, now: number): Refiling[] {
  return state.refiling.filter((r) => !r.refiled && !r.overdue && r.deadline <= now);
}

/** The proposals released with the edition (approved and not dropped). */
export function releasedEntries(state: CycleState): CyclePackageEntry[] {
  return included(state.entries);
}

export function acceptanceOf(state: CycleState): CycleAcceptance {
  return { cycleId: state.input.cycleId, phase: state.phase, fields: state.input.fields, windows: state.windows };
}

/** The cycle as its query and its updates answer. */
export function viewOf(state: CycleState): CycleView {
  const { input } = state;
  return {
    cycleId: input.cycleId,
    planPeriod: input.planPeriod,
    title: input.title,
    effectiveFrom: input.effectiveFrom,
    fiscalCeiling: input.fiscalCeiling,
    fields: input.fields,
    openedAt: state.openedAt,
    phase: state.phase,
    evaluations: { ...state.evaluations },
    ...(state.windowClosesAt !== undefined ? { windowClosesAt: state.windowClosesAt } : {}),
    windows: state.windows.map((w) => ({ ...w })),
    rebaseRequired: [...state.rebaseRequired],
    package: state.entries.map((e) => ({ ...e })),
    conflicts: conflictsOf(state.entries),
    totals: totalsOf(state.entries),
    ceilingExceeded: exceedsCeiling(state.entries, input.fiscalCeiling),
    refiling: state.refiling.map((r) => ({ ...r })),
  };
}
