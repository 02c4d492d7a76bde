// What the approval emits on bps.approvals.v1 for each domain event, as plain data the recording activity turns
// into proto messages. Ids are derived from workflow id, round, step and a sequence number kept in workflow
// state, so a retried activity (or a replay) writes the same ids and the outbox's unique index drops repeats.
import type { ActorRef, Position } from '../contracts';
import { currentRound, currentStage, isBlocking, type ApprovalEvent, type ApprovalState, type Step } from './domain';

export type StepRefData = {
  readonly proposalId: string;
  readonly workflowId: string;
  readonly round: number;
  readonly stageId: string;
  readonly stepId: string;
  readonly role: string;
  readonly organisation: string;
  readonly routeVersion: string;
};

export type OutgoingEvent =
  | {
      readonly kind: 'stepSignedOff';
      readonly id: string;
      readonly step: StepRefData;
      readonly position: Position;
      readonly comment: string;
      readonly actor: ActorRef;
      readonly at: number;
      readonly asDelegate: boolean;
    }
  | {
      readonly kind: 'objectionRaised';
      readonly id: string;
      readonly step: StepRefData;
      readonly reason: string;
      readonly actor: ActorRef;
      readonly at: number;
    }
  | {
      readonly kind: 'objectionOverruled';
      readonly id: string;
      readonly step: StepRefData;
      readonly comment: string;
      readonly actor: ActorRef;
      readonly at: number;
    }
  | {
      readonly kind: 'objectionWithdrawn';
      readonly id: string;
      readonly step: StepRefData;
      readonly newPosition: Position;
      readonly actor: ActorRef;
      readonly at: number;
    }
  | { readonly kind: 'stepClaimed'; readonly id: string; readonly step: StepRefData; readonly released: boolean; readonly actor: ActorRef; readonly at: number }
  | {
      readonly kind: 'stepDelegated';
      readonly id: string;
      readonly step: StepRefData;
      readonly delegate: string;
      readonly takenBack: boolean;
      readonly actor: ActorRef;
      readonly at: number;
    }
  | { readonly kind: 'stepReminded'; readonly id: string; readonly step: StepRefData; readonly dueAt: number; readonly actor: ActorRef }
  | {
      readonly kind: 'stepEscalated';
      readonly id: string;
      readonly step: StepRefData;
      readonly dueAt: number;
      readonly escalationRole: string;
      readonly escalationOrganisation: string;
      readonly actor: ActorRef;
    }
  | {
      readonly kind: 'proposalDecided';
      readonly id: string;
      readonly proposalId: string;
      readonly proposalRevision: number;
      readonly workflowId: string;
      readonly round: number;
      readonly outcome: 'rejected' | 'returned' | 'withdrawn';
      readonly comment: string;
      readonly actor: ActorRef;
      readonly at: number;
    };

export const approvalsSystemActor: ActorRef = { subject: 'system:approvals', organisation: 'BPS', roles: [] };

function refOf(state: ApprovalState, step: Step): StepRefData {
  return {
    proposalId: state.proposal.proposalId,
    workflowId: state.workflowId,
    round: currentRound(state).round,
    stageId: step.stageId,
    stepId: step.stepId,
    role: step.role,
    organisation: step.organisation,
    routeVersion: `${state.route.routeId}@${state.route.version}`,
  };
}

/** Outgoing events for `event`, applied to `before`; `seq` numbers them within the workflow. */
export function outgoingFor(before: ApprovalState, event: ApprovalEvent, seq: number): OutgoingEvent[] {
  const round = currentRound(before).round;
  const stage = currentStage(before);
  const stepOf = (stepId: string): Step | undefined => stage?.steps.find((s) => s.stepId === stepId);
  const id = (stepId: string, kind: string, n = 0): string => `${before.workflowId}/r${round}/${stepId}/${kind}/${seq}${n ? `.${n}` : ''}`;
  switch (event.type) {
    case 'stepSigned': {
      const step = stepOf(event.stepId);
      if (!step) return [];
      const ref = refOf(before, step);
      const out: OutgoingEvent[] = [
        {
          kind: 'stepSignedOff',
          id: id(step.stepId, 'signed'),
          step: ref,
          position: event.position,
          comment: event.comment,
          actor: event.actor,
          at: event.at,
          asDelegate: event.asDelegate,
        },
      ];
      if (event.position === 'OBJECT')
        out.push({ kind: 'objectionRaised', id: id(step.stepId, 'objection'), step: ref, reason: event.comment, actor: event.actor, at: event.at });
      else if (event.previous === 'OBJECT')
        out.push({
          kind: 'objectionWithdrawn',
          id: id(step.stepId, 'objection-withdrawn'),
          step: ref,
          newPosition: event.position,
          actor: event.actor,
          at: event.at,
        });
      return out;
    }
    case 'objectionOverruled': {
      const step = stepOf(event.stepId);
      return step
        ? [
            {
              kind: 'objectionOverruled',
              id: id(step.stepId, 'objection-overruled'),
              step: refOf(before, step),
              comment: event.comment,
              actor: event.actor,
              at: event.at,
            },
          ]
        : [];
    }
    case 'stepClaimed':
    case 'stepReleased': {
      const step = stepOf(event.stepId);
      return step
        ? [
            {
              kind: 'stepClaimed',
              id: id(step.stepId, event.type),
              step: refOf(before, step),
              released: event.type === 'stepReleased',
              actor: event.actor,
              at: event.at,
            },
          ]
        : [];
    }
    case 'stepDelegated':
    case 'delegationTakenBack': {
      const step = stepOf(event.stepId);
      if (!step) return [];
      const delegate = event.type === 'stepDelegated' ? event.delegate : '';
      return [
        {
          kind: 'stepDelegated',
          id: id(step.stepId, event.type),
          step: refOf(before, step),
          delegate,
          takenBack: event.type === 'delegationTakenBack',
          actor: event.actor,
          at: event.at,
        },
      ];
    }
    case 'stageReminded':
    case 'stageEscalated': {
      if (!stage || stage.dueAt === undefined) return [];
      const dueAt = stage.dueAt;
      return stage.steps.filter(isBlocking).map((s): OutgoingEvent =>
        event.type === 'stageReminded'
          ? { kind: 'stepReminded', id: id(s.stepId, 'reminded'), step: refOf(before, s), dueAt, actor: approvalsSystemActor }
          : {
              kind: 'stepEscalated',
              id: id(s.stepId, 'escalated'),
              step: refOf(before, s),
              dueAt,
              escalationRole: stage.definition.escalationRole,
              escalationOrganisation: stage.definition.escalationOrganisation,
              actor: approvalsSystemActor,
            },
      );
    }
    case 'roundDecided':
      // Approval is announced together with the approved change set, by the publishing activity.
      if (event.outcome === 'approved') return [];
      return [
        {
          kind: 'proposalDecided',
          id: `${before.workflowId}/r${round}/decided-${event.outcome}`,
          proposalId: before.proposal.proposalId,
          proposalRevision: before.proposal.proposalRevision,
          workflowId: before.workflowId,
          round,
          outcome: event.outcome,
          comment: event.comment,
          actor: event.actor,
          at: event.at,
        },
      ];
    case 'stageOpened':
    case 'resubmitted':
    case 'superseded':
      return [];
    default: {
      const unreachable: never = event;
      throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
    }
  }
}
