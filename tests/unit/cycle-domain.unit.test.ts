// The unified revision cycle's pure decide/evolve (workflows/cycle/domain.ts): phases, refusals, conflicts, the
// fiscal ceiling, the close, and the one acceptance rule the proposals service applies to a queried cycle.
import { describe, expect, it } from 'vitest';
import type { ActorRef, CycleInput, ProposalApprovalInput } from '../../workflows/contracts';
import {
  cycleAcceptanceRefusal,
  decide,
  dueWindows,
  evolve,
  initialCycleState,
  nextRefilingDeadline,
  overdueRefilings,
  viewOf,
  windowsOpened,
  type CycleCommand,
  type CycleEvent,
  type CycleState,
} from '../../workflows/cycle/domain';

const nhc: ActorRef = { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] };
const moe: ActorRef = { subject: 'moe.staff.wang', organisation: 'MOE', roles: ['ministry-staff'] };
const sco: ActorRef = { subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] };
const ndrc: ActorRef = { subject: 'ndrc.approver.chen', organisation: 'NDRC', roles: ['approver'] };

const input: CycleInput = {
  cycleId: 'CYCLE-1',
  planPeriod: '2026–2030',
  title: 'edition',
  effectiveFrom: '2027-01-01',
  fields: [
    { fieldCode: 'HEALTH', leadMinistry: 'NHC' },
    { fieldCode: 'EDU', leadMinistry: 'MOE', proposalWindowSeconds: 5 },
  ],
  fiscalCeiling: { centralFen: '1000', localFen: '1000' },
  evaluationSeconds: 60,
  proposalWindowSeconds: 10,
  refilingSeconds: 30,
};

const proposal = (proposalId: string, fieldCode: string, itemCodes: string[], centralFen = '100', localFen = '100'): ProposalApprovalInput => ({
  proposalId,
  proposalRevision: 1,
  kind: 'AD_HOC',
  title: proposalId,
  leadMinistry: fieldCode === 'HEALTH' ? 'NHC' : 'MOE',
  proposer: fieldCode === 'HEALTH' ? nhc : moe,
  fieldCodes: [fieldCode],
  itemCodes,
  effectiveFrom: '2027-01-01',
  fiscalTotals: { totalFen: String(BigInt(centralFen) + BigInt(localFen)), centralFen, localFen },
  conflictsWith: [],
  changeSet: { changeSetId: `CS-${proposalId}` },
});

/** decide, then evolve with its events; fails the test on a refusal. */
function run(state: CycleState, command: CycleCommand): CycleState {
  const decision = decide(state, command);
  if (!decision.ok) throw new Error(`refused: ${decision.refusal.reason}`);
  return decision.events.reduce(evolve, state);
}
const reasonOf = (state: CycleState, command: CycleCommand): string | undefined => {
  const decision = decide(state, command);
  return decision.ok ? undefined : decision.refusal.reason;
};
const apply = (state: CycleState, ...events: CycleEvent[]): CycleState => events.reduce(evolve, state);

const inProposals = (): CycleState => {
  const s = initialCycleState(input, 0);
  return apply(s, windowsOpened(s, 1000, true), { type: 'phaseMoved', phase: 'proposals' });
};
/** Two approved proposals on the same item (a conflict), a third on another field. */
const inConsolidation = (): CycleState => {
  let s = inProposals();
  s = run(s, { type: 'submitProposal', actor: nhc, proposal: proposal('P-1', 'HEALTH', ['HEA-01']) });
  s = run(s, { type: 'submitProposal', actor: nhc, proposal: proposal('P-2', 'HEALTH', ['HEA-01', 'HEA-02']) });
  s = run(s, { type: 'submitProposal', actor: moe, proposal: proposal('P-3', 'EDU', ['EDU-01']) });
  s = apply(
    s,
    { type: 'phaseMoved', phase: 'consolidation' },
    ...['P-1', 'P-2', 'P-3'].map((proposalId): CycleEvent => ({ type: 'proposalApprovalEnded', proposalId, status: 'approved', note: 'approved' })),
  );
  return s;
};

