// Publication: recording releases (seed or approved change sets) with their version.published event, projecting
// them into the item timelines, lineage, the due list and the floor checks, applying approved change sets
// (domain/changeset.ts decides), firing version.effective when a release's date arrives, and seeding.
import { newEvent } from '../../shared/kafka/kafka';
import { toHeldOutboxFields, toOutboxFields } from '../../shared/mongo/outbox';
import { standardEvents } from '../../shared/events/standards';
import { ValidationError, ruleRefusalError } from '../../shared/errors/errors';
import { addDays, formatIsoDate, todayInChina } from '../../shared/standards/china-date';
import { PackageLevel } from '../../../proto/gen/bps/common/v1/common';
import type { ChangeSet } from '../../../proto/gen/bps/standards/v1/changes';
import type { SignedDecision } from '../../../proto/gen/bps/standards/v1/events';
import { decideChangeSet, referencedItemCodes, referencedPackageCodes, releaseIdFor, type ChangeSetEvent } from '../domain/changeset';
import { toDateMessage } from '../domain/dates';
import { compareMetrics, nationalMetrics } from '../domain/filing';
import type { CurrentPackage, CurrentVersion, ReleaseDraft } from '../domain/model';
import { baselineRelease, knownTaxonomy, seedPackageLevels, taxonomyHistory } from '../seed/baseline';
import { assertNever, SOURCE, type Catalogue, type RegistrySettings } from './catalogue';
import type { CatalogueReader, DueList, FilingRecords, ReleaseLog, SeedRecords } from './ports';
import type { ReleaseDoc } from './records';

