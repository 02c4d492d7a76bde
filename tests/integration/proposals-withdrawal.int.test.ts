// Withdrawing a proposal under review goes through the approval workflow's withdrawProposal update (a stand-in
// workflow in a worker started here answers it): accepted -> WITHDRAWN; refused -> FAILED_PRECONDITION, unchanged.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { ProposalState, type ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { proposalEvents } from '../../services/shared/events/proposals';
import { stack } from '../support/stack';
import { sealedDataConverter } from '../support/temporal';
import { healthProposal } from '../unit/proposals-fixtures';
import { startProposalsTestEnv, type ProposalsTestEnv } from './proposals-helpers';
import { pastFinalApprovalMarker } from './proposals-stub-workflows';
import { refused } from '../support/grpc';

describe('proposal withdrawal', () => {
  let env: ProposalsTestEnv;
  let nhc: string;
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await startProposalsTestEnv('prop-wd');
    nhc = await env.token('nhc-staff');
  });
  afterAll(async () => env?.stop());

  const create = async (content: ProposalContent) => (await unary(env.client.createProposal.bind(env.client), { content }, nhc)).proposal!;
  const get = async (proposalId: string) => (await unary(env.client.getProposal.bind(env.client), { proposalId, revision: 0 }, nhc)).proposal!;
  const submit = async (proposalId: string, expectedRevision: number) =>
    (await unary(env.client.submitProposal.bind(env.client), { proposalId, expectedRevision }, nhc)).proposal!;
  const withdraw = async (proposalId: string, reason: string) =>
    (await unary(env.client.withdrawProposal.bind(env.client), { proposalId, reason }, nhc)).proposal!;

  it('withdraws a proposal under review through the workflow update, and reports a refusal as FAILED_PRECONDITION', async () => {
    const connection = await NativeConnection.connect({ address: stack().temporalAddress });
    try {
      const worker = await Worker.create({
        connection,
        namespace: stack().temporalNamespace,
        taskQueue: env.taskQueue,
        dataConverter: sealedDataConverter(),
        workflowsPath: fileURLToPath(new URL('./proposals-stub-workflows.ts', import.meta.url)),
      });
      await worker.runUntil(async () => {
        const open = await create(healthProposal({ itemCode: 'HEA-08' }));
        await submit(open.proposalId, 1);
        const withdrawn = await withdraw(open.proposalId, '政策调整，暂缓（测试）');
        expect(withdrawn.state).toBe(ProposalState.PROPOSAL_STATE_WITHDRAWN);
        expect(await env.temporal.workflow.getHandle(open.proposalId).result()).toBe('withdrawn by nhc.staff.li: 政策调整，暂缓（测试）');

        const late = await create(healthProposal({ itemCode: 'HEA-09', title: `提高严重精神障碍患者管理经费${pastFinalApprovalMarker}` }));
        await submit(late.proposalId, 1);
        await env.workflowCount(late.proposalId); // registers it for clean-up
        const refusal = await refused(withdraw(late.proposalId, '太晚了（测试）'));
        expect(refusal.code).toBe(grpc.status.FAILED_PRECONDITION);
        expect(decodeStatus(refusal).reason).toBe('WITHDRAWAL_REFUSED');
        expect((await get(late.proposalId)).state).toBe(ProposalState.PROPOSAL_STATE_IN_REVIEW);
      });
    } finally {
      await connection.close();
    }
  });

  it('requires a reason and refuses to withdraw twice-closed proposals consistently', async () => {
    const draft = await create(healthProposal({ itemCode: 'HEA-10' }));
    const noReason = await refused(withdraw(draft.proposalId, ' '));
    expect(decodeStatus(noReason).fieldViolations.map((v) => v.field)).toEqual(['reason']);
    expect((await withdraw(draft.proposalId, '草稿作废（测试）')).state).toBe(ProposalState.PROPOSAL_STATE_WITHDRAWN);
    expect((await withdraw(draft.proposalId, '再次撤回（测试）')).state).toBe(ProposalState.PROPOSAL_STATE_WITHDRAWN);
    const frozen = await refused(submit(draft.proposalId, 1));
    expect(frozen.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect((await get(draft.proposalId)).lastDecisionComment).toBe('草稿作废（测试）');
    await expect.poll(() => env.eventsOf(proposalEvents.withdrawn, draft.proposalId).length, { timeout: 20_000 }).toBe(1);
    expect(env.eventsOf(proposalEvents.withdrawn, draft.proposalId)[0]).toMatchObject({
      reason: '草稿作废（测试）',
      actor: { subject: 'nhc.staff.li', organisation: 'NHC' },
    });
  });
});
