// Mongo persistence of the registry: implements the ports of application/ports.ts (the records they speak are in
// application/records.ts) and is the only code that touches the registry's database. FerretDB-compatible:
// single-document writes, unique indexes as the only cross-document guard, no transactions.
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
// - `monitoring_cells` (one document per province, _id = its code: the monitoring state of each item as last
//   observed) and `compliance_warnings` (one per early-warning transition, _id = the transition, with its event):
//   national monitoring's early warnings (issue #17), read and written by _id only.
// - heads and pages are rewritten by compare-and-set on `rev` through `replaceFrom` (services/shared/mongo/cas.ts):
//   FerretDB v1 runs a conditional replace as a read and then an unlocked write, so two writers of one head (two
//   instances, or two requests) could both "win" revision n and one's record would vanish from the head.
//   Every record appended changes its item's head (`rev`), a correction of a version older than the head's window
//   included (`corrected`), and every filing its filing head: a head's `rev` is therefore a version of everything
//   read through it, and the timeline pages read through a head are cached by (page, head revision).
// - `read_stamps` (issue #16): one small document per family of reads (`catalogue`: item heads, pages, records and
//   taxonomies; `filings:<province>`: a province's filing heads, pages and filings), given a fresh random value by
//   every write of that family just before it writes and again once it has written. A reader holding something it
//   read under a stamp's value may reuse it while the stamp keeps that value (application/stamped.ts). Random
//   values, because FerretDB v1 may lose one of two concurrent updates of one document: either value differs from
//   every earlier one.
// - Version records and filings are written once and never change (by `_id`): kept in bounded in-process caches.
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { PackageLevel } from '../../../../proto/gen/bps/common/v1/common';
import { Provenance } from '../../../../proto/gen/bps/standards/v1/changes';
import { ServiceItem as ServiceItemCodec } from '../../../../proto/gen/bps/common/v1/common';
import { ConcurrencyError, TransientError } from '../../../shared/errors/errors';
import { stopIfAbandoned } from '../../../shared/grpc/client';
import type { IndexDescription } from 'mongodb';
import { contentionPause, replaceFrom, TOKEN_STALE_MS } from '../../../shared/mongo/cas';

/**
 * How long a head or page update keeps trying against other writers: past TOKEN_STALE_MS, so that a writer killed
 * while holding the token is taken over rather than failing the update (the chaos suite saw an approved change set
 * dead-lettered as "could not update the head" after a registry instance was killed mid-write).
 */
const CAS_PATIENCE_MS = TOKEN_STALE_MS + 5_000;
import { ensureIndexes, insertOne, isDuplicateKey } from '../../../shared/mongo/mongo';
import { ensureOutboxIndexes, markPending, Outbox, releaseHeld, type OutboxFields } from '../../../shared/mongo/outbox';
import type { LocalDate } from '../../domain/dates';
import type { LocalStandardFiled } from '../../domain/filing';
import type { CloudEvent } from '../../../shared/kafka/cloudevents';
import type { FilingLog, RegistryPorts } from '../../application/ports';
import type {
  ReleaseDoc,
  VersionDoc,
  ActorDoc,
  ErratumDoc,
  ErratumApprovalDoc,
  LineageDoc,
  FilingDoc,
  BreachDoc,
  MonitoringCellsDoc,
  WarningDoc,
  RejectionDoc,
  ScheduleDoc,
  TaxonomyDoc,
  PackageLevelDoc,
  PackageLevelRecord,
  PageSummary,
  VersionPage,
  FilingPage,
  HeadEntry,
  ItemHead,
  FilingHead,
  FilingRecord,
  ReadStamp,
} from '../../application/records';

const HEAD_WINDOW = 4;
/** Out-of-window corrections an item head remembers (only so a retried append does not change the head again). */
const CORRECTED_WINDOW = 16;
/** Immutable records kept in memory per kind (version records; filings). */
const RECORD_CACHE_SIZE = 50_000;

/** A bounded map that forgets the least recently used entry first. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

/** What identifies a state of an item or filing head (rev alone would repeat if a database were made anew). */
function headKey(h: { rev: number; latest: number; recent: readonly unknown[] }): string {
  return `${h.rev}:${h.latest}:${h.recent.length}`;
}

export const PAGE_SIZE = 64;

const pageOfWith = (n: number, size: number): number => Math.floor((n - 1) / size);

