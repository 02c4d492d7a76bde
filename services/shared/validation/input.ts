// One validator for the text every edge accepts (issue #15), used by the gRPC bootstrap on every decoded request
// and by the gateway on every parsed request: no NUL/C0 control characters (tab and newlines only in free text),
// no DEL, no U+2028/U+2029, no lone surrogates; identifiers and titles bounded. Also `clip`, which bounds what an
// error message or field violation may echo back.
import type { FieldViolation } from '../errors/errors';

/** Longest identifier (ids, codes, subjects) the platform takes. */
export const MAX_IDENTIFIER_LENGTH = 256;
/** Longest single-line name or title. */
export const MAX_TITLE_LENGTH = 1000;
/** Longest text echoed back in a status message or field violation. */
export const MAX_ECHO_LENGTH = 256;
const MAX_DEPTH = 64;
/** Longest list a request may carry. */
export const MAX_LIST_LENGTH = 1000;

/** `text` cut to `max` UTF-16 units (never splitting a surrogate pair) with an ellipsis when it was longer. */
export function clip(text: string, max = MAX_ECHO_LENGTH): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

export type TextKind = 'identifier' | 'title' | 'free';

/** Field names (camelCase or snake_case, last segment) that hold identifiers or single-line titles. */
export function textKindOf(field: string): TextKind {
  const leaf =
    field
      .replace(/\[\d+\]$/, '')
      .split('.')
      .pop() ?? field;
  if (/(Id|Ids|Code|Codes|_id|_ids|_code|_codes)$/.test(leaf) || ['subject', 'delegate', 'organisation', 'id', 'code'].includes(leaf)) return 'identifier';
  if (/^(title|name|displayName|display_name)$/.test(leaf) || /(Title|Name|_title|_name)$/.test(leaf)) return 'title';
  return 'free';
}

// C0 controls (tab, LF and CR handled below), DEL, line/paragraph separators, lone surrogates.
const alwaysRefused = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const lineBreaks = /[\t\n\r]/;

/** What is wrong with `value` as text of the given kind, or undefined when it is acceptable. */
export function textProblem(value: string, kind: TextKind): string | undefined {
  if (alwaysRefused.test(value)) return 'must not contain control characters, U+2028/U+2029 or unpaired surrogates';
  if (kind !== 'free' && lineBreaks.test(value)) return 'must be a single line without tabs';
  if (kind === 'identifier' && value.length > MAX_IDENTIFIER_LENGTH) return `must be at most ${MAX_IDENTIFIER_LENGTH} characters`;
  if (kind === 'title' && value.length > MAX_TITLE_LENGTH) return `must be at most ${MAX_TITLE_LENGTH} characters`;
  return undefined;
}

const isOneof = (v: unknown): boolean => !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $case?: unknown }).$case === 'string';

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Every string in a request (a decoded protobuf message or parsed JSON), checked by its field's kind. Field paths
 * are snake_case (the proto names) unless `style` is 'json'. Returns at most 20 violations.
 */
export function textViolations(value: unknown, options: { prefix?: string; style?: 'proto' | 'json' } = {}): FieldViolation[] {
  const out: FieldViolation[] = [];
  const name = (key: string) => (options.style === 'json' ? key : snake(key));
  const walk = (node: unknown, path: string, depth: number): void => {
    if (out.length >= 20) return;
    if (typeof node === 'string') {
      const problem = textProblem(node, textKindOf(path));
      if (problem) out.push({ field: path || 'request', description: problem, reason: 'INVALID_TEXT' });
      return;
    }
    if (!node || typeof node !== 'object' || node instanceof Uint8Array || node instanceof Date) return;
    if (depth > MAX_DEPTH) {
      out.push({ field: path || 'request', description: `nested more than ${MAX_DEPTH} levels`, reason: 'TOO_DEEP' });
      return;
    }
    if (Array.isArray(node)) {
      // Lists are bounded here too, where every request passes (the national list has ~80 items).
      if (node.length > MAX_LIST_LENGTH) {
        out.push({ field: path || 'request', description: `must have at most ${MAX_LIST_LENGTH} entries`, reason: 'TOO_MANY' });
        return;
      }
      node.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === '$case') continue;
      // A oneof (ts-proto: { $case, member }) is not a field of its own: its member is named as in proto JSON.
      walk(child, isOneof(child) ? path : path ? `${path}.${name(key)}` : name(key), depth + 1);
    }
  };
  walk(value, options.prefix ?? '', 0);
  return out;
}

