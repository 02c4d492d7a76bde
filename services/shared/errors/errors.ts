// One error hierarchy for the platform, modelled on kafkajs: every error has a stable string code and says
// whether retrying could help. The gRPC edge, the Kafka consumer and Temporal activities all read these two facts.

export type FieldViolation = { readonly field: string; readonly description: string; readonly reason?: string };
export type PreconditionViolation = { readonly type: string; readonly subject: string; readonly description: string };

export class PlatformError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Bad input: maps to INVALID_ARGUMENT / HTTP 400 with google.rpc.BadRequest field violations. */
export class ValidationError extends PlatformError {
  readonly violations: readonly FieldViolation[];
  constructor(violations: readonly FieldViolation[], message?: string) {
    super('VALIDATION_FAILED', message ?? `invalid request: ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`);
    this.violations = violations;
  }
}

export class UnauthenticatedError extends PlatformError {
  /** Which check failed (TOKEN_MISSING, TOKEN_EXPIRED, TOKEN_INVALID…): what the refusal's audit record keys on. */
  constructor(
    message = 'a valid bearer token is required',
    readonly refusal = 'TOKEN_MISSING',
  ) {
    super('UNAUTHENTICATED', message);
  }
}

export class PermissionDeniedError extends PlatformError {
  constructor(
    message: string,
    readonly reason = 'PERMISSION_DENIED',
  ) {
    super('PERMISSION_DENIED', message);
  }
}

export class NotFoundError extends PlatformError {
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
  ) {
    super('NOT_FOUND', `${resourceType} "${resourceName}" not found`);
  }
}

/** The request is well-formed but the state does not allow it (a stale base version, a below-floor level…). */
export class FailedPreconditionError extends PlatformError {
  constructor(
    message: string,
    readonly violations: readonly PreconditionViolation[] = [],
    code = 'FAILED_PRECONDITION',
  ) {
    super(code, message);
  }
}

/** The same thing already exists (unique index). Retrying the same write never helps. */
export class AlreadyExistsError extends PlatformError {
  constructor(
    message: string,
    readonly key?: Readonly<Record<string, unknown>>,
  ) {
    super('ALREADY_EXISTS', message);
  }
}

/** Optimistic concurrency: the caller edited an older revision than the stored one. */
export class ConcurrencyError extends PlatformError {
  constructor(
    message: string,
    readonly currentRevision: number,
  ) {
    super('CONCURRENT_MODIFICATION', message);
  }
}

/** Infrastructure trouble (broker down, database timeout): worth retrying. */
export class TransientError extends PlatformError {
  constructor(message: string, cause?: unknown) {
    super('TRANSIENT', message, { retriable: true, cause });
  }
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof PlatformError) return error.retriable;
  return true; // unknown failures (network, driver) are presumed transient
}

/**
 * Failures to reach the database, Kafka or Temporal (the MongoDB driver's network, server-selection and pool errors,
 * kafkajs's connection errors, a gRPC UNAVAILABLE from Temporal), anywhere in the `cause` chain: the call met an
 * outage, not a bug, and the caller should retry (answered UNAVAILABLE / 503, never INTERNAL / 500).
 */
export function isDependencyOutage(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (outageErrorNames.has(e.name)) return true;
    const labelled = e as { hasErrorLabel?: (label: string) => boolean };
    if (typeof labelled.hasErrorLabel === 'function' && (labelled.hasErrorLabel('ResetPool') || labelled.hasErrorLabel('RetryableWriteError'))) return true;
    // A gRPC UNAVAILABLE or DEADLINE_EXCEEDED met on the way (grpc-js's error has a numeric code and `details`), e.g.
    // the cause of Temporal's ServiceError while Temporal restarts.
    const grpcLike = e as { code?: unknown; details?: unknown };
    if ((grpcLike.code === 14 || grpcLike.code === 4) && (e.name === 'ServiceError' || typeof grpcLike.details === 'string')) return true;
  }
  return false;
}
const outageErrorNames = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
]);

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A rule's refusal as pure domain code states it (decide functions, workflow validators): status, stable reason, text. */
export type RuleRefusal = {
  readonly code: 'PERMISSION_DENIED' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT';
  readonly reason: string;
  readonly message: string;
  /** Field violations (INVALID_ARGUMENT) or precondition details (FAILED_PRECONDITION); default: one for `field`. */
  readonly violations?: readonly FieldViolation[];
};

/** The platform error of a rule's refusal about `subject`; an INVALID_ARGUMENT without violations names `field`. */
export function ruleRefusalError(refusal: RuleRefusal, subject: string, field: string): PlatformError {
  switch (refusal.code) {
    case 'PERMISSION_DENIED':
      return new PermissionDeniedError(`${refusal.reason}: ${refusal.message}`, refusal.reason);
    case 'FAILED_PRECONDITION':
      return new FailedPreconditionError(
        refusal.message,
        refusal.violations?.length
          ? refusal.violations.map((v) => ({ type: v.reason ?? refusal.reason, subject: v.field, description: v.description }))
          : [{ type: refusal.reason, subject, description: refusal.message }],
        refusal.reason,
      );
    case 'INVALID_ARGUMENT':
      return new ValidationError(refusal.violations?.length ? refusal.violations : [{ field, description: refusal.message, reason: refusal.reason }]);
    default: {
      const unreachable: never = refusal.code;
      throw new Error(`unknown refusal ${String(unreachable)}`);
    }
  }
}
