// Trimming a package entry in consolidation (压减): the cycle's organisers lower a proposal's fiscal cost estimate so
// the package fits the fiscal-capacity ceiling. A trim is MONEY ONLY:
//  - who: the parties the cycle names for consolidation — NDRC's approver (NDRC organises the unified revision and
//    leads dynamic adjustment, seed 000 annex rows 1 and 16) or the final approver (SCO, who resolves conflicts and
//    approves the package). Ministry staff, and the proposing ministry alone, may not: the proposal's approvals
//    (countersign, Finance's must-concur) were given to the entry as it stands.
//  - what: every amount (central, local, total) is a whole number of fen, none is raised, at least one is lowered,
//    and total = central + local.
//  - never the change set: a trim carrying a change set other than the one held is refused (a change set changes
//    only through a proposal's own approvals, with the conflict check); an identical one is accepted as "unchanged".
//  - why: a reason is required and recorded with the trim on the entry and in the audit trail.
// Pure and deterministic (used by the workflow's validator and unit-tested).
import type { ActorRef, FiscalTotals } from '../contracts';
import { isCycleOrganiser } from '../parties';
import type { Refusal } from '../../services/shared/domain/decider';

/** The cycle's organisers (workflows/parties.ts) trim in consolidation. */
export function mayTrim(actor: ActorRef): boolean {
  return isCycleOrganiser(actor);
}

const fen = /^\d{1,19}$/;

/** Canonical JSON (keys sorted at every depth), so two encodings of the same change set compare equal. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
    .join(',')}}`;
}

export function trimRefusal(
  actor: ActorRef,
  held: { readonly fiscalTotals: FiscalTotals; readonly changeSet: unknown },
  trim: { readonly fiscalTotals: FiscalTotals; readonly changeSet: unknown; readonly reason?: string | undefined },
): Refusal | undefined {
  if (!mayTrim(actor))
    return {
      code: 'PERMISSION_DENIED',
      reason: 'NOT_CONSOLIDATION_APPROVER',
      message: 'a proposal is trimmed in consolidation by the NDRC approver or the final approver',
    };
  if (trim.changeSet !== undefined && trim.changeSet !== null && canonicalJson(trim.changeSet) !== canonicalJson(held.changeSet)) {
    return {
      code: 'FAILED_PRECONDITION',
      reason: 'CHANGE_SET_FIXED',
      message: "a trim lowers money only; a change set changes only through the proposal's own approvals",
    };
  }
  if ((trim.reason ?? '').trim() === '') return { code: 'INVALID_ARGUMENT', reason: 'REASON_REQUIRED', message: 'a trim needs a reason' };
  const after = trim.fiscalTotals;
  const before = held.fiscalTotals;
  if (![after.totalFen, after.centralFen, after.localFen].every((v) => fen.test(v)))
    return { code: 'INVALID_ARGUMENT', reason: 'NOT_FEN', message: 'amounts are whole numbers of fen' };
  if (BigInt(after.totalFen) !== BigInt(after.centralFen) + BigInt(after.localFen)) {
    return {
      code: 'INVALID_ARGUMENT',
      reason: 'TOTAL_MISMATCH',
      message: `total ${after.totalFen} fen is not central ${after.centralFen} + local ${after.localFen} fen`,
    };
  }
  const raised = (['centralFen', 'localFen', 'totalFen'] as const).filter((k) => BigInt(after[k]) > BigInt(before[k]));
  if (raised.length > 0)
    return {
      code: 'INVALID_ARGUMENT',
      reason: 'NOT_A_TRIM',
      message: `a trim may not raise the fiscal cost (${raised.map((k) => `${k.replace('Fen', '')} ${before[k]}→${after[k]} fen`).join(', ')})`,
    };
  if (BigInt(after.totalFen) === BigInt(before.totalFen)) return { code: 'INVALID_ARGUMENT', reason: 'NOT_A_TRIM', message: 'a trim lowers the fiscal cost' };
  return undefined;
}

/** "central 500→300 fen, local 100→100 fen, total 600→400 fen" */
export function trimSummary(before: FiscalTotals, after: FiscalTotals): string {
  return `central ${before.centralFen}→${after.centralFen} fen, local ${before.localFen}→${after.localFen} fen, total ${before.totalFen}→${after.totalFen} fen`;
}