const INT64_MAX = 2n ** 63n - 1n;
/** Money in fen as a decimal string: digits only, no leading zero, at most 2^63−1 (what an int64 column holds). */
export function isFen(text: string): boolean {
  return /^(0|[1-9]\d{0,18})$/.test(text) && BigInt(text) <= INT64_MAX;
}

/**
 * The years a date or instant the platform takes may fall in (issue #15: "dates out of a sane range"): four-digit
 * years from 1900 (9999-12-31 is the registry's "latest known" sentinel).
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

type DateLike = { year: number; month: number; day: number };
const isDateMessage = (v: unknown): v is DateLike =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).length === 3 &&
  ['year', 'month', 'day'].every((k) => typeof (v as Record<string, unknown>)[k] === 'number');
const isUnsetDate = (d: DateLike): boolean => d.year === 0 && d.month === 0 && d.day === 0;
/** A comparable number for a Date message or an instant (ms since the epoch; a calendar date is its UTC midnight). */
const instantOf = (v: unknown): number | undefined =>
  v instanceof Date ? v.getTime() : isDateMessage(v) && !isUnsetDate(v) ? Date.UTC(v.year, v.month - 1, v.day) : undefined;

/** Pairs of sibling fields that bound a range, checked `start ≤ end` when both are set. */
const rangePairs: readonly (readonly [string, string])[] = [
  ['from', 'to'],
  ['since', 'until'],
  ['start', 'end'],
  ['notBefore', 'notAfter'],
];

/**
 * Every date in a request (a decoded protobuf message: google.protobuf.Timestamp as Date, bps.common.v1.Date as
 * {year, month, day}): calendar dates must exist, years lie in [MIN_YEAR, MAX_YEAR], and a range (from/to,
 * since/until, start/end, xFrom/xTo) must not end before it starts. Field paths snake_case. At most 20.
 */
export function dateViolations(value: unknown): FieldViolation[] {
  const out: FieldViolation[] = [];
  const walk = (node: unknown, path: string, depth: number): void => {
    if (out.length >= 20 || depth > MAX_DEPTH || !node || typeof node !== 'object' || node instanceof Uint8Array) return;
    const field = path || 'request';
    if (node instanceof Date) {
      const time = node.getTime();
      if (Number.isNaN(time) || node.getUTCFullYear() < MIN_YEAR || node.getUTCFullYear() > MAX_YEAR)
        out.push({ field, description: `must be an instant between the years ${MIN_YEAR} and ${MAX_YEAR}`, reason: 'DATE_OUT_OF_RANGE' });
      return;
    }
    if (isDateMessage(node)) {
      if (isUnsetDate(node)) return;
      const { year, month, day } = node;
      const probe = new Date(Date.UTC(year, month - 1, day));
      if (
        !Number.isInteger(year) ||
        !Number.isInteger(month) ||
        !Number.isInteger(day) ||
        probe.getUTCFullYear() !== year ||
        probe.getUTCMonth() !== month - 1 ||
        probe.getUTCDate() !== day
      ) {
        out.push({ field, description: 'is not a calendar date that exists', reason: 'DATE_INVALID' });
      } else if (year < MIN_YEAR || year > MAX_YEAR) {
        out.push({ field, description: `must be a date between the years ${MIN_YEAR} and ${MAX_YEAR}`, reason: 'DATE_OUT_OF_RANGE' });
      }
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
      return;
    }
    const record = node as Record<string, unknown>;
    for (const [key, child] of Object.entries(record)) {
      if (key === '$case') continue;
      walk(child, isOneof(child) ? path : path ? `${path}.${snake(key)}` : snake(key), depth + 1);
    }
    const pairs = [...rangePairs];
    for (const key of Object.keys(record)) {
      const m = /^(.+)From$/.exec(key);
      if (m && `${m[1]}To` in record) pairs.push([key, `${m[1]}To`]);
    }
    for (const [startKey, endKey] of pairs) {
      const start = instantOf(record[startKey]);
      const end = instantOf(record[endKey]);
      if (start !== undefined && end !== undefined && start > end) {
        const at = (k: string) => (path ? `${path}.${snake(k)}` : snake(k));
        out.push({ field: at(startKey), description: `must not be after ${snake(endKey)}`, reason: 'RANGE_REVERSED' });
      }
    }
  };
  walk(value, '', 0);
  return out;
}
