// Issue #17, the public portal: seed 000 §二十 requires the standards to be published and open to social
// supervision. The published standard (catalogue, items and history, diffs, provincial compliance, the edition as
// CSV) is readable without sign-in through the gateway's read-only account; answers are cacheable and revalidate
// with ETags, carry no one's personal details, and everything else still needs a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicView } from '../../services/gateway/http/public-view';
import { startTestPlatform, type TestPlatform } from './gateway-platform';

describe('public portal (issue #17)', () => {
  let p: TestPlatform;
  let closed: TestPlatform | undefined;
  const get = (path: string, headers: Record<string, string> = {}, base = p.gateway.url) => fetch(base + path, { headers, redirect: 'manual' });

  beforeAll(async () => {
    p = await startTestPlatform('public');
  }, 240_000);
  afterAll(async () => {
    await closed?.stop();
    await p?.stop();
  });

  it('serves the published standard to a visitor without a token: catalogue, item, history, diff, compliance, units', async () => {
    const list = await get('/api/v1/standards/items?date=2022-01-01');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(81);
    for (const path of [
      '/api/v1/standards/items/INS-05',
      '/api/v1/standards/items/INS-05/history',
      '/api/v1/standards/diff?from=2018-01-01&to=2026-01-01',
      '/api/v1/standards/compliance/110000',
      '/api/v1/standards/units',
      '/api/v1/standards/taxonomy',
      '/api/v1/standards/releases',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toMatch(/^public, max-age=60/);
      expect(res.headers.get('vary'), path).toContain('authorization');
      const text = await res.text();
      expect(text, path).not.toMatch(/"subject"|"workflowId"|"workflowRunId"/);
    }
  });

  it('revalidates with ETags: an unchanged answer is a 304 without a body', async () => {
    const first = await get('/api/v1/standards/items/INS-05?date=2022-01-01');
    const tag = first.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await get('/api/v1/standards/items/INS-05?date=2022-01-01', { 'if-none-match': tag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await get('/api/v1/standards/items/INS-06?date=2022-01-01', { 'if-none-match': tag! });
    expect(other.status).toBe(200);
  });

  it('refuses a token that does not verify even on public routes, and keeps everything else signed-in', async () => {
    const forged = await get('/api/v1/standards/items', { authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(401);
    for (const path of ['/api/v1/proposals', '/api/v1/inbox', '/api/v1/cycles', '/api/v1/subscriptions', '/api/v1/standards/items/INS-05/errata']) {
      expect((await get(path)).status, path).toBe(401);
    }
    const filing = await fetch(`${p.gateway.url}/api/v1/standards/filings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(filing.status).toBe(401);
    // A signed-in reader gets the same data, not cached by shared caches.
    const signedIn = await get('/api/v1/standards/items/INS-05', { authorization: `Bearer ${await p.token('nhc-staff')}` });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('offers the edition in force on a date as CSV: BOM, one row per item, taxonomy and six attributes, not-stated marked', async () => {
    const res = await get('/api/v1/standards/edition.csv?date=2022-01-01');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="bps-standard-2022-01-01.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('领域,类别,编号,服务项目,服务对象,服务内容,服务标准,支付类别,支出责任,牵头负责单位,版本,施行日期');
    // Quoted fields may hold commas but no line breaks in the seeded texts: one line per item.
    expect(lines).toHaveLength(82);
    const ins05 = lines.find((l) => l.includes(',INS-05,'));
    expect(ins05).toContain('城乡居民基本医疗保险');
    expect(ins05).toContain('不低于 380元（每人每年）');
    expect(text).toContain('文件未明确');
    const english = await (await get('/api/v1/standards/edition.csv?date=2022-01-01&lang=en')).text();
    expect(english.split('\r\n')[0]).toBe(
      'Field,Category,Item code,Service item,Service target,Service content,Quality standard,Payment category,Expenditure responsibility,Lead unit,Version,In force from',
    );
  });

  it('renders the standards pages to a visitor (public navigation only, no sign-out) and signed-in pages still redirect', async () => {
    const page = await get('/standards?date=2022-01-01');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toMatch(/^public/);
    const html = await page.text();
    expect(html).toContain('data-testid="public-notice"');
    expect(html).toContain('data-testid="item-count">81<');
    expect(html).not.toContain('/signout');
    expect(html).not.toContain('href="/proposals"');
    expect(html).not.toContain('href="/inbox"');
    const item = await (await get('/standards/items/INS-05')).text();
    expect(item).toContain('城乡居民基本医疗保险');
    expect((await get('/standards/compliance?province=110000')).status).toBe(200);
    expect((await get('/standards/diff?from=2018-01-01&to=2026-01-01')).status).toBe(200);
    const inbox = await get('/inbox');
    expect(inbox.status).toBe(303);
    expect(inbox.headers.get('location')).toBe('/signin?next=%2Finbox');
  });

  it('is off without the portal account: every route needs a token again', async () => {
    closed = await startTestPlatform('public-off', { publicReader: undefined });
    expect((await get('/api/v1/standards/items', {}, closed.gateway.url)).status).toBe(401);
    expect((await get('/standards', {}, closed.gateway.url)).status).toBe(303);
  });

  it('limits visitors by address like everyone else (token bucket per IP)', async () => {
    const limited = await startTestPlatform('public-rl', { rateLimit: { burst: 3, perSecond: 0.001 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await get('/api/v1/standards/units', {}, limited.gateway.url)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await limited.stop();
    }
  });
});

describe('what a visitor sees of an answer', () => {
  it('keeps organisations and drops people and internal references', () => {
    const answer = {
      versions: [
        {
          version: 2,
          provenance: {
            proposalIds: ['P-1'],
            workflowId: 'adhoc-P-1',
            workflowRunId: 'r',
            approvedBy: { subject: 'sco.final.zhou', organisation: 'SCO', roles: ['final-approver'] },
          },
          item: { leadUnit: { code: 'NHC', name: '国家卫生健康委', kind: 'ORGANISATION_KIND_MINISTRY' } },
        },
      ],
    };
    expect(publicView(answer)).toEqual({
      versions: [
        {
          version: 2,
          provenance: { proposalIds: ['P-1'], approvedBy: { organisation: 'SCO' } },
          item: { leadUnit: { code: 'NHC', name: '国家卫生健康委', kind: 'ORGANISATION_KIND_MINISTRY' } },
        },
      ],
    });
  });
});
