// A technical standard's life (seed 004; GB/T 1.1 stages): 立项 → 起草 → 征求意见 → 审查 → 批准发布 → 实施, then 复审
// (confirmed after periodic review) or 废止. Pure decide/evolve: the rules of who may move it, and the checks of
// seed 004 — a service not on the list cannot be proposed (立项 needs its supporting measures), and no draft leaves
// 起草 without a public demand survey, a fiscal cost estimate and the agreement of the finance department at the
// same level (§五).
import { accepted, refused, type Decider, type Decision } from '../../shared/domain/decider';
import type { FieldViolation } from '../../shared/errors/errors';
import type { DocumentRef } from '../../../workflows/pilot/domain';
import {
  inForceStages,
  inProgressStages,
  mayMoveStandard,
  nextStages,
  stageOrder,
  type StandardLevel,
  type StandardStage,
} from '../../shared/standards/technical-standard-stages';

export { inForceStages, inProgressStages, nextStages, stageOrder, type StandardLevel, type StandardStage };

export type { DocumentRef };

export type StandardKind = 'FACILITY_EQUIPMENT' | 'SERVICE_PROCESS_QUALITY' | 'OPERATION_MANAGEMENT' | 'PERFORMANCE_EVALUATION';

export const standardKinds: readonly StandardKind[] = ['FACILITY_EQUIPMENT', 'SERVICE_PROCESS_QUALITY', 'OPERATION_MANAGEMENT', 'PERFORMANCE_EVALUATION'];

export type Actor = { readonly subject: string; readonly organisation: string; readonly roles: readonly string[] };
export type FinanceAgreement = { readonly organisation: string; readonly documents: readonly DocumentRef[] };
export type StageEntry = { readonly stage: StandardStage; readonly actor: Actor; readonly at: Date; readonly note: string };

/** What the registry says of an item a standard supports. */
export type CatalogueItem = {
  readonly itemCode: string;
  readonly fieldCode: string;
  readonly categoryCode: string;
  readonly leadUnit: string;
  readonly retired: boolean;
};

export type TechnicalStandard = {
  readonly standardId: string;
  readonly title: string;
  readonly level: StandardLevel;
  readonly mandatory: boolean;
  readonly kind: StandardKind;
  readonly itemCodes: readonly string[];
  readonly fieldCodes: readonly string[];
  readonly categoryCodes: readonly string[];
  readonly proposerOrganisation: string;
  readonly provinceCode: string;
  readonly stage: StandardStage;
  readonly number: string;
  readonly issuingBody: string;
  readonly publishedOn: string;
  readonly implementedOn: string;
  readonly supportingMeasures: readonly DocumentRef[];
  readonly demandSurvey: readonly DocumentRef[];
  readonly costEstimate: readonly DocumentRef[];
  readonly financeAgreement?: FinanceAgreement;
  readonly revisesStandardId: string;
  readonly history: readonly StageEntry[];
  readonly revision: number;
};

/** 立项: what the proposer states (everything else of the record is derived or comes later). */
export type ProposeStandard = Pick<
  TechnicalStandard,
  'standardId' | 'title' | 'level' | 'mandatory' | 'kind' | 'itemCodes' | 'provinceCode' | 'supportingMeasures' | 'revisesStandardId'
>;

/** A move to the next stage, with what that stage records (drafting checks, number and dates). */
export type AdvanceStandard = { readonly to: StandardStage; readonly note: string } & Pick<
  TechnicalStandard,
  'demandSurvey' | 'costEstimate' | 'financeAgreement' | 'number' | 'issuingBody' | 'publishedOn' | 'implementedOn'
>;

/** The one event of the register: a standard reached a stage (its whole record after it). */
export type StandardStepped = { readonly type: 'stepped'; readonly stage: StandardStage; readonly standard: TechnicalStandard };