export class Publication {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly records: CatalogueReader & ReleaseLog & DueList & FilingRecords & SeedRecords,
    private readonly settings: RegistrySettings,
    /** Asks national monitoring for a pass (a national change may move provinces' states). */
    private readonly monitorSoon: () => void,
  ) {}

  // ---- seeding -------------------------------------------------------------------------------------------

  /** Loads the seeds into an empty database (idempotent: existing documents are left as they are). */
  async seed(): Promise<void> {
    const recordedAt = this.settings.now();
    for (const t of taxonomyHistory) await this.records.recordTaxonomy({ _id: t.taxonomyId, ...t, recordedAt });
    this.catalogue.forgetTaxonomies();
    await this.recordRelease(baselineRelease());
    // Package levels (issue #17) are seeded on their own, so a database seeded before they existed gets them too.
    for (const p of seedPackageLevels()) {
      const level = p.level;
      if (!level || !p.effectiveFrom) continue;
      await this.records.appendPackageVersion({
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

  /**
   * Records a release once (its document is the commit point; it holds version.published), then projects it. The
   * event is let go once the item logs hold the new versions: a downstream system that reads the registry on it
   * finds them.
   */
  async recordRelease(draft: ReleaseDraft, decision?: SignedDecision): Promise<ReleaseDoc> {
    const publishedAt = this.settings.now();
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
      ...toHeldOutboxFields(
        newEvent(standardEvents.versionPublished, payload, {
          source: SOURCE,
          key: draft.releaseId,
          topicNamespace: this.settings.topicNamespace,
          time: publishedAt,
        }),
      ),
    };
    const result = await this.records.insertRelease(doc);
    const stored = result === 'inserted' ? doc : await this.records.release(draft.releaseId);
    if (!stored) throw new Error(`release ${draft.releaseId} vanished`);
    if (!stored.projected) await this.project(stored);
    return stored;
  }

  /** Projects a recorded release into the item logs, lineage, due list and floor checks. Idempotent. */
  async project(release: ReleaseDoc): Promise<void> {
    for (const v of release.versions) {
      await this.records.appendVersion({
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
      await this.records.appendPackageVersion({
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
      await this.records.addLineage({
        _id: `${release._id}:${l.from}->${l.to}`,
        from: l.from,
        to: l.to,
        changeType: l.changeType,
        releaseId: release._id,
        effectiveFrom: release.effectiveFrom,
      });
    }
    // Announced once readable, and before its version.effective can fall due or its floor breaches are told.
    await this.records.releaseAnnouncement(release._id);
    await this.records.scheduleEffective(release._id, release.effectiveFrom);
    await this.checkFloorsAfter(release);
    await this.records.markProjected(release._id);
    if (release.versions.some((v) => v.version > 1)) this.monitorSoon(); // a national change may move provinces' states
  }

  /** Finishes projections a crash interrupted. */
  async projectPending(): Promise<void> {
    for (const r of await this.records.unprojectedReleases()) await this.project(r);
  }

  /** After a national change, every province whose latest filing no longer meets the new level must re-file. */
  private async checkFloorsAfter(release: ReleaseDoc): Promise<void> {
    const now = this.settings.now;
    const classify = (await this.catalogue.classifiers(now()))(release.effectiveFrom);
    for (const v of release.versions) {
      if (v.retired || v.version === 1) continue;
      const metrics = nationalMetrics(v.item);
      if (metrics.length === 0) continue;
      for (const filing of await this.records.latestFilingsForItem(v.itemCode)) {
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
            refileDeadline: toDateMessage(addDays(release.effectiveFrom, this.settings.refileDays)),
            fieldCode: classify(v.item).item.fieldCode,
          });
          const event = newEvent(standardEvents.floorBreached, payload, {
            source: SOURCE,
            key: `${filing.provinceCode}:${v.itemCode}`,
            topicNamespace: this.settings.topicNamespace,
            time: now(),
          });
          await this.records.recordBreach({
            _id: `${release._id}:${filing.provinceCode}:${v.itemCode}:${failing.metric}`,
            releaseId: release._id,
            provinceCode: filing.provinceCode,
            itemCode: v.itemCode,
            metric: failing.metric,
            filingId: filing._id,
            recordedAt: now(),
            ...toOutboxFields(event),
          });
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
    const recorded = await this.records.release(releaseIdFor(changeSet.changeSetId));
    if (recorded) {
      // A redelivery after a failure mid-projection finishes the projection (start-up does the same for crashes).
      if (!recorded.projected) await this.project(recorded);
      return 'duplicate';
    }
    if (await this.records.hasRejection(changeSet.changeSetId)) return 'duplicate';

    const current = new Map<string, CurrentVersion>();
    for (const code of referencedItemCodes(changeSet)) {
      const latest = await this.records.latestVersion(code);
      if (latest)
        current.set(code, { itemCode: code, version: latest.version, effectiveFrom: latest.effectiveFrom, retired: latest.retired, item: latest.item });
    }
    const packages = new Map<string, CurrentPackage>();
    for (const code of referencedPackageCodes(changeSet)) {
      const latest = (await this.records.packageVersions(code)).at(-1);
      if (latest) packages.set(code, { packageCode: code, version: latest.version, effectiveFrom: latest.effectiveFrom, level: latest.level });
    }
    const decision = decideChangeSet(changeSet, current, knownTaxonomy, packages);
    if (!decision.ok) throw ruleRefusalError(decision.refusal, changeSet.changeSetId, 'change_set');
    let outcome: 'published' | 'rejected' = 'published';
    for (const event of decision.events) outcome = await this.record(changeSet, event, signed);
    return outcome;
  }

  private async record(changeSet: ChangeSet, event: ChangeSetEvent, signed: SignedDecision | undefined): Promise<'published' | 'rejected'> {
    switch (event.type) {
      case 'ReleasePublished':
        await this.recordRelease(event.release, signed);
        this.settings.logger.info(
          { changeSetId: changeSet.changeSetId, releaseId: event.release.releaseId, versions: event.release.versions.length },
          'change set published',
        );
        return 'published';
      case 'ChangeSetRejected': {
        const payload = standardEvents.changeSetRejected.codec.fromPartial({
          changeSetId: changeSet.changeSetId,
          conflicts: [...event.conflicts],
          provenance: changeSet.provenance,
        });
        const rejected = newEvent(standardEvents.changeSetRejected, payload, {
          source: SOURCE,
          key: changeSet.changeSetId,
          topicNamespace: this.settings.topicNamespace,
          time: this.settings.now(),
        });
        await this.records.recordRejection({
          _id: changeSet.changeSetId,
          conflicts: [...event.conflicts],
          recordedAt: this.settings.now(),
          ...toOutboxFields(rejected),
        });
        this.settings.logger.warn({ changeSetId: changeSet.changeSetId, conflicts: event.conflicts }, 'change set rejected');
        return 'rejected';
      }
      default:
        return assertNever(event);
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
    const now = this.settings.now();
    const today = todayInChina(now);
    const staleClaim = new Date(now.getTime() - claimLeaseMs);
    const due = await this.records.due(today, staleClaim, 100);
    let fired = 0;
    for (const entry of due) {
      if (!(await this.records.claim(entry, now, schedulerId))) continue; // someone else has it
      const release = await this.records.release(entry._id);
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
          topicNamespace: this.settings.topicNamespace,
          time: now,
        });
        await this.records.recordEffective(release._id, toOutboxFields(event));
        fired++;
      }
      await this.records.markFired(entry._id, schedulerId, now);
    }
    return fired;
  }
}
