// Starting and driving the approval workflow (implemented by the approvals worker) through the Temporal client.
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  approvalWorkflowId, proposalResubmittedSignal, withdrawProposalUpdate, workflowTypes,
  type ProposalApprovalInput, type ProposalResubmitted, type WithdrawProposal,
} from '../../../../workflows/contracts';
import { errorMessage, FailedPreconditionError, TransientError } from '../../../shared/errors/errors';

export type ApprovalWorkflowPort = {
  /** Starts the workflow for the proposal unless one with its id exists; returns the run id. */
  start(input: ProposalApprovalInput): Promise<string>;
  resubmitted(proposalId: string, signal: ProposalResubmitted): Promise<void>;
  /** Asks the workflow to withdraw; refused (FAILED_PRECONDITION) when it is past final approval. */
  withdraw(proposalId: string, request: WithdrawProposal): Promise<void>;
};

export class TemporalApprovalWorkflows implements ApprovalWorkflowPort {
  constructor(private readonly client: Client, private readonly taskQueue: string, private readonly updateTimeoutMs = 15_000) {}

  async start(input: ProposalApprovalInput): Promise<string> {
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
      await this.client.withDeadline(Date.now() + this.updateTimeoutMs, () => handle.executeUpdate(withdrawProposalUpdate, { args: [request] }));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new FailedPreconditionError(`the approval workflow refused the withdrawal: ${errorMessage(error.cause ?? error)}`, [
          { type: 'APPROVAL_WORKFLOW', subject: proposalId, description: errorMessage(error.cause ?? error) },
        ], 'WITHDRAWAL_REFUSED');
      }
      throw new TransientError(`approval workflow ${proposalId} did not answer the withdrawal: ${errorMessage(error)}`, error);
    }
  }
}
