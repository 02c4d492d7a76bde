// The registry's use cases: recording releases (seed or approved change sets), point-in-time queries, provincial
// filings, corrections, and the version.effective due list. Pure decisions live in domain/; this wires them to
// the store and the outbox.
import { randomUUID } from 'node:crypto';
import type { Identity } from '../shared/auth/identity';
import {
  FailedPreconditionError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
  type FieldViolation,
  type PlatformError,
} from '../shared/errors/errors';
import { newEvent } from '../shared/kafka/kafka';
import { withCallContext } from '../shared/grpc/client';
import { emptyCounts, monitoringState, type StateCounts } from '../shared/standards/monitoring';
import { isFen } from '../shared/validation/input';
import { toOutboxFields } from '../shared/mongo/outbox';
import { standardEvents } from '../shared/events/standards';
import type { Logger } from '../shared/log/logger';
import { PackageLevel, type DateMessage, type PackageLevelVersion, type ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { Provenance, ReleaseKind, type ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType, type Erratum, type MetricComparison, type SignedDecision } from '../../proto/gen/bps/standards/v1/events';
import type {
  AsOf,
  ComplianceLine,
  DiffStandardsRequest,
  DiffStandardsResponse,
  FileLocalStandardRequest,
  FileLocalStandardResponse,
  GetComplianceHistoryRequest,
  GetComplianceHistoryResponse,
  GetComplianceReportResponse,
  GetTaxonomyResponse,
  MonitoringCounts,
  ItemVersion,
  LineageLink,
  ProvincialValue,
  Release,
} from '../../proto/gen/bps/registry/v1/registry';
import { decideChangeSet, referencedItemCodes, referencedPackageCodes, releaseIdFor } from './domain/changeset';
import { addDays, formatIsoDate, todayInChina } from '../shared/standards/china-date';
import { isViolation, parseDate, toDateMessage, type LocalDate } from './domain/dates';
import { diffCatalogues, type ResolvedItem } from './domain/diff';
import { checkFiling, compareMetrics, nationalMetrics, type LocalMetric } from './domain/filing';
import { decideErratum, mayApproveErratum, mayProposeErratum } from './domain/errata';
import { itemViolations } from './domain/items';
import {
  historyDates,
  historyIntervals,
  MAX_HISTORY_POINTS,
  observeCell,
  refileDeadline,
  refilingOverdue,
  type HistoryInterval,
  type ObservedCell,
} from './domain/monitoring';
import { classifier, inField, type Classifier } from './domain/placement';
import type { CurrentPackage, CurrentVersion, ReleaseDraft } from './domain/model';
import { baselineRelease, knownTaxonomy, provinceCodes, seedPackageLevels, taxonomyHistory } from './seed/baseline';
import type {
  ActorDoc,
  ErratumEntry,
  FilingDoc,
  FilingHead,
  FilingRecord,
  ItemHead,
  MonitoringCellsDoc,
  PackageLevelRecord,
  RegistryStore,
  ReleaseDoc,
  TaxonomyDoc,
  VersionDoc,
} from './adapters/mongo/store';

export type RegistryOptions = {
  readonly store: RegistryStore;
  readonly topicNamespace: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Days after a raised floor takes effect by which a province below it must re-file. */
  readonly refileDays: number;
  /** Percent above the national level from which a filed level is "blindly high" (national monitoring). */
  readonly blindlyHighMarginPercent: number;
};

const SOURCE = '/bps/registry';

type Resolved = { readonly date: LocalDate; readonly knownAt: Date };

export class Registry {
  /** The taxonomy documents (a handful, written only by seeding): read once, reread after seeding. */
  private taxonomyDocs: Promise<TaxonomyDoc[]> | undefined;
  /** Monitoring passes run one at a time: the one running, and whether another was asked for meanwhile. */
  private monitoring: Promise<number> = Promise.resolve(0);
  private monitorQueued: Promise<number> | undefined;

  constructor(private readonly o: RegistryOptions) {}

  private get store(): RegistryStore {
    return this.o.store;
  }

  // ---- seeding -------------------------------------------------------------------------------------------

  /** Loads the seeds into an empty database (idempotent: existing documents are left as they are). */
  async seed(): Promise<void> {
    const recordedAt = this.o.now();
    for (const t of taxonomyHistory) {
      await this.store.insertOnce(this.store.taxonomies, { _id: t.taxonomyId, ...t, recordedAt }, `taxonomy ${t.taxonomyId}`);
      // A taxonomy recorded before placements existed gets them (seed data about the structure, not a published
      // version: item versions are never changed here).
      await this.store.taxonomies.updateOne(
        { _id: t.taxonomyId, placements: { $exists: false } },
        { $set: { placements: [...(t.placements ?? [])], lineage: [...(t.lineage ?? [])] } },
      );
    }
    this.taxonomyDocs = undefined;
    await this.recordRelease(baselineRelease());
    // Package levels (issue #17) are seeded on their own, so a database seeded before they existed gets them too.
    for (const p of seedPackageLevels()) {
      const level = p.level;
      if (!level || !p.effectiveFrom) continue;
      await this.store.appendPackageVersion({
        _id: `${level.packageCode}:v${p.version}`,
        packageCode: level.packageCode,
        version: p.version,
        effectiveFrom: formatIsoDate(p.effectiveFrom),
        recordedAt,
        releaseId: p.releaseId,
        level,
      });
    }
  }

  // ---- releases ------------------------------------------------------------------------------------------

  /** Records a release once (its document is the commit point and carries version.published), then projects it. */
  async recordRelease(draft: ReleaseDraft, decision?: SignedDecision): Promise<ReleaseDoc> {
    const publishedAt = this.o.now();
    const payload = standardEvents.versionPublished.codec.fromPartial({
      releaseId: draft.releaseId,
      kind: draft.kind,
      title: draft.title,
      effectiveFrom: toDateMessage(draft.effectiveFrom),
      publishedAt,
      changeSetId: draft.changeSetId,
      provenance: draft.provenance,
      fieldCodes: [...draft.fieldCodes],
      decision,
      packageLevels: (draft.packageVersions ?? []).map((p) => ({
        level: p.level,
        version: p.version,
        effectiveFrom: toDateMessage(draft.effectiveFrom),
        releaseId: draft.releaseId,
      })),
      itemVersions: draft.versions.map((v) => ({
        itemCode: v.itemCode,
        version: v.version,
        name: v.item.name,
        fieldCode: v.item.fieldCode,
        categoryCode: v.item.categoryCode,
        changeType: v.changeType,
        lineageFrom: [...v.lineageFrom],
        item: v.retired ? undefined : v.item,
      })),
    });
    const doc: ReleaseDoc = {
      _id: draft.releaseId,
      changeSetId: draft.changeSetId,
      kind: draft.kind,
      title: draft.title,
      effectiveFrom: draft.effectiveFrom,
      publishedAt,
      provenance: draft.provenance ?? null,
      fieldCodes: [...draft.fieldCodes],
      versions: [...draft.versions],
      lineage: [...draft.lineage],
      ...(draft.packageVersions && draft.packageVersions.length > 0
        ? { packageVersions: draft.packageVersions.map((p) => ({ packageCode: p.packageCode, version: p.version, level: PackageLevel.toJSON(p.level) })) }
        : {}),
      projected: false,
      ...toOutboxFields(
        newEvent(standardEvents.versionPublished, payload, { source: SOURCE, key: draft.releaseId, topicNamespace: this.o.topicNamespace, time: publishedAt }),
      ),
    };
    const result = await this.store.insertRelease(doc);
    const stored = result === 'inserted' ? doc : await this.store.releases.findOne({ _id: draft.releaseId });
    if (!stored) throw new Error(`release ${draft.releaseId} vanished`);
    if (!stored.projected) await this.project(stored);
    return stored;
  }

  /** Projects a recorded release into the item logs, lineage, due list and floor checks. Idempotent. */
  async project(release: ReleaseDoc): Promise<void> {
    for (const v of release.versions) {
      await this.store.appendVersion({
        _id: `${v.itemCode}:v${v.version}:r0`,
        itemCode: v.itemCode,
        version: v.version,
        revision: 0,
        effectiveFrom: release.effectiveFrom,
        recordedAt: release.publishedAt,
        item: v.item,
        retired: v.retired,
        releaseId: release._id,
        releaseKind: release.kind,
        changeType: v.changeType,
        lineageFrom: [...v.lineageFrom],
        provenance: release.provenance,
        correctionOf: '',
        correctionReason: '',
      });
    }
    for (const p of release.packageVersions ?? []) {
      await this.store.appendPackageVersion({
        _id: `${p.packageCode}:v${p.version}`,
        packageCode: p.packageCode,
        version: p.version,
        effectiveFrom: release.effectiveFrom,
        recordedAt: release.publishedAt,
        releaseId: release._id,
        level: PackageLevel.fromJSON(p.level),
      });
    }
    for (const l of release.lineage) {
      await this.store.addLineage({
        _id: `${release._id}:${l.from}->${l.to}`,
        from: l.from,
        to: l.to,
        changeType: l.changeType,
        releaseId: release._id,
        effectiveFrom: release.effectiveFrom,
      });
    }
    await this.store.insertOnce(
      this.store.schedule,
      { _id: release._id, due: release.effectiveFrom, status: 'pending', claimedAt: null, claimedBy: '', firedAt: null },
      `schedule ${release._id}`,
    );
    await this.checkFloorsAfter(release);
    await this.store.releases.updateOne({ _id: release._id }, { $set: { projected: true } });
    if (release.versions.some((v) => v.version > 1)) this.monitorSoon(); // a national change may move provinces' states
  }

  /** Finishes projections a crash interrupted. */
  async projectPending(): Promise<void> {
    for (const r of await this.store.releases.find({ projected: false }).sort({ publishedAt: 1 }).toArray()) await this.project(r);
  }

  /** After a national change, every province whose latest filing no longer meets the new level must re-file. */
  private async checkFloorsAfter(release: ReleaseDoc): Promise<void> {
    const classify = (await this.classifiers(this.o.now()))(release.effectiveFrom);
    for (const v of release.versions) {
      if (v.retired || v.version === 1) continue;
      const metrics = nationalMetrics(v.item);
      if (metrics.length === 0) continue;
      for (const filing of await this.store.latestFilingsForItem(v.itemCode)) {
        for (const failing of compareMetrics(metrics, filing.metrics).filter((c) => !c.compliant)) {
          const payload = standardEvents.floorBreached.codec.fromPartial({
            provinceCode: filing.provinceCode,
            itemCode: v.itemCode,
            releaseId: release._id,
            filingId: filing._id,
            metric: failing.metric,
            label: failing.label,
            requiredValue: failing.nationalValue,
            actualValue: failing.localValue,
            unit: failing.unit,
            effectiveFrom: toDateMessage(release.effectiveFrom),
            refileDeadline: toDateMessage(addDays(release.effectiveFrom, this.o.refileDays)),
            fieldCode: classify(v.item).item.fieldCode,
          });
          const event = newEvent(standardEvents.floorBreached, payload, {
            source: SOURCE,
            key: `${filing.provinceCode}:${v.itemCode}`,
            topicNamespace: this.o.topicNamespace,
            time: this.o.now(),
          });
          await this.store.insertOnce(
            this.store.breaches,
            {
              _id: `${release._id}:${filing.provinceCode}:${v.itemCode}:${failing.metric}`,
              releaseId: release._id,
              provinceCode: filing.provinceCode,
              itemCode: v.itemCode,
              metric: failing.metric,
              filingId: filing._id,
              recordedAt: this.o.now(),
              ...toOutboxFields(event),
            },
            'floor breach',
          );
        }
      }
    }
  }

  // ---- change sets ---------------------------------------------------------------------------------------

  /**
   * Applies an approved change set once: publishes its release, or records its rejection naming each conflict.
   * `signed` is the verified signed event it came in, carried forward on the publication (offline check).
   */
  async applyChangeSet(changeSet: ChangeSet, signed?: SignedDecision): Promise<'published' | 'rejected' | 'duplicate'> {
    if (changeSet.changeSetId.trim() === '') throw new ValidationError([{ field: 'change_set.change_set_id', description: 'required' }]);
    const recorded = await this.store.releases.findOne({ _id: releaseIdFor(changeSet.changeSetId) });
    if (recorded) {
      // A redelivery after a failure mid-projection finishes the projection (start-up does the same for crashes).
      if (!recorded.projected) await this.project(recorded);
      return 'duplicate';
    }
    if (await this.store.rejections.findOne({ _id: changeSet.changeSetId })) return 'duplicate';

    const current = new Map<string, CurrentVersion>();
    for (const code of referencedItemCodes(changeSet)) {
      const latest = await this.store.latestVersion(code);
      if (latest)
        current.set(code, { itemCode: code, version: latest.version, effectiveFrom: latest.effectiveFrom, retired: latest.retired, item: latest.item });
    }
    const packages = new Map<string, CurrentPackage>();
    for (const code of referencedPackageCodes(changeSet)) {
      const latest = (await this.store.packageVersions(code)).at(-1);
      if (latest) packages.set(code, { packageCode: code, version: latest.version, effectiveFrom: latest.effectiveFrom, level: latest.level });
    }
    const decision = decideChangeSet(changeSet, current, knownTaxonomy, packages);
    switch (decision.kind) {
      case 'publish':
        await this.recordRelease(decision.release, signed);
        this.o.logger.info(
          { changeSetId: changeSet.changeSetId, releaseId: decision.release.releaseId, versions: decision.release.versions.length },
          'change set published',
        );
        return 'published';
      case 'reject': {
        const payload = standardEvents.changeSetRejected.codec.fromPartial({
          changeSetId: changeSet.changeSetId,
          conflicts: [...decision.conflicts],
          provenance: changeSet.provenance,
        });
        const event = newEvent(standardEvents.changeSetRejected, payload, {
          source: SOURCE,
          key: changeSet.changeSetId,
          topicNamespace: this.o.topicNamespace,
          time: this.o.now(),
        });
        await this.store.insertOnce(
          this.store.rejections,
          { _id: changeSet.changeSetId, conflicts: [...decision.conflicts], recordedAt: this.o.now(), ...toOutboxFields(event) },
          'change set rejection',
        );
        this.o.logger.warn({ changeSetId: changeSet.changeSetId, conflicts: decision.conflicts }, 'change set rejected');
        return 'rejected';
      }
      default:
        return assertNever(decision);
    }
  }

  // ---- version.effective due list ------------------------------------------------------------------------

  /**
   * Fires version.effective for every release whose date has arrived. Each entry is claimed with a conditional
   * single-document update, which keeps two schedulers from usually both taking it (FerretDB v1 does not make it
   * atomic: two instances may both win it); what makes it once is the event's outbox id, derived from the release:
   * a second firing — another instance's, or a re-fire after a crash — meets a duplicate key and writes nothing
   * (registry-instances.int).
   */
  async fireDue(schedulerId: string, claimLeaseMs = 30_000): Promise<number> {
    const now = this.o.now();
    const today = todayInChina(now);
    const staleClaim = new Date(now.getTime() - claimLeaseMs);
    const due = await this.store.schedule
      .find({ due: { $lte: today }, $or: [{ status: 'pending' }, { status: 'claimed', claimedAt: { $lt: staleClaim } }] })
      .sort({ due: 1 })
      .limit(100)
      .toArray();
    let fired = 0;
    for (const entry of due) {
      const claim = await this.store.schedule.updateOne(
        { _id: entry._id, status: entry.status, claimedAt: entry.claimedAt },
        { $set: { status: 'claimed', claimedAt: now, claimedBy: schedulerId } },
      );
      if (claim.modifiedCount !== 1) continue; // someone else has it
      const release = await this.store.releases.findOne({ _id: entry._id });
      if (release) {
        const payload = standardEvents.versionEffective.codec.fromPartial({
          releaseId: release._id,
          kind: release.kind,
          title: release.title,
          effectiveFrom: toDateMessage(release.effectiveFrom),
          itemVersions: release.versions.map((v) => ({ itemCode: v.itemCode, version: v.version })),
          fieldCodes: release.fieldCodes,
        });
        const event = newEvent(standardEvents.versionEffective, payload, {
          source: SOURCE,
          key: release._id,
          topicNamespace: this.o.topicNamespace,
          time: now,
        });
        await this.store.insertOnce(
          this.store.outbox.collection as never,
          { _id: `effective:${release._id}`, ...toOutboxFields(event) } as never,
          'version.effective',
        );
        fired++;
      }
      await this.store.schedule.updateOne({ _id: entry._id, claimedBy: schedulerId }, { $set: { status: 'fired', firedAt: now } });
    }
    return fired;
  }

  // ---- queries -------------------------------------------------------------------------------------------

  resolveAsOf(asOf: AsOf | undefined, field = 'as_of'): Resolved {
    const now = this.o.now();
    let date = todayInChina(now);
    if (asOf?.date && !(asOf.date.year === 0 && asOf.date.month === 0 && asOf.date.day === 0)) {
      const parsed = parseDate(asOf.date, `${field}.date`);
      if (isViolation(parsed)) throw new ValidationError([parsed]);
      date = parsed;
    }
    return { date, knownAt: asOf?.knownAt ?? now };
  }

  /** Classifies items by the taxonomy in force on any date, as known at `knownAt` (the taxonomies are read once). */
  private async classifiers(knownAt: Date): Promise<(date: LocalDate) => Classifier> {
    this.taxonomyDocs ??= this.store.taxonomies.find({}).toArray();
    const all = await this.taxonomyDocs.catch((error: unknown) => {
      this.taxonomyDocs = undefined; // a failed read is retried next time
      throw error;
    });
    const cache = new Map<string, Classifier>();
    return (date) => {
      const known = all.filter((t) => t.effectiveFrom <= date && t.recordedAt <= knownAt).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
      const doc = known[0] ?? null;
      const key = doc?._id ?? '';
      let c = cache.get(key);
      if (!c) {
        c = classifier(doc, known.slice(1));
        cache.set(key, c);
      }
      return c;
    };
  }

  parseRequiredDate(date: DateMessage | undefined, field: string): LocalDate {
    if (!date) throw new ValidationError([{ field, description: 'required' }]);
    const parsed = parseDate(date, field);
    if (isViolation(parsed)) throw new ValidationError([parsed]);
    return parsed;
  }

  requireProvince(code: string, field = 'province_code'): void {
    if (code === '') throw new ValidationError([{ field, description: 'required' }]);
    if (!provinceCodes.has(code)) throw new NotFoundError('province', code);
  }

  /** `classify`: the taxonomy in force on the date read; without it the item is shown as recorded. */
  private async toItemVersion(doc: VersionDoc, knownAt: Date, head?: ItemHead | null, classify?: Classifier): Promise<ItemVersion> {
    const next = await this.store.nextEffectiveFrom(doc.itemCode, doc.version, knownAt, head);
    const classified = classify?.(doc.item);
    return {
      item: classified?.item ?? doc.item,
      placement: classified?.placement,
      version: doc.version,
      effectiveFrom: toDateMessage(doc.effectiveFrom),
      effectiveTo: next ? toDateMessage(addDays(next, -1)) : undefined,
      releaseId: doc.releaseId,
      releaseKind: doc.releaseKind,
      provenance: doc.provenance ?? undefined,
      retired: doc.retired,
      recordedAt: doc.recordedAt,
      correctionOf: doc.correctionOf,
      correctionReason: doc.correctionReason,
      errata: (doc.errata ?? []).map(toErratum),
    };
  }

  async getItem(itemCode: string, asOf: AsOf | undefined, provinceCode: string): Promise<{ national: ItemVersion; provincial: ProvincialValue | undefined }> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    const at = this.resolveAsOf(asOf);
    if (provinceCode !== '') this.requireProvince(provinceCode);
    const head = await this.store.head(itemCode);
    if (!head) throw new NotFoundError('item', itemCode);
    const doc = await this.store.versionAsOf(itemCode, at.date, at.knownAt, head);
    if (!doc) throw new NotFoundError('item version', `${itemCode} in force on ${at.date}`);
    const national = await this.toItemVersion(doc, at.knownAt, head, (await this.classifiers(at.knownAt))(at.date));
    const provincial = provinceCode === '' ? undefined : await this.provincialValue(provinceCode, doc, at);
    return { national, provincial };
  }

  private async provincialValue(provinceCode: string, national: VersionDoc, at: Resolved, head?: FilingHead | null): Promise<ProvincialValue | undefined> {
    const filing = await this.store.filingAsOf(provinceCode, national.itemCode, at.date, at.knownAt, head);
    if (!filing) return undefined;
    const comparisons = compareMetrics(nationalMetrics(national.item), filing.metrics);
    return {
      provinceCode,
      filingId: filing._id,
      comparisons,
      compliant: comparisons.every((c) => c.compliant),
      exceedsNationalLevel: comparisons.some((c) => c.exceeds),
      effectiveFrom: toDateMessage(filing.effectiveFrom),
    };
  }

  /** Every item's record in force on the date (retired ones included, flagged): one scan of the item heads. */
  private async resolveCatalogue(at: Resolved): Promise<{ doc: VersionDoc; head: ItemHead }[]> {
    const heads = await this.store.allHeads();
    const docs = await Promise.all(heads.map(async (head) => ({ doc: await this.store.versionAsOf(head._id, at.date, at.knownAt, head), head })));
    return docs.filter((d): d is { doc: VersionDoc; head: ItemHead } => d.doc !== null).sort((a, b) => a.doc.itemCode.localeCompare(b.doc.itemCode));
  }

  async listItems(
    asOf: AsOf | undefined,
    fieldCode: string,
    categoryCode: string,
    provinceCode: string,
  ): Promise<{ items: ItemVersion[]; provincial: ProvincialValue[]; asOfDate: DateMessage }> {
    const at = this.resolveAsOf(asOf);
    if (fieldCode !== '' && !knownTaxonomy.fieldCodes.has(fieldCode)) throw new NotFoundError('field', fieldCode);
    if (categoryCode !== '' && !knownTaxonomy.categoryCodes.has(categoryCode)) throw new NotFoundError('category', categoryCode);
    if (provinceCode !== '') this.requireProvince(provinceCode);
    // Filters apply to the taxonomy in force on the date; a field code of an earlier taxonomy selects the items
    // recorded under it (so old codes keep working).
    const classify = (await this.classifiers(at.knownAt))(at.date);
    const docs = (await this.resolveCatalogue(at)).filter(({ doc: d }) => {
      if (d.retired) return false;
      const classified = classify(d.item);
      return inField(fieldCode, classified) && (categoryCode === '' || classified.item.categoryCode === categoryCode);
    });
    const items = await Promise.all(docs.map(({ doc, head }) => this.toItemVersion(doc, at.knownAt, head, classify)));
    const filingHeads = provinceCode === '' ? new Map<string, FilingHead>() : await this.store.filingHeadsOfProvince(provinceCode);
    const provincial =
      provinceCode === ''
        ? []
        : (await Promise.all(docs.map(({ doc }) => this.provincialValue(provinceCode, doc, at, filingHeads.get(doc.itemCode) ?? null)))).filter(
            (p): p is ProvincialValue => p !== undefined,
          );
    return { items, provincial, asOfDate: toDateMessage(at.date) };
  }

  async getItemHistory(itemCode: string, includeCorrections: boolean): Promise<ItemVersion[]> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    const records = await this.store.versionRecords(itemCode);
    if (records.length === 0) throw new NotFoundError('item', itemCode);
    const latestRevision = new Map<number, number>();
    for (const r of records) latestRevision.set(r.version, Math.max(latestRevision.get(r.version) ?? 0, r.revision));
    const shown = includeCorrections ? records : records.filter((r) => r.revision === latestRevision.get(r.version));
    const now = this.o.now();
    const head = await this.store.head(itemCode);
    // Each version as classified on its own effective date: the structure in force then.
    const classifyOn = await this.classifiers(now);
    return Promise.all(shown.map((r) => this.toItemVersion(r, now, head, classifyOn(r.effectiveFrom))));
  }

  async getItemLineage(itemCode: string): Promise<LineageLink[]> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    if (!(await this.store.itemCodeExists(itemCode))) throw new NotFoundError('item', itemCode);
    const links = new Map<string, LineageLink>();
    // Ancestors (walking `to` -> `from`) and descendants (`from` -> `to`), each direction transitively.
    for (const direction of ['back', 'forward'] as const) {
      const seen = new Set<string>([itemCode]);
      const queue = [itemCode];
      while (queue.length > 0) {
        const code = queue.shift() as string;
        const docs = await this.store.lineage.find(direction === 'back' ? { to: code } : { from: code }).toArray();
        for (const d of docs) {
          links.set(d._id, {
            fromItemCode: d.from,
            toItemCode: d.to,
            changeType: d.changeType,
            releaseId: d.releaseId,
            effectiveFrom: toDateMessage(d.effectiveFrom),
          });
          const nextCode = direction === 'back' ? d.from : d.to;
          if (nextCode !== '' && !seen.has(nextCode)) {
            seen.add(nextCode);
            queue.push(nextCode);
          }
        }
      }
    }
    return [...links.values()].sort(
      (a, b) => compareDates(a.effectiveFrom, b.effectiveFrom) || a.fromItemCode.localeCompare(b.fromItemCode) || a.toItemCode.localeCompare(b.toItemCode),
    );
  }

  // ---- package levels (issue #17) ------------------------------------------------------------------------

  private packageVersionOf(r: PackageLevelRecord): PackageLevelVersion {
    return { level: r.level, version: r.version, effectiveFrom: toDateMessage(r.effectiveFrom), releaseId: r.releaseId };
  }

  /** The version of each package in force on the date (as known at the time), optionally only those covering an item. */
  async listPackageLevels(asOf: AsOf | undefined, itemCode: string): Promise<PackageLevelVersion[]> {
    const at = this.resolveAsOf(asOf);
    const inForce = new Map<string, PackageLevelRecord>();
    for (const r of await this.store.packageVersions()) {
      if (r.effectiveFrom <= at.date && r.recordedAt <= at.knownAt) inForce.set(r.packageCode, r);
    }
    return [...inForce.values()].filter((r) => itemCode === '' || r.level.itemCodes.includes(itemCode)).map((r) => this.packageVersionOf(r));
  }

  async getPackageLevel(packageCode: string, asOf: AsOf | undefined): Promise<{ level: PackageLevelVersion; history: PackageLevelVersion[] }> {
    if (packageCode === '') throw new ValidationError([{ field: 'package_code', description: 'required' }]);
    const at = this.resolveAsOf(asOf);
    const known = (await this.store.packageVersions(packageCode)).filter((r) => r.recordedAt <= at.knownAt);
    if (known.length === 0) throw new NotFoundError('package level', packageCode);
    const inForce = known.filter((r) => r.effectiveFrom <= at.date).at(-1);
    if (!inForce) throw new NotFoundError('package level', `${packageCode} in force on ${at.date}`);
    return { level: this.packageVersionOf(inForce), history: known.map((r) => this.packageVersionOf(r)) };
  }

  async listReleases(): Promise<Release[]> {
    const docs = await this.store.releases.find({}).sort({ effectiveFrom: 1, publishedAt: 1 }).toArray();
    return docs.map(toRelease);
  }

  private async dateOfSelector(selector: DiffStandardsRequest['from'] | DiffStandardsRequest['to'], field: string): Promise<LocalDate> {
    if (!selector) throw new ValidationError([{ field, description: 'a date or a release id is required' }]);
    switch (selector.$case) {
      case 'fromDate':
        return this.parseRequiredDate(selector.fromDate, 'from_date');
      case 'toDate':
        return this.parseRequiredDate(selector.toDate, 'to_date');
      case 'fromReleaseId':
      case 'toReleaseId': {
        const id = selector.$case === 'fromReleaseId' ? selector.fromReleaseId : selector.toReleaseId;
        const release = await this.store.releases.findOne({ _id: id });
        if (!release) throw new NotFoundError('release', id);
        return release.effectiveFrom;
      }
      default:
        return assertNever(selector);
    }
  }

  async diff(request: DiffStandardsRequest): Promise<DiffStandardsResponse> {
    const from = await this.dateOfSelector(request.from, 'from');
    const to = await this.dateOfSelector(request.to, 'to');
    if (request.fieldCode !== '' && !knownTaxonomy.fieldCodes.has(request.fieldCode)) throw new NotFoundError('field', request.fieldCode);
    const knownAt = this.o.now();
    const classifyOn = await this.classifiers(knownAt);
    // Each side as classified by the taxonomy in force on its date: a reclassification shows as a move.
    const resolve = async (date: LocalDate): Promise<ResolvedItem[]> =>
      (await this.resolveCatalogue({ date, knownAt })).map(({ doc: d }) => ({
        itemCode: d.itemCode,
        version: d.version,
        retired: d.retired,
        changeType: d.changeType,
        item: classifyOn(date)(d.item).item,
      }));
    const items = diffCatalogues(await resolve(from), await resolve(to), (item) => classifyOn(to)(item).item).filter(
      (d) => request.fieldCode === '' || d.fieldCodes.includes(request.fieldCode),
    );
    return { items: items.map(({ fieldCodes: _f, ...rest }) => rest), fromDate: toDateMessage(from), toDate: toDateMessage(to) };
  }

  async getTaxonomy(asOf: AsOf | undefined): Promise<GetTaxonomyResponse> {
    const at = this.resolveAsOf(asOf);
    const doc = await this.store.taxonomyAsOf(at.date, at.knownAt);
    if (!doc) throw new NotFoundError('taxonomy', `in force on ${at.date}`);
    return {
      taxonomyId: doc.taxonomyId,
      title: doc.title,
      effectiveFrom: toDateMessage(doc.effectiveFrom),
      fields: doc.fields.map((f) => ({ code: f.code, name: f.name, categories: f.categories.map((c) => ({ code: c.code, name: c.name })) })),
      lineage: (doc.lineage ?? []).map((l) => ({
        fromFieldCode: l.fromFieldCode,
        fromFieldName: l.fromFieldName ?? '',
        toFieldCode: l.toFieldCode,
        itemCodes: [...l.itemCodes],
      })),
    };
  }

  // ---- provincial filings --------------------------------------------------------------------------------

  async fileLocalStandard(caller: Identity, req: FileLocalStandardRequest): Promise<FileLocalStandardResponse> {
    this.requireProvince(req.provinceCode);
    if (!caller.roles.includes('province-officer') || caller.organisation !== req.provinceCode) {
      throw new PermissionDeniedError(`only a province officer of ${req.provinceCode} may file its local standards`, 'NOT_PROVINCE_OFFICER');
    }
    const violations: FieldViolation[] = [];
    if (req.itemCode === '') violations.push({ field: 'item_code', description: 'required' });
    let effectiveFrom: LocalDate = '';
    if (!req.effectiveFrom) violations.push({ field: 'effective_from', description: 'required' });
    else {
      const parsed = parseDate(req.effectiveFrom, 'effective_from');
      if (isViolation(parsed)) violations.push(parsed);
      else effectiveFrom = parsed;
    }
    let fundingFen = 0n;
    if (req.localFunding) {
      if (!isFen(req.localFunding.fen))
        violations.push({ field: 'local_funding.fen', description: 'must be a non-negative whole number of fen, at most 2^63-1' });
      else fundingFen = BigInt(req.localFunding.fen);
      if (req.localFunding.currency !== 'CNY') violations.push({ field: 'local_funding.currency', description: 'must be CNY' });
    }
    if (violations.length > 0) throw new ValidationError(violations);

    const now = this.o.now();
    const head = await this.store.head(req.itemCode);
    if (!head) throw new NotFoundError('item', req.itemCode);
    const national = await this.store.versionAsOf(req.itemCode, effectiveFrom, now, head);
    if (!national || national.retired) throw new NotFoundError('item version', `${req.itemCode} in force on ${effectiveFrom}`);
    const metrics: LocalMetric[] = req.metrics.map((m) => ({ metric: m.metric, value: m.value.trim(), unit: m.unit, basis: m.basis }));
    // The item's field in the taxonomy in force on the filing's date (what subscribers filter on).
    const fieldCode = (await this.classifiers(now))(effectiveFrom)(national.item).item.fieldCode;
    const check = checkFiling(national.item, metrics, fundingFen > 0n);
    switch (check.kind) {
      case 'invalid':
        throw new ValidationError(check.violations);
      case 'below-national-level':
        throw new FailedPreconditionError(
          `the local standard of ${req.itemCode} is below the national level on ${check.failing.map((f) => f.metric).join(', ')}`,
          check.failing.map((f) => ({ type: 'BELOW_NATIONAL_LEVEL', subject: `${req.itemCode}/${f.metric}`, description: belowText(f) })),
          'BELOW_NATIONAL_LEVEL',
        );
      case 'accepted':
        break;
      default:
        assertNever(check);
    }
    // Filings of one province and item take effect in filing order (no backdating behind the latest one), which
    // keeps "the filing in force on D" a monotone search.
    const latestFiling = (await this.store.filingHead(req.provinceCode, req.itemCode))?.recent.at(-1);
    if (latestFiling && latestFiling.effectiveFrom > effectiveFrom) {
      throw new FailedPreconditionError(
        `${req.provinceCode} already filed ${req.itemCode} effective ${latestFiling.effectiveFrom}; a new filing cannot take effect before it`,
        [
          {
            type: 'FILING_BACKDATED',
            subject: `${req.provinceCode}/${req.itemCode}`,
            description: `effective_from must be on or after ${latestFiling.effectiveFrom}`,
          },
        ],
        'FILING_BACKDATED',
      );
    }
    const actor = { subject: caller.subject, organisation: caller.organisation, roles: [...caller.roles] };
    const localFunding = req.localFunding && fundingFen > 0n ? { currency: 'CNY', fen: fundingFen.toString() } : null;
    const make = (n: number): FilingDoc => {
      const filingId = `${req.provinceCode}:${req.itemCode}:${n}`;
      const payload = standardEvents.localStandardFiled.codec.fromPartial({
        filingId,
        provinceCode: req.provinceCode,
        itemCode: req.itemCode,
        nationalVersion: national.version,
        effectiveFrom: toDateMessage(effectiveFrom),
        comparisons: [...check.comparisons],
        exceedsNationalLevel: check.exceeds,
        localFunding: localFunding ?? undefined,
        localFundingSource: req.localFundingSource,
        actor,
        fieldCode,
      });
      const event = newEvent(standardEvents.localStandardFiled, payload, {
        source: SOURCE,
        key: `${req.provinceCode}:${req.itemCode}`,
        topicNamespace: this.o.topicNamespace,
        time: now,
      });
      return {
        _id: filingId,
        provinceCode: req.provinceCode,
        itemCode: req.itemCode,
        fieldCode,
        effectiveFrom,
        recordedAt: now,
        metrics,
        comparisons: [...check.comparisons],
        exceeds: check.exceeds,
        nationalVersion: national.version,
        localFunding,
        localFundingSource: req.localFundingSource,
        note: req.note,
        actor,
        ...toOutboxFields(event),
      };
    };
    const doc = await this.store.appendFiling(req.provinceCode, req.itemCode, make);
    this.monitorSoon(); // the province's state for the item may have changed (e.g. to blindly high)
    return { filingId: doc._id, comparisons: [...check.comparisons], exceedsNationalLevel: check.exceeds, nationalVersion: national.version };
  }

  async complianceReport(provinceCode: string, asOf: AsOf | undefined): Promise<GetComplianceReportResponse> {
    this.requireProvince(provinceCode);
    const at = this.resolveAsOf(asOf);
    const docs = (await this.resolveCatalogue(at)).filter(({ doc }) => !doc.retired).map(({ doc }) => doc);
    const classify = (await this.classifiers(at.knownAt))(at.date);
    return this.reportOf(provinceCode, docs, classify, at, await this.store.filingHeadsOfProvince(provinceCode));
  }

  /** Every province's report on one date: the catalogue resolved once, every filing head read in one query. */
  async nationalCompliance(asOf: AsOf | undefined): Promise<{ asOfDate: DateMessage; provinces: GetComplianceReportResponse[] }> {
    const at = this.resolveAsOf(asOf);
    const docs = (await this.resolveCatalogue(at)).filter(({ doc }) => !doc.retired).map(({ doc }) => doc);
    const classify = (await this.classifiers(at.knownAt))(at.date);
    const heads = await this.store.allFilingHeads();
    const provinces = await Promise.all([...provinceCodes].sort().map((code) => this.reportOf(code, docs, classify, at, heads.get(code) ?? new Map())));
    return { asOfDate: toDateMessage(at.date), provinces };
  }

  private async reportOf(
    provinceCode: string,
    docs: readonly VersionDoc[],
    classify: Classifier,
    at: Resolved,
    filingHeads: ReadonlyMap<string, FilingHead>,
  ): Promise<GetComplianceReportResponse> {
    const lines: ComplianceLine[] = await Promise.all(
      docs.map(async (d) => {
        const filing: FilingRecord | null = await this.store.filingAsOf(provinceCode, d.itemCode, at.date, at.knownAt, filingHeads.get(d.itemCode) ?? null);
        const comparisons = filing ? compareMetrics(nationalMetrics(d.item), filing.metrics) : [];
        const breach = filing !== null && comparisons.some((c) => !c.compliant);
        const deadline = filing && breach ? refileDeadline(d.effectiveFrom, filing.effectiveFrom, this.o.refileDays) : undefined;
        return {
          itemCode: d.itemCode,
          name: d.item.name,
          fieldCode: classify(d.item).item.fieldCode,
          filed: filing !== null,
          breach,
          comparisons,
          filingId: filing?._id ?? '',
          nationalVersion: d.version,
          refileDeadline: deadline ? toDateMessage(deadline) : undefined,
          refilingOverdue: deadline !== undefined && refilingOverdue(at.date, deadline),
        };
      }),
    );
    return {
      provinceCode,
      asOfDate: toDateMessage(at.date),
      lines,
      filedCount: lines.filter((l) => l.filed).length,
      breachCount: lines.filter((l) => l.breach).length,
    };
  }

  // ---- national monitoring over time and its early warnings (issue #17) --------------------------------------

  /** Every province's report on each date, from one read of the item heads and one of the filing heads. */
  private async reportsOn(dates: readonly LocalDate[], knownAt: Date): Promise<{ date: LocalDate; reports: GetComplianceReportResponse[] }[]> {
    const [heads, filingHeads, classifiers] = await Promise.all([this.store.allHeads(), this.store.allFilingHeads(), this.classifiers(knownAt)]);
    const out: { date: LocalDate; reports: GetComplianceReportResponse[] }[] = [];
    for (const date of dates) {
      const at = { date, knownAt };
      const docs = (await Promise.all(heads.map((head) => this.store.versionAsOf(head._id, date, knownAt, head))))
        .filter((d): d is VersionDoc => d !== null && !d.retired)
        .sort((a, b) => a.itemCode.localeCompare(b.itemCode));
      const classify = classifiers(date);
      const reports = await Promise.all([...provinceCodes].sort().map((code) => this.reportOf(code, docs, classify, at, filingHeads.get(code) ?? new Map())));
      out.push({ date, reports });
    }
    return out;
  }

  /**
   * The counts of every monitoring state on a series of dates (nationally, per province, per field), each computed
   * from the bitemporal record exactly as the national compliance of that date (as known at `known_at`).
   */
  async complianceHistory(req: GetComplianceHistoryRequest): Promise<GetComplianceHistoryResponse> {
    const violations: FieldViolation[] = [];
    const now = this.o.now();
    let from: LocalDate = '';
    let to: LocalDate = todayInChina(now);
    if (!req.from) violations.push({ field: 'from', description: 'required' });
    else {
      const parsed = parseDate(req.from, 'from');
      if (isViolation(parsed)) violations.push(parsed);
      else from = parsed;
    }
    if (req.to && !(req.to.year === 0 && req.to.month === 0 && req.to.day === 0)) {
      const parsed = parseDate(req.to, 'to');
      if (isViolation(parsed)) violations.push(parsed);
      else to = parsed;
    }
    const interval = (req.interval === '' ? 'month' : req.interval) as HistoryInterval;
    if (!historyIntervals.includes(interval)) violations.push({ field: 'interval', description: `must be one of ${historyIntervals.join(', ')}` });
    const margin = req.marginPercent ?? this.o.blindlyHighMarginPercent;
    if (!Number.isInteger(margin) || margin < 0 || margin > 1000)
      violations.push({ field: 'margin_percent', description: 'must be a whole percent from 0 to 1000' });
    if (from !== '' && from > to) violations.push({ field: 'from', description: `must not be after ${to}` });
    if (violations.length > 0) throw new ValidationError(violations);
    if (req.fieldCode !== '' && !knownTaxonomy.fieldCodes.has(req.fieldCode)) throw new NotFoundError('field', req.fieldCode);
    const dates = historyDates(from, to, interval);
    if (dates.length > MAX_HISTORY_POINTS) {
      throw new ValidationError([{ field: 'from', description: `at most ${MAX_HISTORY_POINTS} dates per request: shorten the period or ask by year` }]);
    }
    const series = await this.reportsOn(dates, req.knownAt ?? now);
    return {
      marginPercent: margin,
      points: series.map(({ date, reports }) => {
        const totals = emptyCounts();
        const fields = new Map<string, StateCounts>();
        const provinces = reports.map((report) => {
          const counts = emptyCounts();
          for (const line of report.lines) {
            if (req.fieldCode !== '' && line.fieldCode !== req.fieldCode) continue;
            const state = monitoringState(line, margin);
            counts[state] += 1;
            totals[state] += 1;
            const field = fields.get(line.fieldCode) ?? emptyCounts();
            field[state] += 1;
            fields.set(line.fieldCode, field);
          }
          return { provinceCode: report.provinceCode, counts: toMonitoringCounts(counts) };
        });
        return {
          date: toDateMessage(date),
          totals: toMonitoringCounts(totals),
          provinces,
          fields: [...fields.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([fieldCode, counts]) => ({ fieldCode, counts: toMonitoringCounts(counts) })),
        };
      }),
    };
  }

  /**
   * Asks for a monitoring pass soon (after a filing or a national change), outside the request being served: passes
   * coalesce (one running, at most one waiting) and a failure is only logged (the scheduler's next pass catches up).
   */
  monitorSoon(): void {
    withCallContext({}, () => {
      this.monitor().catch((error: unknown) => this.o.logger.warn({ err: String(error) }, 'monitoring pass failed; the next one catches up'));
    });
  }

  /** Resolves when no monitoring pass is running or waiting (before closing the database). */
  async monitorIdle(): Promise<void> {
    for (;;) {
      const current = this.monitoring;
      await current.catch(() => 0);
      if (this.monitoring === current) return;
    }
  }

  /**
   * One monitoring pass (the scheduler's tick; tests call it after moving the clock): every province × item's state
   * today, compared with the state last observed; each entry into a warning state (domain/monitoring.ts) writes
   * bps.standard.compliance.warning through the outbox under the transition's id (so never twice), then the
   * province's observed cells are remembered. Returns how many warnings this pass wrote.
   */
  async monitor(): Promise<number> {
    if (this.monitorQueued) return this.monitorQueued;
    const queued = this.monitoring
      .catch(() => 0)
      .then(() => {
        if (this.monitorQueued === queued) this.monitorQueued = undefined;
        return this.monitorPass();
      });
    this.monitorQueued = queued;
    this.monitoring = queued;
    return queued;
  }

  private async monitorPass(): Promise<number> {
    const now = this.o.now();
    const today = todayInChina(now);
    const margin = this.o.blindlyHighMarginPercent;
    const reports = (await this.reportsOn([today], now))[0]?.reports ?? [];
    let written = 0;
    for (const report of reports) {
      const province = report.provinceCode;
      const stored = await this.store.monitoringCells.findOne({ _id: province });
      const cells = new Map<string, ObservedCell>((stored?.cells ?? []).map((c) => [c.itemCode, c]));
      let changed = stored === null;
      for (const line of report.lines) {
        const previous = cells.get(line.itemCode);
        const current: ObservedCell = { state: monitoringState(line, margin), nationalVersion: line.nationalVersion, filingId: line.filingId };
        const transition = observeCell(province, line.itemCode, previous, current);
        switch (transition.kind) {
          case 'unchanged':
            continue;
          case 'changed':
            break;
          case 'warn': {
            const payload = standardEvents.complianceWarning.codec.fromPartial({
              provinceCode: province,
              itemCode: line.itemCode,
              fieldCode: line.fieldCode,
              state: transition.to.state,
              previousState: previous?.state ?? '',
              nationalVersion: line.nationalVersion,
              filingId: line.filingId,
              observedOn: toDateMessage(today),
              refileDeadline: line.refileDeadline,
              marginPercent: margin,
              comparisons: line.comparisons,
            });
            const event = newEvent(standardEvents.complianceWarning, payload, {
              source: SOURCE,
              key: `${province}:${line.itemCode}`,
              id: transition.transitionId,
              topicNamespace: this.o.topicNamespace,
              time: now,
            });
            const inserted = await this.store.insertOnce(
              this.store.warnings,
              {
                _id: transition.transitionId,
                provinceCode: province,
                itemCode: line.itemCode,
                state: transition.to.state,
                observedOn: today,
                recordedAt: now,
                ...toOutboxFields(event),
              },
              'compliance warning',
            );
            if (inserted === 'inserted') written += 1;
            break;
          }
          default:
            assertNever(transition);
        }
        cells.set(line.itemCode, transition.to);
        changed = true;
      }
      if (!changed) continue;
      const doc: MonitoringCellsDoc = {
        _id: province,
        cells: [...cells.entries()].map(([itemCode, c]) => ({ itemCode, state: c.state, nationalVersion: c.nationalVersion, filingId: c.filingId })),
        observedOn: today,
        updatedAt: now,
      };
      await this.store.monitoringCells.replaceOne({ _id: province }, doc, { upsert: true });
    }
    if (written > 0) this.o.logger.info({ warnings: written, on: today }, 'national monitoring: early warnings');
    return written;
  }

  // ---- errata (corrections) -------------------------------------------------------------------------------

  /**
   * Proposes an erratum of a published version: wording only (domain/errata.ts), by an operator or the item's lead
   * unit. Nothing changes until a second person approves it. Every refusal is on record (bps.standard.erratum.refused).
   */
  async correct(caller: Identity, itemCode: string, version: number, item: ServiceItem | undefined, reason: string): Promise<Erratum> {
    const violations: FieldViolation[] = [];
    if (itemCode === '') violations.push({ field: 'item_code', description: 'required' });
    if (!Number.isInteger(version) || version < 1) violations.push({ field: 'version', description: 'must be a version number (1, 2, …)' });
    if (reason.trim() === '') violations.push({ field: 'reason', description: 'an erratum must say why' });
    violations.push(...itemViolations(item, 'item', knownTaxonomy));
    if (item && item.itemCode !== itemCode) violations.push({ field: 'item.item_code', description: `must be ${itemCode}` });
    if (violations.length > 0) throw new ValidationError(violations);
    const records = await this.store.versionRecords(itemCode, version);
    const latest = records.at(-1);
    if (!latest) throw new NotFoundError('item version', `${itemCode} v${version}`);
    const lead = latest.item.leadUnit?.code;
    const refused = { itemCode, version, erratumId: '', action: 'propose' };
    if (!mayProposeErratum(caller, lead)) {
      throw await this.refuseErratum(
        caller,
        refused,
        new PermissionDeniedError(`only an operator or staff of the lead unit (${lead ?? 'none'}) may propose an erratum of ${itemCode}`, 'NOT_LEAD_UNIT'),
      );
    }
    // Read in the current structure, the item comes back with the field and category the taxonomy in force places it
    // in: the same place as the version records, not a change of it (an erratum corrects the version as recorded).
    // The erratum's events name the field in force today (what subscribers filter on).
    const classifyOn = await this.classifiers(this.o.now());
    const placedAs = [todayInChina(this.o.now()), latest.effectiveFrom].map((date) => classifyOn(date)(latest.item).item);
    const sent = item;
    if (sent && placedAs.some((p) => p.fieldCode === sent.fieldCode && p.categoryCode === sent.categoryCode)) {
      item = { ...sent, fieldCode: latest.item.fieldCode, categoryCode: latest.item.categoryCode };
    }
    const decision = decideErratum(latest.item, item as ServiceItem);
    if (!decision.ok) {
      throw await this.refuseErratum(
        caller,
        refused,
        new ValidationError(decision.violations, `not an erratum: ${decision.violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`),
        decision.violations.map((v) => v.field),
      );
    }
    const proposedAt = this.o.now();
    const erratumId = `${itemCode}-v${version}-E${randomUUID().slice(0, 8)}`;
    const entry: ErratumEntry = {
      erratumId,
      itemCode,
      version,
      status: 'proposed',
      changes: decision.changes.map((c) => ({ ...c })),
      reason: reason.trim(),
      proposedBy: actorDoc(caller),
      proposedAt,
      approvedBy: null,
      approvedAt: null,
      baseRecordId: latest._id,
      recordId: '',
    };
    await this.store.insertErratum({
      _id: erratumId,
      ...entry,
      fieldCode: placedAs[0]?.fieldCode ?? latest.item.fieldCode,
      item: item as ServiceItem,
      ...toOutboxFields(
        newEvent(
          standardEvents.erratumProposed,
          { erratum: toErratum(entry), fieldCode: placedAs[0]?.fieldCode ?? latest.item.fieldCode, actor: actorDoc(caller) },
          { source: SOURCE, key: itemCode, topicNamespace: this.o.topicNamespace, time: proposedAt },
        ),
      ),
    });
    this.o.logger.info({ itemCode, version, erratumId, by: caller.subject }, 'erratum proposed');
    return toErratum(entry);
  }

  /**
   * Approves a proposed erratum: a second person (never its proposer), an approver of the item's lead unit or the
   * final approver. The corrected wording becomes a new record of the same version (what was known before stays
   * queryable); the approval document is the commit point and carries bps.standard.erratum.approved.
   */
  async approveErratum(caller: Identity, itemCode: string, version: number, erratumId: string): Promise<{ corrected: ItemVersion; erratum: Erratum }> {
    const violations: FieldViolation[] = [];
    if (itemCode === '') violations.push({ field: 'item_code', description: 'required' });
    if (!Number.isInteger(version) || version < 1) violations.push({ field: 'version', description: 'must be a version number (1, 2, …)' });
    if (erratumId === '') violations.push({ field: 'erratum_id', description: 'required' });
    if (violations.length > 0) throw new ValidationError(violations);
    const doc = await this.store.erratum(erratumId);
    if (!doc || doc.itemCode !== itemCode || doc.version !== version) throw new NotFoundError('erratum', `${erratumId} of ${itemCode} v${version}`);
    const records = await this.store.versionRecords(itemCode, version);
    const latest = records.at(-1);
    if (!latest) throw new NotFoundError('item version', `${itemCode} v${version}`);
    const lead = latest.item.leadUnit?.code;
    const refused = { itemCode, version, erratumId, action: 'approve' };
    if (!mayApproveErratum(caller, lead)) {
      throw await this.refuseErratum(
        caller,
        refused,
        new PermissionDeniedError(
          `an erratum of ${itemCode} is approved by an approver of ${lead ?? 'its lead unit'} or the final approver`,
          'NOT_ERRATUM_APPROVER',
        ),
      );
    }
    if (caller.subject === doc.proposedBy.subject) {
      throw await this.refuseErratum(
        caller,
        refused,
        new PermissionDeniedError('an erratum takes effect only when a second person approves it: its proposer may not', 'SELF_APPROVAL'),
      );
    }
    const applied = latest.errata?.find((e) => e.erratumId === erratumId);
    if (doc.status === 'approved' || applied) {
      if (applied && doc.status !== 'approved') await this.store.markErratumApproved(erratumId, applied.approvedBy!, applied.approvedAt!, applied.recordId); // finish a crashed approval
      throw await this.refuseErratum(
        caller,
        refused,
        new FailedPreconditionError(`erratum ${erratumId} is already approved`, [
          { type: 'ALREADY_APPROVED', subject: erratumId, description: 'already in effect' },
        ]),
      );
    }
    const stale = (): FailedPreconditionError =>
      new FailedPreconditionError(`${itemCode} v${version} changed since erratum ${erratumId} was proposed; propose it again`, [
        { type: 'ERRATUM_STALE', subject: erratumId, description: `proposed against ${doc.baseRecordId}, now ${latest._id}` },
      ]);
    if (latest._id !== doc.baseRecordId) throw await this.refuseErratum(caller, refused, stale());

    const approvedAt = this.o.now();
    const revision = Math.max(...records.map((r) => r.revision)) + 1;
    const recordId = `${itemCode}:v${version}:r${revision}`;
    const approvedBy = actorDoc(caller);
    const entry: ErratumEntry = { ...erratumEntryOf(doc), status: 'approved', approvedBy, approvedAt, recordId };
    const event = newEvent(
      standardEvents.erratumApproved,
      { erratum: toErratum(entry), fieldCode: doc.fieldCode, actor: approvedBy, proposedBy: doc.proposedBy },
      { source: SOURCE, key: itemCode, topicNamespace: this.o.topicNamespace, time: approvedAt },
    );
    if ((await this.store.insertErratumApproval({ _id: recordId, erratumId, approvedBy, approvedAt, ...toOutboxFields(event) })) === 'exists') {
      throw await this.refuseErratum(caller, refused, stale()); // another erratum of this version was approved at the same moment
    }
    const record = {
      ...latest,
      _id: recordId,
      revision,
      recordedAt: approvedAt,
      item: doc.item,
      correctionOf: latest._id,
      correctionReason: doc.reason,
      errata: [...(latest.errata ?? []), entry],
    };
    const { aggregateId: _a, sequence: _s, ...rest } = record;
    await this.store.appendVersion(rest);
    await this.store.markErratumApproved(erratumId, approvedBy, approvedAt, recordId);
    this.o.logger.info({ itemCode, version, erratumId, proposedBy: doc.proposedBy.subject, approvedBy: caller.subject }, 'erratum approved');
    return { corrected: await this.toItemVersion(record, this.o.now()), erratum: toErratum(entry) };
  }

  async listErrata(itemCode: string): Promise<Erratum[]> {
    if (itemCode === '') throw new ValidationError([{ field: 'item_code', description: 'required' }]);
    if (!(await this.store.head(itemCode))) throw new NotFoundError('item', itemCode);
    return (await this.store.errataOf(itemCode)).map((d) => toErratum(erratumEntryOf(d)));
  }

  /** Puts a refused erratum action on record (who, what, why) through the outbox, and returns the error to throw. */
  private async refuseErratum(
    caller: Identity,
    what: { itemCode: string; version: number; erratumId: string; action: string },
    error: PlatformError,
    fields: readonly string[] = [],
  ): Promise<PlatformError> {
    const reason =
      error instanceof PermissionDeniedError
        ? error.reason
        : error instanceof ValidationError
          ? (error.violations[0]?.reason ?? 'NOT_WORDING')
          : error instanceof FailedPreconditionError
            ? (error.violations[0]?.type ?? error.code)
            : error.code;
    await this.store.outbox.append([
      newEvent(
        standardEvents.erratumRefused,
        {
          ...what,
          reason,
          message: error.message,
          fields: [...fields],
          actor: actorDoc(caller),
          attemptedAt: this.o.now(),
        },
        { source: SOURCE, key: what.itemCode, topicNamespace: this.o.topicNamespace },
      ),
    ]);
    this.o.logger.info({ ...what, by: caller.subject, reason }, 'erratum refused');
    return error;
  }
}

