// The approvals outbox: events are inserted with their CloudEvents id as a unique key, so an activity retried after
// a crash writes nothing new, and the relay publishes each id once. Sign-offs are also kept as a small projection
// ("what I signed").
import { ObjectId, type Collection, type Db } from 'mongodb';
import { isStandardChanging, signEvent, type DecisionSigner } from '../../../shared/events/decision-signature';
import type { ApprovalEventLog } from '../../application/ports';
import type { ApprovalCloudEvent, SignOffDoc } from '../../application/messages';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import { ensureOutboxIndexes, markPending, toOutboxFields, type OutboxFields } from '../../../shared/mongo/outbox';

type OutboxDoc = OutboxFields & { _id?: ObjectId; eventId: string };

export class ApprovalEventStore implements ApprovalEventLog {
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
  async append(events: readonly ApprovalCloudEvent[]): Promise<void> {
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
