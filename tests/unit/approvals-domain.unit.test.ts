// The approval rules as a pure state machine (workflows/approval/domain.ts): countersign, separation of duties,
// objections, rounds, deadlines, and the ids of what is emitted.
import { describe, expect, it } from 'vitest';
import { defaultRouteStages } from '../../services/approvals/domain/default-route';
import {
  decide,
  evolve,
  initialState,
  inboxItemsFor,
  maxObjections,
  maxStepActions,
  nextDeadline,
  openKeys,
  toView,
  type ApprovalState,
  type Command,
} from '../../workflows/approval/domain';
import { outgoingFor } from '../../workflows/approval/outgoing';
import type { ActorRef, ApprovalRoute, Position, ProposalApprovalInput } from '../../workflows/contracts';

const actor = (subject: string, organisation: string, ...roles: string[]): ActorRef => ({ subject, organisation, roles });
const proposer = actor('nhc.staff.li', 'NHC', 'ministry-staff');
const nhc = actor('nhc.approver.zhao', 'NHC', 'approver');
const ndrc = actor('ndrc.approver.chen', 'NDRC', 'approver');
const mof = actor('mof.approver.sun', 'MOF', 'approver');
const sco = actor('sco.final.zhou', 'SCO', 'final-approver');

const route: ApprovalRoute = { routeId: 'default', version: 3, stages: defaultRouteStages({ dueSeconds: 100, reminderBeforeSeconds: 20 }) };
const input: ProposalApprovalInput = {
  proposalId: 'P-1',
  proposalRevision: 1,
  kind: 'AD_HOC',
  title: 't',
  leadMinistry: 'NHC',
  proposer,
  fieldCodes: ['HEALTH'],
  itemCodes: ['HEA-01'],
  effectiveFrom: '2027-01-01',
  fiscalTotals: { totalFen: '3', centralFen: '2', localFen: '1' },
  conflictsWith: [],
  changeSet: {},
};
const T0 = 1_000_000;
const start = (): ApprovalState => initialState('P-1', input, route, T0);

function run(state: ApprovalState, cmd: Command): ApprovalState {
  const d = decide(state, cmd);
  if (!d.ok) throw new Error(`refused: ${d.refusal.reason}`);
  return d.events.reduce(evolve, state);
}
const signOff = (a: ActorRef, stepId: string, position: Position, comment = '', at = T0 + 1): Command => ({
  type: 'signOff',
  actor: a,
  stepId,
  position,
  comment,
  at,
});
const refusalOf = (state: ApprovalState, cmd: Command) => {
  const d = decide(state, cmd);
  return d.ok ? undefined : d.refusal.reason;
};

