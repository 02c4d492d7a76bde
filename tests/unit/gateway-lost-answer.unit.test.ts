// A backend call whose connection ended mid-call (the backend was killed while serving it) surfaces in grpc-js as
// UNKNOWN without any status details: the gateway answers 502 (the effect is unknown, retry with the key), not 500
// — the chaos suite saw a submit answered 500 when the proposals service was killed during it (issue #19).
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../services/gateway/http/grpc-errors';
import { toServiceError } from '../../services/shared/grpc/status';

const serviceError = (code: number, details: string, metadata = new Metadata()): ServiceError =>
  Object.assign(new Error(`${code} ${details}`), { code, details, metadata }) as ServiceError;

describe('gateway: a backend answer that never came', () => {
  it('is 502 BAD_GATEWAY when the connection ended mid-call', () => {
    const lost = toHttpError(serviceError(status.UNKNOWN, 'This socket has been ended by the other party'));
    expect(lost.status).toBe(502);
    expect(lost.body.error.code).toBe('BAD_GATEWAY');
  });

  it("keeps a service's own statuses: INTERNAL is 500, UNAVAILABLE 503, an UNKNOWN with details stays 500", () => {
    const fromService = (thrown: unknown) => {
      const e = toServiceError(thrown);
      const metadata = e.metadata ?? new Metadata();
      return toHttpError(serviceError(e.code!, e.details ?? '', metadata));
    };
    expect(fromService(new Error('bug')).status).toBe(500);
    const withDetails = new Metadata();
    withDetails.set('grpc-status-details-bin', Buffer.from([]));
    expect(toHttpError(serviceError(status.UNKNOWN, 'x', withDetails)).status).toBe(500);
    expect(toHttpError(serviceError(status.UNAVAILABLE, 'down')).status).toBe(503);
  });
});
