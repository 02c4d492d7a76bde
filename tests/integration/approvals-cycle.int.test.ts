// The unified revision cycle on the real Temporal dev server and Kafka, driven through the RevisionCycles gRPC API:
// NDRC opens it; two fields evaluate; each field has its own proposal window (Education closes early, Health at its
// deadline); three proposals go through their own countersign as child workflows; a conflict on one item is
// resolved; a fiscal-ceiling breach blocks joint approval until a proposal is trimmed; one edition is released with
// one effective date; an ad-hoc revision still running at release is sent back to be rebased or withdrawn (and the
// inbox says so); the registry's floor-breach and filing events drive provincial re-filing, an overdue province
// produces a warning; every human action is recorded as an event of the cycle.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevisionCyclesClient, type Cycle, type OpenCycleRequest } from '../../proto/gen/bps/approvals/v1/cycles';
import { Position } from '../../proto/gen/bps/approvals/v1/events';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { standardEvents } from '../../services/shared/events/standards';
import { unary } from '../../services/shared/grpc/client';
import { EventProducer, newEvent } from '../../services/shared/kafka/kafka';
import {
  approvalStateQuery,
  signOffUpdate,
  submitCycleProposalUpdate,
  type ActorRef,
  type ApprovalView,
  type ProposalApprovalInput,
} from '../../workflows/contracts';
import { testKafka } from '../support/kafka';
import { openedHistory } from '../support/temporal';
import { uniqueName } from '../support/names';
import { actorOf, proposalInput, startHarness, type Harness } from './approvals-harness';
import { refusal } from '../support/grpc';
import { openCycleRequest } from '../support/cycles';

let h: Harness;
let cycles: RevisionCyclesClient;
let producer: EventProducer;
beforeAll(async () => {
  h = await startHarness();
  cycles = new RevisionCyclesClient(`127.0.0.1:${h.app.grpcPort}`, grpc.credentials.createInsecure());
  producer = new EventProducer(testKafka('registry', 'cycle-test-registry')); // registry-shaped events, as the registry;
  await producer.connect();
});
afterAll(async () => {
  cycles?.close();
  await producer?.disconnect();
  await h?.close();
});

const nhcStaff = actorOf(personas['nhc-staff']);
const moeStaff = actorOf(personas['moe-staff']);
const moeApprover: ActorRef = { subject: 'moe.approver.gao', organisation: 'MOE', roles: ['approver'] };
const sco = actorOf(personas['final-approver']);

const call = async <Req, Res>(
  method: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r: Res) => void) => grpc.ClientUnaryCall,
  req: Req,
  who: PersonaName,
): Promise<Res> => unary(method.bind(cycles), req, await h.token(who));
const cycleOf = async (cycleId: string): Promise<Cycle> => (await call(cycles.getCycle, { cycleId }, 'auditor')).cycle!;