/** The register's commands: 立项 of a new standard, or a move of an existing one to its next stage. */
export type StandardCommand =
  | {
      readonly kind: 'propose';
      readonly actor: Actor;
      readonly standard: ProposeStandard;
      /** The national list (registry) as read for this command. */
      readonly catalogue: ReadonlyMap<string, CatalogueItem>;
      /** The standard `revisesStandardId` names, as read. */
      readonly revised: TechnicalStandard | undefined;
      readonly at: Date;
    }
  | { readonly kind: 'advance'; readonly actor: Actor; readonly move: AdvanceStandard; readonly at: Date };

export type StandardDecision = Decision<StandardStepped>;

const denied = (reason: string, message: string): StandardDecision => refused('PERMISSION_DENIED', reason, message);
const precondition = (reason: string, message: string, violations?: readonly FieldViolation[]): StandardDecision =>
  refused('FAILED_PRECONDITION', reason, message, violations);
const invalid = (violations: readonly FieldViolation[]): StandardDecision =>
  refused('INVALID_ARGUMENT', 'VALIDATION_FAILED', violations.map((v) => `${v.field}: ${v.description}`).join('; '), violations);

const has = (actor: Actor, role: string): boolean => actor.roles.includes(role);
const isSamr = (actor: Actor): boolean => actor.organisation === 'SAMR' && has(actor, 'programme-officer');
const isProvince = (actor: Actor, province: string): boolean =>
  actor.organisation === province && (has(actor, 'programme-officer') || has(actor, 'province-officer'));

/** The finance department at the same level as the standard (seed 004 §五): MOF nationally, the province locally. */
export function financeDepartmentFor(standard: Pick<TechnicalStandard, 'level' | 'provinceCode'>): string {
  return standard.level === 'LOCAL' ? standard.provinceCode : 'MOF';
}

/** Who may propose (立项): the government or lead department at the standard's level. */
function mayPropose(actor: Actor, cmd: ProposeStandard, items: readonly CatalogueItem[]): boolean {
  switch (cmd.level) {
    case 'NATIONAL':
      return isSamr(actor) || (has(actor, 'ministry-staff') && items.every((i) => i.leadUnit === actor.organisation));
    case 'SECTOR':
      // A sector standard is the lead ministry's own (行业标准): it proposes and issues it; SAMR does not.
      return has(actor, 'ministry-staff') && items.every((i) => i.leadUnit === actor.organisation);
    case 'LOCAL':
      return isProvince(actor, cmd.provinceCode);
    case 'GROUP':
      return isSamr(actor);
    default: {
      const unreachable: never = cmd.level;
      throw new Error(`unknown level ${String(unreachable)}`);
    }
  }
}

const ymd = /^\d{4}-\d{2}-\d{2}$/;

/** The number a standard of this level is published under: GB/GB/T, a sector code, DBxx, T/… with a year. */
export function numberViolation(standard: Pick<TechnicalStandard, 'level' | 'mandatory' | 'provinceCode'>, number: string): string | undefined {
  const year = '\\s?\\d+(\\.\\d+)*[—–-]\\d{4}$';
  switch (standard.level) {
    case 'NATIONAL':
      return new RegExp(`^GB${standard.mandatory ? '' : '/T'}${year}`).test(number)
        ? undefined
        : `a ${standard.mandatory ? 'mandatory' : 'recommended'} national standard is numbered "${standard.mandatory ? 'GB' : 'GB/T'} NNNNN—YYYY"`;
    case 'SECTOR':
      return /^[A-Z]{2}(\/T)?\s?\d+(\.\d+)*[—–-]\d{4}$/.test(number) ? undefined : 'a sector standard is numbered like "MZ/T 123—2026"';
    case 'LOCAL': {
      const prefix = `DB${standard.provinceCode.slice(0, 2)}`;
      return new RegExp(`^${prefix}(/T)?${year}`).test(number) ? undefined : `a local standard of ${standard.provinceCode} is numbered "${prefix}/T NNNN—YYYY"`;
    }
    case 'GROUP':
      return /^T\/[A-Z0-9]+\s?\d+(\.\d+)*[—–-]\d{4}$/.test(number) ? undefined : 'a group standard is numbered like "T/CAS 123—2026"';
    default: {
      const unreachable: never = standard.level;
      throw new Error(`unknown level ${String(unreachable)}`);
    }
  }
}

