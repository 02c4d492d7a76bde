// Well-formedness of what a proposer sends (INVALID_ARGUMENT with one field violation per problem). Whether the
// content may be submitted (complete, consistent with the registry) is checked separately, in checks.ts.
import {
  Comparator,
  ExpenditureKind,
  RegionTier,
  type DateMessage,
  type DocumentReference,
  type QualityStandard,
  type ServiceItem,
} from '../../../proto/gen/bps/common/v1/common';
import type { ItemVersionRef } from '../../../proto/gen/bps/standards/v1/changes';
import { AdHocTrigger, ProposalKind, type FiscalAssumptions, type ProposalContent } from '../../../proto/gen/bps/proposals/v1/proposal';
import type { FieldViolation } from '../../shared/errors/errors';
import { isDecimal, parseInt64, scaleDecimal } from '../../shared/standards/decimal';
import { packageRef, touchedItems } from './items';

type Sink = (field: string, description: string) => void;

const MAX_TEXT = 20_000;
const MAX_CHANGES = 200;
const MAX_YEARS = 10;
/** More than everyone in China: a covered population above this is a typo. */
const MAX_POPULATION = 2_000_000_000n;
const digestLength: Readonly<Record<string, number>> = { sha256: 64, sm3: 64 };

export function isValidDate(date: DateMessage | undefined): date is DateMessage {
  if (!date) return false;
  const { year, month, day } = date;
  if (year < 1949 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function checkText(add: Sink, field: string, value: string, required: boolean, max = MAX_TEXT): void {
  if (required && value.trim() === '') add(field, 'must not be empty');
  if (value.length > max) add(field, `must be at most ${max} characters`);
}

function checkDocument(add: Sink, field: string, doc: DocumentReference): void {
  checkText(add, `${field}.title`, doc.title, true, 500);
  checkText(add, `${field}.uri`, doc.uri, true, 2000);
  const length = digestLength[doc.digestAlgorithm];
  if (length === undefined) add(`${field}.digest_algorithm`, 'must be "sha256" or "sm3"');
  else if (!new RegExp(`^[0-9a-f]{${length}}$`).test(doc.digest))
    add(`${field}.digest`, `must be the ${length}-hex-digit lower-case ${doc.digestAlgorithm} digest of the document`);
}

function checkRef(add: Sink, field: string, ref: ItemVersionRef | undefined): void {
  if (!ref) return add(field, 'must name the item version the change was made against');
  checkText(add, `${field}.item_code`, ref.itemCode, true, 64);
  if (ref.version < 1) add(`${field}.version`, 'must be a registry version number (1 or more)');
}

function checkQuality(add: Sink, field: string, quality: QualityStandard | undefined): void {
  if (!quality) return;
  const seen = new Set<string>();
  quality.metrics.forEach((m, i) => {
    const f = `${field}.metrics[${i}]`;
    checkText(add, `${f}.metric`, m.metric, true, 100);
    if (seen.has(m.metric)) add(`${f}.metric`, `metric "${m.metric}" appears twice`);
    seen.add(m.metric);
    if (m.comparator === Comparator.COMPARATOR_UNSPECIFIED || !(m.comparator in Comparator)) add(`${f}.comparator`, 'must be GTE, LTE or EQ');
    if (!isDecimal(m.value)) add(`${f}.value`, 'must be a decimal number, e.g. "40" or "95.5"');
    checkText(add, `${f}.unit`, m.unit, true, 50);
  });
}

function checkItem(add: Sink, field: string, item: ServiceItem | undefined): void {
  if (!item) return add(field, 'must give the item as it shall read');
  checkText(add, `${field}.item_code`, item.itemCode, true, 64);
  checkText(add, `${field}.name`, item.name, true, 200);
  checkQuality(add, `${field}.quality_standard`, item.qualityStandard);
  const responsibility = item.expenditureResponsibility;
  if (responsibility) {
    if (!(responsibility.kind in ExpenditureKind)) add(`${field}.expenditure_responsibility.kind`, 'unknown expenditure kind');
    checkShares(add, `${field}.expenditure_responsibility.central_shares`, responsibility.centralShares);
  }
}

function checkShares(add: Sink, field: string, shares: readonly { regionTier: RegionTier; percent: string }[]): void {
  const seen = new Set<RegionTier>();
  shares.forEach((s, i) => {
    if (s.regionTier === RegionTier.REGION_TIER_UNSPECIFIED || !(s.regionTier in RegionTier))
      add(`${field}[${i}].region_tier`, 'must be EAST, CENTRAL or WEST');
    if (seen.has(s.regionTier)) add(`${field}[${i}].region_tier`, 'appears twice');
    seen.add(s.regionTier);
    const bp = scaleDecimal(s.percent, 2);
    if (bp === undefined || bp < 0n || bp > 10_000n) add(`${field}[${i}].percent`, 'must be a percentage between 0 and 100 (at most 2 decimals)');
  });
}

function checkFiscal(add: Sink, field: string, fiscal: FiscalAssumptions, content: ProposalContent): void {
  if (fiscal.years < 0 || fiscal.years > MAX_YEARS) add(`${field}.years`, `must be between 1 and ${MAX_YEARS}`);
  checkText(add, `${field}.affordability_assessment`, fiscal.affordabilityAssessment, false);
  const costable = new Set(
    content.changes
      .filter((c) => c.change?.$case === 'addItem' || c.change?.$case === 'modifyItem' || c.change?.$case === 'setPackageLevel')
      .map((c) => c.changeId),
  );
  const seen = new Set<string>();
  fiscal.lines.forEach((line, i) => {
    const f = `${field}.lines[${i}]`;
    if (!costable.has(line.changeId)) add(`${f}.change_id`, 'must name an add_item, modify_item or set_package_level change of this proposal');
    if (seen.has(line.changeId)) add(`${f}.change_id`, 'has a fiscal line already');
    seen.add(line.changeId);
    const tiers = new Set<RegionTier>();
    line.populations.forEach((p, j) => {
      if (p.regionTier === RegionTier.REGION_TIER_UNSPECIFIED || !(p.regionTier in RegionTier))
        add(`${f}.populations[${j}].region_tier`, 'must be EAST, CENTRAL or WEST');
      if (tiers.has(p.regionTier)) add(`${f}.populations[${j}].region_tier`, 'appears twice');
      tiers.add(p.regionTier);
      const n = parseInt64(p.coveredPopulation);
      if (n === undefined || n < 0n || n > MAX_POPULATION)
        add(`${f}.populations[${j}].covered_population`, `must be a whole number of people between 0 and ${MAX_POPULATION}`);
    });
    checkShares(add, `${f}.central_shares`, line.centralShares);
    if (line.override) {
      const fen = parseInt64(line.override.annualFen);
      if (fen === undefined || fen < 0n) add(`${f}.override.annual_fen`, 'must be a non-negative amount in fen');
      checkText(add, `${f}.override.reason`, line.override.reason, true);
    }
  });
}

/** Every problem with the content, as field violations under `prefix` (e.g. "content"). */
export function contentViolations(content: ProposalContent | undefined, prefix = 'content'): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const add: Sink = (field, description) => violations.push({ field, description });
  if (!content) {
    add(prefix, 'is required');
    return violations;
  }
  checkText(add, `${prefix}.title`, content.title, true, 300);
  switch (content.kind) {
    case ProposalKind.PROPOSAL_KIND_UNIFIED:
      checkText(add, `${prefix}.cycle_id`, content.cycleId, true, 100);
      if (content.trigger !== AdHocTrigger.AD_HOC_TRIGGER_UNSPECIFIED) add(`${prefix}.trigger`, 'only an ad-hoc revision has a trigger');
      break;
    case ProposalKind.PROPOSAL_KIND_AD_HOC:
      if (content.cycleId !== '') add(`${prefix}.cycle_id`, 'only a unified revision belongs to a cycle');
      if (content.trigger === AdHocTrigger.AD_HOC_TRIGGER_UNSPECIFIED || !(content.trigger in AdHocTrigger))
        add(`${prefix}.trigger`, 'must be MAJOR_POLICY, MID_TERM_EVALUATION or CENTRAL_DECISION');
      if (!content.triggerDocument) add(`${prefix}.trigger_document`, 'an ad-hoc revision must cite the document that triggered it');
      break;
    default:
      add(`${prefix}.kind`, 'must be UNIFIED or AD_HOC');
  }
  if (content.triggerDocument) checkDocument(add, `${prefix}.trigger_document`, content.triggerDocument);
  if (!isValidDate(content.effectiveFrom)) add(`${prefix}.effective_from`, 'must be a calendar date');

  if (content.changes.length === 0) add(`${prefix}.changes`, 'must contain at least one change');
  if (content.changes.length > MAX_CHANGES) add(`${prefix}.changes`, `must contain at most ${MAX_CHANGES} changes`);
  const ids = new Set<string>();
  content.changes.forEach((c, i) => {
    const f = `${prefix}.changes[${i}]`;
    checkText(add, `${f}.change_id`, c.changeId, true, 64);
    if (ids.has(c.changeId)) add(`${f}.change_id`, `"${c.changeId}" is used twice`);
    ids.add(c.changeId);
    const change = c.change;
    if (!change) return add(f, 'must be one of add_item, modify_item, retire_item, move_item, split_item, merge_items, set_package_level');
    switch (change.$case) {
      case 'addItem':
        checkItem(add, `${f}.add_item.item`, change.addItem.item);
        break;
      case 'modifyItem': {
        const m = change.modifyItem;
        checkRef(add, `${f}.modify_item.base`, m.base);
        checkItem(add, `${f}.modify_item.item`, m.item);
        if (m.base && m.item && m.item.itemCode !== m.base.itemCode)
          add(`${f}.modify_item.item.item_code`, 'must equal base.item_code (renames are move_item changes)');
        if (m.loweringJustification !== '' && !m.lowersFloor)
          add(`${f}.modify_item.lowering_justification`, 'only a change that lowers the floor carries a lowering justification');
        if (m.lowersFloor) checkText(add, `${f}.modify_item.lowering_justification`, m.loweringJustification, true);
        break;
      }
      case 'retireItem':
        checkRef(add, `${f}.retire_item.base`, change.retireItem.base);
        checkText(add, `${f}.retire_item.reason`, change.retireItem.reason, true);
        break;
      case 'moveItem': {
        const m = change.moveItem;
        checkRef(add, `${f}.move_item.base`, m.base);
        if (m.newName === '' && m.newFieldCode === '' && m.newCategoryCode === '') add(`${f}.move_item`, 'must give a new name, field or category');
        break;
      }
      case 'splitItem':
        checkRef(add, `${f}.split_item.base`, change.splitItem.base);
        if (change.splitItem.into.length < 2) add(`${f}.split_item.into`, 'must name at least two new items');
        change.splitItem.into.forEach((item, j) => checkItem(add, `${f}.split_item.into[${j}]`, item));
        break;
      case 'mergeItems':
        if (change.mergeItems.bases.length < 2) add(`${f}.merge_items.bases`, 'must name at least two items');
        change.mergeItems.bases.forEach((b, j) => checkRef(add, `${f}.merge_items.bases[${j}]`, b));
        checkItem(add, `${f}.merge_items.into`, change.mergeItems.into);
        break;
      case 'setPackageLevel': {
        const p = change.setPackageLevel;
        if (!p.base) add(`${f}.set_package_level.base`, 'must name the package level version the change was made against');
        else {
          checkText(add, `${f}.set_package_level.base.package_code`, p.base.packageCode, true, 64);
          if (p.base.version < 1) add(`${f}.set_package_level.base.version`, 'must be a registry version number (1 or more)');
        }
        const level = scaleDecimal(p.value, 2);
        if (level === undefined || level < 0n) add(`${f}.set_package_level.value`, 'must be an amount in yuan, e.g. "89" or "89.5" (at most 2 decimals)');
        if (p.loweringJustification !== '' && !p.lowersLevel)
          add(`${f}.set_package_level.lowering_justification`, 'only a change that lowers the level carries a lowering justification');
        if (p.lowersLevel) checkText(add, `${f}.set_package_level.lowering_justification`, p.loweringJustification, true);
        break;
      }
      default: {
        const never: never = change;
        add(f, `unknown change ${String(never)}`);
      }
    }
  });
  // One change per item: otherwise the registry could not apply them in a defined order (and a retired item
  // would be referenced by another change).
  const owner = new Map<string, string>();
  content.changes.forEach((c, i) => {
    const pkg = packageRef(c)?.packageCode;
    if (pkg) {
      const first = owner.get(`package:${pkg}`);
      if (first !== undefined)
        add(`${prefix}.changes[${i}].set_package_level.base.package_code`, `package ${pkg} is already set by ${first}; one change per package`);
      else owner.set(`package:${pkg}`, c.changeId);
    }
    for (const code of touchedItems(c).all) {
      const first = owner.get(code);
      if (first !== undefined && first !== c.changeId) add(`${prefix}.changes[${i}]`, `item ${code} is already changed by ${first}; one change per item`);
      else owner.set(code, c.changeId);
    }
  });

  const j = content.justification;
  if (j) {
    for (const [name, value] of [
      ['economic_social_development', j.economicSocialDevelopment],
      ['urban_rural_income_growth', j.urbanRuralIncomeGrowth],
      ['sector_needs', j.sectorNeeds],
      ['fiscal_capacity', j.fiscalCapacity],
      ['technical_innovation', j.technicalInnovation],
    ] as const)
      checkText(add, `${prefix}.justification.${name}`, value, false);
    for (const [name, summary] of [
      ['demand_survey', j.demandSurvey],
      ['evaluation', j.evaluation],
    ] as const) {
      if (!summary) continue;
      checkText(add, `${prefix}.justification.${name}.summary`, summary.summary, false);
      summary.documents.forEach((d, i) => checkDocument(add, `${prefix}.justification.${name}.documents[${i}]`, d));
    }
  }
  content.evidence.forEach((d, i) => checkDocument(add, `${prefix}.evidence[${i}]`, d));
  if (content.fiscal) checkFiscal(add, `${prefix}.fiscal`, content.fiscal, content);
  return violations;
}
