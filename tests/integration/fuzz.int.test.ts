// Issue #15: the fuzz suite. Malformed requests derived from the gateway's OpenAPI document (every route) and from
// the proto descriptors (every method of every service), by class: types, ranges, text, sizes, dates, encodings,
// tokens. Every answer must be the right refusal (400 / INVALID_ARGUMENT naming the field, 401 / UNAUTHENTICATED
// for a broken token), never a 5xx, INTERNAL or UNKNOWN, within 2 s, and nothing stored may change.
// `npm run fuzz` (BPS_FUZZ=full) sends every case; `npm test` sends a slice: the first case of each class for
// each route and each method, so every route, method and class is still exercised on every run.
import * as grpc from '@grpc/grpc-js';
import { SignJWT, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personas } from '../../services/shared/auth/personas';
import { connectMongo, type MongoHandle } from '../../services/shared/mongo/mongo';
import { protoFiles, protoRoot } from '../../services/shared/grpc/server';
import { platformRoot } from '../../services/shared/grpc/wire';
import { callRaw, grpcCases, type GrpcCase } from '../fuzz/grpc-cases';
import { httpCases, type BrokenTokens, type HttpCase, type OpenApi } from '../fuzz/http-cases';
import { changed, snapshot } from '../fuzz/snapshot';
import { generatedIssuer, issuerOf, tokenIssuer } from '../support/identity';
import { stack } from '../support/stack';
import { startTestPlatform, type TestPlatform } from './gateway-platform';

const FULL = process.env['BPS_FUZZ'] === 'full';
const BOUND_MS = 2_000;
const SERVER_FAULTS = new Set([
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.DATA_LOSS,
  grpc.status.UNIMPLEMENTED,
]);

/** The first case of each class for each route or method (npm test), or all of them (npm run fuzz). */
function slice<T extends { klass: string }>(cases: readonly T[], keyOf: (c: T) => string): T[] {
  if (FULL) return [...cases];
  const seen = new Set<string>();
  return cases.filter((c) => {
    const key = `${keyOf(c)} ${c.klass}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function brokenTokens(): Promise<BrokenTokens> {
  const persona = personas['ndrc-approver'];
  const good = await issuerOf(tokenIssuer).mint(persona, 600);
  const [header, payload, signature] = good.split('.') as [string, string, string];
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const expired = await new SignJWT({ org: persona.organisation, roles: [...persona.roles] })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: tokenIssuer.keyId })
    .setSubject(persona.subject)
    .setIssuer(tokenIssuer.issuer)
    .setAudience(tokenIssuer.audience)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .sign(await importJWK(tokenIssuer.privateJwk as JWK, 'EdDSA'));
  return {
    none: '',
    garbage: 'Bearer not.a.jwt',
    algNone: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    tampered: `Bearer ${header}.${b64({ ...claims, roles: ['ndrc-approver', 'final-approver', 'operator'] })}.${signature}`,
    untrusted: `Bearer ${await issuerOf(generatedIssuer(tokenIssuer.issuer, tokenIssuer.audience)).mint(persona, 600)}`,
    expired: `Bearer ${expired}`,
  };
}

describe(`fuzz suite (issue #15, ${FULL ? 'full' : 'slice'})`, () => {
  let p: TestPlatform;
  let tokens: BrokenTokens;
  let bearer: string;
  let mongo: MongoHandle;
  const tally: Record<string, number> = {};
  const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);

  beforeAll(async () => {
    p = await startTestPlatform('fuzz', {}, { full: true, notifications: true, audit: true, programme: true });
    mongo = await connectMongo(stack().mongoUri, 'admin');
    tokens = await brokenTokens();
    bearer = `Bearer ${await p.token('ndrc-approver')}`;
  }, 300_000);
  afterAll(async () => {
    await p?.stop();
    await mongo?.close();
    console.info(`fuzz requests by class: ${JSON.stringify(tally)}`);
  });

  it('every malformed HTTP request to every route is the right 4xx, fast, naming the field, and nothing is stored', async () => {
    const openapi = (await (await fetch(`${p.gateway.url}/openapi.json`)).json()) as OpenApi;
    const all = httpCases(openapi, tokens);
    const cases = slice(all, (c) => c.route);
    const before = await snapshot(mongo.client, p.databases);
    if (process.env['BPS_FUZZ_DEBUG']) console.info(JSON.stringify(before));
    const failures: string[] = [];
    const routes = new Map<string, number>();
    let slowest = 0;
    for (const c of cases) {
      routes.set(c.route, (routes.get(c.route) ?? 0) + 1);
      count(`http ${c.klass}`);
      // A case over the time bound is sent once more: a path that is slow for this input stays slow, a machine that
      // was busy for a moment (two cores shared with the whole stack) does not. Every case is a refusal, so repeating
      // it changes nothing.
      let failure = await sendHttp(p.gateway.url, c, bearer);
      if (failure.ms > BOUND_MS) failure = await sendHttp(p.gateway.url, c, bearer);
      slowest = Math.max(slowest, failure.ms);
      if (failure.problem) failures.push(`${c.route} ${c.what}: ${failure.problem}`);
    }
    console.info(
      `HTTP fuzz: ${cases.length} of ${all.length} requests over ${routes.size} routes, slowest ${slowest} ms\n${[...routes].map(([r, n]) => `  ${n}\t${r}`).join('\n')}`,
    );
    expect(failures).toEqual([]);
    expect(routes.size).toBe(new Set(all.map((c) => c.route)).size);
    expect(changed(before, await snapshot(mongo.client, p.databases))).toEqual([]);
  }, 900_000);

  it('every malformed gRPC request to every method of every service is the right status, fast, naming the field, and nothing is stored', async () => {
    const all = grpcCases(platformRoot(protoRoot, protoFiles()), { ...tokens });
    const cases = slice(all, (c) => c.path);
    const address = (path: string): string => {
      const pkg = /^\/bps\.([a-z]+)\./.exec(path)?.[1];
      const env = pkg === 'identity' ? 'REGISTRY' : pkg?.toUpperCase();
      const found = p.addresses[`${env}_GRPC_ADDRESS`];
      if (!found) throw new Error(`no service address for ${path}`);
      return found;
    };
    const clients = new Map<string, grpc.Client>();
    const clientFor = (path: string) => {
      const at = address(path);
      if (!clients.has(at)) clients.set(at, new grpc.Client(at, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 8 * 1024 * 1024 }));
      return clients.get(at)!;
    };
    const before = await snapshot(mongo.client, p.databases);
    const failures: string[] = [];
    const methods = new Map<string, number>();
    let slowest = 0;
    try {
      for (const c of cases) {
        methods.set(c.path, (methods.get(c.path) ?? 0) + 1);
        count(`grpc ${c.klass}`);
        let answer = await callRaw(clientFor(c.path), c, bearer, BOUND_MS * 5);
        if (answer.ms > BOUND_MS) answer = await callRaw(clientFor(c.path), c, bearer, BOUND_MS * 5); // as above
        slowest = Math.max(slowest, answer.ms);
        const problem = grpcProblem(c, answer);
        if (problem) failures.push(`${c.path} ${c.what}: ${problem}`);
      }
    } finally {
      for (const client of clients.values()) client.close();
    }
    console.info(
      `gRPC fuzz: ${cases.length} of ${all.length} requests over ${methods.size} methods, slowest ${slowest} ms\n${[...methods].map(([m, n]) => `  ${n}\t${m}`).join('\n')}`,
    );
    expect(failures).toEqual([]);
    expect(methods.size).toBeGreaterThanOrEqual(59);
    expect(changed(before, await snapshot(mongo.client, p.databases))).toEqual([]);
  }, 900_000);
});

