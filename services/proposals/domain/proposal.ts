// The proposal aggregate: an event-sourced lifecycle. decide() turns a command into events or a refusal (the one
// decision shape, services/shared/domain/decider.ts; it never throws for a rule); evolve() folds one event into the
// state. Events are the bps.proposals.v1 payloads themselves. Which revision a caller edited is not a rule of the
// aggregate: the application's command handling checks it (application/commands.ts).
import type { Actor } from '../../../proto/gen/bps/common/v1/common';
import type {
  ProposalConflictCleared,
  ProposalConflictFlagged,
  ProposalCreated,
  ProposalDecisionRecorded,
  ProposalRebased,
  ProposalReviewStarted,
  ProposalRevised,
  ProposalSubmitted,
  ProposalWithdrawn,
  RebasedItem,
} from '../../../proto/gen/bps/proposals/v1/events';
import type { FiscalEstimate, ProposalConflict, ProposalContent, ProposalRevision } from '../../../proto/gen/bps/proposals/v1/proposal';
import { accepted, refused, type Decision, type Refusal } from '../../shared/domain/decider';
import { decideConsultation, evolveConsultation, type ConsultationCommand, type ConsultationEvent, type ConsultationState } from './consultation';

export type ProposalEvent =
  | { readonly type: 'created'; readonly data: ProposalCreated }
  | { readonly type: 'revised'; readonly data: ProposalRevised }
  | { readonly type: 'rebased'; readonly data: ProposalRebased }
  | { readonly type: 'submitted'; readonly data: ProposalSubmitted }
  | { readonly type: 'resubmitted'; readonly data: ProposalSubmitted }
  | { readonly type: 'reviewStarted'; readonly data: ProposalReviewStarted }
  | { readonly type: 'returned'; readonly data: ProposalDecisionRecorded }
  | { readonly type: 'approved'; readonly data: ProposalDecisionRecorded }
  | { readonly type: 'rejected'; readonly data: ProposalDecisionRecorded }
  | { readonly type: 'withdrawn'; readonly data: ProposalWithdrawn }
  | { readonly type: 'conflictFlagged'; readonly data: ProposalConflictFlagged }
  | { readonly type: 'conflictCleared'; readonly data: ProposalConflictCleared }
  | ConsultationEvent;

export type ProposalEventType = ProposalEvent['type'];

/** An event as stored: its place in the proposal's log and when it was recorded. */
export type RecordedEvent = { readonly sequence: number; readonly at: Date; readonly event: ProposalEvent };

export type Status = 'DRAFT' | 'SUBMITTED' | 'IN_REVIEW' | 'RETURNED' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';

export type Submission = {
  readonly revision: number;
  readonly round: number;
  readonly fiscalEstimate: FiscalEstimate;
  readonly conflictsWith: readonly ProposalConflict[];
};

export type ProposalState = {
  readonly id: string;
  readonly status: Status;
  readonly leadMinistry: string;
  readonly coProposers: readonly string[];
  readonly draftedBy: Actor;
  /** Subjects of every author: the drafter, everyone who recorded a revision (edit, rebase), every submitter. */
  readonly authors: readonly string[];
  /** Index i holds revision i + 1: every revision stays readable. */
  readonly revisions: readonly ProposalRevision[];
  readonly submissions: readonly Submission[];
  readonly workflowId: string;
  readonly workflowRunId: string;
  readonly round: number;
  /** Other open proposal id -> the items both touch. */
  readonly conflicts: Readonly<Record<string, readonly string[]>>;
  readonly lastDecisionComment: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Sequence of the last event folded in. */
  readonly sequence: number;
  /** The public consultation (domain/consultation.ts), once one was opened. */
  readonly consultation?: ConsultationState;
};

/** The content of a new revision plus what was derived from the registry for it. */
export type Draft = { readonly content: ProposalContent; readonly itemCodes: readonly string[]; readonly fieldCodes: readonly string[] };

export type Outcome = 'APPROVED' | 'REJECTED' | 'RETURNED' | 'WITHDRAWN';

