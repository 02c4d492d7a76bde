// Verification anchors: per log, the newest signed checkpoint a verification found intact. Read and written by
// _id (the log name). An anchor only saves work: it is a checkpoint signed by a trusted key, re-checked (signature
// and the stored hash of its head entry) every time it is used, and a full verification ignores it.
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../../../shared/mongo/mongo';
import type { SignedCheckpoint } from '../../domain/signing';
import type { VerificationAnchors } from '../../application/verify-log';

type AnchorDoc = { _id: string; checkpoint: SignedCheckpoint; verifiedAt: Date };

export class MongoVerificationAnchors implements VerificationAnchors {
  private readonly collection: Collection<AnchorDoc>;

  constructor(db: Db) {
    this.collection = db.collection<AnchorDoc>('verification_anchors');
  }

  async get(log: string): Promise<SignedCheckpoint | undefined> {
    return (await this.collection.findOne({ _id: log }))?.checkpoint;
  }

  async advance(log: string, checkpoint: SignedCheckpoint, at: Date): Promise<void> {
    const moved = await this.collection.updateOne({ _id: log, 'checkpoint.size': { $lt: checkpoint.size } }, { $set: { checkpoint, verifiedAt: at } });
    if (moved.matchedCount > 0) return;
    try {
      await this.collection.insertOne({ _id: log, checkpoint, verifiedAt: at });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // already anchored at or past this checkpoint
    }
  }
}
