// Public consultation (征求意见) on a proposal: the lead ministry opens it for a period of Beijing calendar days, the
// public comments through the portal without signing in, every comment is held until the lead ministry's staff
// publish or reject it with a reason. Pure rules: decideConsultation() turns a command into proposal events or a
// refusal (services/shared/domain/decider.ts; it never throws for a rule), evolveConsultation() folds one of them
// into the consultation's state. `today` is the Beijing date the caller computed (shared/standards/china-date.ts), so
// the rules never read a clock.
import type { Actor } from '../../../proto/gen/bps/common/v1/common';
import type { ConsultationCommentModerated, ConsultationCommentReceived, ConsultationOpened } from '../../../proto/gen/bps/proposals/v1/events';
import { accepted, refused, type Decision } from '../../shared/domain/decider';
import type { FieldViolation } from '../../shared/errors/errors';
import { parseIsoDate } from '../../shared/standards/china-date';

export type ConsultationEvent =
  | { readonly type: 'consultationOpened'; readonly data: ConsultationOpened }
  | { readonly type: 'commentReceived'; readonly data: ConsultationCommentReceived }
  | { readonly type: 'commentPublished'; readonly data: ConsultationCommentModerated }
  | { readonly type: 'commentRejected'; readonly data: ConsultationCommentModerated };

export type CommentStatus = 'HELD' | 'PUBLISHED' | 'REJECTED';

export type CommentState = {
  readonly commentId: string;
  readonly round: number;
  readonly text: string;
  readonly commenterName: string;
  readonly commenterOrganisation: string;
  readonly status: CommentStatus;
  readonly moderationReason: string;
  /** ISO instants (the state is stored as JSON in snapshots). */
  readonly receivedAt: string;
  readonly moderatedAt: string;
};

export type ConsultationState = {
  readonly round: number;
  readonly revision: number;
  readonly opensOn: string;
  readonly closesOn: string;
  readonly summary: string;
  readonly openedAt: string;
  /** Every comment of every round, in the order received. */
  readonly comments: readonly CommentState[];
};

/** What the consultation rules need to know of the proposal. */
export type ProposalFacts = {
  readonly id: string;
  /** The proposal is still open (draft, submitted, in review or returned). */
  readonly open: boolean;
  readonly status: string;
  readonly currentRevision: number;
  readonly consultation: ConsultationState | undefined;
};

export type ConsultationCommand =
  | {
      readonly kind: 'openConsultation';
      readonly opensOn: string;
      readonly closesOn: string;
      readonly summary: string;
      readonly today: string;
      readonly actor: Actor;
    }
  | {
      readonly kind: 'submitComment';
      readonly text: string;
      readonly commenterName: string;
      readonly commenterOrganisation: string;
      readonly clientHash: string;
      readonly today: string;
      readonly actor: Actor;
    }
  | { readonly kind: 'moderateComment'; readonly commentId: string; readonly publish: boolean; readonly reason: string; readonly actor: Actor };

export const MAX_SUMMARY_LENGTH = 4000;
export const MAX_COMMENT_LENGTH = 2000;
export const MAX_COMMENTER_NAME_LENGTH = 100;
export const MAX_COMMENTER_ORGANISATION_LENGTH = 200;
export const MAX_REASON_LENGTH = 1000;
/** A technical bound on one period (not an official value): a consultation longer than a year is a typo. */
export const MAX_PERIOD_DAYS = 366;

const singleLine = /[\t\n\r]/;

