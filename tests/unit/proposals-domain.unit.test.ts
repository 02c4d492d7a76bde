// The proposal aggregate's lifecycle: decide/evolve over its events (decide returns events or a refusal, the one
// decision shape), optimistic concurrency (the application's expectRevision), frozen submissions, return-and-resubmit
// keeping every revision, conflicts, outcomes followed idempotently.
import { describe, expect, it } from 'vitest';
import { ProposalState as ProtoState } from '../../proto/gen/bps/proposals/v1/proposal';
import { computeFiscalEstimate } from '../../services/proposals/domain/fiscal';
import { decide, evolve, proposerRefusal, type Command, type ProposalEvent, type ProposalState } from '../../services/proposals/domain/proposal';
import { approvalInput, proposalId, resubmittedSignal, toView } from '../../services/proposals/domain/view';
import { authorise, expectRevision } from '../../services/proposals/application/commands';
import { ConcurrencyError, PermissionDeniedError } from '../../services/shared/errors/errors';
import { healthProposal } from './proposals-fixtures';

const staff = { subject: 'nhc.staff.li', organisation: 'NHC', roles: ['ministry-staff'] };
const approver = { subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] };
const id = 'P-2026-NHC-0001';

function draft(level = '89') {
  return { content: healthProposal({ level }), itemCodes: ['HEA-01'], fieldCodes: ['F17-HEA'] };
}

/** The events decide returns for an accepted command (fails the test on a refusal). */
function events(state: ProposalState | undefined, command: Command): readonly ProposalEvent[] {
  const decision = decide(state, command);
  if (!decision.ok) throw new Error(`refused: ${decision.refusal.reason}`);
  return decision.events;
}

function run(state: ProposalState | undefined, command: Command): ProposalState {
  return events(state, command).reduce<ProposalState | undefined>(
    (s, event, i) => evolve(s, { sequence: (s?.sequence ?? 0) + i + 1, at: new Date('2026-11-22T10:00:00Z'), event }),
    state,
  )!;
}

function submitted(): ProposalState {
  const created = run(undefined, { kind: 'create', proposalId: id, leadMinistry: 'NHC', coProposers: ['NDRC', 'MOF'], draft: draft(), actor: staff });
  const estimate = computeFiscalEstimate(created.revisions[0]!.content!, new Map());
  return run(created, { kind: 'submit', revision: 1, fiscalEstimate: estimate, conflictsWith: [], workflowId: id, actor: staff });
}

