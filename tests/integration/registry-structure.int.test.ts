// The current structure through gRPC: today's catalogue is read in the 9 fields / 22 categories (names, stated or
// attributed placements, lead units of seed 000's annex); a date before the 2021 taxonomy shows the 2017 structure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from '../../services/shared/grpc/client';
import { ChangeType } from '../../proto/gen/bps/standards/v1/events';
import { standardEvents } from '../../services/shared/events/standards';
import { startTestRegistry, type TestRegistry } from './registry-helpers';

const d = (s: string) => {
  const [year, month, day] = s.split('-').map(Number);
  return { year: year ?? 0, month: month ?? 0, day: day ?? 0 };
};

describe('registry: the current structure over the 2017 items', () => {
  let r: TestRegistry;
  let token: string;
  const list = (date: string | undefined, fieldCode = '', categoryCode = '') =>
    unary(
      r.client.listItems.bind(r.client),
      { asOf: date ? { date: d(date), knownAt: undefined } : undefined, fieldCode, categoryCode, provinceCode: '' },
      token,
    );

  beforeAll(async () => {
    r = await startTestRegistry('reg-struct');
    token = await r.token('auditor');
  });
  afterAll(async () => r.stop());

  it("lists today's items of a current field with its name, category and the annex lead unit", async () => {
    const military = await list(undefined, 'F21-MILITARY');
    expect(military.items.map((v) => v.item?.itemCode)).toEqual(['SOC-11', 'SOC-12', 'SOC-13']);
    for (const v of military.items) {
      expect(v.item).toMatchObject({
        fieldCode: 'F21-MILITARY',
        categoryCode: 'C21-VETERAN-PREFERENTIAL',
        leadUnit: { code: 'MVA', name: '退役军人事务部' },
        leadUnitStated: false,
      });
      expect(v.placement).toMatchObject({
        taxonomyId: 'taxonomy-2021',
        fieldName: '优军服务保障',
        categoryName: '优军优抚服务',
        recordedFieldCode: 'F17-SOC',
        fieldStated: true,
      });
      expect(v.placement?.leadUnitBasis).toContain('退役军人事务部牵头负责');
      expect(v.version).toBe(1); // a taxonomy, not an item edition: no version invented
    }
    const sports = await list(undefined, '', 'C21-PUBLIC-SPORTS');
    expect(sports.items.map((v) => [v.item?.itemCode, v.item?.leadUnit?.code])).toEqual([
      ['CUL-09', 'GAS'],
      ['CUL-10', 'GAS'],
    ]);
  });

  it('puts all 81 items in the nine fields today, each in a category, attributed ones with their reason', async () => {
    const today = await list(undefined);
    expect(today.items).toHaveLength(81);
    expect(new Set(today.items.map((v) => v.placement?.fieldName))).toEqual(
      new Set(['幼有所育', '学有所教', '劳有所得', '病有所医', '老有所养', '住有所居', '弱有所扶', '优军服务保障', '文体服务保障']),
    );
    expect(new Set(today.items.map((v) => v.item?.categoryCode)).size).toBe(22);
    const attributed = today.items.filter((v) => v.placement?.fieldStated === false);
    expect(attributed.map((v) => v.item?.itemCode).sort()).toEqual([
      'CUL-08',
      'EDU-04',
      'HEA-08',
      'HEA-09',
      'HEA-10',
      'HEA-11',
      'HEA-12',
      'HEA-13',
      'HEA-14',
      'HEA-17',
      'INS-03',
    ]);
    for (const v of attributed) expect(v.placement?.fieldBasis).toMatch(/^推定：.{20,}/);
    for (const v of today.items) expect(v.placement?.categoryBasis).toContain('不在种子文件中');
    // A 2017 field code still selects the items recorded under it, now shown where they sit today.
    const oldCode = await list(undefined, 'F17-INS');
    expect(oldCode.items.map((v) => [v.item?.itemCode, v.item?.fieldCode])).toEqual([
      ['INS-01', 'F21-ELDERLY'],
      ['INS-02', 'F21-ELDERLY'],
      ['INS-03', 'F21-HEALTH'],
      ['INS-04', 'F21-HEALTH'],
      ['INS-05', 'F21-HEALTH'],
      ['INS-06', 'F21-EMPLOYMENT'],
      ['INS-07', 'F21-EMPLOYMENT'],
    ]);
  });

  it('shows the 2017 structure on a date before the 2021 taxonomy', async () => {
    expect((await list('2021-03-29', 'F21-MILITARY')).items).toEqual([]);
    const before = await list('2021-03-29', 'F17-SOC');
    expect(before.items).toHaveLength(13);
    for (const v of before.items) {
      expect(v.item?.fieldCode).toBe('F17-SOC');
      expect(v.item?.categoryCode).toBe('');
      expect(v.placement).toMatchObject({ taxonomyId: 'taxonomy-2017', fieldName: '社会服务', recordedFieldCode: '' });
    }
    const all = await list('2018-01-01');
    expect(new Set(all.items.map((v) => v.item?.fieldCode)).size).toBe(8);
    const onTheDay = await unary(
      r.client.getItem.bind(r.client),
      { itemCode: 'INS-05', asOf: { date: d('2021-03-30'), knownAt: undefined }, provinceCode: '' },
      token,
    );
    expect(onTheDay.national?.item?.fieldCode).toBe('F21-HEALTH');
    expect(onTheDay.national?.placement?.fieldBasis).toContain('完善统一的城乡居民基本医疗保险制度和生育保险制度');
    // History shows each version as it stood on its own date.
    const history = await unary(r.client.getItemHistory.bind(r.client), { itemCode: 'SOC-11', includeCorrections: false }, token);
    expect(history.versions.map((v) => [v.version, v.item?.fieldCode, v.placement?.fieldName])).toEqual([[1, 'F17-SOC', '社会服务']]);
  });

  it('diffs the day the structure changed as 81 moves, and serves the lineage and the unit labels', async () => {
    const diff = await unary(
      r.client.diffStandards.bind(r.client),
      { from: { $case: 'fromDate', fromDate: d('2021-03-29') }, to: { $case: 'toDate', toDate: d('2021-03-30') }, fieldCode: '' },
      token,
    );
    expect(diff.items).toHaveLength(81);
    expect(
      diff.items.every(
        (i) => i.changeType === ChangeType.CHANGE_TYPE_MOVED && i.changes.every((c) => c.attribute === 'field_code' || c.attribute === 'category_code'),
      ),
    ).toBe(true);
    expect(diff.items.find((i) => i.itemCode === 'SOC-06')?.changes).toEqual([
      { attribute: 'field_code', before: 'F17-SOC', after: 'F21-VULNERABLE' },
      { attribute: 'category_code', before: '', after: 'C21-PUBLIC-LEGAL-SERVICE' },
    ]);
    const taxonomy = await unary(r.client.getTaxonomy.bind(r.client), { asOf: undefined }, token);
    expect(taxonomy).toMatchObject({ taxonomyId: 'taxonomy-2021', effectiveFrom: d('2021-03-30') });
    expect(taxonomy.lineage).toContainEqual({
      fromFieldCode: 'F17-SOC',
      fromFieldName: '社会服务',
      toFieldCode: 'F21-MILITARY',
      itemCodes: ['SOC-11', 'SOC-12', 'SOC-13'],
    });
    const labels = await unary(r.client.listMetricLabels.bind(r.client), {}, token);
    expect(labels.units).toContainEqual({ key: 'screening', zh: '场', en: 'screening(s)' });
    expect(labels.bases).toContainEqual({ key: 'per_administrative_village_per_month', zh: '每个行政村每月', en: 'per administrative village per month' });
  });

  it("names, in a filing's event, the item's field in force on the filing's date", async () => {
    const beijing = await r.token('beijing-officer');
    const file = (effective: string) =>
      unary(
        r.client.fileLocalStandard.bind(r.client),
        {
          provinceCode: '110000',
          itemCode: 'INS-05',
          effectiveFrom: d(effective),
          localFundingSource: '',
          note: '',
          metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
          localFunding: undefined,
        },
        beijing,
      );
    const old = await file('2018-01-01');
    const now = await file('2026-01-01');
    await expect.poll(() => r.eventsOf(standardEvents.localStandardFiled).length, { timeout: 30_000 }).toBe(2);
    const byId = new Map(r.eventsOf(standardEvents.localStandardFiled).map((e) => [e.filingId, e.fieldCode]));
    expect([byId.get(old.filingId), byId.get(now.filingId)]).toEqual(['F17-INS', 'F21-HEALTH']);
  });

  it('gives a taxonomy recorded before placements existed its placements at the next start', async () => {
    await r.running.store.taxonomies.updateOne({ _id: 'taxonomy-2021' }, { $unset: { placements: '', lineage: '' } });
    expect(await r.running.store.taxonomies.countDocuments({ placements: { $exists: true } })).toBe(1); // only taxonomy-2017's
    await r.restart();
    expect((await list(undefined, 'F21-MILITARY')).items).toHaveLength(3);
    expect(await r.running.store.taxonomies.countDocuments({ placements: { $exists: true } })).toBe(2);
  });
});