export type Command =
  | {
      readonly kind: 'create';
      readonly proposalId: string;
      readonly leadMinistry: string;
      readonly coProposers: readonly string[];
      readonly draft: Draft;
      readonly actor: Actor;
    }
  | { readonly kind: 'revise'; readonly draft: Draft; readonly actor: Actor }
  | {
      readonly kind: 'rebase';
      readonly content: ProposalContent;
      readonly moved: readonly RebasedItem[];
      readonly actor: Actor;
    }
  | {
      readonly kind: 'submit';
      /** The revision the caller submits: submitting the one already under review again changes nothing. */
      readonly revision: number;
      readonly fiscalEstimate: FiscalEstimate;
      readonly conflictsWith: readonly ProposalConflict[];
      readonly workflowId: string;
      readonly actor: Actor;
    }
  | { readonly kind: 'markInReview'; readonly revision: number; readonly workflowRunId: string; readonly actor: Actor }
  | {
      readonly kind: 'recordDecision';
      readonly decision: Outcome;
      readonly revision: number;
      readonly round: number;
      readonly workflowId: string;
      readonly comment: string;
      readonly decidedAt: Date | undefined;
      readonly sourceEventId: string;
      readonly actor: Actor;
    }
  | { readonly kind: 'withdraw'; readonly reason: string; readonly actor: Actor }
  | { readonly kind: 'flagConflict'; readonly otherProposalId: string; readonly itemCodes: readonly string[]; readonly actor: Actor }
  | { readonly kind: 'clearConflict'; readonly otherProposalId: string; readonly actor: Actor }
  /** All of this proposal's conflicts at once: `others` (proposal id -> shared items) flagged, every other one cleared. */
  | { readonly kind: 'setConflicts'; readonly others: Readonly<Record<string, readonly string[]>>; readonly actor: Actor }
  | ConsultationCommand;

export const openStatuses: readonly Status[] = ['DRAFT', 'SUBMITTED', 'IN_REVIEW', 'RETURNED'];
const editable: readonly Status[] = ['DRAFT', 'RETURNED'];

/** A draft or a returned proposal can change (edit, rebase, submit); any other is frozen. */
export function isEditable(state: ProposalState): boolean {
  return editable.includes(state.status);
}

export function isOpen(state: ProposalState): boolean {
  return openStatuses.includes(state.status);
}

export function currentRevision(state: ProposalState): ProposalRevision {
  const last = state.revisions[state.revisions.length - 1];
  if (!last) throw new Error(`proposal ${state.id} has no revision`);
  return last;
}

export function lastSubmission(state: ProposalState): Submission | undefined {
  return state.submissions[state.submissions.length - 1];
}

/** A precondition violation as a refusal states it: `field` is the subject, `reason` the violation's type. */
export function violation(type: string, subject: string, description: string) {
  return { field: subject, description, reason: type };
}

const missing = refused('FAILED_PRECONDITION', 'FAILED_PRECONDITION', 'the proposal does not exist');

function frozen(state: ProposalState, action: string): Decision<never> | undefined {
  if (isEditable(state)) return undefined;
  return refused(
    'FAILED_PRECONDITION',
    'PROPOSAL_FROZEN',
    `cannot ${action}: the proposal is ${state.status}; only a draft or a returned proposal can change`,
    [violation('PROPOSAL_STATE', state.id, `state is ${state.status}`)],
  );
}

/** Only staff of the lead ministry act on a proposal's lifecycle: the refusal of anyone else, or undefined. */
export function proposerRefusal(state: ProposalState, actor: Actor, action: string): Refusal | undefined {
  if (!actor.roles.includes('ministry-staff')) return { code: 'PERMISSION_DENIED', reason: 'MISSING_ROLE', message: `${action} requires role ministry-staff` };
  if (actor.organisation !== state.leadMinistry)
    return { code: 'PERMISSION_DENIED', reason: 'NOT_LEAD_UNIT', message: `only staff of ${state.leadMinistry} may ${action} proposal ${state.id}` };
  return undefined;
}

function revisionOf(number: number, draft: Draft): ProposalRevision {
  return { revision: number, content: draft.content, itemCodes: [...draft.itemCodes], fieldCodes: [...draft.fieldCodes] };
}

