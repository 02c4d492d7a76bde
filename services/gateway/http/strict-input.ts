// Strict request parsing for the JSON API (issue #15). Bodies are never coerced: a number where a string is due is a
// 400, and the reverse. Querystring and path values arrive as text; they are converted here, once, by the route's
// schema and only when the text is exactly a decimal number / `true` / `false` — `1e309`, `Infinity`, `0x1`, ` 1`
// stay strings and the schema refuses them with the parameter named. Integers are bounded to int32 unless the
// schema says otherwise, and int64 strings (money in fen, counts) to the 64-bit range, so nothing the schema lets
// through can make a protobuf encoder throw (which used to surface as 500).
import type { JsonSchema } from './proto-schema';
import type { FieldViolationBody } from './errors';
import { clip } from '../../shared/validation/input';

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;
export const UINT32_MAX = 4_294_967_295;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function decimalWithin(text: string, min: bigint, max: bigint): boolean {
  if (text.length > 21 || !/^-?(0|[1-9]\d*)$/.test(text)) return false;
  const value = BigInt(text);
  return value >= min && value <= max;
}

/**
 * Ajv formats for proto int64/uint64 carried as decimal strings (proto3 JSON). Not named int64/uint64: ajv-formats
 * (which fastify adds after custom options) defines those for JSON numbers and would replace these.
 */
export const int64Formats = {
  'decimal-int64': { type: 'string' as const, validate: (s: string) => decimalWithin(s, INT64_MIN, INT64_MAX) },
  'decimal-uint64': { type: 'string' as const, validate: (s: string) => decimalWithin(s, 0n, UINT64_MAX) },
};

const typesOf = (schema: JsonSchema): string[] => {
  const t = schema['type'];
  return Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
};

/** The longest list a request may carry where its schema states no bound (the national list has ~80 items). */
export const MAX_LIST_ITEMS = 1000;

/**
 * The schema with every integer bounded (int32 by default) and every list bounded (MAX_LIST_ITEMS); a schema that
 * states its own bounds keeps them.
 */
export function boundSchema(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'default' || k === 'enum' || k === 'const' ? v : walk(v)])) as JsonSchema;
    if (typesOf(out).includes('integer')) {
      if (out['minimum'] === undefined && out['exclusiveMinimum'] === undefined) out['minimum'] = INT32_MIN;
      if (out['maximum'] === undefined && out['exclusiveMaximum'] === undefined) out['maximum'] = INT32_MAX;
    }
    if (typesOf(out).includes('array') && out['maxItems'] === undefined) out['maxItems'] = MAX_LIST_ITEMS;
    return out;
  };
  return walk(schema) as JsonSchema;
}

const integerText = /^-?(0|[1-9]\d{0,15})$/;
const numberText = /^-?(0|[1-9]\d{0,15})(\.\d{1,15})?$/;

function convertOne(text: string, schema: JsonSchema | undefined): unknown {
  if (!schema) return text;
  const types = typesOf(schema);
  if (types.includes('string')) return text;
  if (types.includes('integer') && integerText.test(text)) return Number(text);
  if (types.includes('number') && numberText.test(text)) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text; // left as text: the schema refuses it and names the parameter
}

/**
 * Converts querystring / path values in place by the (object) schema of that part. Only exact decimal and boolean
 * texts are converted; a repeated parameter becomes an array only where the schema takes an array.
 */
export function convertTextValues(values: Record<string, unknown> | null | undefined, schema: JsonSchema | undefined): void {
  if (!values || !schema) return;
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  for (const [key, raw] of Object.entries(values)) {
    const property = properties[key];
    if (!property) continue;
    if (typesOf(property).includes('array')) {
      const items = property['items'] as JsonSchema | undefined;
      const list = Array.isArray(raw) ? raw : [raw];
      values[key] = list.map((v) => (typeof v === 'string' ? convertOne(v, items) : v));
    } else if (typeof raw === 'string') {
      values[key] = convertOne(raw, property);
    }
  }
}

/**
 * Query parameters whose percent-encoding is not valid UTF-8 (`%ZZ`, `%C3%28`, an encoded lone surrogate): Fastify's
 * parser keeps or drops them silently, so they are refused here by name (issue #15). A name that does not decode
 * itself is reported as `query`.
 */
export function undecodableQueryParameters(url: string): FieldViolationBody[] {
  const at = url.indexOf('?');
  if (at < 0) return [];
  const out: FieldViolationBody[] = [];
  for (const pair of url.slice(at + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    const decoded = decodeStrict(name);
    if (decoded === undefined || decodeStrict(value) === undefined) {
      out.push({ field: decoded === undefined ? 'query' : clip(decoded, 64), description: 'is not valid percent-encoded UTF-8' });
    }
    if (out.length >= 20) break;
  }
  return out;
}

function decodeStrict(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
