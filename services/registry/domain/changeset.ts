// Deciding what an approved change set does: either every change applies to the version currently on record
// (and the release publishes the new versions), or nothing is applied and each conflict is named.
import type { ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import { ReleaseKind, type ChangeSet, type ItemChange, type ItemVersionRef } from '../../../proto/gen/bps/standards/v1/changes';
import { ChangeType, type ChangeConflict } from '../../../proto/gen/bps/standards/v1/events';
import type { FieldViolation } from '../../shared/errors/errors';
import { accepted, refused, type Decision } from '../../shared/domain/decider';
import { isDecimal } from '../../shared/standards/decimal';
import { loweredMetrics, metricLowered } from '../../shared/standards/metrics';
import { isViolation, parseDate, toDateMessage, type LocalDate } from './dates';
import { itemViolations } from './items';
import type { CurrentPackage, CurrentVersion, KnownTaxonomy, LineageEdge, PackageVersionDraft, ReleaseDraft, VersionDraft } from './model';

/**
 * What an approved change set leads to: its release is published, or it is rejected naming each conflict. Both are
 * facts the registry records and announces (bps.standard.version.published / bps.standard.changeset.rejected), so
 * both are events; only a change set that cannot be read at all (no id) is refused.
 */
export type ChangeSetEvent =
  { readonly type: 'ReleasePublished'; readonly release: ReleaseDraft } | { readonly type: 'ChangeSetRejected'; readonly conflicts: readonly ChangeConflict[] };

export function releaseIdFor(changeSetId: string): string {
  return `release-${changeSetId}`;
}

/** Item codes a change set reads (bases) or creates (targets); the adapter loads their latest versions. */
export function referencedItemCodes(changeSet: ChangeSet): string[] {
  const codes = new Set<string>();
  for (const c of changeSet.changes) {
    for (const ref of basesOf(c)) codes.add(ref.itemCode);
    for (const item of targetsOf(c)) codes.add(item.itemCode);
  }
  return [...codes];
}

/** Package codes a change set sets the level of; the adapter loads their latest versions. */
export function referencedPackageCodes(changeSet: ChangeSet): string[] {
  return [
    ...new Set(changeSet.changes.flatMap((c) => (c.change?.$case === 'setPackageLevel' ? [c.change.setPackageLevel.base?.packageCode ?? ''] : []))),
  ].filter((code) => code !== '');
}

function basesOf(change: ItemChange): ItemVersionRef[] {
  const c = change.change;
  if (!c) return [];
  switch (c.$case) {
    case 'addItem':
      return [];
    case 'modifyItem':
      return c.modifyItem.base ? [c.modifyItem.base] : [];
    case 'retireItem':
      return c.retireItem.base ? [c.retireItem.base] : [];
    case 'moveItem':
      return c.moveItem.base ? [c.moveItem.base] : [];
    case 'splitItem':
      return c.splitItem.base ? [c.splitItem.base] : [];
    case 'mergeItems':
      return c.mergeItems.bases;
    case 'setPackageLevel':
      return [];
    default:
      return assertNever(c);
  }
}

function targetsOf(change: ItemChange): ServiceItem[] {
  const c = change.change;
  if (!c) return [];
  switch (c.$case) {
    case 'addItem':
      return c.addItem.item ? [c.addItem.item] : [];
    case 'modifyItem':
      return c.modifyItem.item ? [c.modifyItem.item] : [];
    case 'retireItem':
      return [];
    case 'moveItem':
      return [];
    case 'splitItem':
      return c.splitItem.into;
    case 'mergeItems':
      return c.mergeItems.into ? [c.mergeItems.into] : [];
    case 'setPackageLevel':
      return [];
    default:
      return assertNever(c);
  }
}

/** Structural problems make the event unusable (dead letter); semantic ones are conflicts (rejection event). */
export function structuralViolations(changeSet: ChangeSet): FieldViolation[] {
  const v: FieldViolation[] = [];
  if (changeSet.changeSetId.trim() === '') v.push({ field: 'change_set.change_set_id', description: 'required' });
  return v;
}

/**
 * `current` holds the latest recorded version of every referenced item code that exists. Versions are a
 * single line per item, so a change must be based on the latest version (in force or already scheduled):
 * basing it on an older one would silently drop the newer change.
 */
export function decideChangeSet(
  changeSet: ChangeSet,
  current: ReadonlyMap<string, CurrentVersion>,
  taxonomy: KnownTaxonomy,
  packages: ReadonlyMap<string, CurrentPackage> = new Map(),
): Decision<ChangeSetEvent> {
  const structural = structuralViolations(changeSet);
  if (structural.length > 0) {
    return refused('INVALID_ARGUMENT', 'VALIDATION_FAILED', `invalid request: ${structural.map((v) => `${v.field}: ${v.description}`).join('; ')}`, structural);
  }

  const conflicts: ChangeConflict[] = [];
  const conflict = (itemCode: string, reason: string, baseVersion = 0): void => {
    conflicts.push({ itemCode, baseVersion, currentVersion: current.get(itemCode)?.version ?? 0, reason });
  };

  let effectiveFrom: LocalDate = '';
  if (!changeSet.effectiveFrom) conflict('', 'the change set has no effective date');
  else {
    const parsed = parseDate(changeSet.effectiveFrom, 'change_set.effective_from');
    if (isViolation(parsed)) conflict('', parsed.description);
    else effectiveFrom = parsed;
  }
  if (changeSet.kind !== ReleaseKind.RELEASE_KIND_EDITION && changeSet.kind !== ReleaseKind.RELEASE_KIND_AMENDMENT) {
    conflict('', 'the change set kind must be EDITION or AMENDMENT');
  }
  if (changeSet.changes.length === 0) conflict('', 'the change set has no changes');

  const touched = new Set<string>();
  const touch = (code: string): void => {
    if (touched.has(code)) conflict(code, 'the item is changed more than once in this change set');
    touched.add(code);
  };

  /** The base must be the latest version, not retired, and the new date must come after its date. */
  const checkBase = (ref: ItemVersionRef | undefined, changeId: string): CurrentVersion | undefined => {
    if (!ref || ref.itemCode === '') {
      conflict('', `change ${changeId}: no base item version`);
      return undefined;
    }
    touch(ref.itemCode);
    const now = current.get(ref.itemCode);
    if (!now) {
      conflict(ref.itemCode, `change ${changeId}: unknown item`, ref.version);
      return undefined;
    }
    if (now.version !== ref.version) {
      conflict(ref.itemCode, `change ${changeId}: made against version ${ref.version} but version ${now.version} is current (stale base)`, ref.version);
      return undefined;
    }
    if (now.retired) {
      conflict(ref.itemCode, `change ${changeId}: the item is retired`, ref.version);
      return undefined;
    }
    if (effectiveFrom !== '' && effectiveFrom <= now.effectiveFrom) {
      conflict(
        ref.itemCode,
        `change ${changeId}: effective date ${effectiveFrom} is not after that of version ${now.version} (${now.effectiveFrom})`,
        ref.version,
      );
      return undefined;
    }
    return now;
  };

  const checkContent = (item: ServiceItem | undefined, changeId: string, path: string): ServiceItem | undefined => {
    const problems = itemViolations(item, path, taxonomy);
    if (problems.length > 0 || !item) {
      conflict(item?.itemCode ?? '', `change ${changeId}: ${problems.map((p) => `${p.field}: ${p.description}`).join('; ')}`);
      return undefined;
    }
    return item;
  };

  /** A brand-new code must not exist yet (split/merge may reuse a base's own code). */
  const checkNewCode = (item: ServiceItem, changeId: string, allowed: readonly string[]): void => {
    if (allowed.includes(item.itemCode)) return;
    touch(item.itemCode);
    if (current.has(item.itemCode)) conflict(item.itemCode, `change ${changeId}: item code already exists`);
  };

  const versions: VersionDraft[] = [];
  const packageVersions: PackageVersionDraft[] = [];
  const lineage: LineageEdge[] = [];
  const next = (base: CurrentVersion | undefined): number => (base ? base.version + 1 : 1);

  for (const change of changeSet.changes) {
    const id = change.changeId || '?';
    const c = change.change;
    if (!c) {
      conflict('', `change ${id}: empty change`);
      continue;
    }
    switch (c.$case) {
      case 'addItem': {
        const item = checkContent(c.addItem.item, id, `changes[${id}].add_item.item`);
        if (!item) break;
        checkNewCode(item, id, []);
        versions.push({ itemCode: item.itemCode, version: 1, item, retired: false, changeType: ChangeType.CHANGE_TYPE_ADDED, lineageFrom: [] });
        break;
      }
      case 'modifyItem': {
        const base = checkBase(c.modifyItem.base, id);
        const item = checkContent(c.modifyItem.item, id, `changes[${id}].modify_item.item`);
        if (!base || !item) break;
        if (item.itemCode !== base.itemCode) {
          conflict(base.itemCode, `change ${id}: a modification cannot change the item code (use a split, merge or add)`, base.version);
          break;
        }
        const lowered = loweredMetrics(base.item, item);
        if (lowered.length > 0 && !c.modifyItem.lowersFloor) {
          conflict(base.itemCode, `change ${id}: lowers the national level of ${lowered.join(', ')} without declaring lowers_floor`, base.version);
          break;
        }
        if (c.modifyItem.lowersFloor && c.modifyItem.loweringJustification.trim() === '') {
          conflict(base.itemCode, `change ${id}: lowering a floor requires a justification`, base.version);
          break;
        }
        versions.push({ itemCode: item.itemCode, version: next(base), item, retired: false, changeType: ChangeType.CHANGE_TYPE_MODIFIED, lineageFrom: [] });
        break;
      }
      case 'retireItem': {
        const base = checkBase(c.retireItem.base, id);
        if (!base) break;
        versions.push({
          itemCode: base.itemCode,
          version: next(base),
          item: base.item,
          retired: true,
          changeType: ChangeType.CHANGE_TYPE_RETIRED,
          lineageFrom: [],
        });
        lineage.push({ from: base.itemCode, to: '', changeType: ChangeType.CHANGE_TYPE_RETIRED });
        break;
      }
      case 'moveItem': {
        const base = checkBase(c.moveItem.base, id);
        if (!base) break;
        const m = c.moveItem;
        const item: ServiceItem = {
          ...base.item,
          name: m.newName !== '' ? m.newName : base.item.name,
          fieldCode: m.newFieldCode !== '' ? m.newFieldCode : base.item.fieldCode,
          categoryCode: m.newCategoryCode !== '' ? m.newCategoryCode : base.item.categoryCode,
        };
        if (!checkContent(item, id, `changes[${id}].move_item`)) break;
        versions.push({
          itemCode: base.itemCode,
          version: next(base),
          item,
          retired: false,
          changeType: ChangeType.CHANGE_TYPE_MOVED,
          lineageFrom: [base.itemCode],
        });
        lineage.push({ from: base.itemCode, to: base.itemCode, changeType: ChangeType.CHANGE_TYPE_MOVED });
        break;
      }
      case 'splitItem': {
        const base = checkBase(c.splitItem.base, id);
        if (c.splitItem.into.length < 2) conflict(c.splitItem.base?.itemCode ?? '', `change ${id}: a split needs at least two resulting items`);
        const into = c.splitItem.into.map((item, i) => checkContent(item, id, `changes[${id}].split_item.into[${i}]`));
        if (!base || into.some((i) => !i) || c.splitItem.into.length < 2) break;
        let continues = false;
        for (const item of into as ServiceItem[]) {
          checkNewCode(item, id, [base.itemCode]);
          const keepsCode = item.itemCode === base.itemCode;
          continues ||= keepsCode;
          versions.push({
            itemCode: item.itemCode,
            version: keepsCode ? next(base) : 1,
            item,
            retired: false,
            changeType: ChangeType.CHANGE_TYPE_SPLIT,
            lineageFrom: [base.itemCode],
          });
          lineage.push({ from: base.itemCode, to: item.itemCode, changeType: ChangeType.CHANGE_TYPE_SPLIT });
        }
        if (!continues)
          versions.push({
            itemCode: base.itemCode,
            version: next(base),
            item: base.item,
            retired: true,
            changeType: ChangeType.CHANGE_TYPE_SPLIT,
            lineageFrom: [],
          });
        break;
      }
      case 'mergeItems': {
        const bases = c.mergeItems.bases.map((ref) => checkBase(ref, id));
        if (c.mergeItems.bases.length < 2) conflict(c.mergeItems.bases[0]?.itemCode ?? '', `change ${id}: a merge needs at least two items`);
        const into = checkContent(c.mergeItems.into, id, `changes[${id}].merge_items.into`);
        if (bases.some((b) => !b) || !into || c.mergeItems.bases.length < 2) break;
        const baseCodes = (bases as CurrentVersion[]).map((b) => b.itemCode);
        checkNewCode(into, id, baseCodes);
        const continued = (bases as CurrentVersion[]).find((b) => b.itemCode === into.itemCode);
        versions.push({
          itemCode: into.itemCode,
          version: next(continued),
          item: into,
          retired: false,
          changeType: ChangeType.CHANGE_TYPE_MERGED,
          lineageFrom: baseCodes,
        });
        for (const b of bases as CurrentVersion[]) {
          lineage.push({ from: b.itemCode, to: into.itemCode, changeType: ChangeType.CHANGE_TYPE_MERGED });
          if (b.itemCode !== into.itemCode) {
            versions.push({ itemCode: b.itemCode, version: next(b), item: b.item, retired: true, changeType: ChangeType.CHANGE_TYPE_MERGED, lineageFrom: [] });
          }
        }
        break;
      }
      case 'setPackageLevel': {
        // Issue #17: a package level is versioned like an item (one line, latest base, later date); lowering it
        // needs lowers_level and a justification, as for an item's floor.
        const p = c.setPackageLevel;
        const code = p.base?.packageCode ?? '';
        if (code === '') {
          conflict('', `change ${id}: no base package level`);
          break;
        }
        touch(`package:${code}`);
        const now = packages.get(code);
        if (!now) {
          conflict(code, `change ${id}: unknown package ${code}`, p.base?.version ?? 0);
          break;
        }
        if (now.version !== p.base?.version) {
          conflict(
            code,
            `change ${id}: made against package version ${p.base?.version ?? 0} but version ${now.version} is current (stale base)`,
            p.base?.version,
          );
          break;
        }
        if (effectiveFrom !== '' && effectiveFrom <= now.effectiveFrom) {
          conflict(
            code,
            `change ${id}: effective date ${effectiveFrom} is not after that of package version ${now.version} (${now.effectiveFrom})`,
            now.version,
          );
          break;
        }
        const before = now.level.metric;
        if (!before || !isDecimal(p.value)) {
          conflict(code, `change ${id}: package level "${p.value}" is not a decimal`, now.version);
          break;
        }
        const after = { ...before, value: p.value };
        if (metricLowered(before, after) && !p.lowersLevel) {
          conflict(code, `change ${id}: lowers the level of package ${code} (${before.value} → ${p.value}) without declaring lowers_level`, now.version);
          break;
        }
        if (p.lowersLevel && p.loweringJustification.trim() === '') {
          conflict(code, `change ${id}: lowering a package level requires a justification`, now.version);
          break;
        }
        packageVersions.push({
          packageCode: code,
          version: now.version + 1,
          level: {
            ...now.level,
            metric: after,
            asOf: effectiveFrom === '' ? undefined : toDateMessage(effectiveFrom),
            source: `${changeSet.title}${changeSet.provenance?.proposalIds.length ? `（${changeSet.provenance.proposalIds.join('、')}）` : ''}`,
          },
        });
        break;
      }
      default:
        assertNever(c);
    }
  }

  if (conflicts.length > 0) return accepted({ type: 'ChangeSetRejected', conflicts });
  const fieldCodes =
    changeSet.fieldCodes.length > 0
      ? [...changeSet.fieldCodes]
      : [...new Set([...versions.map((v) => v.item.fieldCode), ...packageVersions.map((p) => p.level.fieldCode)])];
  return accepted({
    type: 'ReleasePublished',
    release: {
      releaseId: releaseIdFor(changeSet.changeSetId),
      changeSetId: changeSet.changeSetId,
      kind: changeSet.kind,
      title: changeSet.title,
      effectiveFrom,
      fieldCodes,
      provenance: changeSet.provenance,
      versions,
      lineage,
      packageVersions,
    },
  });
}

export function assertNever(x: never): never {
  throw new Error(`unexpected case: ${JSON.stringify(x)}`);
}
