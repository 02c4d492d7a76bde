// Malformed HTTP requests derived from the gateway's own OpenAPI document (issue #15): for every route, each path
// parameter, query parameter and body property (two levels deep) gets values of the wrong type, out of range, too
// large, with control characters or invalid dates; every body route gets broken encodings; every route that needs a
// sign-in gets broken tokens. Each case says what the answer must be.
export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  required?: string[];
  $ref?: string;
};
type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
};
export type OpenApi = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

export type HttpClass = 'type' | 'range' | 'text' | 'size' | 'date' | 'encoding' | 'token';
export type HttpCase = {
  readonly klass: HttpClass;
  readonly route: string;
  readonly method: string;
  readonly path: string;
  /** A JSON value to send, or raw bytes with their content type. */
  readonly body?: { json: unknown } | { raw: Uint8Array | string; contentType: string };
  /** Overrides the caller's Authorization header ('' = none). */
  readonly authorization?: string;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The statuses that are a correct answer, and the field a 400 must name (when it names one). */
  readonly expect: { readonly statuses: readonly number[]; readonly field?: string };
  readonly what: string;
};

const typeOf = (s: Schema): string => (Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? '') : (s.type ?? ''));
const isDateSchema = (s: Schema): boolean =>
  typeOf(s) === 'object' && ['year', 'month', 'day'].every((k) => s.properties?.[k] !== undefined) && Object.keys(s.properties ?? {}).length === 3;

const badText = ['a\u0000b', 'a\u001bb', 'a\u007fb', 'a\u2028b', 'a\ud800b'];
const badIntegerText = ['1e309', 'Infinity', '0x1', '1.5', '18446744073709551616', '2147483648', 'true', '-0x1'];
const badDates = [
  { year: 2027, month: 2, day: 30 },
  { year: 99_999, month: 1, day: 1 },
  { year: 2027, month: 13, day: 1 },
  { year: 1800, month: 1, day: 1 },
];
const BIG = 100 * 1024;

/** Wrong JSON values for a body property of this schema, by class. */
function badJsonValues(s: Schema): [HttpClass, unknown][] {
  if (isDateSchema(s)) return [['type', 'x'], ['type', []], ...badDates.map((d): [HttpClass, unknown] => ['date', d])];
  switch (typeOf(s)) {
    case 'string':
      return [
        ['type', 123],
        ['type', true],
        ['type', {}],
        ...(s.format?.startsWith('decimal-') || s.pattern === '^-?\\d+$'
          ? (['18446744073709551616', '9223372036854775808', '1e3', '-'] as const).map((v): [HttpClass, unknown] => ['range', v])
          : []),
        ...(s.format === 'date-time'
          ? (['99999-01-01T00:00:00Z', '2027-02-30T00:00:00Z', 'yesterday'] as const).map((v): [HttpClass, unknown] => ['date', v])
          : []),
        ...badText.map((t): [HttpClass, unknown] => ['text', t]),
        ['size', 'x'.repeat(BIG)],
      ];
    case 'integer':
      return [
        ['type', '1'],
        ['type', true],
        ['range', 1.5],
        ['range', 2 ** 31],
        ['range', -(2 ** 31) - 1],
        ['range', 2 ** 64],
        ['range', 1e308],
      ];
    case 'number':
      return [
        ['type', '1'],
        ['type', true],
      ];
    case 'boolean':
      return [
        ['type', 'true'],
        ['type', 1],
      ];
    case 'array':
      return [
        ['type', 'x'],
        ['type', {}],
        ['size', Array.from({ length: 20_000 }, () => 'x')],
      ];
    case 'object':
      return [
        ['type', 'x'],
        ['type', []],
      ];
    default:
      return [];
  }
}

/** Wrong texts for a query or path parameter of this schema (URL-encoded), by class. */
function badParamTexts(s: Schema, where: 'path' | 'query'): [HttpClass, string][] {
  const text = badText.map((t): [HttpClass, string] => ['text', encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '\u0001'))]);
  const encodings: [HttpClass, string][] = [
    ['encoding', '%ZZ'],
    ['encoding', '%C3%28'],
    ['encoding', '%ED%A0%80'],
  ];
  switch (typeOf(s)) {
    case 'integer':
    case 'number':
      return [...badIntegerText.map((t): [HttpClass, string] => ['range', encodeURIComponent(t)]), ...encodings];
    case 'boolean':
      return [['type', '1'], ['type', 'yes'], ['type', 'TRUE'], ...encodings];
    default:
      return [
        ...text,
        ...encodings,
        ...(s.format === 'date' ? (['2027-02-30', '99999-01-01', '2027-13-01', '20270101'] as const).map((t): [HttpClass, string] => ['date', t]) : []),
        ...(where === 'query' ? [['size', 'x'.repeat(4_000)] as [HttpClass, string]] : []),
      ];
  }
}

/** A value the schema takes, for the required properties around the one a case breaks. */
function goodValue(s: Schema, resolve: (s: Schema | undefined) => Schema | undefined, depth = 0): unknown {
  const schema = resolve(s) ?? s;
  if (isDateSchema(schema)) return { year: 2027, month: 1, day: 1 };
  if (schema.enum) return schema.enum.find((v) => !String(v).endsWith('_UNSPECIFIED')) ?? schema.enum[0];
  switch (typeOf(schema)) {
    case 'string': {
      if (schema.format === 'date-time') return '2027-01-01T00:00:00Z';
      if (schema.format === 'date') return '2027-01-01';
      if (schema.format?.startsWith('decimal-')) return '1';
      const pattern = schema.pattern ? new RegExp(schema.pattern) : undefined;
      return ['X1', '1', '110000', '2027-01-01', 'F21-01', 'C-2026', 'https://example.org/hook'].find((v) => !pattern || pattern.test(v)) ?? 'X1';
    }
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return depth > 4 ? {} : Object.fromEntries((schema.required ?? []).map((name) => [name, goodValue(schema.properties?.[name] ?? {}, resolve, depth + 1)]));
    default:
      return 'X1';
  }
}

