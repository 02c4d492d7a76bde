// A standardisation pilot (seed 003 and its 实施细则) as pure decide/evolve: the workflow (standardisation-pilot.ts)
// asks `decide` whether a human step may happen and which events it records, and folds them with `evolve`. No I/O,
// no clock (every command carries its time), no Node built-ins: it runs inside the workflow sandbox and in unit tests.
import type { ActorRef } from '../contracts';
import { accepted, refused, type Decision, type Refusal } from '../../services/shared/domain/decider';

export type PilotType = 'COMPREHENSIVE' | 'SPECIAL' | 'REGIONAL_COORDINATION';
export type PilotStatus =
  | 'APPLYING'
  | 'SUBMITTED'
  | 'CANDIDATE'
  | 'NOT_RECOMMENDED'
  | 'PILOTING'
  | 'NOT_SELECTED'
  | 'CANCELLED'
  | 'EVALUATION_REQUESTED'
  | 'UNDER_EVALUATION'
  | 'EVALUATED'
  | 'PUBLISHED';
export type PilotTaskCode = 'COORDINATION_MECHANISM' | 'SERVICE_INVENTORY' | 'STANDARD_CATALOGUE' | 'IMPLEMENTATION_MECHANISM' | 'DATA_REPORTING';
export type TaskStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'DONE';

/** The five tasks of seed 003 art. 13, assigned on selection. */
export const pilotTasks: readonly PilotTaskCode[] = [
  'COORDINATION_MECHANISM',
  'SERVICE_INVENTORY',
  'STANDARD_CATALOGUE',
  'IMPLEMENTATION_MECHANISM',
  'DATA_REPORTING',
];

/** The national departments that jointly select pilots (art. 11): SAMR states the term; NDRC and MOF concur. */
export const selectingOrganisations = ['SAMR', 'NDRC', 'MOF'] as const;
/** Expert groups (art. 17): at least 5, at least 2 of them from the national expert committee. */
export const MIN_EXPERTS = 5;
export const MIN_NATIONAL_COMMITTEE_EXPERTS = 2;

export type DocumentRef = { readonly title: string; readonly uri: string; readonly digest: string; readonly digestAlgorithm: string };

/** One locality's application form (附件2). */
export type PilotApplication = {
  readonly name: string;
  readonly type: PilotType;
  readonly periodStart: string; // YYYY-MM
  readonly periodEnd: string;
  readonly fieldCodes: readonly string[];
  readonly localityCode: string;
  readonly localityName: string;
  readonly partnerLocalityCodes: readonly string[];
  readonly groundwork: string;
  readonly policyAndFundingSupport: string;
  readonly majorIncidentInThreeYears: boolean;
  readonly goals: string;
  readonly workPlan: string;
  readonly funding: string;
  readonly documents: readonly DocumentRef[];
};

export type Expert = { readonly expertId: string; readonly name: string; readonly affiliation: string; readonly nationalCommittee: boolean };

export type Locality = { readonly code: string; readonly name: string; readonly province: string; readonly application?: PilotApplication };
export type Screening = {
  readonly province: string;
  readonly recommended: boolean;
  readonly opinion: string;
  readonly actor: ActorRef;
  readonly at: number;
  readonly slot: number;
};
export type SelectionDecision = {
  readonly organisation: string;
  readonly selected: boolean;
  readonly opinion: string;
  readonly actor: ActorRef;
  readonly at: number;
};
export type TaskProgress = { readonly task: PilotTaskCode; readonly status: TaskStatus; readonly note: string; readonly reportedAt?: number };
export type Incident = {
  readonly description: string;
  readonly occurredOn: string; // YYYY-MM-DD
  readonly reportedBy: ActorRef;
  readonly reportedAt: number;
  readonly decision?: 'EXTEND' | 'CANCEL';
  readonly extendedTo?: string;
  readonly decidedBy?: ActorRef;
};
export type PilotEvaluationState = {
  readonly experts?: readonly Expert[];
  readonly groupFormedBy?: ActorRef;
  readonly conclusion?: 'PASS' | 'FAIL';
  readonly score?: string;
  readonly summary?: string;
  readonly report?: readonly DocumentRef[];
  readonly scoredBy?: ActorRef;
  readonly recheckOutcome?: 'CONFIRMED' | 'OVERTURNED';
  readonly recheckNote?: string;
  readonly recheckedBy?: ActorRef;
};
export type HistoryEntry = { readonly step: string; readonly actor: ActorRef; readonly at: number; readonly summary: string };

