// The current structure (9 fields / 22 categories) over the 2017 items, the lead units of seed 000's annex, and the
// labels of metric units and bases. Citations are checked against the seed files themselves.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OrganisationKind } from '../../proto/gen/bps/common/v1/common';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { classifier, inField } from '../../services/registry/domain/placement';
import { serviceItemFromSeed, taxonomyHistory } from '../../services/registry/seed/baseline';
import { baselineEdition, organisations, seedLevelStatements, taxonomy2021, type Citation } from '../../services/registry/seed/national-catalog';
import { annexRows, placementByItem, placements2021 } from '../../services/registry/seed/placement-2021';
import { assertMayDraft, fieldCodesOf, type RegistryItem } from '../../services/proposals/domain/checks';
import { PermissionDeniedError } from '../../services/shared/errors/errors';
import { basisLabel, basisLabels, metricLevelText, unitLabel, unitLabels } from '../../services/shared/standards/units';

const seedFile = {
  '000': '000_5ffe953b0918fa30.txt',
  '001': '001_924da464e9dfc889.txt',
  '002': '002_b7714ede37ff3d92.txt',
  '003': '003_dd985e2fdcd4b212.txt',
  '004': '004_aa62c35e6d8f4d4e.txt',
} as const;
const lines = (seed: keyof typeof seedFile): string[] => readFileSync(new URL(`../../../shared/seeds/${seedFile[seed]}`, import.meta.url), 'utf8').split('\n');
const cited = (c: Citation): string => c.lines.map((n) => lines(c.seed)[n - 1] ?? '').join('');

const fields2021 = new Map(taxonomy2021.fields.map((f) => [f.code, f]));
const ministries = new Map(organisations.ministries.map((m) => [m.code, m.name]));
const seeded = (code: string) => {
  const s = baselineEdition.items.find((i) => i.code === code);
  if (!s) throw new Error(`no item ${code}`);
  return serviceItemFromSeed(s);
};

describe('every 2017 item in the 9-field / 22-category structure', () => {
  it('places each of the 81 items exactly once, in a field and one of its categories', () => {
    expect(placements2021).toHaveLength(81);
    expect(new Set(placements2021.map((p) => p.itemCode))).toEqual(new Set(baselineEdition.items.map((i) => i.code)));
    for (const p of placements2021) {
      const field = fields2021.get(p.fieldCode);
      expect(field, p.itemCode).toBeDefined();
      expect(
        field?.categories.map((c) => c.code),
        `${p.itemCode}: ${p.categoryCode} is not a category of ${p.fieldCode}`,
      ).toContain(p.categoryCode);
    }
  });

  it('has the nine fields the seeds name and fills each of the 22 categories', () => {
    expect(taxonomy2021.fields.map((f) => f.name)).toEqual([
      '幼有所育',
      '学有所教',
      '劳有所得',
      '病有所医',
      '老有所养',
      '住有所居',
      '弱有所扶',
      '优军服务保障',
      '文体服务保障',
    ]);
    const line16 = lines('002')[15] ?? '';
    for (const f of taxonomy2021.fields) expect(line16, `002 line 16 names ${f.name}`).toContain(f.name);
    expect(lines('002')[17]).toContain('9大领域、22类服务事项');
    const categories = taxonomy2021.fields.flatMap((f) => f.categories.map((c) => c.code));
    expect(categories).toHaveLength(22);
    expect(new Set(placements2021.map((p) => p.categoryCode))).toEqual(new Set(categories));
  });

  it('quotes the seed for a stated field placement and gives the reason for an attributed one', () => {
    for (const p of placements2021) {
      if (p.field.stated) {
        expect(cited(p.field.citation), `${p.itemCode}: quote not at seed ${p.field.citation.seed} line ${p.field.citation.lines.join(',')}`).toContain(
          p.field.citation.quote,
        );
        // The cited paragraph is the field's own: 000 §三 opens each paragraph with the field name, 002 names it in the line.
        expect(cited(p.field.citation), p.itemCode).toContain(fields2021.get(p.fieldCode)?.name ?? '?');
      } else {
        expect(p.field.reason.length, p.itemCode).toBeGreaterThan(20);
      }
      // Category names are not in the seeds: always attributed, with the reason.
      expect(p.categoryReason).toContain('不在种子文件中');
    }
    const attributed = placements2021.filter((p) => !p.field.stated).map((p) => p.itemCode);
    expect(attributed).toEqual(['EDU-04', 'INS-03', 'HEA-08', 'HEA-09', 'HEA-10', 'HEA-11', 'HEA-12', 'HEA-13', 'HEA-14', 'HEA-17', 'CUL-08']);
    // EDU-04: seed 000 describes preschool aid under 幼有所育; the reason must say so rather than hide it.
    const edu04 = placementByItem.get('EDU-04');
    expect(edu04?.field.stated === false && edu04.field.reason).toContain('幼有所育');
  });

  it('records the lineage of the 2017 fields into the current ones', () => {
    const t2021 = taxonomyHistory.find((t) => t.taxonomyId === 'taxonomy-2021');
    const edges = new Map((t2021?.lineage ?? []).map((l) => [`${l.fromFieldCode}->${l.toFieldCode}`, l.itemCodes]));
    expect(edges.get('F17-SOC->F21-MILITARY')).toEqual(['SOC-11', 'SOC-12', 'SOC-13']);
    expect(edges.get('F17-INS->F21-HEALTH')).toEqual(['INS-03', 'INS-04', 'INS-05']);
    expect(edges.get('F17-DIS->F21-VULNERABLE')).toHaveLength(10);
    expect([...edges.values()].flat()).toHaveLength(81);
    expect(t2021?.placements).toHaveLength(81);
    expect(t2021?.effectiveFrom).toBe('2021-03-30');
  });
});