describe('cycle phases', () => {
  it('takes evaluations from each field’s lead ministry in the evaluation phase only', () => {
    const s = initialCycleState(input, 0);
    expect(reasonOf(s, { type: 'fileEvaluation', actor: moe, fieldCode: 'HEALTH', summary: 's' })).toBe('NOT_LEAD_MINISTRY');
    expect(reasonOf(s, { type: 'fileEvaluation', actor: nhc, fieldCode: 'TRANSPORT', summary: 's' })).toBe('UNKNOWN_FIELD');
    expect(reasonOf(s, { type: 'fileEvaluation', actor: nhc, fieldCode: 'HEALTH', summary: ' ' })).toBe('SUMMARY_REQUIRED');
    const filed = run(s, { type: 'fileEvaluation', actor: nhc, fieldCode: 'HEALTH', summary: 'served' });
    expect(filed.evaluations.HEALTH).toEqual({ by: nhc.subject, summary: 'served' });
    expect(reasonOf(inProposals(), { type: 'fileEvaluation', actor: nhc, fieldCode: 'HEALTH', summary: 's' })).toBe('NOT_IN_EVALUATION');
  });

  it('checks cited implementation evaluations: once each, of the field, at most 50', () => {
    const s = initialCycleState(input, 0);
    const cite = (evaluationId: string, fieldCode = 'HEALTH') => ({
      evaluationId,
      kind: 'EFFECT',
      itemCode: 'HEA-01',
      fieldCode,
      provinceCode: '110000',
      period: '2025',
      satisfactionPercent: '90',
      summary: 's',
      recordedBy: 'x',
    });
    const file = (citedEvaluations: ReturnType<typeof cite>[]): CycleCommand => ({
      type: 'fileEvaluation',
      actor: nhc,
      fieldCode: 'HEALTH',
      summary: 's',
      citedEvaluations,
    });
    expect(reasonOf(s, file([cite('E1'), cite('E1')]))).toBe('DUPLICATE_CITATION');
    expect(reasonOf(s, file([cite('E1', 'EDU')]))).toBe('EVALUATION_OF_ANOTHER_FIELD');
    expect(reasonOf(s, file(Array.from({ length: 51 }, (_, i) => cite(`E${i}`))))).toBe('TOO_MANY_CITATIONS');
    expect(run(s, file([cite('E1')])).evaluations.HEALTH?.citedEvaluations).toHaveLength(1);
  });

  it('opens one window per field with its own deadline (one deadline for the whole cycle before per-field windows)', () => {
    const s = initialCycleState(input, 0);
    const opened = windowsOpened(s, 1000, true);
    expect(opened.windows.map((w) => [w.fieldCode, w.closesAt])).toEqual([
      ['HEALTH', 11_000],
      ['EDU', 6000],
    ]);
    expect(opened.windowClosesAt).toBe(11_000);
    expect(windowsOpened(s, 1000, false)).toEqual({ type: 'windowsOpened', windows: [], windowClosesAt: 11_000 });
    expect(dueWindows(apply(s, opened), 6000).map((w) => w.fieldCode)).toEqual(['EDU']);
  });

  it('enters proposals (kind UNIFIED, the cycle’s id) while their field’s window is open, each once', () => {
    let s = run(inProposals(), { type: 'submitProposal', actor: nhc, proposal: proposal('P-1', 'HEALTH', ['HEA-01']) });
    expect(s.proposals[0]).toMatchObject({ kind: 'UNIFIED', cycleId: 'CYCLE-1' });
    expect(s.entries[0]).toMatchObject({ proposalId: 'P-1', fieldCode: 'HEALTH', status: 'in_approval' });
    expect(reasonOf(s, { type: 'submitProposal', actor: nhc, proposal: proposal('P-1', 'HEALTH', ['HEA-01']) })).toBe('ALREADY_SUBMITTED');
    expect(reasonOf(s, { type: 'submitProposal', actor: moe, proposal: proposal('P-9', 'HEALTH', ['HEA-01']) })).toBe('NOT_LEAD_MINISTRY');
    s = run(s, { type: 'closeProposalWindow', actor: nhc, fieldCode: 'HEALTH', at: 2000 });
    expect(s.windows.find((w) => w.fieldCode === 'HEALTH')).toMatchObject({ closesAt: 2000, closedEarlyBy: nhc.subject, closed: false });
    expect(reasonOf(s, { type: 'closeProposalWindow', actor: nhc, fieldCode: 'HEALTH', at: 2000 })).toBe('WINDOW_CLOSED');
    s = apply(s, { type: 'windowClosed', fieldCode: 'HEALTH' });
    expect(reasonOf(s, { type: 'submitProposal', actor: nhc, proposal: proposal('P-4', 'HEALTH', ['HEA-03']) })).toBe('WINDOW_CLOSED');
    expect(reasonOf(s, { type: 'closeProposalWindow', actor: moe, fieldCode: 'HEALTH', at: 2000 })).toBe('WINDOW_CLOSED');
    expect(reasonOf(s, { type: 'closeProposalWindow', actor: nhc, fieldCode: 'EDU', at: 2000 })).toBe('NOT_LEAD_MINISTRY');
  });

  it('changes windows only through window events (the workflow wakes its window timers on that)', () => {
    const s = inProposals();
    const after = run(s, { type: 'submitProposal', actor: nhc, proposal: proposal('P-1', 'HEALTH', ['HEA-01']) });
    expect(after.windows).toBe(s.windows);
    expect(apply(after, { type: 'proposalApprovalEnded', proposalId: 'P-1', status: 'approved', note: 'approved' }).windows).toBe(s.windows);
  });
});

