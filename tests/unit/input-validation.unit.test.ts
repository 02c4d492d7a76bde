// Issue #15: the shared text validator, the bounded echo, and the gateway's strict conversion of query/path values.
import { describe, expect, it } from 'vitest';
import { clip, dateViolations, isFen, MAX_LIST_LENGTH, textKindOf, textProblem, textViolations } from '../../services/shared/validation/input';
import { boundSchema, convertTextValues, int64Formats, INT32_MAX, MAX_LIST_ITEMS, undecodableQueryParameters } from '../../services/gateway/http/strict-input';
import { jsonFieldPath } from '../../services/gateway/http/errors';
import { inboxFilterViolations } from '../../services/approvals/adapters/grpc/inbox';
import { checkRequest } from '../../services/shared/grpc/server';
import { ValidationError } from '../../services/shared/errors/errors';

describe('shared text validator', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['ESC', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['U+2028', 'a\u2028b'],
    ['U+2029', 'a\u2029b'],
    ['lone high surrogate', 'a\ud800b'],
    ['lone low surrogate', 'a\udc00b'],
    ['trailing high surrogate', 'ab\ud83d'],
  ])('refuses %s in every kind of text', (_name, value) => {
    for (const kind of ['identifier', 'title', 'free'] as const) expect(textProblem(value, kind)).toMatch(/control characters/);
  });

  it('takes tab and newlines only in free text, paired surrogates everywhere, and bounds identifiers and titles', () => {
    expect(textProblem('第一行\n\t第二行\r\n', 'free')).toBeUndefined();
    expect(textProblem('a\nb', 'title')).toMatch(/single line/);
    expect(textProblem('a\tb', 'identifier')).toMatch(/single line/);
    expect(textProblem('健康 😀 ok', 'title')).toBeUndefined();
    expect(textProblem('x'.repeat(256), 'identifier')).toBeUndefined();
    expect(textProblem('x'.repeat(257), 'identifier')).toMatch(/at most 256/);
    expect(textProblem('x'.repeat(1001), 'title')).toMatch(/at most 1000/);
    expect(textProblem('x'.repeat(100_000), 'free')).toBeUndefined();
  });

  it('knows identifiers and titles by field name', () => {
    expect(['proposalId', 'fields[0].field_code', 'itemCodes[3]', 'subject', 'delegate'].map(textKindOf)).toEqual(Array(5).fill('identifier'));
    expect(['title', 'content.name', 'displayName'].map(textKindOf)).toEqual(['title', 'title', 'title']);
    expect(['comment', 'rationale', 'description'].map(textKindOf)).toEqual(['free', 'free', 'free']);
  });

  it('walks a whole request and names each bad field (proto names by default)', () => {
    const violations = textViolations({
      proposalId: 'p\u0000',
      content: { title: 'a\u2028', items: [{ itemCode: 'ok' }, { itemCode: 'x\ud800' }] },
      comment: 'fine\n',
      raw: new Uint8Array([0]),
    });
    expect(violations.map((v) => v.field)).toEqual(['proposal_id', 'content.title', 'content.items[1].item_code']);
    expect(textViolations({ cycleId: '\u0000' }, { style: 'json' })[0]?.field).toBe('cycleId');
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(textViolations(deep)[0]?.reason).toBe('TOO_DEEP');
  });

  it('money in fen is digits only and at most 2^63-1', () => {
    expect(['0', '100', '9223372036854775807'].every(isFen)).toBe(true);
    expect(['9223372036854775808', '18446744073709551616', '-1', '01', '1e3', '1.5', ' 1', '', '1'.repeat(400)].some(isFen)).toBe(false);
  });

  it('clips echoed text without splitting a surrogate pair', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('x'.repeat(1_000_000))).toHaveLength(257);
    expect(clip('ab😀', 3)).toBe('ab…');
  });

  it('the gRPC bootstrap check refuses undecodable and bad-text requests as validation errors', () => {
    expect(() => checkRequest({ fieldCode: '\u0000' })).toThrow(ValidationError);
    expect(() => checkRequest({ proposalId: 'p-1', comment: 'ok\n' })).not.toThrow();
  });

  it('inbox filters are codes', () => {
    expect(inboxFilterViolations({ fieldCode: '\u0000', kind: "x' OR 1=1", cycleId: '' }).map((v) => v.field)).toEqual(['field_code', 'kind']);
    expect(inboxFilterViolations({ fieldCode: 'F17-HEA', kind: 'AD_HOC', cycleId: 'C-2026.1' })).toEqual([]);
  });
});

