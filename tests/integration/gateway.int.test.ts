// The gateway over the real registry (in-process, own database and topics): HTTP routes, identity, error mapping
// with the services' own violations, limits, OpenAPI, and the server-rendered standards browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../services/gateway/app';
import { testLogger } from '../support/stack';
import { startTestPlatform, type TestPlatform } from './gateway-platform';

describe('gateway over the registry', () => {
  let p: TestPlatform;
  let staff: string;
  let beijing: string;
  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(p.gateway.url + path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, redirect: 'manual' });
  const post = (path: string, body: unknown, token?: string) =>
    fetch(p.gateway.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    p = await startTestPlatform('gw');
    staff = await p.token('nhc-staff');
    beijing = await p.token('beijing-officer');
  });
  afterAll(async () => p?.stop());

  it('requires a valid bearer token on API routes (401 with the error envelope)', async () => {
    const none = await get('/api/v1/proposals');
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe('UNAUTHENTICATED');
    const forged = await get('/api/v1/standards/items', `${staff.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as any).error.message).toContain('invalid');
    const who = await get('/api/v1/whoami', staff);
    expect((await who.json()) as any).toEqual({ subject: 'nhc.staff.li', name: '李明（国家卫生健康委）', organisation: 'NHC', roles: ['ministry-staff'] });
  });

  it('lists the seeded catalogue as of a date and one item with its six attributes', async () => {
    const list = (await (await get('/api/v1/standards/items?date=2018-01-01', staff)).json()) as any;
    expect(list.items).toHaveLength(81);
    expect(list.asOfDate).toEqual({ year: 2018, month: 1, day: 1 });
    const health = (await (await get('/api/v1/standards/items?date=2018-01-01&field=F17-HEA', staff)).json()) as any;
    expect(health.items).toHaveLength(20);

    const item = (await (await get('/api/v1/standards/items/INS-05?date=2018-01-01', staff)).json()) as any;
    expect(item.national.item).toMatchObject({ itemCode: 'INS-05', name: '城乡居民基本医疗保险', fieldCode: 'F17-INS' });
    expect(item.national.item.qualityStandard.metrics[0]).toMatchObject({
      metric: 'government_subsidy_per_capita',
      comparator: 'COMPARATOR_GTE',
      value: '380',
      unit: 'CNY',
    });
    expect(item.national.effectiveFrom).toEqual({ year: 2017, month: 1, day: 23 });

    const history = (await (await get('/api/v1/standards/items/INS-05/history', staff)).json()) as any;
    expect(history.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    const releases = (await (await get('/api/v1/standards/releases', staff)).json()) as any;
    expect(releases.releases.map((r: { releaseId: string }) => r.releaseId)).toContain('2017-national-list');
  });

  it('maps NOT_FOUND to 404 and rejects malformed queries with field violations before calling the service', async () => {
    const missing = await get('/api/v1/standards/items/NO-SUCH-ITEM', staff);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error).toMatchObject({ code: 'NOT_FOUND', message: 'item "NO-SUCH-ITEM" not found' });

    const badPattern = await get('/api/v1/standards/items?date=01/01/2018&province=beijing', staff);
    expect(badPattern.status).toBe(400);
    const body = (await badPattern.json()) as any;
    expect(body.error.code).toBe('INVALID_ARGUMENT');
    expect(body.error.fieldViolations.map((v: { field: string }) => v.field).sort()).toEqual(['date', 'province']);

    const notADay = await get('/api/v1/standards/items?date=2023-02-29', staff);
    expect(notADay.status).toBe(400);
    expect(((await notADay.json()) as any).error.fieldViolations).toEqual([{ field: 'date', description: 'must be a calendar date YYYY-MM-DD' }]);

    const unknownParam = await get('/api/v1/standards/items?colour=red', staff);
    expect(unknownParam.status).toBe(400);
  });

  it("passes the service's own refusals through: 403 with reason, 400 with its field violations, 422 with precondition violations", async () => {
    const filing = {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year: 2018, month: 1, day: 1 },
      metrics: [{ metric: 'government_subsidy_per_capita', value: '100', unit: 'CNY', basis: 'per_person_per_year' }],
    };
    const denied = await post('/api/v1/standards/filings', filing, staff);
    expect(denied.status).toBe(403);
    const deniedBody = (await denied.json()) as any;
    expect(deniedBody.error).toMatchObject({ code: 'PERMISSION_DENIED', reason: 'NOT_PROVINCE_OFFICER' });
    expect(deniedBody.error.message).toContain('only a province officer of 110000');

    const invalid = await post('/api/v1/standards/filings', { ...filing, effectiveFrom: undefined }, beijing);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as any).error.fieldViolations).toEqual([{ field: 'effectiveFrom', description: 'required' }]);

    const below = await post('/api/v1/standards/filings', filing, beijing);
    expect(below.status).toBe(422);
    const belowBody = (await below.json()) as any;
    expect(belowBody.error).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'BELOW_NATIONAL_LEVEL' });
    expect(belowBody.error.violations).toEqual([expect.objectContaining({ type: 'BELOW_NATIONAL_LEVEL', subject: 'INS-05/government_subsidy_per_capita' })]);

    const ok = await post('/api/v1/standards/filings', { ...filing, metrics: [{ ...filing.metrics[0], value: '380' }] }, beijing);
    expect(ok.status).toBe(201);
    const okBody = (await ok.json()) as any;
    expect(okBody.filingId).toBeTruthy();
    const report = (await (await get('/api/v1/standards/compliance/110000?date=2018-06-01', beijing)).json()) as any;
    expect(report.filedCount).toBe(1);
    expect(report.lines.find((l: { itemCode: string }) => l.itemCode === 'INS-05')).toMatchObject({ filed: true, filingId: okBody.filingId });
  });

  it('validates JSON bodies against the proto-derived schema and limits their size', async () => {
    const wrongType = await post('/api/v1/standards/filings', { provinceCode: 110000, metrics: 'x', extra: true }, beijing);
    expect(wrongType.status).toBe(400);
    const fields = ((await wrongType.json()) as any).error.fieldViolations.map((v: { field: string }) => v.field);
    expect(fields).toContain('extra');
    expect(fields.some((f: string) => f.startsWith('metrics'))).toBe(true);

    const huge = await post('/api/v1/standards/filings', { provinceCode: '110000', note: 'x'.repeat(300 * 1024) }, beijing);
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 503 when a backend is down, without leaking its address', async () => {
    const down = await startGateway({
      port: 0,
      tokens: p.tokens,
      logger: testLogger,
      environment: 'test',
      backends: {
        ...Object.fromEntries(Object.keys(p.addresses).map((k) => [k, 'x'])),
        registry: '127.0.0.1:9',
        proposals: '127.0.0.1:9',
        approvals: '127.0.0.1:9',
        notifications: '127.0.0.1:9',
        audit: '127.0.0.1:9',
      } as never,
      backendTimeoutMs: 3000,
    });
    try {
      const res = await fetch(`${down.url}/api/v1/standards/releases`, { headers: { authorization: `Bearer ${staff}` } });
      expect([503, 504]).toContain(res.status);
      const text = await res.text();
      expect(text).not.toContain('127.0.0.1');
    } finally {
      await down.stop();
    }
  });

  it('rate-limits per caller with a token bucket: 429 with Retry-After, other callers unaffected', async () => {
    const limited = await startGateway({
      port: 0,
      tokens: p.tokens,
      logger: testLogger,
      environment: 'test',
      backends: {
        registry: `127.0.0.1:${p.registry.grpcPort}`,
        proposals: '127.0.0.1:9',
        approvals: '127.0.0.1:9',
        notifications: '127.0.0.1:9',
        audit: '127.0.0.1:9',
        programme: '127.0.0.1:9',
      },
      rateLimit: { burst: 3, perSecond: 0.2 },
    });
    try {
      const call = (token: string) => fetch(`${limited.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(staff)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await call(staff);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as any).error.code).toBe('RATE_LIMITED');
      expect((await call(beijing)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = (await (await get('/openapi.json')).json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/standards/diff'].get.parameters.map((x: { name: string }) => x.name)).toEqual(['from', 'to', 'field']);
    expect(doc.components.schemas['bps.registry.v1.ListItemsResponse']).toBeDefined();
  });

  it('mints tokens for seeded personas outside production only', async () => {
    const minted = await post('/api/v1/auth/token', { persona: 'ndrc-approver' });
    expect(minted.status).toBe(201);
    const { token } = (await minted.json()) as any;
    expect(((await (await get('/api/v1/whoami', token)).json()) as any).organisation).toBe('NDRC');
    expect((await post('/api/v1/auth/token', { persona: 'root' })).status).toBe(400);

    const prod = await startGateway({
      port: 0,
      tokens: p.tokens,
      logger: testLogger,
      environment: 'production',
      backends: {
        registry: '127.0.0.1:9',
        proposals: '127.0.0.1:9',
        approvals: '127.0.0.1:9',
        notifications: '127.0.0.1:9',
        audit: '127.0.0.1:9',
        programme: '127.0.0.1:9',
      },
    });
    try {
      expect(
        (await fetch(`${prod.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"persona":"operator"}' }))
          .status,
      ).toBe(404);
      const page = await fetch(`${prod.url}/signin`);
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain('data-persona');
      expect(
        (await fetch(`${prod.url}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'persona=operator' }))
          .status,
      ).toBe(404);
    } finally {
      await prod.stop();
    }
  });

  it('console: sign-in sets an HttpOnly cookie; the catalogue, item, diff and compliance pages render real data', async () => {
    const anonymous = await get('/proposals?state=DRAFT');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/signin?next=%2Fproposals%3Fstate%3DDRAFT');

    const signIn = await fetch(`${p.gateway.url}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: p.gateway.url },
      body: 'persona=beijing-officer&next=%2Fstandards',
    });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^bps_token=[^;]+; Path=\/; SameSite=Strict; HttpOnly/);
    const session = { cookie: cookie.split(';')[0] ?? '' };

    const crossSite = await fetch(`${p.gateway.url}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'persona=operator',
    });
    expect(crossSite.status).toBe(403);

    const catalogue = await (await get('/standards?date=2018-01-01&province=110000', undefined, session)).text();
    expect(catalogue).toContain('data-testid="item-count">81<');
    expect(catalogue).toContain('城乡居民基本医疗保险');
    expect(catalogue).toContain('医疗卫生');
    expect(catalogue).toContain('刘洋（北京市）');
    const item = await (await get('/standards/items/INS-05?date=2018-06-01&province=110000', undefined, session)).text();
    for (const label of ['服务对象', '服务内容', '服务标准', '支付类别', '支出责任', '牵头负责单位']) expect(item).toContain(label);
    expect(item).toContain('不低于 380元');
    expect(item.slice(item.indexOf('data-testid="provincial"'), item.indexOf('id="hist"'))).toContain('达标');
    const english = await (await get('/standards/items/INS-05?lang=en', undefined, session)).text();
    expect(english).toContain('Service target');
    expect(english).toContain('<html lang="en">');
    const diff = await get('/standards/diff?from=2018-01-01&to=bogus-release', undefined, session);
    expect([400, 404]).toContain(diff.status);
    expect(await diff.text()).toContain('role="alert"');
    const missing = await get('/standards/items/NO-SUCH', undefined, session);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('item &quot;NO-SUCH&quot; not found');
  });
});