export type PilotState = {
  readonly pilotId: string;
  readonly batchId: string;
  /** Candidates a province may send in this batch (art. 10: 一般不超过3个). */
  readonly candidatesPerProvince: number;
  readonly name: string;
  readonly type: PilotType;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly fieldCodes: readonly string[];
  readonly localities: readonly Locality[];
  readonly status: PilotStatus;
  readonly screenings: readonly Screening[];
  readonly selection: readonly SelectionDecision[];
  readonly termStart?: string;
  readonly termEnd?: string;
  readonly tasks: readonly TaskProgress[];
  readonly incidents: readonly Incident[];
  readonly evaluation: PilotEvaluationState;
  readonly publishedAt?: number;
  readonly history: readonly HistoryEntry[];
  readonly revision: number;
};

export type PilotCommand =
  | { readonly type: 'join'; readonly actor: ActorRef; readonly at: number; readonly application: PilotApplication }
  | { readonly type: 'screen'; readonly actor: ActorRef; readonly at: number; readonly recommend: boolean; readonly opinion: string; readonly slot: number }
  | {
      readonly type: 'decideSelection';
      readonly actor: ActorRef;
      readonly at: number;
      readonly select: boolean;
      readonly opinion: string;
      readonly termStart?: string;
      readonly termEnd?: string;
    }
  | {
      readonly type: 'reportProgress';
      readonly actor: ActorRef;
      readonly at: number;
      readonly tasks: readonly { task: PilotTaskCode; status: TaskStatus; note: string }[];
    }
  | { readonly type: 'reportIncident'; readonly actor: ActorRef; readonly at: number; readonly description: string; readonly occurredOn: string }
  | {
      readonly type: 'decideIncident';
      readonly actor: ActorRef;
      readonly at: number;
      readonly cancel: boolean;
      readonly extendedTo?: string;
      readonly note: string;
    }
  | { readonly type: 'requestEvaluation'; readonly actor: ActorRef; readonly at: number; readonly today: string; readonly note: string }
  | { readonly type: 'formExpertGroup'; readonly actor: ActorRef; readonly at: number; readonly experts: readonly Expert[] }
  | {
      readonly type: 'recordEvaluation';
      readonly actor: ActorRef;
      readonly at: number;
      readonly conclusion: string;
      readonly score: string;
      readonly summary: string;
      readonly report: readonly DocumentRef[];
    }
  | { readonly type: 'recheck'; readonly actor: ActorRef; readonly at: number; readonly outcome: string; readonly note: string }
  | { readonly type: 'publishResults'; readonly actor: ActorRef; readonly at: number; readonly note: string };

export type PilotCommandType = PilotCommand['type'];