describe('gateway strict input', () => {
  const schema = {
    type: 'object',
    properties: {
      pageSize: { type: 'integer' },
      ratio: { type: 'number' },
      overdue: { type: 'boolean' },
      name: { type: 'string' },
      tags: { type: 'array', items: { type: 'integer' } },
    },
  };

  it('converts only exact decimal and boolean texts', () => {
    const cases: [string, unknown][] = [
      ['10', 10],
      ['-3', -3],
      ['1e309', '1e309'],
      ['Infinity', 'Infinity'],
      ['0x1', '0x1'],
      [' 1', ' 1'],
      ['01', '01'],
      ['1.5', '1.5'],
      ['18446744073709551616', '18446744073709551616'],
      ['2147483648', 2147483648],
      ['', ''],
    ];
    for (const [text, expected] of cases) {
      const values: Record<string, unknown> = { pageSize: text };
      convertTextValues(values, schema);
      expect(values['pageSize'], text).toStrictEqual(expected);
    }
    const values: Record<string, unknown> = { ratio: '0.25', overdue: 'true', name: '123', tags: '7' };
    convertTextValues(values, schema);
    expect(values).toStrictEqual({ ratio: 0.25, overdue: true, name: '123', tags: [7] });
    const notBool: Record<string, unknown> = { overdue: '1' };
    convertTextValues(notBool, schema);
    expect(notBool['overdue']).toBe('1');
  });

  it('bounds every integer to int32 unless the schema bounds it, and int64 strings to 64 bits', () => {
    const bounded = boundSchema({
      type: 'object',
      properties: {
        a: { type: 'integer' },
        b: { type: 'integer', minimum: 1 },
        c: { type: 'integer', minimum: 0, maximum: 10 },
        d: { type: 'array', items: { type: 'integer' } },
      },
    }) as any;
    expect(bounded.properties.a).toEqual({ type: 'integer', minimum: -2147483648, maximum: INT32_MAX });
    expect(bounded.properties.b).toEqual({ type: 'integer', minimum: 1, maximum: INT32_MAX });
    expect(bounded.properties.c).toEqual({ type: 'integer', minimum: 0, maximum: 10 });
    expect(bounded.properties.d.items.maximum).toBe(INT32_MAX);
    expect(['0', '9223372036854775807', '-9223372036854775808'].every(int64Formats['decimal-int64'].validate)).toBe(true);
    expect(['9223372036854775808', '18446744073709551616', '1e3', '', '00', '-', '1'.repeat(400)].some(int64Formats['decimal-int64'].validate)).toBe(false);
    expect(int64Formats['decimal-uint64'].validate('18446744073709551615')).toBe(true);
    expect(int64Formats['decimal-uint64'].validate('18446744073709551616')).toBe(false);
    expect(int64Formats['decimal-uint64'].validate('-1')).toBe(false);
  });

  it('bounds lists without a stated bound, and keeps a stated one', () => {
    const bounded = boundSchema({ type: 'object', properties: { a: { type: 'array', items: { type: 'string' } }, b: { type: 'array', maxItems: 3 } } }) as any;
    expect(bounded.properties.a.maxItems).toBe(MAX_LIST_ITEMS);
    expect(bounded.properties.b.maxItems).toBe(3);
  });

  it('refuses query parameters whose percent-encoding is not UTF-8, by name', () => {
    expect(undecodableQueryParameters('/api/v1/proposals?leadMinistry=NHC&pageSize=5')).toEqual([]);
    expect(undecodableQueryParameters('/x?a=%E4%B8%AD&b=%20+c')).toEqual([]);
    expect(undecodableQueryParameters('/x?leadMinistry=%ZZ').map((v) => v.field)).toEqual(['leadMinistry']);
    expect(undecodableQueryParameters('/x?a=%C3%28&b=%ED%A0%80&%ZZ=1').map((v) => v.field)).toEqual(['a', 'b', 'query']);
    expect(undecodableQueryParameters('/x')).toEqual([]);
  });
});

describe('field paths', () => {
  it('name a oneof member as proto JSON does (no oneof name), and the gateway names them in camelCase', () => {
    const request = { source: { $case: 'content', content: { effectiveFrom: { year: 2027, month: 2, day: 30 }, title: 'a\u0000' } } };
    expect(dateViolations(request).map((v) => v.field)).toEqual(['content.effective_from']);
    expect(textViolations(request).map((v) => v.field)).toEqual(['content.title']);
    expect(jsonFieldPath('content.effective_from')).toBe('content.effectiveFrom');
    expect(jsonFieldPath('fields[2].lead_ministry')).toBe('fields[2].leadMinistry');
  });

  it('bounds lists in every decoded request', () => {
    expect(textViolations({ itemCodes: Array.from({ length: MAX_LIST_LENGTH + 1 }, () => 'X') })).toMatchObject([{ field: 'item_codes', reason: 'TOO_MANY' }]);
    expect(textViolations({ itemCodes: Array.from({ length: MAX_LIST_LENGTH }, () => 'X') })).toEqual([]);
  });
});
