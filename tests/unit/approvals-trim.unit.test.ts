// The trim rules of a unified revision cycle's consolidation (workflows/cycle/trim.ts): who, money only, never the change set.
import { describe, expect, it } from 'vitest';
import { canonicalJson, mayTrim, trimRefusal } from '../../workflows/cycle/trim';

const ndrc = { subject: 'ndrc.approver.chen', organisation: 'NDRC', roles: ['approver'] };
const sco = { subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] };
const changeSet = { changeSetId: 'CS-1', changes: [{ changeId: 'c1', retireItem: { base: { itemCode: 'HEA-01', version: 1 }, reason: 'x' } }] };
const held = { fiscalTotals: { totalFen: '800', centralFen: '500', localFen: '300' }, changeSet };
const totals = (totalFen: string, centralFen: string, localFen: string) => ({ totalFen, centralFen, localFen });

describe('trim rules', () => {
  it('is for the NDRC approver and the final approver only', () => {
    expect([ndrc, sco].map(mayTrim)).toEqual([true, true]);
    for (const other of [
      { ...ndrc, roles: ['ministry-staff'] },
      { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] },
      { subject: 'nhc.approver.zhao', organisation: 'NHC', roles: ['approver'] },
      { subject: 'mof.approver.sun', organisation: 'MOF', roles: ['approver'] },
    ]) {
      expect(trimRefusal(other, held, { fiscalTotals: totals('700', '400', '300'), changeSet: undefined, reason: 'r' })?.reason).toBe(
        'NOT_CONSOLIDATION_APPROVER',
      );
    }
  });

  it('lowers money only: never raises an amount, total = central + local, something lowered, a reason given', () => {
    const trim = (t: ReturnType<typeof totals>, reason = 'r') => trimRefusal(ndrc, held, { fiscalTotals: t, changeSet: undefined, reason })?.reason;
    expect(trim(totals('700', '400', '300'))).toBeUndefined();
    expect(trim(totals('0', '0', '0'))).toBeUndefined();
    expect(trim(totals('800', '400', '400'))).toBe('NOT_A_TRIM'); // local raised
    expect(trim(totals('900', '500', '400'))).toBe('NOT_A_TRIM');
    expect(trim(totals('800', '500', '300'))).toBe('NOT_A_TRIM'); // nothing lowered
    expect(trim(totals('100', '400', '300'))).toBe('TOTAL_MISMATCH');
    expect(trim(totals('-1', '400', '300'))).toBe('NOT_FEN');
    expect(trim(totals('700', '400', '300'), '  ')).toBe('REASON_REQUIRED');
  });

  it('never changes the change set: another is refused, the one held (in any key order) is "unchanged"', () => {
    const swapped = { ...changeSet, changes: [{ changeId: 'c1', retireItem: { base: { itemCode: 'EDU-05', version: 1 }, reason: 'x' } }] };
    expect(trimRefusal(ndrc, held, { fiscalTotals: totals('700', '400', '300'), changeSet: swapped, reason: 'r' })?.reason).toBe('CHANGE_SET_FIXED');
    expect(trimRefusal(ndrc, held, { fiscalTotals: totals('700', '400', '300'), changeSet: { ...changeSet, changes: [] }, reason: 'r' })?.reason).toBe(
      'CHANGE_SET_FIXED',
    );
    const reordered = JSON.parse(`{"changes":${JSON.stringify(changeSet.changes)},"changeSetId":"CS-1"}`);
    expect(canonicalJson(reordered)).toBe(canonicalJson(changeSet));
    expect(trimRefusal(ndrc, held, { fiscalTotals: totals('700', '400', '300'), changeSet: reordered, reason: 'r' })).toBeUndefined();
  });
});
