// National monitoring's pure rules (issue #17): re-filing deadlines and when they are overdue, the dates of a history
// series, and which change of a province × item cell is an early warning — once per transition.
import { describe, expect, it } from 'vitest';
import {
  historyDates,
  MAX_HISTORY_POINTS,
  observeCell,
  refileDeadline,
  refilingOverdue,
  transitionId,
  type ObservedCell,
} from '../../services/registry/domain/monitoring';
import { monitoringState } from '../../services/shared/standards/monitoring';

const cell = (state: ObservedCell['state'], nationalVersion = 1, filingId = '110000:INS-05:1'): ObservedCell => ({ state, nationalVersion, filingId });

describe('re-filing deadlines', () => {
  it('run from the raised version (or a later filing) and are overdue from the day after', () => {
    expect(refileDeadline('2020-01-01', '2018-01-01', 60)).toBe('2020-03-01');
    expect(refileDeadline('2020-01-01', '2020-02-01', 10)).toBe('2020-02-11');
    expect(refilingOverdue('2020-03-01', '2020-03-01')).toBe(false);
    expect(refilingOverdue('2020-03-02', '2020-03-01')).toBe(true);
  });

  it('make a breach past its deadline REFILING_OVERDUE, otherwise BELOW_FLOOR', () => {
    const line = { filed: true, breach: true, comparisons: [] };
    expect(monitoringState(line, 50)).toBe('BELOW_FLOOR');
    expect(monitoringState({ ...line, refilingOverdue: false }, 50)).toBe('BELOW_FLOOR');
    expect(monitoringState({ ...line, refilingOverdue: true }, 50)).toBe('REFILING_OVERDUE');
  });
});

describe('history dates', () => {
  it('start at `from`, take the first of each month (or year), and end at `to`', () => {
    expect(historyDates('2019-11-15', '2020-02-10', 'month')).toEqual(['2019-11-15', '2019-12-01', '2020-01-01', '2020-02-01', '2020-02-10']);
    expect(historyDates('2018-03-01', '2020-06-30', 'year')).toEqual(['2018-03-01', '2019-01-01', '2020-01-01', '2020-06-30']);
    expect(historyDates('2020-01-01', '2020-01-01', 'month')).toEqual(['2020-01-01']);
    expect(historyDates('2020-02-01', '2020-01-01', 'month')).toEqual([]);
  });

  it('stop growing past the limit (the caller refuses such a request)', () => {
    expect(historyDates('1900-01-01', '2100-01-01', 'month').length).toBeGreaterThan(MAX_HISTORY_POINTS);
    expect(historyDates('1900-01-01', '2100-01-01', 'month').length).toBeLessThan(MAX_HISTORY_POINTS + 3);
  });
});

describe('early warnings (transitions)', () => {
  it('warn on entering a warning state: below the floor, re-filing overdue, blindly high', () => {
    const below = observeCell('110000', 'INS-05', cell('AT_FLOOR'), cell('BELOW_FLOOR', 2));
    expect(below).toEqual({ kind: 'warn', to: cell('BELOW_FLOOR', 2), transitionId: 'warning:110000:INS-05:BELOW_FLOOR:v2:110000:INS-05:1' });
    const overdue = observeCell('110000', 'INS-05', cell('BELOW_FLOOR', 2), cell('REFILING_OVERDUE', 2));
    expect(overdue).toMatchObject({ kind: 'warn', transitionId: 'warning:110000:INS-05:REFILING_OVERDUE:v2:110000:INS-05:1' });
    expect(observeCell('330000', 'INS-05', cell('NOT_FILED', 1, ''), cell('BLINDLY_HIGH', 1, '330000:INS-05:1')).kind).toBe('warn');
    // Never observed: entering counts (a monitor that starts on existing data announces what it finds once).
    expect(observeCell('330000', 'INS-05', undefined, cell('BLINDLY_HIGH')).kind).toBe('warn');
  });

  it('do not warn while a state stays, nor on entering a quiet state, but remember the change', () => {
    expect(observeCell('110000', 'INS-05', cell('BELOW_FLOOR', 2), cell('BELOW_FLOOR', 2))).toEqual({ kind: 'unchanged' });
    // Still blindly high after re-filing another high level: no second warning, the new filing is remembered.
    expect(observeCell('330000', 'INS-05', cell('BLINDLY_HIGH', 1, 'a:1'), cell('BLINDLY_HIGH', 1, 'a:2'))).toEqual({
      kind: 'changed',
      to: cell('BLINDLY_HIGH', 1, 'a:2'),
    });
    expect(observeCell('110000', 'INS-05', cell('BELOW_FLOOR', 2), cell('AT_FLOOR', 2, 'x:2'))).toEqual({ kind: 'changed', to: cell('AT_FLOOR', 2, 'x:2') });
    expect(observeCell('110000', 'INS-05', undefined, cell('NOT_FILED', 1, ''))).toEqual({ kind: 'changed', to: cell('NOT_FILED', 1, '') });
  });

  it('name a transition by its cause, so a repeated pass or a recurrence for the same reason reuses the id', () => {
    const a = transitionId('440000', 'INS-05', { state: 'BELOW_FLOOR', nationalVersion: 2, filingId: '440000:INS-05:1' });
    const again = observeCell('440000', 'INS-05', cell('AT_FLOOR', 2, '440000:INS-05:1'), cell('BELOW_FLOOR', 2, '440000:INS-05:1'));
    expect(again.kind === 'warn' && again.transitionId).toBe(a);
    // Another raise (version 3) below which the province falls again is a new transition.
    const later = observeCell('440000', 'INS-05', cell('AT_FLOOR', 2, '440000:INS-05:2'), cell('BELOW_FLOOR', 3, '440000:INS-05:2'));
    expect(later.kind === 'warn' && later.transitionId).not.toBe(a);
    expect(transitionId('440000', 'INS-05', { state: 'BLINDLY_HIGH', nationalVersion: 1, filingId: '' })).toBe('warning:440000:INS-05:BLINDLY_HIGH:v1:-');
  });
});
