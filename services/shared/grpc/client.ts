// Client-side helpers: bearer-token metadata and promise wrappers for ts-proto's callback clients.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as grpc from '@grpc/grpc-js';
import { parseGrpcAddress } from '../config/config';
import { injectTraceContext } from '../telemetry/otel';

/**
 * Channel options for every platform client: keepalive pings detect a peer that vanished without closing its
 * socket (a host lost, not just a process), and the reconnect backoff is capped at 1 s so a long outage never
 * leaves a client waiting long after its server is back. (A 12 s outage test showed grpc-js's defaults already
 * reconnect within a second of a plain restart, so the gateway's 12 s of 503s after an approvals restart, seen in
 * issue #19, have another cause — not yet found.)
 */
export const clientChannelOptions: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.min_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
};

/**
 * The channel to a service from its address setting (config.ts `grpcAddress`): one `host:port` is dialled exactly
 * as before (DNS, the first address that answers); several instances' addresses (issue #19, "two of everything")
 * make one channel that keeps a connection to each and spreads calls round robin over those that are up, so an
 * instance that stops costs no more than its calls in flight. TLS verifies every instance's certificate against
 * BPS_GRPC_TLS_SERVER_NAME, else against the first address (grpc-js's authority for a list).
 */
export function serviceChannel(address: string): { target: string; options: grpc.ChannelOptions } {
  const parsed = parseGrpcAddress(address);
  if (typeof parsed === 'string') throw new Error(`gRPC address ${address}: ${parsed}`);
  if (parsed.kind === 'single') return { target: parsed.address, options: clientChannelOptions };
  return {
    target: `ipv${parsed.family}:${parsed.endpoints.join(',')}`,
    options: { ...clientChannelOptions, 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) },
  };
}

/** A client of a service (a ts-proto client class) at its address setting: one instance or several. */
export function serviceClient<C>(
  Ctor: new (target: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => C,
  address: string,
  credentials: grpc.ChannelCredentials,
): C {
  const { target, options } = serviceChannel(address);
  return new Ctor(target, credentials, options);
}

/** Metadata naming the HTTP route a call serves (set by the gateway), so a refusal's record says which route. */
export const HTTP_ROUTE_METADATA = 'x-bps-http-route';
const httpRoute = new AsyncLocalStorage<string>();

/** Runs `fn` with every backend call it makes marked as serving `route` ("POST /api/v1/cycles"). */
export function withHttpRoute<T>(route: string, fn: () => T): T {
  return httpRoute.run(route, fn);
}

/**
 * What the calls made on behalf of one request share (issue #19): the deadline of that request — an HTTP request's
 * remaining time at the gateway, the incoming call's deadline in a gRPC handler —, which no backend call made for
 * it may outlive; and, at the gateway only, the request's idempotency key (never passed on by a backend: a key
 * names the caller's request, not the backend's own calls).
 */
export type CallContext = {
  readonly deadline?: number;
  readonly idempotencyKey?: string;
  /** Set by the gRPC bootstrap for a call that may stop (it carries no idempotency key): whether its caller gave up. */
  readonly abandoned?: () => boolean;
  /**
   * Set by the gRPC bootstrap for a call that carries an idempotency key: the key's scope (method, caller, key). The
   * key's result is recorded after the handler returns, so a process killed in between leaves an effect the retry
   * would make again; an effect made elsewhere (a workflow update) carries this scope so that it lands once there.
   */
  readonly requestScope?: string;
};
const callContext = new AsyncLocalStorage<CallContext>();

/** Runs `fn` with every backend call it makes bounded by `context.deadline` and carrying its idempotency key. */
export function withCallContext<T>(context: CallContext, fn: () => T): T {
  return callContext.run(context, fn);
}

/** The idempotency scope of the call being served (see CallContext.requestScope), if it carries a key. */
export function currentRequestScope(): string | undefined {
  return callContext.getStore()?.requestScope;
}

/** The deadline (ms since the epoch) of the request being served, if any. */
export function currentDeadline(): number | undefined {
  return callContext.getStore()?.deadline;
}

/**
 * Call right before committing a change: throws (DEADLINE_EXCEEDED) when the call being served was given up by its
 * caller — deadline passed or cancelled — and carries no idempotency key, so that work which outlived its caller
 * stops instead of leaving an effect the caller never learns of (a retry would repeat it). A call with a key runs
 * to its end instead: its result is recorded and a retry gets it (services/shared/idempotency). Only the first
 * check of a call can stop it: once a call began committing, later checks pass (never half a change).
 */
export function stopIfAbandoned(): void {
  if (callContext.getStore()?.abandoned?.()) {
    const details = 'the caller gave up; nothing was changed';
    throw Object.assign(new Error(details), { code: grpc.status.DEADLINE_EXCEEDED, details });
  }
}

/** The gRPC metadata key carrying a call's idempotency key (see services/shared/idempotency). */
export const IDEMPOTENCY_KEY_METADATA = 'idempotency-key';

/** Metadata with the caller's token and the active trace context. */
export function callMetadata(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  const route = httpRoute.getStore();
  if (route) metadata.set(HTTP_ROUTE_METADATA, route);
  const key = callContext.getStore()?.idempotencyKey;
  if (key) metadata.set(IDEMPOTENCY_KEY_METADATA, key);
  for (const [k, v] of Object.entries(injectTraceContext())) metadata.set(k, v);
  return metadata;
}

// The last overload of a ts-proto unary method, which `bind` exposes to inference.
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/**
 * `await unary(client.getItem.bind(client), request, token)`; a deadline guards against a hung server: `timeoutMs`
 * from now, or the deadline of the request being served (`withCallContext`) if that comes first.
 */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, token?: string, timeoutMs = 30_000): Promise<Res> {
  const inherited = currentDeadline();
  const deadline = Math.min(Date.now() + timeoutMs, inherited ?? Number.POSITIVE_INFINITY);
  return new Promise((resolve, reject) => {
    method(request, callMetadata(token), { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}
