// Input validation (field violations), drafting permission, and the submission checks against a registry view.
import { describe, expect, it } from 'vitest';
import { Comparator, ExpenditureKind, OrganisationKind, PaymentCategory, RegionTier, type ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ProposalContent, ProposalKind } from '../../proto/gen/bps/proposals/v1/proposal';
import {
  assertMayDraft,
  completenessViolations,
  fieldCodesOf,
  rebaseContent,
  registryViolations,
  type RegistryItem,
} from '../../services/proposals/domain/checks';
import { computeFiscalEstimate } from '../../services/proposals/domain/fiscal';
import { contentViolations } from '../../services/proposals/domain/validation';
import { PermissionDeniedError, ValidationError } from '../../services/shared/errors/errors';
import { fundedHealthItem, healthProposal } from './proposals-fixtures';

const nhcStaff = { organisation: 'NHC', roles: ['ministry-staff'] };

function current(itemCode: string, version = 1, overrides: Partial<ServiceItem> = {}, retired = false): [string, RegistryItem] {
  const item: ServiceItem = {
    ...fundedHealthItem(itemCode, '0'),
    qualityStandard: { stated: false, text: '', metrics: [] },
    paymentCategory: PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
    ...overrides,
  };
  return [itemCode, { version, retired, item }];
}

/** INS-05 as seeded: 380 yuan per person per year (seed 001 line 23), led by MOHRSS (attributed by field). */
const ins05: [string, RegistryItem] = [
  'INS-05',
  {
    version: 1,
    retired: false,
    item: {
      itemCode: 'INS-05',
      name: '城乡居民基本医疗保险',
      fieldCode: 'F17-INS',
      categoryCode: '',
      serviceTarget: undefined,
      serviceContent: undefined,
      qualityStandard: {
        stated: true,
        text: '城乡居民基本医疗保险补助标准每人每年380元',
        metrics: [
          {
            metric: 'government_subsidy_per_capita',
            label: '城乡居民基本医疗保险补助标准',
            comparator: Comparator.COMPARATOR_GTE,
            value: '380',
            unit: 'CNY',
            basis: 'per_person_per_year',
          },
        ],
      },
      paymentCategory: PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
      expenditureResponsibility: { kind: ExpenditureKind.EXPENDITURE_KIND_NOT_STATED, text: '', centralShares: [] },
      leadUnit: { code: 'MOHRSS', name: '人力资源社会保障部', kind: OrganisationKind.ORGANISATION_KIND_MINISTRY },
      leadUnitStated: false,
    },
  },
];

function lowerIns05(value: string, lowersFloor: boolean, justification = ''): ProposalContent {
  const [, base] = ins05;
  return ProposalContent.fromPartial({
    ...healthProposal(),
    changes: [
      {
        changeId: 'c1',
        change: {
          $case: 'modifyItem',
          modifyItem: {
            base: { itemCode: 'INS-05', version: 1 },
            lowersFloor,
            loweringJustification: justification,
            item: { ...base.item, qualityStandard: { ...base.item.qualityStandard!, metrics: [{ ...base.item.qualityStandard!.metrics[0]!, value }] } },
          },
        },
      },
    ],
    fiscal: { years: 1, lines: [], affordabilityAssessment: 'x' },
  });
}

describe('content validation', () => {
  it('accepts a complete proposal built from a seed item', () => {
    expect(contentViolations(healthProposal())).toEqual([]);
  });

  it('lists every malformed field with its path', () => {
    const bad = healthProposal();
    bad.title = ' ';
    bad.effectiveFrom = { year: 2027, month: 2, day: 30 };
    bad.triggerDocument = { title: 'x', uri: 'u', digest: 'not-a-digest', digestAlgorithm: 'md5' };
    const change = bad.changes[0]!;
    if (change.change?.$case === 'modifyItem') {
      change.change.modifyItem.base = { itemCode: 'HEA-01', version: 0 };
      change.change.modifyItem.item!.qualityStandard!.metrics[0]!.value = '八十九';
      change.change.modifyItem.lowersFloor = true;
    }
    bad.fiscal!.lines[0]!.populations = [{ regionTier: RegionTier.REGION_TIER_EAST, coveredPopulation: '-5' }];
    bad.fiscal!.lines[0]!.override = { annualFen: '100', reason: '' };
    bad.fiscal!.lines.push({
      changeId: 'c9',
      populations: [],
      centralShares: [{ regionTier: RegionTier.REGION_TIER_WEST, percent: '120' }],
      metric: '',
      override: undefined,
    });
    const fields = contentViolations(bad).map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'content.title',
        'content.effective_from',
        'content.trigger_document.digest_algorithm',
        'content.changes[0].modify_item.base.version',
        'content.changes[0].modify_item.item.quality_standard.metrics[0].value',
        'content.changes[0].modify_item.lowering_justification',
        'content.fiscal.lines[0].populations[0].covered_population',
        'content.fiscal.lines[0].override.reason',
        'content.fiscal.lines[1].change_id',
        'content.fiscal.lines[1].central_shares[0].percent',
      ]),
    );
  });

  it('refuses a missing content, an unknown kind and a change touching an item twice', () => {
    expect(contentViolations(undefined)).toEqual([{ field: 'content', description: 'is required' }]);
    const twice = ProposalContent.fromPartial({ ...healthProposal(), kind: ProposalKind.PROPOSAL_KIND_UNSPECIFIED });
    twice.changes.push({ ...twice.changes[0]!, changeId: 'c2' }, { changeId: 'c3', change: undefined });
    const violations = contentViolations(twice);
    expect(violations).toEqual(
      expect.arrayContaining([
        { field: 'content.kind', description: 'must be UNIFIED or AD_HOC' },
        { field: 'content.changes[1]', description: 'item HEA-01 is already changed by c1; one change per item' },
        { field: 'content.changes[2]', description: expect.stringMatching(/must be one of/) },
      ]),
    );
  });
});