describe('unifiedRevisionCycle through the RevisionCycles API', () => {
  it('opens only for NDRC or the final approver, and names malformed fields', async () => {
    const request: OpenCycleRequest = {
      cycleId: uniqueName('C'),
      planPeriod: '2031-2026',
      title: '',
      effectiveFrom: undefined,
      fields: [],
      fiscalCeiling: undefined,
      evaluationSeconds: '0',
      proposalWindowSeconds: '10',
      refilingSeconds: '0',
    };
    expect(await refusal(call(cycles.openCycle, request, 'nhc-staff'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const invalid = await refusal(call(cycles.openCycle, request, 'ndrc-approver'));
    expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(invalid.fieldViolations.map((v) => v.field)).toEqual(['plan_period', 'title', 'effective_from', 'fields', 'fiscal_ceiling', 'evaluation_seconds']);
    expect(await refusal(call(cycles.getCycle, { cycleId: request.cycleId }, 'auditor'))).toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('releases one edition after per-field windows, conflict resolution and a trim; sends running revisions to rebase; tracks re-filing', async () => {
    const cycleId = uniqueName('C');
    // An ad-hoc revision already under way (NHC, HEA-03) with Finance's concurrence: the edition will overtake it.
    const adHoc = proposalInput({ itemCodes: ['HEA-03'], title: '提高预防接种服务补助标准' });
    await h.start(adHoc);
    await h.temporal.client.workflow
      .getHandle(adHoc.proposalId)
      .executeUpdate(signOffUpdate, { args: [{ actor: actorOf(personas['mof-approver']), stepId: 'countersign.mof', position: 'APPROVE', comment: '' }] });

    const opened = (
      await call(
        cycles.openCycle,
        openCycleRequest(cycleId, {
          fields: [
            { fieldCode: 'HEALTH', leadMinistry: 'NHC', proposalWindowSeconds: '10' },
            { fieldCode: 'EDU', leadMinistry: 'MOE', proposalWindowSeconds: '600' },
          ],
          fiscalCeiling: { centralFen: '900', localFen: '1000' },
          evaluationSeconds: '60',
          proposalWindowSeconds: '10',
          refilingSeconds: '2',
        }),
        'ndrc-approver',
      )
    ).cycle!;
    expect(opened).toMatchObject({
      cycleId,
      workflowId: cycleId,
      phase: 'evaluation',
      planPeriod: '2026–2030',
      fiscalCeiling: { centralFen: '900', localFen: '1000' },
    });
    expect(
      await refusal(
        call(
          cycles.openCycle,
          {
            ...{ cycleId, planPeriod: '2026-2030', title: 'x', effectiveFrom: { year: 2026, month: 7, day: 1 } },
            fields: [{ fieldCode: 'HEALTH', leadMinistry: 'NHC', proposalWindowSeconds: '0' }],
            fiscalCeiling: { centralFen: '1', localFen: '1' },
            evaluationSeconds: '60',
            proposalWindowSeconds: '10',
            refilingSeconds: '0',
          },
          'ndrc-approver',
        ),
      ),
    ).toMatchObject({ code: grpc.status.ALREADY_EXISTS });
    expect((await call(cycles.listCycles, {}, 'auditor')).cycles.map((c) => c.cycleId)).toContain(cycleId);

    // Evaluation: each field's lead ministry files; nobody else may.
    const wrongMinistry = await refusal(call(cycles.fileEvaluation, { cycleId, fieldCode: 'HEALTH', summary: 'x', citedEvaluationIds: [] }, 'moe-staff'));
    expect(wrongMinistry.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(wrongMinistry.message).toContain('NOT_LEAD_MINISTRY');
    await call(
      cycles.fileEvaluation,
      { cycleId, fieldCode: 'HEALTH', summary: '基本公共卫生服务项目执行良好，经费标准需提高', citedEvaluationIds: [] },
      'nhc-staff',
    );
    await call(cycles.fileEvaluation, { cycleId, fieldCode: 'EDU', summary: '学前教育资助覆盖面需扩大', citedEvaluationIds: [] }, 'moe-staff');
    await expect.poll(async () => (await cycleOf(cycleId)).phase, { timeout: 20_000 }).toBe('proposals');
    const windows = (await cycleOf(cycleId)).fields;
    expect(windows.map((f) => [f.fieldCode, f.evaluatedBy, f.windowClosed])).toEqual([
      ['HEALTH', 'nhc.staff.li', false],
      ['EDU', 'moe.staff.wang', false],
    ]);
    expect(windows[1]!.windowClosesAt!.getTime() - windows[0]!.windowClosesAt!.getTime()).toBeGreaterThan(500_000); // one window per field

    // Proposals (as the proposals service files them): A and B (HEALTH) both change HEA-01; C (EDU) costs too much centrally.
    const cycle = h.temporal.client.workflow.getHandle(cycleId);
    const proposal = (id: string, field: string, lead: string, proposer: ActorRef, items: string[], central: string, local: string): ProposalApprovalInput =>
      proposalInput({
        proposalId: `${cycleId}-${id}`,
        kind: 'UNIFIED',
        cycleId,
        leadMinistry: lead,
        proposer,
        fieldCodes: [field],
        itemCodes: items,
        fiscalTotals: { totalFen: String(Number(central) + Number(local)), centralFen: central, localFen: local },
        changeSet: {
          changeSetId: `${cycleId}-${id}`,
          changes: items.map((item, i) => ({ changeId: `c${i + 1}`, retireItem: { base: { itemCode: item, version: 1 }, reason: id } })),
          fieldCodes: [field],
        },
      });
    const A = proposal('A', 'HEALTH', 'NHC', nhcStaff, ['HEA-01'], '500', '300');
    const B = proposal('B', 'HEALTH', 'NHC', nhcStaff, ['HEA-01', 'HEA-02'], '300', '200');
    const C = proposal('C', 'EDU', 'MOE', moeStaff, ['EDU-01'], '500', '100');
    const D = proposal('D', 'EDU', 'MOE', moeStaff, ['EDU-02'], '1', '1');
    for (const p of [A, B, C]) await cycle.executeUpdate(submitCycleProposalUpdate, { args: [{ actor: p.proposer, proposal: p }] });

    // Education closes its window early; a late Education proposal is refused while Health's window is still open.
    expect(await refusal(call(cycles.closeProposalWindow, { cycleId, fieldCode: 'EDU' }, 'nhc-staff'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    await call(cycles.closeProposalWindow, { cycleId, fieldCode: 'EDU' }, 'moe-staff');
    await expect.poll(async () => (await cycleOf(cycleId)).fields.find((f) => f.fieldCode === 'EDU')?.windowClosed, { timeout: 10_000 }).toBe(true);
    await expect(cycle.executeUpdate(submitCycleProposalUpdate, { args: [{ actor: moeStaff, proposal: D }] })).rejects.toMatchObject({
      cause: { details: ['WINDOW_CLOSED'] },
    });
    expect((await cycleOf(cycleId)).phase).toBe('proposals');

    // Each proposal is countersigned in its own child workflow (the inbox lists them like any other).
    for (const p of [A, B, C]) {
      const child = h.temporal.client.workflow.getHandle(p.proposalId);
      const lead = p.leadMinistry === 'MOE' ? moeApprover : actorOf(personas['nhc-approver']);
      for (const [actor, stepId] of [
        [lead, 'countersign.lead'],
        [actorOf(personas['ndrc-approver']), 'countersign.ndrc'],
        [actorOf(personas['mof-approver']), 'countersign.mof'],
        [sco, 'final.sco'],
      ] as const) {
        await expect
          .poll(
            () =>
              child.executeUpdate(signOffUpdate, { args: [{ actor, stepId, position: 'APPROVE', comment: '' }] }).then(
                () => true,
                () => false,
              ),
            { timeout: 20_000, interval: 200 },
          )
          .toBe(true);
      }
    }

    // Consolidation: the conflict and then the ceiling block the joint approval.
    await expect.poll(async () => (await cycleOf(cycleId)).phase, { timeout: 30_000 }).toBe('consolidation');
    await expect.poll(async () => (await cycleOf(cycleId)).package.map((e) => e.status), { timeout: 20_000 }).toEqual(['approved', 'approved', 'approved']);
    expect((await cycleOf(cycleId)).conflicts).toEqual([{ itemCode: 'HEA-01', proposalIds: [A.proposalId, B.proposalId] }]);
    const conflicted = await refusal(call(cycles.approvePackage, { cycleId, comment: '' }, 'final-approver'));
    expect(conflicted).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      preconditionViolations: [expect.objectContaining({ type: 'CONFLICTS_UNRESOLVED' })],
    });
    expect(
      await refusal(call(cycles.resolveConflict, { cycleId, itemCode: 'HEA-01', keepProposalId: A.proposalId, reason: '' }, 'final-approver')),
    ).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const resolved = (await call(cycles.resolveConflict, { cycleId, itemCode: 'HEA-01', keepProposalId: A.proposalId, reason: '采纳A方案' }, 'final-approver'))
      .cycle!;
    expect(resolved.totals).toEqual({ centralFen: '1000', localFen: '400' });
    expect(resolved.ceilingExceeded).toBe(true);
    expect(await refusal(call(cycles.approvePackage, { cycleId, comment: '' }, 'final-approver'))).toMatchObject({
      preconditionViolations: [expect.objectContaining({ type: 'FISCAL_CEILING_EXCEEDED' })],
    });
    // A trim is the consolidation approvers' (NDRC, final approver), lowers money only and says why.
    const trim = {
      cycleId,
      proposalId: C.proposalId,
      fiscalTotals: { totalFen: '400', centralFen: '300', localFen: '100' },
      changeSet: undefined,
      reason: '压减至财政承受能力上限以内',
    };
    expect(await refusal(call(cycles.trimProposal, trim, 'nhc-staff'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect(await refusal(call(cycles.trimProposal, trim, 'moe-staff'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect(
      await refusal(call(cycles.trimProposal, { ...trim, fiscalTotals: { totalFen: 'x', centralFen: '300', localFen: '100' } }, 'ndrc-approver')),
    ).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'fiscal_totals.total_fen' })] });
    const trimmed = (await call(cycles.trimProposal, trim, 'ndrc-approver')).cycle!;
    expect(trimmed.ceilingExceeded).toBe(false);
    expect(
      trimmed.package.find((e) => e.proposalId === C.proposalId)!.trims.map((t) => [t.actor?.subject, t.reason, t.before?.centralFen, t.after?.centralFen]),
    ).toEqual([['ndrc.approver.chen', '压减至财政承受能力上限以内', '500', '300']]);
    expect(await refusal(call(cycles.approvePackage, { cycleId, comment: '' }, 'ndrc-approver'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    await call(cycles.approvePackage, { cycleId, comment: '同意' }, 'final-approver');

    // One edition, one effective date, every included proposal in its provenance (C's change set kept by the trim).
    await expect.poll(() => h.eventsOf(cycleId, 'bps.approval.changeset.approved').length, { timeout: 20_000 }).toBe(1);
    const edition = h.eventsOf(cycleId, 'bps.approval.changeset.approved')[0]!.data.changeSet;
    expect(edition).toMatchObject({
      kind: 'RELEASE_KIND_EDITION',
      effectiveFrom: { year: 2026, month: 7, day: 1 },
      fieldCodes: ['EDU', 'HEALTH'],
      provenance: { proposalIds: [A.proposalId, C.proposalId], cycleId, approvedBy: { subject: 'sco.final.zhou' } },
    });
    expect(edition.changes.map((c: any) => c.changeId)).toEqual([`${A.proposalId}/c1`, `${C.proposalId}/c1`]);
    for (const p of [A, B, C]) expect(h.eventsOf(p.proposalId, 'bps.approval.changeset.approved')).toEqual([]);

    // The running ad-hoc revision goes back to its proposer; its approvers still see it, marked, and cannot sign.
    await expect.poll(async () => (await cycleOf(cycleId)).rebaseRequired, { timeout: 20_000 }).toEqual([adHoc.proposalId]);
    const superseded = await h.temporal.client.workflow.getHandle(adHoc.proposalId).query<ApprovalView>(approvalStateQuery);
    expect(superseded).toMatchObject({
      status: 'awaiting_resubmission',
      rebase: { cycleId, title: '国家基本公共服务标准（2026年版）', effectiveFrom: '2026-07-01' },
    });
    await expect
      .poll(() => h.eventsOf(adHoc.proposalId, 'bps.approval.proposal.decided').map((e) => [e.data.decision, e.data.actor.subject]), { timeout: 20_000 })
      .toEqual([['DECISION_RETURNED_FOR_REVISION', 'system:approvals']]);
    const ndrcToken = await h.token('ndrc-approver');
    const items = (
      await unary(h.client.listMyOpenSteps.bind(h.client), { fieldCode: '', kind: '', cycleId: '', dueBefore: undefined, overdueOnly: false }, ndrcToken)
    ).items.filter((i) => i.proposal?.proposalId === adHoc.proposalId);
    expect(items.map((i) => [i.step?.stepId, i.rebaseRequired, i.needs[0]?.startsWith(`rebase or withdraw: unified revision ${cycleId}`)])).toEqual([
      ['countersign.ndrc', true, true],
    ]);
    const blocked = await refusal(
      unary(
        h.client.signOff.bind(h.client),
        { proposalId: adHoc.proposalId, stepId: 'countersign.ndrc', position: Position.POSITION_APPROVE, comment: '' },
        ndrcToken,
      ),
    );
    expect(blocked).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, preconditionViolations: [expect.objectContaining({ type: 'REBASE_REQUIRED' })] });

    // Re-filing, driven by the registry's events: Beijing and Guangdong fall below the new HEA-01 floor; Guangdong
    // re-files at the floor in time, Beijing does not (a warning). A breach after an ad-hoc amendment is not the cycle's.
    await expect.poll(async () => (await cycleOf(cycleId)).phase, { timeout: 20_000 }).toBe('refiling');
    const registryEvent = <T>(definition: Parameters<typeof newEvent<T>>[0], payload: T, key: string) =>
      newEvent(definition, payload, { source: '/bps/registry', key, topicNamespace: h.topicNamespace });
    const breach = (province: string, releaseId = `release-${cycleId}-edition`) =>
      registryEvent(
        standardEvents.floorBreached,
        standardEvents.floorBreached.codec.fromPartial({
          provinceCode: province,
          itemCode: 'HEA-01',
          releaseId,
          filingId: `${province}:HEA-01:1`,
          metric: 'funding_per_capita',
          label: '国家基本公共卫生服务经费',
          requiredValue: '89',
          actualValue: '40',
          unit: 'CNY',
          effectiveFrom: { year: 2026, month: 7, day: 1 },
          refileDeadline: { year: 2026, month: 9, day: 29 },
          fieldCode: 'HEALTH',
        }),
        `${province}:HEA-01`,
      );
    await producer.publish([breach('110000'), breach('440000'), breach('310000', 'release-P-OTHER-r1')]);
    await expect.poll(async () => (await cycleOf(cycleId)).refiling.map((r) => r.provinceCode), { timeout: 20_000 }).toEqual(['110000', '440000']);
    await producer.publish([
      registryEvent(
        standardEvents.localStandardFiled,
        standardEvents.localStandardFiled.codec.fromPartial({
          filingId: '440000:HEA-01:2',
          provinceCode: '440000',
          itemCode: 'HEA-01',
          nationalVersion: 2,
          effectiveFrom: { year: 2026, month: 7, day: 1 },
          comparisons: [
            { metric: 'funding_per_capita', label: '国家基本公共卫生服务经费', nationalValue: '89', localValue: '89', unit: 'CNY', compliant: true },
          ],
          fieldCode: 'HEALTH',
        }),
        '440000:HEA-01',
      ),
    ]);
    await expect
      .poll(() => h.eventsOf(cycleId, 'bps.approval.cycle.refiling.overdue').map((e) => e.data.provinceCode), { timeout: 20_000 })
      .toEqual(['110000']);
    await expect
      .poll(async () => (await cycleOf(cycleId)).refiling.map((r) => [r.provinceCode, r.refiled, r.overdue]), { timeout: 10_000 })
      .toEqual([
        ['110000', false, true],
        ['440000', true, false],
      ]);

    expect(await refusal(call(cycles.closeCycle, { cycleId }, 'ndrc-approver'))).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    expect((await call(cycles.closeCycle, { cycleId }, 'final-approver')).cycle!.phase).toBe('refiling');
    expect(await cycle.result()).toEqual({ phase: 'closed', released: [A.proposalId, C.proposalId] });
    // A closed cycle still answers (its history replays deterministically on the worker).
    expect((await cycleOf(cycleId)).phase).toBe('closed');
    await expect
      .poll(() => h.eventsOf(cycleId, 'bps.approval.cycle.phase.changed').map((e) => e.data.phase), { timeout: 20_000 })
      .toEqual(['evaluation', 'proposals', 'consolidation', 'released', 'refiling', 'closed']);
    expect(h.eventsOf(cycleId, 'bps.approval.cycle.phase.changed')[0]!.data.actor.subject).toBe('ndrc.approver.chen');
    expect(
      h.eventsOf(cycleId, 'bps.approval.cycle.window.closed').map((e) => [e.data.fieldCode, e.data.closedEarlyBy ?? '', e.data.proposalIds.length]),
    ).toEqual([
      ['EDU', 'moe.staff.wang', 1],
      ['HEALTH', '', 2],
    ]);
    // Every human step of the cycle is on record, with who did it.
    await expect
      .poll(() => h.eventsOf(cycleId, 'bps.approval.cycle.action.recorded').map((e) => `${e.data.action} ${e.data.actor.subject}`), { timeout: 20_000 })
      .toEqual([
        'evaluation.filed nhc.staff.li',
        'evaluation.filed moe.staff.wang',
        'proposal.entered nhc.staff.li',
        'proposal.entered nhc.staff.li',
        'proposal.entered moe.staff.wang',
        'window.closed_early moe.staff.wang',
        'conflict.resolved sco.final.zhou',
        'proposal.trimmed ndrc.approver.chen',
        'package.approved sco.final.zhou',
        'revisions.sent_to_rebase system:approvals',
        'refiling.required system:approvals',
        'refiling.required system:approvals',
        'refiling.completed system:approvals',
        'cycle.closed sco.final.zhou',
      ]);

    // Recorded once for the replay test (BPS_RECORD_FIXTURES=1), payloads opened so it replays on any stack; committed.
    if (process.env['BPS_RECORD_FIXTURES'] === '1') {
      writeFileSync(
        fileURLToPath(new URL('../fixtures/approvals-cycle-v3-history.json', import.meta.url)),
        JSON.stringify(await openedHistory(await cycle.fetchHistory()), null, 1),
      );
    }
  });
});
