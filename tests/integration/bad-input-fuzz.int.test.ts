// Issue #15, a first slice of the fuzz suite: malformed requests derived from the gateway's own OpenAPI document,
// for every route — each path parameter, query parameter and body property (two levels deep) given values of the
// wrong type, out of range, or with control characters. Every one must be a 400 naming the parameter, answered
// within 2 s, and nothing may be stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './gateway-platform';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; pattern?: string; format?: string; enum?: unknown[]; minimum?: number };
type Operation = { operationId: string; parameters?: { name: string; in: string; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } };
type Case = { route: string; method: string; path: string; body?: unknown; field: string; what: string };

const typeOf = (s: Schema): string => (Array.isArray(s.type) ? s.type[0] ?? '' : s.type ?? '');
const badText = ['a\u0000b', 'a\u001bb', 'a\u007fb', 'a\u2028b', 'a\ud800b'];
const badIntegerText = ['1e309', 'Infinity', '0x1', '1.5', '18446744073709551616', '2147483648', 'true'];

/** Wrong values for a JSON body property of this schema. */
function badJsonValues(s: Schema): unknown[] {
  switch (typeOf(s)) {
    case 'string': return [123, true, {}, ...(s.format?.startsWith('decimal-') ? ['18446744073709551616', '1e3'] : badText)];
    case 'integer': return ['1', true, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 64];
    case 'number': return ['1', true];
    case 'boolean': return ['true', 1];
    case 'array': return ['x', {}];
    case 'object': return ['x', []];
    default: return [];
  }
}

/** Wrong texts for a query or path parameter of this schema (URL-encoded). */
function badParamTexts(s: Schema): string[] {
  switch (typeOf(s)) {
    case 'integer': case 'number': return badIntegerText.map(encodeURIComponent);
    case 'boolean': return ['1', 'yes', 'TRUE'];
    default: return badText.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '\u0001')));
  }
}

const goodParam = (s: Schema): string => (typeOf(s) === 'integer' ? '1' : s.pattern === '^\\d{6}$' ? '110000' : 'X1');

export function casesFrom(openapi: { paths: Record<string, Record<string, Operation>> }): Case[] {
  const out: Case[] = [];
  for (const [template, methods] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const pathWith = (override?: { name: string; text: string }) =>
        template.replace(/\{([^}]+)\}/g, (_m, name: string) => (override?.name === name ? override.text : goodParam(params.find((p) => p.name === name)?.schema ?? {})));
      const route = `${method.toUpperCase()} ${template}`;
      const body = op.requestBody?.content['application/json']?.schema;
      const baseBody = body ? {} : undefined;
      for (const p of params) {
        if (p.in === 'header') continue;
        for (const text of badParamTexts(p.schema)) {
          if (p.in === 'path') out.push({ route, method, path: pathWith({ name: p.name, text }), body: baseBody, field: p.name, what: `${p.name}=${text}` });
          else out.push({ route, method, path: `${pathWith()}?${p.name}=${text}`, body: baseBody, field: p.name, what: `?${p.name}=${text}` });
        }
      }
      const walk = (schema: Schema, prefix: string[], depth: number) => {
        for (const [name, prop] of Object.entries(schema.properties ?? {})) {
          const field = [...prefix, name];
          for (const value of badJsonValues(prop)) {
            const mutated = field.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
            out.push({ route, method, path: pathWith(), body: mutated, field: field.join('.'), what: `${field.join('.')}=${JSON.stringify(value)}` });
          }
          if (typeOf(prop) === 'object' && depth < 2) walk(prop, field, depth + 1);
        }
      };
      if (body) walk(body, [], 1);
    }
  }
  return out;
}

describe('fuzz slice from the OpenAPI document (issue #15)', () => {
  let p: TestPlatform;
  beforeAll(async () => { p = await startTestPlatform('bad-fuzz', {}, { full: true }); }, 240_000);
  afterAll(async () => { await p?.stop(); });

  it('every malformed request to every route is a fast 400 naming the parameter, and nothing is stored', async () => {
    const token = await p.token('ndrc-approver');
    const get = async (path: string) => (await fetch(p.gateway.url + path, { headers: { authorization: `Bearer ${token}` } })).json();
    const snapshot = async () => JSON.stringify([await get('/api/v1/cycles'), await get('/api/v1/proposals'), await get('/api/v1/inbox')]);
    const before = await snapshot();
    const openapi = await (await fetch(`${p.gateway.url}/openapi.json`)).json() as Parameters<typeof casesFrom>[0];
    const cases = casesFrom(openapi);
    const failures: string[] = [];
    const byRoute: Record<string, number> = {};
    let slowest = 0;
    for (const c of cases) {
      byRoute[c.route] = (byRoute[c.route] ?? 0) + 1;
      const start = Date.now();
      const res = await fetch(p.gateway.url + c.path, {
        method: c.method.toUpperCase(),
        headers: { authorization: `Bearer ${token}`, ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
      });
      const ms = Date.now() - start;
      slowest = Math.max(slowest, ms);
      const json = await res.json().catch(() => undefined) as { error?: { fieldViolations?: { field: string }[] } } | undefined;
      const fields = json?.error?.fieldViolations?.map((v) => v.field) ?? [];
      if (res.status !== 400 || !fields.some((f) => f === c.field || f.startsWith(`${c.field}.`) || f.startsWith(`${c.field}[`)) || ms > 2_000) {
        failures.push(`${c.route} ${c.what}: ${res.status} ${ms}ms ${JSON.stringify(json).slice(0, 200)}`);
      }
    }
    console.info(`fuzz slice: ${cases.length} requests over ${Object.keys(byRoute).length} routes, slowest ${slowest} ms`, JSON.stringify(byRoute));
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(500);
    expect(await snapshot()).toBe(before);
  }, 300_000);
});
