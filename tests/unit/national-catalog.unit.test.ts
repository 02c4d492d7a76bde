import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  baselineEdition,
  organisations,
  seedLevelStatements,
  statementItemCodes,
  taxonomy2021,
  type Citation,
  type SeedItem,
} from '../../services/registry/seed/national-catalog';

const SEED_FILES = {
  '000': '000_5ffe953b0918fa30.txt',
  '001': '001_924da464e9dfc889.txt',
  '002': '002_b7714ede37ff3d92.txt',
  '003': '003_dd985e2fdcd4b212.txt',
  '004': '004_aa62c35e6d8f4d4e.txt',
} as const;

const seedLines = new Map<string, string[]>();
function linesOf(seed: keyof typeof SEED_FILES): string[] {
  let lines = seedLines.get(seed);
  if (!lines) {
    const text = readFileSync(new URL(`../../../shared/seeds/${SEED_FILES[seed]}`, import.meta.url), 'utf8');
    lines = text.split('\n');
    seedLines.set(seed, lines);
  }
  return lines;
}

/** The text of the cited lines (1-based), concatenated without line breaks. */
function citedText(c: Citation): string {
  const lines = linesOf(c.seed);
  return c.lines
    .map((n) => {
      const line = lines[n - 1];
      if (line === undefined) throw new Error(`seed ${c.seed} has no line ${n}`);
      return line;
    })
    .join('');
}

function expectCitationHolds(c: Citation, context: string): void {
  expect(c.lines.length, `${context}: no line cited`).toBeGreaterThan(0);
  expect(c.quote.length, `${context}: empty quote`).toBeGreaterThan(0);
  expect(citedText(c), `${context}: quote not found at seed ${c.seed} line(s) ${c.lines.join(',')}`).toContain(c.quote);
}

/** Stated string values are verbatim fragments of the quote, fragments separated by '；'. */
function expectValueFromQuote(value: string, c: Citation, context: string): void {
  for (const fragment of value.split('；')) {
    expect(c.quote, `${context}: value fragment "${fragment}" is not in the quote`).toContain(fragment);
  }
}

const EXPECTED_FIELDS: readonly [string, string, number][] = [
  ['F17-EDU', '公共教育', 8],
  ['F17-EMP', '劳动就业创业', 10],
  ['F17-INS', '社会保险', 7],
  ['F17-HEA', '医疗卫生', 20],
  ['F17-SOC', '社会服务', 13],
  ['F17-HOU', '住房保障', 3],
  ['F17-CUL', '公共文化体育', 10],
  ['F17-DIS', '残疾人服务', 10],
];

const PREFIX: Readonly<Record<string, string>> = {
  'F17-EDU': 'EDU',
  'F17-EMP': 'EMP',
  'F17-INS': 'INS',
  'F17-HEA': 'HEA',
  'F17-SOC': 'SOC',
  'F17-HOU': 'HOU',
  'F17-CUL': 'CUL',
  'F17-DIS': 'DIS',
};

