// gRPC test helpers shared by the integration tests.
import type * as grpc from '@grpc/grpc-js';

/** The error a call was refused with; fails the test if the call succeeded. */
export function refused(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  return promise.then(() => { throw new Error('expected the call to be refused'); }, (e: grpc.ServiceError) => e);
}
