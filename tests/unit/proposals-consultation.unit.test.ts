// Issue #17: the public consultation rules (services/proposals/domain/consultation.ts), pure: who may open and when,
// the period in Beijing calendar days, held comments, moderation once with a reason to reject. decideConsultation
// returns events or a refusal (`refusal(...)` below reads it; it fails the test if the rules threw instead).
import { describe, expect, it } from 'vitest';
import {
  decideConsultation,
  evolveConsultation,
  type ConsultationCommand,
  type ConsultationEvent,
  type ConsultationState,
  type ProposalFacts,
} from '../../services/proposals/domain/consultation';
import { decide, type ProposalState } from '../../services/proposals/domain/proposal';
import type { Refusal } from '../../services/shared/domain/decider';

const actor = { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] };
const visitor = { subject: 'svc.gateway-public', organisation: 'BPS', roles: [] };
const open = { kind: 'openConsultation' as const, opensOn: '2026-12-01', closesOn: '2026-12-31', summary: '摘要', today: '2026-12-01', actor };
const comment = {
  kind: 'submitComment' as const,
  text: '意见',
  commenterName: '',
  commenterOrganisation: '',
  clientHash: 'ab',
  today: '2026-12-10',
  actor: visitor,
};
const facts = (over: Partial<ProposalFacts> = {}): ProposalFacts => ({
  id: 'P-1',
  open: true,
  status: 'DRAFT',
  currentRevision: 2,
  consultation: undefined,
  ...over,
});
const at = new Date('2026-12-01T02:00:00Z');

/** The events of an accepted command. */
function events(f: ProposalFacts, command: ConsultationCommand): readonly ConsultationEvent[] {
  const decision = decideConsultation(f, command);
  if (!decision.ok) throw new Error(`refused: ${decision.refusal.reason}`);
  return decision.events;
}

/** The refusal of a refused command (returned, never thrown). */
function refusal(f: ProposalFacts, command: ConsultationCommand): Refusal {
  const decision = decideConsultation(f, command);
  if (decision.ok) throw new Error('accepted');
  return decision.refusal;
}

function opened(): ConsultationState {
  const [e] = events(facts(), open);
  return evolveConsultation(undefined, e!, at);
}

describe('public consultation rules', () => {
  it('opens on an open proposal (draft or under review) for a valid period, on the current revision', () => {
    for (const status of ['DRAFT', 'SUBMITTED', 'IN_REVIEW', 'RETURNED']) {
      const [e] = events(facts({ status }), open);
      expect(e).toMatchObject({ type: 'consultationOpened', data: { round: 1, revision: 2, opensOn: '2026-12-01', closesOn: '2026-12-31' } });
    }
    for (const status of ['APPROVED', 'REJECTED', 'WITHDRAWN'])
      expect(refusal(facts({ status, open: false }), open)).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'PROPOSAL_CLOSED' });
  });

  it('refuses a period in the past, reversed, malformed or longer than a year, and an empty summary', () => {
    const bad = (over: Partial<typeof open>) => refusal(facts(), { ...open, ...over });
    const invalid = (field: string) => expect.objectContaining({ code: 'INVALID_ARGUMENT', violations: [expect.objectContaining({ field })] });
    expect(bad({ opensOn: '2026-11-30' })).toEqual(invalid('opens_on'));
    expect(bad({ closesOn: '2026-11-30' })).toEqual(invalid('closes_on'));
    expect(bad({ closesOn: '2026-02-30' })).toEqual(invalid('closes_on'));
    expect(bad({ closesOn: '2028-01-01' })).toEqual(invalid('closes_on'));
    expect(bad({ summary: '  ' })).toEqual(invalid('summary'));
  });

  it('opens a second round only after the first closed, keeping earlier comments', () => {
    const c = opened();
    expect(refusal(facts({ consultation: c }), { ...open, today: '2026-12-31' })).toMatchObject({ reason: 'CONSULTATION_RUNNING' });
    const [e] = events(facts({ consultation: c }), { ...open, opensOn: '2027-01-05', closesOn: '2027-01-20', today: '2027-01-01' });
    expect(e!.data).toMatchObject({ round: 2 });
  });

  it('accepts comments within the period only, held, numbered in the proposal', () => {
    const c = opened();
    const [e] = events(facts({ consultation: c }), comment);
    expect(e).toMatchObject({ type: 'commentReceived', data: { commentId: 'C-1', round: 1 } });
    const after = evolveConsultation(c, e!, at);
    expect(after.comments[0]).toMatchObject({ status: 'HELD' });
    expect(events(facts({ consultation: after }), comment)[0]!.data).toMatchObject({ commentId: 'C-2' });
    expect(refusal(facts({ consultation: c }), { ...comment, today: '2026-11-30' })).toMatchObject({ reason: 'CONSULTATION_NOT_OPEN' });
    expect(refusal(facts({ consultation: c }), { ...comment, today: '2027-01-01' })).toMatchObject({ reason: 'CONSULTATION_CLOSED' });
    expect(refusal(facts({ consultation: c, open: false, status: 'APPROVED' }), comment)).toMatchObject({ reason: 'CONSULTATION_CLOSED' });
    expect(refusal(facts(), comment)).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'NO_CONSULTATION' });
    expect(refusal(facts({ consultation: c }), { ...comment, text: 'x'.repeat(2001) })).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(refusal(facts({ consultation: c }), { ...comment, commenterName: 'a\nb' })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ field: 'commenter_name' }],
    });
  });

  it('moderates a held comment once; rejecting needs a reason', () => {
    const c = opened();
    const held = evolveConsultation(c, events(facts({ consultation: c }), comment)[0]!, at);
    const moderate = { kind: 'moderateComment' as const, commentId: 'C-1', publish: false, reason: '', actor };
    expect(refusal(facts({ consultation: held }), moderate)).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ field: 'reason' }] });
    const [e] = events(facts({ consultation: held }), { ...moderate, publish: true });
    expect(e!.type).toBe('commentPublished');
    const done = evolveConsultation(held, e!, at);
    expect(done.comments[0]).toMatchObject({ status: 'PUBLISHED' });
    expect(refusal(facts({ consultation: done }), { ...moderate, reason: '无关' })).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'COMMENT_MODERATED' });
    // An unknown comment: the application answers NOT_FOUND before deciding (proposals-application.unit); the rules refuse it too.
    expect(refusal(facts({ consultation: done }), { ...moderate, commentId: 'C-9' })).toMatchObject({ reason: 'COMMENT_NOT_FOUND' });
  });

  it('lets only staff of the lead ministry open and moderate (the aggregate checks)', () => {
    const state = {
      id: 'P-1',
      status: 'DRAFT',
      leadMinistry: 'NHC',
      revisions: [{ revision: 1, content: undefined, itemCodes: [], fieldCodes: [] }],
    } as unknown as ProposalState;
    const moe = { subject: 'moe.staff.wang', organisation: 'MOE', roles: ['ministry-staff'] };
    expect(decide(state, { ...open, actor: moe })).toEqual({
      ok: false,
      refusal: expect.objectContaining({ code: 'PERMISSION_DENIED', reason: 'NOT_LEAD_UNIT' }),
    });
    expect(decide(state, open)).toMatchObject({ ok: true, events: [{ type: 'consultationOpened' }] });
  });
});
