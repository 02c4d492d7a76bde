// gRPC RevisionCycles: the unified revision cycle workflow driven through its updates. The workflow's validators hold
// the rules (phase, lead ministry, final approver, conflicts, ceiling); a refusal comes back at once with its reason.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  approvePackageUpdate,
  closeCycleUpdate,
  closeProposalWindowUpdate,
  cycleStateQuery,
  fileEvaluationUpdate,
  resolveConflictUpdate,
  trimProposalUpdate,
  workflowTypes,
  type ActorRef,
  type CycleCitedEvaluation,
  type CycleView,
} from '../../../../workflows/contracts';
import type { Cycle, RevisionCyclesServer } from '../../../../proto/gen/bps/approvals/v1/cycles';
import { ChangeSet } from '../../../../proto/gen/bps/standards/v1/changes';
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, FailedPreconditionError, PermissionDeniedError, TransientError, ValidationError } from '../../../shared/errors/errors';
import { approvalEvents } from '../../../shared/events/approvals';
import { newEvent } from '../../../shared/kafka/kafka';
import type { Logger } from '../../../shared/log/logger';
import { citedIdsViolations, resolveCitations } from '../../domain/evaluation-citations';
import { cycleActionRefusal, dateOfIso, mayOpenCycle, openCycleInput, trimmedTotalsViolations, type CycleAction } from '../../domain/cycle-request';
import { mayTrim } from '../../../../workflows/cycle/trim';
import type { Refusal } from '../../../../workflows/approval/domain';
import type { ApprovalEventStore } from '../mongo/approval-events';
import { approvalsSource, citedEvaluationMessage, toActor } from '../../application/messages';
import type { EvaluationsProjection } from '../kafka/evaluations-projection';
import { queryWorkflow, refusalError, required, unaryHandler, updateWorkflow } from './workflow-calls';

export type CyclesDeps = {
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly logger: Logger;
  /** Where refused cycle actions are recorded (bps.approval.action.refused through the outbox); absent = not recorded. */
  readonly events?: ApprovalEventStore;
  readonly topicNamespace?: string;
  /** The implementation evaluations (bps.programme.v1) a field evaluation may cite; absent = citing is refused as unknown. */
  readonly evaluations?: Pick<EvaluationsProjection, 'get'>;
};

export function cycleMessage(view: CycleView, workflowId: string): Cycle {
  const windows = new Map((view.windows ?? []).map((w) => [w.fieldCode, w]));
  return {
    cycleId: view.cycleId,
    workflowId,
    planPeriod: view.planPeriod ?? '',
    title: view.title ?? '',
    effectiveFrom: dateOfIso(view.effectiveFrom),
    phase: view.phase,
    fields: (view.fields ?? []).map((f) => {
      const w = windows.get(f.fieldCode);
      const evaluation = view.evaluations[f.fieldCode];
      return {
        fieldCode: f.fieldCode,
        leadMinistry: f.leadMinistry,
        evaluationSummary: evaluation?.summary ?? '',
        evaluatedBy: evaluation?.by ?? '',
        citedEvaluations: (evaluation?.citedEvaluations ?? []).map(citedEvaluationMessage),
        windowClosesAt: w ? new Date(w.closesAt) : view.windowClosesAt !== undefined ? new Date(view.windowClosesAt) : undefined,
        windowClosed: w?.closed ?? false,
        windowClosedEarlyBy: w?.closedEarlyBy ?? '',
      };
    }),
    package: view.package.map((e) => ({
      proposalId: e.proposalId,
      proposalRevision: e.proposalRevision,
      fieldCode: e.fieldCode,
      itemCodes: [...e.itemCodes],
      fiscalTotals: { ...e.fiscalTotals },
      status: e.status,
      note: e.note ?? '',
      trims: (e.trims ?? []).map((t) => ({ actor: toActor(t.actor), at: new Date(t.at), reason: t.reason, before: { ...t.before }, after: { ...t.after } })),
    })),
    conflicts: view.conflicts.map((c) => ({ itemCode: c.itemCode, proposalIds: [...c.proposalIds] })),
    totals: { ...view.totals },
    fiscalCeiling: view.fiscalCeiling ? { ...view.fiscalCeiling } : undefined,
    ceilingExceeded: view.ceilingExceeded,
    refiling: view.refiling.map((r) => ({
      provinceCode: r.provinceCode,
      itemCode: r.itemCode,
      deadline: new Date(r.deadline),
      refiled: r.refiled,
      overdue: r.overdue,
    })),
    rebaseRequired: [...(view.rebaseRequired ?? [])],
    openedAt: view.openedAt !== undefined ? new Date(view.openedAt) : undefined,
  };
}

