// bps.approvals.open and bps.approvals.overdue, read from Temporal's visibility at scrape time: running approvals
// on this service's task queue, and those whose open step is past its due time (BpsStepDueAt).
import type { Client } from '@temporalio/client';
import { workflowTypes } from '../../../../workflows/contracts';
import { observeGauge } from '../../../shared/telemetry/metrics';

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Starts observing; returns the function that stops it. */
export function observeApprovals(temporal: Client, taskQueue: string): () => void {
  const running = `TaskQueue = ${quote(taskQueue)} AND WorkflowType = ${quote(workflowTypes.adHocRevision)} AND ExecutionStatus = 'Running'`;
  const attributes = { 'bps.task_queue': taskQueue };
  const count = async (query: string): Promise<number> => Number((await temporal.withDeadline(Date.now() + 1_000, () => temporal.workflow.count(query))).count);
  const stopOpen = observeGauge('bps.approvals.open', { description: 'Approvals (ad-hoc revisions) in progress' }, async () => [
    [await count(running), attributes],
  ]);
  const stopOverdue = observeGauge('bps.approvals.overdue', { description: 'Approvals in progress whose open step is past its due time' }, async () => [
    [await count(`${running} AND BpsStepDueAt < ${quote(new Date().toISOString())}`), attributes],
  ]);
  return () => {
    stopOpen();
    stopOverdue();
  };
}
