// The gateway's JSON routes are declared once as data: fastify validates requests with their schemas and the
// OpenAPI document is generated from the same declarations.
import type { Identity } from '../../shared/auth/identity';
import { gatewayError, type FieldViolationBody, type HttpError } from './errors';
import type { JsonSchema } from './proto-schema';

export type ApiRequest = {
  readonly params: Record<string, string>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  /** The caller's bearer token, forwarded to gRPC unchanged. */
  readonly token: string | undefined;
  readonly identity: Identity | undefined;
  /** A visitor of the public portal (no sign-in): `token` is the portal's own read-only account. */
  readonly visitor: boolean;
  /** The `Idempotency-Key` header, on routes that accept one (`idempotent: true`). */
  readonly idempotencyKey: string | undefined;
  /** The client address as the gateway sees it (fastify's req.ip; behind a proxy, per its trustProxy setting). */
  readonly clientIp: string;
};

export type ApiRoute = {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** fastify path, e.g. /api/v1/standards/items/:itemCode */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /**
   * true: a bearer token is required. 'public': the published standard, open to everyone (seed 000 §二十) — a
   * visitor without a token reads it through the portal's read-only account; a token, when sent, must verify.
   * false: sign-in and documents only.
   */
  readonly auth: boolean | 'public';
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly body?: JsonSchema;
  /** The body may be left out (every property optional): a bodiless request is validated as {}. */
  readonly bodyOptional?: boolean;
  /** Accepts an `Idempotency-Key` header: a retry with the same key returns the first call's result. */
  readonly idempotent?: boolean;
  readonly response: JsonSchema;
  readonly successStatus?: number;
  /** Error statuses this route can answer (documented in OpenAPI). */
  readonly errors: readonly number[];
  readonly handler: (request: ApiRequest) => Promise<unknown>;
};

/** A handler's answer that is not JSON (a CSV download): sent as is with its media type. */
export class RawBody {
  constructor(
    readonly body: string | Buffer,
    readonly contentType: string,
    readonly disposition?: string,
  ) {}
}

/** Thrown by handlers and hooks for errors the gateway decides itself. */
export class GatewayHttpError extends Error {
  constructor(readonly http: HttpError) {
    super(http.body.error.message);
  }
  static invalid(fieldViolations: FieldViolationBody[], message = 'invalid request'): GatewayHttpError {
    return new GatewayHttpError(gatewayError(400, 'INVALID_ARGUMENT', message, fieldViolations));
  }
}

export const objectSchema = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
});

/** Errors every authenticated route can answer. */
export const commonErrors = [400, 401, 403, 429, 503] as const;

export const errorBodySchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'gRPC status name (INVALID_ARGUMENT, NOT_FOUND, …) or a gateway code (RATE_LIMITED, PAYLOAD_TOO_LARGE)' },
        message: { type: 'string' },
        reason: { type: 'string', description: 'stable reason from google.rpc.ErrorInfo' },
        fieldViolations: { type: 'array', items: objectSchema({ field: { type: 'string' }, description: { type: 'string' } }, ['field', 'description']) },
        violations: { type: 'array', items: objectSchema({ type: { type: 'string' }, subject: { type: 'string' }, description: { type: 'string' } }) },
        currentRevision: { type: 'integer', description: 'with 409 ABORTED: the revision to rebase on' },
      },
    },
  },
};
