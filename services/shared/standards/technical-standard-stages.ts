// A technical standard's life (seed 004) as one rule for the programme service, which decides, and the console,
// which offers only the moves a person may make: the stages, which one comes next, and who moves a standard there.
// Names are the proto enum value names without their prefix (STANDARD_STAGE_DRAFTING → DRAFTING).

export type StandardLevel = 'NATIONAL' | 'SECTOR' | 'LOCAL' | 'GROUP';
export type StandardStage = 'PROPOSED' | 'DRAFTING' | 'CONSULTATION' | 'REVIEW' | 'PUBLISHED' | 'IN_FORCE' | 'REVIEWED' | 'WITHDRAWN';

/** The path every standard follows; REVIEWED and WITHDRAWN branch off it. */
export const stageOrder: readonly StandardStage[] = ['PROPOSED', 'DRAFTING', 'CONSULTATION', 'REVIEW', 'PUBLISHED', 'IN_FORCE'];
export const inForceStages: readonly StandardStage[] = ['PUBLISHED', 'IN_FORCE', 'REVIEWED'];
export const inProgressStages: readonly StandardStage[] = ['PROPOSED', 'DRAFTING', 'CONSULTATION', 'REVIEW'];

/** The stages a standard may move to from where it is: the next one or 废止; 复审 once in force; nothing once withdrawn. */
export function nextStages(stage: StandardStage): StandardStage[] {
  if (stage === 'WITHDRAWN') return [];
  if (stage === 'IN_FORCE' || stage === 'REVIEWED') return ['REVIEWED', 'WITHDRAWN'];
  const next = stageOrder[stageOrder.indexOf(stage) + 1];
  return next ? [next, 'WITHDRAWN'] : ['WITHDRAWN'];
}

type Party = { readonly organisation: string; readonly roles: readonly string[] };
type Standard = { readonly level: StandardLevel; readonly proposerOrganisation: string; readonly provinceCode: string; readonly stage: StandardStage };

const has = (who: Party, role: string): boolean => who.roles.includes(role);
const isSamr = (who: Party): boolean => who.organisation === 'SAMR' && has(who, 'programme-officer');

/**
 * Who moves a standard to `to`: its proposer's organisation (or SAMR) while it is drafted; the body that issues it
 * from 批准发布 on (SAMR for national and group standards, the lead ministry for sector ones, the province for local
 * ones). A project is dropped by its proposer before publication; a published standard is withdrawn by its issuer.
 */
export function mayMoveStandard(who: Party, standard: Standard, to: StandardStage): boolean {
  const proposerSide =
    who.organisation === standard.proposerOrganisation && (has(who, 'ministry-staff') || has(who, 'programme-officer') || has(who, 'province-officer'));
  const issuingSide =
    standard.level === 'NATIONAL' || standard.level === 'GROUP'
      ? isSamr(who)
      : standard.level === 'LOCAL'
        ? who.organisation === standard.provinceCode && (has(who, 'programme-officer') || has(who, 'province-officer'))
        : who.organisation === standard.proposerOrganisation && has(who, 'ministry-staff');
  if (to === 'WITHDRAWN') return inProgressStages.includes(standard.stage) ? proposerSide || isSamr(who) : issuingSide;
  return inProgressStages.includes(to) ? proposerSide || isSamr(who) : issuingSide;
}
