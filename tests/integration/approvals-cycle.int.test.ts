// The unified revision cycle on the real Temporal dev server and Kafka: two fields evaluate, three proposals go
// through their own countersign as child workflows, a conflict on one item is resolved, a fiscal-ceiling breach
// blocks joint approval until a proposal is trimmed, and one edition is released with one effective date; then an
// overdue provincial re-filing produces a warning.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personas } from '../../services/shared/auth/personas';
import {
  approvePackageUpdate, closeCycleUpdate, cycleStateQuery, fileEvaluationUpdate, floorBreachedSignal, provinceRefiledSignal, resolveConflictUpdate, signOffUpdate,
  submitCycleProposalUpdate, trimProposalUpdate, workflowTypes, type ActorRef, type CycleInput, type CycleView, type ProposalApprovalInput,
} from '../../workflows/contracts';
import { uniqueName } from '../support/names';
import { actorOf, proposalInput, startHarness, type Harness } from './approvals-harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const nhcStaff = actorOf(personas['nhc-staff']);
const moeStaff = actorOf(personas['moe-staff']);
const moeApprover: ActorRef = { subject: 'moe.approver.gao', organisation: 'MOE', roles: ['approver'] };
const sco = actorOf(personas['final-approver']);

describe('unifiedRevisionCycle', () => {
  it('releases one edition after conflicts are resolved and the package is trimmed under the fiscal ceiling', async () => {
    const cycleId = uniqueName('C');
    const input: CycleInput = {
      cycleId, planPeriod: '2026–2030', title: '国家基本公共服务标准（2026年版）', effectiveFrom: '2026-07-01',
      fields: [{ fieldCode: 'HEALTH', leadMinistry: 'NHC' }, { fieldCode: 'EDU', leadMinistry: 'MOE' }],
      fiscalCeiling: { centralFen: '900', localFen: '1000' }, evaluationSeconds: 60, proposalWindowSeconds: 8,
    };
    const cycle = await h.temporal.client.workflow.start(workflowTypes.unifiedRevisionCycle, { taskQueue: h.taskQueue, workflowId: cycleId, args: [input] });
    const state = () => cycle.query<CycleView>(cycleStateQuery);
    const update = (name: string, args: unknown) => cycle.executeUpdate<CycleView, [unknown]>(name, { args: [args] });

    // Evaluation phase: each field's lead ministry files; nobody else may.
    await expect.poll(async () => (await state()).phase, { timeout: 20_000 }).toBe('evaluation');
    await expect(update(fileEvaluationUpdate, { actor: moeStaff, fieldCode: 'HEALTH', summary: 'x' })).rejects.toMatchObject({ cause: { details: ['NOT_LEAD_MINISTRY'] } });
    await update(fileEvaluationUpdate, { actor: nhcStaff, fieldCode: 'HEALTH', summary: '基本公共卫生服务项目执行良好，经费标准需提高' });
    await update(fileEvaluationUpdate, { actor: moeStaff, fieldCode: 'EDU', summary: '学前教育资助覆盖面需扩大' });
    await expect.poll(async () => (await state()).phase, { timeout: 20_000 }).toBe('proposals');

    // Proposal window: A and B (HEALTH) both change HEA-01; C (EDU) pushes central cost over the ceiling.
    const proposal = (id: string, field: string, lead: string, proposer: ActorRef, items: string[], central: string, local: string): ProposalApprovalInput => proposalInput({
      proposalId: `${cycleId}-${id}`, kind: 'UNIFIED', cycleId, leadMinistry: lead, proposer, fieldCodes: [field], itemCodes: items,
      fiscalTotals: { totalFen: String(Number(central) + Number(local)), centralFen: central, localFen: local },
      changeSet: { changeSetId: `${cycleId}-${id}`, changes: items.map((item, i) => ({ changeId: `c${i + 1}`, retireItem: { base: { itemCode: item, version: 1 }, reason: id } })), fieldCodes: [field] },
    });
    const A = proposal('A', 'HEALTH', 'NHC', nhcStaff, ['HEA-01'], '500', '300');
    const B = proposal('B', 'HEALTH', 'NHC', nhcStaff, ['HEA-01', 'HEA-02'], '300', '200');
    const C = proposal('C', 'EDU', 'MOE', moeStaff, ['EDU-01'], '500', '100');
    for (const p of [A, B, C]) await update(submitCycleProposalUpdate, { actor: p.proposer, proposal: p });

    // Each proposal is countersigned in its own child workflow (the inbox lists them like any other).
    for (const p of [A, B, C]) {
      const child = h.temporal.client.workflow.getHandle(p.proposalId);
      const lead = p.leadMinistry === 'MOE' ? moeApprover : actorOf(personas['nhc-approver']);
      for (const [actor, stepId] of [[lead, 'countersign.lead'], [actorOf(personas['ndrc-approver']), 'countersign.ndrc'], [actorOf(personas['mof-approver']), 'countersign.mof'], [sco, 'final.sco']] as const) {
        await expect.poll(() => child.executeUpdate(signOffUpdate, { args: [{ actor, stepId, position: 'APPROVE', comment: '' }] }).then(() => true, () => false), { timeout: 20_000, interval: 200 }).toBe(true);
      }
    }

    // Consolidation: the conflict and then the ceiling block the joint approval.
    await expect.poll(async () => (await state()).phase, { timeout: 30_000 }).toBe('consolidation');
    await expect.poll(async () => (await state()).package.map((e) => e.status), { timeout: 20_000 }).toEqual(['approved', 'approved', 'approved']);
    expect((await state()).conflicts).toEqual([{ itemCode: 'HEA-01', proposalIds: [A.proposalId, B.proposalId] }]);
    await expect(update(approvePackageUpdate, { actor: sco, comment: '' })).rejects.toMatchObject({ cause: { details: ['CONFLICTS_UNRESOLVED'] } });
    await update(resolveConflictUpdate, { actor: sco, itemCode: 'HEA-01', keepProposalId: A.proposalId, reason: '采纳A方案' });
    expect((await state()).totals).toEqual({ centralFen: '1000', localFen: '400' });
    await expect(update(approvePackageUpdate, { actor: sco, comment: '' })).rejects.toMatchObject({ cause: { details: ['FISCAL_CEILING_EXCEEDED'] } });
    await expect(update(trimProposalUpdate, { actor: nhcStaff, proposalId: C.proposalId, fiscalTotals: { totalFen: '400', centralFen: '300', localFen: '100' }, changeSet: C.changeSet }))
      .rejects.toMatchObject({ cause: { details: ['NOT_LEAD_MINISTRY'] } });
    await update(trimProposalUpdate, { actor: moeStaff, proposalId: C.proposalId, fiscalTotals: { totalFen: '400', centralFen: '300', localFen: '100' }, changeSet: C.changeSet });
    expect((await state()).ceilingExceeded).toBe(false);
    await update(approvePackageUpdate, { actor: sco, comment: '同意' });

    // One edition, one effective date, every included proposal in its provenance; nothing published per proposal.
    await expect.poll(() => h.eventsOf(cycleId, 'bps.approval.changeset.approved').length, { timeout: 20_000 }).toBe(1);
    const edition = h.eventsOf(cycleId, 'bps.approval.changeset.approved')[0]!.data.changeSet;
    expect(edition).toMatchObject({
      kind: 'RELEASE_KIND_EDITION', effectiveFrom: { year: 2026, month: 7, day: 1 }, fieldCodes: ['EDU', 'HEALTH'],
      provenance: { proposalIds: [A.proposalId, C.proposalId], cycleId, approvedBy: { subject: 'sco.final.zhou' } },
    });
    expect(edition.changes.map((c: any) => c.changeId)).toEqual([`${A.proposalId}/c1`, `${C.proposalId}/c1`]);
    for (const p of [A, B, C]) expect(h.eventsOf(p.proposalId, 'bps.approval.changeset.approved')).toEqual([]);

    // Re-filing: Beijing misses its deadline (warning); Guangdong re-files in time (none).
    await expect.poll(async () => (await state()).phase, { timeout: 20_000 }).toBe('refiling');
    await cycle.signal(floorBreachedSignal, { provinceCode: '110000', itemCode: 'HEA-01', refileDeadline: Date.now() + 2000 });
    await cycle.signal(floorBreachedSignal, { provinceCode: '440000', itemCode: 'HEA-01', refileDeadline: Date.now() + 3000 });
    await cycle.signal(provinceRefiledSignal, { provinceCode: '440000', itemCode: 'HEA-01' });
    await expect.poll(() => h.eventsOf(cycleId, 'bps.approval.cycle.refiling.overdue').map((e) => e.data.provinceCode), { timeout: 20_000 }).toEqual(['110000']);
    await new Promise((r) => setTimeout(r, 1500)); // past Guangdong's deadline too
    expect((await state()).refiling.map((r) => [r.provinceCode, r.refiled, r.overdue])).toEqual([['110000', false, true], ['440000', true, false]]);
    await update(closeCycleUpdate, { actor: sco });
    expect(await cycle.result()).toEqual({ phase: 'closed', released: [A.proposalId, C.proposalId] });
    await expect.poll(() => h.eventsOf(cycleId, 'bps.approval.cycle.phase.changed').map((e) => e.data.phase), { timeout: 20_000 })
      .toEqual(['evaluation', 'proposals', 'consolidation', 'released', 'refiling', 'closed']);

    // Recorded once for the replay test (BPS_RECORD_FIXTURES=1); the fixture is committed.
    if (process.env['BPS_RECORD_FIXTURES'] === '1') {
      writeFileSync(fileURLToPath(new URL('../fixtures/approvals-cycle-history.json', import.meta.url)), JSON.stringify(await cycle.fetchHistory(), null, 1));
    }
  });
});
