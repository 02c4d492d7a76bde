// unifiedRevisionCycle: the 5-year revision (集中统一调整). Evaluation by each field's lead ministry, a proposal
// window per field (each proposal approved by its own adHocRevision child, not published alone), consolidation
// (conflicts on the same item resolved; fiscal cost by level of government within the ceiling), joint approval,
// one edition with one effective date, then tracking of provincial re-filing.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type * as activities from '../services/approvals/activities';
import {
  approvePackageUpdate,
  closeCycleUpdate,
  closeProposalWindowUpdate,
  cycleStateQuery,
  fileEvaluationUpdate,
  floorBreachedSignal,
  maxCitedEvaluations,
  provinceRefiledSignal,
  resolveConflictUpdate,
  submitCycleProposalUpdate,
  trimProposalUpdate,
  type ActorRef,
  type ApprovalResult,
  type ApprovePackageArgs,
  type CloseProposalWindowArgs,
  type CycleCitedEvaluation,
  type CycleEvaluation,
  type CycleInput,
  type CyclePackageEntry,
  type CyclePhase,
  type CycleView,
  type FiscalTotals,
  type FileEvaluationArgs,
  type FloorBreachedSignal,
  type ProposalApprovalInput,
  type ProposalWindow,
  type ProvinceRefiledSignal,
  type ResolveConflictArgs,
  type SubmitCycleProposalArgs,
  type TrimProposalArgs,
} from './contracts';
import { conflictsOf, exceedsCeiling, included, totalsOf } from './cycle/consolidation';
import { trimRefusal, trimSummary } from './cycle/trim';
import { adHocRevision } from './ad-hoc-revision';
import { acceptSignal, requireSealed } from './sealed';

type Activities = ReturnType<typeof activities.createActivities>;
const { recordCycleAction, recordCyclePhase, recordProposalWindowClosed, releaseCycleEdition, sendRunningRevisionsToRebase, warnRefilingOverdue } =
  proxyActivities<Activities>({
    startToCloseTimeout: '15 seconds',
    retry: {
      initialInterval: '500 milliseconds',
      maximumInterval: '10 seconds',
      nonRetryableErrorTypes: ['NOT_FOUND', 'VALIDATION_FAILED', 'FAILED_PRECONDITION'],
    },
  });