export function decide(state: ProposalState | undefined, command: Command): Decision<ProposalEvent> {
  switch (command.kind) {
    case 'create':
      if (state) return refused('FAILED_PRECONDITION', 'FAILED_PRECONDITION', `proposal ${state.id} already exists`);
      return accepted({
        type: 'created',
        data: {
          proposalId: command.proposalId,
          revision: revisionOf(1, command.draft),
          leadMinistry: command.leadMinistry,
          coProposers: [...command.coProposers],
          actor: command.actor,
        },
      });

    case 'revise': {
      if (!state) return missing;
      const s = state;
      return (
        frozen(s, 'edit') ??
        accepted({ type: 'revised', data: { proposalId: s.id, revision: revisionOf(currentRevision(s).revision + 1, command.draft), actor: command.actor } })
      );
    }

    case 'rebase': {
      if (!state) return missing;
      const s = state;
      const refusal = frozen(s, 'rebase');
      if (refusal) return refusal;
      if (command.moved.length === 0) return accepted();
      const current = currentRevision(s);
      const revision: ProposalRevision = { ...current, revision: current.revision + 1, content: command.content };
      return accepted({ type: 'rebased', data: { proposalId: s.id, revision, moved: [...command.moved], actor: command.actor } });
    }

    case 'submit': {
      if (!state) return missing;
      const s = state;
      const previous = lastSubmission(s);
      // A repeated submit of the revision already submitted changes nothing (the caller re-ensures the workflow).
      if ((s.status === 'SUBMITTED' || s.status === 'IN_REVIEW') && previous?.revision === command.revision) return accepted();
      const refusal = frozen(s, 'submit');
      if (refusal) return refusal;
      const resubmission = s.status === 'RETURNED';
      const data: ProposalSubmitted = {
        proposalId: s.id,
        revision: currentRevision(s),
        fiscalEstimate: command.fiscalEstimate,
        conflictsWith: [...command.conflictsWith],
        workflowId: command.workflowId,
        round: s.round + 1,
        leadMinistry: s.leadMinistry,
        coProposers: [...s.coProposers],
        actor: command.actor,
      };
      return accepted({ type: resubmission ? 'resubmitted' : 'submitted', data });
    }

    case 'markInReview': {
      if (!state) return missing;
      const s = state;
      if (s.status !== 'SUBMITTED' || lastSubmission(s)?.revision !== command.revision) return accepted();
      return accepted({
        type: 'reviewStarted',
        data: {
          proposalId: s.id,
          revision: command.revision,
          round: s.round,
          workflowId: s.workflowId,
          workflowRunId: command.workflowRunId,
          actor: command.actor,
        },
      });
    }

    case 'recordDecision': {
      if (!state) return missing;
      const s = state;
      if (command.decision === 'WITHDRAWN') {
        if (!isOpen(s)) return accepted();
        return accepted({
          type: 'withdrawn',
          data: { proposalId: s.id, revision: currentRevision(s).revision, reason: command.comment, actor: command.actor },
        });
      }
      // Outcomes of an earlier round, or for a proposal no longer under review, are history: ignore them.
      if ((s.status !== 'SUBMITTED' && s.status !== 'IN_REVIEW') || lastSubmission(s)?.revision !== command.revision) return accepted();
      const data: ProposalDecisionRecorded = {
        proposalId: s.id,
        revision: command.revision,
        round: command.round || s.round,
        workflowId: command.workflowId || s.workflowId,
        comment: command.comment,
        actor: command.actor,
        decidedAt: command.decidedAt,
        sourceEventId: command.sourceEventId,
      };
      switch (command.decision) {
        case 'APPROVED':
          return accepted({ type: 'approved', data });
        case 'REJECTED':
          return accepted({ type: 'rejected', data });
        case 'RETURNED':
          return accepted({ type: 'returned', data });
        default: {
          const never: never = command.decision;
          throw new Error(`unknown decision ${String(never)}`);
        }
      }
    }

    case 'withdraw': {
      if (!state) return missing;
      const s = state;
      if (s.status === 'WITHDRAWN') return accepted();
      if (!isOpen(s))
        return refused('FAILED_PRECONDITION', 'PROPOSAL_CLOSED', `proposal ${s.id} is ${s.status} and can no longer be withdrawn`, [
          violation('PROPOSAL_STATE', s.id, `state is ${s.status}`),
        ]);
      return accepted({ type: 'withdrawn', data: { proposalId: s.id, revision: currentRevision(s).revision, reason: command.reason, actor: command.actor } });
    }

    case 'flagConflict': {
      if (!state) return missing;
      const s = state;
      const known = s.conflicts[command.otherProposalId];
      const items = [...command.itemCodes].sort();
      if (!isOpen(s) || (known && known.join() === items.join())) return accepted();
      return accepted({
        type: 'conflictFlagged',
        data: { proposalId: s.id, otherProposalId: command.otherProposalId, itemCodes: items, actor: command.actor },
      });
    }

    case 'setConflicts': {
      if (!state) return missing;
      const s = state;
      // The same events flagConflict and clearConflict decide, one per other proposal, in one append.
      const wanted = isOpen(s) ? command.others : {};
      const events: ProposalEvent[] = [];
      for (const otherProposalId of Object.keys(wanted).sort()) {
        const items = [...(wanted[otherProposalId] ?? [])].sort();
        if (s.conflicts[otherProposalId]?.join() === items.join()) continue;
        events.push({ type: 'conflictFlagged', data: { proposalId: s.id, otherProposalId, itemCodes: items, actor: command.actor } });
      }
      for (const otherProposalId of Object.keys(s.conflicts).sort()) {
        if (!wanted[otherProposalId]) events.push({ type: 'conflictCleared', data: { proposalId: s.id, otherProposalId, actor: command.actor } });
      }
      return accepted(...events);
    }

    case 'clearConflict': {
      if (!state) return missing;
      const s = state;
      if (!s.conflicts[command.otherProposalId]) return accepted();
      return accepted({ type: 'conflictCleared', data: { proposalId: s.id, otherProposalId: command.otherProposalId, actor: command.actor } });
    }

    case 'openConsultation':
    case 'moderateComment': {
      if (!state) return missing;
      const refusal = proposerRefusal(state, command.actor, command.kind === 'openConsultation' ? 'open a public consultation on' : 'moderate comments on');
      if (refusal) return { ok: false, refusal };
      return decideConsultation(consultationFacts(state), command);
    }

    case 'submitComment':
      return state ? decideConsultation(consultationFacts(state), command) : missing;

    default: {
      const never: never = command;
      throw new Error(`unknown command ${String(never)}`);
    }
  }
}

