// What the outside sees: the read model (Proposal message), the approval workflow's input, proposal ids.
import { ProposalKind, ProposalState as ProtoState, type Proposal, type ProposalConflict } from '../../../proto/gen/bps/proposals/v1/proposal';
import { ChangeSet, ReleaseKind } from '../../../proto/gen/bps/standards/v1/changes';
import type { ProposalApprovalInput, ProposalResubmitted } from '../../../workflows/contracts';
import { CommentStatus, type Consultation } from '../../../proto/gen/bps/proposals/v1/proposals';
import { acceptingComments, type CommentStatus as CommentStatusName } from './consultation';
import { fenOf } from './fiscal';
import { currentRevision, isOpen, type ProposalState, type Status, type Submission } from './proposal';

const protoStates: Readonly<Record<Status, ProtoState>> = {
  DRAFT: ProtoState.PROPOSAL_STATE_DRAFT,
  SUBMITTED: ProtoState.PROPOSAL_STATE_SUBMITTED,
  IN_REVIEW: ProtoState.PROPOSAL_STATE_IN_REVIEW,
  RETURNED: ProtoState.PROPOSAL_STATE_RETURNED,
  APPROVED: ProtoState.PROPOSAL_STATE_APPROVED,
  REJECTED: ProtoState.PROPOSAL_STATE_REJECTED,
  WITHDRAWN: ProtoState.PROPOSAL_STATE_WITHDRAWN,
};

export function statusOf(state: ProtoState): Status | undefined {
  return (Object.keys(protoStates) as Status[]).find((s) => protoStates[s] === state);
}

export function conflictsOf(state: ProposalState): ProposalConflict[] {
  return Object.entries(state.conflicts)
    .map(([proposalId, itemCodes]) => ({ proposalId, itemCodes: [...itemCodes] }))
    .sort((a, b) => a.proposalId.localeCompare(b.proposalId));
}

/** The read model with the content of `revision` (0 = current); undefined when that revision does not exist. */
export function toView(state: ProposalState, revision = 0): Proposal | undefined {
  const current = currentRevision(state);
  const shown = revision === 0 ? current : state.revisions[revision - 1];
  if (!shown) return undefined;
  const submissions = state.submissions.filter((s) => s.revision === shown.revision);
  const submittedHere = submissions[submissions.length - 1];
  return {
    proposalId: state.id,
    state: protoStates[state.status],
    revision: shown.revision,
    currentRevision: current.revision,
    submittedRevision: state.submissions[state.submissions.length - 1]?.revision ?? 0,
    leadMinistry: state.leadMinistry,
    coProposers: [...state.coProposers],
    draftedBy: state.draftedBy,
    content: shown.content,
    itemCodes: shown.itemCodes,
    fieldCodes: shown.fieldCodes,
    conflicts: conflictsOf(state),
    workflowId: state.workflowId,
    round: state.round,
    submittedFiscalEstimate: submittedHere?.fiscalEstimate,
    lastDecisionComment: state.lastDecisionComment,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    consultationComments: state.consultation?.comments.length ?? 0,
    commentsAwaitingModeration: state.consultation?.comments.filter((c) => c.status === 'HELD').length ?? 0,
  };
}

