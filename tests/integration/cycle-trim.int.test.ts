// Trimming a proposal in a unified revision cycle's consolidation (issue #14): only the consolidation approvers (NDRC
// approver, final approver) trim; a trim lowers money only (never raises it, never swaps the change set the
// proposal's approvals were given to); a reason is required; the package entry and the audit trail record who
// lowered what and why; every refusal is on record (bps.approval.action.refused) and audited.
// Real Temporal, Kafka and Mongo: the approvals service and the audit service in-process on one topic namespace.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevisionCyclesClient, type Cycle, type TrimProposalRequest } from '../../proto/gen/bps/approvals/v1/cycles';
import { ChangeSet } from '../../proto/gen/bps/standards/v1/changes';
import { type RunningAudit } from '../../services/audit/app';
import { eventData } from '../../services/audit/domain/entry';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import { signOffUpdate, submitCycleProposalUpdate } from '../../workflows/contracts';
import { refusal } from '../support/grpc';
import { uniqueName } from '../support/names';
import { nhcLedSignOffs, openCycleRequest } from '../support/cycles';
import { actorOf, proposalInput, startHarness, type Harness } from './approvals-harness';

let h: Harness<'audit'>;
let audit: RunningAudit;
let cycles: RevisionCyclesClient;
beforeAll(async () => {
  h = await startHarness({ with: ['audit'] });
  audit = h.platform.audit;
  cycles = new RevisionCyclesClient(`127.0.0.1:${h.app.grpcPort}`, grpc.credentials.createInsecure());
}, 120_000);
afterAll(async () => {
  cycles?.close();
  await h?.close();
});

const call = async <Req, Res>(
  method: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r: Res) => void) => grpc.ClientUnaryCall,
  req: Req,
  who: PersonaName,
): Promise<Res> => unary(method.bind(cycles), req, await h.token(who));
const cycleOf = async (cycleId: string): Promise<Cycle> => (await call(cycles.getCycle, { cycleId }, 'auditor')).cycle!;
/** The audit entries of one log, as (type, data). */
const audited = async (log: string) => (await audit.store.entriesOf(log)).map((e) => ({ type: e.event.type, data: eventData(e.event) as any }));

