// The approvals worker's activities as the approval workflows call them: one set of options (timeouts, retries, the
// refusals that are never retried) for adHocRevision and unifiedRevisionCycle. Activities as types only.
import { proxyActivities } from '@temporalio/workflow';
import type { ApprovalActivities } from '../services/approvals/application/activities';

export function approvalActivities(): ApprovalActivities {
  return proxyActivities<ApprovalActivities>({
    startToCloseTimeout: '15 seconds',
    retry: {
      initialInterval: '500 milliseconds',
      maximumInterval: '10 seconds',
      nonRetryableErrorTypes: ['NOT_FOUND', 'VALIDATION_FAILED', 'FAILED_PRECONDITION'],
    },
  });
}