/** Pages and summaries of a whole version history (bulk loads). */
export function pagesOfVersions(itemCode: string, records: readonly VersionDoc[], pageSize = PAGE_SIZE): { pages: VersionPage[]; summaries: PageSummary[] } {
  const pages = new Map<number, VersionPage>();
  for (const r of records) {
    const p = pageOfWith(r.version, pageSize);
    const page = pages.get(p) ?? { _id: `${itemCode}#${p}`, rev: 1, entries: [] };
    const entry = page.entries.find((e) => e.version === r.version);
    if (entry) entry.revisions.push({ revision: r.revision, recordedAt: r.recordedAt });
    else page.entries.push({ version: r.version, effectiveFrom: r.effectiveFrom, revisions: [{ revision: r.revision, recordedAt: r.recordedAt }] });
    pages.set(p, page);
  }
  const list = [...pages.entries()].sort((a, b) => a[0] - b[0]);
  return {
    pages: list.map(([, page]) => page),
    summaries: list.map(([p, page]) => ({ page: p, effectiveFrom: page.entries[0]!.effectiveFrom, recordedAt: page.entries[0]!.revisions[0]!.recordedAt })),
  };
}

/** Pages and summaries of a whole filing history (bulk loads); filing ids end in their number. */
export function pagesOfFilings(key: string, filings: readonly FilingRecord[], pageSize = PAGE_SIZE): { pages: FilingPage[]; summaries: PageSummary[] } {
  const pages = new Map<number, FilingPage>();
  for (const f of filings) {
    const n = filingNumber(f._id);
    const p = pageOfWith(n, pageSize);
    const page = pages.get(p) ?? { _id: `${key}#${p}`, rev: 1, entries: [] };
    page.entries.push({ n, effectiveFrom: f.effectiveFrom, recordedAt: f.recordedAt });
    pages.set(p, page);
  }
  const list = [...pages.entries()].sort((a, b) => a[0] - b[0]);
  return {
    pages: list.map(([, page]) => page),
    summaries: list.map(([p, page]) => ({ page: p, effectiveFrom: page.entries[0]!.effectiveFrom, recordedAt: page.entries[0]!.recordedAt })),
  };
}

function filingNumber(id: string): number {
  return Number(id.split(':').at(-1));
}

const qualifies = (effectiveFrom: LocalDate, recordedAt: Date, date: LocalDate, knownAt: Date): boolean => effectiveFrom <= date && recordedAt <= knownAt;

export function versionRecordId(itemCode: string, version: number, revision: number): string {
  return `${itemCode}:v${version}:r${revision}`;
}

/** A document written once, read by `_id`: kept once read; a missing one, or a failed read, is read again next time. */
async function keptOnce<T>(cache: Lru<Promise<T | null>>, id: string, load: () => Promise<T | null>): Promise<T | null> {
  let cached = cache.get(id);
  if (!cached) {
    cached = load();
    cache.set(id, cached);
  }
  const doc = await cached.catch((error: unknown) => {
    cache.delete(id);
    throw error;
  });
  if (!doc) cache.delete(id);
  return doc;
}

/** A document kept as read under `key` (its head's state): read again once the key moves on, or after a failed read. */
function keptUnder<T>(cache: Lru<{ key: string; page: Promise<T | null> }>, id: string, key: string, load: () => Promise<T | null>): Promise<T | null> {
  let cached = cache.get(id);
  if (cached?.key !== key) {
    cached = { key, page: load() };
    cache.set(id, cached);
  }
  const entry = cached;
  return entry.page.catch((error: unknown) => {
    if (cache.get(id) === entry) cache.delete(id);
    throw error;
  });
}

export class RegistryStore implements RegistryPorts {
  readonly releases: Collection<ReleaseDoc>;
  readonly versions: Collection<VersionDoc>;
  readonly heads: Collection<ItemHead>;
  readonly pages: Collection<VersionPage>;
  readonly filingPages: Collection<FilingPage>;
  readonly lineage: Collection<LineageDoc>;
  readonly filings: Collection<FilingDoc>;
  readonly filingHeads: Collection<FilingHead>;
  readonly breaches: Collection<BreachDoc>;
  readonly rejections: Collection<RejectionDoc>;
  readonly schedule: Collection<ScheduleDoc>;
  readonly taxonomies: Collection<TaxonomyDoc>;
  readonly packageLevels: Collection<PackageLevelDoc>;
  readonly errata: Collection<ErratumDoc>;
  readonly erratumApprovals: Collection<ErratumApprovalDoc>;
  readonly monitoringCells: Collection<MonitoringCellsDoc>;
  readonly warnings: Collection<WarningDoc>;
  readonly outbox: Outbox;
  readonly stamps: Collection<ReadStamp & { _id: string }>;