function actorDoc(caller: Identity): ActorDoc {
  return { subject: caller.subject, organisation: caller.organisation, roles: [...caller.roles] };
}

function erratumEntryOf(doc: ErratumEntry): ErratumEntry {
  return {
    erratumId: doc.erratumId,
    itemCode: doc.itemCode,
    version: doc.version,
    status: doc.status,
    changes: doc.changes.map((c) => ({ field: c.field, before: c.before, after: c.after })),
    reason: doc.reason,
    proposedBy: doc.proposedBy,
    proposedAt: doc.proposedAt,
    approvedBy: doc.approvedBy ?? null,
    approvedAt: doc.approvedAt ?? null,
    baseRecordId: doc.baseRecordId,
    recordId: doc.recordId ?? '',
  };
}

export function toErratum(e: ErratumEntry): Erratum {
  return {
    erratumId: e.erratumId,
    itemCode: e.itemCode,
    version: e.version,
    status: e.status,
    changes: e.changes.map((c) => ({ ...c })),
    reason: e.reason,
    proposedBy: { ...e.proposedBy, roles: [...e.proposedBy.roles] },
    proposedAt: e.proposedAt,
    approvedBy: e.approvedBy ? { ...e.approvedBy, roles: [...e.approvedBy.roles] } : undefined,
    approvedAt: e.approvedAt ?? undefined,
    baseRecordId: e.baseRecordId,
    recordId: e.recordId,
  };
}