export function decidePropose(
  actor: Actor,
  cmd: ProposeStandard,
  catalogue: ReadonlyMap<string, CatalogueItem>,
  revised: TechnicalStandard | undefined,
  at: Date,
): StandardDecision {
  const notOnList = cmd.itemCodes.filter((code) => !catalogue.get(code) || catalogue.get(code)?.retired);
  if (notOnList.length > 0)
    return precondition(
      'ITEM_NOT_ON_LIST',
      `a standard can be proposed only for services on the national list (seed 004); not on it: ${notOnList.join(', ')}`,
      notOnList.map((code) => ({ field: 'item_codes', description: `${code} is not on the national list`, reason: 'ITEM_NOT_ON_LIST' })),
    );
  const items = cmd.itemCodes.map((code) => catalogue.get(code) as CatalogueItem);
  if (!mayPropose(actor, cmd, items))
    return denied(
      'NOT_THE_PROPOSING_DEPARTMENT',
      cmd.level === 'LOCAL'
        ? `a local standard is proposed by ${cmd.provinceCode}'s own departments`
        : 'a national or sector standard is proposed by the lead unit of every item it supports, or by SAMR',
    );
  if (cmd.supportingMeasures.length === 0)
    return precondition('SUPPORTING_MEASURES_REQUIRED', '立项 needs the supporting measures the standard relies on (seed 004)', [
      { field: 'supporting_measures', description: 'at least one document', reason: 'SUPPORTING_MEASURES_REQUIRED' },
    ]);
  if (cmd.revisesStandardId && (!revised || !inForceStages.includes(revised.stage)))
    return precondition('REVISED_STANDARD_UNKNOWN', `${cmd.revisesStandardId} is not a published standard this one could revise`);
  const standard: TechnicalStandard = {
    standardId: cmd.standardId,
    title: cmd.title,
    level: cmd.level,
    mandatory: cmd.level === 'NATIONAL' && cmd.mandatory,
    kind: cmd.kind,
    itemCodes: [...cmd.itemCodes],
    fieldCodes: [...new Set(items.map((i) => i.fieldCode))].sort(),
    categoryCodes: [...new Set(items.map((i) => i.categoryCode).filter((c) => c !== ''))].sort(),
    proposerOrganisation: actor.organisation,
    provinceCode: cmd.level === 'LOCAL' ? cmd.provinceCode : '',
    stage: 'PROPOSED',
    number: '',
    issuingBody: '',
    publishedOn: '',
    implementedOn: '',
    supportingMeasures: [...cmd.supportingMeasures],
    demandSurvey: [],
    costEstimate: [],
    revisesStandardId: cmd.revisesStandardId,
    history: [{ stage: 'PROPOSED', actor, at, note: '' }],
    revision: 1,
  };
  return accepted<StandardStepped>({ type: 'stepped', stage: 'PROPOSED', standard });
}