describe('lead units from seed 000 annex (重点任务分工方案)', () => {
  // Each row of the annex as quoted: the line must carry the row number, the field task, and the units cell.
  const annex: readonly [row: number, fieldName: string, units: string][] = [
    [4, '幼有所育', '教育部、国家卫生健康委、民政部、国家中医药局按职责分工负责'],
    [5, '学有所教', '教育部牵头负责'],
    [6, '劳有所得', '人力资源社会保障部牵头负责'],
    [7, '病有所医', '国家卫生健康委、国家医保局、国家中医药局按职责分工负责'],
    [8, '老有所养', '民政部、人力资源社会保障部、国家卫生健康委、国家中医药局按职责分工负责'],
    [9, '住有所居', '住房和城乡建设部牵头负责'],
    [10, '弱有所扶', '民政部、人力资源社会保障部、司法部、应急管理部、国家医保局、中国残联等按职责分工负责'],
    [11, '优军服务保障', '退役军人事务部牵头负责'],
    [12, '文体服务保障', '中央宣传部、文化和旅游部、广电总局、体育总局、国家文物局等按职责分工负责'],
  ];

  it.each(annex)('row %i (%s) is quoted verbatim and its units are the ones used', (row, fieldName, units) => {
    const r = annexRows.find((a) => a.row === row);
    expect(r).toBeDefined();
    const line = lines('000')[(r?.line ?? 0) - 1] ?? '';
    expect(line.startsWith(`${row}\t细化落实${fieldName}方面国家基本公共服务质量要求。\t`)).toBe(true);
    expect(line.endsWith(units)).toBe(true);
    expect(r?.quote).toBe(units);
    expect(fields2021.get(r?.fieldCode ?? '')?.name).toBe(fieldName);
    // Every unit named by the row is a known organisation whose name the row contains.
    for (const code of r?.units ?? []) expect(units, code).toContain((ministries.get(code) ?? '?').replace('住房城乡建设部', '住房和城乡建设部'));
    // Every item of the field is led by one of the row's units (the one unit, where the row names one).
    const items = placements2021.filter((p) => p.fieldCode === r?.fieldCode);
    expect(items.length).toBeGreaterThan(0);
    for (const p of items) {
      expect(r?.units, p.itemCode).toContain(p.leadUnit);
      expect(p.leadUnitReason, p.itemCode).toContain(`第${row}行`);
    }
    if (r?.single) expect(new Set(items.map((p) => p.leadUnit))).toEqual(new Set(r.units));
  });

  it.each([
    ['SOC-11', 'MVA', '退役军人事务部'],
    ['SOC-12', 'MVA', '退役军人事务部'],
    ['SOC-13', 'MVA', '退役军人事务部'],
    ['SOC-06', 'MOJ', '司法部'],
    ['INS-03', 'NHSA', '国家医保局'],
    ['INS-05', 'NHSA', '国家医保局'],
    ['INS-04', 'NHSA', '国家医保局'],
    ['SOC-03', 'NHSA', '国家医保局'],
    ['CUL-09', 'GAS', '体育总局'],
    ['CUL-10', 'GAS', '体育总局'],
    ['CUL-03', 'NRTA', '广电总局'],
    ['CUL-04', 'NRTA', '广电总局'],
    ['CUL-08', 'NCHA', '国家文物局'],
    ['SOC-05', 'MEM', '应急管理部'],
    ['HEA-12', 'NATCM', '国家中医药局'],
    ['HEA-01', 'NHC', '国家卫生健康委'],
    ['EDU-04', 'MOE', '教育部'],
    ['HOU-03', 'MOHURD', '住房城乡建设部'],
  ])('seeds %s with lead unit %s (%s), not stated per item', (itemCode, code, name) => {
    const item = seeded(itemCode);
    expect(item.leadUnit).toEqual({ code, name, kind: OrganisationKind.ORGANISATION_KIND_MINISTRY });
    // The annex names units per field, never per item: the choice stays attributed.
    expect(item.leadUnitStated).toBe(false);
  });

  it('uses several units per field where the annex names several', () => {
    const unitsOf = (fieldCode: string) => new Set(placements2021.filter((p) => p.fieldCode === fieldCode).map((p) => p.leadUnit));
    expect(unitsOf('F21-VULNERABLE')).toEqual(new Set(['MCA', 'NHSA', 'MEM', 'MOJ', 'CDPF']));
    expect(unitsOf('F21-CULTURE-SPORTS')).toEqual(new Set(['MCT', 'NRTA', 'PD', 'NCHA', 'GAS']));
    expect(unitsOf('F21-HEALTH')).toEqual(new Set(['NHC', 'NHSA', 'NATCM']));
  });

  it('lets the annex lead unit draft for its items and refuses the 2017 sector ministry', () => {
    const view = new Map<string, RegistryItem | null>([
      ['SOC-11', { version: 1, retired: false, item: seeded('SOC-11') }],
      ['SOC-06', { version: 1, retired: false, item: seeded('SOC-06') }],
    ]);
    const modify = (itemCode: string): ProposalContent =>
      ProposalContent.fromPartial({
        changes: [{ changeId: 'c1', change: { $case: 'modifyItem', modifyItem: { base: { itemCode, version: 1 }, item: seeded(itemCode) } } }],
      });
    expect(() => assertMayDraft({ organisation: 'MVA', roles: ['ministry-staff'] }, modify('SOC-11'), view)).not.toThrow();
    expect(() => assertMayDraft({ organisation: 'MOJ', roles: ['ministry-staff'] }, modify('SOC-06'), view)).not.toThrow();
    expect(() => assertMayDraft({ organisation: 'MCA', roles: ['ministry-staff'] }, modify('SOC-11'), view)).toThrow(PermissionDeniedError);
    expect(() => assertMayDraft({ organisation: 'MCA', roles: ['ministry-staff'] }, modify('SOC-06'), view)).toThrow(PermissionDeniedError);
  });
});

