// Opening a unified revision cycle: who may, and what a well-formed request is. Pure: returns the workflow's input
// or the field violations the gRPC edge turns into INVALID_ARGUMENT.
import type { ActorRef, CycleInput } from '../../../workflows/contracts';
import { isCycleOrganiser, isFinalApprover } from '../../../workflows/parties';
import type { FieldViolation } from '../../shared/errors/errors';
import { isFen } from '../../shared/validation/input';

export type OpenCycleCommand = {
  readonly cycleId: string;
  readonly planPeriod: string;
  readonly title: string;
  readonly effectiveFrom?: { readonly year: number; readonly month: number; readonly day: number };
  readonly fields: readonly { readonly fieldCode: string; readonly leadMinistry: string; readonly proposalWindowSeconds: number }[];
  readonly fiscalCeiling?: { readonly centralFen: string; readonly localFen: string };
  readonly evaluationSeconds: number;
  readonly proposalWindowSeconds: number;
  readonly refilingSeconds: number;
};

/** NDRC organises the unified revision with the ministries; the final approver may too. */
export function mayOpenCycle(actor: ActorRef): boolean {
  return isCycleOrganiser(actor);
}

export type CycleAction = 'fileEvaluation' | 'closeProposalWindow' | 'resolveConflict' | 'approvePackage' | 'closeCycle';

/**
 * Who may attempt a cycle action at all, decided before the cycle's phase is looked at (issue #14: a province or a
 * subscriber system is refused as such, not told the phase is wrong); the workflow's validator then checks the
 * phase and the exact party (the field's lead ministry, the final approver).
 */
export function cycleActionRefusal(action: CycleAction, actor: ActorRef): { readonly reason: string; readonly message: string } | undefined {
  switch (action) {
    case 'fileEvaluation':
    case 'closeProposalWindow':
      return actor.roles.includes('ministry-staff') || actor.roles.includes('approver')
        ? undefined
        : { reason: 'NOT_LEAD_MINISTRY', message: "a field's evaluation and proposal window belong to its lead ministry" };
    case 'resolveConflict':
    case 'approvePackage':
    case 'closeCycle':
      return isFinalApprover(actor)
        ? undefined
        : { reason: 'NOT_FINAL_APPROVER', message: "conflicts, the package and the cycle's close are decided by the final approver" };
    default: {
      const never: never = action;
      throw new Error(`unknown cycle action ${String(never)}`);
    }
  }
}

const codePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const planPattern = /^(\d{4})\s*[-–—]\s*(\d{4})$/;
const maxSeconds = 10 * 366 * 24 * 3600;

function isoDate(d: { year: number; month: number; day: number }): string | undefined {
  const date = new Date(Date.UTC(d.year, d.month - 1, d.day));
  if (date.getUTCFullYear() !== d.year || date.getUTCMonth() !== d.month - 1 || date.getUTCDate() !== d.day) return undefined;
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function openCycleInput(cmd: OpenCycleCommand, actor: ActorRef): { ok: true; input: CycleInput } | { ok: false; violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const add = (field: string, description: string): void => {
    violations.push({ field, description });
  };

  const plan = planPattern.exec(cmd.planPeriod.trim());
  if (!plan) add('plan_period', 'must be "YYYY-YYYY", e.g. "2026-2030"');
  else if (Number(plan[2]) <= Number(plan[1]) || Number(plan[2]) - Number(plan[1]) > 10) add('plan_period', 'must span 1 to 10 years, first year first');
  const cycleId = cmd.cycleId.trim() || (plan ? `C-${plan[1]}` : '');
  if (cmd.cycleId.trim() !== '' && !codePattern.test(cmd.cycleId.trim())) add('cycle_id', 'letters, digits, ".", "_" and "-" only (at most 64)');
  if (cmd.title.trim() === '') add('title', 'required (the edition title, e.g. 国家基本公共服务标准（2026年版）)');
  else if (cmd.title.length > 200) add('title', 'at most 200 characters');
  const effectiveFrom = cmd.effectiveFrom ? isoDate(cmd.effectiveFrom) : undefined;
  if (!effectiveFrom) add('effective_from', cmd.effectiveFrom ? 'not a calendar date' : 'required: one effective date for the whole edition');

  if (cmd.fields.length === 0) add('fields', 'at least one field takes part in the cycle');
  const seen = new Set<string>();
  cmd.fields.forEach((f, i) => {
    if (!codePattern.test(f.fieldCode)) add(`fields[${i}].field_code`, 'required field code, e.g. F21-HEALTH');
    else if (seen.has(f.fieldCode)) add(`fields[${i}].field_code`, `${f.fieldCode} is listed twice`);
    seen.add(f.fieldCode);
    if (!codePattern.test(f.leadMinistry)) add(`fields[${i}].lead_ministry`, 'required organisation code of the lead ministry, e.g. NHC');
    if (f.proposalWindowSeconds < 0 || f.proposalWindowSeconds > maxSeconds)
      add(`fields[${i}].proposal_window_seconds`, `0 (the cycle's window) to ${maxSeconds}`);
  });

  if (!cmd.fiscalCeiling) add('fiscal_ceiling', 'required: the fiscal-capacity ceiling by level of government');
  else {
    if (!isFen(cmd.fiscalCeiling.centralFen)) add('fiscal_ceiling.central_fen', 'a non-negative whole number of fen');
    if (!isFen(cmd.fiscalCeiling.localFen)) add('fiscal_ceiling.local_fen', 'a non-negative whole number of fen');
  }
  const seconds = (field: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min || value > maxSeconds) add(field, `${min} to ${maxSeconds} seconds`);
  };
  seconds('evaluation_seconds', cmd.evaluationSeconds, 1);
  seconds('proposal_window_seconds', cmd.proposalWindowSeconds, 1);
  seconds('refiling_seconds', cmd.refilingSeconds, 0);

  if (violations.length > 0 || !plan || !effectiveFrom || !cmd.fiscalCeiling) return { ok: false, violations };
  return {
    ok: true,
    input: {
      cycleId,
      planPeriod: `${plan[1]}–${plan[2]}`,
      title: cmd.title.trim(),
      effectiveFrom,
      fields: cmd.fields.map((f) => ({
        fieldCode: f.fieldCode,
        leadMinistry: f.leadMinistry,
        ...(f.proposalWindowSeconds > 0 ? { proposalWindowSeconds: f.proposalWindowSeconds } : {}),
      })),
      fiscalCeiling: { centralFen: cmd.fiscalCeiling.centralFen, localFen: cmd.fiscalCeiling.localFen },
      evaluationSeconds: cmd.evaluationSeconds,
      proposalWindowSeconds: cmd.proposalWindowSeconds,
      ...(cmd.refilingSeconds > 0 ? { refilingSeconds: cmd.refilingSeconds } : {}),
      openedBy: actor,
    },
  };
}

/** A trim's new fiscal totals: every amount a whole number of fen (the workflow checks it does not raise the cost). */
export function trimmedTotalsViolations(
  totals: { readonly totalFen: string; readonly centralFen: string; readonly localFen: string } | undefined,
): FieldViolation[] {
  return (['totalFen', 'centralFen', 'localFen'] as const)
    .filter((k) => !totals || !isFen(totals[k]))
    .map((k) => ({ field: `fiscal_totals.${k.replace('Fen', '_fen')}`, description: 'a non-negative whole number of fen' }));
}

/** "YYYY-MM-DD" as a date message (the form the workflows carry dates in), or undefined. */
export function dateOfIso(iso: string | undefined): { year: number; month: number; day: number } | undefined {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso) : null;
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}