export const fileEvaluation = defineUpdate<CycleView, [FileEvaluationArgs]>(fileEvaluationUpdate);
export const submitCycleProposal = defineUpdate<CycleView, [SubmitCycleProposalArgs]>(submitCycleProposalUpdate);
export const closeProposalWindow = defineUpdate<CycleView, [CloseProposalWindowArgs]>(closeProposalWindowUpdate);
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
  // Started by a client without the platform's key: fail at once.
  requireSealed(input, 'the cycle input');
  const { workflowId, startTime } = workflowInfo();
  let phase: CyclePhase = 'evaluation';
  let windowClosesAt: number | undefined = undefined;
  const evaluations: Record<string, CycleEvaluation> = {};
  const entries: CyclePackageEntry[] = [];
  const proposals = new Map<string, ProposalApprovalInput>();
  const children: Promise<void>[] = [];
  const refiling: Refiling[] = [];
  let approvedBy: ActorRef | undefined;
  let closed = false;
  let windows: ProposalWindow[] = [];
  let rebaseRequired: string[] = [];
  let refilingChanges = 0;
  // Histories recorded before per-field windows had one window for the whole cycle.
  const perFieldWindows = patched('per-field-proposal-windows');
  // ... and recorded only phase changes, not who filed, resolved, trimmed or approved what.
  const actionsRecorded = patched('cycle-actions-recorded');
  let actionSeq = 0;
  // Undefined when not recorded: handlers then stay synchronous, as in the histories recorded before.
  const recordAction = (
    action: string,
    actor: ActorRef,
    on: {
      fieldCode?: string;
      proposalId?: string;
      itemCode?: string;
      provinceCode?: string;
      comment?: string;
      proposalIds?: readonly string[];
      fiscalBefore?: FiscalTotals;
      fiscalAfter?: FiscalTotals;
      citedEvaluations?: readonly CycleCitedEvaluation[];
    } = {},
  ): Promise<void> | undefined => {
    if (!actionsRecorded) return undefined;
    return recordCycleAction({ cycleId: input.cycleId, workflowId, seq: ++actionSeq, action, actor, at: Date.now(), ...on });
  };
  const afterRecording = <T>(recording: Promise<void> | undefined, then: () => T): T | Promise<T> => (recording ? recording.then(then) : then());
  const platform: ActorRef = { subject: 'system:approvals', organisation: 'BPS', roles: [] };

  const leadOf = (fieldCode: string): string | undefined => input.fields.find((f) => f.fieldCode === fieldCode)?.leadMinistry;
  const windowOf = (fieldCode: string): ProposalWindow | undefined => windows.find((w) => w.fieldCode === fieldCode);
  const view = (): CycleView => ({
    cycleId: input.cycleId,
    planPeriod: input.planPeriod,
    title: input.title,
    effectiveFrom: input.effectiveFrom,
    fiscalCeiling: input.fiscalCeiling,
    fields: input.fields,
    openedAt: startTime.getTime(),
    phase,
    evaluations: { ...evaluations },
    ...(windowClosesAt !== undefined ? { windowClosesAt } : {}),
    windows: windows.map((w) => ({ ...w })),
    rebaseRequired: [...rebaseRequired],
    package: entries.map((e) => ({ ...e })),
    conflicts: conflictsOf(entries),
    totals: totalsOf(entries),
    ceilingExceeded: exceedsCeiling(entries, input.fiscalCeiling),
    refiling: refiling.map((r) => ({ ...r })),
  });
  const setEntry = (proposalId: string, patch: Partial<CyclePackageEntry>): void => {
    const i = entries.findIndex((e) => e.proposalId === proposalId);
    if (i >= 0) entries[i] = { ...entries[i]!, ...patch };
  };
  const movePhase = async (next: CyclePhase, note: string, actor?: ActorRef): Promise<void> => {
    phase = next;
    await recordCyclePhase({
      cycleId: input.cycleId,
      workflowId,
      phase: next,
      note,
      actor: actor ?? { subject: 'system:approvals', organisation: 'BPS', roles: [] },
      at: Date.now(),
    });
  };

  setHandler(cycleState, view);
  setHandler(
    fileEvaluation,
    (a) => {
      // Citations are only ever in updates sent since they existed: without them, state and activity input are as before.
      const cited = a.citedEvaluations && a.citedEvaluations.length > 0 ? { citedEvaluations: a.citedEvaluations.map((c) => ({ ...c })) } : {};
      evaluations[a.fieldCode] = { by: a.actor.subject, summary: a.summary, ...cited };
      return afterRecording(recordAction('evaluation.filed', a.actor, { fieldCode: a.fieldCode, comment: a.summary, ...cited }), view);
    },
    {
      validator: (a) => {
        requireSealed(a, 'the fileEvaluation update');
        if (phase !== 'evaluation') refuse('FAILED_PRECONDITION', 'NOT_IN_EVALUATION', `the cycle is in phase ${phase}`);
        const lead = leadOf(a.fieldCode);
        if (!lead) refuse('INVALID_ARGUMENT', 'UNKNOWN_FIELD', `field ${a.fieldCode} is not part of cycle ${input.cycleId}`);
        if (a.actor.organisation !== lead) refuse('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `the evaluation of ${a.fieldCode} is filed by ${lead}`);
        if (a.summary.trim() === '') refuse('INVALID_ARGUMENT', 'SUMMARY_REQUIRED', 'an evaluation needs a summary');
        // The approvals service resolved the citations from its projection of bps.programme.v1; the cycle holds the rules.
        const cited: readonly CycleCitedEvaluation[] = a.citedEvaluations ?? [];
        if (cited.length > maxCitedEvaluations)
          refuse('INVALID_ARGUMENT', 'TOO_MANY_CITATIONS', `an evaluation cites at most ${maxCitedEvaluations} implementation evaluations`);
        if (new Set(cited.map((c) => c.evaluationId)).size !== cited.length) refuse('INVALID_ARGUMENT', 'DUPLICATE_CITATION', 'an evaluation is cited once');
        const foreign = cited.find((c) => c.fieldCode !== a.fieldCode);
        if (foreign)
          refuse(
            'FAILED_PRECONDITION',
            'EVALUATION_OF_ANOTHER_FIELD',
            `evaluation ${foreign.evaluationId} is of field ${foreign.fieldCode}, not of ${a.fieldCode}`,
          );
      },
    },
  );
  setHandler(
    submitCycleProposal,
    async (a) => {
      const proposal: ProposalApprovalInput = { ...a.proposal, kind: 'UNIFIED', cycleId: input.cycleId };
      proposals.set(proposal.proposalId, proposal);
      entries.push({
        proposalId: proposal.proposalId,
        proposalRevision: proposal.proposalRevision,
        fieldCode: proposal.fieldCodes[0] ?? '',
        itemCodes: [...proposal.itemCodes],
        fiscalTotals: proposal.fiscalTotals,
        status: 'in_approval',
      });
      const child: ChildWorkflowHandle<typeof adHocRevision> = await startChild(adHocRevision, { workflowId: proposal.proposalId, args: [proposal] });
      children.push(
        child.result().then(
          (r: ApprovalResult) => setEntry(proposal.proposalId, { status: r.status === 'approved' ? 'approved' : 'not_approved', note: r.status }),
          () => setEntry(proposal.proposalId, { status: 'not_approved', note: 'approval failed' }),
        ),
      );
      const recording = recordAction('proposal.entered', a.actor, { fieldCode: proposal.fieldCodes[0] ?? '', proposalId: proposal.proposalId });
      if (recording) await recording;
      return view();
    },
    {
      validator: (a) => {
        requireSealed(a, 'the submitCycleProposal update');
        if (phase !== 'proposals') refuse('FAILED_PRECONDITION', 'WINDOW_CLOSED', `the proposal window is not open (phase ${phase})`);
        const field = a.proposal.fieldCodes[0] ?? '';
        const lead = leadOf(field);
        if (!lead) refuse('INVALID_ARGUMENT', 'UNKNOWN_FIELD', `field ${field} is not part of cycle ${input.cycleId}`);
        if (windowOf(field)?.closed) refuse('FAILED_PRECONDITION', 'WINDOW_CLOSED', `the proposal window of ${field} closed`);
        if (a.actor.organisation !== lead) refuse('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `proposals for ${field} come from ${lead}`);
        if (proposals.has(a.proposal.proposalId))
          refuse('FAILED_PRECONDITION', 'ALREADY_SUBMITTED', `proposal ${a.proposal.proposalId} is already in the cycle`);
      },
    },
  );
  setHandler(
    closeProposalWindow,
    (a) => {
      windows = windows.map((w) => (w.fieldCode === a.fieldCode ? { ...w, closesAt: Date.now(), closedEarlyBy: a.actor.subject } : w));
      // Completing this update in the same task as the main loop cancels its window timer replays in another
      // order (a nondeterminism error, found by querying a closed cycle); recording first puts them in separate tasks.
      return afterRecording(recordAction('window.closed_early', a.actor, { fieldCode: a.fieldCode }), view);
    },
    {
      validator: (a) => {
        requireSealed(a, 'the closeProposalWindow update');
        const w = windowOf(a.fieldCode);
        if (phase !== 'proposals' || !w) refuse('FAILED_PRECONDITION', 'WINDOW_CLOSED', `no proposal window is open (phase ${phase})`);
        if (w!.closed || w!.closedEarlyBy) refuse('FAILED_PRECONDITION', 'WINDOW_CLOSED', `the proposal window of ${a.fieldCode} is already closed`);
        if (a.actor.organisation !== w!.leadMinistry)
          refuse('PERMISSION_DENIED', 'NOT_LEAD_MINISTRY', `the window of ${a.fieldCode} is closed by ${w!.leadMinistry}`);
      },
    },
  );
  setHandler(
    resolveConflict,
    (a) => {
      const dropped: string[] = [];
      for (const e of included(entries)) {
        if (e.itemCodes.includes(a.itemCode) && e.proposalId !== a.keepProposalId) {
          setEntry(e.proposalId, { status: 'dropped', note: `conflict on ${a.itemCode} resolved for ${a.keepProposalId}: ${a.reason}` });
          dropped.push(e.proposalId);
        }
      }
      return afterRecording(
        recordAction('conflict.resolved', a.actor, { itemCode: a.itemCode, proposalId: a.keepProposalId, proposalIds: dropped, comment: a.reason }),
        view,
      );
    },
    {
      validator: (a) => {
        requireSealed(a, 'the resolveConflict update');
        if (phase !== 'consolidation') refuse('FAILED_PRECONDITION', 'NOT_IN_CONSOLIDATION', `the cycle is in phase ${phase}`);
        if (!isFinalApprover(a.actor)) refuse('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'conflicts are resolved by the final approver');
        const conflict = conflictsOf(entries).find((c) => c.itemCode === a.itemCode);
        if (!conflict || !conflict.proposalIds.includes(a.keepProposalId))
          refuse('FAILED_PRECONDITION', 'NO_SUCH_CONFLICT', `no conflict on ${a.itemCode} involving ${a.keepProposalId}`);
        if (a.reason.trim() === '') refuse('INVALID_ARGUMENT', 'COMMENT_REQUIRED', 'resolving a conflict needs a reason');
      },
    },
  );
  setHandler(
    trimProposal,
    (a) => {
      const p = proposals.get(a.proposalId)!;
      // Histories recorded before kept a trim's change set and recorded no trim on the entry. Since this patch a trim is
      // money only (the validator refuses another change set) and the entry keeps who lowered what, when and why.
      if (!patched('cycle-trim-money-only')) {
        proposals.set(a.proposalId, { ...p, fiscalTotals: a.fiscalTotals, changeSet: a.changeSet ?? p.changeSet });
        setEntry(a.proposalId, { fiscalTotals: a.fiscalTotals, note: 'trimmed' });
        return afterRecording(
          recordAction('proposal.trimmed', a.actor, {
            proposalId: a.proposalId,
            comment: `central ${p.fiscalTotals.centralFen}→${a.fiscalTotals.centralFen} fen, local ${p.fiscalTotals.localFen}→${a.fiscalTotals.localFen} fen`,
          }),
          view,
        );
      }
      const entry = entries.find((e) => e.proposalId === a.proposalId)!;
      const before = entry.fiscalTotals;
      const after = { totalFen: a.fiscalTotals.totalFen, centralFen: a.fiscalTotals.centralFen, localFen: a.fiscalTotals.localFen };
      const reason = (a.reason ?? '').trim();
      proposals.set(a.proposalId, { ...p, fiscalTotals: after });
      setEntry(a.proposalId, {
        fiscalTotals: after,
        note: `trimmed by ${a.actor.subject}: ${reason}`,
        trims: [...(entry.trims ?? []), { actor: a.actor, at: Date.now(), reason, before, after }],
      });
      return afterRecording(
        recordAction('proposal.trimmed', a.actor, {
          fieldCode: entry.fieldCode,
          proposalId: a.proposalId,
          comment: `${reason} (${trimSummary(before, after)})`,
          fiscalBefore: before,
          fiscalAfter: after,
        }),
        view,
      );
    },
    {
      validator: (a) => {
        requireSealed(a, 'the trimProposal update');
        if (phase !== 'consolidation') refuse('FAILED_PRECONDITION', 'NOT_IN_CONSOLIDATION', `the cycle is in phase ${phase}`);
        const entry = entries.find((e) => e.proposalId === a.proposalId && e.status === 'approved');
        if (!entry) refuse('FAILED_PRECONDITION', 'NOT_IN_PACKAGE', `proposal ${a.proposalId} is not in the package`);
        const refusal = trimRefusal(a.actor, { fiscalTotals: entry!.fiscalTotals, changeSet: proposals.get(a.proposalId)?.changeSet }, a);
        if (refusal) refuse(refusal.code, refusal.reason, refusal.message);
      },
    },
  );
  let approving = false;
  setHandler(
    approvePackage,
    (a) => {
      // Recorded before the release is triggered, so the approval precedes the edition in every log.
      approving = true;
      const approve = (): CycleView => {
        approvedBy = a.actor;
        return view();
      };
      const recording = recordAction('package.approved', a.actor, { proposalIds: included(entries).map((e) => e.proposalId), comment: a.comment });
      return afterRecording(recording, approve);
    },
    {
      validator: (a) => {
        requireSealed(a, 'the approvePackage update');
        if (approving || approvedBy) refuse('FAILED_PRECONDITION', 'ALREADY_APPROVED', 'the package is already approved');
        if (phase !== 'consolidation') refuse('FAILED_PRECONDITION', 'NOT_IN_CONSOLIDATION', `the cycle is in phase ${phase}`);
        if (!isFinalApprover(a.actor)) refuse('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'the package is approved by the final approver');
        if (conflictsOf(entries).length > 0)
          refuse(
            'FAILED_PRECONDITION',
            'CONFLICTS_UNRESOLVED',
            `unresolved conflicts on ${conflictsOf(entries)
              .map((c) => c.itemCode)
              .join(', ')}`,
          );
        if (exceedsCeiling(entries, input.fiscalCeiling)) {
          const t = totalsOf(entries);
          refuse(
            'FAILED_PRECONDITION',
            'FISCAL_CEILING_EXCEEDED',
            `package costs central ${t.centralFen} / local ${t.localFen} fen, ceiling ${input.fiscalCeiling.centralFen} / ${input.fiscalCeiling.localFen}`,
          );
        }
        if (included(entries).length === 0) refuse('FAILED_PRECONDITION', 'EMPTY_PACKAGE', 'no approved proposal to release');
      },
    },
  );
  setHandler(floorBreached, (s) => {
    if (!acceptSignal(s, 'floorBreached')) return; // a raw client's signal changes nothing
    const deadline = input.refilingSeconds !== undefined ? Date.now() + input.refilingSeconds * 1000 : s.refileDeadline;
    const known = refiling.find((r) => r.provinceCode === s.provinceCode && r.itemCode === s.itemCode);
    if (known && !known.refiled) return; // the same breach reported again
    refilingChanges++;
    if (!known) refiling.push({ provinceCode: s.provinceCode, itemCode: s.itemCode, deadline, refiled: false, overdue: false });
    else Object.assign(known, { refiled: false, overdue: false, deadline }); // re-filed, then below the floor again
    return recordAction('refiling.required', platform, {
      provinceCode: s.provinceCode,
      itemCode: s.itemCode,
      comment: `deadline ${new Date(deadline).toISOString()}`,
    });
  });
  setHandler(provinceRefiled, (s) => {
    if (!acceptSignal(s, 'provinceRefiled')) return; // a raw client's signal changes nothing
    const r = refiling.find((x) => x.provinceCode === s.provinceCode && x.itemCode === s.itemCode);
    if (!r || r.refiled) return;
    r.refiled = true;
    refilingChanges++;
    return recordAction('refiling.completed', platform, {
      provinceCode: s.provinceCode,
      itemCode: s.itemCode,
      ...(r.overdue ? { comment: 'after the deadline' } : {}),
    });
  });
  setHandler(
    closeCycle,
    (a) => {
      const close = (): CycleView => {
        closed = true;
        return view();
      };
      // Recorded first, so the update never completes in the task where the main loop reacts (see closeProposalWindow).
      const recording = recordAction('cycle.closed', a.actor);
      return afterRecording(recording, close);
    },
    {
      validator: (a) => {
        requireSealed(a, 'the closeCycle update');
        if (phase !== 'refiling' || closed) refuse('FAILED_PRECONDITION', 'NOT_RELEASED', `the cycle is in phase ${phase}`);
        if (!isFinalApprover(a.actor)) refuse('PERMISSION_DENIED', 'NOT_FINAL_APPROVER', 'the cycle is closed by the final approver');
      },
    },
  );

  // Evaluation: every field files, or the phase's deadline passes.
  await movePhase('evaluation', `plan period ${input.planPeriod}`, input.openedBy);
  const allFiled = await condition(() => input.fields.every((f) => evaluations[f.fieldCode]), input.evaluationSeconds * 1000);
  const opened = Date.now();
  windows = perFieldWindows
    ? input.fields.map((f) => ({
        fieldCode: f.fieldCode,
        leadMinistry: f.leadMinistry,
        closesAt: opened + (f.proposalWindowSeconds ?? input.proposalWindowSeconds) * 1000,
        closed: false,
      }))
    : [];
  windowClosesAt = perFieldWindows ? Math.max(...windows.map((w) => w.closesAt)) : opened + input.proposalWindowSeconds * 1000;
  await movePhase('proposals', allFiled ? 'all fields filed their evaluation' : 'evaluation deadline passed');

  // Proposal windows (one per field, each with its deadline), then wait for every proposal's own approval to end.
  if (perFieldWindows) await closeWindowsAtTheirDeadlines();
  else await sleep(Math.max(1, windowClosesAt - Date.now()));
  await movePhase('consolidation', 'proposal window closed');
  await Promise.all(children);

  // Joint approval blocks (in its validator) until conflicts are resolved and the ceiling is met.
  await condition(() => approvedBy !== undefined);
  const released = included(entries).map((e) => e.proposalId);
  await releaseCycleEdition({
    cycleId: input.cycleId,
    workflowId,
    title: input.title,
    effectiveFrom: input.effectiveFrom,
    approvedBy: approvedBy!,
    approvedAt: Date.now(),
    proposals: included(entries).map((e) => {
      const p = proposals.get(e.proposalId)!;
      return { proposalId: p.proposalId, proposalRevision: p.proposalRevision, fieldCodes: [...p.fieldCodes], changeSet: p.changeSet };
    }),
    dropped: entries.filter((e) => e.status === 'dropped').map((e) => ({ proposalId: e.proposalId, proposalRevision: e.proposalRevision, note: e.note ?? '' })),
  });
  await movePhase('released', `edition released with ${released.length} proposals`, approvedBy);
  if (patched('running-revisions-rebase-on-release')) {
    rebaseRequired = await sendRunningRevisionsToRebase({
      cycleId: input.cycleId,
      title: input.title,
      effectiveFrom: input.effectiveFrom,
      releasedAt: Date.now(),
      exclude: [...proposals.keys()],
    });
    if (rebaseRequired.length > 0) await recordAction('revisions.sent_to_rebase', platform, { proposalIds: rebaseRequired });
  }

  // Provincial re-filing: each breach has a deadline; overdue provinces produce a warning (once).
  await movePhase('refiling', 'tracking provincial re-filing');
  while (!closed) {
    const open = refiling.filter((r) => !r.refiled && !r.overdue);
    const next = open.length > 0 ? Math.min(...open.map((r) => r.deadline)) : undefined;
    const seen = refilingChanges;
    const changed = (): boolean => closed || refilingChanges !== seen;
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

  async function closeWindowsAtTheirDeadlines(): Promise<void> {
    for (;;) {
      const open = windows.filter((w) => !w.closed);
      if (open.length === 0) return;
      const next = Math.min(...open.map((w) => w.closesAt));
      const earliest = windows;
      // Wakes early when a lead ministry closes its window (the array is replaced).
      await condition(() => windows !== earliest, Math.max(1, next - Date.now()));
      for (const w of windows.filter((x) => !x.closed && x.closesAt <= Date.now())) {
        windows = windows.map((x) => (x.fieldCode === w.fieldCode ? { ...x, closed: true } : x));
        const filed = entries.filter((e) => e.fieldCode === w.fieldCode).map((e) => e.proposalId);
        await recordProposalWindowClosed({
          cycleId: input.cycleId,
          workflowId,
          fieldCode: w.fieldCode,
          proposalIds: filed,
          closedEarlyBy: w.closedEarlyBy ?? '',
          at: Date.now(),
        });
      }
    }
  }
}
