// unifiedRevisionCycle: the 5-year revision (集中统一调整). Evaluation by each field's lead ministry, a proposal
// window per field (each proposal approved by its own adHocRevision child, not published alone), consolidation
// (conflicts on the same item resolved; fiscal cost by level of government within the ceiling), joint approval,
// one edition with one effective date, then tracking of provincial re-filing.
import {
  allHandlersFinished, ApplicationFailure, condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler, sleep, startChild, workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type * as activities from '../services/approvals/activities';
import {
  approvePackageUpdate, closeCycleUpdate, cycleStateQuery, fileEvaluationUpdate, floorBreachedSignal, provinceRefiledSignal, resolveConflictUpdate, submitCycleProposalUpdate, trimProposalUpdate,
  type ActorRef, type ApprovalResult, type ApprovePackageArgs, type CycleInput, type CyclePackageEntry, type CyclePhase, type CycleView, type FileEvaluationArgs, type FloorBreachedSignal,
  type ProposalApprovalInput, type ProvinceRefiledSignal, type ResolveConflictArgs, type SubmitCycleProposalArgs, type TrimProposalArgs,
} from './contracts';
import { conflictsOf, exceedsCeiling, included, totalsOf } from './cycle/consolidation';
import { adHocRevision } from './ad-hoc-revision';

type Activities = ReturnType<typeof activities.createActivities>;
const { recordCyclePhase, releaseCycleEdition, warnRefilingOverdue } = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['NOT_FOUND', 'VALIDATION_FAILED', 'FAILED_PRECONDITION'] },
});

export const fileEvaluation = defineUpdate<CycleView, [FileEvaluationArgs]>(fileEvaluationUpdate);
export const submitCycleProposal = defineUpdate<CycleView, [SubmitCycleProposalArgs]>(submitCycleProposalUpdate);
export const resolveConflict = defineUpdate<CycleView, [ResolveConflictArgs]>(resolveConflictUpdate);
export const trimProposal = defineUpdate<CycleView, [TrimProposalArgs]>(trimProposalUpdate);
export const approvePackage = defineUpdate<CycleView, [ApprovePackageArgs]>(approvePackageUpdate);
export const closeCycle = defineUpdate<CycleView, [{ actor: ActorRef }]>(closeCycleUpdate);
export const floorBreached = defineSignal<[FloorBreachedSignal]>(floorBreachedSignal);
export const provinceRefiled = defineSignal<[ProvinceRefiledSignal]>(provinceRefiledSignal);
export const cycleState = defineQuery<CycleView>(cycleStateQuery);

const refuse = (code: 'PERMISSION_DENIED' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT', reason: string, message: string): never => {
  throw ApplicationFailure.create({ type: code, message, details: [reason], nonRetryable: true });
};
const isFinalApprover = (a: ActorRef): boolean => a.organisation === 'SCO' && a.roles.includes('final-approver');

type Refiling = { provinceCode: string; itemCode: string; deadline: number; refiled: boolean; overdue: boolean };

