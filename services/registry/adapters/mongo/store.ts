// Mongo persistence of the registry. FerretDB-compatible: single-document writes, unique indexes as the only
// cross-document guard, no transactions.
//
// - `releases`: one document per edition/amendment, written once (unique change_set_id): the commit point of a
//   change set and the outbox of its version.published event. Item versions are projected from it.
// - `item_versions`: the append-only log of every item (unique (aggregateId, sequence), _id `CODE:vN:rR`); a
//   correction is a new record (revision) of the same version, never an overwrite.
// - `item_heads`: one projection document per item holding its last few versions inline (bounded size), so the
//   point-in-time lookup is one read by _id in the usual case, and the catalogue is one scan of ~100 documents.
// - `filings` (+ `filing_heads`), `floor_breaches`, `changeset_rejections`: written once each, with their event.
//
// Why _id reads: FerretDB v1 (SQLite) pushes down only `_id` equality; any other filter or sort scans the whole
// collection (measured: 2 s per lookup at 10k records). Versions of an item have increasing effective dates and
// increasing recording times, so "latest version with effectiveFrom <= D and recordedAt <= K" is a monotone
// predicate over version numbers: older versions are found by an exponential search over `_id` reads, whose
// cost depends on how far back D is, not on how long the history is.
// - `effective_schedule` + `outbox`: the persisted due list of version.effective events.
import type { Collection, Db } from 'mongodb';
import type { ServiceItem } from '../../../../proto/gen/bps/common/v1/common';
import { Provenance, type ReleaseKind } from '../../../../proto/gen/bps/standards/v1/changes';
import type { ChangeConflict, ChangeType, MetricComparison } from '../../../../proto/gen/bps/standards/v1/events';
import { ServiceItem as ServiceItemCodec } from '../../../../proto/gen/bps/common/v1/common';
import { ConcurrencyError } from '../../../shared/errors/errors';
import type { IndexDescription } from 'mongodb';
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import { ensureOutboxIndexes, Outbox, type OutboxFields } from '../../../shared/mongo/outbox';
import type { LocalDate } from '../../domain/dates';
import { searchDown } from '../../domain/search';
import type { LocalMetric } from '../../domain/filing';
import type { LineageEdge, VersionDraft } from '../../domain/model';
import type { TaxonomyVersion } from '../../seed/baseline';

export type ReleaseDoc = {
  _id: string;
  changeSetId: string;
  kind: ReleaseKind;
  title: string;
  effectiveFrom: LocalDate;
  publishedAt: Date;
  provenance: Provenance | null;
  fieldCodes: string[];
  versions: VersionDraft[];
  lineage: LineageEdge[];
  projected: boolean;
} & OutboxFields;

export type VersionDoc = {
  _id: string;
  aggregateId: string;
  sequence: number;
  itemCode: string;
  version: number;
  /** 0 = as published; n = the n-th correction of that version */
  revision: number;
  effectiveFrom: LocalDate;
  recordedAt: Date;
  item: ServiceItem;
  retired: boolean;
  releaseId: string;
  releaseKind: ReleaseKind;
  changeType: ChangeType;
  lineageFrom: string[];
  provenance: Provenance | null;
  correctionOf: string;
  correctionReason: string;
};

export type LineageDoc = { _id: string; from: string; to: string; changeType: ChangeType; releaseId: string; effectiveFrom: LocalDate };

export type FilingDoc = {
  _id: string;
  provinceCode: string;
  itemCode: string;
  fieldCode: string;
  effectiveFrom: LocalDate;
  recordedAt: Date;
  metrics: LocalMetric[];
  comparisons: MetricComparison[];
  exceeds: boolean;
  nationalVersion: number;
  localFunding: { currency: string; fen: string } | null;
  localFundingSource: string;
  note: string;
  actor: { subject: string; organisation: string; roles: string[] };
} & OutboxFields;

export type BreachDoc = { _id: string; releaseId: string; provinceCode: string; itemCode: string; metric: string; filingId: string; recordedAt: Date } & OutboxFields;
export type RejectionDoc = { _id: string; conflicts: ChangeConflict[]; recordedAt: Date } & OutboxFields;
export type ScheduleDoc = { _id: string; due: LocalDate; status: 'pending' | 'claimed' | 'fired'; claimedAt: Date | null; claimedBy: string; firedAt: Date | null };
export type TaxonomyDoc = TaxonomyVersion & { _id: string; recordedAt: Date };


const HEAD_WINDOW = 4;

export type HeadEntry = { version: number; effectiveFrom: LocalDate; records: VersionDoc[] };
export type ItemHead = { _id: string; rev: number; latest: number; recent: HeadEntry[] };
export type FilingHead = { _id: string; provinceCode: string; itemCode: string; rev: number; latest: number; recent: FilingRecord[] };
export type FilingRecord = Omit<FilingDoc, 'outbox'>;