function belowText(c: MetricComparison): string {
  return `${c.label || c.metric}: local ${c.localValue || '(none)'} ${c.unit} does not meet the national level ${c.nationalValue} ${c.unit}${c.basis ? ` (${c.basis})` : ''}`;
}

function toMonitoringCounts(c: StateCounts): MonitoringCounts {
  return {
    belowFloor: c.BELOW_FLOOR,
    refilingOverdue: c.REFILING_OVERDUE,
    notFiled: c.NOT_FILED,
    atFloor: c.AT_FLOOR,
    aboveFloor: c.ABOVE_FLOOR,
    blindlyHigh: c.BLINDLY_HIGH,
  };
}

function compareDates(a: DateMessage | undefined, b: DateMessage | undefined): number {
  const key = (d: DateMessage | undefined): number => (d ? d.year * 10_000 + d.month * 100 + d.day : 0);
  return key(a) - key(b);
}

export function toRelease(doc: ReleaseDoc): Release {
  return {
    releaseId: doc._id,
    kind: doc.kind,
    title: doc.title,
    effectiveFrom: toDateMessage(doc.effectiveFrom),
    publishedAt: doc.publishedAt,
    changeSetId: doc.changeSetId,
    provenance: doc.provenance ? Provenance.fromPartial(doc.provenance) : undefined,
    fieldCodes: doc.fieldCodes,
    itemVersions: doc.versions.map((v) => ({ itemCode: v.itemCode, version: v.version })),
  };
}

export { ChangeType, ReleaseKind };

function assertNever(x: never): never {
  throw new Error(`unexpected case: ${JSON.stringify(x)}`);
}
