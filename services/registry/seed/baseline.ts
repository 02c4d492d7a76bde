// The seeds as registry data: the 2017 national list as the baseline release (every item version 1) and the
// taxonomy history (2017: 8 sector fields without categories; from 2021-03-30: 9 fields, 22 categories).
import {
  Comparator, ExpenditureKind, OrganisationKind, PaymentCategory, RegionTier, type ServiceItem,
} from '../../../proto/gen/bps/common/v1/common';
import { ReleaseKind } from '../../../proto/gen/bps/standards/v1/changes';
import { ChangeType } from '../../../proto/gen/bps/standards/v1/events';
import type { LocalDate } from '../domain/dates';
import type { KnownTaxonomy, ReleaseDraft } from '../domain/model';
import { leadUnitAttributionNote, leadUnitByField2017 } from './lead-units';
import { baselineEdition, organisations, taxonomy2021, type SeedItem } from './national-catalog';

export type TaxonomyVersion = {
  readonly taxonomyId: string;
  readonly title: string;
  readonly effectiveFrom: LocalDate;
  readonly fields: readonly {
    readonly code: string;
    readonly name: string;
    readonly categories: readonly { readonly code: string; readonly name: string }[];
    /** 2017 fields only: the lead unit given to their items, attributed (not from the seeds). */
    readonly attributedLeadUnit?: { readonly code: string; readonly name: string; readonly note: string };
  }[];
};

export const taxonomyHistory: readonly TaxonomyVersion[] = [
  {
    taxonomyId: 'taxonomy-2017',
    title: '“十三五”国家基本公共服务清单（8个领域）',
    effectiveFrom: baselineEdition.effectiveFrom,
    fields: baselineEdition.fields.map((f) => {
      const lead = leadUnitByField2017[f.code];
      return { code: f.code, name: f.name, categories: [], ...(lead ? { attributedLeadUnit: { ...lead, note: leadUnitAttributionNote } } : {}) };
    }),
  },
  {
    // 国家基本公共服务标准（2021年版）, issued 2021-03-30: 9 fields, 22 categories (names from design/domain.md).
    taxonomyId: 'taxonomy-2021',
    title: '国家基本公共服务标准（2021年版）（9个领域、22类）',
    effectiveFrom: '2021-03-30',
    fields: taxonomy2021.fields,
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
const expenditureKind = { CENTRAL: ExpenditureKind.EXPENDITURE_KIND_CENTRAL, LOCAL: ExpenditureKind.EXPENDITURE_KIND_LOCAL, SHARED: ExpenditureKind.EXPENDITURE_KIND_SHARED } as const;
const regionTier: Record<string, RegionTier> = { EAST: RegionTier.REGION_TIER_EAST, CENTRAL: RegionTier.REGION_TIER_CENTRAL, WEST: RegionTier.REGION_TIER_WEST };

export function serviceItemFromSeed(s: SeedItem): ServiceItem {
  const lead = leadUnitByField2017[s.fieldCode];
  if (!lead) throw new Error(`no lead unit attribution for field ${s.fieldCode}`);
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
          metrics: s.qualityStandard.value.metrics.map((m) => ({ metric: m.metric, label: m.label, comparator: comparator[m.comparator], value: String(m.value), unit: m.unit, basis: m.basis })),
        }
      : { stated: false, text: '', metrics: [] },
    paymentCategory: s.paymentCategory.stated ? (paymentCategory[s.paymentCategory.value] ?? PaymentCategory.PAYMENT_CATEGORY_OTHER) : PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
    expenditureResponsibility: s.expenditureResponsibility.stated
      ? {
          kind: expenditureKind[s.expenditureResponsibility.value.kind],
          text: s.expenditureResponsibility.value.text,
          centralShares: Object.entries(s.expenditureResponsibility.value.centralShareByRegionTier ?? {}).map(([tier, percent]) => ({ regionTier: regionTier[tier] ?? RegionTier.REGION_TIER_UNSPECIFIED, percent: String(percent) })),
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
      itemCode: s.code, version: 1, item: serviceItemFromSeed(s), retired: false, changeType: ChangeType.CHANGE_TYPE_ADDED, lineageFrom: [],
    })),
    lineage: [],
  };
}
