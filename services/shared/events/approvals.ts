// Event types on bps.approvals.v1, emitted by the approval workflows' activities.
import { ChangeSetApproved, ProposalDecided } from '../../../proto/gen/bps/approvals/v1/events';
import { defineEvent, topics } from './catalog';

export const approvalEvents = {
  changeSetApproved: defineEvent('bps.approval.changeset.approved', topics.approvals, 'bps.approvals.v1.ChangeSetApproved', ChangeSetApproved),
  proposalDecided: defineEvent('bps.approval.proposal.decided', topics.approvals, 'bps.approvals.v1.ProposalDecided', ProposalDecided),
} as const;
