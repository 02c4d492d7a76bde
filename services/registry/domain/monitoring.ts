// National monitoring over time and its early warnings (issue #17). Pure rules, no I/O:
// - when a province's re-filing after a national raise is due, and when it is overdue;
// - the dates of a history series;
// - which change of a province × item cell's monitoring state is an early warning, and the transition's identity
//   (the CloudEvent id: one event per transition, never two for the same cause).
import { addDays } from '../../shared/standards/china-date';
import type { MonitoringState } from '../../shared/standards/monitoring';
import type { LocalDate } from './dates';

/**
 * The last day a province below the national floor may re-file: the registry's period counted from the day the
 * breach began — the national version's effective date (a filing is checked against the version in force on its own
 * date, so it can only fall below a later one). Each raise starts a new period, as its floor.breached event says.
 */
export function refileDeadline(nationalEffectiveFrom: LocalDate, filingEffectiveFrom: LocalDate, refileDays: number): LocalDate {
  const since = nationalEffectiveFrom > filingEffectiveFrom ? nationalEffectiveFrom : filingEffectiveFrom;
  return addDays(since, refileDays);
}

/** Overdue from the day after the deadline (the deadline's whole day is still in time). */
export function refilingOverdue(date: LocalDate, deadline: LocalDate): boolean {
  return date > deadline;
}

export type HistoryInterval = 'month' | 'year';
export const historyIntervals: readonly HistoryInterval[] = ['month', 'year'];
/** The longest series one request may ask for (ten years by month). */
export const MAX_HISTORY_POINTS = 121;

/** `from`, then the first day of every following month (or year) up to `to`, then `to`: ascending, no repeats. */
export function historyDates(from: LocalDate, to: LocalDate, interval: HistoryInterval): LocalDate[] {
  if (from > to) return [];
  const out: LocalDate[] = [from];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  for (;;) {
    if (interval === 'year') {
      year += 1;
      month = 1;
    } else if (month === 12) {
      year += 1;
      month = 1;
    } else {
      month += 1;
    }
    const next = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
    if (next >= to || out.length > MAX_HISTORY_POINTS) break;
    out.push(next);
  }
  if (out.at(-1) !== to) out.push(to);
  return out;
}

/** The states an early warning announces. */
export const warningStates = ['BELOW_FLOOR', 'REFILING_OVERDUE', 'BLINDLY_HIGH'] as const satisfies readonly MonitoringState[];
export type WarningState = (typeof warningStates)[number];
export const isWarningState = (s: MonitoringState): s is WarningState => (warningStates as readonly MonitoringState[]).includes(s);

/** What the monitor remembers of a cell: its state and what it was computed from. */
export type ObservedCell = { readonly state: MonitoringState; readonly nationalVersion: number; readonly filingId: string };

export type CellTransition =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'changed'; readonly to: ObservedCell }
  | { readonly kind: 'warn'; readonly to: ObservedCell & { readonly state: WarningState }; readonly transitionId: string };

/**
 * The rule: a cell warns when it enters a warning state it was not in at the last observation (never observed counts
 * as entering). Staying in a state warns nothing — not even when a new filing or national version keeps it there;
 * moving between two warning states (below the floor → re-filing overdue) is a new warning.
 */
export function observeCell(provinceCode: string, itemCode: string, previous: ObservedCell | undefined, current: ObservedCell): CellTransition {
  const same = previous !== undefined && previous.state === current.state;
  if (same && previous.nationalVersion === current.nationalVersion && previous.filingId === current.filingId) return { kind: 'unchanged' };
  const state = current.state;
  if (same || !isWarningState(state)) return { kind: 'changed', to: current };
  return { kind: 'warn', to: { ...current, state }, transitionId: transitionId(provinceCode, itemCode, { ...current, state }) };
}

/**
 * One id per transition: the province, item and state entered, with the national version and filing that put it
 * there. A pass that is repeated (a crash before the state was remembered, two passes at once) or a state that
 * recurs for the same reason finds the id taken and announces nothing again.
 */
export function transitionId(provinceCode: string, itemCode: string, cell: ObservedCell & { readonly state: WarningState }): string {
  return `warning:${provinceCode}:${itemCode}:${cell.state}:v${cell.nationalVersion}:${cell.filingId || '-'}`;
}
