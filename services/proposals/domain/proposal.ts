// The proposal aggregate: an event-sourced lifecycle. decide() turns a command into events (or refuses it with a
// PlatformError); evolve() folds one event into the state. Events are the bps.proposals.v1 payloads themselves.
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
import { ConcurrencyError, FailedPreconditionError, PermissionDeniedError } from '../../shared/errors/errors';
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

export type Decision = 'APPROVED' | 'REJECTED' | 'RETURNED' | 'WITHDRAWN';

export type Command =
  | {
      readonly kind: 'create';
      readonly proposalId: string;
      readonly leadMinistry: string;
      readonly coProposers: readonly string[];
      readonly draft: Draft;
      readonly actor: Actor;
    }
  | { readonly kind: 'revise'; readonly expectedRevision: number; readonly draft: Draft; readonly actor: Actor }
  | {
      readonly kind: 'rebase';
      readonly expectedRevision: number;
      readonly content: ProposalContent;
      readonly moved: readonly RebasedItem[];
      readonly actor: Actor;
    }
  | {
      readonly kind: 'submit';
      readonly expectedRevision: number;
      readonly fiscalEstimate: FiscalEstimate;
      readonly conflictsWith: readonly ProposalConflict[];
      readonly workflowId: string;
      readonly actor: Actor;
    }
  | { readonly kind: 'markInReview'; readonly revision: number; readonly workflowRunId: string; readonly actor: Actor }
  | {
      readonly kind: 'recordDecision';
      readonly decision: Decision;
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
  | ConsultationCommand;

export const openStatuses: readonly Status[] = ['DRAFT', 'SUBMITTED', 'IN_REVIEW', 'RETURNED'];
const editable: readonly Status[] = ['DRAFT', 'RETURNED'];

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

function requireExisting(state: ProposalState | undefined): ProposalState {
  if (!state) throw new FailedPreconditionError('the proposal does not exist');
  return state;
}

function requireEditable(state: ProposalState, expectedRevision: number, action: string): void {
  if (!editable.includes(state.status)) {
    throw new FailedPreconditionError(
      `cannot ${action}: the proposal is ${state.status}; only a draft or a returned proposal can change`,
      [{ type: 'PROPOSAL_STATE', subject: state.id, description: `state is ${state.status}` }],
      'PROPOSAL_FROZEN',
    );
  }
  const current = currentRevision(state).revision;
  if (expectedRevision !== current) throw new ConcurrencyError(`proposal ${state.id} is at revision ${current}, not ${expectedRevision}`, current);
}

/** Only staff of the lead ministry act on a proposal's lifecycle. */
export function assertProposer(state: ProposalState, actor: Actor, action: string): void {
  if (!actor.roles.includes('ministry-staff')) throw new PermissionDeniedError(`${action} requires role ministry-staff`, 'MISSING_ROLE');
  if (actor.organisation !== state.leadMinistry)
    throw new PermissionDeniedError(`only staff of ${state.leadMinistry} may ${action} proposal ${state.id}`, 'NOT_LEAD_UNIT');
}

function revisionOf(number: number, draft: Draft): ProposalRevision {
  return { revision: number, content: draft.content, itemCodes: [...draft.itemCodes], fieldCodes: [...draft.fieldCodes] };
}

export function decide(state: ProposalState | undefined, command: Command): ProposalEvent[] {
  switch (command.kind) {
    case 'create':
      if (state) throw new FailedPreconditionError(`proposal ${state.id} already exists`);
      return [
        {
          type: 'created',
          data: {
            proposalId: command.proposalId,
            revision: revisionOf(1, command.draft),
            leadMinistry: command.leadMinistry,
            coProposers: [...command.coProposers],
            actor: command.actor,
          },
        },
      ];

    case 'revise': {
      const s = requireExisting(state);
      requireEditable(s, command.expectedRevision, 'edit');
      return [{ type: 'revised', data: { proposalId: s.id, revision: revisionOf(command.expectedRevision + 1, command.draft), actor: command.actor } }];
    }

    case 'rebase': {
      const s = requireExisting(state);
      requireEditable(s, command.expectedRevision, 'rebase');
      if (command.moved.length === 0) return [];
      const current = currentRevision(s);
      const revision: ProposalRevision = { ...current, revision: current.revision + 1, content: command.content };
      return [{ type: 'rebased', data: { proposalId: s.id, revision, moved: [...command.moved], actor: command.actor } }];
    }

    case 'submit': {
      const s = requireExisting(state);
      const previous = lastSubmission(s);
      // A repeated submit of the revision already submitted changes nothing (the caller re-ensures the workflow).
      if ((s.status === 'SUBMITTED' || s.status === 'IN_REVIEW') && previous?.revision === command.expectedRevision) return [];
      requireEditable(s, command.expectedRevision, 'submit');
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
      return [{ type: resubmission ? 'resubmitted' : 'submitted', data }];
    }

    case 'markInReview': {
      const s = requireExisting(state);
      if (s.status !== 'SUBMITTED' || lastSubmission(s)?.revision !== command.revision) return [];
      return [
        {
          type: 'reviewStarted',
          data: {
            proposalId: s.id,
            revision: command.revision,
            round: s.round,
            workflowId: s.workflowId,
            workflowRunId: command.workflowRunId,
            actor: command.actor,
          },
        },
      ];
    }

    case 'recordDecision': {
      const s = requireExisting(state);
      if (command.decision === 'WITHDRAWN') {
        if (!isOpen(s)) return [];
        return [{ type: 'withdrawn', data: { proposalId: s.id, revision: currentRevision(s).revision, reason: command.comment, actor: command.actor } }];
      }
      // Outcomes of an earlier round, or for a proposal no longer under review, are history: ignore them.
      if ((s.status !== 'SUBMITTED' && s.status !== 'IN_REVIEW') || lastSubmission(s)?.revision !== command.revision) return [];
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
          return [{ type: 'approved', data }];
        case 'REJECTED':
          return [{ type: 'rejected', data }];
        case 'RETURNED':
          return [{ type: 'returned', data }];
        default: {
          const never: never = command.decision;
          throw new Error(`unknown decision ${String(never)}`);
        }
      }
    }

    case 'withdraw': {
      const s = requireExisting(state);
      if (s.status === 'WITHDRAWN') return [];
      if (!isOpen(s))
        throw new FailedPreconditionError(
          `proposal ${s.id} is ${s.status} and can no longer be withdrawn`,
          [{ type: 'PROPOSAL_STATE', subject: s.id, description: `state is ${s.status}` }],
          'PROPOSAL_CLOSED',
        );
      return [{ type: 'withdrawn', data: { proposalId: s.id, revision: currentRevision(s).revision, reason: command.reason, actor: command.actor } }];
    }

    case 'flagConflict': {
      const s = requireExisting(state);
      const known = s.conflicts[command.otherProposalId];
      const items = [...command.itemCodes].sort();
      if (!isOpen(s) || (known && known.join() === items.join())) return [];
      return [{ type: 'conflictFlagged', data: { proposalId: s.id, otherProposalId: command.otherProposalId, itemCodes: items, actor: command.actor } }];
    }

    case 'clearConflict': {
      const s = requireExisting(state);
      if (!s.conflicts[command.otherProposalId]) return [];
      return [{ type: 'conflictCleared', data: { proposalId: s.id, otherProposalId: command.otherProposalId, actor: command.actor } }];
    }

    case 'openConsultation':
    case 'moderateComment': {
      const s = requireExisting(state);
      assertProposer(s, command.actor, command.kind === 'openConsultation' ? 'open a public consultation on' : 'moderate comments on');
      return decideConsultation(consultationFacts(s), command);
    }

    case 'submitComment':
      return decideConsultation(consultationFacts(requireExisting(state)), command);

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
