// The standards browser in real headless Chromium against the real registry behind the gateway: sign-in, the seeded
// catalogue as of a date, an item with its six attributes and history, a province, the diff page, English, keyboard
// use and 200% zoom. Screenshots of each page go to test-results/screenshots/.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../integration/gateway-platform';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';

describe('standards browser (Chromium)', { timeout: 180_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  let page: Page;
  beforeAll(async () => {
    [p, b] = await Promise.all([startTestPlatform('e2e-std'), launchBrowser()]);
    page = (await b.newPage()).page;
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it('sends an anonymous visitor of a signed-in page to the sign-in page listing the seeded personas', async () => {
    await page.goto(`${p.gateway.url}/proposals`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await expect.poll(() => page.locator('[data-persona]').count()).toBeGreaterThanOrEqual(6);
    expect(await page.textContent('[data-persona="ndrc-approver"]')).toContain('陈静（国家发展改革委）');
    await screenshot(page, 'signin');
    await signIn(page, p.gateway.url, 'nhc-staff', '/standards');
    expect(await page.textContent('[data-testid="who"]')).toContain('李明（国家卫生健康委）');
  });

  it('shows the real seeded catalogue as in force on a chosen date', async () => {
    await page.fill('#date', '2018-01-01');
    await Promise.all([page.waitForURL(/date=2018-01-01/), page.click('form.filters button[type="submit"]')]);
    expect(await page.textContent('[data-testid="item-count"]')).toBe('81');
    expect(await page.textContent('[data-testid="as-of-date"]')).toBe('2018-01-01');
    const fields = await page.locator('section.field h2').allTextContents();
    expect(fields).toHaveLength(8);
    expect(fields.join('|')).toContain('医疗卫生');
    expect(await page.locator('tr[data-item]').count()).toBe(81);
    await screenshot(page, 'standards-catalogue-2018-01-01');
  });

  it('opens an item page with its six attributes and version history', async () => {
    await Promise.all([page.waitForURL(/\/standards\/items\/INS-05/), page.click('tr[data-item="INS-05"] a')]);
    expect(await page.textContent('h1')).toBe('城乡居民基本医疗保险');
    const labels = await page.locator('[data-testid="six-attributes"] dt').allTextContents();
    expect(labels).toEqual(['服务对象', '服务内容', '服务标准', '支付类别', '支出责任', '牵头负责单位']);
    expect(await page.textContent('[data-metric="government_subsidy_per_capita"]')).toContain('不低于 380元（每人每年）');
    expect(await page.locator('[data-testid="history"] tbody tr').count()).toBe(1);
    await screenshot(page, 'standards-item-INS-05');

    await page.selectOption('#province', '110000');
    await Promise.all([page.waitForURL(/province=110000/), page.click('form.filters button[type="submit"]')]);
    expect(await page.textContent('[data-testid="provincial"]')).toContain('北京市');
    expect(await page.textContent('[data-testid="provincial"]')).toContain('未备案');
    await screenshot(page, 'standards-item-INS-05-beijing');
  });

  it('shows the diff page and the releases, and switches to English', async () => {
    await page.goto(`${p.gateway.url}/standards/diff?from=2018-01-01&to=2019-01-01`);
    expect(await page.textContent('main')).toContain('2017-national-list');
    await screenshot(page, 'standards-diff');
    await Promise.all([page.waitForURL(/\/standards\/diff/), page.click('[data-testid="switch-lang"]')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Compare versions');
    await screenshot(page, 'standards-diff-en');
    await Promise.all([page.waitForURL(/\/standards\/diff/), page.click('[data-testid="switch-lang"]')]);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
  });

  it('is usable by keyboard: the skip link comes first and moves focus to the content', async () => {
    await page.goto(`${p.gateway.url}/standards?date=2018-01-01`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('跳到正文');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');
    // Tab on to the first filter and submit the form with Enter, without a mouse.
    await page.focus('#date');
    await page.keyboard.type('2018-06-01'.replaceAll('-', ''));
    await Promise.all([page.waitForURL(/date=/), page.keyboard.press('Enter')]);
    expect(await page.textContent('[data-testid="item-count"]')).toBe('81');
  });

  it('reflows at 200% zoom without page-level horizontal scrolling', async () => {
    // 200% zoom of a 1280-px-wide window = a 640-CSS-px viewport at device scale 2.
    const zoomed = (await b.newPage({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 })).page;
    await signIn(zoomed, p.gateway.url, 'nhc-staff', '/standards/items/INS-05');
    const overflow = await zoomed.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    expect(await zoomed.isVisible('[data-testid="six-attributes"]')).toBe(true);
    expect(existsSync(await screenshot(zoomed, 'standards-item-zoom-200'))).toBe(true);
    await zoomed.context().close();
  });
});
