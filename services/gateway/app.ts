// Builds the gateway from explicit dependencies: fastify with the JSON API over the gRPC services, the OpenAPI
// document, the web console, the token issuer's public keys (/.well-known/jwks.json) and, in development only,
// persona sign-in with the development issuer. main.ts only reads config and calls startGateway.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DevIssuer } from '../shared/auth/dev-issuer';
import type { Identity, TokenVerifier } from '../shared/auth/identity';
import type { ServiceTokenSource } from '../shared/auth/service-tokens';
import etag from '@fastify/etag';
import { CommentLimiter, consultationRoutes, type CommentRateLimit } from './api/consultation-routes';
import { PUBLIC_CACHE_CONTROL, publicView } from './http/public-view';
import type { JSONWebKeySet } from 'jose';
import { parseDecisionKeys } from '../shared/events/decision-signature';
import type { Logger } from '../shared/log/logger';
import { Backends, type BackendAddresses } from './adapters/backends';
import { Readiness } from './adapters/readiness';
import { recordHttp } from '../shared/telemetry/metrics';
import { auditRoutes } from './api/audit-routes';
import { authRoutes } from './api/auth-routes';
import { cycleRoutes } from './api/cycles-routes';
import { inboxRoutes } from './api/inbox-routes';
import { programmeRoutes } from './api/programme-routes';
import { proposalRoutes } from './api/proposals-routes';
import { registryRoutes } from './api/registry-routes';
import { subscriptionRoutes } from './api/subscriptions-routes';
import { monitoringRoutes } from './api/monitoring-routes';
import { editionRoutes } from './api/edition-routes';
import { GatewayHttpError, RawBody, type ApiRoute } from './http/api';
import { parseCookies, parseForm } from './http/cookies';
import { gatewayError, MAX_FIELD_VIOLATIONS, type FieldViolationBody, type HttpError } from './http/errors';
import { toHttpError } from './http/grpc-errors';
import { buildOpenApi } from './http/openapi';
import { ProtoSchemas } from './http/proto-schema';
import { TokenBuckets } from './http/rate-limit';
import { boundSchema, convertTextValues, int64Formats, undecodableQueryParameters } from './http/strict-input';
import { registerConsole } from './web/console';
import { clip, textViolations } from '../shared/validation/input';
import { withCallContext, withHttpRoute } from '../shared/grpc/client';
import type { GrpcTls } from '../shared/grpc/tls';
import { hostService, type ServiceHost } from '../shared/runtime/host';
import { status as grpcStatus } from '@grpc/grpc-js';

export type GatewayDeps = {
  /** 0 = any free port */
  port: number;
  host?: string;
  tokens: TokenVerifier;
  /** The development issuer: persona sign-in exists only with it, and never in production. */
  devIssuer?: DevIssuer | undefined;
  /** The token issuer's public keys, served at /.well-known/jwks.json (absent when the IdP publishes its own). */
  jwks?: { keys: readonly object[] } | undefined;
  logger: Logger;
  environment: 'development' | 'test' | 'production';
  backends: BackendAddresses;
  bodyLimitBytes?: number;
  rateLimit?: { burst: number; perSecond: number };
  /** Public consultation comments per client address (api/consultation-routes.ts; default 5, then 1 a minute). */
  commentRateLimit?: CommentRateLimit;
  backendTimeoutMs?: number;
  /** mTLS to the backends (BPS_GRPC_TLS_*; required in production): the CA, the gateway's certificate and key. */
  grpcTls?: GrpcTls | undefined;
  now?: () => number;
  /** The decision verification keys (public JWKS) published at /.well-known/bps-decision-keys.json. */
  decisionPublicJwks?: string | JSONWebKeySet;
  /**
   * The public portal's read-only account (serviceAccounts.publicReader): with it, the published standard (routes
   * and pages marked public) is readable without sign-in. Without it, every route needs a token.
   */
  publicReader?: ServiceTokenSource;
};

export type RunningGateway = {
  readonly httpPort: number;
  readonly url: string;
  readonly app: FastifyInstance;
  /** Every route registered (JSON API, console pages, documents), as method + fastify path; HEAD twins left out. */
  readonly routes: readonly { readonly method: string; readonly url: string }[];
  stop(): Promise<void>;
};

/** Idempotency keys: what the backends accept as a request id. */
const idempotencyHeaderSchema = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' } },
};

export type RequestAuth = {
  token: string | undefined;
  identity: Identity | undefined;
  tokenInvalid: boolean;
  /** When the request arrived (ms since the epoch): its backend calls must end within the gateway's budget from here. */
  receivedAt: number;
};

