// Client-side helpers: bearer-token metadata and promise wrappers for ts-proto's callback clients.
import * as grpc from '@grpc/grpc-js';
import { injectTraceContext } from '../telemetry/otel';

/** Metadata with the caller's token and the active trace context. */
export function callMetadata(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  for (const [k, v] of Object.entries(injectTraceContext())) metadata.set(k, v);
  return metadata;
}

// The last overload of a ts-proto unary method, which `bind` exposes to inference.
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** `await unary(client.getItem.bind(client), request, token)`; a deadline guards against a hung server. */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, token?: string, timeoutMs = 30_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, callMetadata(token), { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}
