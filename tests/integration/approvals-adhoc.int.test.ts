// The ad-hoc revision workflow (approval paths) on the real Temporal dev server, Kafka and MongoDB protocol, driven through the
// ApprovalInbox gRPC API as approvers would, with the proposals service's part played by a Temporal client.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { unary } from '../../services/shared/grpc/client';
import { defaultRouteStages } from '../../services/approvals/domain/default-route';
import {
  approvalStateQuery,
  editionReleasedSignal,
  proposalResubmittedSignal,
  workflowTypes,
  type ApprovalView,
  type ProposalResubmitted,
} from '../../workflows/contracts';
import { inboxCalls, proposalInput, startHarness, type Harness, type Who } from './approvals-harness';
import { refusal } from '../support/grpc';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  // A faster route for one field: chosen by field over the default one (routes are data).
  await h.app.routes.publish('fast-escalation', { kind: 'AD_HOC', fieldCode: 'FAST' }, defaultRouteStages({ dueSeconds: 4, reminderBeforeSeconds: 2 }));
});
afterAll(async () => {
  await h?.close();
});

const { sign, inbox, approval, result, inboxHas } = inboxCalls(() => h);

describe('adHocRevision: approval paths', () => {
  it('approves through a 3-party countersign and final approval, and emits exactly one approved change set with provenance', async () => {
    const input = proposalInput();
    const P = input.proposalId;
    await h.start(input);

    // The inbox lists the open step (visibility is eventually consistent, hence the poll) with summary and needs.
    await inboxHas('mof-approver', P, 'countersign.mof');
    const mofItem = (await inbox('mof-approver')).find((i) => i.proposal?.proposalId === P)!;
    expect(mofItem.proposal).toMatchObject({ title: input.title, leadMinistry: 'NHC', fiscalTotals: input.fiscalTotals });
    expect(mofItem.needs).toEqual(['waiting for 牵头部门', 'waiting for 国家发展改革委', 'waiting for 财政部']);
    expect(mofItem.step).toMatchObject({ label: '财政部', mustConcur: true, open: true });

    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE);
    await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_NO_OBJECTION);
    const afterCountersign = await sign('mof-approver', P, 'countersign.mof', Position.POSITION_APPROVE);
    expect(afterCountersign.needs).toEqual(['waiting for 国务院办公厅']);

    await inboxHas('final-approver', P, 'final.sco');
    const final = await sign('final-approver', P, 'final.sco', Position.POSITION_APPROVE);
    expect(final.status).toBe('approved');
    expect(await result(P)).toEqual({ status: 'approved', rounds: 1, routeVersion: 1 });

    await expect.poll(() => h.eventsOf(P, 'bps.approval.changeset.approved').length, { timeout: 20_000 }).toBe(1);
    const { description } = await h.temporal.client.workflow
      .getHandle(P)
      .describe()
      .then((d) => ({ description: d }));
    const approved = h.eventsOf(P, 'bps.approval.changeset.approved')[0]!.data;
    expect(approved.changeSet).toMatchObject({
      changeSetId: `${P}-cs`,
      kind: 'RELEASE_KIND_AMENDMENT',
      effectiveFrom: { year: 2027, month: 1, day: 1 },
      provenance: {
        proposalIds: [P],
        proposalRevisions: [1],
        workflowId: P,
        workflowRunId: description.runId,
        approvalRouteVersion: 'default@1',
        approvedBy: { subject: 'sco.final.zhou', organisation: 'SCO' },
      },
    });
    expect(approved.actor.subject).toBe('sco.final.zhou');
    await expect.poll(() => h.eventsOf(P, 'bps.approval.proposal.decided').map((e) => e.data.decision), { timeout: 20_000 }).toEqual(['DECISION_APPROVED']);
    await expect.poll(() => h.eventsOf(P, 'bps.approval.step.signed').length, { timeout: 20_000 }).toBe(4);
    expect(h.eventsOf(P, 'bps.approval.step.signed').map((e) => [e.data.step.stepId, e.data.position, e.data.actor.subject])).toEqual([
      ['countersign.lead', 'POSITION_APPROVE', 'nhc.approver.zhao'],
      ['countersign.ndrc', 'POSITION_NO_OBJECTION', 'ndrc.approver.chen'],
      ['countersign.mof', 'POSITION_APPROVE', 'mof.approver.sun'],
      ['final.sco', 'POSITION_APPROVE', 'sco.final.zhou'],
    ]);

    const mine = await unary(h.client.listMySignOffs.bind(h.client), { proposalId: P }, await h.token('mof-approver'));
    expect(mine.signOffs.map((s) => [s.stepId, s.position])).toEqual([['countersign.mof', Position.POSITION_APPROVE]]);

    // Recorded once for the replay test (BPS_RECORD_FIXTURES=1); the fixture is committed.
    if (process.env['BPS_RECORD_FIXTURES'] === '1') {
      const history = await h.temporal.client.workflow.getHandle(P).fetchHistory();
      writeFileSync(fileURLToPath(new URL('../fixtures/approvals-adhoc-history.json', import.meta.url)), JSON.stringify(history, null, 1)); // protobufjs toJSON: History.fromObject reads it back
    }
  });
  it('blocks the countersign on an objection until the objector withdraws it', async () => {
    const P = proposalInput().proposalId;
    await h.start(proposalInput({ proposalId: P }));
    await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_OBJECT, '测算依据不足');
    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE);
    const blocked = await sign('mof-approver', P, 'countersign.mof', Position.POSITION_APPROVE);
    expect(blocked.needs).toEqual(['objection from 国家发展改革委: 测算依据不足']);
    // The final step is not open while the objection stands.
    expect(await refusal(sign('final-approver', P, 'final.sco', Position.POSITION_APPROVE))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'STEP_NOT_OPEN',
    });

    const cleared = await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_NO_OBJECTION);
    expect(cleared.needs).toEqual(['waiting for 国务院办公厅']);
    await sign('final-approver', P, 'final.sco', Position.POSITION_APPROVE);
    expect((await result(P)).status).toBe('approved');
    await expect.poll(() => h.eventsOf(P, 'bps.approval.objection.raised').map((e) => e.data.reason), { timeout: 20_000 }).toEqual(['测算依据不足']);
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.objection.withdrawn').map((e) => e.data.newPosition), { timeout: 20_000 })
      .toEqual(['POSITION_NO_OBJECTION']);
    await expect.poll(() => h.eventsOf(P, 'bps.approval.changeset.approved').length, { timeout: 20_000 }).toBe(1);
  });

  it('lets the final approver overrule an objection through the inbox', async () => {
    const P = proposalInput().proposalId;
    await h.start(proposalInput({ proposalId: P }));
    await sign('mof-approver', P, 'countersign.mof', Position.POSITION_OBJECT, '超出财政承受能力');
    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE);
    await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_APPROVE);
    const overrule = async (who: Who, comment: string) =>
      (await unary(h.client.overruleObjection.bind(h.client), { proposalId: P, stepId: 'countersign.mof', comment }, await h.token(who))).approval!;
    expect(await refusal(overrule('ndrc-approver', '理由'))).toMatchObject({ code: status.PERMISSION_DENIED });
    const overruled = await overrule('final-approver', '经国务院常务会议研究同意');
    expect(overruled.needs).toEqual(['waiting for 国务院办公厅']);
    expect(overruled.rounds[0]!.steps.find((s) => s.stepId === 'countersign.mof')).toMatchObject({
      position: Position.POSITION_OBJECT,
      overruledBy: 'sco.final.zhou',
    });
    await sign('final-approver', P, 'final.sco', Position.POSITION_APPROVE);
    expect((await result(P)).status).toBe('approved');
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.objection.overruled').map((e) => [e.data.step.stepId, e.data.comment, e.data.actor.subject]), { timeout: 20_000 })
      .toEqual([['countersign.mof', '经国务院常务会议研究同意', 'sco.final.zhou']]);
  });

  it('returns for revision, waits for resubmission, restarts the route and keeps both rounds', async () => {
    const input = proposalInput();
    const P = input.proposalId;
    await h.start(input);
    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE);
    expect(await refusal(sign('mof-approver', P, 'countersign.mof', Position.POSITION_RETURN_FOR_REVISION, ''))).toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    const returned = await sign('mof-approver', P, 'countersign.mof', Position.POSITION_RETURN_FOR_REVISION, '请补充财政承受能力评估');
    expect(returned.status).toBe('awaiting_resubmission');
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.proposal.decided').map((e) => [e.data.decision, e.data.round]), { timeout: 20_000 })
      .toEqual([['DECISION_RETURNED_FOR_REVISION', 1]]);

    const resubmission: ProposalResubmitted = {
      proposalRevision: 2,
      title: `${input.title}（修订）`,
      fieldCodes: input.fieldCodes,
      itemCodes: input.itemCodes,
      effectiveFrom: '2027-07-01',
      fiscalTotals: { totalFen: '1000000000', centralFen: '700000000', localFen: '300000000' },
      conflictsWith: [],
      changeSet: input.changeSet,
    };
    await h.temporal.client.workflow.getHandle(P).signal(proposalResubmittedSignal, resubmission);
    await expect.poll(async () => (await approval(P)).round, { timeout: 20_000 }).toBe(2);

    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE); // same person, same step, new round
    await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_APPROVE);
    await sign('mof-approver', P, 'countersign.mof', Position.POSITION_APPROVE);
    await sign('final-approver', P, 'final.sco', Position.POSITION_APPROVE);
    expect(await result(P)).toMatchObject({ status: 'approved', rounds: 2 });

    const view = await h.temporal.client.workflow.getHandle(P).query<ApprovalView>(approvalStateQuery);
    expect(view.rounds.map((r) => [r.round, r.proposalRevision, r.outcome])).toEqual([
      [1, 1, 'returned'],
      [2, 2, 'approved'],
    ]);
    expect(view.rounds[0]!.steps.find((s) => s.stepId === 'countersign.mof')).toMatchObject({
      position: 'RETURN_FOR_REVISION',
      comment: '请补充财政承受能力评估',
    });
    expect(view.proposal.fiscalTotals.totalFen).toBe('1000000000');
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.changeset.approved').map((e) => e.data.changeSet.provenance.proposalRevisions), { timeout: 20_000 })
      .toEqual([[2]]);
    expect(h.eventsOf(P, 'bps.approval.changeset.approved')[0]!.data.changeSet.effectiveFrom).toEqual({ year: 2027, month: 7, day: 1 }); // the resubmitted proposal's date
  });

  it('reminds before and escalates after the deadline; the escalation is an inbox item of the escalation role', async () => {
    const P = proposalInput().proposalId;
    await h.start(proposalInput({ proposalId: P, fieldCodes: ['FAST'] }));
    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE);
    // (On a slow machine the lead may sign after the reminder; the steps still open at each deadline are what counts.)
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.step.reminded').map((e) => e.data.step.stepId), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['countersign.mof', 'countersign.ndrc']));
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.step.escalated').map((e) => e.data.step.stepId), { timeout: 20_000 })
      .toEqual(expect.arrayContaining(['countersign.mof', 'countersign.ndrc']));
    expect(h.eventsOf(P, 'bps.approval.step.escalated')[0]!.data).toMatchObject({
      escalationRole: 'final-approver',
      escalationOrganisation: 'SCO',
      step: { routeVersion: 'fast-escalation@1' },
    });

    await inboxHas('final-approver', P, 'countersign.mof', { overdueOnly: true });
    const escalations = (await inbox('final-approver', { fieldCode: 'FAST' })).filter((i) => i.proposal?.proposalId === P);
    expect(escalations.every((i) => i.escalation && i.overdue)).toBe(true);
    // Filters narrow the inbox: another field shows nothing of this proposal.
    expect((await inbox('final-approver', { fieldCode: 'HEALTH' })).some((i) => i.proposal?.proposalId === P)).toBe(false);
    await inboxHas('mof-approver', P, 'countersign.mof', { overdueOnly: true, dueBefore: new Date() });
    expect((await approval(P)).routeVersion).toBe('1');
    expect((await approval(P)).routeId).toBe('fast-escalation');
  });

  it("keeps a unified edition's release that arrives while the route is still loading (signal before the first task)", async () => {
    const input = proposalInput();
    const edition = { cycleId: 'C-race', title: '国家基本公共服务标准（2026年版）', effectiveFrom: '2026-07-01', releasedAt: Date.now() };
    // signalWithStart delivers the signal in the first workflow task, before chooseApprovalRoute has answered.
    await h.temporal.client.workflow.signalWithStart(workflowTypes.adHocRevision, {
      taskQueue: h.taskQueue,
      workflowId: input.proposalId,
      args: [input],
      signal: editionReleasedSignal,
      signalArgs: [edition],
    });
    await expect
      .poll(
        async () => {
          const view = await h.temporal.client.workflow
            .getHandle(input.proposalId)
            .query<ApprovalView>(approvalStateQuery)
            .catch(() => undefined);
          return view && [view.status, view.rebase?.cycleId];
        },
        { timeout: 20_000, interval: 200 },
      )
      .toEqual(['awaiting_resubmission', 'C-race']);
  });
});