export async function unifiedRevisionCycle(input: CycleInput): Promise<{ phase: CyclePhase; released: readonly string[] }> {
  const { workflowId } = workflowInfo();
  let phase: CyclePhase = 'evaluation';
  let windowClosesAt: number | undefined = undefined;
  const evaluations: Record<string, { by: string; summary: string }> = {};
  const entries: CyclePackageEntry[] = [];
  const proposals = new Map<string, ProposalApprovalInput>();
  const children: Promise<void>[] = [];
  const refiling: Refiling[] = [];
  let approvedBy: ActorRef | undefined;
  let closed = false;

  const leadOf = (fieldCode: string): string | undefined => input.fields.find((f) => f.fieldCode === fieldCode)?.leadMinistry;
  const view = (): CycleView => ({
    cycleId: input.cycleId, phase, evaluations: { ...evaluations }, ...(windowClosesAt !== undefined ? { windowClosesAt } : {}), package: entries.map((e) => ({ ...e })),
    conflicts: conflictsOf(entries), totals: totalsOf(entries), ceilingExceeded: exceedsCeiling(entries, input.fiscalCeiling), refiling: refiling.map((r) => ({ ...r })),
  });
  const setEntry = (proposalId: string, patch: Partial<CyclePackageEntry>): void => {
    const i = entries.findIndex((e) => e.proposalId === proposalId);
    if (i >= 0) entries[i] = { ...entries[i]!, ...patch };
  };
  const movePhase = async (next: CyclePhase, note: string, actor?: ActorRef): Promise<void> => {
    phase = next;
    await recordCyclePhase({ cycleId: input.cycleId, workflowId, phase: next, note, actor: actor ?? { subject: 'system:approvals', organisation: 'BPS', roles: [] }, at: Date.now() });
  };

  setHandler(cycleState, view);
  setHandler(fileEvaluation, (a) => {
    evaluations[a.fieldCode] = { by: a.actor.subject, summary: a.summary };
    return view();
  }, {
    validator: (a) => {
      if (phase !== 'evaluation') refuse('FAILED_PRECONDITION', 'NOT_IN_EVALUATION', `the cycle is in phase ${phase}`);
      const lead = leadOf(a.fieldCode);
      if (!lead) refuse('INVALID_ARGUMENT', 'UNKNOWN_FIELD', `field ${a.fieldCode} is not part of cycle ${input.cycleId}`);
      if (a.actor.organisation !== lead) refuse('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `the evaluation of ${a.fieldCode} is filed by ${lead}`);
      if (a.summary.trim() === '') refuse('INVALID_ARGUMENT', 'SUMMARY_REQUIRED', 'an evaluation needs a summary');
    },
  });
  setHandler(submitCycleProposal, async (a) => {
    const proposal: ProposalApprovalInput = { ...a.proposal, kind: 'UNIFIED', cycleId: input.cycleId };
    proposals.set(proposal.proposalId, proposal);
    entries.push({ proposalId: proposal.proposalId, proposalRevision: proposal.proposalRevision, fieldCode: proposal.fieldCodes[0] ?? '', itemCodes: [...proposal.itemCodes], fiscalTotals: proposal.fiscalTotals, status: 'in_approval' });
    const child: ChildWorkflowHandle<typeof adHocRevision> = await startChild(adHocRevision, { workflowId: proposal.proposalId, args: [proposal] });
    children.push(child.result().then(
      (r: ApprovalResult) => setEntry(proposal.proposalId, { status: r.status === 'approved' ? 'approved' : 'not_approved', note: r.status }),
      () => setEntry(proposal.proposalId, { status: 'not_approved', note: 'approval failed' }),
    ));
    return view();
  }, {
    validator: (a) => {
      if (phase !== 'proposals') refuse('FAILED_PRECONDITION', 'WINDOW_CLOSED', `the proposal window is not open (phase ${phase})`);
      const field = a.proposal.fieldCodes[0] ?? '';
      const lead = leadOf(field);
      if (!lead) refuse('INVALID_ARGUMENT', 'UNKNOWN_FIELD', `field ${field} is not part of cycle ${input.cycleId}`);
      if (a.actor.organisation !== lead) refuse('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `proposals for ${field} come from ${lead}`);
      if (proposals.has(a.proposal.proposalId)) refuse('FAILED_PRECONDITION', 'ALREADY_SUBMITTED', `proposal ${a.proposal.proposalId} is already in the cycle`);
    },
  });
  setHandler(resolveConflict, (a) => {
    for (const e of included(entries)) {
      if (e.itemCodes.includes(a.itemCode) && e.proposalId !== a.keepProposalId) setEntry(e.proposalId, { status: 'dropped', note: `conflict on ${a.itemCode} resolved for ${a.keepProposalId}: ${a.reason}` });
    }
    return view();
  }, {
    validator: (a) => {
      if (phase !== 'consolidation') refuse('FAILED_PRECONDITION', 'NOT_IN_CONSOLIDATION', `the cycle is in phase ${phase}`);
      if (!isFinalApprover(a.actor)) refuse('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'conflicts are resolved by the final approver');
      const conflict = conflictsOf(entries).find((c) => c.itemCode === a.itemCode);
      if (!conflict || !conflict.proposalIds.includes(a.keepProposalId)) refuse('FAILED_PRECONDITION', 'NO_SUCH_CONFLICT', `no conflict on ${a.itemCode} involving ${a.keepProposalId}`);
      if (a.reason.trim() === '') refuse('INVALID_ARGUMENT', 'COMMENT_REQUIRED', 'resolving a conflict needs a reason');
    },
  });
  setHandler(trimProposal, (a) => {
    const p = proposals.get(a.proposalId)!;
    proposals.set(a.proposalId, { ...p, fiscalTotals: a.fiscalTotals, changeSet: a.changeSet });
    setEntry(a.proposalId, { fiscalTotals: a.fiscalTotals, note: 'trimmed' });
    return view();
  }, {
    validator: (a) => {
      if (phase !== 'consolidation') refuse('FAILED_PRECONDITION', 'NOT_IN_CONSOLIDATION', `the cycle is in phase ${phase}`);
      const entry = entries.find((e) => e.proposalId === a.proposalId && e.status === 'approved');
      if (!entry) refuse('FAILED_PRECONDITION', 'NOT_IN_PACKAGE', `proposal ${a.proposalId} is not in the package`);
      if (a.actor.organisation !== leadOf(entry!.fieldCode)) refuse('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', 'only the lead ministry trims its proposal');
      if (BigInt(a.fiscalTotals.centralFen) > BigInt(entry!.fiscalTotals.centralFen) || BigInt(a.fiscalTotals.localFen) > BigInt(entry!.fiscalTotals.localFen)) {
        refuse('INVALID_ARGUMENT', 'NOT_A_TRIM', 'a trim may not raise the fiscal cost');
      }
    },
  });
  setHandler(approvePackage, (a) => {
    approvedBy = a.actor;
    return view();
  }, {
    validator: (a) => {
      if (phase !== 'consolidation') refuse('FAILED_PRECONDITION', 'NOT_IN_CONSOLIDATION', `the cycle is in phase ${phase}`);
      if (!isFinalApprover(a.actor)) refuse('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'the package is approved by the final approver');
      if (conflictsOf(entries).length > 0) refuse('FAILED_PRECONDITION', 'CONFLICTS_UNRESOLVED', `unresolved conflicts on ${conflictsOf(entries).map((c) => c.itemCode).join(', ')}`);
      if (exceedsCeiling(entries, input.fiscalCeiling)) {
        const t = totalsOf(entries);
        refuse('FAILED_PRECONDITION', 'FISCAL_CEILING_EXCEEDED', `package costs central ${t.centralFen} / local ${t.localFen} fen, ceiling ${input.fiscalCeiling.centralFen} / ${input.fiscalCeiling.localFen}`);
      }
      if (included(entries).length === 0) refuse('FAILED_PRECONDITION', 'EMPTY_PACKAGE', 'no approved proposal to release');
    },
  });
  setHandler(floorBreached, (s) => {
    if (!refiling.some((r) => r.provinceCode === s.provinceCode && r.itemCode === s.itemCode)) refiling.push({ ...s, deadline: s.refileDeadline, refiled: false, overdue: false });
  });
  setHandler(provinceRefiled, (s) => {
    const r = refiling.find((x) => x.provinceCode === s.provinceCode && x.itemCode === s.itemCode);
    if (r) r.refiled = true;
  });
  setHandler(closeCycle, () => {
    closed = true;
    return view();
  }, {
    validator: (a) => {
      if (phase !== 'refiling') refuse('FAILED_PRECONDITION', 'NOT_RELEASED', `the cycle is in phase ${phase}`);
      if (!isFinalApprover(a.actor)) refuse('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'the cycle is closed by the final approver');
    },
  });

  // Evaluation: every field files, or the phase's deadline passes.
  await movePhase('evaluation', `plan period ${input.planPeriod}`);
  const allFiled = await condition(() => input.fields.every((f) => evaluations[f.fieldCode]), input.evaluationSeconds * 1000);
  windowClosesAt = Date.now() + input.proposalWindowSeconds * 1000;
  await movePhase('proposals', allFiled ? 'all fields filed their evaluation' : 'evaluation deadline passed');

  // Proposal window, then wait for every proposal's own approval to end.
  await sleep(Math.max(1, windowClosesAt - Date.now()));
  await movePhase('consolidation', 'proposal window closed');
  await Promise.all(children);

  // Joint approval blocks (in its validator) until conflicts are resolved and the ceiling is met.
  await condition(() => approvedBy !== undefined);
  const released = included(entries).map((e) => e.proposalId);
  await releaseCycleEdition({
    cycleId: input.cycleId, workflowId, title: input.title, effectiveFrom: input.effectiveFrom, approvedBy: approvedBy!, approvedAt: Date.now(),
    proposals: included(entries).map((e) => {
      const p = proposals.get(e.proposalId)!;
      return { proposalId: p.proposalId, proposalRevision: p.proposalRevision, fieldCodes: [...p.fieldCodes], changeSet: p.changeSet };
    }),
  });
  await movePhase('released', `edition released with ${released.length} proposals`, approvedBy);

  // Provincial re-filing: each breach has a deadline; overdue provinces produce a warning (once).
  await movePhase('refiling', 'tracking provincial re-filing');
  while (!closed) {
    const open = refiling.filter((r) => !r.refiled && !r.overdue);
    const next = open.length > 0 ? Math.min(...open.map((r) => r.deadline)) : undefined;
    const count = refiling.length;
    const changed = (): boolean => closed || refiling.length !== count || open.some((r) => r.refiled);
    if (next === undefined) {
      await condition(changed);
      continue;
    }
    if (await condition(changed, Math.max(1, next - Date.now()))) continue;
    for (const r of refiling.filter((x) => !x.refiled && !x.overdue && x.deadline <= Date.now())) {
      r.overdue = true;
      await warnRefilingOverdue({ cycleId: input.cycleId, workflowId, provinceCode: r.provinceCode, itemCode: r.itemCode, deadline: r.deadline });
    }
  }
  await movePhase('closed', 'closed by the final approver');
  await condition(allHandlersFinished);
  return { phase, released };
}
