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
import { accepted, refused, type Decider, type Decision } from '../../shared/domain/decider';
import type { LocalDate } from './dates';
import { isDecimal } from '../../shared/standards/decimal';
import { compareLocalLevel } from '../../shared/standards/metrics';

export type LocalMetric = { readonly metric: string; readonly value: string; readonly unit: string; readonly basis: string };

/** One province's filings of one item: they take effect in filing order (no backdating behind the latest one). */
export type FilingState = { readonly latestEffectiveFrom: LocalDate | undefined };

/** A province files its implementation standard of an item, against the national version in force on its date. */
export type FileLocalStandard = {
  readonly provinceCode: string;
  readonly itemCode: string;
  readonly national: ServiceItem;
  readonly nationalVersion: number;
  readonly effectiveFrom: LocalDate;
  readonly metrics: readonly LocalMetric[];
  /** A local funding amount > 0 is given. */
  readonly declaresFunding: boolean;
};

export type LocalStandardFiled = {
  readonly type: 'LocalStandardFiled';
  readonly provinceCode: string;
  readonly itemCode: string;
  readonly effectiveFrom: LocalDate;
  readonly nationalVersion: number;
  readonly metrics: readonly LocalMetric[];
  readonly comparisons: readonly MetricComparison[];
  readonly exceeds: boolean;
};

export function nationalMetrics(item: ServiceItem): readonly QualityMetric[] {
  return item.qualityStandard?.stated ? item.qualityStandard.metrics : [];
}

/**
 * The filed metrics against the national item, then the filing order: INVALID_ARGUMENT for metrics that cannot be
 * compared (or a level above the national one without local funding), FAILED_PRECONDITION BELOW_NATIONAL_LEVEL
 * naming each metric below the floor, FILING_BACKDATED for a date before the latest filing's.
 */
export function decideFiling(state: FilingState, command: FileLocalStandard): Decision<LocalStandardFiled> {
  const { national, metrics, itemCode, provinceCode, effectiveFrom } = command;
  const invalid = (violations: readonly FieldViolation[]): Decision<LocalStandardFiled> =>
    refused('INVALID_ARGUMENT', 'VALIDATION_FAILED', `invalid request: ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`, violations);

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
  if (violations.length > 0) return invalid(violations);

  const comparisons = compareMetrics(wanted, metrics);
  const failing = comparisons.filter((c) => !c.compliant);
  if (failing.length > 0) {
    return refused(
      'FAILED_PRECONDITION',
      'BELOW_NATIONAL_LEVEL',
      `the local standard of ${itemCode} is below the national level on ${failing.map((f) => f.metric).join(', ')}`,
      failing.map((f) => ({ field: `${itemCode}/${f.metric}`, description: belowText(f), reason: 'BELOW_NATIONAL_LEVEL' })),
    );
  }
  const exceeds = comparisons.some((c) => c.exceeds);
  if (exceeds && !command.declaresFunding) {
    return invalid([
      {
        field: 'local_funding',
        description: `${comparisons
          .filter((c) => c.exceeds)
          .map((c) => c.metric)
          .join(', ')} exceed the national level: declare the local funding of the excess`,
        reason: 'LOCAL_FUNDING_REQUIRED',
      },
    ]);
  }
  const latest = state.latestEffectiveFrom;
  if (latest !== undefined && latest > effectiveFrom) {
    return refused(
      'FAILED_PRECONDITION',
      'FILING_BACKDATED',
      `${provinceCode} already filed ${itemCode} effective ${latest}; a new filing cannot take effect before it`,
      [{ field: `${provinceCode}/${itemCode}`, description: `effective_from must be on or after ${latest}`, reason: 'FILING_BACKDATED' }],
    );
  }
  return accepted({
    type: 'LocalStandardFiled',
    provinceCode,
    itemCode,
    effectiveFrom,
    nationalVersion: command.nationalVersion,
    metrics,
    comparisons,
    exceeds,
  });
}

/** The filings of one province and item as an aggregate (handled with services/shared/domain/command-handler.ts). */
export const filingDecider: Decider<FilingState, FileLocalStandard, LocalStandardFiled> = {
  initialState: { latestEffectiveFrom: undefined },
  decide: decideFiling,
  evolve: (_state, event) => ({ latestEffectiveFrom: event.effectiveFrom }),
};

function belowText(c: MetricComparison): string {
  return `${c.label || c.metric}: local ${c.localValue || '(none)'} ${c.unit} does not meet the national level ${c.nationalValue} ${c.unit}${c.basis ? ` (${c.basis})` : ''}`;
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
