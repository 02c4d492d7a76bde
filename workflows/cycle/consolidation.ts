// Consolidation of a unified revision: conflicts between proposals on the same item, and the package's fiscal
// cost by level of government against the stated ceiling. Pure; fen as decimal strings summed with BigInt.
import type { CyclePackageEntry, CycleInput } from '../contracts';

export function included(entries: readonly CyclePackageEntry[]): CyclePackageEntry[] {
  return entries.filter((e) => e.status === 'approved');
}

/** Items touched by more than one proposal still in the package. */
export function conflictsOf(entries: readonly CyclePackageEntry[]): { itemCode: string; proposalIds: string[] }[] {
  const byItem = new Map<string, string[]>();
  for (const e of included(entries)) for (const item of e.itemCodes) byItem.set(item, [...(byItem.get(item) ?? []), e.proposalId]);
  return [...byItem]
    .filter(([, ids]) => ids.length > 1)
    .map(([itemCode, proposalIds]) => ({ itemCode, proposalIds }))
    .sort((a, b) => a.itemCode.localeCompare(b.itemCode));
}

export function totalsOf(entries: readonly CyclePackageEntry[]): { centralFen: string; localFen: string } {
  let central = 0n;
  let local = 0n;
  for (const e of included(entries)) {
    central += BigInt(e.fiscalTotals.centralFen);
    local += BigInt(e.fiscalTotals.localFen);
  }
  return { centralFen: central.toString(), localFen: local.toString() };
}

export function exceedsCeiling(entries: readonly CyclePackageEntry[], ceiling: CycleInput['fiscalCeiling']): boolean {
  const t = totalsOf(entries);
  return BigInt(t.centralFen) > BigInt(ceiling.centralFen) || BigInt(t.localFen) > BigInt(ceiling.localFen);
}
