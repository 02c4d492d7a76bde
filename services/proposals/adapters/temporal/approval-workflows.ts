// Starting and driving the approval workflow (implemented by the approvals worker) through the Temporal client.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  approvalWorkflowId,
  cycleStateQuery,
  proposalResubmittedSignal,
  submitCycleProposalUpdate,
  withdrawProposalUpdate,
  workflowTypes,
  type ActorRef,
  type CycleView,
  type ProposalApprovalInput,
  type ProposalResubmitted,
  type WithdrawProposal,
} from '../../../../workflows/contracts';
import { cycleAcceptanceRefusal } from '../../../../workflows/cycle/domain';
import { errorMessage, FailedPreconditionError, NotFoundError, TransientError } from '../../../shared/errors/errors';
import { updateOptions } from '../../../shared/temporal/temporal';
import type { ApprovalWorkflowPort } from '../../application/ports';

export class TemporalApprovalWorkflows implements ApprovalWorkflowPort {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly updateTimeoutMs = 15_000,
  ) {}

  async assertCycleAccepts(cycleId: string, fieldCode: string, actor: ActorRef): Promise<void> {
    let cycle: CycleView;
    try {
      cycle = await this.client.workflow.getHandle(cycleId).query<CycleView>(cycleStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError('revision cycle', cycleId);
      throw new TransientError(`revision cycle ${cycleId} cannot be read: ${errorMessage(error)}`, error);
    }
    // The cycle's own acceptance rule, applied to its queried view (the workflow's validator applies it to its state).
    const refusal = cycleAcceptanceRefusal(cycle, fieldCode, actor);
    if (refusal) {
      throw new FailedPreconditionError(
        `revision cycle ${cycleId} does not take this proposal: ${refusal.message}`,
        [{ type: refusal.reason, subject: cycleId, description: refusal.message }],
        refusal.reason,
      );
    }
  }

  async start(input: ProposalApprovalInput): Promise<string> {
    if (input.kind === 'UNIFIED' && input.cycleId) return this.enterCycle(input.cycleId, input);
    const workflowId = approvalWorkflowId(input.proposalId);
    try {
      const handle = await this.client.workflow.start(workflowTypes.adHocRevision, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        // A running workflow with this id is the one we want; a closed one must not be restarted.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      return handle.firstExecutionRunId;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        return (await this.client.workflow.getHandle(workflowId).describe()).runId;
      }
      throw new TransientError(`cannot start approval workflow ${workflowId}: ${errorMessage(error)}`, error);
    }
  }

  private async enterCycle(cycleId: string, input: ProposalApprovalInput): Promise<string> {
    const cycle = this.client.workflow.getHandle(cycleId);
    try {
      await this.client.withDeadline(Date.now() + this.updateTimeoutMs, () =>
        cycle.executeUpdate(submitCycleProposalUpdate, updateOptions([{ actor: input.proposer, proposal: input }])),
      );
    } catch (error) {
      const failure = error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure ? error.cause : undefined;
      const reason = typeof failure?.details?.[0] === 'string' ? failure.details[0] : undefined;
      if (reason !== 'ALREADY_SUBMITTED') {
        if (failure)
          throw new FailedPreconditionError(
            `revision cycle ${cycleId} refused proposal ${input.proposalId}: ${failure.message}`,
            [{ type: reason ?? 'CYCLE_REFUSED', subject: cycleId, description: failure.message }],
            reason ?? 'CYCLE_REFUSED',
          );
        if (error instanceof WorkflowNotFoundError) throw new NotFoundError('revision cycle', cycleId);
        throw new TransientError(`revision cycle ${cycleId} did not take proposal ${input.proposalId}: ${errorMessage(error)}`, error);
      }
    }
    // The cycle started the proposal's approval as a child with the proposal's id.
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.client.workflow.getHandle(approvalWorkflowId(input.proposalId)).describe()).runId;
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError) || attempt >= 50)
          throw new TransientError(`approval of ${input.proposalId} not found in cycle ${cycleId}`, error);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async resubmitted(proposalId: string, signal: ProposalResubmitted): Promise<void> {
    try {
      await this.client.workflow.getHandle(approvalWorkflowId(proposalId)).signal(proposalResubmittedSignal, signal);
    } catch (error) {
      throw new TransientError(`cannot signal approval workflow ${proposalId}: ${errorMessage(error)}`, error);
    }
  }

  async withdraw(proposalId: string, request: WithdrawProposal): Promise<void> {
    const handle = this.client.workflow.getHandle(approvalWorkflowId(proposalId));
    try {
      await this.client.withDeadline(Date.now() + this.updateTimeoutMs, () => handle.executeUpdate(withdrawProposalUpdate, updateOptions([request])));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new FailedPreconditionError(
          `the approval workflow refused the withdrawal: ${errorMessage(error.cause ?? error)}`,
          [{ type: 'APPROVAL_WORKFLOW', subject: proposalId, description: errorMessage(error.cause ?? error) }],
          'WITHDRAWAL_REFUSED',
        );
      }
      throw new TransientError(`approval workflow ${proposalId} did not answer the withdrawal: ${errorMessage(error)}`, error);
    }
  }
}