declare module 'fastify' {
  interface FastifyRequest {
    bps: RequestAuth;
  }
}

export const TOKEN_COOKIE = 'bps_token';
export const VERSION = '0.1.0';
export const DECISION_KEYS_PATH = '/.well-known/bps-decision-keys.json';

const privateJwkMembers = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);
const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

const isApi = (url: string): boolean => url.startsWith('/api/') || url === '/openapi.json' || url.startsWith('/openapi.json?');

/** Control characters, separators, lone surrogates and over-long identifiers anywhere in the request (issue #15). */
function requestTextViolations(req: FastifyRequest): FieldViolationBody[] {
  return [req.params, req.query, req.body]
    .flatMap((part) => textViolations(part, { style: 'json' }))
    .map((v) => ({ field: v.field, description: v.description }));
}

function sendError(reply: FastifyReply, http: HttpError): FastifyReply {
  for (const [k, v] of Object.entries(http.headers ?? {})) void reply.header(k, v);
  return reply.code(http.status).type('application/json; charset=utf-8').send(http.body);
}

export function startGateway(deps: GatewayDeps): Promise<RunningGateway> {
  return hostService({ name: 'gateway', logger: deps.logger }, (host) => declareGateway(host, deps));
}

async function declareGateway(host: ServiceHost, deps: GatewayDeps): Promise<Omit<RunningGateway, 'stop'>> {
  const { logger, tokens } = deps;
  const backendTimeoutMs = deps.backendTimeoutMs ?? 15_000;
  const backends = new Backends(deps.backends, backendTimeoutMs, deps.grpcTls);
  host.onStop('backends', () => backends.close());
  const readiness = new Readiness(deps.backends, undefined, deps.grpcTls);
  host.onStop('readiness', () => readiness.close());
  const schemas = new ProtoSchemas();
  const buckets = new TokenBuckets(deps.rateLimit?.burst ?? 120, deps.rateLimit?.perSecond ?? 20, deps.now);
  if (deps.environment === 'production' && deps.devIssuer) throw new Error('the development issuer is refused in production');
  if (deps.environment !== 'production' && !isLoopback(deps.host ?? '127.0.0.1'))
    throw new Error(`in ${deps.environment} mode the gateway binds to loopback only (got ${deps.host})`);
  const devIssuer = deps.environment === 'production' ? undefined : deps.devIssuer;
  const publicJwks = deps.jwks
    ? { keys: deps.jwks.keys.map((k) => Object.fromEntries(Object.entries(k).filter(([name]) => !privateJwkMembers.has(name)))) }
    : undefined;

  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 256 * 1024,
    // No coercion anywhere (issue #15): querystring and path texts are converted strictly by convertTextValues.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false, useDefaults: true, formats: int64Formats } },
    // Router-level refusals (a malformed URL) answer with the documented error body and never echo the path.
    frameworkErrors: (error, req, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      const http = status === 414 ? gatewayError(414, 'URI_TOO_LONG', 'request URL too long') : gatewayError(400, 'INVALID_ARGUMENT', 'malformed request URL');
      void sendError(reply, http);
    },
    // Refusals before any request exists (headers or URL over Node's limit, a malformed request line): same body.
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      if (!socket.writable) return;
      const [status, code, text] =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'Request Header Fields Too Large']
          : [400, 'INVALID_ARGUMENT', 'Bad Request'];
      const body = JSON.stringify(gatewayError(status, code, status === 431 ? 'request line or headers too large' : 'malformed HTTP request').body);
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    },
  });
  host.onStop('http server', () => app.close());
  // Strong ETags on every answer: a client (or a cache in front of the public portal) revalidates with 304.
  await app.register(etag);
  const routeTable: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url });
  });
  app.decorateRequest('bps', null as unknown as RequestAuth);
  // The API speaks JSON only; Fastify's default text/plain parser would turn a text body into a schema refusal
  // ("body must be object") instead of the 415 it is.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(String(body))));

  // Identity first (a signature check and a directory look-up), so rate limiting can key on the verified subject rather than a forgeable token.
  app.addHook('onRequest', async (req, reply) => {
    const receivedAt = Date.now();
    const header = req.headers.authorization;
    const fromHeader = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    // The console authenticates with its cookie; the JSON API only with the Authorization header.
    const token = fromHeader ?? (isApi(req.url) ? undefined : parseCookies(req.headers.cookie)[TOKEN_COOKIE]);
    let identity: Identity | undefined;
    let tokenInvalid = header !== undefined && !fromHeader;
    if (token) {
      try {
        identity = await tokens.verify(token);
      } catch {
        tokenInvalid = true;
      }
    }
    req.bps = { token: identity ? token : undefined, identity, tokenInvalid, receivedAt };
    if (req.url.startsWith('/assets/') || req.url === '/healthz' || req.url === '/readyz') return;
    const decision = buckets.take(identity ? `sub:${identity.subject}` : `ip:${req.ip}`);
    if (!decision.allowed) {
      void reply.header('retry-after', String(decision.retryAfterSeconds));
      return sendError(reply, gatewayError(429, 'RATE_LIMITED', `too many requests; retry after ${decision.retryAfterSeconds}s`));
    }
    void reply.header('ratelimit-remaining', String(decision.remaining));
  });

  // http.server.duration by method, route template (never the raw URL) and status.
  app.addHook('onResponse', async (req, reply) => {
    recordHttp(req.method, req.routeOptions.url ?? '(unmatched)', reply.statusCode, reply.elapsedTime);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'same-origin');
    if (!isApi(req.url)) {
      void reply.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
      );
      void reply.header('x-frame-options', 'DENY');
    }
    return payload;
  });

  const commentLimiter = new CommentLimiter(deps.commentRateLimit, deps.now);
  const consolePages = registerConsole(app, { backends, devIssuer, logger, publicReader: deps.publicReader, commentLimiter });

  app.setErrorHandler((error, req, reply) => {
    const http = toHttpError(error);
    // A schema refusal also names the text problems, so the caller sees every bad field at once.
    if (Array.isArray((error as { validation?: unknown }).validation) && http.status === 400) {
      const extra = requestTextViolations(req);
      if (extra.length > 0) http.body.error.fieldViolations = [...(http.body.error.fieldViolations ?? []), ...extra].slice(0, MAX_FIELD_VIOLATIONS);
    }
    if (http.status >= 500) req.log.error({ err: error, url: req.url }, 'request failed');
    if (isApi(req.url)) return sendError(reply, http);
    return consolePages.renderError(req, reply, http);
  });
  app.setNotFoundHandler((req, reply) => {
    const http = gatewayError(404, 'NOT_FOUND', `no route ${req.method} ${clip(req.url.split('?')[0] ?? '', 200)}`);
    if (isApi(req.url)) return sendError(reply, http);
    return consolePages.renderError(req, reply, http);
  });

  /**
   * Refusals the gateway makes itself (no token, or one that does not verify) are put on record by the audit
   * service's edge: the refused credentials are presented to its WhoAmI, marked with the route, and its edge records
   * the UNAUTHENTICATED refusal (bps.access.refused, http_route set; coalesced like every refusal). Never delays
   * or changes the answer; a refusal that cannot be recorded is logged.
   */
  const recordGatewayRefusal = (httpRoute: string, authorization: string | undefined): void => {
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    withHttpRoute(httpRoute, () =>
      backends.call('identity', (c) => c.whoAmI.bind(c), {}, presented ?? (authorization ? clip(authorization, 4096) : undefined)),
    ).then(
      () => logger.warn({ httpRoute }, 'a token the gateway refused was accepted by the audit service'),
      (error: unknown) => {
        if ((error as { code?: number }).code !== grpcStatus.UNAUTHENTICATED)
          logger.warn({ httpRoute, err: String(error) }, 'gateway refusal not put on record');
      },
    );
  };

  const routes: ApiRoute[] = [
    ...authRoutes(devIssuer, schemas),
    ...registryRoutes(backends, schemas),
    ...proposalRoutes(backends, schemas),
    ...consultationRoutes(backends, schemas, commentLimiter),
    ...inboxRoutes(backends, schemas),
    ...cycleRoutes(backends, schemas),
    ...subscriptionRoutes(backends, schemas),
    ...auditRoutes(backends, schemas),
    ...programmeRoutes(backends, schemas),
    ...monitoringRoutes(backends),
    ...editionRoutes(backends, schemas),
  ].map((route) => ({
    ...route,
    // Every authenticated POST/PUT/PATCH/DELETE accepts an Idempotency-Key (issue #19); sign-in has no caller to scope it to.
    idempotent: route.idempotent ?? (route.auth === true && route.method !== 'GET'),
  }));
  for (const route of routes) {
    const params = route.params ? boundSchema(route.params) : undefined;
    const querystring = route.querystring ? boundSchema(route.querystring) : undefined;
    const body = route.body ? boundSchema(route.body) : undefined;
    app.route({
      method: route.method,
      url: route.url,
      schema: {
        ...(params ? { params } : {}),
        ...(querystring ? { querystring } : {}),
        ...(body ? { body } : {}),
        ...(route.idempotent ? { headers: idempotencyHeaderSchema } : {}),
      },
      // Who before what (issue #15): a request without a valid token is refused before its body is read or checked,
      // so an anonymous caller learns nothing about the route's schema.
      onRequest: async (req: FastifyRequest) => {
        const visitor = route.auth === 'public' && deps.publicReader !== undefined && !req.bps.identity && !req.bps.tokenInvalid;
        if (route.auth && !req.bps.identity && !visitor) {
          recordGatewayRefusal(`${route.method} ${route.url}`, req.headers.authorization);
          throw new GatewayHttpError(
            gatewayError(
              401,
              'UNAUTHENTICATED',
              req.bps.tokenInvalid ? 'invalid or expired bearer token' : 'a bearer token is required (Authorization: Bearer <JWT>)',
            ),
          );
        }
        const undecodable = undecodableQueryParameters(req.url);
        if (undecodable.length > 0) throw GatewayHttpError.invalid(undecodable);
      },
      preValidation: async (req: FastifyRequest) => {
        convertTextValues(req.params as Record<string, unknown>, params);
        convertTextValues(req.query as Record<string, unknown>, querystring);
        if (route.bodyOptional) req.body ??= {};
      },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const textProblems = requestTextViolations(req);
        if (textProblems.length > 0) throw GatewayHttpError.invalid(textProblems);
        // A visitor of the public portal reads through the portal's own account and sees no one's personal details.
        const visitor = route.auth === 'public' && !req.bps.identity;
        const token = visitor ? await deps.publicReader!.token() : req.bps.token;
        // The request's budget bounds every backend call made for it (issue #19: a deadline derived from the HTTP
        // request's remaining time), and its Idempotency-Key goes to the backend as gRPC metadata.
        const idempotencyKey = route.idempotent ? (req.headers['idempotency-key'] as string | undefined) : undefined;
        const context = { deadline: req.bps.receivedAt + backendTimeoutMs, ...(idempotencyKey ? { idempotencyKey } : {}) };
        const answer = await withHttpRoute(`${route.method} ${route.url}`, () =>
          withCallContext(context, () =>
            route.handler({
              params: (req.params ?? {}) as Record<string, string>,
              query: (req.query ?? {}) as Record<string, unknown>,
              body: req.body,
              token,
              identity: req.bps.identity,
              visitor,
              idempotencyKey,
              clientIp: req.ip,
            }),
          ),
        );
        const result = visitor && !(answer instanceof RawBody) ? publicView(answer) : answer;
        if (route.auth === 'public') void reply.header('vary', 'authorization').header('cache-control', visitor ? PUBLIC_CACHE_CONTROL : 'private, no-cache');
        if (result instanceof RawBody)
          return reply
            .code(route.successStatus ?? 200)
            .type(result.contentType)
            .header('content-disposition', result.disposition ?? 'inline')
            .send(result.body);
        return reply.code(route.successStatus ?? 200).send(result);
      },
    });
  }

  const openapi = buildOpenApi(routes, schemas.all(), { version: VERSION });
  app.get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(openapi));
  // Liveness: the process answers (cheap, no backend asked). Readiness: every backend and its dependencies, 503 if one is down.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const report = await readiness.report();
    return reply
      .code(report.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: report.ready ? 'ready' : 'not ready', backends: report.backends });
  });
  // The token issuer's public keys (never private ones), for resource servers and clients that verify tokens.
  app.get('/.well-known/jwks.json', async (req, reply) => {
    if (!publicJwks) return sendError(reply, gatewayError(404, 'NOT_FOUND', 'this gateway publishes no token keys; see the identity provider'));
    return reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(publicJwks);
  });

  // Public keys that verify every decision changing the standard (issue #13): subscribers check publications offline.
  const decisionKeys = deps.decisionPublicJwks !== undefined ? parseDecisionKeys(deps.decisionPublicJwks) : undefined;
  app.get(DECISION_KEYS_PATH, async (_req, reply) => {
    if (!decisionKeys) throw new GatewayHttpError(gatewayError(404, 'NOT_FOUND', 'no decision keys configured (BPS_DECISION_PUBLIC_JWKS)'));
    return reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(decisionKeys);
  });

  const address = await host.step('http listen', () => app.listen({ port: deps.port, host: deps.host ?? '127.0.0.1' }));
  const httpPort = Number(new URL(address).port);
  logger.info({ port: httpPort }, 'gateway HTTP listening');
  return {
    httpPort,
    url: `http://${deps.host && deps.host !== '0.0.0.0' ? deps.host : '127.0.0.1'}:${httpPort}`,
    app,
    routes: routeTable,
  };
}