describe('approval domain', () => {
  it('runs the countersign in parallel, then the final approval', () => {
    let s = start();
    expect(toView(s).needs).toEqual(['waiting for 牵头部门', 'waiting for 国家发展改革委', 'waiting for 财政部']);
    s = run(s, signOff(mof, 'countersign.mof', 'APPROVE'));
    s = run(s, signOff(nhc, 'countersign.lead', 'NO_OBJECTION'));
    s = run(s, signOff(ndrc, 'countersign.ndrc', 'ABSTAIN'));
    expect(toView(s).needs).toEqual(['waiting for 国务院办公厅']);
    expect(openKeys(s).roles).toEqual(['final-approver@SCO']);
    s = run(s, signOff(sco, 'final.sco', 'APPROVE'));
    expect(s.status).toBe('approved');
    expect(s.finalApprover).toEqual(sco);
  });

  it('resolves the lead ministry from the proposal', () => {
    expect(openKeys(start()).roles).toEqual(['approver@MOF', 'approver@NDRC', 'approver@NHC']);
  });

  it('enforces separation of duties', () => {
    const s = start();
    expect(refusalOf(s, signOff(proposer, 'countersign.lead', 'APPROVE'))).toBe('SELF_APPROVAL');
    expect(refusalOf(initialState('P-1', { ...input, proposer: nhc }, route, T0), signOff(nhc, 'countersign.lead', 'APPROVE'))).toBe('SELF_APPROVAL');
    expect(refusalOf(s, signOff(mof, 'countersign.ndrc', 'APPROVE'))).toBe('WRONG_ORGANISATION');
    expect(refusalOf(s, signOff(actor('x', 'MOF', 'ministry-staff'), 'countersign.mof', 'APPROVE'))).toBe('MISSING_ROLE');
    expect(refusalOf(s, signOff(mof, 'countersign.mof', 'ABSTAIN'))).toBe('MUST_CONCUR');
    expect(refusalOf(s, signOff(mof, 'countersign.mof', 'OBJECT', ' '))).toBe('COMMENT_REQUIRED');
    expect(refusalOf(s, signOff(sco, 'final.sco', 'APPROVE'))).toBe('STEP_NOT_OPEN');

    let t = run(s, signOff(mof, 'countersign.mof', 'APPROVE'));
    expect(refusalOf(t, signOff(mof, 'countersign.mof', 'APPROVE'))).toBe('ALREADY_SIGNED');
    t = run(t, signOff(nhc, 'countersign.lead', 'APPROVE'));
    t = run(t, signOff(ndrc, 'countersign.ndrc', 'APPROVE'));
    expect(refusalOf(t, signOff({ ...mof, organisation: 'SCO', roles: ['final-approver'] }, 'final.sco', 'APPROVE'))).toBe('ONE_STEP_PER_PERSON');
  });

  it('blocks on an objection until the objector changes position', () => {
    let s = run(start(), signOff(ndrc, 'countersign.ndrc', 'OBJECT', '依据不足'));
    s = run(s, signOff(nhc, 'countersign.lead', 'APPROVE'));
    s = run(s, signOff(mof, 'countersign.mof', 'APPROVE'));
    expect(toView(s).needs).toEqual(['objection from 国家发展改革委: 依据不足']);
    const d = decide(s, signOff(ndrc, 'countersign.ndrc', 'NO_OBJECTION'));
    expect(d.ok && d.events.map((e) => e.type)).toEqual(['stepSigned', 'stageOpened']);
    expect(d.ok && outgoingFor(s, d.events[0]!, 7).map((e) => [e.kind, e.id])).toEqual([
      ['stepSignedOff', 'P-1/r1/countersign.ndrc/signed/7'],
      ['objectionWithdrawn', 'P-1/r1/countersign.ndrc/objection-withdrawn/7'],
    ]);
  });

  it('lets only the final approver overrule a standing objection, with a reason', () => {
    let s = run(start(), signOff(ndrc, 'countersign.ndrc', 'OBJECT', '依据不足'));
    s = run(s, signOff(nhc, 'countersign.lead', 'APPROVE'));
    s = run(s, signOff(mof, 'countersign.mof', 'APPROVE'));
    const overrule = (a: ActorRef, comment = '国务院决定推进', stepId = 'countersign.ndrc'): Command => ({
      type: 'overrule',
      actor: a,
      stepId,
      comment,
      at: T0 + 2,
    });
    expect(refusalOf(s, overrule(mof))).toBe('NOT_FINAL_APPROVER');
    expect(refusalOf(s, overrule(sco, ''))).toBe('COMMENT_REQUIRED');
    expect(refusalOf(s, overrule(sco, '理由', 'countersign.mof'))).toBe('NO_OBJECTION_TO_OVERRULE');
    s = run(s, overrule(sco));
    expect(toView(s).needs).toEqual(['waiting for 国务院办公厅']);
    expect(toView(s).rounds[0]!.steps.find((x) => x.stepId === 'countersign.ndrc')).toMatchObject({ position: 'OBJECT', overruledBy: sco.subject });
    // Overruling is not a signature: the final approver still signs the final step.
    expect(run(s, signOff(sco, 'final.sco', 'APPROVE')).status).toBe('approved');
  });

  it('returns for revision and restarts the route on resubmission, keeping the first round', () => {
    let s = run(start(), signOff(nhc, 'countersign.lead', 'APPROVE'));
    s = run(s, signOff(mof, 'countersign.mof', 'RETURN_FOR_REVISION', '补充测算'));
    expect(s.status).toBe('awaiting_resubmission');
    expect(refusalOf(s, signOff(ndrc, 'countersign.ndrc', 'APPROVE'))).toBe('NOT_IN_APPROVAL');
    const resubmission = {
      proposalRevision: 2,
      title: 't2',
      fieldCodes: ['HEALTH'],
      itemCodes: ['HEA-01'],
      effectiveFrom: '2027-07-01',
      fiscalTotals: input.fiscalTotals,
      conflictsWith: [],
      changeSet: {},
    };
    expect(refusalOf(s, { type: 'resubmit', resubmission: { ...resubmission, proposalRevision: 1 }, at: T0 + 5 })).toBe('STALE_REVISION');
    s = run(s, { type: 'resubmit', resubmission, at: T0 + 5 });
    const view = toView(s);
    expect(view.rounds.map((r) => [r.round, r.proposalRevision, r.outcome])).toEqual([
      [1, 1, 'returned'],
      [2, 2, undefined],
    ]);
    expect(view.needs).toHaveLength(3);
    expect(view.proposal.title).toBe('t2');
    // The same person may sign the same step again in the new round.
    expect(refusalOf(s, signOff(nhc, 'countersign.lead', 'APPROVE'))).toBeUndefined();
  });

  it('reminds, then escalates, on the stage deadline', () => {
    let s = start();
    expect(nextDeadline(s)).toBe(T0 + 80_000);
    expect(decide(s, { type: 'tick', at: T0 + 79_999 })).toEqual({ ok: true, events: [] });
    s = run(s, { type: 'tick', at: T0 + 80_000 });
    expect(nextDeadline(s)).toBe(T0 + 100_000);
    const escalate = decide(s, { type: 'tick', at: T0 + 100_000 });
    expect(escalate.ok && escalate.events.map((e) => e.type)).toEqual(['stageEscalated']);
    s = escalate.ok ? escalate.events.reduce(evolve, s) : s;
    expect(nextDeadline(s)).toBeUndefined();
    expect(openKeys(s)).toMatchObject({ escalated: true, roles: ['approver@MOF', 'approver@NDRC', 'approver@NHC', 'final-approver@SCO'] });
    expect(inboxItemsFor(toView(s), sco).map((i) => [i.step.stepId, i.escalation])).toHaveLength(3);
  });

  it('delegation and claims decide who may sign', () => {
    const colleague = actor('nhc.approver.qian', 'NHC', 'approver');
    let s = run(start(), { type: 'delegate', actor: nhc, stepId: 'countersign.lead', delegate: colleague.subject, delegateIdentity: colleague, at: T0 });
    expect(refusalOf(s, signOff(nhc, 'countersign.lead', 'APPROVE'))).toBe('DELEGATED_TO_OTHER');
    expect(refusalOf(s, { type: 'takeBack', actor: colleague, stepId: 'countersign.lead', at: T0 })).toBe('NOT_YOUR_DELEGATION');
    expect(openKeys(s).roles).toContain('subject:nhc.approver.qian');
    expect(inboxItemsFor(toView(s), colleague).map((i) => i.step.stepId)).toEqual(['countersign.lead']);
    s = run(s, { type: 'claim', actor: ndrc, stepId: 'countersign.ndrc', at: T0 });
    expect(refusalOf(s, signOff(actor('ndrc.2', 'NDRC', 'approver'), 'countersign.ndrc', 'APPROVE'))).toBe('CLAIMED_BY_OTHER');
    expect(inboxItemsFor(toView(s), actor('ndrc.2', 'NDRC', 'approver'))).toEqual([]);
    expect(refusalOf(s, signOff(colleague, 'countersign.lead', 'APPROVE'))).toBeUndefined();
  });

  describe('duties (issue #14)', () => {
    const delegate = (to: ActorRef, stepId = 'countersign.mof', by = mof): Command => ({
      type: 'delegate',
      actor: by,
      stepId,
      delegate: to.subject,
      delegateIdentity: to,
      at: T0,
    });

    it("a delegate must hold the step's role in the step's organisation", () => {
      const s = start();
      expect(refusalOf(s, delegate(actor('bj.officer.wang', 'BJ', 'provincial-officer')))).toBe('DELEGATE_WRONG_ORGANISATION');
      expect(refusalOf(s, delegate(actor('svc.stats', 'NBS', 'subscriber'), 'countersign.ndrc', ndrc))).toBe('DELEGATE_WRONG_ORGANISATION');
      expect(refusalOf(s, delegate(actor('mof.staff.he', 'MOF', 'ministry-staff')))).toBe('DELEGATE_MISSING_ROLE');
      // The delegate's identity comes from the directory (the inbox resolves it); without it, or for another subject, no delegation.
      expect(refusalOf(s, { type: 'delegate', actor: mof, stepId: 'countersign.mof', delegate: 'nobody.at.all', at: T0 })).toBe('DELEGATE_NOT_RESOLVED');
      expect(refusalOf(s, { ...delegate(actor('mof.approver.he', 'MOF', 'approver')), delegate: 'mof.approver.other' } as Command)).toBe(
        'DELEGATE_NOT_RESOLVED',
      );
      expect(decide(s, delegate(actor('mof.approver.he', 'MOF', 'approver'))).ok).toBe(true);
      // The original rules (replaying histories recorded before them) let any subject be named.
      expect(decide(s, { type: 'delegate', actor: mof, stepId: 'countersign.mof', delegate: 'nobody.at.all', at: T0 }, 'original').ok).toBe(true);
    });

    it("checks a delegate's organisation and role again at signing, and keeps the step out of a wrong holder's inbox", () => {
      // A delegation recorded under the original rules to someone outside the step's organisation.
      const outsider = actor('bj.officer.wang', 'BJ', 'provincial-officer');
      const d = decide(start(), { type: 'delegate', actor: mof, stepId: 'countersign.mof', delegate: outsider.subject, at: T0 }, 'original');
      const s = d.ok ? d.events.reduce(evolve, start()) : start();
      expect(s.rounds[0]!.stages[0]!.steps.find((x) => x.stepId === 'countersign.mof')!.delegatedTo).toBe(outsider.subject);
      expect(refusalOf(s, signOff(outsider, 'countersign.mof', 'APPROVE'))).toBe('WRONG_ORGANISATION');
      expect(refusalOf(s, signOff(actor(outsider.subject, 'MOF', 'ministry-staff'), 'countersign.mof', 'APPROVE'))).toBe('MISSING_ROLE');
      expect(refusalOf(s, { type: 'claim', actor: outsider, stepId: 'countersign.mof', at: T0 })).toBe('WRONG_ORGANISATION');
      expect(inboxItemsFor(toView(s), outsider)).toEqual([]);
      expect(decide(s, signOff(outsider, 'countersign.mof', 'APPROVE'), 'original').ok).toBe(true);
    });

    it('excludes every author (drafter, editors, submitter) from signing, overruling and being delegated to', () => {
      const editor = actor('nhc.approver.qian', 'NHC', 'approver');
      const submitter = actor('ndrc.approver.chen', 'NDRC', 'approver');
      const authored = initialState('P-1', { ...input, authors: [proposer.subject, editor.subject, submitter.subject] }, route, T0);
      expect(refusalOf(authored, signOff(editor, 'countersign.lead', 'APPROVE'))).toBe('SELF_APPROVAL');
      expect(refusalOf(authored, signOff(submitter, 'countersign.ndrc', 'APPROVE'))).toBe('SELF_APPROVAL');
      expect(refusalOf(authored, delegate(editor, 'countersign.lead', nhc))).toBe('SELF_APPROVAL');
      expect(inboxItemsFor(toView(authored), editor)).toEqual([]);
      expect(refusalOf(start(), signOff(editor, 'countersign.lead', 'APPROVE'))).toBeUndefined(); // not an author of P-1 as first drafted
      // Overruling: an author who holds the final approval may not overrule an objection.
      const finalAuthor = actor('sco.final.zhou', 'SCO', 'final-approver');
      let s = initialState('P-1', { ...input, authors: [finalAuthor.subject] }, route, T0);
      s = run(s, signOff(mof, 'countersign.mof', 'OBJECT', '超出财力'));
      expect(refusalOf(s, { type: 'overrule', actor: finalAuthor, stepId: 'countersign.mof', comment: '确需', at: T0 })).toBe('SELF_APPROVAL');
      // Resubmission adds the new round's editors and submitter to the authors.
      let r = run(start(), signOff(nhc, 'countersign.lead', 'RETURN_FOR_REVISION', '补充测算'));
      r = run(r, {
        type: 'resubmit',
        resubmission: {
          proposalRevision: 2,
          title: 't',
          fieldCodes: ['HEALTH'],
          itemCodes: ['HEA-01'],
          effectiveFrom: '2027-01-01',
          fiscalTotals: input.fiscalTotals,
          conflictsWith: [],
          authors: [proposer.subject, editor.subject],
          changeSet: {},
        },
        at: T0 + 2,
      });
      expect(refusalOf(r, signOff(editor, 'countersign.lead', 'APPROVE'))).toBe('SELF_APPROVAL');
      expect(r.proposal.authors).toEqual([proposer.subject, editor.subject]);
    });

    it(`caps claim/release/delegate/take-back at ${maxStepActions} per step per round, objections at ${maxObjections}`, () => {
      let s = start();
      for (let i = 0; i < maxStepActions; i++) s = run(s, { type: i % 2 === 0 ? 'claim' : 'release', actor: ndrc, stepId: 'countersign.ndrc', at: T0 });
      expect(refusalOf(s, { type: 'claim', actor: ndrc, stepId: 'countersign.ndrc', at: T0 })).toBe('STEP_ACTION_LIMIT');
      expect(refusalOf(s, delegate(actor('ndrc.approver.he', 'NDRC', 'approver'), 'countersign.ndrc', ndrc))).toBe('STEP_ACTION_LIMIT');
      expect(decide(s, { type: 'claim', actor: ndrc, stepId: 'countersign.ndrc', at: T0 }, 'original').ok).toBe(true);
      expect(refusalOf(s, { type: 'claim', actor: mof, stepId: 'countersign.mof', at: T0 })).toBeUndefined(); // per step
      expect(toView(s).rounds[0]!.steps[0]).not.toHaveProperty('actions');
      expect(refusalOf(s, signOff(ndrc, 'countersign.ndrc', 'APPROVE'))).toBeUndefined(); // the holder can still sign

      let o = start();
      for (let i = 0; i < maxObjections; i++) o = run(o, signOff(mof, 'countersign.mof', 'OBJECT', `异议 ${i}`));
      expect(decide(o, signOff(mof, 'countersign.mof', 'OBJECT', '再次异议'))).toMatchObject({
        ok: false,
        refusal: { code: 'FAILED_PRECONDITION', reason: 'OBJECTION_LIMIT' },
      });
      expect(refusalOf(o, signOff(mof, 'countersign.mof', 'NO_OBJECTION'))).toBeUndefined();
      // A new round starts the count again.
      o = run(o, signOff(nhc, 'countersign.lead', 'RETURN_FOR_REVISION', '退回'));
      o = run(o, {
        type: 'resubmit',
        resubmission: {
          proposalRevision: 2,
          title: 't',
          fieldCodes: ['HEALTH'],
          itemCodes: ['HEA-01'],
          effectiveFrom: '2027-01-01',
          fiscalTotals: input.fiscalTotals,
          conflictsWith: [],
          changeSet: {},
        },
        at: T0 + 2,
      });
      expect(refusalOf(o, signOff(mof, 'countersign.mof', 'OBJECT', '新一轮异议'))).toBeUndefined();
    });
  });

  it('lets only the proposer withdraw, and only before the decision', () => {
    const s = start();
    expect(refusalOf(s, { type: 'withdraw', actor: nhc, reason: 'x', at: T0 })).toBe('NOT_PROPOSER');
    const w = run(s, { type: 'withdraw', actor: proposer, reason: '撤回', at: T0 });
    expect(w.status).toBe('withdrawn');
    expect(refusalOf(w, { type: 'withdraw', actor: proposer, reason: '撤回', at: T0 })).toBe('ALREADY_DECIDED');
  });

  it('sends a running revision back to be rebased when a cycle releases an edition, and keeps it in the inbox until resubmitted', () => {
    const edition = { cycleId: 'C-2026', title: '国家基本公共服务标准（2026年版）', effectiveFrom: '2026-07-01', releasedAt: T0 + 5 };
    let s = run(start(), signOff(mof, 'countersign.mof', 'APPROVE'));
    const supersede: Command = { type: 'supersede', edition, at: T0 + 5 };
    const d = decide(s, supersede);
    expect(d.ok && d.events.map((e) => e.type)).toEqual(['superseded', 'roundDecided']);
    expect(d.ok && d.events.flatMap((e) => outgoingFor(s, e, 7)).map((o) => o.kind === 'proposalDecided' && [o.outcome, o.actor.subject])).toEqual([
      ['returned', 'system:approvals'],
    ]);
    s = run(s, supersede);
    const view = toView(s);
    expect(view).toMatchObject({ status: 'awaiting_resubmission', rebase: edition });
    expect(view.needs).toEqual([expect.stringContaining('rebase or withdraw: unified revision C-2026')]);
    // The approvers who still had to sign see the item (not signable); the one who signed does not.
    expect(inboxItemsFor(view, ndrc).map((i) => i.step.stepId)).toEqual(['countersign.ndrc']);
    expect(inboxItemsFor(view, mof)).toEqual([]);
    expect(openKeys(s).roles).toEqual(['approver@NDRC', 'approver@NHC']);
    expect(refusalOf(s, signOff(ndrc, 'countersign.ndrc', 'APPROVE'))).toBe('REBASE_REQUIRED');
    // Repeated release signals change nothing; the proposer may still withdraw.
    expect(decide(s, supersede)).toEqual({ ok: true, events: [] });
    expect(refusalOf(s, { type: 'withdraw', actor: proposer, reason: '撤回', at: T0 })).toBeUndefined();
    // Resubmission (rebased, revision 2) opens round 2 and clears the notice.
    s = run(s, {
      type: 'resubmit',
      at: T0 + 9,
      resubmission: {
        proposalRevision: 2,
        title: 't',
        fieldCodes: ['HEALTH'],
        itemCodes: ['HEA-01'],
        effectiveFrom: '2027-01-01',
        fiscalTotals: input.fiscalTotals,
        conflictsWith: [],
        changeSet: {},
      },
    });
    expect(toView(s)).toMatchObject({ status: 'in_progress', round: 2 });
    expect(toView(s).rebase).toBeUndefined();
    // A decided proposal is not superseded.
    const withdrawn = run(start(), { type: 'withdraw', actor: proposer, reason: '撤回', at: T0 });
    expect(refusalOf(withdrawn, supersede)).toBe('ALREADY_DECIDED');
  });
});