  /** Timeline pages by page id, with the head state they were read under. */
  private readonly pageCache = new Lru<{ key: string; page: Promise<VersionPage | null> }>(20_000);
  private readonly filingPageCache = new Lru<{ key: string; page: Promise<FilingPage | null> }>(50_000);
  /** Write-once records by `_id` (a read under way is shared). */
  private readonly recordCache = new Lru<Promise<VersionDoc | null>>(RECORD_CACHE_SIZE);
  private readonly filingCache = new Lru<Promise<FilingRecord | null>>(RECORD_CACHE_SIZE);

  /** Versions (or filings) per timeline page; smaller pages only make tests cross page boundaries sooner. */
  private readonly pageSize: number;

  constructor(
    readonly db: Db,
    options: { pageSize?: number } = {},
  ) {
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.releases = db.collection('releases');
    this.versions = db.collection('item_versions');
    this.heads = db.collection('item_heads');
    this.pages = db.collection('item_pages');
    this.filingPages = db.collection('filing_pages');
    this.lineage = db.collection('lineage');
    this.filings = db.collection('filings');
    this.filingHeads = db.collection('filing_heads');
    this.breaches = db.collection('floor_breaches');
    this.rejections = db.collection('changeset_rejections');
    this.schedule = db.collection('effective_schedule');
    this.taxonomies = db.collection('taxonomies');
    this.packageLevels = db.collection('package_levels');
    this.errata = db.collection('errata');
    this.erratumApprovals = db.collection('erratum_approvals');
    this.monitoringCells = db.collection('monitoring_cells');
    this.warnings = db.collection('compliance_warnings');
    this.outbox = new Outbox(db);
    this.stamps = db.collection('read_stamps');
  }

  // ---- read stamps ---------------------------------------------------------------------------------------

  /** The stamp of a family of reads (`catalogue`, `filings:<province>`); never written: a constant one. */
  async stamp(family: string): Promise<ReadStamp> {
    const doc = await this.stamps.findOne({ _id: family });
    return doc ? { value: doc.value, at: doc.at } : { value: '', at: new Date(0) };
  }

  /** Gives a family's stamp a new value: before and after every write of that family (bulk loads too). */
  async touch(family: string): Promise<void> {
    const stamp = (): ReadStamp => ({ value: randomUUID(), at: new Date() });
    try {
      await this.stamps.replaceOne({ _id: family }, stamp(), { upsert: true });
    } catch (error) {
      // Two writers stamping a family for the first time: one insert wins; the other now replaces it.
      if (!isDuplicateKey(error)) throw error;
      await this.stamps.replaceOne({ _id: family }, stamp());
    }
  }

  private pageOf(n: number): number {
    return pageOfWith(n, this.pageSize);
  }

  /** Every collection whose documents carry an outbox entry, for the relay. */
  outboxCollections(): Collection<any>[] {
    return [this.releases, this.rejections, this.filings, this.breaches, this.errata, this.erratumApprovals, this.warnings, this.outbox.collection];
  }

  async init(): Promise<void> {
    await oneByOne(this.versions, [{ key: { aggregateId: 1, sequence: 1 }, name: 'log_position', unique: true }]);
    await oneByOne(this.releases, [{ key: { changeSetId: 1 }, name: 'change_set', unique: true }]);
    // A province's filing heads (compliance report, provincial listing): an index lookup, not a scan of all provinces'.
    await oneByOne(this.filingHeads, [{ key: { provinceCode: 1 }, name: 'province' }]);
    for (const c of this.outboxCollections()) await ensureOutboxIndexes(c);
  }

  // ---- releases ------------------------------------------------------------------------------------------