/** What the workflow records (one `bps.programme.pilot.<step>` event each). */
export type PilotEvent =
  | { readonly type: 'applied'; readonly actor: ActorRef; readonly at: number; readonly locality: Locality }
  | { readonly type: 'joined'; readonly actor: ActorRef; readonly at: number; readonly localityCode: string; readonly application: PilotApplication }
  | { readonly type: 'submitted'; readonly actor: ActorRef; readonly at: number }
  | { readonly type: 'screened'; readonly actor: ActorRef; readonly at: number; readonly screening: Screening }
  | { readonly type: 'candidate'; readonly actor: ActorRef; readonly at: number }
  | { readonly type: 'not-recommended'; readonly actor: ActorRef; readonly at: number }
  | {
      readonly type: 'selection-decided';
      readonly actor: ActorRef;
      readonly at: number;
      readonly decision: SelectionDecision;
      readonly termStart?: string;
      readonly termEnd?: string;
    }
  | { readonly type: 'selected'; readonly actor: ActorRef; readonly at: number }
  | { readonly type: 'not-selected'; readonly actor: ActorRef; readonly at: number }
  | { readonly type: 'progress-reported'; readonly actor: ActorRef; readonly at: number; readonly tasks: readonly TaskProgress[] }
  | { readonly type: 'incident-reported'; readonly actor: ActorRef; readonly at: number; readonly incident: Incident }
  | { readonly type: 'extended'; readonly actor: ActorRef; readonly at: number; readonly extendedTo: string; readonly note: string }
  | { readonly type: 'cancelled'; readonly actor: ActorRef; readonly at: number; readonly note: string }
  | { readonly type: 'evaluation-requested'; readonly actor: ActorRef; readonly at: number; readonly note: string }
  | { readonly type: 'expert-group-formed'; readonly actor: ActorRef; readonly at: number; readonly experts: readonly Expert[] }
  | {
      readonly type: 'evaluated';
      readonly actor: ActorRef;
      readonly at: number;
      readonly conclusion: 'PASS' | 'FAIL';
      readonly score: string;
      readonly summary: string;
      readonly report: readonly DocumentRef[];
    }
  | { readonly type: 'rechecked'; readonly actor: ActorRef; readonly at: number; readonly outcome: 'CONFIRMED' | 'OVERTURNED'; readonly note: string }
  | { readonly type: 'published'; readonly actor: ActorRef; readonly at: number; readonly note: string };

/** The one decision shape (services/shared/domain/decider.ts) for the pilot's events. */
export type PilotDecision = Decision<PilotEvent>;

export const TERMINAL: readonly PilotStatus[] = ['NOT_RECOMMENDED', 'NOT_SELECTED', 'CANCELLED', 'PUBLISHED'];

/** The province (GB/T 2260) of a city or county code: its first two digits. */
export function provinceOf(localityCode: string): string {
  return `${localityCode.slice(0, 2)}0000`;
}

export function provincesOf(state: Pick<PilotState, 'localities'>): string[] {
  return [...new Set(state.localities.map((l) => l.province))];
}

const ok = (...events: PilotEvent[]): PilotDecision => accepted(...events);
const refuse = (code: Refusal['code'], reason: string, message: string): PilotDecision => refused(code, reason, message);
const denied = (reason: string, message: string): PilotDecision => refuse('PERMISSION_DENIED', reason, message);
const precondition = (reason: string, message: string): PilotDecision => refuse('FAILED_PRECONDITION', reason, message);
const invalid = (reason: string, message: string): PilotDecision => refuse('INVALID_ARGUMENT', reason, message);

const has = (actor: ActorRef, role: string): boolean => actor.roles.includes(role);
const isLocalityOf = (state: PilotState, actor: ActorRef): boolean =>
  has(actor, 'locality-officer') && state.localities.some((l) => l.code === actor.organisation);
const isProvinceOf = (state: PilotState, actor: ActorRef): boolean => has(actor, 'programme-officer') && provincesOf(state).includes(actor.organisation);
const isSamr = (actor: ActorRef): boolean => has(actor, 'programme-officer') && actor.organisation === 'SAMR';
const ymd = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Fields that must be identical in every application of a regional-coordination pilot (art. 9: 试点名称, 试点时间,
 * 试点类型 完全一致). Returns the names of those that differ.
 */
export function jointMismatches(a: Pick<PilotApplication, 'name' | 'type' | 'periodStart' | 'periodEnd'>, b: typeof a): string[] {
  return (['name', 'type', 'periodStart', 'periodEnd'] as const).filter((f) => a[f] !== b[f]);
}

/**
 * The first application opens the pilot: who may file it, and the events it records (`applied`, then `submitted`
 * at once unless a regional-coordination pilot waits for its partners) over the empty pilot `initial`.
 */
