// Event types on bps.approvals.v1, emitted by the approval workflows' activities.
import {
  ActionRefused,
  ChangeSetApproved,
  CycleActionRecorded,
  CyclePhaseChanged,
  ObjectionOverruled,
  ObjectionRaised,
  ObjectionWithdrawn,
  ProposalDecided,
  ProposalWindowClosed,
  ProvinceRefilingOverdue,
  SignOffRefused,
  StepClaimed,
  StepDelegated,
  StepEscalated,
  StepReminded,
  StepSignedOff,
} from '../../../proto/gen/bps/approvals/v1/events';
import { defineEvent, topics } from './catalog';

export const approvalEvents = {
  changeSetApproved: defineEvent('bps.approval.changeset.approved', topics.approvals, 'bps.approvals.v1.ChangeSetApproved', ChangeSetApproved),
  proposalDecided: defineEvent('bps.approval.proposal.decided', topics.approvals, 'bps.approvals.v1.ProposalDecided', ProposalDecided),
  stepSignedOff: defineEvent('bps.approval.step.signed', topics.approvals, 'bps.approvals.v1.StepSignedOff', StepSignedOff),
  signOffRefused: defineEvent('bps.approval.signoff.refused', topics.approvals, 'bps.approvals.v1.SignOffRefused', SignOffRefused),
  actionRefused: defineEvent('bps.approval.action.refused', topics.approvals, 'bps.approvals.v1.ActionRefused', ActionRefused),
  objectionRaised: defineEvent('bps.approval.objection.raised', topics.approvals, 'bps.approvals.v1.ObjectionRaised', ObjectionRaised),
  objectionOverruled: defineEvent('bps.approval.objection.overruled', topics.approvals, 'bps.approvals.v1.ObjectionOverruled', ObjectionOverruled),
  objectionWithdrawn: defineEvent('bps.approval.objection.withdrawn', topics.approvals, 'bps.approvals.v1.ObjectionWithdrawn', ObjectionWithdrawn),
  stepReminded: defineEvent('bps.approval.step.reminded', topics.approvals, 'bps.approvals.v1.StepReminded', StepReminded),
  stepEscalated: defineEvent('bps.approval.step.escalated', topics.approvals, 'bps.approvals.v1.StepEscalated', StepEscalated),
  stepDelegated: defineEvent('bps.approval.step.delegated', topics.approvals, 'bps.approvals.v1.StepDelegated', StepDelegated),
  stepClaimed: defineEvent('bps.approval.step.claimed', topics.approvals, 'bps.approvals.v1.StepClaimed', StepClaimed),
  cyclePhaseChanged: defineEvent('bps.approval.cycle.phase.changed', topics.approvals, 'bps.approvals.v1.CyclePhaseChanged', CyclePhaseChanged),
  proposalWindowClosed: defineEvent('bps.approval.cycle.window.closed', topics.approvals, 'bps.approvals.v1.ProposalWindowClosed', ProposalWindowClosed),
  cycleActionRecorded: defineEvent('bps.approval.cycle.action.recorded', topics.approvals, 'bps.approvals.v1.CycleActionRecorded', CycleActionRecorded),
  provinceRefilingOverdue: defineEvent(
    'bps.approval.cycle.refiling.overdue',
    topics.approvals,
    'bps.approvals.v1.ProvinceRefilingOverdue',
    ProvinceRefilingOverdue,
  ),
} as const;
