// Issue #17 in real headless Chromium: 国家卫生健康委's staff import an edition from the console — choose the file,
// give its document number and date, see the row report and the diff against the standard in force, submit it and
// land on the draft proposal that carries it — and a visitor reads the shared level of the basic public health
// service package (40 yuan per person per year, as of 2015) on its page. The rows are made-up TEST DATA.
// Screenshots: test-results/screenshots/edition-import-*.png, package-level-bphs.png.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { editionColumns, editionRowOf } from '../../services/shared/standards/edition';
import { templateHeader } from '../../services/shared/standards/edition-file';
import { apiAs, startTestPlatform, type TestPlatform } from '../integration/gateway-platform';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';

describe('edition import and package levels in the console (Chromium)', { timeout: 240_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  let staff: Page;
  let visitor: Page;
  let file = '';

  beforeAll(async () => {
    [p, b] = await Promise.all([startTestPlatform('e2e-edition', {}, { full: true }), launchBrowser()]);
    staff = (await b.newPage()).page;
    visitor = (await b.newPage()).page;
    const rowOf = async (code: string) => {
      const v = (await apiAs(p, 'nhc-staff', 'GET', `/api/v1/standards/items/${code}`)).json.national;
      return editionRowOf(ServiceItem.fromJSON(v.item), v.placement.fieldCode, v.placement.categoryCode);
    };
    const line = (row: Record<string, string>) => editionColumns.map((c) => `"${(row[c.key] ?? '').replace(/"/g, '""')}"`).join(',');
    const hea07 = await rowOf('HEA-07');
    const hea03 = await rowOf('HEA-03');
    const csv = `\uFEFF${[templateHeader().join(','), line({ ...hea07, service_content: '为65岁及以上老年人提供健康管理服务（浏览器测试数据，非官方修订）' }), line(hea03)].join('\r\n')}\r\n`;
    file = join(mkdtempSync(join(tmpdir(), 'bps-edition-')), 'edition-test.csv');
    writeFileSync(file, csv);
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it('staff upload an edition, see the row report and diff, and submit it as a draft proposal', async () => {
    await signIn(staff, p.gateway.url, 'nhc-staff', '/proposals');
    await Promise.all([staff.waitForURL(/\/editions\/import$/), staff.click('[data-testid="import-edition"]')]);
    await staff.setInputFiles('input[name="file"]', file);
    await staff.fill('input[name="documentNumber"]', '（测试）浏览器导入第1号');
    await staff.fill('input[name="documentDate"]', '2026-11-01');
    await staff.fill('input[name="effectiveFrom"]', '2027-01-01');
    await staff.click('[data-testid="edition-validate"]');
    await staff.waitForSelector('[data-testid="edition-report"]');
    expect(await staff.locator('[data-testid="edition-ok"]').count()).toBe(1);
    expect(await staff.textContent('[data-testid="diff-modified"]')).toBe('1');
    expect(await staff.locator('[data-testid="edition-changes"] tr[data-item="HEA-07"]').count()).toBe(1);
    await screenshot(staff, 'edition-import-preview');
    await Promise.all([staff.waitForURL(/\/proposals\/[^/]+$/), staff.click('[data-testid="edition-submit"]')]);
    expect(await staff.textContent('h1')).toContain('（测试）浏览器导入第1号');
    await screenshot(staff, 'edition-import-draft');
  });

  it('a visitor reads the shared level of the basic public health package, linked from its items', async () => {
    await visitor.goto(`${p.gateway.url}/standards/items/HEA-01`);
    await Promise.all([visitor.waitForURL(/\/standards\/packages\/BPHS/), visitor.click('[data-testid="item-packages"] a')]);
    expect(await visitor.textContent('[data-testid="package-value"]')).toContain('40');
    expect(await visitor.textContent('[data-testid="package-as-of"]')).toBe('2015-12-31');
    expect(await visitor.locator('[data-testid="package-items"] a').count()).toBe(12);
    await screenshot(visitor, 'package-level-bphs');
  });
});
