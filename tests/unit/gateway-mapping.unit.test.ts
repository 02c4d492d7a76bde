// Pure gateway logic: gRPC status -> HTTP, validation errors -> field violations, token buckets, escaping, dates.
import { describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { httpErrorFromStatus, httpStatusFor, violationsFromValidation } from '../../services/gateway/http/errors';
import { TokenBuckets } from '../../services/gateway/http/rate-limit';
import { escapeHtml, html, qs, raw } from '../../services/gateway/web/html';
import { formatDate } from '../../services/gateway/http/dates';
import { parseIsoDate, todayInChina } from '../../services/shared/standards/china-date';
import { parseCookies, parseForm, serializeCookie } from '../../services/gateway/http/cookies';
import { safeNext } from '../../services/gateway/web/signin';
import { pickLang } from '../../services/gateway/web/i18n';
import type { DecodedStatus } from '../../services/shared/grpc/status';

const decoded = (over: Partial<DecodedStatus>): DecodedStatus => ({
  code: status.UNKNOWN,
  message: 'm',
  metadata: {},
  fieldViolations: [],
  preconditionViolations: [],
  ...over,
});

describe('gRPC status -> HTTP', () => {
  it.each([
    [status.INVALID_ARGUMENT, 400],
    [status.UNAUTHENTICATED, 401],
    [status.PERMISSION_DENIED, 403],
    [status.NOT_FOUND, 404],
    [status.ALREADY_EXISTS, 409],
    [status.ABORTED, 409],
    [status.FAILED_PRECONDITION, 412],
    [status.UNAVAILABLE, 503],
    [status.RESOURCE_EXHAUSTED, 429],
    [status.DEADLINE_EXCEEDED, 504],
    [status.INTERNAL, 500],
    [status.UNKNOWN, 500],
  ])('code %i -> %i', (code, http) => {
    expect(httpStatusFor(code)).toBe(http);
  });

  it('keeps field violations of INVALID_ARGUMENT and the ErrorInfo reason', () => {
    const e = httpErrorFromStatus(
      decoded({
        code: status.INVALID_ARGUMENT,
        message: 'invalid request: content.title: required',
        reason: 'VALIDATION_FAILED',
        fieldViolations: [{ field: 'content.title', description: 'required', reason: 'x' }],
      }),
    );
    expect(e.status).toBe(400);
    expect(e.body).toEqual({
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'invalid request: content.title: required',
        reason: 'VALIDATION_FAILED',
        fieldViolations: [{ field: 'content.title', description: 'required' }],
      },
    });
  });

  it('FAILED_PRECONDITION with violations is 422 and lists them; without is 412', () => {
    const v = { type: 'FLOOR', subject: 'HEA-01', description: 'below national floor' };
    const with422 = httpErrorFromStatus(decoded({ code: status.FAILED_PRECONDITION, message: 'below floor', preconditionViolations: [v] }));
    expect(with422.status).toBe(422);
    expect(with422.body.error.violations).toEqual([v]);
    expect(httpErrorFromStatus(decoded({ code: status.FAILED_PRECONDITION, message: 'not a draft' })).status).toBe(412);
  });

  it('ABORTED carries currentRevision from ErrorInfo metadata', () => {
    const e = httpErrorFromStatus(
      decoded({ code: status.ABORTED, message: 'stale', reason: 'CONCURRENT_MODIFICATION', metadata: { currentRevision: '7', retriable: 'false' } }),
    );
    expect(e.status).toBe(409);
    expect(e.body.error.currentRevision).toBe(7);
  });

  it('never leaks server-side details: 5xx bodies are generic, 503 sets Retry-After', () => {
    const e = httpErrorFromStatus(
      decoded({ code: status.UNAVAILABLE, message: 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:9', reason: 'X' }),
    );
    expect(e.status).toBe(503);
    expect(e.body.error.message).not.toContain('127.0.0.1');
    expect(e.body.error.reason).toBeUndefined();
    expect(e.headers?.['retry-after']).toBe('1');
    expect(httpErrorFromStatus(decoded({ code: status.INTERNAL, message: 'TypeError at foo.ts:12' })).body.error.message).toBe('internal error');
  });
});

describe('schema validation -> field violations', () => {
  it('names nested fields, missing properties and unknown properties', () => {
    expect(
      violationsFromValidation('body', [
        { instancePath: '/content/changes/0/itemCode', message: 'must match pattern', keyword: 'pattern' },
        { instancePath: '', message: "must have required property 'persona'", keyword: 'required', params: { missingProperty: 'persona' } },
        { instancePath: '/content', message: 'must NOT have additional properties', keyword: 'additionalProperties', params: { additionalProperty: 'evil' } },
        { instancePath: '', message: 'must be object', keyword: 'type' },
      ]),
    ).toEqual([
      { field: 'content.changes[0].itemCode', description: 'must match pattern' },
      { field: 'persona', description: "must have required property 'persona'" },
      { field: 'content.evil', description: 'unknown property' },
      { field: 'body', description: 'must be object' },
    ]);
  });
});

describe('token buckets', () => {
  it('allows the burst, refuses the next with Retry-After, refills over time, and keys callers separately', () => {
    let now = 1_000_000;
    const b = new TokenBuckets(3, 1, () => now);
    expect([b.take('a'), b.take('a'), b.take('a')].every((d) => d.allowed)).toBe(true);
    const refused = b.take('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
    expect(b.take('b').allowed).toBe(true);
    now += 999;
    expect(b.take('a').allowed).toBe(false);
    now += 2;
    expect(b.take('a').allowed).toBe(true);
    now += 60_000;
    expect(b.take('a')).toEqual({ allowed: true, remaining: 2 });
  });

  it('computes Retry-After from the refill rate and bounds its memory', () => {
    let now = 0;
    const slow = new TokenBuckets(1, 0.1, () => now);
    slow.take('x');
    expect(slow.take('x')).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    const small = new TokenBuckets(2, 1, () => now, 100);
    for (let i = 0; i < 1000; i++) small.take(`k${i}`);
    expect(small.size).toBeLessThanOrEqual(100);
    now += 5000;
  });
});

describe('HTML, dates, cookies, redirects, language', () => {
  it('escapes interpolations but not nested templates or trusted markup', () => {
    const evil = '<script>alert("x")</script>';
    expect(html`<p>${evil}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
    expect(html`<ul>${['a&b', html`<li>${"'"}</li>`]}</ul>`.value).toBe('<ul>a&amp;b<li>&#39;</li></ul>');
    expect(html`${raw('<br>')}${null}${undefined}${false}${0}`.value).toBe('<br>0');
    expect(escapeHtml('"&')).toBe('&quot;&amp;');
    expect(qs({ a: 'x y', b: '', c: undefined, d: 2 })).toBe('?a=x+y&d=2');
  });

  it('parses only real calendar days and formats proto dates', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('2023-13-01')).toBeUndefined();
    expect(parseIsoDate('20230101')).toBeUndefined();
    expect(formatDate({ year: 2017, month: 1, day: 23 })).toBe('2017-01-23');
    expect(formatDate(undefined)).toBe('');
    // 2026-01-01T17:00Z is already 2 January in Beijing.
    expect(todayInChina(new Date('2026-01-01T17:00:00Z'))).toBe('2026-01-02');
  });

  it('round-trips cookies and forms', () => {
    expect(parseCookies('a=1; bps_token=x.y.z; lang=%E4%B8%AD')).toEqual({ a: '1', bps_token: 'x.y.z', lang: '中' });
    expect(serializeCookie('bps_token', 'abc', { maxAgeSeconds: 60 })).toBe('bps_token=abc; Path=/; SameSite=Strict; HttpOnly; Max-Age=60');
    expect(parseForm('a=1&b=x+y&a=2&c=%E4%B8%AD')).toEqual({ a: ['1', '2'], b: 'x y', c: '中' });
  });

  it('follows only local paths after sign-in', () => {
    expect(safeNext('/inbox?x=1')).toBe('/inbox?x=1');
    expect(safeNext('//evil.example')).toBe('/standards');
    expect(safeNext('https://evil.example')).toBe('/standards');
    expect(safeNext('/\\evil.example')).toBe('/standards');
    expect(safeNext(undefined)).toBe('/standards');
    // Browsers drop tabs and newlines from URLs ("/\t/evil.example" → "//evil.example"): refused with a 400.
    for (const sneaky of ['/\t/evil.example', '/\r\n/x', '/\n/evil.example', '/\u0000x', '/x\u007f']) {
      expect(() => safeNext(sneaky), JSON.stringify(sneaky)).toThrow(expect.objectContaining({ http: expect.objectContaining({ status: 400 }) }));
    }
    expect(safeNext('/x\\evil')).toBe('/standards');
    expect(safeNext('/proposals/P-1?lang=en#top')).toBe('/proposals/P-1?lang=en#top');
  });

  it('defaults to Chinese; English by query, cookie or browser preference', () => {
    expect(pickLang(undefined, undefined, undefined)).toBe('zh');
    expect(pickLang(undefined, undefined, 'zh-CN,en;q=0.8')).toBe('zh');
    expect(pickLang(undefined, undefined, 'en-GB,en')).toBe('en');
    expect(pickLang(undefined, 'en', 'zh-CN')).toBe('en');
    expect(pickLang('zh', 'en', 'en')).toBe('zh');
  });
});
