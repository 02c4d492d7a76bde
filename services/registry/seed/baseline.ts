// The seeds as registry data: the 2017 national list as the baseline release (every item version 1) and the
// taxonomy history (2017: 8 sector fields without categories; from 2021-03-30: 9 fields, 22 categories, with every
// 2017 item placed in them and the lineage of the 2017 fields — seed/placement-2021.ts).
import {
  Comparator,
  ExpenditureKind,
  OrganisationKind,
  PaymentCategory,
  RegionTier,
  type PackageLevelVersion,
  type ServiceItem,
} from '../../../proto/gen/bps/common/v1/common';
import { ReleaseKind } from '../../../proto/gen/bps/standards/v1/changes';
import { ChangeType } from '../../../proto/gen/bps/standards/v1/events';
import type { LocalDate } from '../domain/dates';
import type { KnownTaxonomy, ReleaseDraft } from '../domain/model';
import type { TaxonomyPlacement } from '../domain/placement';
import { baselineEdition, organisations, seedLevelStatements, taxonomy2021, type SeedItem } from './national-catalog';
import { fieldBasis, placementByItem, placements2021 } from './placement-2021';

/** Where a taxonomy puts an item and on what authority (the registry shows it with each item read). */
export type PlacementRecord = TaxonomyPlacement;

export type FieldLineageRecord = {
  readonly fromFieldCode: string;
  readonly fromFieldName?: string;
  readonly toFieldCode: string;
  readonly itemCodes: readonly string[];
};

export type TaxonomyVersion = {
  readonly taxonomyId: string;
  readonly title: string;
  readonly effectiveFrom: LocalDate;
  readonly fields: readonly {
    readonly code: string;
    readonly name: string;
    readonly categories: readonly { readonly code: string; readonly name: string }[];
  }[];
  /** Every seeded item's place in this taxonomy (documents recorded before placements existed have none). */
  readonly placements?: readonly PlacementRecord[];
  /** How the previous taxonomy's fields map onto this one's. */
  readonly lineage?: readonly FieldLineageRecord[];
};

const leadBasis = (itemCode: string): { code: string; basis: string } => {
  const p = placementByItem.get(itemCode);
  if (!p) throw new Error(`item ${itemCode} has no placement in the 9-field structure`);
  return { code: p.leadUnit, basis: p.leadUnitReason };
};

const placements2017: PlacementRecord[] = baselineEdition.items.map((s) => ({
  itemCode: s.code,
  fieldCode: s.fieldCode,
  categoryCode: '',
  fieldStated: true,
  fieldBasis: `${s.listCitation.seed} 第${s.listCitation.lines.join('、')}行：“${s.listCitation.quote}”`,
  categoryStated: false,
  categoryBasis: '',
  leadUnitCode: leadBasis(s.code).code,
  leadUnitBasis: leadBasis(s.code).basis,
}));

const fieldOf2017 = new Map(baselineEdition.items.map((s) => [s.code, s.fieldCode]));

const placementsOf2021: PlacementRecord[] = placements2021.map((p) => ({
  itemCode: p.itemCode,
  fieldCode: p.fieldCode,
  categoryCode: p.categoryCode,
  fieldStated: p.field.stated,
  fieldBasis: fieldBasis(p),
  categoryStated: false,
  categoryBasis: `推定：${p.categoryReason}`,
  leadUnitCode: p.leadUnit,
  leadUnitBasis: p.leadUnitReason,
}));

/** 2017 field → 2021 field, with the items that went that way (in item order). */
function lineage2021(): FieldLineageRecord[] {
  const names2017 = new Map(baselineEdition.fields.map((f) => [f.code, f.name]));
  const edges = new Map<string, { fromFieldCode: string; fromFieldName: string; toFieldCode: string; itemCodes: string[] }>();
  for (const p of placements2021) {
    const from = fieldOf2017.get(p.itemCode) ?? '';
    const key = `${from}->${p.fieldCode}`;
    const edge = edges.get(key) ?? { fromFieldCode: from, fromFieldName: names2017.get(from) ?? '', toFieldCode: p.fieldCode, itemCodes: [] };
    edge.itemCodes.push(p.itemCode);
    edges.set(key, edge);
  }
  return [...edges.values()];
}