function isoDate(d: { year: number; month: number; day: number } | undefined): string {
  if (!d) return '';
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The submitted revision as the registry's change set (canonical JSON), ready to be applied once approved. */
export function changeSetOf(state: ProposalState, submission: Submission): unknown {
  const revision = state.revisions[submission.revision - 1];
  const content = revision?.content;
  if (!revision || !content) throw new Error(`proposal ${state.id} has no revision ${submission.revision}`);
  return ChangeSet.toJSON({
    changeSetId: `${state.id}.r${submission.revision}`,
    kind: content.kind === ProposalKind.PROPOSAL_KIND_UNIFIED ? ReleaseKind.RELEASE_KIND_EDITION : ReleaseKind.RELEASE_KIND_AMENDMENT,
    title: content.title,
    effectiveFrom: content.effectiveFrom,
    changes: content.changes,
    provenance: {
      proposalIds: [state.id],
      proposalRevisions: [submission.revision],
      workflowId: state.workflowId,
      workflowRunId: '',
      cycleId: content.cycleId,
      approvalRouteVersion: '',
      approvedBy: undefined,
      approvedAt: undefined,
    },
    fieldCodes: revision.fieldCodes,
  });
}

function totalsOf(submission: Submission): ProposalApprovalInput['fiscalTotals'] {
  const e = submission.fiscalEstimate;
  return { totalFen: fenOf(e.total).toString(), centralFen: fenOf(e.centralTotal).toString(), localFen: fenOf(e.localTotal).toString() };
}

export function approvalInput(state: ProposalState, submission: Submission): ProposalApprovalInput {
  const revision = state.revisions[submission.revision - 1];
  const content = revision?.content;
  if (!revision || !content) throw new Error(`proposal ${state.id} has no revision ${submission.revision}`);
  return {
    proposalId: state.id,
    proposalRevision: submission.revision,
    kind: content.kind === ProposalKind.PROPOSAL_KIND_UNIFIED ? 'UNIFIED' : 'AD_HOC',
    ...(content.cycleId ? { cycleId: content.cycleId } : {}),
    title: content.title,
    leadMinistry: state.leadMinistry,
    proposer: { subject: state.draftedBy.subject, organisation: state.draftedBy.organisation, roles: [...state.draftedBy.roles] },
    authors: [...state.authors],
    fieldCodes: revision.fieldCodes,
    itemCodes: revision.itemCodes,
    effectiveFrom: isoDate(content.effectiveFrom),
    fiscalTotals: totalsOf(submission),
    conflictsWith: submission.conflictsWith.map((c) => c.proposalId),
    changeSet: changeSetOf(state, submission),
  };
}

export function resubmittedSignal(state: ProposalState, submission: Submission): ProposalResubmitted {
  const { proposalRevision, title, fieldCodes, itemCodes, effectiveFrom, fiscalTotals, conflictsWith, authors, changeSet } = approvalInput(state, submission);
  return { proposalRevision, title, fieldCodes, itemCodes, effectiveFrom, fiscalTotals, conflictsWith, ...(authors ? { authors } : {}), changeSet };
}

/**
 * Proposal ids read like "P-2026-NHC-0007": year (Asia/Shanghai) of drafting, lead ministry, a per-ministry-year
 * counter. A deployment namespace (tests, side-by-side deployments) is appended after a dot, because the id is
 * also the approval workflow id and those share one Temporal namespace.
 */
export function proposalId(year: number, ministry: string, counter: number, namespace = ''): string {
  const id = `P-${year}-${ministry}-${String(counter).padStart(4, '0')}`;
  return namespace ? `${id}.${namespace}` : id;
}

const commentStatuses: Readonly<Record<CommentStatusName, CommentStatus>> = {
  HELD: CommentStatus.COMMENT_STATUS_HELD,
  PUBLISHED: CommentStatus.COMMENT_STATUS_PUBLISHED,
  REJECTED: CommentStatus.COMMENT_STATUS_REJECTED,
};

/**
 * The public consultation as one reader sees it: everyone reads the summary, the changes consulted on and the
 * published comments; `allComments` (readers of the proposal) adds the held and rejected ones. Undefined when no
 * consultation was opened. `today` is the Beijing date.
 */
export function consultationView(state: ProposalState, today: string, allComments: boolean, withComments = true): Consultation | undefined {
  const c = state.consultation;
  if (!c) return undefined;
  const consulted = state.revisions[c.revision - 1] ?? currentRevision(state);
  const at = (iso: string): Date | undefined => (iso ? new Date(iso) : undefined);
  return {
    proposalId: state.id,
    title: consulted.content?.title ?? '',
    leadMinistry: state.leadMinistry,
    round: c.round,
    revision: c.revision,
    opensOn: c.opensOn,
    closesOn: c.closesOn,
    summary: c.summary,
    acceptingComments: acceptingComments({ open: isOpen(state), consultation: c }, today),
    changes: consulted.content?.changes ?? [],
    proposalState: protoStates[state.status],
    comments: withComments
      ? c.comments
          .filter((x) => allComments || x.status === 'PUBLISHED')
          .map((x) => ({
            commentId: x.commentId,
            round: x.round,
            text: x.text,
            commenterName: x.commenterName,
            commenterOrganisation: x.commenterOrganisation,
            status: commentStatuses[x.status],
            moderationReason: allComments || x.status !== 'PUBLISHED' ? x.moderationReason : '',
            receivedAt: at(x.receivedAt),
            moderatedAt: at(x.moderatedAt),
          }))
      : [],
    openedAt: at(c.openedAt),
  };
}
