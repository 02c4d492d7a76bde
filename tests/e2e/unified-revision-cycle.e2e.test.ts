// The 5-year unified revision across registry, proposals and approvals on the real stack: Beijing has filed the
// basic public health funding at the national floor (40 yuan); NDRC opens the 2026–2030 cycle; 国家卫生健康委
// evaluates, drafts a UNIFIED proposal raising HEA-01 to 89 yuan and submits it through the proposals service (it
// enters the cycle and is countersigned in the inbox); an ad-hoc revision of the same item is still in review.
// The final approver approves the package; the registry publishes one edition; the ad-hoc revision comes back to
// its proposer, who must rebase onto the edition before resubmitting; Beijing falls below the new floor and the
// cycle tracks it until Beijing re-files at 89; then the cycle is closed.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevisionCyclesClient } from '../../proto/gen/bps/approvals/v1/cycles';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { ApprovalInboxClient } from '../../proto/gen/bps/approvals/v1/inbox';
import { AdHocTrigger, ProposalKind, ProposalState } from '../../proto/gen/bps/proposals/v1/proposal';
import { ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import type { PersonaName } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import { decodeStatus } from '../../services/shared/grpc/status';
import { healthProposal } from '../unit/proposals-fixtures';
import { uniqueName } from '../support/names';
import { tokenFor } from '../support/identity';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { beijingHealthFunding, nhcLedSignOffs, openCycleRequest } from '../support/cycles';

const token = (p: PersonaName) => tokenFor(p);
const insecure = grpc.credentials.createInsecure();

describe('unified revision cycle, end to end', () => {
  let p: StartedPlatform<'registry' | 'proposals' | 'approvals'>;

  beforeAll(async () => {
    p = await startPlatform('e2ec', { services: ['registry', 'proposals', 'approvals'] });
  }, 240_000);

  afterAll(async () => {
    await p?.stop();
  }, 120_000);

  it('opens, evaluates, takes a proposal through the proposals service, releases one edition, rebases the ad-hoc revision, and tracks re-filing', async () => {
    const registryClient = new StandardRegistryClient(p.address('registry'), insecure);
    const proposalsClient = new ProposalsClient(p.address('proposals'), insecure);
    const inbox = new ApprovalInboxClient(p.address('approvals'), insecure);
    const cycles = new RevisionCyclesClient(p.address('approvals'), insecure);
    const nhc = await token('nhc-staff');
    const cycleId = uniqueName('C-2026');
    const cycle = async () => (await unary(cycles.getCycle.bind(cycles), { cycleId }, nhc)).cycle!;
    /** Beijing files its local standard for HEA-01: the funding per person and year, in force from `effectiveFrom`. */
    const fileBeijingFunding = async (effectiveFrom: { year: number; month: number; day: number }, value: string) =>
      unary(
        registryClient.fileLocalStandard.bind(registryClient),
        { ...beijingHealthFunding(effectiveFrom, value), localFunding: undefined, localFundingSource: '', note: '' },
        await token('beijing-officer'),
      );
    const proposal = async (proposalId: string) => (await unary(proposalsClient.getProposal.bind(proposalsClient), { proposalId, revision: 0 }, nhc)).proposal!;

    // Beijing implements the national basic public health funding exactly at the floor (40 yuan per person per year).
    const filed = await fileBeijingFunding({ year: 2018, month: 1, day: 1 }, '40');
    expect(filed.comparisons.every((c) => c.compliant)).toBe(true);

    // An ad-hoc revision of HEA-01 (to 120 yuan from 2028) is in review when the cycle starts.
    const adHocDraft = (
      await unary(
        proposalsClient.createProposal.bind(proposalsClient),
        {
          content: {
            ...healthProposal({ itemCode: 'HEA-01', level: '120', title: '提高基本公共卫生服务经费补助标准（专项）' }),
            effectiveFrom: { year: 2028, month: 1, day: 1 },
          },
        },
        nhc,
      )
    ).proposal!;
    await unary(proposalsClient.submitProposal.bind(proposalsClient), { proposalId: adHocDraft.proposalId, expectedRevision: adHocDraft.currentRevision }, nhc);

    // NDRC opens the cycle; 国家卫生健康委 files its evaluation of the health field (F21-HEALTH).
    await unary(
      cycles.openCycle.bind(cycles),
      openCycleRequest(cycleId, {
        effectiveFrom: { year: 2027, month: 7, day: 1 },
        fields: [{ fieldCode: 'F21-HEALTH', leadMinistry: 'NHC', proposalWindowSeconds: '3600' }],
        fiscalCeiling: { centralFen: '100000000000000', localFen: '100000000000000' },
        evaluationSeconds: '3600',
        proposalWindowSeconds: '3600',
      }),
      await token('ndrc-approver'),
    );
    // Not yet taking proposals: a UNIFIED submission is refused before the proposal is marked submitted.
    const unifiedContent = {
      ...healthProposal({ itemCode: 'HEA-01', level: '89' }),
      kind: ProposalKind.PROPOSAL_KIND_UNIFIED,
      cycleId,
      trigger: AdHocTrigger.AD_HOC_TRIGGER_UNSPECIFIED,
      triggerDocument: undefined,
    };
    const draft = (await unary(proposalsClient.createProposal.bind(proposalsClient), { content: unifiedContent }, nhc)).proposal!;
    const early = await unary(
      proposalsClient.submitProposal.bind(proposalsClient),
      { proposalId: draft.proposalId, expectedRevision: draft.currentRevision },
      nhc,
    ).catch((e: grpc.ServiceError) => decodeStatus(e));
    expect(early).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, preconditionViolations: [expect.objectContaining({ type: 'WINDOW_CLOSED' })] });
    expect((await proposal(draft.proposalId)).state).toBe(ProposalState.PROPOSAL_STATE_DRAFT);

    await unary(
      cycles.fileEvaluation.bind(cycles),
      { cycleId, fieldCode: 'F21-HEALTH', summary: '基本公共卫生服务经费标准已不适应服务需求，建议提高', citedEvaluationIds: [] },
      nhc,
    );
    await expect.poll(async () => (await cycle()).phase, { timeout: 20_000 }).toBe('proposals');

    // The UNIFIED proposal enters the cycle through the proposals service and is countersigned like any other.
    await unary(proposalsClient.submitProposal.bind(proposalsClient), { proposalId: draft.proposalId, expectedRevision: draft.currentRevision }, nhc);
    await expect
      .poll(async () => (await cycle()).package.map((e) => [e.proposalId, e.status]), { timeout: 20_000 })
      .toEqual([[draft.proposalId, 'in_approval']]);
    await expect.poll(async () => (await proposal(draft.proposalId)).state, { timeout: 20_000 }).toBe(ProposalState.PROPOSAL_STATE_IN_REVIEW);
    await unary(cycles.closeProposalWindow.bind(cycles), { cycleId, fieldCode: 'F21-HEALTH' }, nhc);
    for (const [who, stepId] of nhcLedSignOffs) {
      const t = await token(who);
      await expect
        .poll(
          async () =>
            (
              await unary(inbox.listMyOpenSteps.bind(inbox), { fieldCode: '', kind: 'UNIFIED', cycleId, dueBefore: undefined, overdueOnly: false }, t)
            ).items.some((i) => i.proposal?.proposalId === draft.proposalId && i.step?.stepId === stepId),
          { timeout: 30_000, interval: 300 },
        )
        .toBe(true);
      await unary(inbox.signOff.bind(inbox), { proposalId: draft.proposalId, stepId, position: Position.POSITION_APPROVE, comment: '同意' }, t);
    }
    await expect.poll(async () => (await cycle()).phase, { timeout: 30_000 }).toBe('consolidation');
    await expect.poll(async () => (await cycle()).package.map((e) => e.status), { timeout: 20_000 }).toEqual(['approved']);
    await unary(cycles.approvePackage.bind(cycles), { cycleId, comment: '同意发布' }, await token('final-approver'));

    // One edition: HEA-01 v2 at 89 yuan from 2027-07-01; the proposal follows to APPROVED.
    await expect
      .poll(
        async () => {
          const item = await unary(
            registryClient.getItem.bind(registryClient),
            { itemCode: 'HEA-01', asOf: { date: { year: 2027, month: 7, day: 1 }, knownAt: undefined }, provinceCode: '' },
            nhc,
          ).catch(() => undefined);
          return item?.national?.version;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(2);
    await expect.poll(async () => (await proposal(draft.proposalId)).state, { timeout: 20_000 }).toBe(ProposalState.PROPOSAL_STATE_APPROVED);

    // The ad-hoc revision came back to its proposer; resubmitting without rebasing onto the edition is refused.
    await expect.poll(async () => (await cycle()).rebaseRequired, { timeout: 20_000 }).toEqual([adHocDraft.proposalId]);
    await expect.poll(async () => (await proposal(adHocDraft.proposalId)).state, { timeout: 20_000 }).toBe(ProposalState.PROPOSAL_STATE_RETURNED);
    expect((await proposal(adHocDraft.proposalId)).lastDecisionComment).toContain(`rebase or withdraw: unified revision ${cycleId}`);
    const returned = await proposal(adHocDraft.proposalId);
    const stale = await unary(
      proposalsClient.submitProposal.bind(proposalsClient),
      { proposalId: adHocDraft.proposalId, expectedRevision: returned.currentRevision },
      nhc,
    ).catch((e: grpc.ServiceError) => decodeStatus(e));
    expect(stale).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      preconditionViolations: [expect.objectContaining({ type: 'STALE_BASE', subject: 'HEA-01' })],
    });
    const rebased = await unary(
      proposalsClient.rebaseProposal.bind(proposalsClient),
      { proposalId: adHocDraft.proposalId, expectedRevision: returned.currentRevision },
      nhc,
    );
    expect(rebased.moved).toEqual([expect.objectContaining({ itemCode: 'HEA-01', fromVersion: 1, toVersion: 2 })]);
    await unary(
      proposalsClient.submitProposal.bind(proposalsClient),
      { proposalId: adHocDraft.proposalId, expectedRevision: rebased.proposal!.currentRevision },
      nhc,
    );
    await expect
      .poll(
        async () => {
          const view = (await unary(inbox.getApproval.bind(inbox), { proposalId: adHocDraft.proposalId }, nhc)).approval!;
          return [view.status, view.round, view.rebase];
        },
        { timeout: 20_000 },
      )
      .toEqual(['in_progress', 2, undefined]);

    // Beijing is below the new floor: the cycle tracks it until Beijing re-files at 89 yuan.
    await expect
      .poll(async () => (await cycle()).refiling.map((r) => [r.provinceCode, r.itemCode, r.refiled]), { timeout: 30_000, interval: 500 })
      .toEqual([['110000', 'HEA-01', false]]);
    expect((await cycle()).refiling[0]!.deadline!.toISOString()).toBe('2027-09-29T15:59:59.999Z'); // registry's 90 days, end of day in Beijing
    await fileBeijingFunding({ year: 2027, month: 7, day: 1 }, '89');
    await expect
      .poll(async () => (await cycle()).refiling.map((r) => [r.provinceCode, r.refiled, r.overdue]), { timeout: 30_000, interval: 500 })
      .toEqual([['110000', true, false]]);

    await unary(cycles.closeCycle.bind(cycles), { cycleId }, await token('final-approver'));
    await expect.poll(async () => (await cycle()).phase, { timeout: 20_000 }).toBe('closed');
    for (const c of [registryClient, proposalsClient, inbox, cycles]) c.close();
  });
});
