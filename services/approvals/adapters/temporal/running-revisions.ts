// The ad-hoc revisions running on this service's task queue, found through Temporal's visibility and signalled when
// a cycle releases its edition (RunningRevisions, application/ports.ts). Signals are idempotent in the workflow (same
// cycle id), so a retried activity is harmless.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { editionReleasedSignal, workflowTypes, type RebaseNotice } from '../../../../workflows/contracts';
import type { RunningRevisions } from '../../application/ports';

export class TemporalRunningRevisions implements RunningRevisions {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  async sendToRebase(notice: RebaseNotice, exclude: readonly string[]): Promise<string[]> {
    const query = [
      `TaskQueue = '${this.taskQueue}'`,
      `WorkflowType = '${workflowTypes.adHocRevision}'`,
      `ExecutionStatus = 'Running'`,
      `BpsProposalKind = 'AD_HOC'`,
    ].join(' AND ');
    const signalled: string[] = [];
    for await (const execution of this.temporal.workflow.list({ query })) {
      if (exclude.includes(execution.workflowId)) continue;
      try {
        await this.temporal.workflow.getHandle(execution.workflowId, execution.runId).signal(editionReleasedSignal, notice);
        signalled.push(execution.workflowId);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error; // ended meanwhile: nothing to rebase
      }
    }
    return signalled.sort();
  }
}
