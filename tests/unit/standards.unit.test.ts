// The standards' rules shared by every service (services/shared/standards): one meaning for each comparator, exact
// decimals, Beijing dates — and the proposals service's submission check agreeing with the registry's publication
// rule on every kind of metric change (before, proposals never counted a changed EQ level, which the registry
// then refused at publication).
import { describe, expect, it } from 'vitest';
import { Comparator, type QualityMetric, type ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { registryViolations, type RegistryItem } from '../../services/proposals/domain/checks';
import {
  addDays,
  chinaMinute,
  chinaSecond,
  endOfDayInChina,
  isValidYmd,
  parseIsoDate,
  todayInChina,
  yearInChina,
} from '../../services/shared/standards/china-date';
import { compareDecimals, formatScaled, isDecimal, parseInt64, scaleDecimal } from '../../services/shared/standards/decimal';
import { compareLocalLevel, loweredMetrics, metricLowered } from '../../services/shared/standards/metrics';
import { beyondMargin, monitoringState } from '../../services/shared/standards/monitoring';
import { fundedHealthItem, healthProposal } from './proposals-fixtures';

const metric = (comparator: Comparator, value: string, unit = 'CNY'): QualityMetric => ({
  metric: 'm',
  label: 'm',
  comparator,
  value,
  unit,
  basis: 'per_person_per_year',
});
const { COMPARATOR_GTE: GTE, COMPARATOR_LTE: LTE, COMPARATOR_EQ: EQ } = Comparator;

describe('metric comparison: one meaning for every comparator', () => {
  it.each([
    ['a floor that goes down', metric(GTE, '40'), metric(GTE, '39.99'), true],
    ['a floor that goes up', metric(GTE, '40'), metric(GTE, '89'), false],
    ['a floor restated with trailing zeros', metric(GTE, '40'), metric(GTE, '40.00'), false],
    ['a cap that goes up', metric(LTE, '30'), metric(LTE, '35'), true],
    ['a cap that goes down', metric(LTE, '30'), metric(LTE, '25'), false],
    ['an exact level that changes either way', metric(EQ, '0'), metric(EQ, '1'), true],
    ['an exact level that changes down', metric(EQ, '1'), metric(EQ, '0'), true],
    ['an exact level restated', metric(EQ, '0'), metric(EQ, '0.0'), false],
    ['a dropped metric', metric(GTE, '40'), undefined, true],
    ['a dropped exact level', metric(EQ, '0'), undefined, true],
    ['a changed unit', metric(GTE, '40'), metric(GTE, '40', 'CNY_10K'), true],
    ['a changed comparator', metric(GTE, '40'), metric(LTE, '40'), true],
    ['a value that is not a decimal', metric(GTE, '40'), metric(GTE, '40 元'), true],
  ] as const)('%s', (_what, before, after, lowered) => {
    expect(metricLowered(before, after)).toBe(lowered);
  });

  it('compares a provincial level with the national one', () => {
    expect(compareLocalLevel(metric(GTE, '40'), '45')).toEqual({ compliant: true, exceeds: true });
    expect(compareLocalLevel(metric(GTE, '40'), '40.0')).toEqual({ compliant: true, exceeds: false });
    expect(compareLocalLevel(metric(GTE, '40'), '39')).toEqual({ compliant: false, exceeds: false });
    expect(compareLocalLevel(metric(LTE, '30'), '25')).toEqual({ compliant: true, exceeds: true });
    expect(compareLocalLevel(metric(LTE, '30'), '31')).toEqual({ compliant: false, exceeds: false });
    expect(compareLocalLevel(metric(EQ, '0'), '0')).toEqual({ compliant: true, exceeds: false });
    expect(compareLocalLevel(metric(EQ, '0'), '1')).toEqual({ compliant: false, exceeds: false });
    expect(compareLocalLevel(metric(GTE, '40'), 'forty')).toBeUndefined();
    expect(compareLocalLevel(metric(Comparator.COMPARATOR_UNSPECIFIED, '40'), '40')).toBeUndefined();
  });

  // The proposals service refuses at submission exactly what the registry would refuse at publication.
  const item = (metrics: QualityMetric[]): ServiceItem => ({ ...fundedHealthItem('HEA-01', '0'), qualityStandard: { stated: true, text: 'x', metrics } });
  const modify = (before: ServiceItem, after: ServiceItem): ProposalContent =>
    ProposalContent.fromPartial({
      ...healthProposal(),
      changes: [
        {
          changeId: 'c1',
          change: {
            $case: 'modifyItem',
            modifyItem: { base: { itemCode: before.itemCode, version: 1 }, lowersFloor: false, loweringJustification: '', item: after },
          },
        },
      ],
    });
  it.each([
    [metric(EQ, '0'), metric(EQ, '5')],
    [metric(EQ, '0'), undefined],
    [metric(GTE, '40'), metric(GTE, '30')],
    [metric(GTE, '40'), metric(GTE, '50')],
    [metric(LTE, '30'), metric(LTE, '40')],
    [metric(GTE, '40'), metric(GTE, '40', 'CNY_10K')],
    [metric(EQ, '0'), metric(EQ, '0')],
  ] as const)('proposals and the registry agree: %o -> %o', (before, after) => {
    const b = item([before]);
    const a = item(after ? [after] : []);
    const registry = new Map<string, RegistryItem>([['HEA-01', { version: 1, retired: false, item: b }]]);
    const refusedAtSubmission = registryViolations(modify(b, a), registry).some((v) => v.type === 'BELOW_FLOOR');
    const refusedAtPublication = loweredMetrics(b, a).length > 0;
    expect(refusedAtSubmission).toBe(refusedAtPublication);
  });
});

describe('exact decimals', () => {
  it('accepts only decimals as written on the wire', () => {
    expect(isDecimal('40')).toBe(true);
    expect(isDecimal('-0.5')).toBe(true);
    for (const bad of [' 40', '40 ', '1e3', '+1', '.5', '5.', '', '40元']) expect(isDecimal(bad)).toBe(false);
  });
  it('compares, scales and formats exactly', () => {
    expect(compareDecimals('379.99', '380')).toBe(-1);
    expect(compareDecimals('0.1', '0.09')).toBe(1);
    expect(compareDecimals('x', '1')).toBeUndefined();
    expect(scaleDecimal('62.5', 2)).toBe(6250n);
    expect(scaleDecimal('40.000', 2)).toBe(4000n);
    expect(scaleDecimal('0.001', 2)).toBeUndefined();
    expect(formatScaled(6250n, 2)).toBe('62.5');
    expect(parseInt64('9223372036854775808')).toBeUndefined();
  });
});

describe('dates in China (UTC+8, no daylight saving)', () => {
  it('reads the day and year in Beijing, whatever the server zone', () => {
    expect(todayInChina(new Date('2026-01-01T15:59:59Z'))).toBe('2026-01-01');
    expect(todayInChina(new Date('2026-01-01T16:00:00Z'))).toBe('2026-01-02');
    expect(yearInChina(new Date('2025-12-31T16:30:00Z'))).toBe(2026);
    expect(chinaMinute(new Date('2026-06-30T15:59:00Z'))).toBe('2026-06-30 23:59');
    expect(chinaSecond(new Date('2026-06-30T16:00:01Z'))).toBe('2026-07-01 00:00:01');
    expect(new Date(endOfDayInChina({ year: 2026, month: 6, day: 30 })).toISOString()).toBe('2026-06-30T15:59:59.999Z');
  });
  it('validates calendar days and adds days', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('0001-01-01')).toBeUndefined();
    expect(isValidYmd(2026, 13, 1)).toBe(false);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});

describe('national monitoring states (issue #17)', () => {
  const cmp = (comparator: Comparator, nationalValue: string, localValue: string, exceeds: boolean) => ({
    metric: 'm',
    label: '',
    comparator,
    nationalValue,
    localValue,
    unit: 'CNY',
    basis: '',
    compliant: true,
    exceeds,
  });
  it('orders below floor over not filed, blindly high over above', () => {
    expect(monitoringState({ filed: true, breach: true, comparisons: [] }, 50)).toBe('BELOW_FLOOR');
    expect(monitoringState({ filed: false, breach: false, comparisons: [] }, 50)).toBe('NOT_FILED');
    expect(monitoringState({ filed: true, breach: false, comparisons: [cmp(Comparator.COMPARATOR_GTE, '380', '380', false)] }, 50)).toBe('AT_FLOOR');
    expect(monitoringState({ filed: true, breach: false, comparisons: [cmp(Comparator.COMPARATOR_GTE, '380', '570', true)] }, 50)).toBe('ABOVE_FLOOR');
    expect(monitoringState({ filed: true, breach: false, comparisons: [cmp(Comparator.COMPARATOR_GTE, '380', '570.01', true)] }, 50)).toBe('BLINDLY_HIGH');
  });
  it('compares exactly, floors upward and caps downward', () => {
    expect(beyondMargin(Comparator.COMPARATOR_GTE, '0.1', '0.15', 50)).toBe(false);
    expect(beyondMargin(Comparator.COMPARATOR_GTE, '0.1', '0.150000000001', 50)).toBe(true);
    expect(beyondMargin(Comparator.COMPARATOR_LTE, '30', '15', 50)).toBe(false);
    expect(beyondMargin(Comparator.COMPARATOR_LTE, '30', '14.9', 50)).toBe(true);
    expect(beyondMargin(Comparator.COMPARATOR_EQ, '1', '9', 50)).toBe(false);
    expect(beyondMargin(Comparator.COMPARATOR_GTE, '1', 'x', 50)).toBeUndefined();
  });
});