describe('cycle consolidation', () => {
  it('resolves a conflict for the kept proposal (by the final approver, with a reason) and drops the others', () => {
    const s = inConsolidation();
    const resolve = (actor: ActorRef, keepProposalId = 'P-1', reason = 'broader'): CycleCommand => ({
      type: 'resolveConflict',
      actor,
      itemCode: 'HEA-01',
      keepProposalId,
      reason,
    });
    expect(reasonOf(s, resolve(ndrc))).toBe('NOT_FINAL_APPROVER');
    expect(reasonOf(s, resolve(sco, 'P-3'))).toBe('NO_SUCH_CONFLICT');
    expect(reasonOf(s, resolve(sco, 'P-1', ' '))).toBe('COMMENT_REQUIRED');
    expect(reasonOf(inProposals(), resolve(sco))).toBe('NOT_IN_CONSOLIDATION');
    const decision = decide(s, resolve(sco));
    expect(decision.ok && decision.events).toEqual([
      { type: 'conflictResolved', actor: sco, itemCode: 'HEA-01', keepProposalId: 'P-1', reason: 'broader', dropped: ['P-2'] },
    ]);
    const resolved = run(s, resolve(sco));
    expect(resolved.entries.find((e) => e.proposalId === 'P-2')).toMatchObject({ status: 'dropped', note: 'conflict on HEA-01 resolved for P-1: broader' });
    expect(viewOf(resolved).conflicts).toEqual([]);
  });

  it('approves the package only without conflicts, within the ceiling, not empty, once', () => {
    const approve: CycleCommand = { type: 'approvePackage', actor: sco, comment: 'ok' };
    const s = inConsolidation();
    expect(reasonOf(s, approve)).toBe('CONFLICTS_UNRESOLVED');
    const resolved = run(s, { type: 'resolveConflict', actor: sco, itemCode: 'HEA-01', keepProposalId: 'P-1', reason: 'r' });
    expect(reasonOf(resolved, { ...approve, actor: ndrc })).toBe('NOT_FINAL_APPROVER');
    const tooDear = apply(resolved, {
      type: 'proposalTrimmed',
      actor: ndrc,
      proposalId: 'P-3',
      fieldCode: 'EDU',
      before: { totalFen: '200', centralFen: '100', localFen: '100' },
      after: { totalFen: '1100', centralFen: '1000', localFen: '100' },
      note: 'raised (only possible in a history)',
    });
    expect(decide(tooDear, approve)).toMatchObject({
      ok: false,
      refusal: { reason: 'FISCAL_CEILING_EXCEEDED', message: expect.stringContaining('central 1100') },
    });
    const approved = run(resolved, approve);
    expect(approved.approvedBy).toEqual(sco);
    expect(reasonOf(approved, approve)).toBe('ALREADY_APPROVED');
    const empty = apply(inProposals(), { type: 'phaseMoved', phase: 'consolidation' });
    expect(reasonOf(empty, approve)).toBe('EMPTY_PACKAGE');
  });

  it('trims money only and keeps the trim on the entry (who, when, why, before, after)', () => {
    const s = inConsolidation();
    const trim = (actor: ActorRef, centralFen: string, reason = 'fits'): Extract<CycleCommand, { type: 'trimProposal' }> => ({
      type: 'trimProposal',
      actor,
      proposalId: 'P-3',
      fiscalTotals: { totalFen: String(BigInt(centralFen) + 100n), centralFen, localFen: '100' },
      changeSet: undefined,
      reason,
      at: 5000,
    });
    expect(reasonOf(s, trim(nhc, '50'))).toBe('NOT_CONSOLIDATION_APPROVER');
    expect(reasonOf(s, trim(ndrc, '150'))).toBe('NOT_A_TRIM');
    expect(reasonOf(s, { ...trim(ndrc, '50'), proposalId: 'P-9' })).toBe('NOT_IN_PACKAGE');
    const trimmed = run(s, trim(ndrc, '50'));
    const entry = trimmed.entries.find((e) => e.proposalId === 'P-3')!;
    expect(entry.fiscalTotals).toEqual({ totalFen: '150', centralFen: '50', localFen: '100' });
    expect(entry.note).toBe(`trimmed by ${ndrc.subject}: fits`);
    expect(entry.trims).toEqual([
      { actor: ndrc, at: 5000, reason: 'fits', before: { totalFen: '200', centralFen: '100', localFen: '100' }, after: entry.fiscalTotals },
    ]);
    expect(trimmed.proposals.find((p) => p.proposalId === 'P-3')?.changeSet).toEqual({ changeSetId: 'CS-P-3' });
  });
});