export function decideAdvance(actor: Actor, standard: TechnicalStandard, cmd: AdvanceStandard, at: Date): StandardDecision {
  if (!nextStages(standard.stage).includes(cmd.to))
    return precondition(
      'STAGE_NOT_NEXT',
      `a standard at ${standard.stage} moves to ${nextStages(standard.stage).join(' or ') || 'nothing: it is withdrawn'}, not ${cmd.to}`,
    );
  if (!mayMoveStandard(actor, standard, cmd.to))
    return denied('NOT_THE_RESPONSIBLE_DEPARTMENT', `${actor.organisation} may not move ${standard.standardId} to ${cmd.to}`);
  let changes: Partial<TechnicalStandard> = {};
  if (cmd.to === 'CONSULTATION') {
    // Seed 004 §五: the drafting checks, each named when missing.
    const finance = financeDepartmentFor(standard);
    const missing: FieldViolation[] = [];
    if (cmd.demandSurvey.length === 0)
      missing.push({ field: 'demand_survey', description: 'the public demand survey (需求调查) is required', reason: 'DEMAND_SURVEY_REQUIRED' });
    if (cmd.costEstimate.length === 0)
      missing.push({ field: 'cost_estimate', description: 'the fiscal cost estimate (财政经费测算) is required', reason: 'COST_ESTIMATE_REQUIRED' });
    if (!cmd.financeAgreement || cmd.financeAgreement.documents.length === 0)
      missing.push({
        field: 'finance_agreement',
        description: `the agreement of the finance department at the same level (${finance}) is required`,
        reason: 'FINANCE_AGREEMENT_REQUIRED',
      });
    else if (cmd.financeAgreement.organisation !== finance && standard.level !== 'GROUP')
      missing.push({
        field: 'finance_agreement.organisation',
        description: `the finance department at this standard's level is ${finance}, not ${cmd.financeAgreement.organisation}`,
        reason: 'FINANCE_DEPARTMENT_NOT_SAME_LEVEL',
      });
    if (missing.length > 0)
      return precondition('DRAFTING_CHECKS_INCOMPLETE', `the draft cannot leave 起草: ${missing.map((m) => m.description).join('; ')}`, missing);
    changes = { demandSurvey: cmd.demandSurvey, costEstimate: cmd.costEstimate, ...(cmd.financeAgreement ? { financeAgreement: cmd.financeAgreement } : {}) };
  }
  if (cmd.to === 'PUBLISHED') {
    const violations: FieldViolation[] = [];
    const numberProblem = numberViolation(standard, cmd.number);
    if (numberProblem) violations.push({ field: 'number', description: numberProblem });
    if (cmd.issuingBody.trim() === '') violations.push({ field: 'issuing_body', description: 'the issuing body is required' });
    if (!ymd.test(cmd.publishedOn)) violations.push({ field: 'published_on', description: 'the publication date is required' });
    if (violations.length > 0) return invalid(violations);
    changes = { number: cmd.number, issuingBody: cmd.issuingBody, publishedOn: cmd.publishedOn };
  }
  if (cmd.to === 'IN_FORCE') {
    if (!ymd.test(cmd.implementedOn)) return invalid([{ field: 'implemented_on', description: 'the implementation date is required' }]);
    if (cmd.implementedOn < standard.publishedOn)
      return invalid([{ field: 'implemented_on', description: `must not be before publication (${standard.publishedOn})` }]);
    changes = { implementedOn: cmd.implementedOn };
  }
  if ((cmd.to === 'WITHDRAWN' || cmd.to === 'REVIEWED') && cmd.note.trim() === '')
    return invalid([{ field: 'note', description: `${cmd.to === 'WITHDRAWN' ? '废止' : '复审'} states its reason or conclusion` }]);
  const next: TechnicalStandard = {
    ...standard,
    ...changes,
    stage: cmd.to,
    history: [...standard.history, { stage: cmd.to, actor, at, note: cmd.note }],
    revision: standard.revision + 1,
  };
  return accepted<StandardStepped>({ type: 'stepped', stage: cmd.to, standard: next });
}

export function evolve(_state: TechnicalStandard | undefined, event: StandardStepped): TechnicalStandard {
  switch (event.type) {
    case 'stepped':
      return event.standard;
    default: {
      const unreachable: never = event.type;
      throw new Error(`unknown standard event ${String(unreachable)}`);
    }
  }
}

/** The register as a Decider: a standard that does not exist yet can only be proposed; one that exists only moved. */
export const standardDecider: Decider<TechnicalStandard | undefined, StandardCommand, StandardStepped> = {
  initialState: undefined,
  decide(state, command) {
    switch (command.kind) {
      case 'propose':
        return state
          ? precondition('STANDARD_EXISTS', `${command.standard.standardId} already exists`)
          : decidePropose(command.actor, command.standard, command.catalogue, command.revised, command.at);
      case 'advance':
        return state ? decideAdvance(command.actor, state, command.move, command.at) : precondition('STANDARD_UNKNOWN', 'the standard does not exist');
      default: {
        const unreachable: never = command;
        throw new Error(`unknown standard command ${JSON.stringify(unreachable)}`);
      }
    }
  },
  evolve,
};