export function decideOpening(
  pilotId: string,
  batchId: string,
  candidatesPerProvince: number,
  application: PilotApplication,
  actor: ActorRef,
  at: number,
): { readonly ok: true; readonly initial: PilotState; readonly events: readonly PilotEvent[] } | { readonly ok: false; readonly refusal: Refusal } {
  if (!has(actor, 'locality-officer') || actor.organisation !== application.localityCode)
    return {
      ok: false,
      refusal: {
        code: 'PERMISSION_DENIED',
        reason: 'NOT_THE_LOCALITY',
        message: 'a city or county government files its own application (locality-officer of that locality)',
      },
    };
  const regional = application.type === 'REGIONAL_COORDINATION';
  const codes = regional ? [application.localityCode, ...application.partnerLocalityCodes] : [application.localityCode];
  const initial: PilotState = {
    pilotId,
    batchId,
    candidatesPerProvince,
    name: application.name,
    type: application.type,
    periodStart: application.periodStart,
    periodEnd: application.periodEnd,
    fieldCodes: [...application.fieldCodes],
    localities: codes.map((code) => ({ code, name: '', province: provinceOf(code) })),
    status: 'APPLYING',
    screenings: [],
    selection: [],
    tasks: [],
    incidents: [],
    evaluation: {},
    history: [],
    revision: 0,
  };
  const locality: Locality = { code: application.localityCode, name: application.localityName, province: provinceOf(application.localityCode), application };
  const events: PilotEvent[] = [{ type: 'applied', actor, at, locality }];
  if (codes.length === 1) events.push({ type: 'submitted', actor, at });
  return { ok: true, initial, events };
}