export function createCycleHandlers(deps: CyclesDeps): RevisionCyclesServer {
  const { temporal } = deps;
  const filled = (value: string, field: string): string => required(value, field).trim();
  const read = async (cycleId: string): Promise<Cycle> => {
    const id = filled(cycleId, 'cycle_id');
    return cycleMessage(await queryWorkflow<CycleView>(temporal, id, cycleStateQuery, 'revision cycle'), id);
  };
  const update = async <A extends { actor: ActorRef }>(
    cycleId: string,
    name: string,
    args: A,
    action?: CycleAction,
    onRefused?: (refusal: Refusal) => Promise<void>,
  ): Promise<Cycle> => {
    const refusal = action ? cycleActionRefusal(action, args.actor) : undefined;
    if (refusal) throw new PermissionDeniedError(`${refusal.reason}: ${refusal.message}`, refusal.reason);
    const id = filled(cycleId, 'cycle_id');
    return cycleMessage(await updateWorkflow<CycleView>(temporal, id, name, args, 'revision cycle', onRefused), id);
  };
  /** A refused cycle action is on record like a refused inbox action: who tried what on which proposal, and why. */
  const recordRefused =
    (cycleId: string, proposalId: string, action: string, actor: ActorRef) =>
    async (refusal: Refusal): Promise<void> => {
      deps.logger.info({ cycleId, proposalId, action, subject: actor.subject, reason: refusal.reason }, 'cycle action refused');
      if (!deps.events) return;
      await deps.events.append([
        newEvent(
          approvalEvents.actionRefused,
          {
            proposalId,
            stepId: '',
            action,
            reason: refusal.reason,
            message: refusal.message,
            actor: toActor(actor),
            attemptedAt: new Date(),
            detail: cycleId,
          },
          { source: approvalsSource, key: proposalId, id: randomUUID(), topicNamespace: deps.topicNamespace ?? '' },
        ),
      ]);
    };

  /**
   * The cited evaluations as the approvals service knows them (its projection of bps.programme.v1). Resolved only for
   * a filing the cycle could accept: while the cycle would refuse it anyway (unknown field, not the lead ministry,
   * past the evaluation phase) nothing is looked up and the workflow's validator gives its own refusal (its rules
   * stay in one place; those conditions never turn back, so the refusal is certain).
   */
  const citations = async (cycleId: string, fieldCode: string, actor: ActorRef, ids: readonly string[]): Promise<readonly CycleCitedEvaluation[]> => {
    if (ids.length === 0) return [];
    const view = await queryWorkflow<CycleView>(temporal, cycleId, cycleStateQuery, 'revision cycle');
    const lead = view.fields?.find((f) => f.fieldCode === fieldCode)?.leadMinistry;
    if (view.phase !== 'evaluation' || lead === undefined || lead !== actor.organisation) return [];
    const resolved = resolveCitations(fieldCode, ids, (await deps.evaluations?.get(ids)) ?? new Map());
    if (resolved.ok) return resolved.citations;
    const [first] = resolved.refusals;
    throw new FailedPreconditionError(
      resolved.refusals.map((r) => r.message).join('; '),
      resolved.refusals.map((r) => ({ type: r.reason, subject: r.subject, description: r.message })),
      first!.reason,
    );
  };

  return {
    openCycle: unaryHandler(async (request, actor) => {
      if (!mayOpenCycle(actor)) throw new PermissionDeniedError('a unified revision cycle is opened by NDRC or the final approver', 'NOT_CYCLE_ORGANISER');
      const checked = openCycleInput(
        {
          cycleId: request.cycleId,
          planPeriod: request.planPeriod,
          title: request.title,
          ...(request.effectiveFrom ? { effectiveFrom: request.effectiveFrom } : {}),
          fields: request.fields.map((f) => ({
            fieldCode: f.fieldCode.trim(),
            leadMinistry: f.leadMinistry.trim(),
            proposalWindowSeconds: Number(f.proposalWindowSeconds),
          })),
          ...(request.fiscalCeiling ? { fiscalCeiling: request.fiscalCeiling } : {}),
          evaluationSeconds: Number(request.evaluationSeconds),
          proposalWindowSeconds: Number(request.proposalWindowSeconds),
          refilingSeconds: Number(request.refilingSeconds),
        },
        actor,
      );
      if (!checked.ok) throw new ValidationError(checked.violations);
      const { input } = checked;
      try {
        // Workflow id = cycle id; a cycle id is never reused, even after the cycle closed.
        await temporal.workflow.start(workflowTypes.unifiedRevisionCycle, {
          taskQueue: deps.taskQueue,
          workflowId: input.cycleId,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw new AlreadyExistsError(`revision cycle ${input.cycleId} already exists`);
        throw new TransientError(`cannot open revision cycle ${input.cycleId}`, error);
      }
      deps.logger.info({ cycleId: input.cycleId, by: actor.subject }, 'revision cycle opened');
      // The first query can race the first workflow task; retry briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          return { cycle: await read(input.cycleId) };
        } catch (error) {
          if (attempt >= 50) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),

    getCycle: unaryHandler(async (request) => ({ cycle: await read(request.cycleId) })),

    listCycles: unaryHandler(async () => {
      const cycles: Cycle[] = [];
      const query = `TaskQueue = '${deps.taskQueue}' AND WorkflowType = '${workflowTypes.unifiedRevisionCycle}'`;
      for await (const execution of temporal.workflow.list({ query })) {
        try {
          cycles.push(
            cycleMessage(await temporal.workflow.getHandle(execution.workflowId, execution.runId).query<CycleView>(cycleStateQuery), execution.workflowId),
          );
        } catch (error) {
          deps.logger.debug({ workflowId: execution.workflowId, err: String(error) }, 'cycles: cannot query, skipped');
        }
      }
      cycles.sort((a, b) => (b.openedAt?.getTime() ?? 0) - (a.openedAt?.getTime() ?? 0));
      return { cycles };
    }),

    fileEvaluation: unaryHandler(async (request, actor) => {
      const cycleId = filled(request.cycleId, 'cycle_id');
      const fieldCode = filled(request.fieldCode, 'field_code');
      const summary = filled(request.summary, 'summary');
      const idViolations = citedIdsViolations(request.citedEvaluationIds);
      if (idViolations.length > 0) throw new ValidationError(idViolations);
      const citedEvaluations = await citations(
        cycleId,
        fieldCode,
        actor,
        request.citedEvaluationIds.map((id) => id.trim()),
      );
      return {
        cycle: await update(
          cycleId,
          fileEvaluationUpdate,
          { actor, fieldCode, summary, ...(citedEvaluations.length > 0 ? { citedEvaluations } : {}) },
          'fileEvaluation',
        ),
      };
    }),

    closeProposalWindow: unaryHandler(async (request, actor) => ({
      cycle: await update(request.cycleId, closeProposalWindowUpdate, { actor, fieldCode: filled(request.fieldCode, 'field_code') }, 'closeProposalWindow'),
    })),

    resolveConflict: unaryHandler(async (request, actor) => ({
      cycle: await update(
        request.cycleId,
        resolveConflictUpdate,
        {
          actor,
          itemCode: filled(request.itemCode, 'item_code'),
          keepProposalId: filled(request.keepProposalId, 'keep_proposal_id'),
          reason: filled(request.reason, 'reason'),
        },
        'resolveConflict',
      ),
    })),

    trimProposal: unaryHandler(async (request, actor) => {
      const totals = request.fiscalTotals;
      const cycleId = filled(request.cycleId, 'cycle_id');
      const proposalId = filled(request.proposalId, 'proposal_id');
      const refused = recordRefused(cycleId, proposalId, 'trim', actor);
      // Who may trim is answered before anything else (a refusal names no amounts to a caller who may not trim).
      if (!mayTrim(actor)) {
        const refusal: Refusal = {
          code: 'PERMISSION_DENIED',
          reason: 'NOT_CONSOLIDATION_APPROVER',
          message: 'a proposal is trimmed in consolidation by the NDRC approver or the final approver',
        };
        await refused(refusal);
        throw refusalError(refusal, cycleId);
      }
      const violations = [
        ...trimmedTotalsViolations(totals),
        ...(request.reason.trim() === '' ? [{ field: 'reason', description: 'a trim must say why the cost is lowered' }] : []),
      ];
      if (violations.length > 0 || !totals) {
        await refused({ code: 'INVALID_ARGUMENT', reason: 'INVALID_TRIM', message: violations.map((v) => `${v.field}: ${v.description}`).join('; ') });
        throw new ValidationError(violations);
      }
      // A change set, if sent, must be the one held: the workflow's validator refuses any other (money only).
      const changeSet = request.changeSet ? ChangeSet.toJSON(request.changeSet) : null;
      try {
        return {
          cycle: await update(
            cycleId,
            trimProposalUpdate,
            { actor, proposalId, fiscalTotals: { ...totals }, changeSet, reason: request.reason.trim() },
            undefined,
            refused,
          ),
        };
      } catch (error) {
        // The validator's bad-amount refusals name the request field they are about.
        if (error instanceof ValidationError)
          throw new ValidationError(error.violations.map((v) => ({ ...v, field: v.reason === 'REASON_REQUIRED' ? 'reason' : 'fiscal_totals' })));
        throw error;
      }
    }),

    approvePackage: unaryHandler(async (request, actor) => ({
      cycle: await update(request.cycleId, approvePackageUpdate, { actor, comment: request.comment }, 'approvePackage'),
    })),

    closeCycle: unaryHandler(async (request, actor) => ({ cycle: await update(request.cycleId, closeCycleUpdate, { actor }, 'closeCycle') })),
  };
}
