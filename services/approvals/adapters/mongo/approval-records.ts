// The approvals' own record of every approval (the system of record; Temporal is the engine): after each change the
// workflow records its whole decision state, the change set it carries, its outgoing-event sequence number and the
// batch of events it is about to publish (recordApproval activity). An approval still running is listed in the small
// `open_approvals` collection (only `_id`s), which the start-up reconcile pass reads whole; every other read goes by
// `_id` (FerretDB v1 scans the collection for any other filter). The state is stored as JSON text: its keys
// include people's subjects, which may contain dots.
import type { Collection, Db } from 'mongodb';
import type { ApprovalRecord, RecordApprovalArgs } from '../../../../workflows/approval/record';
import { replaceIfNewer } from '../../../shared/mongo/cas';
import type { ApprovalRecordStore } from '../../application/ports';

type RecordDoc = {
  _id: string; // the workflow id (= proposal id)
  version: number;
  proposalId: string;
  kind: string;
  status: string;
  closed: boolean;
  recordedAt: Date;
  /** JSON of ApprovalRecord (state, seq, changeSet, events, version). */
  record: string;
};
type OpenDoc = { _id: string; proposalId: string; kind: string; since: Date };

export class ApprovalRecords implements ApprovalRecordStore {
  readonly records: Collection<RecordDoc>;
  readonly open: Collection<OpenDoc>;

  constructor(db: Db) {
    this.records = db.collection<RecordDoc>('approval_records');
    this.open = db.collection<OpenDoc>('open_approvals');
  }

  /**
   * Stores the record unless a newer one is already stored (a late retry of an older activity): `false` then. A retry
   * of the same version writes it again, so the open list is brought up to date after a crash between the two writes.
   */
  async save(workflowId: string, args: RecordApprovalArgs): Promise<boolean> {
    const { closed, ...record } = args;
    const doc: RecordDoc = {
      _id: workflowId,
      version: record.version,
      proposalId: record.state.proposal.proposalId,
      kind: record.state.proposal.kind,
      status: record.state.status,
      closed,
      recordedAt: new Date(),
      record: JSON.stringify(record),
    };
    // Newer (or the same, again) wins, by a compare-and-set that holds on FerretDB (services/shared/mongo/cas.ts).
    if (!(await replaceIfNewer(this.records, 'version', doc, { orEqual: true }))) return false; // a newer record is stored
    if (closed) await this.open.deleteOne({ _id: workflowId });
    else
      await this.open.updateOne({ _id: workflowId }, { $setOnInsert: { proposalId: doc.proposalId, kind: doc.kind, since: doc.recordedAt } }, { upsert: true });
    return true;
  }

  /** The ids of the approvals recorded as running. */
  async openIds(): Promise<string[]> {
    return (await this.open.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id).sort();
  }

  async isOpen(workflowId: string): Promise<boolean> {
    return (await this.open.findOne({ _id: workflowId }, { projection: { _id: 1 } })) !== null;
  }

  /** The latest record of an approval. */
  async get(workflowId: string): Promise<(ApprovalRecord & { closed: boolean }) | undefined> {
    const doc = await this.records.findOne({ _id: workflowId });
    return doc ? { ...(JSON.parse(doc.record) as ApprovalRecord), closed: doc.closed } : undefined;
  }
}
