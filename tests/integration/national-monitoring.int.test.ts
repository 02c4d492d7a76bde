// Issue #17, national monitoring: the provinces × items matrix against the national floor, from real filings in
// the real registry — at the floor, above it, above it by more than the "blindly high" margin, not filed — with
// counts per province and per field, the margin as a parameter, CSV, and the page; public like the reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../support/identity';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';

type Matrix = {
  asOfDate: string;
  marginPercent: number;
  items: { itemCode: string; fieldCode: string }[];
  provinces: { provinceCode: string; counts: Record<string, number>; cells: Record<string, string> }[];
  byField: { fieldCode: string; counts: Record<string, number> }[];
  totals: Record<string, number>;
};
const METRIC = 'government_subsidy_per_capita';
const filing = (provinceCode: string, value: string) => ({
  provinceCode,
  itemCode: 'INS-05',
  effectiveFrom: { year: 2018, month: 1, day: 1 },
  metrics: [{ metric: METRIC, value, unit: 'CNY', basis: 'per_person_per_year' }],
  ...(value !== '380' ? { localFunding: { currency: 'CNY', fen: '400000000' }, localFundingSource: '省级财政' } : {}),
});

describe('national monitoring (issue #17)', () => {
  let p: TestPlatform;
  const matrix = async (query = ''): Promise<Matrix> => {
    const res = await fetch(`${p.gateway.url}/api/v1/standards/monitoring?date=2018-06-01${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Matrix;
  };
  const cell = (m: Matrix, province: string) => m.provinces.find((x) => x.provinceCode === province)?.cells['INS-05'];

  beforeAll(async () => {
    p = await startTestPlatform('monitoring');
    const zhejiang = await tokenFor({ subject: 'zj.officer.monitoring', name: '浙江省（监测）', organisation: '330000', roles: ['province-officer'] });
    for (const [who, body] of [
      ['beijing-officer', filing('110000', '380')],
      ['guangdong-officer', filing('440000', '420')],
    ] as const) {
      expect((await apiAs(p, who, 'POST', '/api/v1/standards/filings', body)).status).toBe(201);
    }
    const res = await fetch(`${p.gateway.url}/api/v1/standards/filings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${zhejiang}`, 'content-type': 'application/json' },
      body: JSON.stringify(filing('330000', '1000')),
    });
    expect(res.status).toBe(201);
  }, 240_000);
  afterAll(async () => p?.stop());

  it('puts every province × item in one state, with counts that add up, for anyone (no sign-in)', async () => {
    const m = await matrix();
    expect(m.asOfDate).toBe('2018-06-01');
    expect(m.marginPercent).toBe(50);
    // 31 provincial-level divisions and 新疆生产建设兵团 (the registry's seed).
    expect(m.provinces).toHaveLength(32);
    expect(m.items).toHaveLength(81);
    expect(cell(m, '110000')).toBe('AT_FLOOR');
    expect(cell(m, '440000')).toBe('ABOVE_FLOOR');
    expect(cell(m, '330000')).toBe('BLINDLY_HIGH');
    expect(cell(m, '120000')).toBe('NOT_FILED');
    expect(m.totals).toEqual({ BELOW_FLOOR: 0, REFILING_OVERDUE: 0, NOT_FILED: 32 * 81 - 3, AT_FLOOR: 1, ABOVE_FLOOR: 1, BLINDLY_HIGH: 1 });
    const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    expect(m.provinces.every((x) => sum(x.counts) === 81)).toBe(true);
    expect(m.byField.reduce((n, f) => n + sum(f.counts), 0)).toBe(32 * 81);
  });

  it('takes the blindly-high margin as a parameter, and narrows to a field', async () => {
    const strict = await matrix('&margin=5');
    expect(cell(strict, '440000')).toBe('BLINDLY_HIGH');
    const lax = await matrix('&margin=200');
    expect(cell(lax, '330000')).toBe('ABOVE_FLOOR');
    const field = (await matrix()).items.find((i) => i.itemCode === 'INS-05')!.fieldCode;
    const one = await matrix(`&field=${field}`);
    expect(one.items.every((i) => i.fieldCode === field)).toBe(true);
    expect(one.items.length).toBeLessThan(81);
    const bad = await fetch(`${p.gateway.url}/api/v1/standards/monitoring?margin=-1`);
    expect(bad.status).toBe(400);
  });

  it('exports the matrix as CSV and renders it as a page', async () => {
    const csv = await (await fetch(`${p.gateway.url}/api/v1/standards/monitoring.csv?date=2018-06-01`)).text();
    const lines = csv.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('province_code,province,field_code,item_code,item,state');
    expect(lines).toHaveLength(1 + 32 * 81);
    expect(lines.find((l) => l.startsWith('330000,') && l.includes(',INS-05,'))).toMatch(/,BLINDLY_HIGH$/);
    const page = await (await fetch(`${p.gateway.url}/standards/monitoring?date=2018-06-01`)).text();
    expect(page).toContain('data-testid="monitoring-matrix"');
    expect(page).toMatch(/<td class="cell cell-blindly_high" data-province="330000" data-state="BLINDLY_HIGH"/);
    expect(page).toContain('href="/standards/monitoring"');
    // History: a chart and a table of the national counts over the year before the date, with their CSV.
    expect(page).toContain('data-testid="monitoring-history-chart"');
    expect(page).toMatch(/<tr data-date="2018-06-01"><th scope="row">[^]*?<td class="num" data-state="BLINDLY_HIGH">1<\/td>/);
    expect(page).toContain('href="/api/v1/standards/monitoring/history.csv?from=2017-06-01&amp;to=2018-06-01');
  });
});
