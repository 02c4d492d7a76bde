// gRPC test helpers shared by the integration tests: the one "must be refused" helper.
import type * as grpc from '@grpc/grpc-js';
import { decodeStatus } from '../../services/shared/grpc/status';

/** The error a call was refused with; fails the test if the call succeeded. */
export function refused(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  return promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: grpc.ServiceError) => e,
  );
}

/** The refusal decoded (code, reason, field and precondition violations); fails the test if the call succeeded. */
export function refusal(promise: Promise<unknown>): Promise<ReturnType<typeof decodeStatus>> {
  return refused(promise).then(decodeStatus);
}