export const taxonomyHistory: readonly TaxonomyVersion[] = [
  {
    taxonomyId: 'taxonomy-2017',
    title: '“十三五”国家基本公共服务清单（8个领域）',
    effectiveFrom: baselineEdition.effectiveFrom,
    fields: baselineEdition.fields.map((f) => ({ code: f.code, name: f.name, categories: [] })),
    placements: placements2017,
    lineage: [],
  },
  {
    // 国家基本公共服务标准（2021年版）, issued 2021-03-30: 9 fields (seeds 000 §三, 002), 22 categories (names and the
    // date from design/domain.md, not the seeds). Placements: seed/placement-2021.ts (stated or attributed, with reasons).
    taxonomyId: 'taxonomy-2021',
    title: '国家基本公共服务标准（2021年版）（9个领域、22类）',
    effectiveFrom: '2021-03-30',
    fields: taxonomy2021.fields,
    placements: placementsOf2021,
    lineage: lineage2021(),
  },
];

export const knownTaxonomy: KnownTaxonomy = {
  fieldCodes: new Set(taxonomyHistory.flatMap((t) => t.fields.map((f) => f.code))),
  categoryCodes: new Set(taxonomyHistory.flatMap((t) => t.fields.flatMap((f) => f.categories.map((c) => c.code)))),
};

export const provinces = organisations.provinces;
export const provinceCodes: ReadonlySet<string> = new Set(provinces.map((p) => p.code));

const paymentCategory: Record<string, PaymentCategory> = {
  FREE_SERVICE: PaymentCategory.PAYMENT_CATEGORY_FREE_SERVICE,
  CASH_SUBSIDY: PaymentCategory.PAYMENT_CATEGORY_CASH_SUBSIDY,
  INSURANCE_BENEFIT: PaymentCategory.PAYMENT_CATEGORY_INSURANCE_BENEFIT,
  FEE_WAIVER: PaymentCategory.PAYMENT_CATEGORY_FEE_WAIVER,
  OTHER: PaymentCategory.PAYMENT_CATEGORY_OTHER,
};
const comparator = { GTE: Comparator.COMPARATOR_GTE, LTE: Comparator.COMPARATOR_LTE, EQ: Comparator.COMPARATOR_EQ } as const;
const expenditureKind = {
  CENTRAL: ExpenditureKind.EXPENDITURE_KIND_CENTRAL,
  LOCAL: ExpenditureKind.EXPENDITURE_KIND_LOCAL,
  SHARED: ExpenditureKind.EXPENDITURE_KIND_SHARED,
} as const;
const regionTier: Record<string, RegionTier> = {
  EAST: RegionTier.REGION_TIER_EAST,
  CENTRAL: RegionTier.REGION_TIER_CENTRAL,
  WEST: RegionTier.REGION_TIER_WEST,
};

const ministryName = new Map(organisations.ministries.map((m) => [m.code, m.name]));

/**
 * A seeded item as registry content. Its lead unit, where the item does not state one (none does), is the unit seed
 * 000's annex gives the item's field in the 9-field structure (seed/placement-2021.ts), lead_unit_stated = false.
 */
export function serviceItemFromSeed(s: SeedItem): ServiceItem {
  const leadCode = leadBasis(s.code).code;
  const lead = { code: leadCode, name: ministryName.get(leadCode) ?? '' };
  if (lead.name === '') throw new Error(`lead unit ${leadCode} of ${s.code} is not a known organisation`);
  return {
    itemCode: s.code,
    name: s.name,
    fieldCode: s.fieldCode,
    categoryCode: '',
    serviceTarget: s.serviceTarget.stated ? { stated: true, text: s.serviceTarget.value } : { stated: false, text: '' },
    serviceContent: s.serviceContent.stated ? { stated: true, text: s.serviceContent.value } : { stated: false, text: '' },
    qualityStandard: s.qualityStandard.stated
      ? {
          stated: true,
          text: s.qualityStandard.value.text,
          metrics: s.qualityStandard.value.metrics.map((m) => ({
            metric: m.metric,
            label: m.label,
            comparator: comparator[m.comparator],
            value: String(m.value),
            unit: m.unit,
            basis: m.basis,
          })),
        }
      : { stated: false, text: '', metrics: [] },
    paymentCategory: s.paymentCategory.stated
      ? (paymentCategory[s.paymentCategory.value] ?? PaymentCategory.PAYMENT_CATEGORY_OTHER)
      : PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
    expenditureResponsibility: s.expenditureResponsibility.stated
      ? {
          kind: expenditureKind[s.expenditureResponsibility.value.kind],
          text: s.expenditureResponsibility.value.text,
          centralShares: Object.entries(s.expenditureResponsibility.value.centralShareByRegionTier ?? {}).map(([tier, percent]) => ({
            regionTier: regionTier[tier] ?? RegionTier.REGION_TIER_UNSPECIFIED,
            percent: String(percent),
          })),
        }
      : { kind: ExpenditureKind.EXPENDITURE_KIND_NOT_STATED, text: '', centralShares: [] },
    leadUnit: s.leadUnit.stated
      ? { code: s.leadUnit.value.code, name: s.leadUnit.value.name, kind: OrganisationKind.ORGANISATION_KIND_MINISTRY }
      : { code: lead.code, name: lead.name, kind: OrganisationKind.ORGANISATION_KIND_MINISTRY },
    leadUnitStated: s.leadUnit.stated,
  };
}

