// The pilot's rules (seed 003) as pure decide/evolve: every refusal the workflow's validator gives, with its reason.
import { describe, expect, it } from 'vitest';
import type { ActorRef } from '../../workflows/contracts';
import { decide, decideOpening, evolve, type PilotApplication, type PilotCommand, type PilotState, type Expert } from '../../workflows/pilot/domain';

const actor = (organisation: string, role: string): ActorRef => ({ subject: `${organisation}.${role}`, organisation, roles: [role] });
const tongzhou = actor('110112', 'locality-officer');
const wuqing = actor('120114', 'locality-officer');
const beijing = actor('110000', 'programme-officer');
const tianjin = actor('120000', 'programme-officer');
const samr = actor('SAMR', 'programme-officer');
const at = Date.UTC(2026, 0, 1);

const app = (localityCode: string, partners: string[], over: Partial<PilotApplication> = {}): PilotApplication => ({
  name: '通武基本公共服务标准化试点',
  type: 'REGIONAL_COORDINATION',
  periodStart: '2024-01',
  periodEnd: '2025-12',
  fieldCodes: [],
  localityCode,
  localityName: localityCode,
  partnerLocalityCodes: partners,
  groundwork: 'g',
  policyAndFundingSupport: 'p',
  majorIncidentInThreeYears: false,
  goals: 'g',
  workPlan: 'w',
  funding: 'f',
  documents: [],
  ...over,
});

function apply(state: PilotState, cmd: PilotCommand): PilotState {
  const d = decide(state, cmd);
  if (!d.ok) throw new Error(`${d.refusal.reason}: ${d.refusal.message}`);
  return d.events.reduce(evolve, state);
}
function reason(state: PilotState, cmd: PilotCommand): string | undefined {
  const d = decide(state, cmd);
  return d.ok ? undefined : d.refusal.reason;
}
function opened(): PilotState {
  const o = decideOpening('P1', 'B1', 3, app('110112', ['120114']), tongzhou, at);
  if (!o.ok) throw new Error(o.refusal.reason);
  return o.events.reduce(evolve, o.initial);
}
function piloting(termEnd = '2025-12-31'): PilotState {
  let s = apply(opened(), { type: 'join', actor: wuqing, at, application: app('120114', ['110112']) });
  s = apply(s, { type: 'screen', actor: beijing, at, recommend: true, opinion: 'ok', slot: 1 });
  s = apply(s, { type: 'screen', actor: tianjin, at, recommend: true, opinion: 'ok', slot: 2 });
  s = apply(s, { type: 'decideSelection', actor: actor('NDRC', 'approver'), at, select: true, opinion: '' });
  s = apply(s, { type: 'decideSelection', actor: actor('MOF', 'approver'), at, select: true, opinion: '' });
  return apply(s, { type: 'decideSelection', actor: samr, at, select: true, opinion: '', termStart: '2024-01-01', termEnd });
}
const expert = (id: string, national: boolean, affiliation = 'X'): Expert => ({ expertId: id, name: id, affiliation, nationalCommittee: national });

