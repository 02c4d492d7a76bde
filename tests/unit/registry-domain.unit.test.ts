// The registry's pure decisions: change sets (versions, conflicts, floors, split/merge), filings against the
// national level, catalogue diffs, dates and decimals, and the monotone search used by point-in-time reads.
import { describe, expect, it } from 'vitest';
import { Comparator, type ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ReleaseKind, type ChangeSet, type ItemChange } from '../../proto/gen/bps/standards/v1/changes';
import { ChangeType } from '../../proto/gen/bps/standards/v1/events';
import { decideChangeSet } from '../../services/registry/domain/changeset';
import { decide } from './registry-change-sets';
import { loweredMetrics } from '../../services/shared/standards/metrics';
import { parseDate } from '../../services/registry/domain/dates';
import { addDays, todayInChina } from '../../services/shared/standards/china-date';
import { compareDecimals, isDecimal } from '../../services/shared/standards/decimal';
import { attributeChanges, diffCatalogues, type ResolvedItem } from '../../services/registry/domain/diff';
import { decideFiling, filingDecider, type FilingState, type LocalMetric, type LocalStandardFiled } from '../../services/registry/domain/filing';
import { handleCommand, type AggregateStore } from '../../services/shared/domain/command-handler';
import type { CurrentVersion } from '../../services/registry/domain/model';
import { baselineRelease, knownTaxonomy, serviceItemFromSeed } from '../../services/registry/seed/baseline';
import { baselineEdition } from '../../services/registry/seed/national-catalog';
import { ConcurrencyError, ruleRefusalError, ValidationError } from '../../services/shared/errors/errors';

const seedItem = (code: string): ServiceItem => serviceItemFromSeed(baselineEdition.items.find((i) => i.code === code)!);
const ins05 = seedItem('INS-05');
const withValue = (item: ServiceItem, value: string): ServiceItem => ({
  ...item,
  qualityStandard: { ...item.qualityStandard!, metrics: item.qualityStandard!.metrics.map((m) => ({ ...m, value })) },
});
const current = (...items: [ServiceItem, number, string?, boolean?][]): Map<string, CurrentVersion> =>
  new Map(
    items.map(([item, version, effectiveFrom = '2017-01-23', retired = false]) => [
      item.itemCode,
      { itemCode: item.itemCode, version, effectiveFrom, retired, item },
    ]),
  );
const changeSet = (changes: ItemChange['change'][], effective = { year: 2020, month: 1, day: 1 }): ChangeSet => ({
  changeSetId: 'cs-1',
  kind: ReleaseKind.RELEASE_KIND_AMENDMENT,
  title: 't',
  effectiveFrom: effective,
  provenance: undefined,
  fieldCodes: [],
  changes: changes.map((change, i) => ({ changeId: `c${i + 1}`, change })),
});
const modify = (item: ServiceItem, version: number, lowersFloor = false, why = ''): ItemChange['change'] => ({
  $case: 'modifyItem',
  modifyItem: { base: { itemCode: item.itemCode, version }, item, lowersFloor, loweringJustification: why },
});

describe('baseline from the seeds', () => {
  it('is 81 items, version 1, lead units attributed by field and flagged not stated', () => {
    const release = baselineRelease();
    expect(release.versions).toHaveLength(81);
    expect(release.effectiveFrom).toBe('2017-01-23');
    expect(release.versions.every((v) => v.version === 1 && !v.item.leadUnitStated && v.item.leadUnit?.code)).toBe(true);
    expect(seedItem('DIS-01').leadUnit?.code).toBe('CDPF');
    expect(seedItem('INS-01').leadUnit?.code).toBe('MOHRSS');
    expect(ins05.qualityStandard).toMatchObject({
      stated: true,
      metrics: [{ metric: 'government_subsidy_per_capita', comparator: Comparator.COMPARATOR_GTE, value: '380' }],
    });
  });
});

