// The approvals' own record of every approval (the system of record; Temporal is the engine): after each change the
// workflow records its whole decision state, the change set it carries, its outgoing-event sequence number and the
// batch of events it is about to publish (recordApproval activity). An approval still running is listed in the small
// `open_approvals` collection (only `_id`s), which the start-up reconcile pass reads whole; every other read goes by
// `_id` (FerretDB v1 scans the collection for any other filter) or an indexed equality on the small `approval_inbox`
// (below). The state is stored as JSON text: its keys include people's subjects, which may contain dots.
//
// `approval_inbox` holds, for each approval with open steps, its view and the inbox keys of those steps (the same
// keys as its BpsOpenRoles search attribute), written with the record before the change's update returns: the inbox
// reads the views of everything open to a caller with one indexed read per key it holds (an array equality, which
// FerretDB answers from its index), instead of one workflow query per open approval.
import type { Collection, Db } from 'mongodb';
import type { ApprovalView } from '../../../../workflows/contracts';
import { openKeys, toView } from '../../../../workflows/approval/domain';
import type { ApprovalRecord, RecordApprovalArgs } from '../../../../workflows/approval/record';
import { replaceFrom, replaceIfNewer } from '../../../shared/mongo/cas';
import { ensureIndexes, isDuplicateKey } from '../../../shared/mongo/mongo';
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
  /** Who may see the approval: its lead ministry and its route's steps (fixed for its life), read without `record`. */
  parties?: ApprovalParties;
};
type OpenDoc = { _id: string; proposalId: string; kind: string; since: Date };
type InboxDoc = {
  _id: string; // the workflow id
  version: number; // of the record it was written with
  /** The inbox keys of the open steps (domain openKeys: "role@organisation", "subject:<id>"). */
  keys: string[];
  /** JSON of the ApprovalView (subjects may contain dots). */
  view: string;
};
export type ApprovalParties = { readonly leadMinistry: string; readonly route: readonly { readonly role: string; readonly organisation: string }[] };

export class ApprovalRecords implements ApprovalRecordStore {
  readonly records: Collection<RecordDoc>;
  readonly open: Collection<OpenDoc>;
  readonly inbox: Collection<InboxDoc>;

  constructor(db: Db) {
    this.records = db.collection<RecordDoc>('approval_records');
    this.open = db.collection<OpenDoc>('open_approvals');
    this.inbox = db.collection<InboxDoc>('approval_inbox');
  }

  async init(): Promise<void> {
    await ensureIndexes(this.inbox, [{ key: { keys: 1 }, name: 'keys' }]);
  }

  /**
   * Stores the record unless a newer one is already stored (a late retry of an older activity): `false` then. A retry
   * of the same version writes it again, so the open list is brought up to date after a crash between the two writes.
   * `alongside` (the change's outgoing events) runs once the record is stored, with the open list and inbox writes.
   */
  async save(workflowId: string, args: RecordApprovalArgs, alongside: () => Promise<void> = async () => undefined): Promise<boolean> {
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
      parties: partiesOf(record.state),
    };
    // Newer (or the same, again) wins, by a compare-and-set that holds on FerretDB (services/shared/mongo/cas.ts).
    // Mostly the stored record is the one before (the workflow records every change in turn): replaced from that
    // version at once, without reading it first, its token removed alongside the writes that follow; the first
    // record is inserted at once (a unique insert: of two, one wins). Anything else (a retry, a race) goes the
    // long way.
    const releases: Promise<unknown>[] = [];
    const stored =
      (record.version === 1 ? await insertNew(this.records, doc) : await replaceFrom(this.records, workflowId, 'version', record.version - 1, doc, releases)) ||
      (await replaceIfNewer(this.records, 'version', doc, { orEqual: true }));
    if (!stored) {
      await Promise.all([...releases, alongside()]);
      return false; // a newer record is stored
    }
    await Promise.all([
      ...releases,
      closed
        ? this.open.deleteOne({ _id: workflowId })
        : this.open.updateOne({ _id: workflowId }, { $setOnInsert: { proposalId: doc.proposalId, kind: doc.kind, since: doc.recordedAt } }, { upsert: true }),
      this.index(workflowId, record.version, closed ? [] : openKeys(record.state).roles, record.state),
      alongside(),
    ]);
    return true;
  }

  /**
   * The approval's inbox entry at `version`: written when it has open steps, removed when it has none. An entry of
   * a newer version is left alone (a late retry of an older activity); the inbox also lists only the approvals
   * Temporal's visibility has running under the caller's keys, so an entry left over by a workflow that ended
   * without recording its end (terminated) is never shown.
   */
  private async index(workflowId: string, version: number, keys: string[], state: ApprovalRecord['state']): Promise<void> {
    if (keys.length === 0) {
      await this.inbox.deleteOne({ _id: workflowId, version: { $lte: version } });
      return;
    }
    const entry: InboxDoc = { _id: workflowId, version, keys, view: JSON.stringify(toView(state)) };
    try {
      await this.inbox.replaceOne({ _id: workflowId, version: { $lte: version } }, entry, { upsert: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // else a newer entry is stored
    }
  }

  /**
   * The views of the approvals open to any of `keys` (inbox keys: domain inboxKeysOf), by workflow id: one indexed
   * read per key, at once. An approval under several of the keys is read once per key; the newest entry wins.
   */
  async inboxViews(keys: readonly string[]): Promise<Map<string, ApprovalView>> {
    const found = await Promise.all(keys.map((key) => this.inbox.find({ keys: key }).toArray()));
    const newest = new Map<string, InboxDoc>();
    for (const doc of found.flat()) if ((newest.get(doc._id)?.version ?? -1) < doc.version) newest.set(doc._id, doc);
    return new Map([...newest].map(([id, doc]) => [id, JSON.parse(doc.view) as ApprovalView]));
  }

  /** Who may see the approval (fixed for its life), or undefined when no record says so (not recorded yet, or recorded before parties were). */
  async parties(workflowId: string): Promise<ApprovalParties | undefined> {
    const doc = await this.records.findOne({ _id: workflowId }, { projection: { parties: 1 } });
    return doc?.parties;
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

/** Inserts `doc` unless a document of its `_id` exists (then false). */
async function insertNew<T extends { _id: string }>(collection: Collection<T>, doc: T): Promise<boolean> {
  try {
    await collection.insertOne(doc as never);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

function partiesOf(state: ApprovalRecord['state']): ApprovalParties {
  return {
    leadMinistry: state.proposal.leadMinistry,
    route: state.rounds.flatMap((r) => r.stages.flatMap((st) => st.steps.map((s) => ({ role: s.role, organisation: s.organisation })))),
  };
}
