// Errata are wording only (services/registry/domain/errata.ts): which fields, numbers in the wording, who.
import { describe, expect, it } from 'vitest';
import { Comparator, PaymentCategory, ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { changedFields, decideErratum, erratumFields, mayApproveErratum, mayProposeErratum } from '../../services/registry/domain/errata';

const item = ServiceItem.fromPartial({
  itemCode: 'INS-05',
  name: '城乡居民基本医疗保险',
  fieldCode: 'F17-INS',
  serviceTarget: { stated: true, text: '城乡居民' },
  serviceContent: { stated: true, text: '住院和门诊医疗费用报销' },
  qualityStandard: {
    stated: true,
    text: '财政补助每人每年380元',
    metrics: [
      { metric: 'subsidy_per_capita', label: '财政补助', comparator: Comparator.COMPARATOR_GTE, value: '380', unit: 'CNY', basis: 'per_person_per_year' },
    ],
  },
  paymentCategory: PaymentCategory.PAYMENT_CATEGORY_INSURANCE_BENEFIT,
  leadUnit: { code: 'MOHRSS', name: '人力资源社会保障部' },
  leadUnitStated: true,
});

describe('errata', () => {
  it('accept wording changes of name, service target and content text, and list them before/after', () => {
    const corrected = { ...item, name: '城乡居民基本医疗保险服务', serviceContent: { stated: true, text: '住院及门诊医疗费用报销' } };
    expect(decideErratum(item, corrected)).toEqual({
      ok: true,
      changes: [
        { field: 'name', before: '城乡居民基本医疗保险', after: '城乡居民基本医疗保险服务' },
        { field: 'service_content.text', before: '住院和门诊医疗费用报销', after: '住院及门诊医疗费用报销' },
      ],
    });
    expect(erratumFields).toEqual(['name', 'service_target.text', 'service_content.text']);
  });

  it('refuse levels, metrics, payment, expenditure, stated flags and numbers in the wording, naming each field', () => {
    const decide = (patch: Partial<ServiceItem>) => {
      const d = decideErratum(item, { ...item, ...patch });
      return d.ok ? [] : d.violations.map((v) => [v.field, v.reason]);
    };
    expect(decide({ qualityStandard: { ...item.qualityStandard!, metrics: [{ ...item.qualityStandard!.metrics[0]!, value: '500' }] } })).toEqual([
      ['item.quality_standard.metrics[0].value', 'NOT_WORDING'],
    ]);
    expect(decide({ qualityStandard: { ...item.qualityStandard!, metrics: [] } })).toEqual([['item.quality_standard.metrics', 'NOT_WORDING']]);
    expect(decide({ qualityStandard: { ...item.qualityStandard!, text: '财政补助每人每年380元（2015年）' } })).toEqual([
      ['item.quality_standard.text', 'NOT_WORDING'],
    ]);
    expect(decide({ paymentCategory: PaymentCategory.PAYMENT_CATEGORY_CASH_SUBSIDY })).toEqual([['item.payment_category', 'NOT_WORDING']]);
    expect(decide({ expenditureResponsibility: { kind: 1, text: '中央', centralShares: [] } })).toEqual([
      ['item.expenditure_responsibility.kind', 'NOT_WORDING'],
      ['item.expenditure_responsibility.text', 'NOT_WORDING'],
    ]);
    expect(decide({ serviceTarget: { stated: false, text: '城乡居民' } })).toEqual([['item.service_target.stated', 'NOT_WORDING']]);
    expect(decide({ serviceTarget: { stated: true, text: '65岁以上城乡居民' } })).toEqual([['item.service_target.text', 'NUMBER_CHANGED']]);
    expect(decide({ leadUnit: { ...item.leadUnit!, code: 'NHSA', name: '国家医保局' } })).toEqual([
      ['item.lead_unit.code', 'NOT_WORDING'],
      ['item.lead_unit.name', 'NOT_WORDING'],
    ]);
    expect(decide({})).toEqual([['item', 'NO_CHANGE']]);
    expect(changedFields(item, item)).toEqual([]);
  });

  it("are proposed by an operator or the lead unit, approved by the lead unit's approver or the final approver", () => {
    const who = (organisation: string, role: string) => ({ subject: 's', organisation, roles: [role] });
    expect(
      [who('BPS', 'operator'), who('MOHRSS', 'ministry-staff'), who('MOHRSS', 'approver'), who('NHC', 'ministry-staff'), who('SCO', 'final-approver')].map(
        (a) => mayProposeErratum(a, 'MOHRSS'),
      ),
    ).toEqual([true, true, true, false, false]);
    expect(
      [who('BPS', 'operator'), who('MOHRSS', 'ministry-staff'), who('MOHRSS', 'approver'), who('NHC', 'approver'), who('SCO', 'final-approver')].map((a) =>
        mayApproveErratum(a, 'MOHRSS'),
      ),
    ).toEqual([false, false, true, false, true]);
    expect(mayApproveErratum(who('MOHRSS', 'approver'), undefined)).toBe(false);
  });
});