function days(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

/** Accepting comments today: within the period, and the proposal not decided or withdrawn. */
export function acceptingComments(facts: Pick<ProposalFacts, 'open' | 'consultation'>, today: string): boolean {
  const c = facts.consultation;
  return !!c && facts.open && c.opensOn <= today && today <= c.closesOn;
}

/** The unmet condition, as a refusal's violation (`field` the subject, `reason` the violation's type). */
function state(facts: ProposalFacts, reason: string): FieldViolation[] {
  return [{ field: facts.id, description: reason, reason: 'CONSULTATION_STATE' }];
}

function invalid(violations: readonly FieldViolation[]): Decision<never> {
  return refused('INVALID_ARGUMENT', 'VALIDATION_FAILED', `invalid request: ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`, violations);
}

function openViolations(command: Extract<ConsultationCommand, { kind: 'openConsultation' }>): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const opens = parseIsoDate(command.opensOn);
  const closes = parseIsoDate(command.closesOn);
  if (!opens) violations.push({ field: 'opens_on', description: 'must be a date YYYY-MM-DD' });
  else if (command.opensOn < command.today) violations.push({ field: 'opens_on', description: `must be today (${command.today}, Beijing) or later` });
  if (!closes) violations.push({ field: 'closes_on', description: 'must be a date YYYY-MM-DD' });
  else if (opens && command.closesOn < command.opensOn) violations.push({ field: 'closes_on', description: 'must be on or after opens_on' });
  else if (opens && days(command.opensOn, command.closesOn) > MAX_PERIOD_DAYS)
    violations.push({ field: 'closes_on', description: `the period may last at most ${MAX_PERIOD_DAYS} days` });
  const summary = command.summary.trim();
  if (summary === '') violations.push({ field: 'summary', description: 'is required: the public summary of the proposal' });
  else if (summary.length > MAX_SUMMARY_LENGTH) violations.push({ field: 'summary', description: `must be at most ${MAX_SUMMARY_LENGTH} characters` });
  return violations;
}

function commentViolations(command: Extract<ConsultationCommand, { kind: 'submitComment' }>): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const text = command.text.trim();
  if (text === '') violations.push({ field: 'text', description: 'is required' });
  else if (text.length > MAX_COMMENT_LENGTH) violations.push({ field: 'text', description: `must be at most ${MAX_COMMENT_LENGTH} characters` });
  const name = command.commenterName.trim();
  if (name.length > MAX_COMMENTER_NAME_LENGTH || singleLine.test(name))
    violations.push({ field: 'commenter_name', description: `optional; one line of at most ${MAX_COMMENTER_NAME_LENGTH} characters` });
  const organisation = command.commenterOrganisation.trim();
  if (organisation.length > MAX_COMMENTER_ORGANISATION_LENGTH || singleLine.test(organisation))
    violations.push({ field: 'commenter_organisation', description: `optional; one line of at most ${MAX_COMMENTER_ORGANISATION_LENGTH} characters` });
  if (!/^[0-9a-f]{0,64}$/.test(command.clientHash)) violations.push({ field: 'client_hash', description: 'must be a hex digest (set by the gateway)' });
  return violations;
}

/**
 * The consultation rules. The caller has checked who may act (the lead ministry's staff open and moderate;
 * anyone may comment) — see proposerRefusal in proposal.ts.
 */
