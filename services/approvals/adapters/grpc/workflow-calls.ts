// What the approvals' gRPC handlers share: the caller's identity as a workflow actor, queries and updates of a
// workflow with its errors mapped (missing: NOT_FOUND; a validator's refusal: its platform error and stable reason;
// anything else: worth retrying).
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type * as grpc from '@grpc/grpc-js';
import type { ActorRef } from '../../../../workflows/contracts';
import type { Refusal } from '../../../../workflows/approval/domain';
import { NotFoundError, ruleRefusalError, type PlatformError, TransientError, ValidationError } from '../../../shared/errors/errors';
import { identityOf } from '../../../shared/grpc/server';
import { updateOptions } from '../../../shared/temporal/temporal';

export type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;
/** Adapts an async handler to grpc-js; the bootstrap maps thrown platform errors to statuses. */
export function unaryHandler<Req, Res>(fn: (request: Req, actor: ActorRef, call: object) => Promise<Res>): Unary<Req, Res> {
  return (call, callback) => {
    const identity = identityOf(call);
    const actor: ActorRef = { subject: identity.subject, organisation: identity.organisation, roles: [...identity.roles] };
    fn(call.request, actor, call).then(
      (res) => callback(null, res),
      (error: unknown) => callback(error as grpc.ServiceError),
    );
  };
}

export function refusalError(refusal: Refusal, subject: string): PlatformError {
  return ruleRefusalError(refusal, subject, 'position');
}

const refusalCodes = ['PERMISSION_DENIED', 'FAILED_PRECONDITION', 'INVALID_ARGUMENT'] as const;
/** A validator's ApplicationFailure back into a Refusal. */
export function refusalOf(error: unknown): Refusal | undefined {
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return undefined;
  const code = refusalCodes.find((c) => c === (error.cause as ApplicationFailure).type);
  if (!code) return undefined;
  const reason = error.cause.details?.[0];
  return { code, reason: typeof reason === 'string' ? reason : code, message: error.cause.message };
}

export function required(value: string, field: string): string {
  if (value.trim() === '') throw new ValidationError([{ field, description: 'required' }]);
  return value;
}

/** `resource` names the workflow in errors, e.g. "approval", "revision cycle". */
export async function queryWorkflow<T>(temporal: Client, workflowId: string, name: string, resource: string): Promise<T> {
  try {
    return await temporal.workflow.getHandle(workflowId).query<T>(name);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new NotFoundError(resource, workflowId);
    // e.g. the workflow is still loading: worth retrying
    throw new TransientError(`${resource} ${workflowId} cannot be read now`, error);
  }
}

/** Sends an update; a refusal by its validator is passed to `onRefused` (e.g. to audit it), then thrown. */
export async function updateWorkflow<T>(
  temporal: Client,
  workflowId: string,
  name: string,
  args: object,
  resource: string,
  onRefused?: (refusal: Refusal) => Promise<void>,
): Promise<T> {
  try {
    return await temporal.workflow.getHandle(workflowId).executeUpdate<T, [object]>(name, updateOptions<[object]>([args]));
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) {
      await onRefused?.(refusal);
      throw refusalError(refusal, workflowId);
    }
    if (error instanceof WorkflowNotFoundError) throw new NotFoundError(resource, workflowId);
    throw new TransientError(`${name} on ${resource} ${workflowId} failed`, error);
  }
}
