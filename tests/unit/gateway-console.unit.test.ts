// Console logic without services: the proposal editor's form <-> content, money formatting, inbox sorting, pages.
import { personas } from '../../services/shared/auth/personas';
import { describe, expect, it } from 'vitest';
import { Comparator, ExpenditureKind, PaymentCategory, RegionTier, type ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { InboxItem } from '../../proto/gen/bps/approvals/v1/inbox';
import { ItemVersion } from '../../proto/gen/bps/registry/v1/registry';
import { contentFromForm, formatFen, formFromContent, parseDocuments } from '../../services/gateway/web/proposal-form';
import { sortInbox } from '../../services/gateway/web/inbox-pages';
import { itemPage, sixAttributes } from '../../services/gateway/web/standards-pages';
import { translator } from '../../services/gateway/web/i18n';

const base: ServiceItem = {
  itemCode: 'INS-05',
  name: '城乡居民基本医疗保险',
  fieldCode: 'F17-INS',
  categoryCode: '',
  serviceTarget: { stated: false, text: '' },
  serviceContent: { stated: true, text: '基本医疗保险<b>' },
  qualityStandard: {
    stated: true,
    text: '补助标准每人每年380元',
    metrics: [{ metric: 'subsidy', label: '补助', comparator: Comparator.COMPARATOR_GTE, value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
  },
  paymentCategory: PaymentCategory.PAYMENT_CATEGORY_INSURANCE_BENEFIT,
  expenditureResponsibility: {
    kind: ExpenditureKind.EXPENDITURE_KIND_SHARED,
    text: '',
    centralShares: [{ regionTier: RegionTier.REGION_TIER_WEST, percent: '80' }],
  },
  leadUnit: undefined,
  leadUnitStated: false,
};

describe('proposal editor form', () => {
  const form = {
    title: ' 提高补助 ',
    trigger: 'AD_HOC_TRIGGER_MAJOR_POLICY',
    effectiveFrom: '2027-01-01',
    qualityText: '提高到每人每年400元',
    'metric:subsidy': '400',
    newMetric: 'coverage',
    newMetricLabel: '参保率',
    newMetricComparator: 'GTE',
    newMetricValue: '95',
    newMetricUnit: 'percent',
    newMetricBasis: '',
    jEconomic: 'a',
    jIncome: 'b',
    jSector: 'c',
    jFiscal: 'd',
    jTechnical: 'e',
    surveySummary: 's',
    surveyDocs: '调查 | https://x/1 | ABCD\n\n',
    evaluationSummary: 'v',
    evaluationDocs: '',
    evidence: '测算 | https://x/2 | ef01 | sm3',
    years: '3',
    affordability: 'ok',
    popEAST: '100',
    shareEAST: '30',
    popWEST: '',
    shareWEST: '',
  };

  it('builds a modify change of the item as in force, with edited and added metrics and the fiscal inputs', () => {
    const content = contentFromForm(form, { item: base, version: 4 });
    expect(content.title).toBe('提高补助');
    const change = content.changes[0]?.change;
    expect(change?.$case).toBe('modifyItem');
    if (change?.$case !== 'modifyItem') return;
    expect(change.modifyItem.base).toEqual({ itemCode: 'INS-05', version: 4 });
    expect(change.modifyItem.item?.serviceContent).toEqual(base.serviceContent);
    expect(change.modifyItem.item?.qualityStandard?.metrics.map((m) => `${m.metric}=${m.value}`)).toEqual(['subsidy=400', 'coverage=95']);
    expect(content.effectiveFrom).toEqual({ year: 2027, month: 1, day: 1 });
    expect(content.justification?.demandSurvey?.documents).toEqual([{ title: '调查', uri: 'https://x/1', digest: 'abcd', digestAlgorithm: 'sha256' }]);
    expect(content.evidence[0]?.digestAlgorithm).toBe('sm3');
    expect(content.fiscal?.lines[0]?.populations).toEqual([{ regionTier: RegionTier.REGION_TIER_EAST, coveredPopulation: '100' }]);
    expect(content.fiscal?.years).toBe(3);
  });

  it('round-trips stored content back into the form', () => {
    const content = contentFromForm(form, { item: base, version: 4 });
    const back = formFromContent(content);
    expect(back.itemCode).toBe('INS-05');
    expect(back.baseVersion).toBe(4);
    expect(back.form).toMatchObject({
      title: '提高补助',
      'metric:subsidy': '400',
      'metric:coverage': '95',
      newMetric: 'coverage',
      popEAST: '100',
      shareEAST: '30',
      effectiveFrom: '2027-01-01',
    });
    expect(contentFromForm(back.form, { item: base, version: 4 })).toEqual(content);
  });

  it('parses evidence lines and formats fen exactly', () => {
    expect(parseDocuments(' a | u \n b ')).toEqual([
      { title: 'a', uri: 'u', digest: '', digestAlgorithm: '' },
      { title: 'b', uri: '', digest: '', digestAlgorithm: '' },
    ]);
    expect(formatFen('36312000000000')).toBe('363,120,000,000.00');
    expect(formatFen('5')).toBe('0.05');
    expect(formatFen('-123456')).toBe('-1,234.56');
    expect(formatFen('9007199254740993')).toBe('90,071,992,547,409.93');
    expect(formatFen('')).toBe('—');
  });
});

describe('inbox and pages', () => {
  it('sorts open steps by due date, undated last', () => {
    const item = (id: string, due?: string) => InboxItem.fromPartial({ step: { stepId: id, ...(due ? { dueAt: new Date(due) } : {}) } });
    const items = [item('b', '2027-01-03'), item('none'), item('a', '2027-01-01')];
    expect(sortInbox(items, 'due').map((i) => i.step?.stepId)).toEqual(['a', 'b', 'none']);
    expect(sortInbox(items, '-due').map((i) => i.step?.stepId)).toEqual(['none', 'b', 'a']);
  });

  it('renders the six attributes escaped, with not-stated ones marked', () => {
    const out = sixAttributes({ lang: 'zh', t: translator('zh'), identity: undefined, url: '/', signInEnabled: true }, base).value;
    expect(out).toContain('基本医疗保险&lt;b&gt;');
    expect(out).toContain('<dd data-attr="service_target"><span class="not-stated">文件未明确</span></dd>');
    expect(out).toContain('补助 不低于 380元（每人每年）');
    expect(out).toContain('中央与地方共同承担');
    expect(out).toContain('中央分担比例（西部）80%');
  });
  it("shows a version's errata on its page: the wording before and after, who proposed and who approved (escaped); to a visitor, the bodies only", () => {
    const ctx = { lang: 'en' as const, t: translator('en'), identity: personas['nhc-staff'], url: '/', signInEnabled: true };
    const national = ItemVersion.fromPartial({
      item: base,
      version: 1,
      errata: [
        {
          erratumId: 'INS-05-v1-E1',
          status: 'approved',
          reason: '名称勘误',
          changes: [{ field: 'name', before: '旧<名>', after: '新名' }],
          proposedBy: { subject: 'nhc.approver.zhao', organisation: 'NHC' },
          proposedAt: new Date('2026-03-01T08:00:00Z'),
          approvedBy: { subject: 'sco.final.zhou', organisation: 'SCO' },
          approvedAt: new Date('2026-03-02T08:00:00Z'),
        },
      ],
    });
    const out = itemPage(ctx, { date: '', province: '' }, { national, provincial: undefined }, [national], undefined).value;
    expect(out).toContain('data-testid="errata"');
    expect(out).toContain('<td>name</td><td>旧&lt;名&gt;</td><td>新名</td>');
    expect(out).toContain('nhc.approver.zhao');
    expect(out).toContain('sco.final.zhou');
    const visitor = itemPage({ ...ctx, identity: undefined }, { date: '', province: '' }, { national, provincial: undefined }, [national], undefined).value;
    expect(visitor).not.toContain('nhc.approver.zhao');
    expect(visitor).not.toContain('sco.final.zhou');
    expect(visitor).toContain('<td>NHC<br>');
    expect(
      itemPage(ctx, { date: '', province: '' }, { national: { ...national, errata: [] }, provincial: undefined }, [national], undefined).value,
    ).not.toContain('data-testid="errata"');
  });
});