export function decide(state: PilotState, cmd: PilotCommand): PilotDecision {
  if (TERMINAL.includes(state.status))
    return precondition('PILOT_CLOSED', `the pilot is ${state.status.toLowerCase().replace('_', ' ')}: nothing more can be recorded`);
  switch (cmd.type) {
    case 'join': {
      if (state.type !== 'REGIONAL_COORDINATION' || state.status !== 'APPLYING')
        return precondition('ALREADY_APPLIED', `a pilot named "${state.name}" already exists in batch ${state.batchId}`);
      const locality = state.localities.find((l) => l.code === cmd.application.localityCode);
      if (!locality) return denied('NOT_A_PARTNER', `${cmd.application.localityCode} is not one of the localities the joint application names`);
      if (cmd.actor.organisation !== locality.code || !has(cmd.actor, 'locality-officer'))
        return denied('NOT_THE_LOCALITY', 'a locality files its own application (locality-officer of that city or county)');
      if (locality.application) return precondition('ALREADY_APPLIED', `${locality.code} has already filed its application`);
      const mismatched = jointMismatches(state, cmd.application);
      const partners = [cmd.application.localityCode, ...cmd.application.partnerLocalityCodes].sort().join();
      if (
        partners !==
        state.localities
          .map((l) => l.code)
          .sort()
          .join()
      )
        mismatched.push('partnerLocalityCodes');
      if (mismatched.length > 0)
        return invalid(
          'JOINT_APPLICATION_MISMATCH',
          `a regional-coordination pilot's applications must state the identical name, period, type and localities (seed 003 art. 9); differs: ${mismatched.join(', ')}`,
        );
      const events: PilotEvent[] = [{ type: 'joined', actor: cmd.actor, at: cmd.at, localityCode: locality.code, application: cmd.application }];
      if (state.localities.filter((l) => !l.application).length === 1) events.push({ type: 'submitted', actor: cmd.actor, at: cmd.at });
      return ok(...events);
    }
    case 'screen': {
      if (!isProvinceOf(state, cmd.actor))
        return denied('NOT_A_SCREENING_PROVINCE', "only the provincial departments of a piloting locality's province screen its application");
      if (state.status !== 'SUBMITTED') return precondition('NOT_AWAITING_SCREENING', `the pilot is ${state.status}, not awaiting provincial screening`);
      if (state.screenings.some((s) => s.province === cmd.actor.organisation))
        return precondition('ALREADY_SCREENED', `${cmd.actor.organisation} has already screened this pilot`);
      if (cmd.opinion.trim() === '') return invalid('OPINION_REQUIRED', 'the screening opinion is required');
      if (cmd.recommend && (cmd.slot < 1 || cmd.slot > state.candidatesPerProvince))
        return precondition(
          'PROVINCE_QUOTA_EXCEEDED',
          `${cmd.actor.organisation} has already sent ${state.candidatesPerProvince} candidates in batch ${state.batchId} (seed 003 art. 10: 一般不超过${state.candidatesPerProvince}个)`,
        );
      const screening: Screening = {
        province: cmd.actor.organisation,
        recommended: cmd.recommend,
        opinion: cmd.opinion,
        actor: cmd.actor,
        at: cmd.at,
        slot: cmd.recommend ? cmd.slot : 0,
      };
      const events: PilotEvent[] = [{ type: 'screened', actor: cmd.actor, at: cmd.at, screening }];
      if (!cmd.recommend) events.push({ type: 'not-recommended', actor: cmd.actor, at: cmd.at });
      else if (provincesOf(state).every((p) => p === screening.province || state.screenings.some((s) => s.province === p && s.recommended)))
        events.push({ type: 'candidate', actor: cmd.actor, at: cmd.at });
      return ok(...events);
    }
    case 'decideSelection': {
      const organisation = cmd.actor.organisation;
      const allowed = organisation === 'SAMR' ? isSamr(cmd.actor) : (organisation === 'NDRC' || organisation === 'MOF') && has(cmd.actor, 'approver');
      if (!allowed) return denied('NOT_A_SELECTING_DEPARTMENT', 'pilots are selected jointly by SAMR (programme officer), NDRC and MOF (approvers)');
      if (state.status !== 'CANDIDATE') return precondition('NOT_A_CANDIDATE', `the pilot is ${state.status}, not a candidate for selection`);
      if (state.selection.some((s) => s.organisation === organisation))
        return precondition('ALREADY_DECIDED', `${organisation} has already decided on this pilot`);
      if (organisation === 'SAMR' && cmd.select) {
        if (!cmd.termStart || !cmd.termEnd || !ymd.test(cmd.termStart) || !ymd.test(cmd.termEnd))
          return invalid('TERM_REQUIRED', "SAMR's selection states the pilot's term (term_start and term_end)");
        if (cmd.termEnd <= cmd.termStart) return invalid('TERM_INVALID', 'term_end must be after term_start');
      }
      const decision: SelectionDecision = { organisation, selected: cmd.select, opinion: cmd.opinion, actor: cmd.actor, at: cmd.at };
      const events: PilotEvent[] = [
        {
          type: 'selection-decided',
          actor: cmd.actor,
          at: cmd.at,
          decision,
          ...(organisation === 'SAMR' && cmd.select ? { termStart: cmd.termStart, termEnd: cmd.termEnd } : {}),
        },
      ];
      const decided = [...state.selection, decision];
      if (!cmd.select) events.push({ type: 'not-selected', actor: cmd.actor, at: cmd.at });
      else if (selectingOrganisations.every((o) => decided.some((d) => d.organisation === o && d.selected)))
        events.push({ type: 'selected', actor: cmd.actor, at: cmd.at });
      return ok(...events);
    }
    case 'reportProgress': {
      if (!isLocalityOf(state, cmd.actor)) return denied('NOT_A_PILOT_LOCALITY', 'a piloting locality reports its progress');
      if (state.status !== 'PILOTING') return precondition('NOT_PILOTING', `the pilot is ${state.status}: progress is reported during its term`);
      if (cmd.tasks.length === 0) return invalid('TASKS_REQUIRED', 'report at least one task');
      const seen = new Set<string>();
      for (const t of cmd.tasks) {
        if (!pilotTasks.includes(t.task)) return invalid('UNKNOWN_TASK', `unknown task ${t.task}`);
        if (seen.has(t.task)) return invalid('DUPLICATE_TASK', `task ${t.task} is reported twice`);
        seen.add(t.task);
      }
      return ok({ type: 'progress-reported', actor: cmd.actor, at: cmd.at, tasks: cmd.tasks.map((t) => ({ ...t, reportedAt: cmd.at })) });
    }
    case 'reportIncident': {
      if (!isLocalityOf(state, cmd.actor) && !isProvinceOf(state, cmd.actor))
        return denied('NOT_A_PILOT_PARTY', 'a piloting locality or its provincial departments report an incident');
      if (state.status !== 'PILOTING') return precondition('NOT_PILOTING', `the pilot is ${state.status}`);
      if (cmd.description.trim() === '' || !ymd.test(cmd.occurredOn))
        return invalid('INCIDENT_INCOMPLETE', 'an incident needs a description and the date it occurred');
      return ok({
        type: 'incident-reported',
        actor: cmd.actor,
        at: cmd.at,
        incident: { description: cmd.description, occurredOn: cmd.occurredOn, reportedBy: cmd.actor, reportedAt: cmd.at },
      });
    }
    case 'decideIncident': {
      if (!isSamr(cmd.actor)) return denied('NOT_SAMR', 'SAMR decides whether an incident extends or cancels a pilot (art. 14)');
      if (!state.incidents.some((i) => i.decision === undefined)) return precondition('NO_OPEN_INCIDENT', 'there is no undecided incident');
      if (cmd.cancel) return ok({ type: 'cancelled', actor: cmd.actor, at: cmd.at, note: cmd.note });
      if (!cmd.extendedTo || !ymd.test(cmd.extendedTo) || !state.termEnd || cmd.extendedTo <= state.termEnd)
        return invalid('EXTENSION_INVALID', `an extension states a new term end after ${state.termEnd ?? 'the current one'}`);
      return ok({ type: 'extended', actor: cmd.actor, at: cmd.at, extendedTo: cmd.extendedTo, note: cmd.note });
    }
    case 'requestEvaluation': {
      if (!isLocalityOf(state, cmd.actor)) return denied('NOT_A_PILOT_LOCALITY', 'a piloting locality applies for its evaluation (art. 15)');
      if (state.status !== 'PILOTING') return precondition('NOT_PILOTING', `the pilot is ${state.status}`);
      if (state.incidents.some((i) => i.decision === undefined)) return precondition('INCIDENT_UNDECIDED', 'an incident awaits SAMR’s decision');
      if (!state.termEnd || cmd.today < state.termEnd)
        return precondition('TERM_NOT_ENDED', `the pilot's term ends on ${state.termEnd}; evaluation is requested after it`);
      return ok({ type: 'evaluation-requested', actor: cmd.actor, at: cmd.at, note: cmd.note });
    }
    case 'formExpertGroup': {
      if (!isProvinceOf(state, cmd.actor))
        return denied('NOT_A_SCREENING_PROVINCE', "the provincial departments of the pilot's province form its expert group (art. 17)");
      if (state.status !== 'EVALUATION_REQUESTED') return precondition('EVALUATION_NOT_REQUESTED', `the pilot is ${state.status}`);
      const ids = new Set(cmd.experts.map((e) => e.expertId));
      if (ids.size !== cmd.experts.length) return invalid('DUPLICATE_EXPERT', 'an expert is named twice');
      if (cmd.experts.length < MIN_EXPERTS)
        return precondition(
          'EXPERT_GROUP_TOO_SMALL',
          `an evaluation expert group has at least ${MIN_EXPERTS} experts (seed 003 art. 17); ${cmd.experts.length} named`,
        );
      const national = cmd.experts.filter((e) => e.nationalCommittee).length;
      if (national < MIN_NATIONAL_COMMITTEE_EXPERTS)
        return precondition(
          'TOO_FEW_NATIONAL_COMMITTEE_EXPERTS',
          `at least ${MIN_NATIONAL_COMMITTEE_EXPERTS} experts come from the national expert committee (seed 003 art. 17); ${national} named`,
        );
      const localities = new Set(state.localities.map((l) => l.code));
      const conflicted = cmd.experts.filter((e) => localities.has(e.affiliation));
      if (conflicted.length > 0)
        return precondition(
          'EXPERT_FROM_PILOT_LOCALITY',
          `experts may not come from a piloting locality: ${conflicted.map((e) => `${e.name} (${e.affiliation})`).join(', ')}`,
        );
      return ok({ type: 'expert-group-formed', actor: cmd.actor, at: cmd.at, experts: cmd.experts });
    }
    case 'recordEvaluation': {
      if (!isProvinceOf(state, cmd.actor)) return denied('NOT_A_SCREENING_PROVINCE', "the provincial departments record their expert group's evaluation");
      if (state.status !== 'UNDER_EVALUATION') return precondition('NO_EXPERT_GROUP', `the pilot is ${state.status}: an expert group evaluates it first`);
      if (cmd.conclusion !== 'PASS' && cmd.conclusion !== 'FAIL') return invalid('CONCLUSION_INVALID', 'conclusion is PASS or FAIL');
      if (cmd.summary.trim() === '' || cmd.report.length === 0) return invalid('REPORT_REQUIRED', 'the evaluation states a summary and its report');
      return ok({ type: 'evaluated', actor: cmd.actor, at: cmd.at, conclusion: cmd.conclusion, score: cmd.score, summary: cmd.summary, report: cmd.report });
    }
    case 'recheck': {
      if (!isSamr(cmd.actor)) return denied('NOT_SAMR', 'SAMR spot-checks evaluation results (art. 20)');
      if (state.status !== 'EVALUATED') return precondition('NOT_EVALUATED', `the pilot is ${state.status}`);
      if (state.evaluation.recheckOutcome) return precondition('ALREADY_RECHECKED', 'the evaluation has already been re-checked');
      if (cmd.outcome !== 'CONFIRMED' && cmd.outcome !== 'OVERTURNED') return invalid('OUTCOME_INVALID', 'outcome is CONFIRMED or OVERTURNED');
      if (cmd.outcome === 'OVERTURNED' && cmd.note.trim() === '') return invalid('NOTE_REQUIRED', 'overturning an evaluation states why');
      return ok({ type: 'rechecked', actor: cmd.actor, at: cmd.at, outcome: cmd.outcome, note: cmd.note });
    }
    case 'publishResults': {
      if (!isSamr(cmd.actor)) return denied('NOT_SAMR', 'SAMR, NDRC and MOF publish the results (art. 21); SAMR records it');
      if (state.status !== 'EVALUATED') return precondition('NOT_EVALUATED', `the pilot is ${state.status}: only an evaluated pilot's results are published`);
      return ok({ type: 'published', actor: cmd.actor, at: cmd.at, note: cmd.note });
    }
    default: {
      const unreachable: never = cmd;
      throw new Error(`unknown pilot command ${JSON.stringify(unreachable)}`);
    }
  }
}

