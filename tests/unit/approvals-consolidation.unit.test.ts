// Consolidation of a unified revision: conflicts on the same item and fiscal totals against the ceiling.
import { describe, expect, it } from 'vitest';
import { conflictsOf, exceedsCeiling, totalsOf } from '../../workflows/cycle/consolidation';
import type { CyclePackageEntry } from '../../workflows/contracts';

const entry = (
  proposalId: string,
  itemCodes: string[],
  centralFen: string,
  localFen: string,
  status: CyclePackageEntry['status'] = 'approved',
): CyclePackageEntry => ({
  proposalId,
  proposalRevision: 1,
  fieldCode: 'HEALTH',
  itemCodes,
  fiscalTotals: { totalFen: '0', centralFen, localFen },
  status,
});

describe('cycle consolidation', () => {
  it('finds items changed by more than one proposal still in the package', () => {
    const entries = [
      entry('A', ['HEA-01'], '0', '0'),
      entry('B', ['HEA-01', 'HEA-02'], '0', '0'),
      entry('C', ['HEA-02'], '0', '0', 'dropped'),
      entry('D', ['EDU-01'], '0', '0', 'not_approved'),
    ];
    expect(conflictsOf(entries)).toEqual([{ itemCode: 'HEA-01', proposalIds: ['A', 'B'] }]);
  });

  it('sums fiscal cost by level of government exactly and checks each level against the ceiling', () => {
    const entries = [entry('A', [], '9007199254740993', '1'), entry('B', [], '7', '2'), entry('C', [], '100', '100', 'dropped')];
    expect(totalsOf(entries)).toEqual({ centralFen: '9007199254741000', localFen: '3' });
    expect(exceedsCeiling(entries, { centralFen: '9007199254741000', localFen: '3' })).toBe(false);
    expect(exceedsCeiling(entries, { centralFen: '9007199254741000', localFen: '2' })).toBe(true);
    expect(exceedsCeiling(entries, { centralFen: '9007199254740999', localFen: '100' })).toBe(true);
  });
});
