// Issue #17, the public portal in real headless Chromium: a visitor who never signs in reads the standard in force
// on a date, an item with its history, a province's implementation standard and compliance, the diff between
// editions, downloads the edition as CSV and prints it. Screenshots go to test-results/screenshots/public-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../integration/gateway-platform';
import { launchBrowser, screenshot, type TestBrowser } from './support/browser';

describe('public portal (Chromium, no sign-in)', { timeout: 180_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  let page: Page;
  beforeAll(async () => {
    [p, b] = await Promise.all([startTestPlatform('e2e-public'), launchBrowser()]);
    page = (await b.newPage()).page;
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it('shows the standard in force today to a visitor, grouped in the current fields, with only public navigation', async () => {
    await page.goto(`${p.gateway.url}/standards`);
    expect(new URL(page.url()).pathname).toBe('/standards');
    expect(await page.textContent('[data-testid="public-notice"]')).toContain('无需登录');
    expect(await page.textContent('[data-testid="item-count"]')).toBe('81');
    expect(await page.locator('section.field h2').count()).toBe(9);
    const nav = await page.locator('header nav a').allTextContents();
    expect(nav).toHaveLength(5);
    expect(await page.locator('[data-testid="who"]').count()).toBe(0);
    await screenshot(page, 'public-catalogue');
  });

  it('opens an item with its six attributes and history, the deciding bodies but no people', async () => {
    await Promise.all([page.waitForURL(/\/standards\/items\/INS-05/), page.click('tr[data-item="INS-05"] a')]);
    expect(await page.textContent('h1')).toBe('城乡居民基本医疗保险');
    expect(await page.locator('[data-testid="six-attributes"] dt').count()).toBe(6);
    expect(await page.locator('[data-testid="history"] tbody tr').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('a[href^="/proposals/"]').count()).toBe(0);
    expect(await page.locator('[data-testid="audit-link"]').count()).toBe(0);
    await screenshot(page, 'public-item-INS-05');
  });

  it("shows a province's implementation standard and compliance, and the diff between editions", async () => {
    await page.goto(`${p.gateway.url}/standards/compliance?province=110000`);
    expect(await page.textContent('h1')).toBeTruthy();
    expect(await page.content()).toContain('北京市');
    await screenshot(page, 'public-compliance-110000');
    await page.goto(`${p.gateway.url}/standards/diff?from=2018-01-01&to=2026-01-01`);
    expect(page.url()).toContain('/standards/diff');
    await screenshot(page, 'public-diff-2018-2026');
  });

  it('shows the national monitoring matrix (provinces × items) to a visitor', async () => {
    await page.goto(`${p.gateway.url}/standards/monitoring?date=2022-01-01`);
    expect(await page.locator('[data-testid="monitoring-provinces"] tbody tr').count()).toBe(32);
    expect(await page.locator('[data-testid="monitoring-matrix"] tbody tr').count()).toBe(81);
    expect(await page.locator('[data-testid="monitoring-matrix"] td[data-state="NOT_FILED"]').count()).toBe(32 * 81);
    await screenshot(page, 'public-monitoring');
    // History: the year before the date, drawn (one line per state but "not filed") and as a table, with its CSV.
    const chart = page.locator('[data-testid="monitoring-history-chart"]');
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.locator('polyline').count()).toBe(5);
    expect(await page.locator('[data-testid="monitoring-history"] tbody tr').count()).toBe(13);
    expect(await page.textContent('[data-testid="monitoring-history"] tr[data-date="2021-01-01"] td[data-state="NOT_FILED"]')).toBe(String(32 * 81));
    const csvHref = await page.getAttribute('[data-testid="monitoring-history-csv"]', 'href');
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), csvHref!);
    expect(csv.split('\r\n')[0]).toContain('date,scope,code,name,below_floor,refiling_overdue');
    await page.locator('#history').scrollIntoViewIfNeeded();
    await screenshot(page, 'public-monitoring-history');
  });

  it('downloads the edition as CSV and prints without navigation or filters', async () => {
    await page.goto(`${p.gateway.url}/standards?date=2022-01-01`);
    const href = await page.getAttribute('[data-testid="download-csv"]', 'href');
    expect(href).toBe('/api/v1/standards/edition.csv?date=2022-01-01&lang=zh');
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(82);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.locator('form.filters').isVisible()).toBe(false);
    expect(await page.locator('tr[data-item="INS-05"]').isVisible()).toBe(true);
    await screenshot(page, 'public-catalogue-print');
    await page.emulateMedia({ media: 'screen' });
  });
});