describe('cycle re-filing and close', () => {
  const refiling = (): CycleState => apply(inConsolidation(), { type: 'phaseMoved', phase: 'refiling' });

  it('tracks a breach until re-filed; a repeated report changes nothing; overdue once', () => {
    let s = run(refiling(), { type: 'reportFloorBreach', provinceCode: '110000', itemCode: 'HEA-01', refileDeadline: 99, at: 1000 });
    expect(s.refiling).toEqual([{ provinceCode: '110000', itemCode: 'HEA-01', deadline: 31_000, refiled: false, overdue: false }]);
    expect(decide(s, { type: 'reportFloorBreach', provinceCode: '110000', itemCode: 'HEA-01', refileDeadline: 99, at: 2000 })).toEqual({
      ok: true,
      events: [],
    });
    expect(nextRefilingDeadline(s)).toBe(31_000);
    expect(overdueRefilings(s, 30_999)).toEqual([]);
    s = apply(s, { type: 'refilingOverdue', provinceCode: '110000', itemCode: 'HEA-01' });
    expect(nextRefilingDeadline(s)).toBeUndefined();
    const done = decide(s, { type: 'reportRefiled', provinceCode: '110000', itemCode: 'HEA-01' });
    expect(done).toEqual({ ok: true, events: [{ type: 'refilingCompleted', provinceCode: '110000', itemCode: 'HEA-01', overdue: true }] });
    s = run(s, { type: 'reportRefiled', provinceCode: '110000', itemCode: 'HEA-01' });
    expect(decide(s, { type: 'reportRefiled', provinceCode: '110000', itemCode: 'HEA-01' })).toEqual({ ok: true, events: [] });
    // Below the floor again after re-filing: tracked again with a new deadline.
    s = run(s, { type: 'reportFloorBreach', provinceCode: '110000', itemCode: 'HEA-01', refileDeadline: 99, at: 50_000 });
    expect(s.refiling).toEqual([{ provinceCode: '110000', itemCode: 'HEA-01', deadline: 80_000, refiled: false, overdue: false }]);
  });

  it('is closed by the final approver once re-filing is tracked, once', () => {
    const close = (actor: ActorRef): CycleCommand => ({ type: 'closeCycle', actor });
    expect(reasonOf(inConsolidation(), close(sco))).toBe('NOT_RELEASED');
    expect(reasonOf(refiling(), close(ndrc))).toBe('NOT_FINAL_APPROVER');
    const closed = run(refiling(), close(sco));
    expect(closed.closed).toBe(true);
    expect(reasonOf(closed, close(sco))).toBe('NOT_RELEASED');
  });
});

describe('cycle acceptance (the one rule for the workflow and the proposals service)', () => {
  it('refuses with the same codes and reasons on the state and on the queried view', () => {
    const s = inProposals();
    const view = viewOf(s);
    for (const [fieldCode, actor, expected] of [
      ['HEALTH', nhc, undefined],
      ['TRANSPORT', nhc, 'UNKNOWN_FIELD'],
      ['HEALTH', moe, 'NOT_LEAD_MINISTRY'],
    ] as const) {
      expect(cycleAcceptanceRefusal(view, fieldCode, actor)?.reason).toBe(expected);
      expect(reasonOf(s, { type: 'submitProposal', actor, proposal: proposal('P-X', fieldCode, ['X']) })).toBe(expected);
    }
    expect(cycleAcceptanceRefusal(viewOf(initialCycleState(input, 0)), 'HEALTH', nhc)).toEqual({
      code: 'FAILED_PRECONDITION',
      reason: 'WINDOW_CLOSED',
      message: 'the proposal window is not open (phase evaluation)',
    });
    expect(cycleAcceptanceRefusal(view, 'TRANSPORT', nhc)?.code).toBe('INVALID_ARGUMENT');
    expect(cycleAcceptanceRefusal(view, 'HEALTH', moe)?.code).toBe('PERMISSION_DENIED');
  });

  it('takes any field from a view of a cycle started before fields were shown', () => {
    expect(cycleAcceptanceRefusal({ cycleId: 'C', phase: 'proposals' }, 'ANY', moe)).toBeUndefined();
  });
});
