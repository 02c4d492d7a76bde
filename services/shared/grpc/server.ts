// gRPC server bootstrap: authentication, error mapping and tracing around every handler, plus the standard
// health service, server reflection, the Identity service, and graceful shutdown.
import { fileURLToPath } from 'node:url';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { SpanKind } from '@opentelemetry/api';
import { IdentityServiceService, type IdentityServiceServer } from '../../../proto/gen/bps/identity/v1/identity';
import type { Identity, TokenVerifier } from '../auth/identity';
import { errorMessage, PlatformError, UnauthenticatedError, ValidationError, type FieldViolation } from '../errors/errors';
import type { Logger } from '../log/logger';
import { currentTraceId, extractTraceContext, inSpan } from '../telemetry/otel';
import { clip, dateViolations, textViolations } from '../validation/input';
import { HTTP_ROUTE_METADATA, IDEMPOTENCY_KEY_METADATA, withCallContext } from './client';
import { checkIdempotencyKey, requestDigest, type IdempotencyStore } from '../idempotency/idempotency';
import { PortReflection, serviceNameOf } from './reflection';
import { monitorDependencies, type DependencyCheck, type HealthCheckTiming } from './health';
import { rpcMetricsInterceptor } from './metrics';
import { targetOf, type RefusalRecorder } from './refusals';
import { decodeStatus, toServiceError } from './status';
import { checkWire, requestTypes } from './wire';
import { grpcServerCredentials, type GrpcTls } from './tls';
import type protobuf from 'protobufjs';

/** What requestDeserialize yields for bytes that are not the method's message: answered INVALID_ARGUMENT, not INTERNAL. */
const undecodable = Symbol('undecodable request');
type Undecodable = { readonly [undecodable]: readonly FieldViolation[] };

const notDecodable = (why: string): FieldViolation[] => [
  { field: 'request', description: `not a valid protobuf encoding of the request message (${clip(why, 120)})`, reason: 'UNDECODABLE' },
];

/** Reads the wire strictly against the request type (./wire.ts), then decodes; never throws. */
function tolerantDeserialize(deserialize: (bytes: Buffer) => unknown, requestType: protobuf.Type): (bytes: Buffer) => unknown {
  return (bytes) => {
    const wire = checkWire(requestType, bytes);
    if (!wire.ok) return { [undecodable]: wire.malformed !== undefined ? notDecodable(wire.malformed) : wire.violations } satisfies Undecodable;
    try {
      return deserialize(bytes);
    } catch (error) {
      return { [undecodable]: notDecodable(errorMessage(error)) } satisfies Undecodable;
    }
  };
}

/** Refuses a request that did not decode, whose text breaks the platform's rules or whose dates do not exist, lie out of range or run backwards (issue #15), before any handler. */
export function checkRequest(request: unknown): void {
  if (request && typeof request === 'object' && undecodable in request) {
    throw new ValidationError([...(request as Undecodable)[undecodable]]);
  }
  const violations = [...textViolations(request), ...dateViolations(request)];
  if (violations.length > 0) throw new ValidationError(violations);
}

export const protoRoot = fileURLToPath(new URL('../../../proto', import.meta.url));

const identities = new WeakMap<object, Identity>();

/** The verified identity of the caller of `call`; set by the bootstrap before any handler runs. */
export function identityOf(call: object): Identity {
  const identity = identities.get(call);
  if (!identity) throw new Error('identityOf() called outside an authenticated gRPC handler');
  return identity;
}

export type ServiceRegistration = {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
};

function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const v = metadata.get(key)[0];
  return v === undefined ? undefined : v.toString();
}

/**
 * Statuses that are refusals of the caller (who they are, what they may do, a rule — input rules and uniqueness
 * included —, what they may see): audited. ABORTED (a stale revision: try again) and server errors are not refusals.
 */
const auditedStatuses: ReadonlyMap<number, string> = new Map([
  [grpc.status.UNAUTHENTICATED, 'UNAUTHENTICATED'],
  [grpc.status.PERMISSION_DENIED, 'PERMISSION_DENIED'],
  [grpc.status.FAILED_PRECONDITION, 'FAILED_PRECONDITION'],
  [grpc.status.NOT_FOUND, 'NOT_FOUND'],
  [grpc.status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
  [grpc.status.ALREADY_EXISTS, 'ALREADY_EXISTS'],
]);

const traceIdOfHeader = (traceparent: string | undefined): string | undefined =>
  /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '')?.[1];

/** The idempotency key a call carries (metadata `idempotency-key`), if any. */
export function idempotencyKeyOf(call: { metadata: grpc.Metadata }): string | undefined {
  return metadataValue(call.metadata, IDEMPOTENCY_KEY_METADATA) || undefined;
}