describe('drafting permission', () => {
  const registry = new Map([current('HEA-01'), ins05]);

  it('lets NHC staff draft for an item NHC leads, and nobody else', () => {
    expect(() => assertMayDraft(nhcStaff, healthProposal(), registry)).not.toThrow();
    expect(() => assertMayDraft({ organisation: 'MOE', roles: ['ministry-staff'] }, healthProposal(), registry)).toThrow(PermissionDeniedError);
    expect(() => assertMayDraft({ organisation: 'NHC', roles: ['approver'] }, healthProposal(), registry)).toThrow(PermissionDeniedError);
    // NHC does not lead INS-05 (MOHRSS does).
    expect(() => assertMayDraft(nhcStaff, lowerIns05('400', false), registry)).toThrow(/NHC does not lead INS-05 \(lead unit MOHRSS\)/);
  });

  it('treats an unknown base item as bad input', () => {
    expect(() => assertMayDraft(nhcStaff, healthProposal({ itemCode: 'HEA-99' }), registry)).toThrow(ValidationError);
  });
});

describe('submission checks', () => {
  it('refuses a stale base, lists it, and rebases onto the version in force', () => {
    const content = healthProposal();
    const registry = new Map([current('HEA-01', 3)]);
    expect(registryViolations(content, registry)).toEqual([
      { type: 'STALE_BASE', subject: 'HEA-01', description: 'c1: made against version 1 but version 3 is in force; rebase the proposal' },
    ]);
    const { content: rebased, moved } = rebaseContent(content, registry);
    expect(moved).toEqual([{ itemCode: 'HEA-01', fromVersion: 1, toVersion: 3 }]);
    expect(registryViolations(rebased, registry)).toEqual([]);
    expect(rebased.changes[0]?.change).toMatchObject({
      modifyItem: { base: { itemCode: 'HEA-01', version: 3 }, item: { qualityStandard: { metrics: [{ value: '89' }] } } },
    });
    expect(content.changes[0]?.change).toMatchObject({ modifyItem: { base: { version: 1 } } }); // the input is untouched
  });

  it('refuses a level below the national floor unless the change lowers it with a justification', () => {
    const registry = new Map([ins05]);
    expect(registryViolations(lowerIns05('400', false), registry)).toEqual([]);
    expect(registryViolations(lowerIns05('380.00', false), registry)).toEqual([]);
    expect(registryViolations(lowerIns05('379.99', false), registry)).toEqual([
      {
        type: 'BELOW_FLOOR',
        subject: 'INS-05',
        description: 'c1: government_subsidy_per_capita 379.99 CNY is below the national floor 380 CNY; set lowers_floor with a justification',
      },
    ]);
    expect(registryViolations(lowerIns05('300', true, '并入其他补助（测试）'), registry)).toEqual([]);
  });

  it('refuses retired items, existing codes and an ad-hoc revision spanning two fields', () => {
    const retired = new Map([current('HEA-01', 2, {}, true)]);
    expect(registryViolations(healthProposal(), retired).map((v) => v.type)).toEqual(['RETIRED_ITEM']);

    const add = ProposalContent.fromPartial({
      ...healthProposal(),
      changes: [{ changeId: 'a1', change: { $case: 'addItem', addItem: { item: fundedHealthItem('HEA-02', '10') } } }],
    });
    expect(registryViolations(add, new Map([current('HEA-02')])).map((v) => v.type)).toEqual(['ITEM_EXISTS']);
    expect(registryViolations(add, new Map([['HEA-02', null]]))).toEqual([]);

    const twoFields = healthProposal();
    twoFields.changes.push({ changeId: 'c2', change: { $case: 'retireItem', retireItem: { base: { itemCode: 'INS-05', version: 1 }, reason: '测试' } } });
    const registry = new Map([current('HEA-01'), ins05]);
    expect(fieldCodesOf(twoFields, registry)).toEqual(['F17-HEA', 'F17-INS']);
    expect(registryViolations(twoFields, registry).map((v) => v.type)).toEqual(['FIELD_SCOPE']);
  });

  it('requires the five factors, survey, evaluation, affordability and a complete estimate', () => {
    const complete = healthProposal();
    expect(completenessViolations(complete, computeFiscalEstimate(complete, new Map()))).toEqual([]);
    const thin = healthProposal();
    thin.justification!.technicalInnovation = '';
    thin.justification!.demandSurvey = undefined;
    thin.fiscal!.lines = [];
    expect(completenessViolations(thin, computeFiscalEstimate(thin, new Map())).map((v) => v.subject)).toEqual([
      'content.justification.technical_innovation',
      'content.justification.demand_survey',
      'content.fiscal',
    ]);
  });
});
