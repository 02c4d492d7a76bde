// The hash-chained logs in MongoDB (FerretDB-compatible: single-document writes only). One document per entry;
// the global log and every per-aggregate log are separate documents. Appends are idempotent per (log, eventId)
// (unique index) and ordered by a unique (log, sequence) index: two writers racing for the same sequence both
// try, one wins, the other re-reads the head and retries.
// Reads go by _id ("<log>#<sequence>") because FerretDB v1 answers only _id equality without scanning the whole
// collection; a log's size comes from its head document.
import type { Collection, Db } from 'mongodb';
import { TransientError } from '../../../shared/errors/errors';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import { entryHash, type RecordedEvent } from '../../domain/entry';
import { indexFieldsOf, type IndexFields } from '../../domain/derive';
import { GENESIS_HASH, type HashAlgorithm } from '../../domain/hashing';
import type { StoredEntry } from '../../domain/verify';
import type { LogAppender } from '../../application/record-event';
import type { TraceLogs } from '../../application/trace';
import type { ChainReader } from '../../application/verify-log';

export type EntryDoc = {
  _id: string;
  log: string;
  sequence: number;
  eventId: string;
  prevHash: string;
  hash: string;
  hashAlgorithm: HashAlgorithm;
  topic: string;
  event: RecordedEvent;
  index: IndexFields;
  /** Where the same event sits in the global log (ordering of traces; not part of the hash). */
  globalSequence: number;
  recordedAt: Date;
};

/**
 * A log's head (size, head hash) and whether it changed since its last checkpoint. Kept so appends find the head
 * by _id instead of sorting entries; it may lag behind the entries after a crash, so readers probe forward.
 */
type LogDoc = {
  _id: string;
  size: number;
  headHash: string;
  dirty: boolean;
  version: number;
  updatedAt: Date;
  /** Size of the log's newest signed checkpoint (so it is found by _id, "<log>#<size>", not by a query). */
  checkpointSize?: number;
};

export type Head = { readonly size: number; readonly hash: string; readonly hashAlgorithm?: HashAlgorithm };

const MAX_APPEND_ATTEMPTS = 100;
/**
 * Entries read per `_id $in` query. The database pushes `_id $in` down to its unique index
 * (infra/local/ferretdb-patches/0003 on FerretDB), so one query of 500 costs about what one
 * `findOne` did; it stays under the patch's 1,000-value limit.
 */
const READ_BATCH = 500;

export function entryId(log: string, sequence: number): string {
  return `${log}#${sequence}`;
}

export function toStoredEntry(doc: EntryDoc): StoredEntry {
  const { log, sequence, eventId, prevHash, hash, hashAlgorithm, topic, event, index } = doc;
  return { log, sequence, eventId, prevHash, hash, hashAlgorithm, topic, event, index };
}

export class LogStore implements LogAppender, TraceLogs, ChainReader {
  readonly entries: Collection<EntryDoc>;
  readonly logs: Collection<LogDoc>;

  constructor(
    db: Db,
    private readonly hashAlgorithm: HashAlgorithm,
  ) {
    this.entries = db.collection<EntryDoc>('entries');
    this.logs = db.collection<LogDoc>('logs');
  }

  async init(): Promise<void> {
    await ensureIndexes(this.entries, [
      { key: { log: 1, sequence: 1 }, name: 'log_sequence', unique: true },
      { key: { log: 1, eventId: 1 }, name: 'log_event', unique: true },
    ]);
    await ensureIndexes(this.logs, [{ key: { dirty: 1 }, name: 'dirty' }]);
  }

