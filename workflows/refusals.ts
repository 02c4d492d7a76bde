// A rule's refusal at the workflows' edge: update validators (and handlers that decide again) throw it as a
// non-retryable ApplicationFailure whose type is the refusal's code and whose first detail is its stable reason, so
// the services that sent the update (gRPC edges, the proposals adapter) map it back (errors.ts decodeStatus etc.).
import { ApplicationFailure } from '@temporalio/workflow';
import type { Refusal } from '../services/shared/domain/decider';

export function refusalFailure(refusal: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: refusal.code, message: refusal.message, details: [refusal.reason], nonRetryable: true });
}
