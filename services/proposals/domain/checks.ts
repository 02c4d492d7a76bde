// Checks that need the registry's view of the items a proposal touches (passed in, so they stay pure):
// who may draft, whether the content may be submitted, and how to rebase stale bases.
import { Comparator, type PackageLevel, type ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import { ProposalKind, type FiscalEstimate, type ProposalContent } from '../../../proto/gen/bps/proposals/v1/proposal';
import type { RebasedItem } from '../../../proto/gen/bps/proposals/v1/events';
import type { ItemVersionRef, PackageVersionRef } from '../../../proto/gen/bps/standards/v1/changes';
import { PermissionDeniedError, ValidationError, type PreconditionViolation } from '../../shared/errors/errors';
import { metricLowered } from '../../shared/standards/metrics';
import { packageRef, touchedItems } from './items';

/** The registry's item as in force today; null when the registry does not know the code. */
export type RegistryItem = { readonly version: number; readonly retired: boolean; readonly item: ServiceItem };
export type RegistryView = ReadonlyMap<string, RegistryItem | null>;
/** The latest version of each package level the registry knows (issue #17), by package code. */
export type RegistryPackage = { readonly version: number; readonly level: PackageLevel };
export type PackageView = ReadonlyMap<string, RegistryPackage>;

export type Drafter = { readonly organisation: string; readonly roles: readonly string[] };

/** NDRC and MOF co-propose every adjustment (000 §二十二: 由各行业主管部门会同发展改革、财政等部门). */
export const coProposerCodes = ['NDRC', 'MOF'] as const;

export function coProposersFor(leadMinistry: string): string[] {
  return coProposerCodes.filter((c) => c !== leadMinistry);
}

/** Codes the registry must be asked about: every base, and every item the proposal creates (must not exist). */
export function registryCodesOf(content: ProposalContent): string[] {
  return [...new Set(content.changes.flatMap((c) => touchedItems(c).all))];
}

/**
 * Only ministry staff of the lead unit of every touched item may draft (new items must name the drafter's ministry
 * as lead unit). Unknown bases are bad input, not a permission matter.
 */
export function assertMayDraft(drafter: Drafter, content: ProposalContent, registry: RegistryView, packages: PackageView = new Map()): void {
  if (!drafter.roles.includes('ministry-staff')) throw new PermissionDeniedError('drafting a proposal requires role ministry-staff', 'MISSING_ROLE');
  const unknown: { field: string; description: string }[] = [];
  const foreign: string[] = [];
  content.changes.forEach((c, i) => {
    const touched = touchedItems(c);
    for (const base of touched.based) {
      const current = registry.get(base.itemCode);
      if (!current) {
        unknown.push({ field: `content.changes[${i}]`, description: `item ${base.itemCode} is not in the registry` });
        continue;
      }
      const lead = current.item.leadUnit?.code ?? '';
      if (lead !== drafter.organisation) foreign.push(`${base.itemCode} (lead unit ${lead || 'not stated'})`);
    }
    for (const item of touched.created) {
      const lead = item.leadUnit?.code ?? '';
      if (lead !== drafter.organisation) foreign.push(`new item ${item.itemCode} (lead unit ${lead || 'not stated'})`);
    }
    const pkg = packageRef(c);
    if (pkg) {
      const current = packages.get(pkg.packageCode);
      if (!current)
        unknown.push({ field: `content.changes[${i}].set_package_level.base.package_code`, description: `package ${pkg.packageCode} is not in the registry` });
      else {
        const lead = current.level.leadUnit?.code ?? '';
        if (lead !== drafter.organisation) foreign.push(`package ${pkg.packageCode} (lead unit ${lead || 'not stated'})`);
      }
    }
  });
  if (unknown.length > 0) throw new ValidationError(unknown);
  if (foreign.length > 0) {
    throw new PermissionDeniedError(
      `only staff of the lead unit may draft for an item; ${drafter.organisation} does not lead ${foreign.join(', ')}`,
      'NOT_LEAD_UNIT',
    );
  }
}

/** Fields the proposal touches: of the current items, of new items, and move targets. */
export function fieldCodesOf(content: ProposalContent, registry: RegistryView, packages: PackageView = new Map()): string[] {
  const codes = content.changes.flatMap((c) => {
    const pkg = packageRef(c);
    if (pkg) return [packages.get(pkg.packageCode)?.level.fieldCode ?? ''];
    const touched = touchedItems(c);
    const fromBases = touched.based.map((b) => registry.get(b.itemCode)?.item.fieldCode ?? '');
    const fromNew = touched.created.map((i) => i.fieldCode);
    const moved = c.change?.$case === 'moveItem' ? [c.change.moveItem.newFieldCode] : [];
    return [...fromBases, ...fromNew, ...moved];
  });
  return [...new Set(codes.filter((c) => c !== ''))].sort();
}

/** Submission checks against the registry: stale bases, retired or unknown items, existing codes, lowered floors. */
export function registryViolations(content: ProposalContent, registry: RegistryView, packages: PackageView = new Map()): PreconditionViolation[] {
  const violations: PreconditionViolation[] = [];
  const stale: string[] = [];
  for (const c of content.changes) {
    if (c.change?.$case === 'setPackageLevel') violations.push(...packageViolations(c.changeId, c.change.setPackageLevel, packages));
    const touched = touchedItems(c);
    for (const base of touched.based) {
      const current = registry.get(base.itemCode);
      if (!current) {
        violations.push({ type: 'UNKNOWN_ITEM', subject: base.itemCode, description: `${c.changeId}: item ${base.itemCode} is not in the registry` });
      } else if (current.retired) {
        violations.push({
          type: 'RETIRED_ITEM',
          subject: base.itemCode,
          description: `${c.changeId}: item ${base.itemCode} is retired and must not be referenced`,
        });
      } else if (current.version !== base.version) {
        stale.push(base.itemCode);
        violations.push({
          type: 'STALE_BASE',
          subject: base.itemCode,
          description: `${c.changeId}: made against version ${base.version} but version ${current.version} is in force; rebase the proposal`,
        });
      }
    }
    for (const item of touched.created) {
      const existing = registry.get(item.itemCode);
      if (existing) {
        violations.push({
          type: existing.retired ? 'RETIRED_ITEM' : 'ITEM_EXISTS',
          subject: item.itemCode,
          description: `${c.changeId}: item code ${item.itemCode} is already used${existing.retired ? ' by a retired item' : ''}`,
        });
      }
    }
    if (c.change?.$case === 'modifyItem') {
      const m = c.change.modifyItem;
      const current = m.base ? registry.get(m.base.itemCode) : undefined;
      if (!current || !m.item || m.lowersFloor) continue;
      for (const floor of current.item.qualityStandard?.metrics ?? []) {
        const proposed = m.item.qualityStandard?.metrics.find((p) => p.metric === floor.metric);
        if (!metricLowered(floor, proposed)) continue;
        if (!proposed) {
          violations.push({
            type: 'BELOW_FLOOR',
            subject: m.item.itemCode,
            description: `${c.changeId}: drops metric ${floor.metric} (now ${floor.value} ${floor.unit}) without lowers_floor and a justification`,
          });
        } else if (proposed.unit !== floor.unit || proposed.comparator !== floor.comparator) {
          violations.push({
            type: 'BELOW_FLOOR',
            subject: m.item.itemCode,
            description: `${c.changeId}: ${floor.metric} changes its unit or comparator, so it can no longer be compared with the national level ${floor.value} ${floor.unit}; set lowers_floor with a justification`,
          });
        } else if (floor.comparator === Comparator.COMPARATOR_EQ) {
          violations.push({
            type: 'BELOW_FLOOR',
            subject: m.item.itemCode,
            description: `${c.changeId}: ${floor.metric} ${proposed.value} ${proposed.unit} changes the exact national level ${floor.value} ${floor.unit}; set lowers_floor with a justification`,
          });
        } else {
          violations.push({
            type: 'BELOW_FLOOR',
            subject: m.item.itemCode,
            description: `${c.changeId}: ${floor.metric} ${proposed.value} ${proposed.unit} is below the national floor ${floor.value} ${floor.unit}; set lowers_floor with a justification`,
          });
        }
      }
    }
  }
  if (content.kind === ProposalKind.PROPOSAL_KIND_AD_HOC) {
    const fields = fieldCodesOf(content, registry, packages);
    if (fields.length > 1)
      violations.push({ type: 'FIELD_SCOPE', subject: fields.join(','), description: 'an ad-hoc revision adjusts one field; split the proposal per field' });
  }
  return violations;
}

/** A package level change against the registry: unknown or stale base, a lowered level without lowers_level (as for items). */
function packageViolations(
  changeId: string,
  p: { base?: PackageVersionRef | undefined; value: string; lowersLevel: boolean },
  packages: PackageView,
): PreconditionViolation[] {
  const code = p.base?.packageCode ?? '';
  const current = packages.get(code);
  if (!current) return [{ type: 'UNKNOWN_PACKAGE', subject: code, description: `${changeId}: package ${code} is not in the registry` }];
  const out: PreconditionViolation[] = [];
  if (current.version !== p.base?.version)
    out.push({
      type: 'STALE_BASE',
      subject: code,
      description: `${changeId}: made against package version ${p.base?.version ?? 0} but version ${current.version} is in force; rebase the proposal`,
    });
  const floor = current.level.metric;
  if (floor && !p.lowersLevel && metricLowered(floor, { ...floor, value: p.value }))
    out.push({
      type: 'BELOW_FLOOR',
      subject: code,
      description: `${changeId}: ${p.value} ${floor.unit} is below the level of package ${code} in force (${floor.value} ${floor.unit}); set lowers_level with a justification`,
    });
  return out;
}

/** What a submission needs beyond well-formedness: the five factors, survey and evaluation, a complete estimate. */
export function completenessViolations(content: ProposalContent, estimate: FiscalEstimate): PreconditionViolation[] {
  const violations: PreconditionViolation[] = [];
  const missing = (subject: string, description: string): void => {
    violations.push({ type: 'INCOMPLETE', subject, description });
  };
  const j = content.justification;
  const factors = [
    ['economic_social_development', j?.economicSocialDevelopment, '经济社会发展水平'],
    ['urban_rural_income_growth', j?.urbanRuralIncomeGrowth, '城乡居民收入增长情况'],
    ['sector_needs', j?.sectorNeeds, '行业发展实际需要'],
    ['fiscal_capacity', j?.fiscalCapacity, '财政保障能力'],
    ['technical_innovation', j?.technicalInnovation, '重大技术创新应用'],
  ] as const;
  for (const [name, value, label] of factors) {
    if (!value?.trim()) missing(`content.justification.${name}`, `the justification must address ${label}`);
  }
  if (!j?.demandSurvey?.summary.trim() || j.demandSurvey.documents.length === 0)
    missing('content.justification.demand_survey', 'a demand survey summary with its documents is required (需求调查)');
  if (!j?.evaluation?.summary.trim()) missing('content.justification.evaluation', 'the evaluation results relied on are required (评价评估)');
  if (!content.fiscal?.affordabilityAssessment.trim())
    missing('content.fiscal.affordability_assessment', 'a fiscal affordability assessment is required (财政承受能力评估)');
  for (const problem of estimate.problems) missing('content.fiscal', problem);
  return violations;
}

/** Moves every stale base onto the version in force; the rest of the content is left as the proposer wrote it. */
export function rebaseContent(
  content: ProposalContent,
  registry: RegistryView,
  packages: PackageView = new Map(),
): { content: ProposalContent; moved: RebasedItem[] } {
  const moved = new Map<string, RebasedItem>();
  const rebase = (ref: ItemVersionRef): ItemVersionRef => {
    const current = registry.get(ref.itemCode);
    if (!current || current.retired || current.version === ref.version) return ref;
    moved.set(ref.itemCode, { itemCode: ref.itemCode, fromVersion: ref.version, toVersion: current.version });
    return { ...ref, version: current.version };
  };
  const changes = content.changes.map((c) => {
    const change = c.change;
    if (!change) return c;
    switch (change.$case) {
      case 'addItem':
        return c;
      case 'modifyItem':
        return { ...c, change: { ...change, modifyItem: { ...change.modifyItem, base: change.modifyItem.base && rebase(change.modifyItem.base) } } };
      case 'retireItem':
        return { ...c, change: { ...change, retireItem: { ...change.retireItem, base: change.retireItem.base && rebase(change.retireItem.base) } } };
      case 'moveItem':
        return { ...c, change: { ...change, moveItem: { ...change.moveItem, base: change.moveItem.base && rebase(change.moveItem.base) } } };
      case 'splitItem':
        return { ...c, change: { ...change, splitItem: { ...change.splitItem, base: change.splitItem.base && rebase(change.splitItem.base) } } };
      case 'mergeItems':
        return { ...c, change: { ...change, mergeItems: { ...change.mergeItems, bases: change.mergeItems.bases.map(rebase) } } };
      case 'setPackageLevel': {
        const base = change.setPackageLevel.base;
        const current = base ? packages.get(base.packageCode) : undefined;
        if (!base || !current || current.version === base.version) return c;
        moved.set(`package:${base.packageCode}`, { itemCode: base.packageCode, fromVersion: base.version, toVersion: current.version });
        return { ...c, change: { ...change, setPackageLevel: { ...change.setPackageLevel, base: { ...base, version: current.version } } } };
      }
      default: {
        const never: never = change;
        throw new Error(`unknown change ${String(never)}`);
      }
    }
  });
  return { content: { ...content, changes }, moved: [...moved.values()] };
}