  /** Appends `event` to `log` unless it is already there (unique (log, eventId)); returns the entry either way. */
  async append(log: string, topic: string, event: RecordedEvent, globalSequence?: number): Promise<EntryDoc> {
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      // First try trusts the head document; after a conflict, probe past it (it may lag after a crash).
      const head = await this.head(log, attempt > 0);
      const sequence = head.size + 1;
      const content = { log, sequence, prevHash: head.hash, hashAlgorithm: this.hashAlgorithm, topic, event };
      const doc: EntryDoc = {
        _id: entryId(log, sequence),
        ...content,
        eventId: event.id,
        hash: entryHash(content),
        index: indexFieldsOf(event),
        globalSequence: globalSequence ?? sequence,
        recordedAt: new Date(),
      };
      try {
        await insertOne(this.entries, doc, 'audit entry');
        await this.advanceHead(log, sequence, doc.hash);
        return doc;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Either this event is already in the log (a redelivery, perhaps after a crash) or another writer took
        // this sequence first: look again.
        const existing = await this.entries.findOne({ log, eventId: event.id });
        if (existing) {
          await this.advanceHead(log, existing.sequence, existing.hash); // the crash may have come before this
          return existing;
        }
      }
    }
    throw new TransientError(`could not append to ${log}: too much contention`);
  }

  /** The log's last entry, from the head document, probing forward past entries it has not caught up with. */
  async head(log: string, probe = true): Promise<Head> {
    const doc = await this.logs.findOne({ _id: log });
    let size = doc?.size ?? 0;
    let hash = doc?.headHash ?? GENESIS_HASH;
    let hashAlgorithm: HashAlgorithm | undefined;
    while (probe) {
      const next = await this.entries.findOne({ _id: entryId(log, size + 1) });
      if (!next) break;
      size = next.sequence;
      hash = next.hash;
      hashAlgorithm = next.hashAlgorithm;
    }
    if (probe && size > 0 && hashAlgorithm === undefined) hashAlgorithm = (await this.entries.findOne({ _id: entryId(log, size) }))?.hashAlgorithm;
    return { size, hash, hashAlgorithm };
  }

  private async advanceHead(log: string, size: number, headHash: string): Promise<void> {
    const now = new Date();
    const moved = await this.logs.updateOne({ _id: log, size: { $lt: size } }, { $set: { size, headHash, dirty: true, updatedAt: now }, $inc: { version: 1 } });
    if (moved.matchedCount > 0) return;
    try {
      await this.logs.insertOne({ _id: log, size, headHash, dirty: true, version: 1, updatedAt: now });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // the head is already at or past `size`
    }
  }

  /** Every stored entry of `log` up to its head, in stored-sequence order (gaps and oddities are verify's job). */
  async read(log: string): Promise<StoredEntry[]> {
    return this.readAfter(log, 0, (await this.head(log)).size);
  }

  /** The stored entries after sequence `after` up to `upTo` (inclusive), in stored-sequence order, by _id. */
  async readAfter(log: string, after: number, upTo: number): Promise<StoredEntry[]> {
    const docs = await this.byIds(Array.from({ length: Math.max(0, upTo - after) }, (_, i) => entryId(log, after + i + 1)));
    return docs.sort((a, b) => a.sequence - b.sequence).map(toStoredEntry);
  }

  /** Entry `sequence` of `log` as stored, if any. */
  async entryAt(log: string, sequence: number): Promise<StoredEntry | undefined> {
    const doc = await this.entries.findOne({ _id: entryId(log, sequence) });
    return doc ? toStoredEntry(doc) : undefined;
  }

  /** Records that `log` has a signed checkpoint at `size` (kept when a newer one is already recorded). */
  async markCheckpointed(log: string, size: number): Promise<void> {
    await this.logs.updateOne(
      { _id: log, $or: [{ checkpointSize: { $exists: false } }, { checkpointSize: { $lt: size } }] },
      { $set: { checkpointSize: size } },
    );
  }

  /** Size of the newest checkpoint recorded by markCheckpointed; undefined for logs checkpointed before it existed. */
  async checkpointSize(log: string): Promise<number | undefined> {
    return (await this.logs.findOne({ _id: log }))?.checkpointSize;
  }

  /** Every entry of `log` up to its head; the probe past the stored head is read with the entries, not before them. */
  async entriesOf(log: string): Promise<EntryDoc[]> {
    const stored = (await this.logs.findOne({ _id: log }))?.size ?? 0;
    const docs = await this.byIds(Array.from({ length: stored + 1 }, (_, i) => entryId(log, i + 1)));
    if (!docs.some((d) => d.sequence === stored + 1)) return docs;
    // The head document lags behind its entries (an append between its two writes): probe on from there.
    const head = await this.head(log);
    return [...docs, ...(await this.byIds(Array.from({ length: Math.max(0, head.size - stored - 1) }, (_, i) => entryId(log, stored + i + 2))))];
  }

  async globalEntriesAt(sequences: readonly number[]): Promise<EntryDoc[]> {
    return (await this.byIds([...new Set(sequences)].map((n) => entryId('global', n)))).sort((a, b) => a.sequence - b.sequence);
  }

  /** The entries with these ids, in the order asked; ids with no entry are left out. */
  private async byIds(ids: readonly string[]): Promise<EntryDoc[]> {
    const found = new Map<string, EntryDoc>();
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      for (const doc of await this.entries.find({ _id: { $in: ids.slice(i, i + READ_BATCH) } }).toArray()) found.set(doc._id, doc);
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  async dirtyLogs(limit: number): Promise<LogDoc[]> {
    return this.logs.find({ dirty: true }).limit(limit).toArray();
  }

  /** Clears the dirty mark unless the log was appended to since `version` was read. */
  async markClean(log: string, version: number): Promise<void> {
    await this.logs.updateOne({ _id: log, version }, { $set: { dirty: false } });
  }
}
