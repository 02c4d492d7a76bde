// National monitoring of provincial implementation standards (issue #17; seed 002: local supporting standards must
// not fall below the national floor nor be "blindly high"). One state per province × item, from the province's
// compliance line: below the floor (within the re-filing period after a national raise), below it with the re-filing
// deadline passed, not filed, at the floor, above it, or above it by more than a margin — the configurable threshold
// for "blindly high" (盲目拔高), compared exactly on decimals.
import { Comparator } from '../../../proto/gen/bps/common/v1/common';
import type { MetricComparison } from '../../../proto/gen/bps/standards/v1/events';
import { compareDecimals, scaleDecimal } from './decimal';

export const monitoringStates = ['BELOW_FLOOR', 'REFILING_OVERDUE', 'NOT_FILED', 'AT_FLOOR', 'ABOVE_FLOOR', 'BLINDLY_HIGH'] as const;
export type MonitoringState = (typeof monitoringStates)[number];

/** The default margin above the national level from which a local level counts as blindly high. */
export const DEFAULT_BLINDLY_HIGH_MARGIN_PERCENT = 50;

const PLACES = 12;

/**
 * Whether `local` goes beyond `national` by more than `marginPercent`: above national × (1 + margin) for a floor
 * (GTE), below national × (1 − margin) for a cap (LTE). An exact level (EQ) cannot exceed. Undefined when not
 * comparable.
 */
export function beyondMargin(comparator: Comparator, national: string, local: string, marginPercent: number): boolean | undefined {
  const n = scaleDecimal(national, PLACES);
  const l = scaleDecimal(local, PLACES);
  if (n === undefined || l === undefined || compareDecimals(national, local) === undefined) return undefined;
  const margin = BigInt(Math.round(marginPercent * 100)); // in hundredths of a percent
  switch (comparator) {
    case Comparator.COMPARATOR_GTE:
      return l * 10_000n > n * (10_000n + margin);
    case Comparator.COMPARATOR_LTE:
      return l * 10_000n < n * (10_000n - margin);
    default:
      return false;
  }
}

export type ComplianceFacts = {
  readonly filed: boolean;
  readonly breach: boolean;
  readonly comparisons: readonly MetricComparison[];
  /** In breach after the re-filing deadline (absent: not known to be overdue). */
  readonly refilingOverdue?: boolean;
};

export function monitoringState(line: ComplianceFacts, marginPercent: number): MonitoringState {
  if (line.breach) return line.refilingOverdue === true ? 'REFILING_OVERDUE' : 'BELOW_FLOOR';
  if (!line.filed) return 'NOT_FILED';
  if (line.comparisons.some((c) => c.exceeds && beyondMargin(c.comparator, c.nationalValue, c.localValue, marginPercent) === true)) return 'BLINDLY_HIGH';
  if (line.comparisons.some((c) => c.exceeds)) return 'ABOVE_FLOOR';
  return 'AT_FLOOR';
}

export type StateCounts = Record<MonitoringState, number>;
export const emptyCounts = (): StateCounts => ({ BELOW_FLOOR: 0, REFILING_OVERDUE: 0, NOT_FILED: 0, AT_FLOOR: 0, ABOVE_FLOOR: 0, BLINDLY_HIGH: 0 });