const summaryOf = (e: PilotEvent): string => {
  switch (e.type) {
    case 'applied':
      return `${e.locality.code} ${e.locality.name} applied`;
    case 'joined':
      return `${e.localityCode} ${e.application.localityName} joined the application`;
    case 'screened':
      return `${e.screening.province} ${e.screening.recommended ? `recommended (candidate ${e.screening.slot})` : 'did not recommend'}: ${e.screening.opinion}`;
    case 'selection-decided':
      return `${e.decision.organisation} ${e.decision.selected ? 'selects' : 'does not select'}${e.termStart ? ` (term ${e.termStart} – ${e.termEnd})` : ''}`;
    case 'progress-reported':
      return e.tasks.map((t) => `${t.task}: ${t.status}`).join('; ');
    case 'incident-reported':
      return `${e.incident.occurredOn}: ${e.incident.description}`;
    case 'extended':
      return `term extended to ${e.extendedTo}${e.note ? `: ${e.note}` : ''}`;
    case 'expert-group-formed':
      return e.experts.map((x) => `${x.name}${x.nationalCommittee ? '（国家专家委员会）' : ''}`).join('、');
    case 'evaluated':
      return `${e.conclusion}${e.score ? ` (${e.score})` : ''}: ${e.summary}`;
    case 'rechecked':
      return `${e.outcome}${e.note ? `: ${e.note}` : ''}`;
    case 'cancelled':
    case 'evaluation-requested':
    case 'published':
      return e.note;
    case 'submitted':
    case 'candidate':
    case 'not-recommended':
    case 'selected':
    case 'not-selected':
      return '';
    default: {
      const unreachable: never = e;
      throw new Error(`unknown pilot event ${JSON.stringify(unreachable)}`);
    }
  }
};

