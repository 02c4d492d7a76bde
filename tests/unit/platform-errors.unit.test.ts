// Platform errors become gRPC statuses with google.rpc details that a client can read back.
import { describe, expect, it } from 'vitest';
import { status, type ServiceError } from '@grpc/grpc-js';
import { decodeStatus, toServiceError } from '../../services/shared/grpc/status';
import { ConcurrencyError, FailedPreconditionError, NotFoundError, TransientError, ValidationError, isRetriable } from '../../services/shared/errors/errors';
import { fromKafkaMessage, toKafkaMessage } from '../../services/shared/kafka/cloudevents';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { KafkaJSConnectionError } from 'kafkajs';

const roundTrip = (error: unknown) => decodeStatus(toServiceError(error) as ServiceError);

describe('error mapping at the gRPC edge', () => {
  it('ValidationError → INVALID_ARGUMENT with BadRequest field violations', () => {
    const decoded = roundTrip(new ValidationError([{ field: 'effective_from', description: 'must be a real date', reason: 'INVALID_DATE' }]));
    expect(decoded.code).toBe(status.INVALID_ARGUMENT);
    expect(decoded.reason).toBe('VALIDATION_FAILED');
    expect(decoded.fieldViolations).toEqual([{ field: 'effective_from', description: 'must be a real date', reason: 'INVALID_DATE' }]);
  });

  it('FailedPreconditionError carries its violations; ConcurrencyError carries the current revision', () => {
    const below = roundTrip(
      new FailedPreconditionError('below the national floor', [
        { type: 'BELOW_FLOOR', subject: 'HEA-01/funding_per_capita', description: 'required ≥ 40, got 35' },
      ]),
    );
    expect(below.code).toBe(status.FAILED_PRECONDITION);
    expect(below.preconditionViolations[0]).toMatchObject({ type: 'BELOW_FLOOR', subject: 'HEA-01/funding_per_capita' });
    const stale = roundTrip(new ConcurrencyError('stale revision', 7));
    expect(stale.code).toBe(status.ABORTED);
    expect(stale.metadata['currentRevision']).toBe('7');
  });

  it('NotFound, transient and unknown errors', () => {
    expect(roundTrip(new NotFoundError('service item', 'XYZ-99')).code).toBe(status.NOT_FOUND);
    expect(roundTrip(new TransientError('broker down')).code).toBe(status.UNAVAILABLE);
    const unknown = toServiceError(new Error('secret internals'));
    expect(unknown.code).toBe(status.INTERNAL);
    expect(unknown.details).toBe('internal error'); // internals never leak to callers
    expect(isRetriable(new TransientError('x'))).toBe(true);
    expect(isRetriable(new ValidationError([]))).toBe(false);
  });

  it('a database, Kafka or Temporal outage is UNAVAILABLE (retry), not INTERNAL, and leaks nothing', () => {
    const outages: Error[] = [
      new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed'),
      Object.assign(new Error('Server selection timed out after 10000 ms'), { name: 'MongoServerSelectionError' }),
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'),
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { name: 'ServiceError', code: status.UNAVAILABLE }),
      new Error('projection failed', { cause: new MongoNetworkError('socket hang up') }),
      // @temporalio/client's ServiceError wrapping grpc-js's error (seen when Temporal restarted under the chaos suite)
      Object.assign(
        new Error('Failed to list workflows', {
          cause: Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14, details: 'Connection dropped' }),
        }),
        {
          name: 'ServiceError',
        },
      ),
    ];
    for (const outage of outages) {
      const decoded = roundTrip(outage);
      expect(decoded.code, outage.message).toBe(status.UNAVAILABLE);
      expect(decoded.message).not.toContain('127.0.0.1');
    }
    expect(roundTrip(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 })).code).toBe(status.INTERNAL);
  });
});

describe('CloudEvents Kafka binding', () => {
  it('round-trips every attribute through headers and refuses a message without ce_id', () => {
    const event = {
      specversion: '1.0' as const,
      id: 'e1',
      type: 'bps.standard.version.published',
      source: '/bps/registry',
      subject: 'releases/R1',
      time: '2026-11-22T00:00:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:proto:bps.standards.v1.VersionPublished',
      data: Buffer.from('{}'),
      key: 'R1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    const message = toKafkaMessage(event);
    const back = fromKafkaMessage({
      ...message,
      key: Buffer.from('R1'),
      value: message.value as Buffer,
      headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))])),
      offset: '0',
      attributes: 0,
      timestamp: '0',
    } as never);
    expect(back).toEqual({ ...event, tracestate: undefined });
    expect(() =>
      fromKafkaMessage({
        key: null,
        value: Buffer.from('x'),
        headers: { ce_specversion: Buffer.from('1.0') },
        offset: '0',
        attributes: 0,
        timestamp: '0',
      } as never),
    ).toThrow(/ce_id/);
  });
});
