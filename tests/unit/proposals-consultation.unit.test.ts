// Issue #17: the public consultation rules (services/proposals/domain/consultation.ts), pure: who may open and when,
// the period in Beijing calendar days, held comments, moderation once with a reason to reject.
import { describe, expect, it } from 'vitest';
import { decideConsultation, evolveConsultation, type ConsultationState, type ProposalFacts } from '../../services/proposals/domain/consultation';
import { decide, type ProposalState } from '../../services/proposals/domain/proposal';

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

function opened(): ConsultationState {
  const [e] = decideConsultation(facts(), open);
  return evolveConsultation(undefined, e!, at);
}

describe('public consultation rules', () => {
  it('opens on an open proposal (draft or under review) for a valid period, on the current revision', () => {
    for (const status of ['DRAFT', 'SUBMITTED', 'IN_REVIEW', 'RETURNED']) {
      const [e] = decideConsultation(facts({ status }), open);
      expect(e).toMatchObject({ type: 'consultationOpened', data: { round: 1, revision: 2, opensOn: '2026-12-01', closesOn: '2026-12-31' } });
    }
    for (const status of ['APPROVED', 'REJECTED', 'WITHDRAWN'])
      expect(() => decideConsultation(facts({ status, open: false }), open)).toThrow(expect.objectContaining({ code: 'PROPOSAL_CLOSED' }));
  });

  it('refuses a period in the past, reversed, malformed or longer than a year, and an empty summary', () => {
    const bad = (over: Partial<typeof open>) => () => decideConsultation(facts(), { ...open, ...over });
    expect(bad({ opensOn: '2026-11-30' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(bad({ closesOn: '2026-11-30' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(bad({ closesOn: '2026-02-30' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(bad({ closesOn: '2028-01-01' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(bad({ summary: '  ' })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('opens a second round only after the first closed, keeping earlier comments', () => {
    const c = opened();
    expect(() => decideConsultation(facts({ consultation: c }), { ...open, today: '2026-12-31' })).toThrow(
      expect.objectContaining({ code: 'CONSULTATION_RUNNING' }),
    );
    const [e] = decideConsultation(facts({ consultation: c }), { ...open, opensOn: '2027-01-05', closesOn: '2027-01-20', today: '2027-01-01' });
    expect(e!.data).toMatchObject({ round: 2 });
  });

  it('accepts comments within the period only, held, numbered in the proposal', () => {
    const c = opened();
    const [e] = decideConsultation(facts({ consultation: c }), comment);
    expect(e).toMatchObject({ type: 'commentReceived', data: { commentId: 'C-1', round: 1 } });
    const after = evolveConsultation(c, e!, at);
    expect(after.comments[0]).toMatchObject({ status: 'HELD' });
    expect(decideConsultation(facts({ consultation: after }), comment)[0]!.data).toMatchObject({ commentId: 'C-2' });
    expect(() => decideConsultation(facts({ consultation: c }), { ...comment, today: '2026-11-30' })).toThrow(
      expect.objectContaining({ code: 'CONSULTATION_NOT_OPEN' }),
    );
    expect(() => decideConsultation(facts({ consultation: c }), { ...comment, today: '2027-01-01' })).toThrow(
      expect.objectContaining({ code: 'CONSULTATION_CLOSED' }),
    );
    expect(() => decideConsultation(facts({ consultation: c, open: false, status: 'APPROVED' }), comment)).toThrow(
      expect.objectContaining({ code: 'CONSULTATION_CLOSED' }),
    );
    expect(() => decideConsultation(facts(), comment)).toThrow(expect.objectContaining({ code: 'NO_CONSULTATION' }));
    expect(() => decideConsultation(facts({ consultation: c }), { ...comment, text: 'x'.repeat(2001) })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => decideConsultation(facts({ consultation: c }), { ...comment, commenterName: 'a\nb' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('moderates a held comment once; rejecting needs a reason', () => {
    const c = opened();
    const held = evolveConsultation(c, decideConsultation(facts({ consultation: c }), comment)[0]!, at);
    const moderate = { kind: 'moderateComment' as const, commentId: 'C-1', publish: false, reason: '', actor };
    expect(() => decideConsultation(facts({ consultation: held }), moderate)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    const [e] = decideConsultation(facts({ consultation: held }), { ...moderate, publish: true });
    expect(e!.type).toBe('commentPublished');
    const done = evolveConsultation(held, e!, at);
    expect(done.comments[0]).toMatchObject({ status: 'PUBLISHED' });
    expect(() => decideConsultation(facts({ consultation: done }), { ...moderate, reason: '无关' })).toThrow(
      expect.objectContaining({ code: 'COMMENT_MODERATED' }),
    );
    expect(() => decideConsultation(facts({ consultation: done }), { ...moderate, commentId: 'C-9' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('lets only staff of the lead ministry open and moderate (the aggregate checks)', () => {
    const state = {
      id: 'P-1',
      status: 'DRAFT',
      leadMinistry: 'NHC',
      revisions: [{ revision: 1, content: undefined, itemCodes: [], fieldCodes: [] }],
    } as unknown as ProposalState;
    const moe = { subject: 'moe.staff.wang', organisation: 'MOE', roles: ['ministry-staff'] };
    expect(() => decide(state, { ...open, actor: moe })).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED', reason: 'NOT_LEAD_UNIT' }));
    expect(decide(state, open)).toHaveLength(1);
  });
});
