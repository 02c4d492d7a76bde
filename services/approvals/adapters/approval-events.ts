// The approvals outbox: events are inserted with their CloudEvents id as a unique key, so an activity retried after
// a crash writes nothing new, and the relay publishes each id once. Sign-offs are also kept as a small projection
// ("what I signed").
import { ObjectId, type Collection, type Db } from 'mongodb';
import type { ActorRef, Position as PositionName } from '../../../workflows/contracts';
import type { OutgoingEvent, StepRefData } from '../../../workflows/approval/outgoing';
import { Decision, Position, type StepRef } from '../../../proto/gen/bps/approvals/v1/events';
import type { Actor } from '../../../proto/gen/bps/common/v1/common';
import { approvalEvents } from '../../shared/events/approvals';
import { isStandardChanging, signEvent, type DecisionSigner } from '../../shared/events/decision-signature';
import { newEvent, type CloudEvent } from '../../shared/kafka/kafka';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../shared/mongo/mongo';
import { ensureOutboxIndexes, markPending, toOutboxFields, type OutboxFields } from '../../shared/mongo/outbox';

export const approvalsSource = '/bps/approvals';

type OutboxDoc = OutboxFields & { _id?: ObjectId; eventId: string };
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

type Built = CloudEvent & { topic: string };

/** The CloudEvent for an outgoing approval event (id fixed by the workflow). */
export function toCloudEvent(e: OutgoingEvent, topicNamespace: string): Built {
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

export class ApprovalEventStore {
  readonly outbox: Collection<OutboxDoc>;
  readonly signOffs: Collection<SignOffDoc>;
  /** `signer`: the decision-signing key; every event that changes the standard is signed before it is written. */
  constructor(
    db: Db,
    private readonly signer?: DecisionSigner,
  ) {
    this.outbox = db.collection<OutboxDoc>('approval_outbox');
    this.signOffs = db.collection<SignOffDoc>('sign_offs');
  }

  async init(): Promise<void> {
    await ensureOutboxIndexes(this.outbox);
    await ensureIndexes(this.outbox, [{ key: { eventId: 1 }, name: 'event_id', unique: true }]);
    await ensureIndexes(this.signOffs, [{ key: { subject: 1, signedAt: -1 }, name: 'by_signer' }]);
  }

  /** Appends events (signing those that change the standard); ids already stored (a retried activity) are skipped. */
  async append(events: readonly Built[]): Promise<void> {
    for (const unsigned of events) {
      let event = unsigned;
      if (isStandardChanging(unsigned.type)) {
        if (!this.signer) throw new Error(`cannot write ${unsigned.type} ${unsigned.id}: no decision-signing key configured (BPS_DECISION_SIGNING_JWK)`);
        event = await signEvent(this.signer, unsigned);
      }
      try {
        const doc = { _id: new ObjectId(), ...toOutboxFields(event), eventId: event.id };
        await insertOne(this.outbox, doc, 'approval event');
        await markPending(this.outbox, [doc]);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
  }

  async recordSignOff(doc: SignOffDoc): Promise<void> {
    try {
      await insertOne(this.signOffs, doc, 'sign-off');
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async signOffsOf(subject: string, proposalId?: string): Promise<SignOffDoc[]> {
    return this.signOffs
      .find(proposalId ? { subject, proposalId } : { subject })
      .sort({ signedAt: -1 })
      .limit(500)
      .toArray();
  }
}