describe('decideChangeSet', () => {
  it('publishes the next version of a modified item on the change set date', () => {
    const decision = decide(changeSet([modify(withValue(ins05, '450'), 1)]), current([ins05, 1]), knownTaxonomy);
    expect(decision.type).toBe('ReleasePublished');
    if (decision.type !== 'ReleasePublished') return;
    expect(decision.release).toMatchObject({ releaseId: 'release-cs-1', effectiveFrom: '2020-01-01', fieldCodes: ['F17-INS'] });
    expect(decision.release.versions.map((v) => [v.itemCode, v.version, v.changeType])).toEqual([['INS-05', 2, ChangeType.CHANGE_TYPE_MODIFIED]]);
  });

  it('rejects a stale base, an unknown item, a retired item and a date not after the current version', () => {
    const edu = seedItem('EDU-01');
    const hea = seedItem('HEA-01');
    const d = decide(
      changeSet([modify(withValue(ins05, '450'), 1), modify({ ...edu, itemCode: 'EDU-99' }, 1), modify(hea, 2), modify(seedItem('EMP-01'), 1)]),
      current([ins05, 2], [hea, 2, '2017-01-23', true], [seedItem('EMP-01'), 1, '2020-06-01']),
      knownTaxonomy,
    );
    expect(d.type).toBe('ChangeSetRejected');
    if (d.type !== 'ChangeSetRejected') return;
    expect(d.conflicts.map((c) => [c.itemCode, c.baseVersion, c.currentVersion])).toEqual([
      ['INS-05', 1, 2],
      ['EDU-99', 1, 0],
      ['HEA-01', 2, 2],
      ['EMP-01', 1, 1],
    ]);
    expect(d.conflicts[0]?.reason).toMatch(/stale/);
    expect(d.conflicts[2]?.reason).toMatch(/retired/);
    expect(d.conflicts[3]?.reason).toMatch(/not after/);
  });

  it('refuses to lower a floor unless the change says so and why', () => {
    const lowered = withValue(ins05, '300');
    expect(loweredMetrics(ins05, lowered)).toEqual(['government_subsidy_per_capita']);
    expect(decide(changeSet([modify(lowered, 1)]), current([ins05, 1]), knownTaxonomy).type).toBe('ChangeSetRejected');
    expect(decide(changeSet([modify(lowered, 1, true, '')]), current([ins05, 1]), knownTaxonomy).type).toBe('ChangeSetRejected');
    expect(decide(changeSet([modify(lowered, 1, true, '财政承受能力评估')]), current([ins05, 1]), knownTaxonomy).type).toBe('ReleasePublished');
  });

  it('rejects malformed content: unknown field, bad metric value', () => {
    const bad = {
      ...ins05,
      fieldCode: 'F99',
      qualityStandard: { ...ins05.qualityStandard!, metrics: [{ ...ins05.qualityStandard!.metrics[0]!, value: 'forty' }] },
    };
    const d = decide(changeSet([modify(bad, 1)]), current([ins05, 1]), knownTaxonomy);
    expect(d.type === 'ChangeSetRejected' && d.conflicts[0]?.reason).toMatch(/field_code.*value|value.*field_code/s);
  });

  it('splits: the base retires, each new item starts at version 1 with lineage', () => {
    const soc = seedItem('SOC-06');
    const d = decide(
      changeSet([
        {
          $case: 'splitItem',
          splitItem: {
            base: { itemCode: 'SOC-06', version: 1 },
            into: [
              { ...soc, itemCode: 'SOC-14' },
              { ...soc, itemCode: 'SOC-15' },
            ],
          },
        },
      ]),
      current([soc, 1]),
      knownTaxonomy,
    );
    if (d.type !== 'ReleasePublished') throw new Error('expected publish');
    expect(d.release.versions.map((v) => [v.itemCode, v.version, v.retired, v.lineageFrom])).toEqual([
      ['SOC-14', 1, false, ['SOC-06']],
      ['SOC-15', 1, false, ['SOC-06']],
      ['SOC-06', 2, true, []],
    ]);
    expect(d.release.lineage.map((l) => [l.from, l.to])).toEqual([
      ['SOC-06', 'SOC-14'],
      ['SOC-06', 'SOC-15'],
    ]);
  });

  it('merges into an existing code: that item continues, the other retires', () => {
    const a = seedItem('CUL-03');
    const b = seedItem('CUL-04');
    const d = decide(
      changeSet([
        {
          $case: 'mergeItems',
          mergeItems: {
            bases: [
              { itemCode: 'CUL-03', version: 1 },
              { itemCode: 'CUL-04', version: 1 },
            ],
            into: { ...a, name: '广播电视' },
          },
        },
      ]),
      current([a, 1], [b, 1]),
      knownTaxonomy,
    );
    if (d.type !== 'ReleasePublished') throw new Error('expected publish');
    expect(d.release.versions.map((v) => [v.itemCode, v.version, v.retired, v.changeType])).toEqual([
      ['CUL-03', 2, false, ChangeType.CHANGE_TYPE_MERGED],
      ['CUL-04', 2, true, ChangeType.CHANGE_TYPE_MERGED],
    ]);
  });

  it('rejects adding a code that exists and touching one item twice', () => {
    const d = decide(changeSet([{ $case: 'addItem', addItem: { item: ins05 } }, modify(withValue(ins05, '450'), 1)]), current([ins05, 1]), knownTaxonomy);
    expect(d.type === 'ChangeSetRejected' && d.conflicts.map((c) => c.reason).join('|')).toMatch(
      /already exists.*more than once|more than once.*already exists/s,
    );
  });

  it('treats a change set without id as unusable (structural), not as a conflict', () => {
    const d = decideChangeSet({ ...changeSet([]), changeSetId: '' }, new Map(), knownTaxonomy);
    expect(d).toMatchObject({ ok: false, refusal: { code: 'INVALID_ARGUMENT', violations: [{ field: 'change_set.change_set_id' }] } });
    expect(() => {
      if (!d.ok) throw ruleRefusalError(d.refusal, '', 'change_set');
    }).toThrow(ValidationError);
  });
});