/** The 2017 list as a release: 81 items, version 1 each, effective 2017-01-23. */
export function baselineRelease(): ReleaseDraft {
  return {
    releaseId: baselineEdition.id,
    changeSetId: `seed:${baselineEdition.id}`,
    kind: ReleaseKind.RELEASE_KIND_EDITION,
    title: `${baselineEdition.title}（${baselineEdition.document}）`,
    effectiveFrom: baselineEdition.effectiveFrom,
    fieldCodes: baselineEdition.fields.map((f) => f.code),
    provenance: undefined,
    versions: baselineEdition.items.map((s) => ({
      itemCode: s.code,
      version: 1,
      item: serviceItemFromSeed(s),
      retired: false,
      changeType: ChangeType.CHANGE_TYPE_ADDED,
      lineageFrom: [],
    })),
    lineage: [],
  };
}

/**
 * The packages whose level the seeds state (issue #17): `seedLevelStatements` of kind PACKAGE_STANDARD, as package
 * levels of the registry. The value, unit, as-of date, quote and member list are the statement's; the package's code,
 * name, field and drafting unit are the registry's (the seed states none of them: the unit is that of the members'
 * placement row, kept attributed with its reason). Recorded with the baseline list (effective 2017-01-23).
 */
const packageOfStatement: Readonly<Record<string, { code: string; name: string; fieldCode: string; leadOf: string; membershipBasis?: string }>> = {
  'bphs-funding-per-capita-2015': {
    code: 'BPHS',
    name: '国家基本公共卫生服务项目',
    fieldCode: 'F21-HEALTH',
    leadOf: 'HEA-01',
    membershipBasis: '种子001第23行只说“基本公共卫生服务项目增加到12类”，未列明是哪12类；按惯例取第216行所列医疗卫生领域的前12项（推定）',
  },
};

const dateOf = (iso: string): { year: number; month: number; day: number } => {
  const [year = 0, month = 0, day = 0] = iso.split('-').map(Number);
  return { year, month, day };
};

export function seedPackageLevels(): PackageLevelVersion[] {
  return seedLevelStatements
    .filter((st) => st.kind === 'PACKAGE_STANDARD')
    .map((st) => {
      const pkg = packageOfStatement[st.id];
      if (!pkg) throw new Error(`package statement ${st.id} has no package code`);
      const lead = leadBasis(pkg.leadOf);
      return {
        level: {
          packageCode: pkg.code,
          name: pkg.name,
          itemCodes: [...st.appliesTo],
          membershipStated: st.appliesToBasis === 'SEED_TEXT',
          membershipBasis: pkg.membershipBasis ? `${pkg.membershipBasis}（${st.note}）` : st.note,
          metric: {
            metric: st.metric.metric,
            label: st.metric.label,
            comparator: comparator[st.metric.comparator],
            value: String(st.metric.value),
            unit: st.metric.unit,
            basis: st.metric.basis,
          },
          asOf: st.metric.asOf ? dateOf(st.metric.asOf) : undefined,
          source: `seed ${st.citation.seed} 第${st.citation.lines.join('、')}行：“${st.citation.quote}”`,
          fieldCode: pkg.fieldCode,
          leadUnit: { code: lead.code, name: ministryName.get(lead.code) ?? '', kind: OrganisationKind.ORGANISATION_KIND_MINISTRY },
          leadUnitStated: false,
          leadUnitBasis: lead.basis,
          expenditureResponsibility: { kind: ExpenditureKind.EXPENDITURE_KIND_NOT_STATED, text: '', centralShares: [] },
        },
        version: 1,
        effectiveFrom: dateOf(baselineEdition.effectiveFrom),
        releaseId: baselineEdition.id,
      };
    });
}