/** A call's deadline in ms since the epoch, or undefined when it has none. */
function deadlineOf(call: { getDeadline(): grpc.Deadline; readonly cancelled: boolean }): number | undefined {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Whether the caller gave up on a call: cancelled, or its deadline passed. */
function abandoned(call: { getDeadline(): grpc.Deadline; readonly cancelled: boolean }): boolean {
  const deadline = deadlineOf(call);
  return call.cancelled || (deadline !== undefined && deadline <= Date.now());
}

/** A call whose caller gave up (deadline passed, or cancelled) before the handler began is not started. */
function assertWanted(call: { getDeadline(): grpc.Deadline; readonly cancelled: boolean }): void {
  if (abandoned(call)) {
    throw Object.assign(new Error('the caller gave up before the call began'), {
      code: grpc.status.DEADLINE_EXCEEDED,
      details: 'the caller gave up before the call began',
    });
  }
}

function wrap(
  name: string,
  method: grpc.MethodDefinition<unknown, unknown>,
  handler: (...args: any[]) => unknown,
  tokens: TokenVerifier,
  logger: Logger,
  refusals?: RefusalRecorder,
  idempotency?: IdempotencyStore,
): (...args: any[]) => void {
  const path = method.path;
  // The trace id of each call's server span, read inside the span (a refusal is recorded after it has ended).
  const traceIds = new WeakMap<object, string>();
  const authenticate = async (call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): Promise<void> => {
    const traceId = currentTraceId();
    if (traceId) traceIds.set(call, traceId);
    identities.set(call, await tokens.verifyHeader(metadataValue(call.metadata, 'authorization')));
  };
  const traced = <T>(call: { metadata: grpc.Metadata }, fn: () => Promise<T>): Promise<T> =>
    inSpan(
      path,
      {
        kind: SpanKind.SERVER,
        parent: extractTraceContext({ traceparent: metadataValue(call.metadata, 'traceparent'), tracestate: metadataValue(call.metadata, 'tracestate') }),
        attributes: { 'rpc.system': 'grpc', 'rpc.service': name, 'rpc.method': method.originalName ?? path },
      },
      fn,
    );
  const report = (error: unknown): Partial<grpc.ServiceError> => {
    if (!(error instanceof PlatformError)) logger.error({ err: error instanceof Error ? error.stack : String(error), path }, 'unhandled error in gRPC handler');
    else logger.info({ path, code: error.code, err: errorMessage(error) }, 'request refused');
    return toServiceError(error);
  };
  /** Puts a refusal on record (issue #14); `answer` is the status the caller gets. */
  const audit = (call: { metadata: grpc.Metadata; request?: unknown }, error: unknown, answer: Partial<grpc.ServiceError>): Partial<grpc.ServiceError> => {
    const code = answer.code === undefined ? undefined : auditedStatuses.get(answer.code);
    if (!refusals || code === undefined) return answer;
    const decoded = answer.metadata ? decodeStatus(answer as grpc.ServiceError) : undefined;
    const authorization = metadataValue(call.metadata, 'authorization');
    const identity = identities.get(call);
    refusals.record({
      ...(identity ? { identity } : {}),
      presentedToken: /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1],
      operation: path,
      httpRoute: metadataValue(call.metadata, HTTP_ROUTE_METADATA),
      target: call.request === undefined ? undefined : targetOf(call.request),
      code,
      reason: error instanceof UnauthenticatedError ? error.refusal : (decoded?.reason ?? code),
      message: answer.details ?? answer.message ?? '',
      traceId: traceIds.get(call) ?? traceIdOfHeader(metadataValue(call.metadata, 'traceparent')),
    });
    return answer;
  };

  if (!method.requestStream && !method.responseStream) {
    return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      void traced(call, async () => {
        await authenticate(call);
        checkRequest(call.request);
        const deadline = deadlineOf(call);
        const key = idempotencyKeyOf(call);
        // Backend calls the handler makes inherit this call's deadline (and never the caller's idempotency key); a
        // call without a key may stop before committing once its caller gave up (`stopIfAbandoned`).
        // Only before the call's first commit: once it began changing things it finishes (never half a change).
        let committing = false;
        const mayStop = (): boolean => {
          if (committing) return false;
          if (abandoned(call)) return true;
          committing = true;
          return false;
        };
        const context = {
          ...(deadline === undefined ? {} : { deadline }),
          ...(key === undefined ? { abandoned: mayStop } : { requestScope: JSON.stringify([path, identityOf(call).subject, key]) }),
        };
        const run = (): Promise<unknown> =>
          withCallContext(
            context,
            () =>
              new Promise<unknown>((resolve, reject) => {
                try {
                  const result = handler(call, (err: grpc.ServiceError | null, value?: unknown) => (err ? reject(err) : resolve(value)));
                  if (result instanceof Promise) result.catch(reject);
                } catch (error) {
                  reject(error);
                }
              }),
          );
        if (key === undefined) {
          assertWanted(call);
          return run();
        }
        if (!idempotency) {
          throw Object.assign(new Error(`${name} does not record idempotency keys`), {
            code: grpc.status.UNIMPLEMENTED,
            details: `${name} does not record idempotency keys`,
          });
        }
        // With an idempotency key the call, once begun, runs to its end even if its caller gives up: its result
        // is recorded and a retry gets it.
        checkIdempotencyKey(key);
        const scope = { method: path, subject: identityOf(call).subject, key };
        const encoded = await idempotency.once(
          scope,
          requestDigest(method.requestSerialize(call.request)),
          async () => {
            assertWanted(call);
            return method.responseSerialize(await run());
          },
          deadline,
        );
        return method.responseDeserialize(Buffer.from(encoded));
      }).then(
        (value) => callback(null, value),
        (error: unknown) =>
          callback(
            audit(
              call,
              error,
              error instanceof PlatformError || !(error as grpc.ServiceError)?.code ? report(error) : (error as grpc.ServiceError),
            ) as grpc.ServiceError,
          ),
      );
    };
  }
  if (!method.requestStream && method.responseStream) {
    return (call: grpc.ServerWritableStream<unknown, unknown>) => {
      void traced(call, async () => {
        await authenticate(call);
        checkRequest(call.request);
        await handler(call);
      }).catch((error: unknown) => call.emit('error', audit(call, error, report(error)))); // destroy() would never send the status
    };
  }
  // Client and bidi streams: authenticate, then hand over.
  return (call: grpc.ServerDuplexStream<unknown, unknown>) => {
    tokens.verifyHeader(metadataValue(call.metadata, 'authorization')).then(
      (identity) => {
        identities.set(call, identity);
        handler(call);
      },
      (error: unknown) => call.emit('error', audit(call, error, report(error))),
    );
  };
}