describe('decideFiling', () => {
  const filed = (value: string, unit = 'CNY') => [{ metric: 'government_subsidy_per_capita', value, unit, basis: 'per_person_per_year' }];
  const noneYet = filingDecider.initialState;
  /** The filing's event (as the old `accepted` result), or its refusal. */
  const checkFiling = (national: ServiceItem, metrics: LocalMetric[], declaresFunding: boolean, state = noneYet, effectiveFrom = '2020-01-01') => {
    const d = decideFiling(state, {
      provinceCode: '110000',
      itemCode: national.itemCode,
      national,
      nationalVersion: 1,
      effectiveFrom,
      metrics,
      declaresFunding,
    });
    return d.ok ? d.events[0]! : d.refusal;
  };
  it('accepts at the floor, refuses below naming the metric, needs funding above', () => {
    expect(checkFiling(ins05, filed('380'), false)).toMatchObject({ type: 'LocalStandardFiled', exceeds: false });
    expect(checkFiling(ins05, filed('379.99'), true)).toMatchObject({
      code: 'FAILED_PRECONDITION',
      reason: 'BELOW_NATIONAL_LEVEL',
      message: 'the local standard of INS-05 is below the national level on government_subsidy_per_capita',
      violations: [
        {
          field: 'INS-05/government_subsidy_per_capita',
          reason: 'BELOW_NATIONAL_LEVEL',
          description: expect.stringMatching(/local 379\.99 CNY does not meet the national level 380 CNY/),
        },
      ],
    });
    expect(checkFiling(ins05, filed('400'), false)).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ field: 'local_funding' }] });
    expect(checkFiling(ins05, filed('400'), true)).toMatchObject({ type: 'LocalStandardFiled', exceeds: true });
  });
  it('treats LTE metrics as caps', () => {
    const capped: ServiceItem = {
      ...ins05,
      qualityStandard: {
        stated: true,
        text: '',
        metrics: [{ metric: 'copay_ratio', label: '自付比例', comparator: Comparator.COMPARATOR_LTE, value: '30', unit: 'percent', basis: '' }],
      },
    };
    expect(checkFiling(capped, [{ metric: 'copay_ratio', value: '35', unit: 'percent', basis: '' }], true)).toMatchObject({ reason: 'BELOW_NATIONAL_LEVEL' });
    expect(checkFiling(capped, [{ metric: 'copay_ratio', value: '20', unit: 'percent', basis: '' }], true)).toMatchObject({
      type: 'LocalStandardFiled',
      exceeds: true,
    });
  });
  it('names unit mismatches, unknown and missing metrics', () => {
    expect(checkFiling(ins05, filed('400', 'percent'), true)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ field: 'metrics[0].unit', reason: 'UNIT_MISMATCH' }],
    });
    const r = checkFiling(ins05, [{ metric: 'x', value: '1', unit: 'CNY', basis: '' }], true);
    expect('violations' in r && r.violations?.map((v) => v.field)).toEqual(['metrics[0].metric', 'metrics']);
  });
  it('records filings for items without a stated national level, uncompared', () => {
    expect(checkFiling(seedItem('HEA-01'), [{ metric: 'coverage', value: '80', unit: 'percent', basis: '' }], false)).toEqual({
      type: 'LocalStandardFiled',
      provinceCode: '110000',
      itemCode: 'HEA-01',
      effectiveFrom: '2020-01-01',
      nationalVersion: 1,
      metrics: [{ metric: 'coverage', value: '80', unit: 'percent', basis: '' }],
      comparisons: [],
      exceeds: false,
    });
  });
  it('takes filings of one province and item in filing order: none before the latest', () => {
    const after = filingDecider.evolve(noneYet, checkFiling(ins05, filed('380'), false, noneYet, '2021-01-01') as never);
    expect(after).toEqual({ latestEffectiveFrom: '2021-01-01' });
    expect(checkFiling(ins05, filed('380'), false, after, '2020-12-31')).toEqual({
      code: 'FAILED_PRECONDITION',
      reason: 'FILING_BACKDATED',
      message: '110000 already filed INS-05 effective 2021-01-01; a new filing cannot take effect before it',
      violations: [{ field: '110000/INS-05', description: 'effective_from must be on or after 2021-01-01', reason: 'FILING_BACKDATED' }],
    });
    expect(checkFiling(ins05, filed('380'), false, after, '2021-01-01')).toMatchObject({ type: 'LocalStandardFiled' });
  });
  it('is re-decided when another filing took the position: a concurrent later filing makes this one backdated', async () => {
    // Another writer files 2021-06-01 while this filing (2021-01-01) is being appended: the handler loads again and
    // the filing order refuses it, where the first load had accepted it.
    let latest: { effectiveFrom: string | undefined; n: number } = { effectiveFrom: undefined, n: 0 };
    const appended: string[] = [];
    const log: AggregateStore<FilingState, LocalStandardFiled> = {
      load: async () => ({ state: { latestEffectiveFrom: latest.effectiveFrom }, revision: latest.n }),
      append: async (_key, expected, events) => {
        if (latest.n === 0) {
          latest = { effectiveFrom: '2021-06-01', n: 1 };
          throw new ConcurrencyError('could not append the filing; retry', 0);
        }
        if (expected !== latest.n) throw new ConcurrencyError('stale', latest.n);
        appended.push(...events.map((e) => e.effectiveFrom));
        return expected + events.length;
      },
    };
    const command = { provinceCode: '110000', itemCode: 'INS-05', national: ins05, nationalVersion: 1, metrics: filed('380'), declaresFunding: false };
    const refusedLate = await handleCommand(log, filingDecider, '110000:INS-05', { ...command, effectiveFrom: '2021-01-01' });
    expect(refusedLate).toMatchObject({ ok: false, refusal: { reason: 'FILING_BACKDATED' }, revision: 1 });
    const next = await handleCommand(log, filingDecider, '110000:INS-05', { ...command, effectiveFrom: '2021-07-01' });
    expect(next).toMatchObject({ ok: true, revision: 2, state: { latestEffectiveFrom: '2021-07-01' } });
    expect(appended).toEqual(['2021-07-01']);
  });

  it('answers at the edge as the registry always has (ruleRefusalError)', () => {
    const below = decideFiling(noneYet, {
      provinceCode: '110000',
      itemCode: 'INS-05',
      national: ins05,
      nationalVersion: 1,
      effectiveFrom: '2020-01-01',
      metrics: filed('1'),
      declaresFunding: false,
    });
    if (below.ok) throw new Error('expected a refusal');
    expect(ruleRefusalError(below.refusal, 'INS-05', 'metrics')).toMatchObject({
      code: 'BELOW_NATIONAL_LEVEL',
      violations: [{ type: 'BELOW_NATIONAL_LEVEL', subject: 'INS-05/government_subsidy_per_capita' }],
    });
    const invalid = decideFiling(noneYet, {
      provinceCode: '110000',
      itemCode: 'INS-05',
      national: ins05,
      nationalVersion: 1,
      effectiveFrom: '2020-01-01',
      metrics: filed('400'),
      declaresFunding: false,
    });
    if (invalid.ok) throw new Error('expected a refusal');
    const error = ruleRefusalError(invalid.refusal, 'INS-05', 'metrics');
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(invalid.refusal.message);
  });
});

