// What the approvals' gRPC handlers share: the caller's identity as a workflow actor, and the translation of a
// workflow's refusal (an update validator's ApplicationFailure) into a platform error with its stable reason.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type * as grpc from '@grpc/grpc-js';
import type { ActorRef } from '../../../workflows/contracts';
import type { Refusal } from '../../../workflows/approval/domain';
import { FailedPreconditionError, PermissionDeniedError, type PlatformError, ValidationError } from '../../shared/errors/errors';
import { identityOf } from '../../shared/grpc/server';

export type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;
/** Adapts an async handler to grpc-js; the bootstrap maps thrown platform errors to statuses. */
export function unaryHandler<Req, Res>(fn: (request: Req, actor: ActorRef, call: object) => Promise<Res>): Unary<Req, Res> {
  return (call, callback) => {
    const identity = identityOf(call);
    const actor: ActorRef = { subject: identity.subject, organisation: identity.organisation, roles: [...identity.roles] };
    fn(call.request, actor, call).then((res) => callback(null, res), (error: unknown) => callback(error as grpc.ServiceError));
  };
}

export function refusalError(refusal: Refusal, subject: string): PlatformError {
  switch (refusal.code) {
    case 'PERMISSION_DENIED':
      return new PermissionDeniedError(`${refusal.reason}: ${refusal.message}`, refusal.reason);
    case 'FAILED_PRECONDITION':
      return new FailedPreconditionError(refusal.message, [{ type: refusal.reason, subject, description: refusal.message }], refusal.reason);
    case 'INVALID_ARGUMENT':
      return new ValidationError([{ field: 'position', description: refusal.message, reason: refusal.reason }]);
    default: {
      const unreachable: never = refusal.code;
      throw new Error(`unknown refusal ${String(unreachable)}`);
    }
  }
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