function consultationFacts(s: ProposalState) {
  return { id: s.id, open: isOpen(s), status: s.status, currentRevision: currentRevision(s).revision, consultation: s.consultation };
}

function withRevision(state: ProposalState, revision: ProposalRevision | undefined): ProposalState {
  if (!revision) throw new Error(`event without revision for ${state.id}`);
  return { ...state, revisions: [...state.revisions, revision] };
}

function withAuthor(state: ProposalState, actor: Actor | undefined): ProposalState {
  if (!actor?.subject || state.authors.includes(actor.subject)) return state;
  return { ...state, authors: [...state.authors, actor.subject] };
}

export function evolve(state: ProposalState | undefined, recorded: RecordedEvent): ProposalState {
  const { event, at, sequence } = recorded;
  if (event.type === 'created') {
    const { data } = event;
    if (!data.revision) throw new Error(`created event without revision for ${data.proposalId}`);
    return {
      id: data.proposalId,
      status: 'DRAFT',
      leadMinistry: data.leadMinistry,
      coProposers: data.coProposers,
      draftedBy: data.actor ?? { subject: '', organisation: '', roles: [] },
      authors: data.actor?.subject ? [data.actor.subject] : [],
      revisions: [data.revision],
      submissions: [],
      workflowId: '',
      workflowRunId: '',
      round: 0,
      conflicts: {},
      lastDecisionComment: '',
      createdAt: at,
      updatedAt: at,
      sequence,
    };
  }
  if (!state) throw new Error(`${event.type} event before created`);
  const s: ProposalState = { ...state, updatedAt: at, sequence };
  switch (event.type) {
    case 'revised':
    case 'rebased':
      return withAuthor(withRevision(s, event.data.revision), event.data.actor);
    case 'submitted':
    case 'resubmitted': {
      const d = event.data;
      const submission: Submission = {
        revision: d.revision?.revision ?? 0,
        round: d.round,
        fiscalEstimate: d.fiscalEstimate ?? {
          lines: [],
          years: [],
          annualTotal: undefined,
          total: undefined,
          centralTotal: undefined,
          localTotal: undefined,
          affordabilityAssessment: '',
          problems: [],
          working: [],
        },
        conflictsWith: d.conflictsWith,
      };
      return withAuthor({ ...s, status: 'SUBMITTED', submissions: [...s.submissions, submission], round: d.round, workflowId: d.workflowId }, d.actor);
    }
    case 'reviewStarted':
      return { ...s, status: 'IN_REVIEW', workflowRunId: event.data.workflowRunId || s.workflowRunId };
    case 'returned':
      return { ...s, status: 'RETURNED', lastDecisionComment: event.data.comment };
    case 'approved':
      return { ...s, status: 'APPROVED', lastDecisionComment: event.data.comment };
    case 'rejected':
      return { ...s, status: 'REJECTED', lastDecisionComment: event.data.comment };
    case 'withdrawn':
      return { ...s, status: 'WITHDRAWN', lastDecisionComment: event.data.reason };
    case 'conflictFlagged':
      return { ...s, conflicts: { ...s.conflicts, [event.data.otherProposalId]: event.data.itemCodes } };
    case 'conflictCleared': {
      const { [event.data.otherProposalId]: _gone, ...rest } = s.conflicts;
      return { ...s, conflicts: rest };
    }
    case 'consultationOpened':
    case 'commentReceived':
    case 'commentPublished':
    case 'commentRejected':
      return { ...s, consultation: evolveConsultation(s.consultation, event, at) };
    default: {
      const never: never = event;
      throw new Error(`unknown event ${String(never)}`);
    }
  }
}

export function fold(events: readonly RecordedEvent[]): ProposalState | undefined {
  return events.reduce<ProposalState | undefined>(evolve, undefined);
}
