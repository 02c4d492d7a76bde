// Event types on bps.proposals.v1, emitted by the proposals service (its event log doubles as the outbox).
import {
  ConsultationCommentModerated,
  ConsultationCommentReceived,
  ConsultationOpened,
  ProposalConflictCleared,
  ProposalConflictFlagged,
  ProposalCreated,
  ProposalDecisionRecorded,
  ProposalRebased,
  ProposalReviewStarted,
  ProposalRevised,
  ProposalSubmitted,
  ProposalWithdrawn,
} from '../../../proto/gen/bps/proposals/v1/events';
import { defineEvent, topics } from './catalog';

const p = 'bps.proposals.v1';

export const proposalEvents = {
  created: defineEvent('bps.proposal.created', topics.proposals, `${p}.ProposalCreated`, ProposalCreated),
  revised: defineEvent('bps.proposal.revised', topics.proposals, `${p}.ProposalRevised`, ProposalRevised),
  rebased: defineEvent('bps.proposal.rebased', topics.proposals, `${p}.ProposalRebased`, ProposalRebased),
  submitted: defineEvent('bps.proposal.submitted', topics.proposals, `${p}.ProposalSubmitted`, ProposalSubmitted),
  resubmitted: defineEvent('bps.proposal.resubmitted', topics.proposals, `${p}.ProposalSubmitted`, ProposalSubmitted),
  reviewStarted: defineEvent('bps.proposal.review.started', topics.proposals, `${p}.ProposalReviewStarted`, ProposalReviewStarted),
  returned: defineEvent('bps.proposal.returned', topics.proposals, `${p}.ProposalDecisionRecorded`, ProposalDecisionRecorded),
  approved: defineEvent('bps.proposal.approved', topics.proposals, `${p}.ProposalDecisionRecorded`, ProposalDecisionRecorded),
  rejected: defineEvent('bps.proposal.rejected', topics.proposals, `${p}.ProposalDecisionRecorded`, ProposalDecisionRecorded),
  withdrawn: defineEvent('bps.proposal.withdrawn', topics.proposals, `${p}.ProposalWithdrawn`, ProposalWithdrawn),
  conflictFlagged: defineEvent('bps.proposal.conflict.flagged', topics.proposals, `${p}.ProposalConflictFlagged`, ProposalConflictFlagged),
  conflictCleared: defineEvent('bps.proposal.conflict.cleared', topics.proposals, `${p}.ProposalConflictCleared`, ProposalConflictCleared),
  consultationOpened: defineEvent('bps.proposal.consultation.opened', topics.proposals, `${p}.ConsultationOpened`, ConsultationOpened),
  commentReceived: defineEvent('bps.proposal.consultation.comment.received', topics.proposals, `${p}.ConsultationCommentReceived`, ConsultationCommentReceived),
  commentPublished: defineEvent(
    'bps.proposal.consultation.comment.published',
    topics.proposals,
    `${p}.ConsultationCommentModerated`,
    ConsultationCommentModerated,
  ),
  commentRejected: defineEvent(
    'bps.proposal.consultation.comment.rejected',
    topics.proposals,
    `${p}.ConsultationCommentModerated`,
    ConsultationCommentModerated,
  ),
} as const;
