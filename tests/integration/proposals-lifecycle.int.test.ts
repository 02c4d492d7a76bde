// Lifecycle of proposals on the real stack: outcomes followed from bps.approval.proposal.decided, return and
// resubmit keeping both revisions, conflicts flagged on both proposals and cleared, the national floor at submission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ProposalContent, ProposalState } from '../../proto/gen/bps/proposals/v1/proposal';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { proposalEvents } from '../../services/shared/events/proposals';
import { proposalResubmittedSignal } from '../../workflows/contracts';
import { openPayload } from '../support/temporal';
import { healthProposal } from '../unit/proposals-fixtures';
import { Decision, startProposalsTestEnv, type ProposalsTestEnv } from './proposals-helpers';
import type { Identity } from '../../services/shared/auth/identity';
import { refused } from '../support/grpc';

/** INS-05 is led by 国家医保局 (seed 000 annex row 7, attributed per item). */
const nhsaStaff: Identity = { subject: 'nhsa.staff.qian', name: '钱进（国家医保局）', organisation: 'NHSA', roles: ['ministry-staff'] };

describe('proposal lifecycle', () => {
  let env: ProposalsTestEnv;
  let nhc: string;
  beforeAll(async () => {
    env = await startProposalsTestEnv('prop-life');
    nhc = await env.token('nhc-staff');
  });
  afterAll(async () => env?.stop());

  const create = async (content: ProposalContent, token = nhc) => (await unary(env.client.createProposal.bind(env.client), { content }, token)).proposal!;
  const get = async (proposalId: string, revision = 0) => (await unary(env.client.getProposal.bind(env.client), { proposalId, revision }, nhc)).proposal!;
  const submit = async (proposalId: string, expectedRevision: number, token = nhc) =>
    (await unary(env.client.submitProposal.bind(env.client), { proposalId, expectedRevision }, token)).proposal!;
  const withdraw = async (proposalId: string, reason: string) =>
    (await unary(env.client.withdrawProposal.bind(env.client), { proposalId, reason }, nhc)).proposal!;

  it('returned for revision, edited and resubmitted: both revisions stay readable, then approved', async () => {
    const { proposalId: id } = await create(healthProposal({ itemCode: 'HEA-05' }));
    await submit(id, 1);
    await env.decide(id, 1, Decision.DECISION_RETURNED_FOR_REVISION, '请补充测算依据', 1);
    await expect.poll(async () => (await get(id)).state, { timeout: 20_000 }).toBe(ProposalState.PROPOSAL_STATE_RETURNED);
    expect((await get(id)).lastDecisionComment).toBe('请补充测算依据');

    const edited = await unary(
      env.client.updateDraft.bind(env.client),
      { proposalId: id, expectedRevision: 1, content: healthProposal({ itemCode: 'HEA-05', level: '85' }) },
      nhc,
    );
    expect(edited.proposal).toMatchObject({ revision: 2, state: ProposalState.PROPOSAL_STATE_RETURNED });
    const resubmitted = await submit(id, 2);
    expect(resubmitted).toMatchObject({ state: ProposalState.PROPOSAL_STATE_IN_REVIEW, submittedRevision: 2, round: 2 });

    const r1 = await get(id, 1);
    const r2 = await get(id, 2);
    expect(r1.content?.changes[0]?.change).toMatchObject({ modifyItem: { item: { qualityStandard: { metrics: [{ value: '89' }] } } } });
    expect(r1.submittedFiscalEstimate?.annualTotal?.fen).toBe('6664000000000'); // 1.36e9 x (89 − 40 in force for package BPHS) 4,900 fen
    expect(r2.content?.changes[0]?.change).toMatchObject({ modifyItem: { item: { qualityStandard: { metrics: [{ value: '85' }] } } } });
    expect(r2.submittedFiscalEstimate?.annualTotal?.fen).toBe('6120000000000'); // 1.36e9 x (85 − 40) 4,500 fen

    // Still one workflow: the resubmission signalled it with revision 2.
    await expect.poll(() => env.workflowCount(id), { timeout: 20_000, interval: 300 }).toBe(1);
    const history = await env.temporal.workflow.getHandle(id).fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === proposalResubmittedSignal);
    expect(signals).toHaveLength(1);
    const signal = await openPayload(signals[0]!.workflowExecutionSignaledEventAttributes!.input!.payloads![0], id);
    expect(signal).toMatchObject({ proposalRevision: 2, fiscalTotals: { totalFen: '18360000000000' } }); // 3 years x 6,120,000,000,000

    // An outcome for the superseded revision is ignored; the one for revision 2 is followed.
    await env.decide(id, 1, Decision.DECISION_REJECTED, 'stale', 1);
    await env.decide(id, 2, Decision.DECISION_APPROVED, '同意', 2);
    await expect.poll(async () => (await get(id)).state, { timeout: 20_000 }).toBe(ProposalState.PROPOSAL_STATE_APPROVED);
    await expect.poll(() => env.eventsOf(proposalEvents.approved, id).length, { timeout: 20_000 }).toBe(1);
    expect(env.eventsOf(proposalEvents.rejected, id)).toEqual([]);
    expect(env.eventsOf(proposalEvents.approved, id)[0]).toMatchObject({ revision: 2, round: 2, actor: { subject: 'sco.final.zhou' } });
    const [resub] = env.eventsOf(proposalEvents.resubmitted, id);
    expect(resub?.revision?.revision).toBe(2);
    expect(resub?.revision?.content?.justification?.evaluation?.documents[0]?.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('flags two open proposals touching the same item on both sides, hands the conflict to the workflow, clears it on withdrawal', async () => {
    const a = await create(healthProposal({ itemCode: 'HEA-07', title: '方案甲' }));
    const b = await create(healthProposal({ itemCode: 'HEA-07', level: '95', title: '方案乙' }));
    expect(b.conflicts).toEqual([{ proposalId: a.proposalId, itemCodes: ['HEA-07'] }]);
    expect((await get(a.proposalId)).conflicts).toEqual([{ proposalId: b.proposalId, itemCodes: ['HEA-07'] }]);

    await submit(a.proposalId, 1);
    const history = await env.temporal.workflow.getHandle(a.proposalId).fetchHistory();
    const input = await openPayload(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0], a.proposalId);
    expect(input.conflictsWith).toEqual([b.proposalId]);
    await env.workflowCount(a.proposalId); // registers it for clean-up

    await withdraw(b.proposalId, '与方案甲合并（测试）');
    expect((await get(b.proposalId)).state).toBe(ProposalState.PROPOSAL_STATE_WITHDRAWN);
    expect((await get(a.proposalId)).conflicts).toEqual([]);
    expect((await get(b.proposalId)).conflicts).toEqual([]);
    await expect.poll(() => env.eventsOf(proposalEvents.conflictCleared).length, { timeout: 20_000 }).toBe(2);
    expect(
      env
        .eventsOf(proposalEvents.conflictFlagged)
        .filter((e) => e.itemCodes.includes('HEA-07'))
        .map((e) => [e.proposalId, e.otherProposalId])
        .sort(),
    ).toEqual(
      [
        [a.proposalId, b.proposalId],
        [b.proposalId, a.proposalId],
      ].sort(),
    );
  });

  it('refuses a level below the national floor at submission unless the change lowers it with a justification', async () => {
    const nhsa = await env.token(nhsaStaff);
    // INS-05 as seeded: 380 yuan per person per year (seed 001 line 23). 300 is an example input.
    const lowered = (lowersFloor: boolean, justification: string): ProposalContent => {
      const base = healthProposal();
      return ProposalContent.fromPartial({
        ...base,
        title: '调整城乡居民基本医疗保险补助标准（测试）',
        changes: [
          {
            changeId: 'c1',
            change: {
              $case: 'modifyItem',
              modifyItem: {
                base: { itemCode: 'INS-05', version: 1 },
                lowersFloor,
                loweringJustification: justification,
                item: {
                  itemCode: 'INS-05',
                  name: '城乡居民基本医疗保险',
                  fieldCode: 'F21-HEALTH',
                  categoryCode: 'C21-MEDICAL-INSURANCE',
                  qualityStandard: {
                    stated: true,
                    text: '补助标准每人每年300元（测试示例输入）',
                    metrics: [
                      {
                        metric: 'government_subsidy_per_capita',
                        label: '城乡居民基本医疗保险补助标准',
                        comparator: 1,
                        value: '300',
                        unit: 'CNY',
                        basis: 'per_person_per_year',
                      },
                    ],
                  },
                  leadUnit: { code: 'NHSA', name: '国家医保局', kind: 1 },
                },
              },
            },
          },
        ],
        fiscal: {
          ...base.fiscal!,
          lines: [
            {
              changeId: 'c1',
              populations: base.fiscal!.lines[0]!.populations,
              centralShares: base.fiscal!.lines[0]!.centralShares,
              metric: '',
              override: undefined,
            },
          ],
        },
      });
    };
    const draft = await create(lowered(false, ''), nhsa);
    expect(draft.leadMinistry).toBe('NHSA');
    const below = await refused(submit(draft.proposalId, 1, nhsa));
    expect(below.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(decodeStatus(below).preconditionViolations).toEqual([
      {
        type: 'BELOW_FLOOR',
        subject: 'INS-05',
        description: 'c1: government_subsidy_per_capita 300 CNY is below the national floor 380 CNY; set lowers_floor with a justification',
      },
    ]);
    const justified = await unary(
      env.client.updateDraft.bind(env.client),
      { proposalId: draft.proposalId, expectedRevision: 1, content: lowered(true, '部分补助并入其他制度（测试）') },
      nhsa,
    );
    const ok = await submit(draft.proposalId, justified.proposal!.currentRevision, nhsa);
    expect(ok.state).toBe(ProposalState.PROPOSAL_STATE_IN_REVIEW);
    await env.workflowCount(draft.proposalId);
  });
});