/** `base` with `value` at `path`, creating objects on the way. */
function withValue(base: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const record = base && typeof base === 'object' && !Array.isArray(base) ? (base as Record<string, unknown>) : {};
  return { ...record, [head]: withValue(record[head], rest, value) };
}

const goodParam = (s: Schema): string => (typeOf(s) === 'integer' ? '1' : s.pattern === '^\\d{6}$' ? '110000' : s.format === 'date' ? '2027-01-01' : 'X1');

/** Broken Authorization headers: none, not a JWT, `alg: none`, a tampered signature, an issuer nobody trusts. */
export type BrokenTokens = {
  readonly none: string;
  readonly garbage: string;
  readonly algNone: string;
  readonly tampered: string;
  readonly untrusted: string;
  readonly expired: string;
};

export function httpCases(openapi: OpenApi, tokens: BrokenTokens): HttpCase[] {
  const resolve = (s: Schema | undefined): Schema | undefined => {
    if (!s?.$ref) return s;
    return openapi.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')];
  };
  const out: HttpCase[] = [];
  for (const [template, methods] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const pathWith = (override?: { name: string; text: string }) =>
        template.replace(/\{([^}]+)\}/g, (_m, name: string) =>
          override?.name === name ? override.text : goodParam(params.find((p) => p.name === name)?.schema ?? {}),
        );
      const route = `${method.toUpperCase()} ${template}`;
      const bodySchema = resolve(op.requestBody?.content['application/json']?.schema);
      const base = bodySchema ? goodValue(bodySchema, resolve) : undefined;
      const emptyBody = bodySchema ? { json: base } : undefined;
      const add = (c: Omit<HttpCase, 'route' | 'method'>) => out.push({ route, method: method.toUpperCase(), ...c });
      for (const p of params) {
        if (p.in === 'header' && p.name.toLowerCase() === 'idempotency-key') {
          for (const key of ['has space', 'x'.repeat(129), 'a/b', 'a\tb']) {
            add({
              klass: 'encoding',
              path: pathWith(),
              ...(emptyBody ? { body: emptyBody } : {}),
              headers: { 'idempotency-key': key },
              expect: { statuses: [400] },
              what: `Idempotency-Key: ${key.slice(0, 20)}`,
            });
          }
          continue;
        }
        if (p.in !== 'path' && p.in !== 'query') continue;
        for (const [klass, text] of badParamTexts(p.schema, p.in)) {
          const path = p.in === 'path' ? pathWith({ name: p.name, text }) : `${pathWith()}?${p.name}=${text}`;
          // A path segment the router cannot decode never reaches the route: a 400 in the documented body, unnamed.
          const statuses = p.in === 'path' && klass === 'encoding' ? [400, 404] : [400];
          add({
            klass,
            path,
            ...(emptyBody ? { body: emptyBody } : {}),
            expect: { statuses, ...(statuses.length === 1 ? { field: p.name } : {}) },
            what: `${p.in === 'path' ? '' : '?'}${p.name}=${text.slice(0, 40)}`,
          });
        }
      }
      const walk = (schema: Schema, prefix: string[], depth: number) => {
        for (const [name, raw] of Object.entries(schema.properties ?? {})) {
          const prop = resolve(raw) ?? raw;
          const field = [...prefix, name];
          for (const [klass, value] of badJsonValues(prop)) {
            const json = withValue(base, field, value);
            // Oversized values are refused by the body limit or by the field's bound, or with the request as a whole.
            const expect = klass === 'size' ? { statuses: [400, 413] } : { statuses: [400], field: field.join('.') };
            add({ klass, path: pathWith(), body: { json }, expect, what: `${field.join('.')}=${JSON.stringify(value).slice(0, 40)}` });
          }
          if (typeOf(prop) === 'object' && !isDateSchema(prop) && depth < 2) walk(prop, field, depth + 1);
        }
      };
      if (bodySchema) {
        walk(bodySchema, [], 1);
        const raw = (what: string, body: Uint8Array | string, contentType: string, statuses: number[]) =>
          add({ klass: 'encoding', path: pathWith(), body: { raw: body, contentType }, expect: { statuses }, what });
        raw('invalid JSON', '{"a":', 'application/json', [400]);
        raw('invalid UTF-8', Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'application/json', [400]);
        // An optional body may be sent as `null` (no body); a required one may not.
        if (op.requestBody?.required !== false) raw('JSON null', 'null', 'application/json', [400]);
        raw('JSON array', '[]', 'application/json', [400]);
        raw('nested 10,000 deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'application/json', [400]);
        raw('text/plain', '{}', 'text/plain', [415]);
        raw('2 MB body', `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`, 'application/json', [413]);
      }
      if (op.security && op.security.length > 0) {
        // A route of the public portal ({} among its security requirements) takes no token, but refuses a bad one.
        const open = op.security.some((s) => Object.keys(s as object).length === 0);
        for (const [name, authorization] of Object.entries(tokens)) {
          if (open && authorization === '') continue;
          add({
            klass: 'token',
            path: pathWith(),
            ...(emptyBody ? { body: emptyBody } : {}),
            authorization,
            expect: { statuses: [401] },
            what: `token: ${name}`,
          });
        }
      }
    }
  }
  return out;
}
