// Errata (勘误) of a published item version: wording only, and two people. Pure.
//
// What an erratum may touch: the item's `name`, `service_target.text` and `service_content.text` — the wording of
// what a standard states. Everything else is a level or a rule of the standard and changes only by an adjustment
// proposal through its approvals: the quality standard (its text states the level, e.g. "每人每年40元", and its
// metrics are the floor provinces are checked against), the payment category, the expenditure responsibility
// (kind, text, central shares), the lead unit, the field/category, the `stated` flags. Inside the wording, the
// numbers (ages, amounts, percentages, counts) must stay as they are: "65岁" → "60岁" changes who is entitled.
//
// Who: an erratum is proposed by an operator or by staff/an approver of the item's lead unit; it takes effect only
// when a second, different person approves it — an approver of the item's lead unit or the final approver (SCO).
import { ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { FieldViolation } from '../../shared/errors/errors';
import { accepted, refused, type Decision } from '../../shared/domain/decider';

export type Actor = { readonly subject: string; readonly organisation: string; readonly roles: readonly string[] };
export type WordingChange = { readonly field: string; readonly before: string; readonly after: string };

/** The item fields (proto paths) an erratum may change. */
export const erratumFields: readonly string[] = ['name', 'service_target.text', 'service_content.text'];

const LEVEL_ONLY_BY_PROPOSAL = 'not wording: a level changes only by proposal (an erratum may change only name, service_target.text, service_content.text)';

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Leaf values of an item in canonical proto JSON, by proto path ("quality_standard.metrics[0].value"). */
function leaves(item: ServiceItem): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      out.set(`${path}.length`, String(value.length));
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, path === '' ? snake(k) : `${path}.${snake(k)}`);
    } else {
      out.set(path, String(value));
    }
  };
  walk(ServiceItem.toJSON(item), '');
  return out;
}

/** The fields whose value differs, by proto path; array lengths reported on the array itself. */
export function changedFields(before: ServiceItem, after: ServiceItem): WordingChange[] {
  const a = leaves(before);
  const b = leaves(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.filter((p) => a.get(p) !== b.get(p)).map((p) => ({ field: p.replace(/\.length$/, ''), before: a.get(p) ?? '', after: b.get(p) ?? '' }));
}

const numbersOf = (text: string): string[] => text.match(/\d+(?:[.,]\d+)*/g) ?? [];

/** The wording an erratum corrects (what its proposal records). */
export type WordingCorrected = { readonly type: 'WordingCorrected'; readonly changes: readonly WordingChange[] };

/**
 * An erratum's changes, or why it is not one: every changed field must be wording (erratumFields), and the
 * numbers in the wording must stay the same. The refusal's violations name the item field
 * ("item.quality_standard.metrics[0].value") with their reason (NOT_WORDING, NUMBER_CHANGED, NO_CHANGE).
 */
export function decideErratum(current: ServiceItem, corrected: ServiceItem): Decision<WordingCorrected> {
  const all = changedFields(current, corrected);
  // A list that grew or shrank is named once (its elements' fields are not listed one by one).
  const resized = all
    .filter((c) => /^\d+$/.test(c.before || '0') && /^\d+$/.test(c.after || '0') && all.some((d) => d.field.startsWith(`${c.field}[`)))
    .map((c) => c.field);
  const changes = all.filter((c) => !resized.some((r) => c.field.startsWith(`${r}[`)));
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.field)) continue;
    seen.add(c.field);
    if (!erratumFields.includes(c.field)) violations.push({ field: `item.${c.field}`, description: LEVEL_ONLY_BY_PROPOSAL, reason: 'NOT_WORDING' });
    else if (numbersOf(c.before).join('|') !== numbersOf(c.after).join('|')) {
      violations.push({
        field: `item.${c.field}`,
        description: 'the numbers in the wording (ages, amounts, percentages) are levels or targets: a level changes only by proposal',
        reason: 'NUMBER_CHANGED',
      });
    }
  }
  if (changes.length === 0) violations.push({ field: 'item', description: 'an erratum changes some wording; this one changes nothing', reason: 'NO_CHANGE' });
  if (violations.length > 0) {
    const text = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    return refused('INVALID_ARGUMENT', violations[0]?.reason ?? 'NOT_WORDING', `not an erratum: ${text}`, violations);
  }
  return accepted({ type: 'WordingCorrected', changes });
}