async function sendHttp(base: string, c: HttpCase, bearer: string): Promise<{ ms: number; problem?: string }> {
  const headers: Record<string, string> = { ...c.headers };
  const authorization = c.authorization ?? bearer;
  if (authorization) headers['authorization'] = authorization;
  let body: string | Uint8Array | undefined;
  if (c.body && 'json' in c.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(c.body.json);
  } else if (c.body) {
    headers['content-type'] = c.body.contentType;
    body = c.body.raw;
  }
  const start = Date.now();
  const res = await fetch(base + c.path, { method: c.method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const ms = Date.now() - start;
  let json: { error?: { code?: string; fieldViolations?: { field: string }[] } } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  const fields = json?.error?.fieldViolations?.map((v) => v.field) ?? [];
  const names = (field: string) => fields.some((f) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`));
  const problems: string[] = [];
  if (!c.expect.statuses.includes(res.status)) problems.push(`status ${res.status}, expected ${c.expect.statuses.join('/')}`);
  if (res.status >= 400 && !json?.error?.code) problems.push('error not in the documented body');
  if (c.expect.field && res.status === 400 && !names(c.expect.field)) problems.push(`does not name ${c.expect.field}`);
  if (text.length > 16 * 1024) problems.push(`answer of ${text.length} bytes echoes the input`);
  if (ms > BOUND_MS) problems.push(`took ${ms} ms`);
  return { ms, ...(problems.length ? { problem: `${problems.join('; ')} — ${text.slice(0, 200)}` } : {}) };
}

function grpcProblem(c: GrpcCase, a: { code: grpc.status; details: string; fields: string[]; ms: number; trailerBytes: number }): string | undefined {
  const problems: string[] = [];
  const name = grpc.status[a.code] ?? String(a.code);
  if (SERVER_FAULTS.has(a.code)) problems.push(`server fault ${name}`);
  else if (c.expect.code >= 0 && a.code !== c.expect.code) problems.push(`${name}, expected ${grpc.status[c.expect.code]}`);
  const field = c.expect.field;
  if (
    field &&
    a.code === c.expect.code &&
    !a.fields.some(
      (f) => f === field || f.endsWith(`.${field}`) || f.startsWith(`${field}.`) || f.startsWith(`${field}[`) || f.endsWith(`.${field.split('.').pop()}`),
    )
  ) {
    problems.push(`does not name ${field} (named ${a.fields.join(', ') || 'nothing'})`);
  }
  if (a.trailerBytes > 8 * 1024) problems.push(`status of ${a.trailerBytes} bytes echoes the input`);
  if (a.ms > BOUND_MS) problems.push(`took ${a.ms} ms`);
  return problems.length ? `${problems.join('; ')} — ${a.details.slice(0, 160)}` : undefined;
}