describe('national catalogue: 2017 baseline edition (国发〔2017〕9号)', () => {
  const { fields, items } = baselineEdition;

  it('has 81 items in 8 fields with the seed counts', () => {
    expect(items).toHaveLength(81);
    expect(fields.map((f) => [f.code, f.name, f.itemCount])).toEqual(EXPECTED_FIELDS);
    expect(fields.map((f) => f.order)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const f of fields) {
      expect(
        items.filter((i) => i.fieldCode === f.code),
        f.code,
      ).toHaveLength(f.itemCount);
    }
    expect(fields.reduce((n, f) => n + f.itemCount, 0)).toBe(81);
  });

  it('field names and chapter headings are the seed text', () => {
    const lines = linesOf('001');
    // 第三章第二节: "…包括公共教育、劳动就业创业、…、残疾人服务等八个领域的81个项目"
    const listLine = lines[95] ?? '';
    expect(listLine).toContain(`${fields.map((f) => f.name).join('、')}等八个领域的81个项目`);
    for (const f of fields) {
      expect(lines, f.chapter).toContain(f.chapter);
    }
  });

  it('item and field codes are unique and well-formed', () => {
    const codes = items.map((i) => i.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(fields.map((f) => f.code)).size).toBe(fields.length);
    for (const item of items) {
      const prefix = PREFIX[item.fieldCode];
      expect(prefix, item.code).toBeDefined();
      expect(item.code).toBe(`${prefix}-${String(item.order).padStart(2, '0')}`);
    }
  });

  it('every item name occurs in the seed at its cited line, in list order', () => {
    for (const item of items) {
      const c = item.listCitation;
      expect(c.seed).toBe('001');
      expect(c.lines).toHaveLength(1);
      expectCitationHolds(c, `${item.code} listCitation`);
      expect(c.quote, item.code).toMatch(/^本领域服务项目共\d+项，具体包括：.*。$/);
      expect(citedText(c), item.code).toContain(item.name);
    }
    // The list sentence, split on '、', gives exactly the item names in order.
    for (const f of fields) {
      const fieldItems = items.filter((i) => i.fieldCode === f.code);
      const quote = fieldItems[0]?.listCitation.quote ?? '';
      const m = /^本领域服务项目共(\d+)项，具体包括：(.*)。$/.exec(quote);
      expect(m, f.code).not.toBeNull();
      expect(Number(m?.[1])).toBe(f.itemCount);
      expect((m?.[2] ?? '').split('、')).toEqual(fieldItems.map((i) => i.name));
      expect(fieldItems.map((i) => i.order)).toEqual(fieldItems.map((_, k) => k + 1));
    }
  });

  it('every stated attribute quotes its cited seed line(s)', () => {
    const attrs = [
      'serviceTarget',
      'serviceContent',
      'qualityStandard',
      'paymentCategory',
      'expenditureResponsibility',
      'leadUnit',
    ] as const satisfies readonly (keyof SeedItem)[];
    let statedCount = 0;
    for (const item of items) {
      for (const attr of attrs) {
        const a = item[attr];
        if (!a.stated) {
          expect(Object.keys(a)).toEqual(['stated']);
          continue;
        }
        statedCount += 1;
        expectCitationHolds(a.citation, `${item.code}.${attr}`);
      }
      if (item.serviceTarget.stated) {
        expectValueFromQuote(item.serviceTarget.value, item.serviceTarget.citation, `${item.code}.serviceTarget`);
      }
      if (item.serviceContent.stated) {
        expectValueFromQuote(item.serviceContent.value, item.serviceContent.citation, `${item.code}.serviceContent`);
      }
    }
    expect(statedCount).toBeGreaterThan(0);
  });

  it('quality standards: every metric value appears in the quoted text; figures are the seed figures', () => {
    for (const item of items) {
      const q = item.qualityStandard;
      if (!q.stated) continue;
      expect(q.value.metrics.length, item.code).toBeGreaterThan(0);
      expect(q.citation.quote).toContain(q.value.text);
      for (const m of q.value.metrics) {
        expect(m.metric).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(Number.isFinite(m.value)).toBe(true);
        if (m.asOf !== undefined) expect(m.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
    const ins05 = items.find((i) => i.code === 'INS-05');
    expect(ins05?.name).toBe('城乡居民基本医疗保险');
    expect(ins05?.qualityStandard.stated && ins05.qualityStandard.value.metrics[0]?.value).toBe(380);
  });

  it('no seed states expenditure responsibility or lead unit for any item', () => {
    for (const item of items) {
      expect(item.expenditureResponsibility.stated, item.code).toBe(false);
      expect(item.leadUnit.stated, item.code).toBe(false);
    }
  });

  it('statements are keyed by real item codes', () => {
    const codes = new Set(items.map((i) => i.code));
    for (const code of statementItemCodes) expect(codes.has(code), code).toBe(true);
  });
});

describe('national catalogue: levels stated outside item standards', () => {
  it('quote their seeds and point at real items', () => {
    const codes = new Set(baselineEdition.items.map((i) => i.code));
    const ids = seedLevelStatements.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of seedLevelStatements) {
      expectCitationHolds(s.citation, s.id);
      expect(s.citation.quote, s.id).toContain(String(s.metric.value === 100 ? '全部' : s.metric.value));
      for (const code of s.appliesTo) expect(codes.has(code), `${s.id} -> ${code}`).toBe(true);
    }
    const bphs = seedLevelStatements.find((s) => s.id === 'bphs-funding-per-capita-2015');
    expect(bphs?.metric.value).toBe(40);
    expect(bphs?.citation.quote).toContain('每人每年40元');
  });
});

describe('taxonomy2021', () => {
  it('has 9 fields and 22 categories with unique codes', () => {
    expect(taxonomy2021.fields).toHaveLength(9);
    const categories = taxonomy2021.fields.flatMap((f) => f.categories);
    expect(categories).toHaveLength(22);
    const codes = [...taxonomy2021.fields.map((f) => f.code), ...categories.map((c) => c.code)];
    expect(new Set(codes).size).toBe(codes.length);
    for (const f of taxonomy2021.fields) expect(f.code).toMatch(/^F21-[A-Z-]+$/);
    for (const c of categories) expect(c.code).toMatch(/^C21-[A-Z-]+$/);
  });

  it('field names match seed 002 (9大领域)', () => {
    const line16 = linesOf('002')[15] ?? '';
    expect(line16).toContain(`${taxonomy2021.fields.map((f) => f.name).join('、')}等9大领域`);
    expect(linesOf('002')[17] ?? '').toContain('9大领域、22类服务事项');
  });
});

describe('organisations', () => {
  it('has 31 provincial-level divisions + XPCC with unique GB/T 2260 codes', () => {
    const { provinces } = organisations;
    expect(provinces).toHaveLength(32);
    expect(new Set(provinces.map((p) => p.code)).size).toBe(32);
    expect(new Set(provinces.map((p) => p.name)).size).toBe(32);
    for (const p of provinces) expect(p.code).toMatch(/^[1-6]\d0000$/);
    expect(provinces.find((p) => p.code === '110000')?.name).toBe('北京市');
    expect(provinces.find((p) => p.code === '650000')?.name).toBe('新疆维吾尔自治区');
    expect(provinces.find((p) => p.code === '660000')?.name).toBe('新疆生产建设兵团');
    const tiers = (t: string) => provinces.filter((p) => p.code !== '660000' && p.regionTier === t).length;
    expect([tiers('EAST'), tiers('CENTRAL'), tiers('WEST')]).toEqual([11, 8, 12]);
  });

  it('has unique ministry codes, including the ones the brief requires', () => {
    const { ministries } = organisations;
    expect(new Set(ministries.map((m) => m.code)).size).toBe(ministries.length);
    const byCode = new Map(ministries.map((m) => [m.code, m.name]));
    expect(byCode.get('MOE')).toBe('教育部');
    expect(byCode.get('MOHRSS')).toBe('人力资源社会保障部');
    expect(byCode.get('NHC')).toBe('国家卫生健康委');
    for (const code of ['MCA', 'MOHURD', 'MCT', 'GAS', 'CDPF', 'NDRC', 'MOF', 'NHSA', 'MVA', 'MOJ']) {
      expect(byCode.has(code), code).toBe(true);
    }
  });
});
