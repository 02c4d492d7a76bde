// Today's catalogue in real headless Chromium: the nine current fields and their categories by name, filtering by a
// field and a category, and an item page with its placement and the annex lead unit. Screenshots go to
// test-results/screenshots/ (standards-current-structure*.png).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../integration/gateway-platform';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';

describe('standards browser: the current structure (Chromium)', { timeout: 180_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  let page: Page;
  beforeAll(async () => {
    [p, b] = await Promise.all([startTestPlatform('e2e-struct'), launchBrowser()]);
    page = (await b.newPage()).page;
    await signIn(page, p.gateway.url, 'auditor', '/standards');
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it("groups today's catalogue by the nine fields by name and filters by a current field and category", async () => {
    expect(await page.textContent('[data-testid="item-count"]')).toBe('81');
    const fields = (await page.locator('section.field h2').allTextContents()).map((t) => t.replace(/\s*\(.*$/, '').trim());
    expect(fields).toEqual(['幼有所育', '学有所教', '劳有所得', '病有所医', '老有所养', '住有所居', '弱有所扶', '优军服务保障', '文体服务保障']);
    expect(await page.locator('section.field h3').count()).toBe(22);
    await screenshot(page, 'standards-current-structure');

    await page.selectOption('#field', 'F21-MILITARY');
    await Promise.all([page.waitForURL(/field=F21-MILITARY/), page.click('form.filters button[type="submit"]')]);
    expect(await page.textContent('[data-testid="item-count"]')).toBe('3');
    await page.selectOption('#field', '');
    await page.selectOption('#category', 'C21-PUBLIC-SPORTS');
    await Promise.all([page.waitForURL(/category=C21-PUBLIC-SPORTS/), page.click('form.filters button[type="submit"]')]);
    expect(await page.locator('tr[data-item]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item')))).toEqual(['CUL-09', 'CUL-10']);
  });

  it("shows an item's place, why it is there, and its attributed lead unit", async () => {
    await page.goto(`${p.gateway.url}/standards/items/SOC-11`);
    expect(await page.textContent('[data-attr="field"]')).toContain('优军服务保障');
    expect(await page.textContent('[data-attr="category"]')).toContain('优军优抚服务');
    expect(await page.textContent('[data-attr="lead_unit"]')).toContain('退役军人事务部');
    expect(await page.textContent('[data-testid="lead-unit-attributed"]')).toBe('推定');
    await screenshot(page, 'standards-current-structure-SOC-11');
  });
});