export function decideConsultation(facts: ProposalFacts, command: ConsultationCommand): Decision<ConsultationEvent> {
  switch (command.kind) {
    case 'openConsultation': {
      if (!facts.open)
        return refused(
          'FAILED_PRECONDITION',
          'PROPOSAL_CLOSED',
          `proposal ${facts.id} is ${facts.status}: a public consultation is held on a draft or a proposal under review`,
          state(facts, `state is ${facts.status}`),
        );
      const current = facts.consultation;
      if (current && command.today <= current.closesOn)
        return refused(
          'FAILED_PRECONDITION',
          'CONSULTATION_RUNNING',
          `proposal ${facts.id} already has a consultation from ${current.opensOn} to ${current.closesOn}`,
          state(facts, `consultation round ${current.round} runs until ${current.closesOn}`),
        );
      const violations = openViolations(command);
      if (violations.length > 0) return invalid(violations);
      return accepted({
        type: 'consultationOpened',
        data: {
          proposalId: facts.id,
          round: (current?.round ?? 0) + 1,
          revision: facts.currentRevision,
          opensOn: command.opensOn,
          closesOn: command.closesOn,
          summary: command.summary.trim(),
          actor: command.actor,
        },
      });
    }

    case 'submitComment': {
      const c = facts.consultation;
      if (!c) return refused('FAILED_PRECONDITION', 'NO_CONSULTATION', `proposal ${facts.id} has no public consultation`, state(facts, 'no consultation'));
      if (command.today < c.opensOn)
        return refused(
          'FAILED_PRECONDITION',
          'CONSULTATION_NOT_OPEN',
          `the consultation on ${facts.id} opens on ${c.opensOn}`,
          state(facts, `opens on ${c.opensOn}`),
        );
      if (command.today > c.closesOn || !facts.open)
        return refused(
          'FAILED_PRECONDITION',
          'CONSULTATION_CLOSED',
          `the consultation on ${facts.id} is closed (${facts.open ? `it ended on ${c.closesOn}` : `the proposal is ${facts.status}`})`,
          state(facts, facts.open ? `closed on ${c.closesOn}` : `proposal ${facts.status}`),
        );
      const violations = commentViolations(command);
      if (violations.length > 0) return invalid(violations);
      return accepted({
        type: 'commentReceived',
        data: {
          proposalId: facts.id,
          commentId: `C-${c.comments.length + 1}`,
          round: c.round,
          text: command.text.trim(),
          commenterName: command.commenterName.trim(),
          commenterOrganisation: command.commenterOrganisation.trim(),
          clientHash: command.clientHash,
          actor: command.actor,
        },
      });
    }

    case 'moderateComment': {
      const comment = facts.consultation?.comments.find((x) => x.commentId === command.commentId);
      // The application looks the comment up first (NOT_FOUND); deciding on an unknown one is refused all the same.
      if (!comment)
        return refused('FAILED_PRECONDITION', 'COMMENT_NOT_FOUND', `consultation comment "${facts.id}/${command.commentId}" not found`, [
          { field: `${facts.id}/${command.commentId}`, description: 'no such comment', reason: 'COMMENT_STATE' },
        ]);
      if (comment.status !== 'HELD')
        return refused('FAILED_PRECONDITION', 'COMMENT_MODERATED', `comment ${command.commentId} was already ${comment.status.toLowerCase()}`, [
          { field: `${facts.id}/${command.commentId}`, description: `status is ${comment.status}`, reason: 'COMMENT_STATE' },
        ]);
      const reason = command.reason.trim();
      if (!command.publish && reason === '') return invalid([{ field: 'reason', description: 'is required when rejecting a comment' }]);
      if (reason.length > MAX_REASON_LENGTH) return invalid([{ field: 'reason', description: `must be at most ${MAX_REASON_LENGTH} characters` }]);
      const data: ConsultationCommentModerated = { proposalId: facts.id, commentId: command.commentId, reason, actor: command.actor };
      return accepted(command.publish ? { type: 'commentPublished', data } : { type: 'commentRejected', data });
    }

    default: {
      const never: never = command;
      throw new Error(`unknown consultation command ${String(never)}`);
    }
  }
}

function moderated(c: ConsultationState, data: ConsultationCommentModerated, status: CommentStatus, at: Date): ConsultationState {
  return {
    ...c,
    comments: c.comments.map((x) => (x.commentId === data.commentId ? { ...x, status, moderationReason: data.reason, moderatedAt: at.toISOString() } : x)),
  };
}

export function evolveConsultation(c: ConsultationState | undefined, event: ConsultationEvent, at: Date): ConsultationState {
  if (event.type === 'consultationOpened') {
    const d = event.data;
    return {
      round: d.round,
      revision: d.revision,
      opensOn: d.opensOn,
      closesOn: d.closesOn,
      summary: d.summary,
      openedAt: at.toISOString(),
      comments: c?.comments ?? [],
    };
  }
  if (!c) throw new Error(`${event.type} before a consultation was opened`);
  switch (event.type) {
    case 'commentReceived': {
      const d = event.data;
      const comment: CommentState = {
        commentId: d.commentId,
        round: d.round,
        text: d.text,
        commenterName: d.commenterName,
        commenterOrganisation: d.commenterOrganisation,
        status: 'HELD',
        moderationReason: '',
        receivedAt: at.toISOString(),
        moderatedAt: '',
      };
      return { ...c, comments: [...c.comments, comment] };
    }
    case 'commentPublished':
      return moderated(c, event.data, 'PUBLISHED', at);
    case 'commentRejected':
      return moderated(c, event.data, 'REJECTED', at);
    default: {
      const never: never = event;
      throw new Error(`unknown consultation event ${String(never)}`);
    }
  }
}