export function versionRecordId(itemCode: string, version: number, revision: number): string {
  return `${itemCode}:v${version}:r${revision}`;
}

export class RegistryStore {
  readonly releases: Collection<ReleaseDoc>;
  readonly versions: Collection<VersionDoc>;
  readonly heads: Collection<ItemHead>;
  readonly lineage: Collection<LineageDoc>;
  readonly filings: Collection<FilingDoc>;
  readonly filingHeads: Collection<FilingHead>;
  readonly breaches: Collection<BreachDoc>;
  readonly rejections: Collection<RejectionDoc>;
  readonly schedule: Collection<ScheduleDoc>;
  readonly taxonomies: Collection<TaxonomyDoc>;
  readonly outbox: Outbox;

  constructor(readonly db: Db) {
    this.releases = db.collection('releases');
    this.versions = db.collection('item_versions');
    this.heads = db.collection('item_heads');
    this.lineage = db.collection('lineage');
    this.filings = db.collection('filings');
    this.filingHeads = db.collection('filing_heads');
    this.breaches = db.collection('floor_breaches');
    this.rejections = db.collection('changeset_rejections');
    this.schedule = db.collection('effective_schedule');
    this.taxonomies = db.collection('taxonomies');
    this.outbox = new Outbox(db);
  }

  /** Every collection whose documents carry an outbox entry, for the relay. */
  outboxCollections(): Collection<any>[] {
    return [this.releases, this.rejections, this.filings, this.breaches, this.outbox.collection];
  }

  async init(): Promise<void> {
    await oneByOne(this.versions, [{ key: { aggregateId: 1, sequence: 1 }, name: 'log_position', unique: true }]);
    await oneByOne(this.releases, [{ key: { changeSetId: 1 }, name: 'change_set', unique: true }]);
    for (const c of this.outboxCollections()) await ensureOutboxIndexes(c);
  }

  // ---- releases ------------------------------------------------------------------------------------------

