// Resuming approvals Temporal has lost. The approvals database is the system of record, Temporal the engine: an
// approval recorded as open (adapters/mongo/approval-records.ts) whose workflow Temporal no longer has — the databases were restored
// into an empty stack, or Temporal's own data was lost — is started again from its record (input.resumeFrom): the
// same workflow id, its sign-offs, signers, claims, delegations, deadlines, reminders and rounds as recorded, its
// outgoing events numbered on from the recorded sequence (their ids are deterministic, so nothing is published
// twice). Done for every open approval when the service starts (`reconcile`), and on first access to one (`ensure`).
// Approvals of a unified revision cycle run as children of the cycle's workflow and are not resumed alone.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowTypes } from '../../../../workflows/contracts';
import type { ResumableApprovalInput } from '../../../../workflows/approval/record';
import type { Logger } from '../../../shared/log/logger';
import type { ApprovalRecords } from '../mongo/approval-records';

export type ResumeOutcome = 'running' | 'resumed' | 'not-open' | 'closed' | 'not-resumable';

export class ApprovalResumer {
  constructor(private readonly deps: { readonly temporal: Client; readonly taskQueue: string; readonly records: ApprovalRecords; readonly logger: Logger }) {}

  /** Starts the approval's workflow again from its record if it is open and Temporal does not have it. */
  async ensure(workflowId: string): Promise<ResumeOutcome> {
    const { temporal, records, logger } = this.deps;
    if (!(await records.isOpen(workflowId))) return 'not-open';
    try {
      const described = await temporal.workflow.getHandle(workflowId).describe();
      return described.status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    const record = await records.get(workflowId);
    if (!record || record.closed) return 'not-open';
    if (record.state.proposal.kind === 'UNIFIED') {
      logger.warn({ workflowId, cycleId: record.state.proposal.cycleId }, 'approval of a unified revision cycle lost by Temporal: not resumed alone');
      return 'not-resumable';
    }
    const input: ResumableApprovalInput = {
      ...record.state.proposal,
      changeSet: record.changeSet,
      resumeFrom: { version: record.version, state: record.state, seq: record.seq, changeSet: record.changeSet, events: record.events },
    };
    try {
      await temporal.workflow.start(workflowTypes.adHocRevision, {
        taskQueue: this.deps.taskQueue,
        workflowId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'running'; // resumed meanwhile by another call
      throw error;
    }
    logger.info(
      { workflowId, status: record.state.status, round: record.state.rounds.length, seq: record.seq, version: record.version },
      'approval resumed from its record (Temporal had lost its workflow)',
    );
    return 'resumed';
  }

  /** Every open approval: one pass at start-up over the small `_id`-keyed list of open approvals. */
  async reconcile(): Promise<Record<string, ResumeOutcome | 'failed'>> {
    const outcomes: Record<string, ResumeOutcome | 'failed'> = {};
    for (const id of await this.deps.records.openIds()) {
      try {
        outcomes[id] = await this.ensure(id);
      } catch (error) {
        outcomes[id] = 'failed';
        this.deps.logger.error({ workflowId: id, err: String(error) }, 'approval could not be resumed; retried at its next access or start');
      }
    }
    const resumed = Object.values(outcomes).filter((o) => o === 'resumed').length;
    if (resumed > 0) this.deps.logger.info({ resumed, open: Object.keys(outcomes).length }, 'approvals resumed from their records');
    return outcomes;
  }
}