/** Proposing an erratum of a version: who proposes it, the item's lead unit, the wording as recorded and as corrected. */
export type ProposeErratum = {
  readonly actor: Actor;
  readonly itemCode: string;
  readonly leadUnit: string | undefined;
  readonly current: ServiceItem;
  readonly corrected: ServiceItem;
};

/** Who may propose (mayProposeErratum: NOT_LEAD_UNIT), then what (decideErratum). */
export function decideErratumProposal(command: ProposeErratum): Decision<WordingCorrected> {
  if (!mayProposeErratum(command.actor, command.leadUnit)) {
    return refused(
      'PERMISSION_DENIED',
      'NOT_LEAD_UNIT',
      `only an operator or staff of the lead unit (${command.leadUnit ?? 'none'}) may propose an erratum of ${command.itemCode}`,
    );
  }
  return decideErratum(command.current, command.corrected);
}

export type ErratumApproved = { readonly type: 'ErratumApproved'; readonly erratumId: string };

/** Approving a proposed erratum, as the version's latest record stands now. */
export type ApproveErratum = {
  readonly actor: Actor;
  readonly itemCode: string;
  readonly version: number;
  readonly erratumId: string;
  readonly leadUnit: string | undefined;
  /** The subject who proposed it. */
  readonly proposedBy: string;
  /** Already approved (its document says so, or the version's records carry it). */
  readonly approved: boolean;
  /** The record it was proposed against, and the version's latest record now. */
  readonly baseRecordId: string;
  readonly latestRecordId: string;
};

/**
 * An approver of the lead unit or the final approver (NOT_ERRATUM_APPROVER), never its proposer (SELF_APPROVAL),
 * once (ALREADY_APPROVED), and only of the record it was proposed against (ERRATUM_STALE). The two preconditions
 * answer with the generic reason FAILED_PRECONDITION, their own in the violation (as the registry always has).
 */
export function decideErratumApproval(command: ApproveErratum): Decision<ErratumApproved> {
  const { actor, itemCode, erratumId, leadUnit } = command;
  if (!mayApproveErratum(actor, leadUnit)) {
    return refused(
      'PERMISSION_DENIED',
      'NOT_ERRATUM_APPROVER',
      `an erratum of ${itemCode} is approved by an approver of ${leadUnit ?? 'its lead unit'} or the final approver`,
    );
  }
  if (actor.subject === command.proposedBy) {
    return refused('PERMISSION_DENIED', 'SELF_APPROVAL', 'an erratum takes effect only when a second person approves it: its proposer may not');
  }
  if (command.approved) {
    return refused('FAILED_PRECONDITION', 'FAILED_PRECONDITION', `erratum ${erratumId} is already approved`, [
      { field: erratumId, description: 'already in effect', reason: 'ALREADY_APPROVED' },
    ]);
  }
  if (command.latestRecordId !== command.baseRecordId) return erratumStale(command);
  return accepted({ type: 'ErratumApproved', erratumId });
}

/** The version changed since the erratum was proposed (or another erratum of it was approved at the same moment). */
export function erratumStale(command: Pick<ApproveErratum, 'itemCode' | 'version' | 'erratumId' | 'baseRecordId' | 'latestRecordId'>): Decision<never> {
  return refused(
    'FAILED_PRECONDITION',
    'FAILED_PRECONDITION',
    `${command.itemCode} v${command.version} changed since erratum ${command.erratumId} was proposed; propose it again`,
    [{ field: command.erratumId, description: `proposed against ${command.baseRecordId}, now ${command.latestRecordId}`, reason: 'ERRATUM_STALE' }],
  );
}

/** Proposers: an operator, or staff or an approver of the item's lead unit. */
export function mayProposeErratum(actor: Actor, leadUnit: string | undefined): boolean {
  if (actor.roles.includes('operator')) return true;
  return (
    leadUnit !== undefined && leadUnit !== '' && actor.organisation === leadUnit && (actor.roles.includes('ministry-staff') || actor.roles.includes('approver'))
  );
}

/** Approvers: an approver of the item's lead unit, or the final approver. Never the proposer (checked apart). */
export function mayApproveErratum(actor: Actor, leadUnit: string | undefined): boolean {
  if (actor.organisation === 'SCO' && actor.roles.includes('final-approver')) return true;
  return leadUnit !== undefined && leadUnit !== '' && actor.organisation === leadUnit && actor.roles.includes('approver');
}