describe('reading an item under the taxonomy in force', () => {
  const t2017 = taxonomyHistory.find((t) => t.taxonomyId === 'taxonomy-2017') ?? null;
  const t2021 = taxonomyHistory.find((t) => t.taxonomyId === 'taxonomy-2021') ?? null;

  it('shows a 2017 version in its current field and category, with names, the recorded field and the reasons', () => {
    const classified = classifier(t2021, t2017 ? [t2017] : [])(seeded('SOC-11'));
    const { item, placement } = classified;
    expect(item).toMatchObject({ itemCode: 'SOC-11', fieldCode: 'F21-MILITARY', categoryCode: 'C21-VETERAN-PREFERENTIAL' });
    expect(placement).toMatchObject({
      taxonomyId: 'taxonomy-2021',
      fieldName: '优军服务保障',
      categoryName: '优军优抚服务',
      recordedFieldCode: 'F17-SOC',
      fieldStated: true,
      categoryStated: false,
    });
    expect(placement.fieldBasis).toContain('对符合条件的优抚对象提供抚恤和生活补助');
    expect(placement.leadUnitBasis).toContain('退役军人事务部牵头负责');
    const attributed = classifier(t2021)(seeded('HEA-09')).placement;
    expect(attributed).toMatchObject({ fieldName: '病有所医', fieldStated: false });
    expect(attributed.fieldBasis).toMatch(/^推定：/);
    // Old field codes still select the items recorded under them; current codes select by placement.
    expect(inField('F17-SOC', classified)).toBe(true);
    expect(inField('F21-MILITARY', classified)).toBe(true);
    expect(inField('F21-VULNERABLE', classified)).toBe(false);
    // A later version recorded in the current field is still selected by the 2017 field it was placed in then.
    const v2 = classifier(t2021, t2017 ? [t2017] : [])({ ...seeded('SOC-11'), fieldCode: 'F21-MILITARY', categoryCode: 'C21-VETERAN-PREFERENTIAL' });
    expect(v2.placement.recordedFieldCode).toBe('');
    expect(inField('F17-SOC', v2)).toBe(true);
  });

  it('shows the 2017 structure under the 2017 taxonomy', () => {
    const { item, placement } = classifier(t2017)(seeded('SOC-11'));
    expect(item.fieldCode).toBe('F17-SOC');
    expect(placement).toMatchObject({ taxonomyId: 'taxonomy-2017', fieldName: '社会服务', recordedFieldCode: '', fieldStated: true });
    expect(placement.fieldBasis).toContain('本领域服务项目共13项');
  });

  it('leaves a version recorded in a current field where it is', () => {
    const moved = { ...seeded('HEA-01'), fieldCode: 'F21-ELDERLY', categoryCode: 'C21-ELDERLY-CARE' };
    const { item, placement } = classifier(t2021)(moved);
    expect(item.fieldCode).toBe('F21-ELDERLY');
    expect(placement).toMatchObject({ fieldName: '老有所养', recordedFieldCode: '', fieldBasis: '' });
  });

  it('gives proposals the current field of the items they touch', () => {
    const [shown] = [classifier(t2021)(seeded('INS-05')).item];
    const view = new Map<string, RegistryItem | null>([['INS-05', { version: 1, retired: false, item: shown as NonNullable<typeof shown> }]]);
    const content = ProposalContent.fromPartial({
      changes: [{ changeId: 'c1', change: { $case: 'modifyItem', modifyItem: { base: { itemCode: 'INS-05', version: 1 }, item: shown } } }],
    });
    expect(fieldCodesOf(content, view)).toEqual(['F21-HEALTH']);
  });
});

