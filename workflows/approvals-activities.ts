// The approvals worker's activities as the approval workflows call them: one set of options (timeouts, retries, the
// refusals that are never retried) for adHocRevision and unifiedRevisionCycle. Activities as types only.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Refusal } from '../services/shared/domain/decider';
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

/** What an update validator (or handler) throws for a refusal: the caller learns its kind and stable reason. */
export function refusalFailure(refusal: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: refusal.code, message: refusal.message, details: [refusal.reason], nonRetryable: true });
}
