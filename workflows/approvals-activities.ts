// The approvals worker's activities as the approval workflows call them: one set of options (timeouts, retries, the
// refusals that are never retried) for adHocRevision and unifiedRevisionCycle. Activities as types only.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ApprovalActivities } from '../services/approvals/application/activities';

const options = {
  startToCloseTimeout: '15 seconds' as const,
  retry: {
    initialInterval: '500 milliseconds' as const,
    maximumInterval: '10 seconds' as const,
    nonRetryableErrorTypes: ['NOT_FOUND', 'VALIDATION_FAILED', 'FAILED_PRECONDITION'],
  },
};

export function approvalActivities(): ApprovalActivities {
  return proxyActivities<ApprovalActivities>(options);
}

/**
 * The same activities run as local activities: in the worker running the workflow task, their result recorded with
 * its completion — no activity task through the server and no second workflow task per change (issue #16: a sign-off
 * cost three server round trips more than a bare update). For short, idempotent database work only (recording the
 * approval and its outgoing events, reading its route): a worker that dies mid-way runs them again with the task.
 */
export function approvalLocalActivities(): ApprovalActivities {
  return proxyLocalActivities<ApprovalActivities>(options);
}