  async insertRelease(doc: ReleaseDoc): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.releases, doc, `release ${doc._id}`);
  }

  async release(releaseId: string): Promise<ReleaseDoc | null> {
    return this.releases.findOne({ _id: releaseId });
  }

  async releaseAnnouncement(releaseId: string): Promise<void> {
    await releaseHeld(this.releases, releaseId);
  }

  async unprojectedReleases(): Promise<ReleaseDoc[]> {
    return this.releases.find({ projected: false }).sort({ publishedAt: 1 }).toArray();
  }

  async markProjected(releaseId: string): Promise<void> {
    await this.releases.updateOne({ _id: releaseId }, { $set: { projected: true } });
  }

  async releasesInOrder(): Promise<ReleaseDoc[]> {
    return this.releases.find({}).sort({ effectiveFrom: 1, publishedAt: 1 }).toArray();
  }

  async recordBreach(doc: BreachDoc): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.breaches, doc, 'floor breach');
  }

  async hasRejection(changeSetId: string): Promise<boolean> {
    return (await this.rejections.findOne({ _id: changeSetId })) !== null;
  }

  async recordRejection(doc: RejectionDoc): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.rejections, doc, 'change set rejection');
  }

  // ---- the version.effective due list ---------------------------------------------------------------------

  async scheduleEffective(releaseId: string, due: LocalDate): Promise<void> {
    await this.insertOnce(this.schedule, { _id: releaseId, due, status: 'pending', claimedAt: null, claimedBy: '', firedAt: null }, `schedule ${releaseId}`);
  }

  async due(today: LocalDate, staleClaim: Date, limit: number): Promise<ScheduleDoc[]> {
    return this.schedule
      .find({ due: { $lte: today }, $or: [{ status: 'pending' }, { status: 'claimed', claimedAt: { $lt: staleClaim } }] })
      .sort({ due: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * A conditional single-document update: keeps two schedulers from usually both taking an entry (FerretDB v1 does
   * not make it atomic: two instances may both win it; the event's outbox id makes the firing once).
   */
  async claim(entry: ScheduleDoc, now: Date, schedulerId: string): Promise<boolean> {
    const claim = await this.schedule.updateOne(
      { _id: entry._id, status: entry.status, claimedAt: entry.claimedAt },
      { $set: { status: 'claimed', claimedAt: now, claimedBy: schedulerId } },
    );
    return claim.modifiedCount === 1;
  }

  async recordEffective(releaseId: string, event: OutboxFields): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.outbox.collection as never, { _id: `effective:${releaseId}`, ...event } as never, 'version.effective');
  }

  async markFired(releaseId: string, schedulerId: string, now: Date): Promise<void> {
    await this.schedule.updateOne({ _id: releaseId, claimedBy: schedulerId }, { $set: { status: 'fired', firedAt: now } });
  }

  // ---- taxonomies (seeding) -------------------------------------------------------------------------------

  async recordTaxonomy(doc: TaxonomyDoc): Promise<void> {
    await this.touch('catalogue');
    await this.insertOnce(this.taxonomies, doc, `taxonomy ${doc._id}`);
    // A taxonomy recorded before placements existed gets them (seed data about the structure, not a published
    // version: item versions are never changed here).
    await this.taxonomies.updateOne(
      { _id: doc._id, placements: { $exists: false } },
      { $set: { placements: [...(doc.placements ?? [])], lineage: [...(doc.lineage ?? [])] } },
    );
    await this.touch('catalogue');
  }

  async allTaxonomies(): Promise<TaxonomyDoc[]> {
    return this.taxonomies.find({}).toArray();
  }

  // ---- national monitoring ----------------------------------------------------------------------------------

  async observedCells(provinceCode: string): Promise<MonitoringCellsDoc | null> {
    return this.monitoringCells.findOne({ _id: provinceCode });
  }

  async saveObservedCells(doc: MonitoringCellsDoc): Promise<void> {
    await this.monitoringCells.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }

  async recordWarning(doc: WarningDoc): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.warnings, doc, 'compliance warning');
  }

  /** How many items and releases are recorded (the seeding command's report). */
  async counts(): Promise<{ items: number; releases: number }> {
    return { items: await this.heads.countDocuments({}), releases: await this.releases.countDocuments({}) };
  }

  // ---- package levels ------------------------------------------------------------------------------------

  async appendPackageVersion(record: PackageLevelRecord): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.packageLevels, { ...record, level: PackageLevel.toJSON(record.level) }, `package level ${record._id}`);
  }

  /** Every version of every package level (or of one), oldest first. */
  async packageVersions(packageCode?: string): Promise<PackageLevelRecord[]> {
    const docs = await this.packageLevels.find(packageCode === undefined ? {} : { packageCode }).toArray();
    return docs
      .map((d) => ({ ...d, level: PackageLevel.fromJSON(d.level) }))
      .sort((a, b) => a.packageCode.localeCompare(b.packageCode) || a.version - b.version);
  }

  // ---- item versions -------------------------------------------------------------------------------------

  /**
   * Appends a record to an item's log (a record whose id exists is left as it is), then brings the item's head
   * up to date. Log position: version-major (sequence = version * 1000 + revision), unique per item.
   */
  async appendVersion(record: Omit<VersionDoc, 'aggregateId' | 'sequence'>): Promise<'appended' | 'exists'> {
    const doc: VersionDoc = { ...record, aggregateId: record.itemCode, sequence: record.version * 1000 + record.revision };
    await this.touch('catalogue');
    const result = await this.insertOnce(this.versions, doc, `item version ${record._id}`);
    await this.casUpdate(this.pages, `${doc.itemCode}#${this.pageOf(doc.version)}`, (page) => {
      const entries = (page?.entries ?? []).map((e) => ({ ...e, revisions: [...e.revisions] }));
      const entry = entries.find((e) => e.version === doc.version);
      if (entry?.revisions.some((r) => r.revision === doc.revision)) return null;
      if (entry) entry.revisions.push({ revision: doc.revision, recordedAt: doc.recordedAt });
      else entries.push({ version: doc.version, effectiveFrom: doc.effectiveFrom, revisions: [{ revision: doc.revision, recordedAt: doc.recordedAt }] });
      entries.sort((a, b) => a.version - b.version);
      return { entries };
    });
    await this.updateHead(doc);
    await this.touch('catalogue');
    return result === 'inserted' ? 'appended' : 'exists';
  }

  /** Read-modify-write of one document guarded by its `rev` (compare-and-set); `change` returns null for no-op. */
  private async casUpdate<T extends { _id: string; rev: number }>(
    collection: Collection<T>,
    id: string,
    change: (current: T | null) => Omit<T, '_id' | 'rev'> | null,
  ): Promise<void> {
    // Long enough to outlast a writer killed holding its token (TOKEN_STALE_MS), after which the token is taken over.
    const deadline = Date.now() + CAS_PATIENCE_MS;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const current = (await collection.findOne({ _id: id } as never)) as T | null;
      const next = change(current);
      if (!next) return;
      if (!current) {
        if ((await this.insertOnce(collection, { ...next, _id: id, rev: 1 } as T, id)) === 'inserted') return;
        continue;
      }
      if (await replaceFrom(collection, id, 'rev', current.rev, { ...next, _id: id, rev: current.rev + 1 } as T)) return;
      await contentionPause(attempt);
    }
    throw new TransientError(`could not update ${id} (another writer holds it); try again`);
  }

  /** Compare-and-set on the head's `rev`, so concurrent writers never lose each other's records. */
  private async updateHead(record: VersionDoc): Promise<void> {
    const deadline = Date.now() + CAS_PATIENCE_MS;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const head = await this.heads.findOne({ _id: record.itemCode });
      if (!head) {
        const created: ItemHead = {
          _id: record.itemCode,
          rev: 1,
          latest: record.version,
          recent: [{ version: record.version, effectiveFrom: record.effectiveFrom, records: [record] }],
          pages: [{ page: this.pageOf(record.version), effectiveFrom: record.effectiveFrom, recordedAt: record.recordedAt }],
        };
        if ((await this.insertOnce(this.heads, created, `head ${record.itemCode}`)) === 'inserted') return;
        continue;
      }
      if (head.recent.some((e) => e.records.some((r) => r._id === record._id))) return;
      if (head.corrected?.includes(record._id)) return;
      const recent = head.recent.map((e) => ({ ...e, records: [...e.records] }));
      let latest = head.latest;
      let corrected = head.corrected;
      const entry = recent.find((e) => e.version === record.version);
      if (entry) entry.records.push(record);
      else if (record.version > head.latest) {
        recent.push({ version: record.version, effectiveFrom: record.effectiveFrom, records: [record] });
        latest = record.version;
      } else {
        // A correction of a version older than the window: only the log and its page hold it, but the head still
        // moves on, so that whatever was read through the head (cached pages, stamped reads) is read again.
        corrected = [...(head.corrected ?? []), record._id].slice(-CORRECTED_WINDOW);
      }
      const pages = [...(head.pages ?? [])];
      if (!pages.some((p) => p.page === this.pageOf(record.version)))
        pages.push({ page: this.pageOf(record.version), effectiveFrom: record.effectiveFrom, recordedAt: record.recordedAt });
      const next: ItemHead = {
        _id: head._id,
        rev: head.rev + 1,
        latest,
        recent: recent.slice(-HEAD_WINDOW),
        pages,
        ...(corrected ? { corrected } : {}),
      };
      if (await replaceFrom(this.heads, head._id, 'rev', head.rev, next)) return;
      await contentionPause(attempt);
    }
    throw new TransientError(`could not update the head of ${record.itemCode} (another writer holds it); try again`);
  }

  async head(itemCode: string): Promise<ItemHead | null> {
    return this.heads.findOne({ _id: itemCode });
  }

  async allHeads(): Promise<ItemHead[]> {
    return this.heads.find({}).toArray();
  }

  /** A version record by `_id`: written once, so kept once read (a missing one is read again next time). */
  private async record(itemCode: string, version: number, revision: number): Promise<VersionDoc | null> {
    const id = versionRecordId(itemCode, version, revision);
    return keptOnce(this.recordCache, id, () => this.versions.findOne({ _id: id }));
  }

  /** A timeline page as it is under the head state `h` (a page changes only before its head moves on). */
  private async versionPage(h: ItemHead, page: number): Promise<VersionPage | null> {
    const id = `${h._id}#${page}`;
    return keptUnder(this.pageCache, id, headKey(h), () => this.pages.findOne({ _id: id }));
  }

  private async filingPage(h: FilingHead, page: number): Promise<FilingPage | null> {
    const id = `${h._id}#${page}`;
    return keptUnder(this.filingPageCache, id, headKey(h), () => this.filingPages.findOne({ _id: id }));
  }

  /** A filing by `_id` (written once; its outbox fields, which the relay updates, are not kept). */
  private async filing(id: string): Promise<FilingRecord | null> {
    return keptOnce(this.filingCache, id, () =>
      this.filings.findOne({ _id: id }).then((doc) => {
        if (!doc) return null;
        const { outbox: _o, heldOutbox: _h, ...record } = doc;
        return record;
      }),
    );
  }

  /** The record in force on `date` as known at `knownAt`, starting from the item's head (usually one read). */
  async versionAsOf(itemCode: string, date: LocalDate, knownAt: Date, head?: ItemHead | null): Promise<VersionDoc | null> {
    const h = head === undefined ? await this.head(itemCode) : head;
    if (!h) return null;
    for (let i = h.recent.length - 1; i >= 0; i--) {
      const e = h.recent[i] as HeadEntry;
      const first = e.records[0];
      if (first && qualifies(e.effectiveFrom, first.recordedAt, date, knownAt)) {
        const known = e.records.filter((r) => r.recordedAt <= knownAt).at(-1) ?? first;
        // The head holds every revision recorded so far, except for corrections of versions that left the window.
        return normaliseVersion(known);
      }
    }
    if ((h.recent[0]?.version ?? 1) <= 1) return null; // the head holds the whole history
    // Older: the last page starting on or before (date, knownAt), then its last qualifying entry. Three reads.
    const summary = [...(h.pages ?? [])].reverse().find((p) => qualifies(p.effectiveFrom, p.recordedAt, date, knownAt));
    if (!summary) return null;
    const page = await this.versionPage(h, summary.page);
    const entry = [...(page?.entries ?? [])].reverse().find((e) => qualifies(e.effectiveFrom, e.revisions[0]!.recordedAt, date, knownAt));
    const revision = entry && [...entry.revisions].reverse().find((r) => r.recordedAt <= knownAt);
    if (!entry || !revision) return null;
    const doc = await this.record(itemCode, entry.version, revision.revision);
    return doc ? normaliseVersion(doc) : null;
  }

  /** The effective date of the version after `version`, if it was recorded by knownAt. */
  async nextEffectiveFrom(itemCode: string, version: number, knownAt: Date, head?: ItemHead | null): Promise<LocalDate | undefined> {
    const h = head === undefined ? await this.head(itemCode) : head;
    if (!h || version >= h.latest) return undefined;
    const inHead = h.recent.find((e) => e.version === version + 1)?.records[0];
    if (inHead) return inHead.recordedAt <= knownAt ? inHead.effectiveFrom : undefined;
    const page = await this.versionPage(h, this.pageOf(version + 1));
    const next = page?.entries.find((e) => e.version === version + 1);
    return next && next.revisions[0]!.recordedAt <= knownAt ? next.effectiveFrom : undefined;
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
    const perVersion = await Promise.all(
      versions.map(async (v) => {
        const records: VersionDoc[] = [];
        for (let r = 0; ; r++) {
          const doc = await this.record(itemCode, v, r);
          if (!doc) return records;
          records.push(normaliseVersion(doc));
        }
      }),
    );
    return perVersion.flat();
  }

  async itemCodeExists(itemCode: string): Promise<boolean> {
    return (await this.heads.countDocuments({ _id: itemCode }, { limit: 1 })) > 0;
  }

  // ---- lineage -------------------------------------------------------------------------------------------

  async addLineage(doc: LineageDoc): Promise<void> {
    await this.insertOnce(this.lineage, doc, 'lineage link');
  }

  async lineageLinks(end: 'from' | 'to', itemCode: string): Promise<LineageDoc[]> {
    return this.lineage.find(end === 'to' ? { to: itemCode } : { from: itemCode }).toArray();
  }

  // ---- filings -------------------------------------------------------------------------------------------

  filingHeadId(provinceCode: string, itemCode: string): string {
    return `${provinceCode}:${itemCode}`;
  }

  async filingHead(provinceCode: string, itemCode: string): Promise<FilingHead | null> {
    return this.filingHeads.findOne({ _id: this.filingHeadId(provinceCode, itemCode) });
  }

  /**
   * One province's filings of one item as an aggregate (id `PROV:ITEM`): its revision is the number of its latest
   * filing; a filing is appended as the next (`PROV:ITEM:n`), keeping the head current. A position another writer
   * took is a ConcurrencyError (the command handler loads and decides again).
   */
  filingLog(document: (filingId: string, event: LocalStandardFiled) => FilingDoc): FilingLog {
    return {
      load: async (key) => {
        const head = await this.filingHeads.findOne({ _id: key });
        return { state: { latestEffectiveFrom: head?.recent.at(-1)?.effectiveFrom }, revision: head?.latest ?? 0 };
      },
      append: async (key, expectedRevision, events) => {
        stopIfAbandoned(); // a call whose caller gave up (and holds no idempotency key) changes nothing (issue #19)
        let n = expectedRevision;
        for (const event of events) {
          n += 1;
          const doc = document(`${key}:${n}`, event);
          const family = `filings:${doc.provinceCode}`;
          await this.touch(family);
          if ((await this.insertOnce(this.filings, doc, `filing ${doc._id}`)) === 'exists') {
            // A writer stored this position but did not update the head (crash or race): bring the head up first.
            const existing = await this.filings.findOne({ _id: doc._id });
            if (existing) await this.updateFilingHead(existing);
            await this.touch(family);
            await releaseHeld(this.filings, doc._id);
            throw new ConcurrencyError('could not append the filing; retry', 0);
          }
          await this.updateFilingHead(doc);
          await this.touch(family);
          await releaseHeld(this.filings, doc._id); // local.standard.filed, now that reads find the filing
        }
        return n;
      },
    };
  }

  private async updateFilingHead(doc: FilingDoc): Promise<void> {
    const { outbox: _o, heldOutbox: _h, ...record } = doc;
    const n = filingNumber(doc._id);
    const key = this.filingHeadId(doc.provinceCode, doc.itemCode);
    await this.casUpdate(this.filingPages, `${key}#${this.pageOf(n)}`, (page) => {
      if (page?.entries.some((e) => e.n === n)) return null;
      return { entries: [...(page?.entries ?? []), { n, effectiveFrom: doc.effectiveFrom, recordedAt: doc.recordedAt }].sort((a, b) => a.n - b.n) };
    });
    const summary: PageSummary = { page: this.pageOf(n), effectiveFrom: doc.effectiveFrom, recordedAt: doc.recordedAt };
    const deadline = Date.now() + CAS_PATIENCE_MS;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const head = await this.filingHead(doc.provinceCode, doc.itemCode);
      if (!head) {
        const created: FilingHead = { _id: key, provinceCode: doc.provinceCode, itemCode: doc.itemCode, rev: 1, latest: n, recent: [record], pages: [summary] };
        if ((await this.insertOnce(this.filingHeads, created, 'filing head')) === 'inserted') return;
        continue;
      }
      if (n <= head.latest) return;
      const pages = (head.pages ?? []).some((p) => p.page === summary.page) ? head.pages : [...(head.pages ?? []), summary];
      const next: FilingHead = { ...head, rev: head.rev + 1, latest: n, recent: [...head.recent, record].slice(-HEAD_WINDOW), pages };
      if (await replaceFrom(this.filingHeads, head._id, 'rev', head.rev, next)) return;
      await contentionPause(attempt);
    }
    throw new TransientError('could not update the filing head (another writer holds it); try again');
  }

  /** The filing in force on `date` as known at `knownAt` (filings of one province and item have rising dates). */
  async filingAsOf(provinceCode: string, itemCode: string, date: LocalDate, knownAt: Date, head?: FilingHead | null): Promise<FilingRecord | null> {
    const h = head === undefined ? await this.filingHead(provinceCode, itemCode) : head;
    if (!h) return null;
    const inHead = [...h.recent].reverse().find((f) => qualifies(f.effectiveFrom, f.recordedAt, date, knownAt));
    if (inHead) return inHead;
    if (filingNumber(h.recent[0]?._id ?? ':1') <= 1) return null;
    const key = this.filingHeadId(provinceCode, itemCode);
    const summary = [...(h.pages ?? [])].reverse().find((p) => qualifies(p.effectiveFrom, p.recordedAt, date, knownAt));
    if (!summary) return null;
    const page = await this.filingPage(h, summary.page);
    const entry = [...(page?.entries ?? [])].reverse().find((e) => qualifies(e.effectiveFrom, e.recordedAt, date, knownAt));
    return entry ? this.filing(`${key}:${entry.n}`) : null;
  }

  /** Each province's latest filing for an item. */
  async latestFilingsForItem(itemCode: string): Promise<FilingRecord[]> {
    const heads = await this.filingHeads.find({ itemCode }).toArray();
    return heads.map((h) => h.recent.at(-1)).filter((f): f is FilingRecord => f !== undefined);
  }

  /** Every filing head, by province then item (one query: national monitoring). */
  async allFilingHeads(): Promise<Map<string, Map<string, FilingHead>>> {
    const out = new Map<string, Map<string, FilingHead>>();
    for (const h of await this.filingHeads.find({}).toArray()) {
      const province = out.get(h.provinceCode) ?? new Map<string, FilingHead>();
      province.set(h.itemCode, h);
      out.set(h.provinceCode, province);
    }
    return out;
  }

  async filingHeadsOfProvince(provinceCode: string): Promise<Map<string, FilingHead>> {
    return new Map((await this.filingHeads.find({ provinceCode }).toArray()).map((h) => [h.itemCode, h]));
  }

  // ---- write-once documents (idempotent by id) -----------------------------------------------------------

  async insertOnce<T extends { _id: string }>(collection: Collection<T>, doc: T, what: string): Promise<'inserted' | 'exists'> {
    try {
      await insertOne(collection, doc, what);
      if ('outbox' in doc) await markPending(collection, [doc]); // releases, rejections, filings, breaches, outbox
      return 'inserted';
    } catch (error) {
      if (isDuplicateKey(error)) return 'exists';
      throw error;
    }
  }

  // ---- errata --------------------------------------------------------------------------------------------

  async insertErratum(doc: ErratumDoc): Promise<void> {
    stopIfAbandoned();
    await insertOne(this.errata, doc, `erratum ${doc._id}`);
    await markPending(this.errata, [doc]);
  }

  async erratum(erratumId: string): Promise<ErratumDoc | null> {
    return this.errata.findOne({ _id: erratumId });
  }

  /** Every erratum of an item, oldest first (a small collection: errata are rare). */
  async errataOf(itemCode: string): Promise<ErratumDoc[]> {
    return (await this.errata.find({ itemCode }).toArray()).sort((a, b) => a.proposedAt.getTime() - b.proposedAt.getTime());
  }

  async insertErratumApproval(doc: ErratumApprovalDoc): Promise<'inserted' | 'exists'> {
    return this.insertOnce(this.erratumApprovals, doc, `erratum approval ${doc._id}`);
  }

  async erratumApproval(recordId: string): Promise<ErratumApprovalDoc | null> {
    return this.erratumApprovals.findOne({ _id: recordId });
  }

  async appendEvents(events: readonly (CloudEvent & { topic: string })[]): Promise<void> {
    await this.outbox.append(events);
  }

  async markErratumApproved(erratumId: string, approvedBy: ActorDoc, approvedAt: Date, recordId: string): Promise<void> {
    await this.errata.updateOne({ _id: erratumId }, { $set: { status: 'approved', approvedBy, approvedAt, recordId } });
    await releaseHeld(this.erratumApprovals, recordId);
  }

  // ---- taxonomy ------------------------------------------------------------------------------------------

  async taxonomyAsOf(date: LocalDate, knownAt: Date): Promise<TaxonomyDoc | null> {
    const all = await this.allTaxonomies(); // a handful of documents
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
    errata: doc.errata ?? [],
  };
}
