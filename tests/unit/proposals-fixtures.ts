// Proposal content built from real seed items, shared by the proposals unit and integration tests.
// EXAMPLE INPUTS, not seed figures: the 89 yuan level, the covered populations and the central shares per region
// tier below are inputs chosen for the tests (the seeds state only the 2015 level of 40 yuan per person per year
// for the basic public health service package, and no covered population or cost-sharing ratio).
import { createHash } from 'node:crypto';
import {
  Comparator,
  ExpenditureKind,
  OrganisationKind,
  PaymentCategory,
  RegionTier,
  type DocumentReference,
  type ServiceItem,
} from '../../proto/gen/bps/common/v1/common';
import { AdHocTrigger, ProposalContent, ProposalKind } from '../../proto/gen/bps/proposals/v1/proposal';
import type { ItemChange } from '../../proto/gen/bps/standards/v1/changes';

export function doc(title: string): DocumentReference {
  return {
    title,
    uri: `https://docs.example.gov.cn/${encodeURIComponent(title)}`,
    digest: createHash('sha256').update(title).digest('hex'),
    digestAlgorithm: 'sha256',
  };
}

/** Example input: covered population per region tier (sums to 1.36 billion). */
export const examplePopulations = [
  { regionTier: RegionTier.REGION_TIER_EAST, coveredPopulation: '560000000' },
  { regionTier: RegionTier.REGION_TIER_CENTRAL, coveredPopulation: '420000000' },
  { regionTier: RegionTier.REGION_TIER_WEST, coveredPopulation: '380000000' },
];

/** Example input: central share of the cost per region tier. */
export const exampleShares = [
  { regionTier: RegionTier.REGION_TIER_EAST, percent: '30' },
  { regionTier: RegionTier.REGION_TIER_CENTRAL, percent: '60' },
  { regionTier: RegionTier.REGION_TIER_WEST, percent: '80' },
];

export const healthItemNames: Readonly<Record<string, string>> = {
  'HEA-01': '居民健康档案',
  'HEA-02': '健康教育',
  'HEA-03': '预防接种',
  'HEA-04': '传染病及突发公共卫生事件报告和处理',
  'HEA-05': '儿童健康管理',
  'HEA-06': '孕产妇健康管理',
  'HEA-07': '老年人健康管理',
  'HEA-08': '慢性病患者管理',
};

/** HEA-xx as it shall read: basic public health service funding per person per year at `level` yuan (example). */
export function fundedHealthItem(itemCode: string, level: string): ServiceItem {
  return {
    itemCode,
    name: healthItemNames[itemCode] ?? itemCode,
    fieldCode: 'F17-HEA',
    categoryCode: '',
    serviceTarget: { stated: false, text: '' },
    serviceContent: { stated: false, text: '' },
    qualityStandard: {
      stated: true,
      text: `国家基本公共卫生服务经费补助标准提高到每人每年${level}元（测试示例输入）`,
      metrics: [
        {
          metric: 'funding_per_capita',
          label: '国家基本公共卫生服务经费',
          comparator: Comparator.COMPARATOR_GTE,
          value: level,
          unit: 'CNY',
          basis: 'per_person_per_year',
        },
      ],
    },
    paymentCategory: PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
    expenditureResponsibility: { kind: ExpenditureKind.EXPENDITURE_KIND_NOT_STATED, text: '', centralShares: [] },
    leadUnit: { code: 'NHC', name: '国家卫生健康委', kind: OrganisationKind.ORGANISATION_KIND_MINISTRY },
    leadUnitStated: false,
  };
}

export function raiseFunding(changeId: string, itemCode: string, baseVersion: number, level: string): ItemChange {
  return {
    changeId,
    change: {
      $case: 'modifyItem',
      modifyItem: { base: { itemCode, version: baseVersion }, item: fundedHealthItem(itemCode, level), lowersFloor: false, loweringJustification: '' },
    },
  };
}

/** A complete ad-hoc proposal raising the funding of `itemCode` (costed over 3 years from 2027). */
export function healthProposal(options: { itemCode?: string; baseVersion?: number; level?: string; title?: string } = {}): ProposalContent {
  const itemCode = options.itemCode ?? 'HEA-01';
  return ProposalContent.fromPartial({
    title: options.title ?? `提高${healthItemNames[itemCode] ?? itemCode}等基本公共卫生服务经费补助标准`,
    kind: ProposalKind.PROPOSAL_KIND_AD_HOC,
    trigger: AdHocTrigger.AD_HOC_TRIGGER_MID_TERM_EVALUATION,
    triggerDocument: doc('“十四五”公共服务规划中期评估报告（测试文档）'),
    changes: [raiseFunding('c1', itemCode, options.baseVersion ?? 1, options.level ?? '89')],
    justification: {
      economicSocialDevelopment: '经济社会发展水平持续提高（测试）',
      urbanRuralIncomeGrowth: '城乡居民收入稳步增长（测试）',
      sectorNeeds: '基层公共卫生服务需求增加（测试）',
      fiscalCapacity: '中央和地方财政可承受（测试）',
      technicalInnovation: '电子健康档案普及（测试）',
      demandSurvey: { summary: '公众需求调查摘要（测试）', documents: [doc('公众需求调查报告（测试文档）')] },
      evaluation: { summary: '实施情况评价评估结论（测试）', documents: [doc('评价评估报告（测试文档）')] },
    },
    evidence: [doc('测算说明（测试文档）')],
    fiscal: {
      years: 3,
      affordabilityAssessment: '已征求财政部门意见（测试）',
      lines: [{ changeId: 'c1', populations: examplePopulations, centralShares: exampleShares, metric: '' }],
    },
    effectiveFrom: { year: 2027, month: 1, day: 1 },
  });
}