export function evolve(state: PilotState, event: PilotEvent): PilotState {
  const next = {
    ...state,
    revision: state.revision + 1,
    history: [...state.history, { step: event.type, actor: event.actor, at: event.at, summary: summaryOf(event) }],
  };
  switch (event.type) {
    case 'applied':
      return { ...next, localities: state.localities.map((l) => (l.code === event.locality.code ? event.locality : l)) };
    case 'joined':
      return {
        ...next,
        localities: state.localities.map((l) =>
          l.code === event.localityCode ? { ...l, name: event.application.localityName, application: event.application } : l,
        ),
      };
    case 'submitted':
      return { ...next, status: 'SUBMITTED' };
    case 'screened':
      return { ...next, screenings: [...state.screenings, event.screening] };
    case 'candidate':
      return { ...next, status: 'CANDIDATE' };
    case 'not-recommended':
      return { ...next, status: 'NOT_RECOMMENDED' };
    case 'selection-decided':
      return { ...next, selection: [...state.selection, event.decision], ...(event.termStart ? { termStart: event.termStart, termEnd: event.termEnd } : {}) };
    case 'selected':
      return { ...next, status: 'PILOTING', tasks: pilotTasks.map((task) => ({ task, status: 'NOT_STARTED', note: '' })) };
    case 'not-selected':
      return { ...next, status: 'NOT_SELECTED' };
    case 'progress-reported':
      return { ...next, tasks: state.tasks.map((t) => event.tasks.find((r) => r.task === t.task) ?? t) };
    case 'incident-reported':
      return { ...next, incidents: [...state.incidents, event.incident] };
    case 'extended':
      return {
        ...next,
        termEnd: event.extendedTo,
        incidents: state.incidents.map((i) =>
          i.decision === undefined ? { ...i, decision: 'EXTEND', extendedTo: event.extendedTo, decidedBy: event.actor } : i,
        ),
      };
    case 'cancelled':
      return {
        ...next,
        status: 'CANCELLED',
        incidents: state.incidents.map((i) => (i.decision === undefined ? { ...i, decision: 'CANCEL', decidedBy: event.actor } : i)),
      };
    case 'evaluation-requested':
      return { ...next, status: 'EVALUATION_REQUESTED' };
    case 'expert-group-formed':
      return { ...next, status: 'UNDER_EVALUATION', evaluation: { ...state.evaluation, experts: event.experts, groupFormedBy: event.actor } };
    case 'evaluated':
      return {
        ...next,
        status: 'EVALUATED',
        evaluation: {
          ...state.evaluation,
          conclusion: event.conclusion,
          score: event.score,
          summary: event.summary,
          report: event.report,
          scoredBy: event.actor,
        },
      };
    case 'rechecked':
      return { ...next, evaluation: { ...state.evaluation, recheckOutcome: event.outcome, recheckNote: event.note, recheckedBy: event.actor } };
    case 'published':
      return { ...next, status: 'PUBLISHED', publishedAt: event.at };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown pilot event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The conclusion that stands after a national re-check (an overturned PASS is a FAIL and vice versa). */
export function standingConclusion(evaluation: PilotEvaluationState): 'PASS' | 'FAIL' | undefined {
  if (!evaluation.conclusion) return undefined;
  if (evaluation.recheckOutcome !== 'OVERTURNED') return evaluation.conclusion;
  return evaluation.conclusion === 'PASS' ? 'FAIL' : 'PASS';
}
