// A provincial implementation standard checked metric by metric against the national level in force
// (000 §六, §十九): below the floor is refused; above it is a filing record that must declare local funding.
//
// Items whose national quality standard is not stated (most of the 2017 list) have no level to compare with:
// such a filing is accepted as a record of what the province provides, its metrics kept as filed, with no
// comparisons, never "exceeding" (there is nothing to exceed) and never in breach. A later national change that
// states a level makes those filings comparable (and the floor-breach check then reports them).
import type { QualityMetric, ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { MetricComparison } from '../../../proto/gen/bps/standards/v1/events';
import type { FieldViolation } from '../../shared/errors/errors';
import { isDecimal } from '../../shared/standards/decimal';
import { compareLocalLevel } from '../../shared/standards/metrics';

export type LocalMetric = { readonly metric: string; readonly value: string; readonly unit: string; readonly basis: string };

export type FilingCheck =
  | { readonly kind: 'invalid'; readonly violations: readonly FieldViolation[] }
  | { readonly kind: 'below-national-level'; readonly comparisons: readonly MetricComparison[]; readonly failing: readonly MetricComparison[] }
  | { readonly kind: 'accepted'; readonly comparisons: readonly MetricComparison[]; readonly exceeds: boolean };

export function nationalMetrics(item: ServiceItem): readonly QualityMetric[] {
  return item.qualityStandard?.stated ? item.qualityStandard.metrics : [];
}

/** Checks the filed metrics against the national item; `declaresFunding` = local funding amount > 0 given. */
export function checkFiling(national: ServiceItem, metrics: readonly LocalMetric[], declaresFunding: boolean): FilingCheck {
  const violations: FieldViolation[] = [];
  const wanted = nationalMetrics(national);
  const byId = new Map(wanted.map((m) => [m.metric, m]));
  const seen = new Set<string>();
  metrics.forEach((m, i) => {
    const at = `metrics[${i}]`;
    if (seen.has(m.metric)) violations.push({ field: `${at}.metric`, description: `metric "${m.metric}" filed twice` });
    seen.add(m.metric);
    if (!isDecimal(m.value)) violations.push({ field: `${at}.value`, description: `"${m.value}" is not a decimal number` });
    if (wanted.length === 0) return; // nothing to compare with: recorded as filed
    const n = byId.get(m.metric);
    if (!n) {
      violations.push({
        field: `${at}.metric`,
        description: `the national standard of ${national.itemCode} has no metric "${m.metric}" (it has ${wanted.map((w) => w.metric).join(', ')})`,
      });
      return;
    }
    if (m.unit !== n.unit) {
      violations.push({ field: `${at}.unit`, description: `unit "${m.unit}" cannot be compared with the national unit "${n.unit}"`, reason: 'UNIT_MISMATCH' });
    }
    if (m.basis !== '' && m.basis !== n.basis) {
      violations.push({
        field: `${at}.basis`,
        description: `basis "${m.basis}" cannot be compared with the national basis "${n.basis}"`,
        reason: 'BASIS_MISMATCH',
      });
    }
  });
  for (const n of wanted) {
    if (!seen.has(n.metric)) violations.push({ field: 'metrics', description: `metric "${n.metric}" (${n.label}) must be filed` });
  }
  if (violations.length > 0) return { kind: 'invalid', violations };

  const comparisons = compareMetrics(wanted, metrics);
  const failing = comparisons.filter((c) => !c.compliant);
  if (failing.length > 0) return { kind: 'below-national-level', comparisons, failing };
  const exceeds = comparisons.some((c) => c.exceeds);
  if (exceeds && !declaresFunding) {
    return {
      kind: 'invalid',
      violations: [
        {
          field: 'local_funding',
          description: `${comparisons
            .filter((c) => c.exceeds)
            .map((c) => c.metric)
            .join(', ')} exceed the national level: declare the local funding of the excess`,
          reason: 'LOCAL_FUNDING_REQUIRED',
        },
      ],
    };
  }
  return { kind: 'accepted', comparisons, exceeds };
}

/** National metric by national metric; a metric the province has no value for is not compliant. */
export function compareMetrics(national: readonly QualityMetric[], local: readonly LocalMetric[]): MetricComparison[] {
  const byId = new Map(local.map((m) => [m.metric, m]));
  return national.map((n) => {
    const l = byId.get(n.metric);
    const base = { metric: n.metric, label: n.label, comparator: n.comparator, nationalValue: n.value, unit: n.unit, basis: n.basis };
    const level = l && l.unit === n.unit ? compareLocalLevel(n, l.value) : undefined;
    return { ...base, localValue: l?.value ?? '', compliant: level?.compliant ?? false, exceeds: level?.exceeds ?? false };
  });
}
