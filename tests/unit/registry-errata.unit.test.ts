// Errata are wording only (services/registry/domain/errata.ts): which fields, numbers in the wording, who.
import { describe, expect, it } from 'vitest';
import { Comparator, PaymentCategory, ServiceItem } from '../../proto/gen/bps/common/v1/common';
import {
  changedFields,
  decideErratum,
  decideErratumApproval,
  decideErratumProposal,
  erratumFields,
  mayApproveErratum,
  mayProposeErratum,
} from '../../services/registry/domain/errata';
import { ruleRefusalError, ValidationError } from '../../services/shared/errors/errors';

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
      events: [
        {
          type: 'WordingCorrected',
          changes: [
            { field: 'name', before: '城乡居民基本医疗保险', after: '城乡居民基本医疗保险服务' },
            { field: 'service_content.text', before: '住院和门诊医疗费用报销', after: '住院及门诊医疗费用报销' },
          ],
        },
      ],
    });
    expect(erratumFields).toEqual(['name', 'service_target.text', 'service_content.text']);
  });

  it('refuse levels, metrics, payment, expenditure, stated flags and numbers in the wording, naming each field', () => {
    const decide = (patch: Partial<ServiceItem>) => {
      const d = decideErratum(item, { ...item, ...patch });
      return d.ok ? [] : (d.refusal.violations ?? []).map((v) => [v.field, v.reason]);
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

  it('refuse as INVALID_ARGUMENT with the reason of the first violation and a message naming each field', () => {
    const d = decideErratum(item, { ...item, paymentCategory: PaymentCategory.PAYMENT_CATEGORY_CASH_SUBSIDY });
    expect(d).toEqual({
      ok: false,
      refusal: {
        code: 'INVALID_ARGUMENT',
        reason: 'NOT_WORDING',
        message: `not an erratum: item.payment_category: ${d.ok ? '' : d.refusal.violations![0]!.description}`,
        violations: [expect.objectContaining({ field: 'item.payment_category', reason: 'NOT_WORDING' })],
      },
    });
    if (!d.ok) expect(ruleRefusalError(d.refusal, 'INS-05', 'item')).toBeInstanceOf(ValidationError);
  });

  it('are refused to a proposer outside the lead unit before their wording is looked at', () => {
    const who = (organisation: string, role: string) => ({ subject: 's', organisation, roles: [role] });
    const propose = (actor: ReturnType<typeof who>, corrected = { ...item, name: `${item.name}（勘误）` }) =>
      decideErratumProposal({ actor, itemCode: 'INS-05', leadUnit: 'MOHRSS', current: item, corrected });
    expect(propose(who('NHC', 'ministry-staff'), item)).toEqual({
      ok: false,
      refusal: {
        code: 'PERMISSION_DENIED',
        reason: 'NOT_LEAD_UNIT',
        message: 'only an operator or staff of the lead unit (MOHRSS) may propose an erratum of INS-05',
      },
    });
    expect(propose(who('MOHRSS', 'ministry-staff'), item)).toMatchObject({ ok: false, refusal: { code: 'INVALID_ARGUMENT', reason: 'NO_CHANGE' } });
    expect(propose(who('MOHRSS', 'ministry-staff'))).toMatchObject({ ok: true, events: [{ type: 'WordingCorrected', changes: [{ field: 'name' }] }] });
  });

  it('are approved by a second person with the right role, once, against the record they were proposed on', () => {
    const approver = { subject: 'mohrss.approver', organisation: 'MOHRSS', roles: ['approver'] };
    const base = {
      actor: approver,
      itemCode: 'INS-05',
      version: 1,
      erratumId: 'E-1',
      leadUnit: 'MOHRSS',
      proposedBy: 'mohrss.staff',
      approved: false,
      baseRecordId: 'INS-05:v1:r0',
      latestRecordId: 'INS-05:v1:r0',
    };
    const refusal = (patch: Partial<typeof base>) => {
      const d = decideErratumApproval({ ...base, ...patch });
      return d.ok ? undefined : d.refusal;
    };
    expect(decideErratumApproval(base)).toEqual({ ok: true, events: [{ type: 'ErratumApproved', erratumId: 'E-1' }] });
    expect(refusal({ actor: { ...approver, roles: ['ministry-staff'] } })).toEqual({
      code: 'PERMISSION_DENIED',
      reason: 'NOT_ERRATUM_APPROVER',
      message: 'an erratum of INS-05 is approved by an approver of MOHRSS or the final approver',
    });
    // Who comes first: the proposer is refused as such even when the erratum is approved or stale.
    expect(refusal({ proposedBy: 'mohrss.approver', approved: true })).toMatchObject({ code: 'PERMISSION_DENIED', reason: 'SELF_APPROVAL' });
    expect(refusal({ approved: true, latestRecordId: 'INS-05:v1:r1' })).toEqual({
      code: 'FAILED_PRECONDITION',
      reason: 'FAILED_PRECONDITION',
      message: 'erratum E-1 is already approved',
      violations: [{ field: 'E-1', description: 'already in effect', reason: 'ALREADY_APPROVED' }],
    });
    const stale = refusal({ latestRecordId: 'INS-05:v1:r1' })!;
    expect(stale).toEqual({
      code: 'FAILED_PRECONDITION',
      reason: 'FAILED_PRECONDITION',
      message: 'INS-05 v1 changed since erratum E-1 was proposed; propose it again',
      violations: [{ field: 'E-1', description: 'proposed against INS-05:v1:r0, now INS-05:v1:r1', reason: 'ERRATUM_STALE' }],
    });
    // On the wire as before: FAILED_PRECONDITION, the generic reason, the specific one as the violation's type.
    expect(ruleRefusalError(stale, 'E-1', 'item')).toMatchObject({
      code: 'FAILED_PRECONDITION',
      violations: [{ type: 'ERRATUM_STALE', subject: 'E-1' }],
    });
    expect(decideErratumApproval({ ...base, actor: { subject: 'sco', organisation: 'SCO', roles: ['final-approver'] } }).ok).toBe(true);
  });
});
