// Platform errors -> gRPC statuses with google.rpc error details in `grpc-status-details-bin`.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Any } from '../../../proto/gen/google/protobuf/any';
import { BadRequest, ErrorInfo, PreconditionFailure, ResourceInfo } from '../../../proto/gen/google/rpc/error_details';
import { Status } from '../../../proto/gen/google/rpc/status';
import { clip } from '../validation/input';
import {
  AlreadyExistsError,
  ConcurrencyError,
  FailedPreconditionError,
  isDependencyOutage,
  NotFoundError,
  PermissionDeniedError,
  PlatformError,
  TransientError,
  UnauthenticatedError,
  ValidationError,
} from '../errors/errors';

const typeUrl = (name: string): string => `type.googleapis.com/${name}`;
const pack = (name: string, bytes: Uint8Array): Any => Any.fromPartial({ typeUrl: typeUrl(name), value: Buffer.from(bytes) });

function codeOf(error: PlatformError): status {
  if (error instanceof ValidationError) return status.INVALID_ARGUMENT;
  if (error instanceof UnauthenticatedError) return status.UNAUTHENTICATED;
  if (error instanceof PermissionDeniedError) return status.PERMISSION_DENIED;
  if (error instanceof NotFoundError) return status.NOT_FOUND;
  if (error instanceof AlreadyExistsError) return status.ALREADY_EXISTS;
  if (error instanceof ConcurrencyError) return status.ABORTED;
  if (error instanceof FailedPreconditionError) return status.FAILED_PRECONDITION;
  return error.retriable ? status.UNAVAILABLE : status.INTERNAL;
}

/** The stable reason a client can branch on: the specific one (SELF_APPROVAL, NOT_LEAD_UNIT…) when the error has it. */
function reasonOf(error: PlatformError): string {
  return error instanceof PermissionDeniedError ? error.reason : error.code;
}

export function toServiceError(thrown: unknown): Partial<ServiceError> {
  // A database, Kafka or Temporal outage met by the call: UNAVAILABLE, worth retrying (issue #19: the chaos suite saw
  // a database restart answered 500).
  const error =
    !(thrown instanceof PlatformError) && isDependencyOutage(thrown) ? new TransientError('a service this call needs is unavailable; retry', thrown) : thrown;
  if (!(error instanceof PlatformError)) {
    return { code: status.INTERNAL, details: 'internal error', message: 'internal error' };
  }
  const code = codeOf(error);
  // Bounded: a status never echoes a caller's megabyte (grpc-js clients drop oversized trailers and time out).
  const message = clip(error.message, 1024);
  const details: Any[] = [
    pack(
      'google.rpc.ErrorInfo',
      ErrorInfo.encode(ErrorInfo.fromPartial({ reason: reasonOf(error), domain: 'bps.gov.cn', metadata: errorMetadata(error) })).finish(),
    ),
  ];
  if (error instanceof ValidationError) {
    details.push(
      pack(
        'google.rpc.BadRequest',
        BadRequest.encode(
          BadRequest.fromPartial({
            fieldViolations: error.violations
              .slice(0, 50)
              .map((v) => ({ field: clip(v.field), description: clip(v.description, 512), reason: clip(v.reason ?? '') })),
          }),
        ).finish(),
      ),
    );
  }
  if (error instanceof FailedPreconditionError && error.violations.length > 0) {
    details.push(
      pack(
        'google.rpc.PreconditionFailure',
        PreconditionFailure.encode(
          PreconditionFailure.fromPartial({
            violations: error.violations.slice(0, 50).map((v) => ({ type: clip(v.type), subject: clip(v.subject), description: clip(v.description, 512) })),
          }),
        ).finish(),
      ),
    );
  }
  if (error instanceof NotFoundError) {
    details.push(
      pack(
        'google.rpc.ResourceInfo',
        ResourceInfo.encode(ResourceInfo.fromPartial({ resourceType: clip(error.resourceType), resourceName: clip(error.resourceName) })).finish(),
      ),
    );
  }
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(Status.encode(Status.fromPartial({ code, message, details })).finish()));
  return { code, details: message, message, metadata };
}

function errorMetadata(error: PlatformError): Record<string, string> {
  const meta: Record<string, string> = { retriable: String(error.retriable) };
  if (error instanceof ConcurrencyError) meta['currentRevision'] = String(error.currentRevision);
  return meta;
}

export type DecodedStatus = {
  code: number;
  message: string;
  reason?: string;
  metadata: Record<string, string>;
  fieldViolations: { field: string; description: string; reason: string }[];
  preconditionViolations: { type: string; subject: string; description: string }[];
};

/** Reads google.rpc details back from a client-side ServiceError (used by the gateway, the CLI and tests). */
export function decodeStatus(error: ServiceError): DecodedStatus {
  const out: DecodedStatus = { code: error.code, message: error.details, metadata: {}, fieldViolations: [], preconditionViolations: [] };
  const raw = error.metadata?.get('grpc-status-details-bin')[0];
  if (!raw) return out;
  const decoded = Status.decode(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'base64'));
  for (const any of decoded.details) {
    if (any.typeUrl === typeUrl('google.rpc.BadRequest')) out.fieldViolations.push(...BadRequest.decode(any.value).fieldViolations);
    if (any.typeUrl === typeUrl('google.rpc.PreconditionFailure')) out.preconditionViolations.push(...PreconditionFailure.decode(any.value).violations);
    if (any.typeUrl === typeUrl('google.rpc.ErrorInfo')) {
      const info = ErrorInfo.decode(any.value);
      out.reason = info.reason;
      out.metadata = info.metadata;
    }
  }
  return out;
}
