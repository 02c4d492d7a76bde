// The ad-hoc revision workflow (deadlines, separation of duties, delegation, withdrawal) on the real Temporal dev server, Kafka and MongoDB protocol, driven through the
// ApprovalInbox gRPC API as approvers would, with the proposals service's part played by a Temporal client.
import { status } from '@grpc/grpc-js';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { personas } from '../../services/shared/auth/personas';
import type { Identity } from '../../services/shared/auth/identity';
import { unary } from '../../services/shared/grpc/client';
import { delegateStepUpdate, signOffUpdate, withdrawProposalUpdate, type ApprovalView } from '../../workflows/contracts';
import { maxStepActions } from '../../workflows/approval/domain';
import { actorOf, inboxCalls, proposalInput, startHarness, type Harness, type Who } from './approvals-harness';
import { registerIdentity, testIssuer } from '../support/identity';
import { uniqueName } from '../support/names';
import { refusal } from '../support/grpc';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const { sign, inbox, approval, result, inboxHas } = inboxCalls(() => h);

describe('adHocRevision: deadlines and duties', () => {
  it('refuses self-approval and wrong-organisation sign-offs in the handler and in the validator, and audits them', async () => {
    const P = proposalInput().proposalId;
    await h.start(proposalInput({ proposalId: P, proposer: actorOf(personas['nhc-approver']) }));

    expect(await refusal(sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE))).toMatchObject({ code: status.PERMISSION_DENIED });
    expect((await refusal(sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE))).message).toContain('SELF_APPROVAL');
    expect((await refusal(sign('mof-approver', P, 'countersign.ndrc', Position.POSITION_APPROVE))).message).toContain('WRONG_ORGANISATION');
    expect(await refusal(sign('mof-approver', P, 'countersign.mof', Position.POSITION_ABSTAIN))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'MUST_CONCUR',
    });

    // One person signs at most one step: the Finance approver, even holding the final role, cannot sign the final step.
    await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_APPROVE);
    await sign('mof-approver', P, 'countersign.mof', Position.POSITION_APPROVE);
    await sign({ subject: 'nhc.approver.wu', name: '吴', organisation: 'NHC', roles: ['approver'] }, P, 'countersign.lead', Position.POSITION_APPROVE);
    // Holding the final role too is not something a token can claim: the directory gives mof.approver.sun MOF's
    // approver role only, so the inbox refuses such a token outright (issue #13); the validator below still holds.
    const mofAsFinal = await testIssuer.mint({ ...personas['mof-approver'], organisation: 'SCO', roles: ['final-approver'] });
    expect(
      await refusal(
        unary(h.client.signOff.bind(h.client), { proposalId: P, stepId: 'final.sco', position: Position.POSITION_APPROVE, comment: '' }, mofAsFinal),
      ),
    ).toMatchObject({ code: status.UNAUTHENTICATED });

    // The workflow's validator refuses on its own too (a caller bypassing the inbox).
    const bypass = h.temporal.client.workflow
      .getHandle(P)
      .executeUpdate(signOffUpdate, { args: [{ actor: actorOf(personas['ndrc-approver']), stepId: 'final.sco', position: 'APPROVE', comment: '' }] });
    await expect(bypass).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(bypass).rejects.toMatchObject({ cause: { type: 'PERMISSION_DENIED', details: ['ONE_STEP_PER_PERSON'] } });

    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.signoff.refused').map((e) => e.data.reason), { timeout: 20_000 })
      .toEqual(['SELF_APPROVAL', 'SELF_APPROVAL', 'WRONG_ORGANISATION', 'MUST_CONCUR']); // the two-organisation token never reached the handler
    expect(h.eventsOf(P, 'bps.approval.signoff.refused')[2]!.data).toMatchObject({
      stepId: 'countersign.ndrc',
      actor: { subject: 'mof.approver.sun', organisation: 'MOF' },
    });
    expect((await approval(P)).needs).toEqual(['waiting for 国务院办公厅']);
  });

  it('lets the holder delegate a step to a named colleague and take it back; claims keep colleagues off a step', async () => {
    const P = proposalInput().proposalId;
    await h.start(proposalInput({ proposalId: P }));
    const colleague: Identity = registerIdentity({ subject: 'nhc.approver.qian', name: '钱', organisation: 'NHC', roles: ['approver'] });
    const token = await h.token('nhc-approver');

    await unary(h.client.delegateStep.bind(h.client), { proposalId: P, stepId: 'countersign.lead', delegate: colleague.subject }, token);
    expect((await refusal(sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE))).message).toContain('DELEGATED_TO_OTHER');
    await inboxHas(colleague, P, 'countersign.lead');
    const back = await unary(h.client.takeBackStep.bind(h.client), { proposalId: P, stepId: 'countersign.lead' }, token);
    expect(back.approval!.rounds[0]!.steps.find((s) => s.stepId === 'countersign.lead')!.delegatedTo).toBe('');

    await unary(h.client.delegateStep.bind(h.client), { proposalId: P, stepId: 'countersign.lead', delegate: colleague.subject }, token);
    const signed = await sign(colleague, P, 'countersign.lead', Position.POSITION_APPROVE);
    expect(signed.rounds[0]!.steps.find((s) => s.stepId === 'countersign.lead')).toMatchObject({
      signedBy: colleague.subject,
      delegatedBy: 'nhc.approver.zhao',
    });
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.step.delegated').map((e) => [e.data.delegate ?? '', e.data.takenBack ?? false]), { timeout: 20_000 })
      .toEqual([
        [colleague.subject, false],
        ['', true],
        [colleague.subject, false],
      ]);
    await expect.poll(() => h.eventsOf(P, 'bps.approval.step.signed').map((e) => e.data.asDelegate), { timeout: 20_000 }).toEqual([true]);

    // Claim: another NDRC approver cannot sign a step claimed by a colleague until it is released.
    const ndrcColleague: Identity = { subject: 'ndrc.approver.he', name: '何', organisation: 'NDRC', roles: ['approver'] };
    await unary(h.client.claimStep.bind(h.client), { proposalId: P, stepId: 'countersign.ndrc' }, await h.token('ndrc-approver'));
    expect(await refusal(sign(ndrcColleague, P, 'countersign.ndrc', Position.POSITION_APPROVE))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'CLAIMED_BY_OTHER',
    });
    await unary(h.client.releaseStep.bind(h.client), { proposalId: P, stepId: 'countersign.ndrc' }, await h.token('ndrc-approver'));
    await sign(ndrcColleague, P, 'countersign.ndrc', Position.POSITION_APPROVE);
    await expect.poll(() => h.eventsOf(P, 'bps.approval.step.claimed').map((e) => e.data.released ?? false), { timeout: 20_000 }).toEqual([false, true]);
  });

  it('lets the proposer withdraw before final approval, and nobody else', async () => {
    const input = proposalInput();
    const P = input.proposalId;
    await h.start(input);
    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE);
    const handle = h.temporal.client.workflow.getHandle(P);
    await expect(handle.executeUpdate(withdrawProposalUpdate, { args: [{ actor: actorOf(personas['moe-staff']), reason: '不再需要' }] })).rejects.toMatchObject(
      { cause: { type: 'PERMISSION_DENIED', details: ['NOT_PROPOSER'] } },
    );
    const withdrawn = await handle.executeUpdate<ApprovalView, [unknown]>(withdrawProposalUpdate, {
      args: [{ actor: input.proposer, reason: '政策调整，撤回' }],
    });
    expect(withdrawn.status).toBe('withdrawn');
    expect(await result(P)).toMatchObject({ status: 'withdrawn' });
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.proposal.decided').map((e) => [e.data.decision, e.data.actor.subject, e.data.comment]), { timeout: 20_000 })
      .toEqual([['DECISION_WITHDRAWN', 'nhc.staff.li', '政策调整，撤回']]);
    expect(await refusal(sign('mof-approver', P, 'countersign.mof', Position.POSITION_APPROVE))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'NOT_IN_APPROVAL',
    });
    expect(h.eventsOf(P, 'bps.approval.changeset.approved')).toEqual([]);
  });

  it('lets a step be delegated only to a holder of its role in its organisation, checked through the directory (issue #14)', async () => {
    const P = proposalInput().proposalId;
    await h.start(proposalInput({ proposalId: P }));
    const delegate = async (who: Who, stepId: string, to: string) =>
      (await unary(h.client.delegateStep.bind(h.client), { proposalId: P, stepId, delegate: to }, await h.token(who))).approval!;

    expect(await refusal(delegate('mof-approver', 'countersign.mof', personas['beijing-officer'].subject))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'DELEGATE_WRONG_ORGANISATION',
    });
    expect(await refusal(delegate('ndrc-approver', 'countersign.ndrc', personas['statistics-subscriber'].subject))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'DELEGATE_WRONG_ORGANISATION',
    });
    const MOFStaff = registerIdentity({ subject: uniqueName('mof.staff'), name: '财政部工作人员', organisation: 'MOF', roles: ['ministry-staff'] });
    expect(await refusal(delegate('mof-approver', 'countersign.mof', MOFStaff.subject))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'DELEGATE_MISSING_ROLE',
    });
    expect(await refusal(delegate('ndrc-approver', 'countersign.ndrc', uniqueName('nobody')))).toMatchObject({ code: status.NOT_FOUND });
    // Every refused delegation is on record (issue #14: every refusal audited): who, what, why.
    await expect
      .poll(() => h.eventsOf(P, 'bps.approval.action.refused').map((e) => [e.data.action, e.data.reason, e.data.actor.subject, e.data.stepId]), {
        timeout: 20_000,
      })
      .toEqual([
        ['delegate', 'DELEGATE_WRONG_ORGANISATION', 'mof.approver.sun', 'countersign.mof'],
        ['delegate', 'DELEGATE_WRONG_ORGANISATION', 'ndrc.approver.chen', 'countersign.ndrc'],
        ['delegate', 'DELEGATE_MISSING_ROLE', 'mof.approver.sun', 'countersign.mof'],
        ['delegate', 'DELEGATE_UNKNOWN', 'ndrc.approver.chen', 'countersign.ndrc'],
      ]);
    expect(h.eventsOf(P, 'bps.approval.action.refused')[0]!.data.detail).toBe(personas['beijing-officer'].subject);

    // The workflow refuses on its own: a delegation without the directory's identity, or with one outside the step.
    const handle = h.temporal.client.workflow.getHandle(P);
    const mof = actorOf(personas['mof-approver']);
    await expect(
      handle.executeUpdate(delegateStepUpdate, { args: [{ actor: mof, stepId: 'countersign.mof', delegate: 'bj.officer.liu' }] }),
    ).rejects.toMatchObject({ cause: { type: 'INVALID_ARGUMENT', details: ['DELEGATE_NOT_RESOLVED'] } });
    await expect(
      handle.executeUpdate(delegateStepUpdate, {
        args: [{ actor: mof, stepId: 'countersign.mof', delegate: 'bj.officer.liu', delegateIdentity: actorOf(personas['beijing-officer']) }],
      }),
    ).rejects.toMatchObject({ cause: { type: 'PERMISSION_DENIED', details: ['DELEGATE_WRONG_ORGANISATION'] } });
    expect((await approval(P)).rounds[0]!.steps.map((s) => s.delegatedTo)).toEqual(['', '', '']);

    // A colleague holding the approver role in MOF: accepted, and they sign the must-concur step.
    const colleague = registerIdentity({ subject: uniqueName('mof.approver'), name: '财政部审批人', organisation: 'MOF', roles: ['approver'] });
    const delegated = await delegate('mof-approver', 'countersign.mof', colleague.subject);
    expect(delegated.rounds[0]!.steps.find((s) => s.stepId === 'countersign.mof')).toMatchObject({
      delegatedTo: colleague.subject,
      delegatedBy: 'mof.approver.sun',
    });
    const signed = await sign(colleague, P, 'countersign.mof', Position.POSITION_APPROVE);
    expect(signed.rounds[0]!.steps.find((s) => s.stepId === 'countersign.mof')).toMatchObject({
      signedBy: colleague.subject,
      position: Position.POSITION_APPROVE,
    });
  });

  it('excludes every author of the proposal (drafter, co-editor, submitter) from signing and from being delegated to (issue #14)', async () => {
    const coEditor = registerIdentity({ subject: uniqueName('nhc.approver'), name: '共同编辑人', organisation: 'NHC', roles: ['approver'] });
    const submitter = personas['ndrc-approver'];
    const input = proposalInput({ authors: [personas['nhc-staff'].subject, coEditor.subject, submitter.subject] });
    const P = input.proposalId;
    await h.start(input);

    expect(await refusal(sign(coEditor, P, 'countersign.lead', Position.POSITION_APPROVE))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'SELF_APPROVAL',
    });
    expect(await refusal(sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_APPROVE))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'SELF_APPROVAL',
    });
    expect(
      await refusal(
        unary(h.client.delegateStep.bind(h.client), { proposalId: P, stepId: 'countersign.lead', delegate: coEditor.subject }, await h.token('nhc-approver')),
      ),
    ).toMatchObject({ code: status.PERMISSION_DENIED, reason: 'SELF_APPROVAL' });
    expect((await inbox(coEditor)).some((i) => i.proposal?.proposalId === P)).toBe(false);
    // The validator refuses too (a caller bypassing the inbox).
    await expect(
      h.temporal.client.workflow
        .getHandle(P)
        .executeUpdate(signOffUpdate, { args: [{ actor: actorOf(coEditor), stepId: 'countersign.lead', position: 'APPROVE', comment: '' }] }),
    ).rejects.toMatchObject({ cause: { type: 'PERMISSION_DENIED', details: ['SELF_APPROVAL'] } });
    // Someone who is not an author signs.
    await sign('nhc-approver', P, 'countersign.lead', Position.POSITION_APPROVE);
  });

  it(`refuses the ${maxStepActions + 1}st claim/release of a step in a round (issue #14)`, async () => {
    const P = proposalInput().proposalId;
    await h.start(proposalInput({ proposalId: P }));
    const token = await h.token('ndrc-approver');
    for (let i = 0; i < maxStepActions; i++) {
      const call = i % 2 === 0 ? h.client.claimStep.bind(h.client) : h.client.releaseStep.bind(h.client);
      await unary(call, { proposalId: P, stepId: 'countersign.ndrc' }, token);
    }
    expect(await refusal(unary(h.client.claimStep.bind(h.client), { proposalId: P, stepId: 'countersign.ndrc' }, token))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'STEP_ACTION_LIMIT',
    });
    // The holder can still sign it.
    await sign('ndrc-approver', P, 'countersign.ndrc', Position.POSITION_APPROVE);
  });
});