describe('labels of metric units and bases', () => {
  const used = [
    ...baselineEdition.items.flatMap((i) => (i.qualityStandard.stated ? i.qualityStandard.value.metrics : [])),
    ...seedLevelStatements.map((s) => s.metric),
  ];

  it('has a zh and an en label for every unit and basis the seeded catalogue uses', () => {
    expect(used.length).toBeGreaterThan(5);
    for (const m of used) {
      expect(unitLabels[m.unit], `unit ${m.unit}`).toBeDefined();
      expect(basisLabels[m.basis], `basis ${m.basis}`).toBeDefined();
      for (const lang of ['zh', 'en'] as const) {
        expect(unitLabel(lang, m.unit).length).toBeGreaterThan(0);
        expect(basisLabel(lang, m.basis)).not.toMatch(/_/);
      }
    }
  });

  it('reads a level as people write it, never as raw keys', () => {
    const film = { value: '1', unit: 'screening', basis: 'per_administrative_village_per_month' };
    expect(metricLevelText('zh', film)).toBe('1场（每个行政村每月）');
    expect(metricLevelText('en', film)).toBe('1 screening(s) (per administrative village per month)');
    expect(metricLevelText('zh', { value: '380', unit: 'CNY', basis: 'per_person_per_year' })).toBe('380元（每人每年）');
    expect(metricLevelText('en', { value: '95', unit: 'percent', basis: '' })).toBe('95%');
    // An unknown key is shown as itself, not dropped.
    expect(unitLabel('zh', 'furlong')).toBe('furlong');
  });
});
