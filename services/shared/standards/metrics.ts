// What a quality metric's comparator means, once for every service:
//  - GTE is a floor (a service at least this good): it falls when its value goes down;
//  - LTE is a cap (e.g. a co-payment ratio): it falls when its value goes up;
//  - EQ is an exact level (e.g. "free of charge"): any change of it may be a fall, because the direction of a
//    change in an exact commitment cannot be read from the number, so it needs the same justification as a fall.
// A metric that disappears, or changes its unit or comparator, is no longer comparable: also treated as lowered.
import { Comparator, type QualityMetric, type ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import { compareDecimals } from './decimal';

/** Whether `after` lowers the national level `before` states (see the rules above). */
export function metricLowered(before: QualityMetric, after: QualityMetric | undefined): boolean {
  if (!after || after.unit !== before.unit || after.comparator !== before.comparator) return true;
  const order = compareDecimals(after.value, before.value);
  if (order === undefined) return true;
  switch (before.comparator) {
    case Comparator.COMPARATOR_GTE:
      return order < 0;
    case Comparator.COMPARATOR_LTE:
      return order > 0;
    case Comparator.COMPARATOR_EQ:
      return order !== 0;
    default:
      // An unspecified or unknown comparator states no comparable level; changing it cannot lower one.
      return false;
  }
}

/** Metrics whose national level the new content lowers, in the order `before` lists them. */
export function loweredMetrics(before: ServiceItem, after: ServiceItem): string[] {
  const afterMetrics = new Map((after.qualityStandard?.metrics ?? []).map((m) => [m.metric, m]));
  return (before.qualityStandard?.metrics ?? []).filter((m) => metricLowered(m, afterMetrics.get(m.metric))).map((m) => m.metric);
}

export type LocalLevel = { readonly compliant: boolean; readonly exceeds: boolean };

/**
 * A provincial level against the national one with the same unit: compliant when it does not fall below the
 * national level, `exceeds` when it is strictly better. Undefined when they cannot be compared (a value that is
 * not a decimal, a national metric without a comparator).
 */
export function compareLocalLevel(national: QualityMetric, localValue: string): LocalLevel | undefined {
  const order = compareDecimals(localValue, national.value);
  if (order === undefined) return undefined;
  switch (national.comparator) {
    case Comparator.COMPARATOR_GTE:
      return { compliant: order >= 0, exceeds: order > 0 };
    case Comparator.COMPARATOR_LTE:
      return { compliant: order <= 0, exceeds: order < 0 };
    case Comparator.COMPARATOR_EQ:
      return { compliant: order === 0, exceeds: false };
    default:
      // No comparator, no level to meet: not comparable (item validation refuses such a national metric).
      return undefined;
  }
}