describe('proposal lifecycle', () => {
  it('creates revision 1 with NDRC and MOF as co-proposers, and refuses a stale edit with the current revision', () => {
    const created = run(undefined, { kind: 'create', proposalId: id, leadMinistry: 'NHC', coProposers: ['NDRC', 'MOF'], draft: draft(), actor: staff });
    expect(created).toMatchObject({ status: 'DRAFT', leadMinistry: 'NHC', coProposers: ['NDRC', 'MOF'], sequence: 1 });
    const revised = run(created, { kind: 'revise', draft: draft('90'), actor: staff });
    expect(revised.revisions.map((r) => r.revision)).toEqual([1, 2]);

    // Which revision the caller edited is checked by the application's command handling, not by decide.
    let refused: unknown;
    try {
      expectRevision(revised, 1);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConcurrencyError);
    expect((refused as ConcurrencyError).currentRevision).toBe(2);
    expect(() => expectRevision(revised, 2)).not.toThrow();
  });

  it('freezes a submitted proposal; a repeated submit of the same revision is a no-op', () => {
    const s = submitted();
    expect(s.status).toBe('SUBMITTED');
    expect(decide(s, { kind: 'revise', draft: draft('95'), actor: staff })).toMatchObject({
      ok: false,
      refusal: {
        code: 'FAILED_PRECONDITION',
        reason: 'PROPOSAL_FROZEN',
        violations: [{ field: id, reason: 'PROPOSAL_STATE', description: 'state is SUBMITTED' }],
      },
    });
    // A frozen proposal is refused for its state, whatever revision the caller names.
    expect(() => expectRevision(s, 7)).not.toThrow();
    expect(
      events(s, { kind: 'submit', revision: 1, fiscalEstimate: s.submissions[0]!.fiscalEstimate, conflictsWith: [], workflowId: id, actor: staff }),
    ).toEqual([]);
    const inReview = run(s, { kind: 'markInReview', revision: 1, workflowRunId: 'run-1', actor: staff });
    expect(inReview.status).toBe('IN_REVIEW');
    expect(events(inReview, { kind: 'markInReview', revision: 1, workflowRunId: 'run-1', actor: staff })).toEqual([]);
  });

  it('returned -> editable -> resubmitted (round 2) -> approved, with every revision readable', () => {
    const inReview = run(submitted(), { kind: 'markInReview', revision: 1, workflowRunId: 'run-1', actor: staff });
    const returned = run(inReview, {
      kind: 'recordDecision',
      decision: 'RETURNED',
      revision: 1,
      round: 1,
      workflowId: id,
      comment: '请补充测算依据',
      decidedAt: undefined,
      sourceEventId: 'e1',
      actor: approver,
    });
    expect(returned.status).toBe('RETURNED');
    const revised = run(returned, { kind: 'revise', draft: draft('85'), actor: staff });
    const resubmission = events(revised, {
      kind: 'submit',
      revision: 2,
      fiscalEstimate: computeFiscalEstimate(revised.revisions[1]!.content!, new Map()),
      conflictsWith: [],
      workflowId: id,
      actor: staff,
    });
    expect(resubmission.map((e) => e.type)).toEqual(['resubmitted']);
    const resubmitted = run(revised, {
      kind: 'submit',
      revision: 2,
      fiscalEstimate: computeFiscalEstimate(revised.revisions[1]!.content!, new Map()),
      conflictsWith: [],
      workflowId: id,
      actor: staff,
    });
    expect(resubmitted).toMatchObject({ status: 'SUBMITTED', round: 2 });

    // An outcome for the superseded revision is history and changes nothing.
    expect(
      events(resubmitted, {
        kind: 'recordDecision',
        decision: 'APPROVED',
        revision: 1,
        round: 1,
        workflowId: id,
        comment: '',
        decidedAt: undefined,
        sourceEventId: 'e2',
        actor: approver,
      }),
    ).toEqual([]);
    const approved = run(resubmitted, {
      kind: 'recordDecision',
      decision: 'APPROVED',
      revision: 2,
      round: 2,
      workflowId: id,
      comment: '同意',
      decidedAt: undefined,
      sourceEventId: 'e3',
      actor: approver,
    });
    expect(approved.status).toBe('APPROVED');
    // Redelivered outcome: nothing new.
    expect(
      events(approved, {
        kind: 'recordDecision',
        decision: 'APPROVED',
        revision: 2,
        round: 2,
        workflowId: id,
        comment: '同意',
        decidedAt: undefined,
        sourceEventId: 'e3',
        actor: approver,
      }),
    ).toEqual([]);

    const first = toView(approved, 1)!;
    const second = toView(approved, 2)!;
    expect(first.content?.changes[0]?.change).toMatchObject({ modifyItem: { item: { qualityStandard: { metrics: [{ value: '89' }] } } } });
    expect(second.content?.changes[0]?.change).toMatchObject({ modifyItem: { item: { qualityStandard: { metrics: [{ value: '85' }] } } } });
    expect(first.submittedFiscalEstimate?.annualTotal?.fen).toBe('12104000000000');
    expect(second.submittedFiscalEstimate?.annualTotal?.fen).toBe('11560000000000'); // 1.36e9 x 8,500 fen
    expect(second).toMatchObject({ state: ProtoState.PROPOSAL_STATE_APPROVED, currentRevision: 2, submittedRevision: 2, round: 2 });
    expect(toView(approved, 3)).toBeUndefined();
    expect(decide(approved, { kind: 'withdraw', reason: 'x', actor: staff })).toMatchObject({
      ok: false,
      refusal: { code: 'FAILED_PRECONDITION', reason: 'PROPOSAL_CLOSED', message: `proposal ${id} is APPROVED and can no longer be withdrawn` },
    });
  });

  it('carries every author (drafter, editors, submitters) into the approval on start and on resubmission', () => {
    const editor = { subject: 'nhc.staff.wang', organisation: 'NHC', roles: ['ministry-staff'] };
    const submitter = { subject: 'nhc.staff.zhang', organisation: 'NHC', roles: ['ministry-staff'] };
    const created = run(undefined, { kind: 'create', proposalId: id, leadMinistry: 'NHC', coProposers: [], draft: draft(), actor: staff });
    const edited = run(created, { kind: 'revise', draft: draft('88'), actor: editor });
    const first = run(edited, {
      kind: 'submit',
      revision: 2,
      fiscalEstimate: computeFiscalEstimate(edited.revisions[1]!.content!, new Map()),
      conflictsWith: [],
      workflowId: id,
      actor: submitter,
    });
    expect(approvalInput(first, first.submissions[0]!)).toMatchObject({ proposer: staff, authors: [staff.subject, editor.subject, submitter.subject] });
    const returned = run(first, {
      kind: 'recordDecision',
      decision: 'RETURNED',
      revision: 2,
      round: 1,
      workflowId: id,
      comment: '补充',
      decidedAt: undefined,
      sourceEventId: 'e1',
      actor: approver,
    });
    const reeditor = { subject: 'nhc.staff.zhou', organisation: 'NHC', roles: ['ministry-staff'] };
    const revised = run(returned, { kind: 'revise', draft: draft('85'), actor: reeditor });
    const second = run(revised, {
      kind: 'submit',
      revision: 3,
      fiscalEstimate: computeFiscalEstimate(revised.revisions[2]!.content!, new Map()),
      conflictsWith: [],
      workflowId: id,
      actor: staff,
    });
    expect(resubmittedSignal(second, second.submissions[1]!).authors).toEqual([staff.subject, editor.subject, submitter.subject, reeditor.subject]);
  });

  it('flags and clears conflicts once, and withdraws idempotently', () => {
    const s = submitted();
    const flagged = run(s, { kind: 'flagConflict', otherProposalId: 'P-2026-NHC-0002', itemCodes: ['HEA-01'], actor: staff });
    expect(toView(flagged)?.conflicts).toEqual([{ proposalId: 'P-2026-NHC-0002', itemCodes: ['HEA-01'] }]);
    expect(events(flagged, { kind: 'flagConflict', otherProposalId: 'P-2026-NHC-0002', itemCodes: ['HEA-01'], actor: staff })).toEqual([]);
    const withdrawn = run(flagged, { kind: 'withdraw', reason: '并入统一修订', actor: staff });
    expect(withdrawn.status).toBe('WITHDRAWN');
    expect(events(withdrawn, { kind: 'withdraw', reason: 'again', actor: staff })).toEqual([]);
    expect(events(withdrawn, { kind: 'flagConflict', otherProposalId: 'P-2026-NHC-0003', itemCodes: ['HEA-01'], actor: staff })).toEqual([]);
    const cleared = run(withdrawn, { kind: 'clearConflict', otherProposalId: 'P-2026-NHC-0002', actor: staff });
    expect(cleared.conflicts).toEqual({});
  });

  it('sets all conflicts in one decision: flags new or changed ones, clears ended ones, and only clears once closed', () => {
    const s = run(submitted(), { kind: 'flagConflict', otherProposalId: 'P-2026-NHC-0002', itemCodes: ['HEA-01'], actor: staff });
    const others = { 'P-2026-NHC-0003': ['HEA-01'], 'P-2026-NHC-0004': ['HEA-02', 'HEA-01'] };
    expect(events(s, { kind: 'setConflicts', others, actor: staff }).map((e) => [e.type, (e.data as { otherProposalId: string }).otherProposalId])).toEqual([
      ['conflictFlagged', 'P-2026-NHC-0003'],
      ['conflictFlagged', 'P-2026-NHC-0004'],
      ['conflictCleared', 'P-2026-NHC-0002'],
    ]);
    const set = run(s, { kind: 'setConflicts', others, actor: staff });
    expect(set.conflicts).toEqual({ 'P-2026-NHC-0003': ['HEA-01'], 'P-2026-NHC-0004': ['HEA-01', 'HEA-02'] });
    expect(events(set, { kind: 'setConflicts', others, actor: staff })).toEqual([]);
    const withdrawn = run(set, { kind: 'withdraw', reason: '并入统一修订', actor: staff });
    expect(events(withdrawn, { kind: 'setConflicts', others, actor: staff }).map((e) => e.type)).toEqual(['conflictCleared', 'conflictCleared']);
    expect(run(withdrawn, { kind: 'setConflicts', others, actor: staff }).conflicts).toEqual({});
  });

  it('lets only staff of the lead ministry act on the proposal', () => {
    const s = submitted();
    const moe = { subject: 'moe.staff.wang', organisation: 'MOE', roles: ['ministry-staff'] };
    const nhcApprover = { subject: 'nhc.approver.zhao', organisation: 'NHC', roles: ['approver'] };
    expect(proposerRefusal(s, moe, 'edit')).toEqual({
      code: 'PERMISSION_DENIED',
      reason: 'NOT_LEAD_UNIT',
      message: `only staff of NHC may edit proposal ${id}`,
    });
    expect(proposerRefusal(s, nhcApprover, 'edit')).toEqual({
      code: 'PERMISSION_DENIED',
      reason: 'MISSING_ROLE',
      message: 'edit requires role ministry-staff',
    });
    expect(proposerRefusal(s, staff, 'edit')).toBeUndefined();
    // At the application's edge the refusal is the error it always was: same reason, same message.
    expect(() => authorise(s, moe, 'edit')).toThrow(PermissionDeniedError);
    expect(() => authorise(s, nhcApprover, 'edit')).toThrow(expect.objectContaining({ reason: 'MISSING_ROLE', message: 'edit requires role ministry-staff' }));
    expect(() => authorise(s, staff, 'edit')).not.toThrow();
  });

  it('builds the workflow input: change set with base versions, fiscal totals, ids', () => {
    const s = submitted();
    const input = approvalInput(s, s.submissions[0]!);
    expect(input).toMatchObject({
      proposalId: id,
      proposalRevision: 1,
      kind: 'AD_HOC',
      leadMinistry: 'NHC',
      fieldCodes: ['F17-HEA'],
      itemCodes: ['HEA-01'],
      effectiveFrom: '2027-01-01',
      fiscalTotals: { totalFen: '36312000000000', centralFen: '19330800000000', localFen: '16981200000000' },
    });
    expect(input.changeSet).toMatchObject({
      changeSetId: `${id}.r1`,
      kind: 'RELEASE_KIND_AMENDMENT',
      changes: [{ changeId: 'c1', modifyItem: { base: { itemCode: 'HEA-01', version: 1 } } }],
      provenance: { proposalIds: [id], proposalRevisions: [1] },
    });
    expect(proposalId(2026, 'NHC', 7)).toBe('P-2026-NHC-0007');
    expect(proposalId(2026, 'NHC', 7, 't-x')).toBe('P-2026-NHC-0007.t-x');
  });
});
