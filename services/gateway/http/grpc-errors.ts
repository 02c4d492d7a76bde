// Recognises errors from gRPC client calls and turns any thrown value into the gateway's HTTP error.
import type { ServiceError } from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';
import { decodeStatus } from '../../shared/grpc/status';
import { GatewayHttpError } from './api';
import { gatewayError, httpErrorFromStatus, violationsFromValidation, type HttpError } from './errors';

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && (error as Partial<ServiceError>).metadata instanceof Metadata;
}

type FastifyLikeError = Error & { statusCode?: number; code?: string; validation?: unknown[]; validationContext?: string };

export function toHttpError(error: unknown): HttpError {
  if (error instanceof GatewayHttpError) return error.http;
  // A value the schema let through but protobuf cannot encode (the client library refuses it before sending):
  // the caller's mistake, never a 500 (issue #15).
  if (isServiceError(error) && error.code === status.INTERNAL && /^Request message serialization failure/.test(error.details)) {
    return gatewayError(400, 'INVALID_ARGUMENT', 'a request value is out of range for its field');
  }
  // UNKNOWN without the status details every platform service sends: no service answered it — the connection ended
  // mid-call (a backend killed while serving). Its effect is unknown: 502, retry (with the same Idempotency-Key).
  if (isServiceError(error) && error.code === status.UNKNOWN && error.metadata.get('grpc-status-details-bin').length === 0) {
    return gatewayError(502, 'BAD_GATEWAY', 'the backend service did not answer (its connection ended); retry with the same Idempotency-Key');
  }
  if (isServiceError(error)) return httpErrorFromStatus(decodeStatus(error));
  const e = error as FastifyLikeError;
  if (e && Array.isArray(e.validation)) {
    return gatewayError(
      400,
      'INVALID_ARGUMENT',
      `invalid ${e.validationContext ?? 'request'}`,
      violationsFromValidation(e.validationContext, e.validation as never),
    );
  }
  if (e?.statusCode === 413) return gatewayError(413, 'PAYLOAD_TOO_LARGE', 'request body too large');
  if (e?.statusCode === 415) return gatewayError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  if (e?.statusCode === 400) return gatewayError(400, 'INVALID_ARGUMENT', e.message || 'malformed request');
  if (e?.statusCode === 404) return gatewayError(404, 'NOT_FOUND', 'no such route');
  return gatewayError(500, 'INTERNAL', 'internal error');
}