describe('diffs', () => {
  const resolved = (item: ServiceItem, version: number, changeType = ChangeType.CHANGE_TYPE_ADDED, retired = false): ResolvedItem => ({
    itemCode: item.itemCode,
    version,
    retired,
    changeType,
    item,
  });
  it('lists per-attribute and per-metric changes with before and after', () => {
    expect(attributeChanges(ins05, withValue(ins05, '450'))).toEqual([
      { attribute: 'quality_standard.metrics[government_subsidy_per_capita].value', before: '380', after: '450' },
    ]);
  });
  it('classifies added, retired, modified and moved items', () => {
    const edu = seedItem('EDU-01');
    const hea = seedItem('HEA-01');
    const from = [resolved(ins05, 1), resolved(edu, 1), resolved(hea, 1)];
    const to = [
      resolved(withValue(ins05, '450'), 2, ChangeType.CHANGE_TYPE_MODIFIED),
      resolved(edu, 2, ChangeType.CHANGE_TYPE_RETIRED, true),
      resolved({ ...hea, name: '居民电子健康档案' }, 2, ChangeType.CHANGE_TYPE_MOVED),
      resolved({ ...edu, itemCode: 'EDU-09' }, 1),
    ];
    expect(diffCatalogues(from, to).map((d) => [d.itemCode, d.changeType, d.fromVersion, d.toVersion])).toEqual([
      ['EDU-01', ChangeType.CHANGE_TYPE_RETIRED, 1, 2],
      ['EDU-09', ChangeType.CHANGE_TYPE_ADDED, 0, 1],
      ['HEA-01', ChangeType.CHANGE_TYPE_MOVED, 1, 2],
      ['INS-05', ChangeType.CHANGE_TYPE_MODIFIED, 1, 2],
    ]);
  });
});

describe('dates and decimals', () => {
  it('validates calendar dates and computes Beijing dates', () => {
    expect(parseDate({ year: 2024, month: 2, day: 29 }, 'f')).toBe('2024-02-29');
    expect(parseDate({ year: 2023, month: 2, day: 29 }, 'f')).toMatchObject({ field: 'f' });
    expect(todayInChina(new Date('2026-01-01T16:30:00Z'))).toBe('2026-01-02');
    expect(addDays('2020-01-01', 60)).toBe('2020-03-01');
  });
  it('compares decimals exactly', () => {
    expect(compareDecimals('379.99', '380')).toBe(-1);
    expect(compareDecimals('380.0', '380')).toBe(0);
    expect(compareDecimals('0.1', '0.09')).toBe(1);
    expect(isDecimal('1e3')).toBe(false);
  });
});