describe('trimming a proposal in consolidation', () => {
  it("is the consolidation approvers', money only, with a reason; refusals and the trim are recorded and audited", async () => {
    const cycleId = uniqueName('C');
    await call(cycles.openCycle, openCycleRequest(cycleId, { fiscalCeiling: { centralFen: '400', localFen: '1000' } }), 'ndrc-approver');
    await call(cycles.fileEvaluation, { cycleId, fieldCode: 'HEALTH', summary: '经费标准需调整', citedEvaluationIds: [] }, 'nhc-staff');
    await expect.poll(async () => (await cycleOf(cycleId)).phase, { timeout: 20_000 }).toBe('proposals');

    const nhcStaff = actorOf(personas['nhc-staff']);
    const P = proposalInput({
      proposalId: `${cycleId}-A`,
      kind: 'UNIFIED',
      cycleId,
      proposer: nhcStaff,
      fieldCodes: ['HEALTH'],
      itemCodes: ['HEA-01'],
      fiscalTotals: { totalFen: '800', centralFen: '500', localFen: '300' },
    });
    await h.temporal.client.workflow.getHandle(cycleId).executeUpdate(submitCycleProposalUpdate, { args: [{ actor: nhcStaff, proposal: P }] });
    await call(cycles.closeProposalWindow, { cycleId, fieldCode: 'HEALTH' }, 'nhc-staff');
    const child = h.temporal.client.workflow.getHandle(P.proposalId);
    for (const [who, stepId] of nhcLedSignOffs) {
      await expect
        .poll(
          () =>
            child.executeUpdate(signOffUpdate, { args: [{ actor: actorOf(personas[who]), stepId, position: 'APPROVE', comment: '' }] }).then(
              () => true,
              () => false,
            ),
          { timeout: 20_000, interval: 200 },
        )
        .toBe(true);
    }
    await expect
      .poll(async () => (await cycleOf(cycleId)).package.map((e) => [e.status, e.fiscalTotals?.centralFen]), { timeout: 30_000 })
      .toEqual([['approved', '500']]);
    expect((await cycleOf(cycleId)).ceilingExceeded).toBe(true);

    const trim: TrimProposalRequest = {
      cycleId,
      proposalId: P.proposalId,
      fiscalTotals: { totalFen: '700', centralFen: '400', localFen: '300' },
      changeSet: undefined,
      reason: '压减至中央财政承受能力上限',
    };
    // Ministry staff (even of the lead ministry) and the lead ministry's approver do not trim.
    for (const who of ['nhc-staff', 'moe-staff', 'nhc-approver', 'mof-approver'] as const) {
      expect(await refusal(call(cycles.trimProposal, trim, who)), who).toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        reason: 'NOT_CONSOLIDATION_APPROVER',
      });
    }
    // Money only: never raised (central, local or total), total = central + local, and a reason is given.
    expect(
      await refusal(call(cycles.trimProposal, { ...trim, fiscalTotals: { totalFen: '900', centralFen: '400', localFen: '500' } }, 'ndrc-approver')),
    ).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'fiscal_totals', reason: 'NOT_A_TRIM' })] });
    expect(
      await refusal(call(cycles.trimProposal, { ...trim, fiscalTotals: { totalFen: '800', centralFen: '600', localFen: '200' } }, 'ndrc-approver')),
    ).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'fiscal_totals', reason: 'NOT_A_TRIM' })] });
    expect(
      await refusal(call(cycles.trimProposal, { ...trim, fiscalTotals: { totalFen: '100', centralFen: '400', localFen: '300' } }, 'final-approver')),
    ).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'fiscal_totals', reason: 'TOTAL_MISMATCH' })] });
    expect(await refusal(call(cycles.trimProposal, { ...trim, reason: ' ' }, 'ndrc-approver'))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      fieldViolations: [expect.objectContaining({ field: 'reason' })],
    });
    // Never the change set: another one (lowering another item, retiring one) is refused; the one held is "unchanged".
    const swapped = ChangeSet.fromJSON({
      ...(P.changeSet as object),
      changes: [{ changeId: 'c1', retireItem: { base: { itemCode: 'EDU-05', version: 1 }, reason: '撤销' } }],
    });
    expect(await refusal(call(cycles.trimProposal, { ...trim, changeSet: swapped }, 'ndrc-approver'))).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      preconditionViolations: [expect.objectContaining({ type: 'CHANGE_SET_FIXED' })],
    });
    expect((await cycleOf(cycleId)).package[0]).toMatchObject({
      itemCodes: ['HEA-01'],
      fiscalTotals: { centralFen: '500', localFen: '300', totalFen: '800' },
      trims: [],
    });

    // The NDRC approver's trim (with the change set held, unchanged) is recorded on the entry: who, when, why, before/after.
    const trimmed = (await call(cycles.trimProposal, { ...trim, changeSet: ChangeSet.fromJSON(P.changeSet) }, 'ndrc-approver')).cycle!;
    expect(trimmed.ceilingExceeded).toBe(false);
    expect(trimmed.package[0]).toMatchObject({
      fiscalTotals: { totalFen: '700', centralFen: '400', localFen: '300' },
      trims: [
        {
          actor: { subject: 'ndrc.approver.chen', organisation: 'NDRC' },
          reason: '压减至中央财政承受能力上限',
          before: { totalFen: '800', centralFen: '500', localFen: '300' },
          after: { totalFen: '700', centralFen: '400', localFen: '300' },
        },
      ],
    });
    // The edition carries the change set the approvals were given to.
    await call(cycles.approvePackage, { cycleId, comment: '同意' }, 'final-approver');
    await expect.poll(() => h.eventsOf(cycleId, 'bps.approval.changeset.approved').length, { timeout: 20_000 }).toBe(1);
    expect(h.eventsOf(cycleId, 'bps.approval.changeset.approved')[0]!.data.changeSet.changes.map((c: any) => [c.changeId, c.retireItem.base.itemCode])).toEqual(
      [[`${P.proposalId}/c1`, 'HEA-01']],
    );

    // On record: the trim with its amounts and reason, and every refusal (who, what, why).
    await expect
      .poll(
        () =>
          h
            .eventsOf(cycleId, 'bps.approval.cycle.action.recorded')
            .filter((e) => e.data.action === 'proposal.trimmed')
            .map((e) => e.data),
        { timeout: 20_000 },
      )
      .toEqual([
        expect.objectContaining({
          proposalId: P.proposalId,
          actor: expect.objectContaining({ subject: 'ndrc.approver.chen' }),
          comment: expect.stringContaining('压减至中央财政承受能力上限'),
          fiscalBefore: { totalFen: '800', centralFen: '500', localFen: '300' },
          fiscalAfter: { totalFen: '700', centralFen: '400', localFen: '300' },
        }),
      ]);
    await expect
      .poll(() => h.eventsOf(P.proposalId, 'bps.approval.action.refused').map((e) => [e.data.action, e.data.reason, e.data.actor.subject, e.data.detail]), {
        timeout: 20_000,
      })
      .toEqual([
        ['trim', 'NOT_CONSOLIDATION_APPROVER', 'nhc.staff.li', cycleId],
        ['trim', 'NOT_CONSOLIDATION_APPROVER', 'moe.staff.wang', cycleId],
        ['trim', 'NOT_CONSOLIDATION_APPROVER', 'nhc.approver.zhao', cycleId],
        ['trim', 'NOT_CONSOLIDATION_APPROVER', 'mof.approver.sun', cycleId],
        ['trim', 'NOT_A_TRIM', 'ndrc.approver.chen', cycleId],
        ['trim', 'NOT_A_TRIM', 'ndrc.approver.chen', cycleId],
        ['trim', 'TOTAL_MISMATCH', 'sco.final.zhou', cycleId],
        ['trim', 'INVALID_TRIM', 'ndrc.approver.chen', cycleId],
        ['trim', 'CHANGE_SET_FIXED', 'ndrc.approver.chen', cycleId],
      ]);
    // Audited: the trim in the approver's log and the cycle's, a refusal in the refused person's log.
    await expect
      .poll(
        async () =>
          (await audited('actor:ndrc.approver.chen'))
            .filter((e) => e.data.action === 'proposal.trimmed')
            .map((e) => [e.type, e.data.cycleId, e.data.fiscalAfter?.centralFen]),
        { timeout: 30_000 },
      )
      .toEqual([['bps.approval.cycle.action.recorded', cycleId, '400']]);
    expect((await audited(`cycle:${cycleId}`)).some((e) => e.data.action === 'proposal.trimmed' && e.data.actor.subject === 'ndrc.approver.chen')).toBe(true);
    await expect
      .poll(
        async () =>
          (await audited('actor:nhc.staff.li'))
            .filter((e) => e.type === 'bps.approval.action.refused')
            .map((e) => [e.data.action, e.data.reason, e.data.proposalId]),
        { timeout: 30_000 },
      )
      .toEqual([['trim', 'NOT_CONSOLIDATION_APPROVER', P.proposalId]]);
  });
});
