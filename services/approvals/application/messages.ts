// The approvals' published language: the workflows' facts as bps.approvals.v1 messages and CloudEvents (ids fixed by
// the workflow, so a retried activity writes the same event). Pure mapping, used by the use cases (activities) and by
// the gRPC adapters.
import type { ActorRef, CycleCitedEvaluation, Position as PositionName } from '../../../workflows/contracts';
import type { OutgoingEvent, StepRefData } from '../../../workflows/approval/outgoing';
import { Decision, Position, type CycleCitedEvaluation as CycleCitedEvaluationMessage, type StepRef } from '../../../proto/gen/bps/approvals/v1/events';
import type { Actor } from '../../../proto/gen/bps/common/v1/common';
import { approvalEvents } from '../../shared/events/approvals';
import { newEvent, type CloudEvent } from '../../shared/kafka/kafka';

export const approvalsSource = '/bps/approvals';

/** A sign-off as "what I signed" keeps it. */
export type SignOffDoc = {
  _id: string; // the StepSignedOff event id
  subject: string;
  proposalId: string;
  round: number;
  stepId: string;
  position: PositionName;
  comment: string;
  signedAt: Date;
};

export const toActor = (a: ActorRef): Actor => ({ subject: a.subject, organisation: a.organisation, roles: [...a.roles] });
export const toPosition = (p: PositionName): Position => Position[`POSITION_${p}`];
export function fromPosition(p: Position): PositionName | undefined {
  const name = Position[p];
  return typeof name === 'string' && name !== 'POSITION_UNSPECIFIED' && name !== 'UNRECOGNIZED' ? (name.replace(/^POSITION_/, '') as PositionName) : undefined;
}
const toStepRef = (s: StepRefData): StepRef => ({ ...s });
const decisions = {
  rejected: Decision.DECISION_REJECTED,
  returned: Decision.DECISION_RETURNED_FOR_REVISION,
  withdrawn: Decision.DECISION_WITHDRAWN,
  approved: Decision.DECISION_APPROVED,
} as const;
export const toDecision = (o: keyof typeof decisions): Decision => decisions[o];

/** A CloudEvent ready for the outbox (its topic resolved). */
export type ApprovalCloudEvent = CloudEvent & { topic: string };

/** The CloudEvent for an outgoing approval event (id fixed by the workflow). */
export function toCloudEvent(e: OutgoingEvent, topicNamespace: string): ApprovalCloudEvent {
  const key = e.kind === 'proposalDecided' ? e.proposalId : e.step.proposalId;
  const options = (time: number) => ({ source: approvalsSource, key, id: e.id, time: new Date(time), topicNamespace });
  switch (e.kind) {
    case 'stepSignedOff':
      return newEvent(
        approvalEvents.stepSignedOff,
        {
          step: toStepRef(e.step),
          position: toPosition(e.position),
          comment: e.comment,
          actor: toActor(e.actor),
          signedAt: new Date(e.at),
          asDelegate: e.asDelegate,
        },
        options(e.at),
      );
    case 'objectionRaised':
      return newEvent(
        approvalEvents.objectionRaised,
        { step: toStepRef(e.step), reason: e.reason, actor: toActor(e.actor), raisedAt: new Date(e.at) },
        options(e.at),
      );
    case 'objectionOverruled':
      return newEvent(
        approvalEvents.objectionOverruled,
        { step: toStepRef(e.step), comment: e.comment, actor: toActor(e.actor), overruledAt: new Date(e.at) },
        options(e.at),
      );
    case 'objectionWithdrawn':
      return newEvent(
        approvalEvents.objectionWithdrawn,
        { step: toStepRef(e.step), newPosition: toPosition(e.newPosition), actor: toActor(e.actor), withdrawnAt: new Date(e.at) },
        options(e.at),
      );
    case 'stepClaimed':
      return newEvent(
        approvalEvents.stepClaimed,
        { step: toStepRef(e.step), released: e.released, actor: toActor(e.actor), at: new Date(e.at) },
        options(e.at),
      );
    case 'stepDelegated':
      return newEvent(
        approvalEvents.stepDelegated,
        { step: toStepRef(e.step), delegate: e.delegate, takenBack: e.takenBack, actor: toActor(e.actor), at: new Date(e.at) },
        options(e.at),
      );
    case 'stepReminded':
      return newEvent(approvalEvents.stepReminded, { step: toStepRef(e.step), dueAt: new Date(e.dueAt), actor: toActor(e.actor) }, options(e.dueAt));
    case 'stepEscalated':
      return newEvent(
        approvalEvents.stepEscalated,
        {
          step: toStepRef(e.step),
          dueAt: new Date(e.dueAt),
          escalationRole: e.escalationRole,
          escalationOrganisation: e.escalationOrganisation,
          actor: toActor(e.actor),
        },
        options(e.dueAt),
      );
    case 'proposalDecided':
      return newEvent(
        approvalEvents.proposalDecided,
        {
          proposalId: e.proposalId,
          proposalRevision: e.proposalRevision,
          workflowId: e.workflowId,
          round: e.round,
          decision: toDecision(e.outcome),
          comment: e.comment,
          actor: toActor(e.actor),
          decidedAt: new Date(e.at),
        },
        options(e.at),
      );
    default: {
      const unreachable: never = e;
      throw new Error(`unknown outgoing event ${JSON.stringify(unreachable)}`);
    }
  }
}

export function citedEvaluationMessage(c: CycleCitedEvaluation): CycleCitedEvaluationMessage {
  return {
    evaluationId: c.evaluationId,
    kind: c.kind,
    itemCode: c.itemCode,
    fieldCode: c.fieldCode,
    provinceCode: c.provinceCode,
    period: c.period,
    satisfactionPercent: c.satisfactionPercent,
    summary: c.summary,
    recordedBy: c.recordedBy,
    recordedAt: c.recordedAt !== undefined ? new Date(c.recordedAt) : undefined,
  };
}