describe('standardisation pilot rules', () => {
  it('a regional pilot waits for every partner, then goes to every province concerned', () => {
    const s = opened();
    expect(s.status).toBe('APPLYING');
    expect(reason(s, { type: 'screen', actor: beijing, at, recommend: true, opinion: 'ok', slot: 1 })).toBe('NOT_AWAITING_SCREENING');
    expect(reason(s, { type: 'join', actor: wuqing, at, application: app('120114', ['110112'], { type: 'SPECIAL' }) })).toBe('JOINT_APPLICATION_MISMATCH');
    expect(reason(s, { type: 'join', actor: wuqing, at, application: app('120114', ['110112', '131000']) })).toBe('JOINT_APPLICATION_MISMATCH');
    expect(reason(s, { type: 'join', actor: tongzhou, at, application: app('120114', ['110112']) })).toBe('NOT_THE_LOCALITY');
    const joined = apply(s, { type: 'join', actor: wuqing, at, application: app('120114', ['110112']) });
    expect(joined.status).toBe('SUBMITTED');
    const one = apply(joined, { type: 'screen', actor: beijing, at, recommend: true, opinion: 'ok', slot: 1 });
    expect(one.status).toBe('SUBMITTED');
    expect(reason(one, { type: 'screen', actor: beijing, at, recommend: true, opinion: 'ok', slot: 1 })).toBe('ALREADY_SCREENED');
    expect(reason(one, { type: 'screen', actor: tianjin, at, recommend: true, opinion: 'ok', slot: 0 })).toBe('PROVINCE_QUOTA_EXCEEDED');
    expect(reason(one, { type: 'screen', actor: actor('440000', 'programme-officer'), at, recommend: true, opinion: 'ok', slot: 1 })).toBe(
      'NOT_A_SCREENING_PROVINCE',
    );
    expect(apply(one, { type: 'screen', actor: tianjin, at, recommend: false, opinion: 'no', slot: 0 }).status).toBe('NOT_RECOMMENDED');
    expect(apply(one, { type: 'screen', actor: tianjin, at, recommend: true, opinion: 'ok', slot: 3 }).status).toBe('CANDIDATE');
  });

  it('is selected only by SAMR, NDRC and MOF together, SAMR stating the term; assigns the five tasks', () => {
    const s = piloting();
    expect(s.status).toBe('PILOTING');
    expect(s.tasks.map((t) => t.task)).toHaveLength(5);
    expect(s.termEnd).toBe('2025-12-31');
    let c = apply(opened(), { type: 'join', actor: wuqing, at, application: app('120114', ['110112']) });
    c = apply(c, { type: 'screen', actor: beijing, at, recommend: true, opinion: 'ok', slot: 1 });
    c = apply(c, { type: 'screen', actor: tianjin, at, recommend: true, opinion: 'ok', slot: 1 });
    expect(reason(c, { type: 'decideSelection', actor: actor('NHC', 'approver'), at, select: true, opinion: '' })).toBe('NOT_A_SELECTING_DEPARTMENT');
    expect(reason(c, { type: 'decideSelection', actor: samr, at, select: true, opinion: '', termStart: '2025-01-01', termEnd: '2024-01-01' })).toBe(
      'TERM_INVALID',
    );
    expect(apply(c, { type: 'decideSelection', actor: actor('MOF', 'approver'), at, select: false, opinion: '' }).status).toBe('NOT_SELECTED');
  });

  it('requests evaluation only after the term, with no undecided incident', () => {
    const s = piloting('2026-06-30');
    const req = (today: string): PilotCommand => ({ type: 'requestEvaluation', actor: tongzhou, at, today, note: '' });
    expect(reason(s, req('2026-06-29'))).toBe('TERM_NOT_ENDED');
    const incident = apply(s, { type: 'reportIncident', actor: wuqing, at, description: 'x', occurredOn: '2025-01-01' });
    expect(reason(incident, req('2026-07-01'))).toBe('INCIDENT_UNDECIDED');
    expect(reason(incident, { type: 'decideIncident', actor: samr, at, cancel: false, extendedTo: '2026-01-01', note: '' })).toBe('EXTENSION_INVALID');
    expect(apply(incident, { type: 'decideIncident', actor: samr, at, cancel: true, note: '取消' }).status).toBe('CANCELLED');
    const extended = apply(incident, { type: 'decideIncident', actor: samr, at, cancel: false, extendedTo: '2026-12-31', note: '' });
    expect(reason(extended, req('2026-07-01'))).toBe('TERM_NOT_ENDED');
    expect(apply(extended, req('2027-01-01')).status).toBe('EVALUATION_REQUESTED');
  });

  it('forms an expert group of at least 5, at least 2 of the national committee, none from a piloting locality', () => {
    const s = apply(piloting(), { type: 'requestEvaluation', actor: tongzhou, at, today: '2026-01-01', note: '' });
    const form = (experts: Expert[]): PilotCommand => ({ type: 'formExpertGroup', actor: beijing, at, experts });
    const n = [expert('n1', true), expert('n2', true)];
    const l = [expert('l1', false), expert('l2', false), expert('l3', false)];
    expect(reason(s, form([...n, ...l.slice(0, 2)]))).toBe('EXPERT_GROUP_TOO_SMALL');
    expect(reason(s, form([n[0]!, ...l, expert('l4', false)]))).toBe('TOO_FEW_NATIONAL_COMMITTEE_EXPERTS');
    expect(reason(s, form([...n, ...l.slice(0, 2), expert('w', false, '120114')]))).toBe('EXPERT_FROM_PILOT_LOCALITY');
    expect(reason(s, form([...n, ...l.slice(0, 2), l[0]!]))).toBe('DUPLICATE_EXPERT');
    expect(reason(s, { ...form([...n, ...l]), actor: actor('440000', 'programme-officer') } as PilotCommand)).toBe('NOT_A_SCREENING_PROVINCE');
    const formed = apply(s, form([...n, ...l]));
    expect(formed.status).toBe('UNDER_EVALUATION');
    const evaluated = apply(formed, {
      type: 'recordEvaluation',
      actor: tianjin,
      at,
      conclusion: 'PASS',
      score: '90',
      summary: 's',
      report: [{ title: 'r', uri: '', digest: '', digestAlgorithm: '' }],
    });
    expect(reason(evaluated, { type: 'recheck', actor: samr, at, outcome: 'OVERTURNED', note: '' })).toBe('NOTE_REQUIRED');
    const published = apply(evaluated, { type: 'publishResults', actor: samr, at, note: '' });
    expect(published.status).toBe('PUBLISHED');
    expect(reason(published, { type: 'publishResults', actor: samr, at, note: '' })).toBe('PILOT_CLOSED');
  });

  it('a comprehensive pilot is submitted at once; only its own locality may open it', () => {
    const own = decideOpening('P2', 'B1', 3, app('110105', [], { type: 'COMPREHENSIVE' }), actor('110105', 'locality-officer'), at);
    expect(own.ok && own.events.map((e) => e.type)).toEqual(['applied', 'submitted']);
    const other = decideOpening('P2', 'B1', 3, app('110105', [], { type: 'COMPREHENSIVE' }), tongzhou, at);
    expect(other.ok ? undefined : other.refusal.reason).toBe('NOT_THE_LOCALITY');
  });
});