  async insertRelease(doc: ReleaseDoc): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.releases, doc, `release ${doc._id}`);
  }

  // ---- item versions -------------------------------------------------------------------------------------

  /**
   * Appends a record to an item's log (a record whose id exists is left as it is), then brings the item's head
   * up to date. Log position: version-major (sequence = version * 1000 + revision), unique per item.
   */
  async appendVersion(record: Omit<VersionDoc, 'aggregateId' | 'sequence'>): Promise<'appended' | 'exists'> {
    const doc: VersionDoc = { ...record, aggregateId: record.itemCode, sequence: record.version * 1000 + record.revision };
    const result = await this.insertOnce(this.versions, doc, `item version ${record._id}`);
    await this.updateHead(doc);
    return result === 'inserted' ? 'appended' : 'exists';
  }

  /** Compare-and-set on the head's `rev`, so concurrent writers never lose each other's records. */
  private async updateHead(record: VersionDoc): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const head = await this.heads.findOne({ _id: record.itemCode });
      if (!head) {
        const created: ItemHead = { _id: record.itemCode, rev: 1, latest: record.version, recent: [{ version: record.version, effectiveFrom: record.effectiveFrom, records: [record] }] };
        if ((await this.insertOnce(this.heads, created, `head ${record.itemCode}`)) === 'inserted') return;
        continue;
      }
      if (head.recent.some((e) => e.records.some((r) => r._id === record._id))) return;
      const recent = head.recent.map((e) => ({ ...e, records: [...e.records] }));
      let latest = head.latest;
      const entry = recent.find((e) => e.version === record.version);
      if (entry) entry.records.push(record);
      else if (record.version > head.latest) {
        recent.push({ version: record.version, effectiveFrom: record.effectiveFrom, records: [record] });
        latest = record.version;
      } else return; // a correction of a version older than the window: only the log holds it
      const next: ItemHead = { _id: head._id, rev: head.rev + 1, latest, recent: recent.slice(-HEAD_WINDOW) };
      const res = await this.heads.replaceOne({ _id: head._id, rev: head.rev }, next);
      if (res.matchedCount === 1) return;
    }
    throw new ConcurrencyError(`could not update the head of ${record.itemCode}`, 0);
  }

  async head(itemCode: string): Promise<ItemHead | null> {
    return this.heads.findOne({ _id: itemCode });
  }

  async allHeads(): Promise<ItemHead[]> {
    return this.heads.find({}).toArray();
  }

  private async record(itemCode: string, version: number, revision: number): Promise<VersionDoc | null> {
    return this.versions.findOne({ _id: versionRecordId(itemCode, version, revision) });
  }

  /** The latest revision of a version recorded by knownAt (revision 0 is known to qualify). */
  private async latestRevision(first: VersionDoc, knownAt: Date): Promise<VersionDoc> {
    let best = first;
    for (let r = first.revision + 1; ; r++) {
      const next = await this.record(first.itemCode, first.version, r);
      if (!next || next.recordedAt > knownAt) return best;
      best = next;
    }
  }

  /** The record in force on `date` as known at `knownAt`, starting from the item's head (usually one read). */
  async versionAsOf(itemCode: string, date: LocalDate, knownAt: Date, head?: ItemHead | null): Promise<VersionDoc | null> {
    const h = head === undefined ? await this.head(itemCode) : head;
    if (!h) return null;
    const ok = (effectiveFrom: LocalDate, recordedAt: Date): boolean => effectiveFrom <= date && recordedAt <= knownAt;
    for (let i = h.recent.length - 1; i >= 0; i--) {
      const e = h.recent[i] as HeadEntry;
      const first = e.records[0];
      if (first && ok(e.effectiveFrom, first.recordedAt)) {
        const known = e.records.filter((r) => r.recordedAt <= knownAt).at(-1) ?? first;
        // The head holds every revision recorded so far, except for corrections of versions that left the window.
        return normaliseVersion(known);
      }
    }
    const oldest = h.recent[0]?.version ?? 1;
    const cache = new Map<number, VersionDoc | null>();
    const r0 = async (n: number): Promise<VersionDoc | null> => {
      if (!cache.has(n)) cache.set(n, await this.record(itemCode, n, 0));
      return cache.get(n) ?? null;
    };
    const n = await searchDown(oldest - 1, async (v) => {
      const doc = await r0(v);
      return doc !== null && ok(doc.effectiveFrom, doc.recordedAt);
    });
    if (n === 0) return null;
    return normaliseVersion(await this.latestRevision((await r0(n)) as VersionDoc, knownAt));
  }

  /** The effective date of the version after `version`, if it was recorded by knownAt. */
  async nextEffectiveFrom(itemCode: string, version: number, knownAt: Date, head?: ItemHead | null): Promise<LocalDate | undefined> {
    const h = head === undefined ? await this.head(itemCode) : head;
    if (!h || version >= h.latest) return undefined;
    const inHead = h.recent.find((e) => e.version === version + 1)?.records[0];
    const next = inHead ?? (await this.record(itemCode, version + 1, 0));
    return next && next.recordedAt <= knownAt ? next.effectiveFrom : undefined;
  }

  /** The latest recorded version of an item (in force or scheduled), whatever its date. */
  async latestVersion(itemCode: string): Promise<VersionDoc | null> {
    const h = await this.head(itemCode);
    const last = h?.recent.at(-1)?.records.at(-1);
    return last ? normaliseVersion(last) : null;
  }

  /** Every record of an item (all versions, all revisions), in log order. */
  async versionRecords(itemCode: string, version?: number): Promise<VersionDoc[]> {
    const h = await this.head(itemCode);
    if (!h) return [];
    const versions = version === undefined ? Array.from({ length: h.latest }, (_, i) => i + 1) : version <= h.latest && version >= 1 ? [version] : [];
    const perVersion = await Promise.all(versions.map(async (v) => {
      const records: VersionDoc[] = [];
      for (let r = 0; ; r++) {
        const doc = await this.record(itemCode, v, r);
        if (!doc) return records;
        records.push(normaliseVersion(doc));
      }
    }));
    return perVersion.flat();
  }

  async itemCodeExists(itemCode: string): Promise<boolean> {
    return (await this.heads.countDocuments({ _id: itemCode }, { limit: 1 })) > 0;
  }

  // ---- lineage -------------------------------------------------------------------------------------------

  async addLineage(doc: LineageDoc): Promise<void> {
    await this.insertOnce(this.lineage, doc, 'lineage link');
  }

  // ---- filings -------------------------------------------------------------------------------------------

  filingHeadId(provinceCode: string, itemCode: string): string {
    return `${provinceCode}:${itemCode}`;
  }

  async filingHead(provinceCode: string, itemCode: string): Promise<FilingHead | null> {
    return this.filingHeads.findOne({ _id: this.filingHeadId(provinceCode, itemCode) });
  }

  /** Appends a filing as the next of its province and item (ids `PROV:ITEM:n`), keeping the head current. */
  async appendFiling(provinceCode: string, itemCode: string, make: (n: number, previous: FilingRecord | undefined) => FilingDoc): Promise<FilingDoc> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const head = await this.filingHead(provinceCode, itemCode);
      const doc = make((head?.latest ?? 0) + 1, head?.recent.at(-1));
      if ((await this.insertOnce(this.filings, doc, `filing ${doc._id}`)) === 'exists') {
        // A writer stored this position but did not update the head (crash or race): bring the head up first.
        const existing = await this.filings.findOne({ _id: doc._id });
        if (existing) await this.updateFilingHead(existing);
        continue;
      }
      await this.updateFilingHead(doc);
      return doc;
    }
    throw new ConcurrencyError('could not append the filing; retry', 0);
  }

  private async updateFilingHead(doc: FilingDoc): Promise<void> {
    const { outbox: _o, ...record } = doc;
    const n = Number(doc._id.split(':').at(-1));
    for (let attempt = 0; attempt < 10; attempt++) {
      const head = await this.filingHead(doc.provinceCode, doc.itemCode);
      if (!head) {
        const created: FilingHead = { _id: this.filingHeadId(doc.provinceCode, doc.itemCode), provinceCode: doc.provinceCode, itemCode: doc.itemCode, rev: 1, latest: n, recent: [record] };
        if ((await this.insertOnce(this.filingHeads, created, 'filing head')) === 'inserted') return;
        continue;
      }
      if (n <= head.latest) return;
      const next: FilingHead = { ...head, rev: head.rev + 1, latest: n, recent: [...head.recent, record].slice(-HEAD_WINDOW) };
      if ((await this.filingHeads.replaceOne({ _id: head._id, rev: head.rev }, next)).matchedCount === 1) return;
    }
    throw new ConcurrencyError('could not update the filing head', 0);
  }

  /** The filing in force on `date` as known at `knownAt` (filings of one province and item have rising dates). */
  async filingAsOf(provinceCode: string, itemCode: string, date: LocalDate, knownAt: Date, head?: FilingHead | null): Promise<FilingRecord | null> {
    const h = head === undefined ? await this.filingHead(provinceCode, itemCode) : head;
    if (!h) return null;
    const ok = (f: FilingRecord): boolean => f.effectiveFrom <= date && f.recordedAt <= knownAt;
    const inHead = [...h.recent].reverse().find(ok);
    if (inHead) return inHead;
    const oldest = Number(h.recent[0]?._id.split(':').at(-1) ?? 1);
    const cache = new Map<number, FilingDoc | null>();
    const get = async (n: number): Promise<FilingDoc | null> => {
      if (!cache.has(n)) cache.set(n, await this.filings.findOne({ _id: `${this.filingHeadId(provinceCode, itemCode)}:${n}` }));
      return cache.get(n) ?? null;
    };
    const n = await searchDown(oldest - 1, async (i) => {
      const f = await get(i);
      return f !== null && ok(f);
    });
    return n === 0 ? null : ((await get(n)) as FilingDoc);
  }

  /** Each province's latest filing for an item. */
  async latestFilingsForItem(itemCode: string): Promise<FilingRecord[]> {
    const heads = await this.filingHeads.find({ itemCode }).toArray();
    return heads.map((h) => h.recent.at(-1)).filter((f): f is FilingRecord => f !== undefined);
  }

  async filingHeadsOfProvince(provinceCode: string): Promise<Map<string, FilingHead>> {
    return new Map((await this.filingHeads.find({ provinceCode }).toArray()).map((h) => [h.itemCode, h]));
  }

  // ---- write-once documents (idempotent by id) -----------------------------------------------------------

  async insertOnce<T extends { _id: string }>(collection: Collection<T>, doc: T, what: string): Promise<'inserted' | 'exists'> {
    try {
      await insertOne(collection, doc, what);
      return 'inserted';
    } catch (error) {
      if (isDuplicateKey(error)) return 'exists';
      throw error;
    }
  }

  // ---- taxonomy ------------------------------------------------------------------------------------------

  async taxonomyAsOf(date: LocalDate, knownAt: Date): Promise<TaxonomyDoc | null> {
    const all = await this.taxonomies.find({}).toArray(); // a handful of documents
    return all.filter((t) => t.effectiveFrom <= date && t.recordedAt <= knownAt).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0] ?? null;
  }
}

/**
 * FerretDB v1.24 panics (drops the connection) when one createIndexes call names several indexes that already
 * exist, i.e. on every restart; one index per call works.
 */
async function oneByOne(collection: Collection<any>, indexes: readonly IndexDescription[]): Promise<void> {
  for (const index of indexes) await ensureIndexes(collection, [index]);
}

/** Documents written with undefined fields read back with nulls; ts-proto wants undefined. */
export function normaliseVersion(doc: VersionDoc): VersionDoc {
  return {
    ...doc,
    item: ServiceItemCodec.fromPartial(doc.item),
    provenance: doc.provenance ? Provenance.fromPartial(doc.provenance) : null,
    lineageFrom: doc.lineageFrom ?? [],
    correctionOf: doc.correctionOf ?? '',
    correctionReason: doc.correctionReason ?? '',
  };
}