export function protoFiles(dir: string = protoRoot): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'gen' ? [] : protoFiles(full);
    return entry.endsWith('.proto') ? [relative(protoRoot, full)] : [];
  });
}

export type GrpcServer = { readonly port: number; readonly health: HealthImplementation; shutdown(): Promise<void> };

export async function startGrpcServer(options: {
  serviceName: string;
  host?: string;
  port: number;
  services: readonly ServiceRegistration[];
  tokens: TokenVerifier;
  logger: Logger;
  /** Puts every refusal at this edge on record (bps.access.refused through the service's outbox). */
  refusals?: RefusalRecorder;
  /**
   * Where unary calls carrying an idempotency key (metadata `idempotency-key`) record their results, so a retry
   * returns the first result (issue #19). Without it such keys are refused (UNIMPLEMENTED).
   */
  idempotency?: IdempotencyStore;
  /** What the service cannot serve without: health answers NOT_SERVING while one of them is down (./health.ts). */
  dependencies?: readonly DependencyCheck[];
  healthCheck?: HealthCheckTiming;
  /** Mutual TLS (./tls.ts): clients must present a certificate signed by the CA. Without it, plaintext (development). */
  tls?: GrpcTls | undefined;
}): Promise<GrpcServer> {
  const { logger, tokens } = options;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024, interceptors: [rpcMetricsInterceptor] });

  const identityService: IdentityServiceServer = {
    whoAmI: (call, callback) => {
      const identity = identityOf(call);
      callback(null, { actor: { subject: identity.subject, organisation: identity.organisation, roles: [...identity.roles] }, service: options.serviceName });
    },
  };
  const all: ServiceRegistration[] = [...options.services, { definition: IdentityServiceService, implementation: identityService }];
  const requestTypeOf = requestTypes(protoRoot, protoFiles(protoRoot));
  for (const { definition, implementation } of all) {
    const wrapped: grpc.UntypedServiceImplementation = {};
    const tolerant: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [key, method] of Object.entries(definition)) {
      const requestType = requestTypeOf(method.path);
      if (!requestType) throw new Error(`${options.serviceName}: ${method.path} is not defined in proto/`);
      tolerant[key] = { ...method, requestDeserialize: tolerantDeserialize(method.requestDeserialize, requestType) };
      const handler = implementation[key];
      if (typeof handler !== 'function') throw new Error(`${options.serviceName}: no handler for ${method.path}`);
      wrapped[key] = wrap(options.serviceName, method, handler, tokens, logger, options.refusals, options.idempotency) as grpc.UntypedHandleCall;
    }
    server.addService(tolerant as grpc.ServiceDefinition, wrapped);
  }

  // Health (grpc.health.v1) and reflection answer without a token, as clients and probes expect.
  const health = new HealthImplementation({ '': 'SERVING' });
  const served = all.map(({ definition }) => serviceNameOf(definition)).filter((name): name is string => name !== undefined);
  for (const serviceFullName of served) health.setStatus(serviceFullName, 'SERVING');
  health.addToServer(server);
  const dependencies = await monitorDependencies(health, served, options.dependencies ?? [], logger, options.healthCheck);
  // Keys past their retention go (services/shared/idempotency).
  const stopSweeping = options.idempotency?.startSweeping(logger);
  // Reflection serves complete descriptors of exactly this port's services (and health, reflection).
  new PortReflection(served).addToServer(server);

  const address = `${options.host ?? '127.0.0.1'}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpcServerCredentials(options.tls), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  logger.info({ port, tls: options.tls ? 'mutual' : 'off' }, `${options.serviceName} gRPC listening`);

  return {
    port,
    health,
    shutdown: () =>
      new Promise<void>((resolve) => {
        dependencies.stop();
        stopSweeping?.();
        health.setStatus('', 'NOT_SERVING');
        const force = setTimeout(() => server.forceShutdown(), 10_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
