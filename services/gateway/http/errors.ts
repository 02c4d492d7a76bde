// gRPC status (with google.rpc details) -> HTTP status and the JSON error body the API documents.
// Pure: the gateway's error handler and the unit tests call it with a decoded status.
import { status as grpcStatus } from '@grpc/grpc-js';
import type { DecodedStatus } from '../../shared/grpc/status';

export type FieldViolationBody = { field: string; description: string };
export type PreconditionViolationBody = { type: string; subject: string; description: string };

export type ErrorBody = {
  error: {
    /** HTTP-level name, e.g. "INVALID_ARGUMENT" (the gRPC status name) or "RATE_LIMITED". */
    code: string;
    message: string;
    /** Stable machine reason from google.rpc.ErrorInfo when the service gave one. */
    reason?: string;
    fieldViolations?: FieldViolationBody[];
    violations?: PreconditionViolationBody[];
    currentRevision?: number;
  };
};

export type HttpError = { status: number; body: ErrorBody; headers?: Record<string, string> };

const statusNames: Record<number, string> = Object.fromEntries(
  Object.entries(grpcStatus)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

/** The HTTP status for a gRPC status code (FAILED_PRECONDITION depends on whether violations came with it). */
export function httpStatusFor(code: number, hasPreconditionViolations = false): number {
  switch (code) {
    case grpcStatus.OK:
      return 200;
    case grpcStatus.INVALID_ARGUMENT:
      return 400;
    case grpcStatus.OUT_OF_RANGE:
      return 400;
    case grpcStatus.UNAUTHENTICATED:
      return 401;
    case grpcStatus.PERMISSION_DENIED:
      return 403;
    case grpcStatus.NOT_FOUND:
      return 404;
    case grpcStatus.ALREADY_EXISTS:
      return 409;
    case grpcStatus.ABORTED:
      return 409;
    // A broken business rule with named violations is unprocessable content; a bare state precondition is 412.
    case grpcStatus.FAILED_PRECONDITION:
      return hasPreconditionViolations ? 422 : 412;
    case grpcStatus.RESOURCE_EXHAUSTED:
      return 429;
    case grpcStatus.CANCELLED:
      return 499;
    case grpcStatus.UNIMPLEMENTED:
      return 501;
    case grpcStatus.UNAVAILABLE:
      return 503;
    case grpcStatus.DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

export function grpcStatusName(code: number): string {
  return statusNames[code] ?? 'UNKNOWN';
}

/** Maps a decoded gRPC error to the gateway's HTTP error. Internal details never leak: 5xx bodies are generic. */
export function httpErrorFromStatus(decoded: DecodedStatus): HttpError {
  const status = httpStatusFor(decoded.code, decoded.preconditionViolations.length > 0);
  const code = grpcStatusName(decoded.code);
  // Server-side failures get a fixed message: gRPC's texts for them carry addresses and timings.
  const generic: Record<number, string> = {
    500: 'internal error',
    501: 'not implemented',
    503: 'a backend service is unavailable; retry shortly',
    504: 'a backend service did not answer in time',
  };
  const message = generic[status] ?? (decoded.message || code);
  const error: ErrorBody['error'] = { code, message };
  if (decoded.reason && status < 500) error.reason = decoded.reason;
  if (decoded.fieldViolations.length > 0)
    error.fieldViolations = decoded.fieldViolations.map((v) => ({ field: jsonFieldPath(v.field), description: v.description }));
  if (decoded.preconditionViolations.length > 0)
    error.violations = decoded.preconditionViolations.map((v) => ({ type: v.type, subject: v.subject, description: v.description }));
  if (decoded.code === grpcStatus.ABORTED) {
    const revision = Number(decoded.metadata['currentRevision']);
    if (Number.isFinite(revision)) error.currentRevision = revision;
  }
  const headers: Record<string, string> = {};
  if (status === 503) headers['retry-after'] = '1';
  return { status, body: { error }, headers };
}

/** A backend's field path (proto names, `content.effective_from`) as the JSON API names it (`content.effectiveFrom`). */
export const jsonFieldPath = (field: string): string => field.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** An error the gateway raises itself (bad query, no token, unknown route). */
export function gatewayError(status: number, code: string, message: string, fieldViolations?: FieldViolationBody[]): HttpError {
  return { status, body: { error: { code, message, ...(fieldViolations && fieldViolations.length > 0 ? { fieldViolations } : {}) } } };
}

type AjvError = { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> };

/** Fastify/Ajv schema validation errors -> field violations in the same shape the services use. */
/** At most this many field violations in one answer: enough to fix a request, never an echo of a huge one. */
export const MAX_FIELD_VIOLATIONS = 20;

export function violationsFromValidation(context: string | undefined, errors: readonly AjvError[]): FieldViolationBody[] {
  return errors.slice(0, MAX_FIELD_VIOLATIONS).map((e) => {
    const path = (e.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '');
    const missing = e.keyword === 'required' && typeof e.params?.['missingProperty'] === 'string' ? String(e.params['missingProperty']) : undefined;
    const additional =
      e.keyword === 'additionalProperties' && typeof e.params?.['additionalProperty'] === 'string' ? String(e.params['additionalProperty']) : undefined;
    const leaf = missing ?? additional;
    const field = [path, leaf].filter(Boolean).join(path && leaf ? '.' : '') || (context ?? 'request');
    const description = additional ? 'unknown property' : (e.message ?? 'invalid');
    return { field, description };
  });
}
