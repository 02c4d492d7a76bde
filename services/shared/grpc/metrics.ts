// rpc.server.duration for every inbound call on a port (the platform's services, health, reflection): a server
// interceptor times each call from its start to the status it ends with.
import * as grpc from '@grpc/grpc-js';
import { recordRpc } from '../telemetry/metrics';

export const rpcMetricsInterceptor: grpc.ServerInterceptor = (method, call) => {
  const started = performance.now();
  return new grpc.ServerInterceptingCall(call, {
    sendStatus: (status, next) => {
      recordRpc(method.path, status.code, performance.now() - started);
      next(status);
    },
  });
};
