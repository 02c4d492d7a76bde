// The standardisation programme's console in real headless Chromium against the registry and the programme service
// behind the gateway: SAMR opens a pilot batch, 通州 applies for a pilot and sees its page, Beijing's provincial
// officer sees (only) the screening form and recommends it, 国家卫生健康委 proposes a GB/T standard (立项) and sees it
// at its first stage, and the overview shows the 2027 targets and the coverage per category with the missing kinds.
// Screenshots of each state go to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PersonaName } from '../../services/shared/auth/personas';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { uniqueName } from '../support/names';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';

describe('standardisation programme console (Chromium)', { timeout: 300_000 }, () => {
  let p: StartedPlatform<'registry' | 'programme' | 'gateway'>;
  let b: TestBrowser;
  const batchId = uniqueName('2026').replace(/[^A-Za-z0-9._:-]/g, '-');
  const as = async (persona: PersonaName, next: string): Promise<Page> => {
    const page = (await b.newPage()).page;
    await signIn(page, p.gateway.url, persona, next);
    return page;
  };
  const submit = async (page: Page, form: string): Promise<void> => {
    await Promise.all([page.waitForLoadState('load'), page.click(`[data-testid="${form}"] button[type="submit"]`)]);
  };

  beforeAll(async () => {
    [p, b] = await Promise.all([startPlatform('e2e-prog', { services: ['registry', 'programme', 'gateway'] }), launchBrowser()]);
  }, 240_000);
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it('opens a batch, takes an application, shows the pilot and its screening form', async () => {
    // SAMR opens the call for applications.
    const samr = await as('samr-officer', '/programme/pilots');
    await samr.goto(`${p.gateway.url}/programme/pilots`);
    await samr.click('[data-testid="open-batch-toggle"]');
    await samr.fill('#batchId', batchId);
    await samr.fill('#batchTitle', '2026年基本公共服务标准化试点');
    await samr.fill('#applicationsClose', '2030-09-30');
    await screenshot(samr, 'programme-open-batch');
    await submit(samr, 'open-batch');
    await samr.waitForURL(/\/programme\/pilots\?batch=/);
    expect(await samr.textContent(`[data-testid="batches"] tr[data-batch="${batchId}"]`)).toContain('2026年基本公共服务标准化试点');

    // 通州 applies (a comprehensive pilot of its own).
    const tongzhou = await as('tongzhou-officer', '/programme/pilots');
    await tongzhou.goto(`${p.gateway.url}/programme/pilots`);
    expect(await tongzhou.locator('[data-testid="open-batch"]').count()).toBe(0);
    await tongzhou.selectOption('#apply-batch', batchId);
    await tongzhou.fill('#name', '北京市通州区基本公共服务标准化试点');
    await tongzhou.selectOption('#type', 'PILOT_TYPE_COMPREHENSIVE');
    await tongzhou.fill('#periodStart', '2026-07');
    await tongzhou.fill('#periodEnd', '2028-06');
    expect(await tongzhou.inputValue('#localityCode')).toBe('110112');
    await tongzhou.fill('#localityName', '北京市通州区');
    await tongzhou.fill('#groundwork', '已完成基本公共服务清单梳理');
    await tongzhou.fill('#policyAndFundingSupport', '区财政安排专项经费');
    await tongzhou.fill('#goals', '建成区级基本公共服务标准体系');
    await tongzhou.fill('#workPlan', '两年完成五项任务');
    await tongzhou.fill('#funding', '每年200万元');
    await screenshot(tongzhou, 'programme-apply');
    await submit(tongzhou, 'apply-pilot');
    await tongzhou.waitForURL(/\/programme\/pilots\/[^/?]+$/);
    const pilotUrl = tongzhou.url();
    expect(await tongzhou.getAttribute('[data-testid="pilot-status"]', 'data-status')).toBe('PILOT_STATUS_SUBMITTED');
    expect(await tongzhou.textContent('[data-testid="pilot-localities"]')).toContain('北京市通州区');
    expect(await tongzhou.locator('[data-testid^="act-"]').count()).toBe(0);
    await screenshot(tongzhou, 'programme-pilot-submitted');

    // Beijing's provincial officer screens it: the one form offered, then the recommendation on record.
    const beijing = await as('beijing-programme-officer', new URL(pilotUrl).pathname);
    await beijing.goto(pilotUrl);
    expect(await beijing.locator('[data-testid^="act-"]').count()).toBe(1);
    await beijing.check('[data-testid="act-screen"] input[name="recommend"][value="yes"]');
    await beijing.fill('#screen-opinion', '省市场监管局、发展改革委、财政厅联合推荐');
    await screenshot(beijing, 'programme-pilot-screening-form');
    await submit(beijing, 'act-screen');
    expect(await beijing.textContent('[data-testid="pilot-screenings"]')).toContain('北京市');
    expect(await beijing.locator('[data-testid="act-screen"]').count()).toBe(0);
    await screenshot(beijing, 'programme-pilot-screened');
  });

  it('lets a ministry propose a GB/T standard, take it through the drafting checks, and shows the coverage overview', async () => {
    const nhc = await as('nhc-staff', '/programme/standards');
    await nhc.goto(`${p.gateway.url}/programme/standards`);
    await nhc.fill('#title', '基本公共卫生服务 居民健康档案管理规范');
    await nhc.selectOption('#level', 'STANDARD_LEVEL_NATIONAL');
    await nhc.selectOption('#kind', 'STANDARD_KIND_SERVICE_PROCESS_QUALITY');
    await nhc.fill('#itemCodes', 'HEA-01');
    await nhc.fill('#supportingMeasures', `配套措施 | https://example.gov.cn/measures.pdf | ${'ab'.repeat(32)}`);
    await screenshot(nhc, 'programme-propose-standard');
    await submit(nhc, 'propose-standard');
    await nhc.waitForURL(/\/programme\/standards\/[^/?]+$/);
    expect(await nhc.textContent('h1')).toBe('基本公共卫生服务 居民健康档案管理规范');
    expect(await nhc.getAttribute('[data-stage="STANDARD_STAGE_PROPOSED"]', 'aria-current')).toBe('step');
    expect(await nhc.textContent('[data-testid="standard"]')).toContain('GB/T');
    expect(await nhc.locator('[data-testid="advance-standard"]').count()).toBe(1);
    await screenshot(nhc, 'programme-standard-proposed');

    // 立项 → 起草; leaving 起草 without the drafting documents is refused with the reasons, then accepted with them.
    await nhc.selectOption('#to', 'STANDARD_STAGE_DRAFTING');
    await submit(nhc, 'advance-standard');
    expect(await nhc.getAttribute('[data-stage="STANDARD_STAGE_DRAFTING"]', 'aria-current')).toBe('step');
    expect(await nhc.locator('#demandSurvey').count()).toBe(1);
    await nhc.selectOption('#to', 'STANDARD_STAGE_CONSULTATION');
    await submit(nhc, 'advance-standard');
    expect(await nhc.textContent('[data-testid="refusal"]')).toContain('需求调查');
    await screenshot(nhc, 'programme-drafting-checks-refused');
    const docLine = (title: string) => `${title} | https://example.gov.cn/${encodeURIComponent(title)}.pdf | ${'ab'.repeat(32)}`;
    await nhc.selectOption('#to', 'STANDARD_STAGE_CONSULTATION');
    await nhc.fill('#demandSurvey', docLine('公众需求调查报告'));
    await nhc.fill('#costEstimate', docLine('财政经费测算'));
    expect(await nhc.inputValue('#financeOrganisation')).toBe('MOF');
    await nhc.fill('#financeDocuments', docLine('财政部意见'));
    await submit(nhc, 'advance-standard');
    expect(await nhc.getAttribute('[data-stage="STANDARD_STAGE_CONSULTATION"]', 'aria-current')).toBe('step');
    expect(await nhc.textContent('[data-testid="standard"]')).toContain('财政部意见');
    await screenshot(nhc, 'programme-standard-consultation');

    await nhc.goto(`${p.gateway.url}/programme`);
    expect(await nhc.locator('header nav a[href="/programme"]').getAttribute('aria-current')).toBe('page');
    expect(await nhc.locator('[data-testid="programme-targets"] tbody tr').count()).toBe(2);
    expect(await nhc.locator('[data-testid="coverage"] tbody tr').count()).toBeGreaterThan(0);
    expect(await nhc.locator('[data-testid="coverage"] th[scope="col"]').count()).toBe(9);
    await screenshot(nhc, 'programme-overview');
  });

  it('shows a visitor of the public portal the programme, without what is still in the pipeline and without forms', async () => {
    const { page } = await b.newPage();
    await page.goto(`${p.gateway.url}/programme`);
    expect(new URL(page.url()).pathname).toBe('/programme');
    expect(await page.locator('header nav a[href="/programme"]').count()).toBe(1);
    expect(await page.locator('[data-testid="coverage"] tbody tr').count()).toBeGreaterThan(0);
    await page.goto(`${p.gateway.url}/programme/standards`);
    // The standard NHC proposed above is at 立项: not public yet.
    expect(await page.locator('[data-testid="standards"] tr[data-standard]').count()).toBe(0);
    expect(await page.locator('form[method="post"]').count()).toBe(0);
    await page.goto(`${p.gateway.url}/programme/pilots`);
    expect(await page.locator('[data-testid="pilots"] tr[data-pilot]').count()).toBe(0);
    expect(await page.locator(`[data-testid="batches"] tr[data-batch="${batchId}"]`).count()).toBe(1);
    await screenshot(page, 'programme-public-pilots');
  });
});
