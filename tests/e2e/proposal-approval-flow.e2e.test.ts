// The whole adjustment flow in real headless Chromium against the real registry, proposals and approvals
// (Temporal) services behind the gateway: a 国家卫生健康委 staff member drafts and submits a proposal, a refused
// self-approval shows its reason, the approvers sign off in their inboxes, and the standards browser shows the
// new value from its effective date and the diff. Screenshots of each page go to test-results/screenshots/.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../integration/gateway-platform';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const docLine = (title: string) => `${title} | https://docs.example.gov.cn/${encodeURIComponent(title)} | ${sha(title)}`;

describe('proposal → countersign → final approval → published (Chromium)', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  let staff: Page;
  let proposalId = '';

  beforeAll(async () => {
    [p, b] = await Promise.all([startTestPlatform('e2e-flow', {}, { full: true }), launchBrowser()]);
    staff = (await b.newPage()).page;
    await signIn(staff, p.gateway.url, 'nhc-staff', '/proposals');
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it('a ministry staff member drafts a proposal from an item the ministry leads and sees the fiscal estimate', async () => {
    await staff.goto(`${p.gateway.url}/proposals/new?item=HEA-01`);
    expect(await staff.locator('#item-pick option').count()).toBe(19); // the 19 health items led by NHC (HEA-12 is led by 国家中医药局: seed 000 annex row 7)
    await staff.fill('#title', '提高居民健康档案服务经费补助标准（端到端测试）');
    await staff.selectOption('#trigger', 'AD_HOC_TRIGGER_MID_TERM_EVALUATION');
    await staff.fill('#triggerDocTitle', '“十四五”公共服务规划中期评估报告（测试文档）');
    await staff.fill('#triggerDocUri', 'https://docs.example.gov.cn/midterm');
    await staff.fill('#triggerDocDigest', sha('midterm'));
    await staff.fill('#effectiveFrom', '2027-01-01');
    await staff.fill('#qualityText', '国家基本公共卫生服务经费补助标准提高到每人每年89元（测试示例输入）');
    await staff.fill('#newMetric', 'funding_per_capita');
    await staff.fill('#newMetricLabel', '国家基本公共卫生服务经费');
    await staff.selectOption('#newMetricComparator', 'GTE');
    await staff.fill('#newMetricValue', '89');
    await staff.fill('#newMetricUnit', 'CNY');
    await staff.fill('#newMetricBasis', 'per_person_per_year');
    for (const [id, text] of [
      ['#jEconomic', '经济社会发展水平持续提高'],
      ['#jIncome', '城乡居民收入稳步增长'],
      ['#jSector', '基层公共卫生服务需求增加'],
      ['#jFiscal', '中央和地方财政可承受'],
      ['#jTechnical', '电子健康档案普及'],
      ['#surveySummary', '公众需求调查摘要'],
      ['#evaluationSummary', '实施情况评价评估结论'],
      ['#affordability', '已征求财政部门意见'],
    ] as const)
      await staff.fill(id, text);
    await staff.fill('#surveyDocs', docLine('公众需求调查报告（测试文档）'));
    await staff.fill('#evaluationDocs', docLine('评价评估报告（测试文档）'));
    await staff.fill('#evidence', docLine('测算说明（测试文档）'));
    for (const [tier, pop, share] of [
      ['EAST', '560000000', '30'],
      ['CENTRAL', '420000000', '60'],
      ['WEST', '380000000', '80'],
    ] as const) {
      await staff.fill(`#pop${tier}`, pop);
      await staff.fill(`#share${tier}`, share);
    }
    await Promise.all([staff.waitForLoadState('load'), staff.click('[data-testid="recalculate"]')]);
    await staff.waitForSelector('[data-testid="fiscal-total"]');
    // 1.36 billion people × (89 − 40 yuan, the level of package BPHS in force) × 3 years, computed by the proposals service.
    expect(await staff.textContent('[data-testid="fiscal-total"]')).toBe('199,920,000,000.00');
    await screenshot(staff, 'proposal-editor-with-estimate');
    await Promise.all([staff.waitForURL(/\/proposals\/[^/]+\?saved=1/), staff.click('[data-testid="save"]')]);
    proposalId = (await staff.textContent('[data-testid="proposal-id"]')) ?? '';
    expect(proposalId).not.toBe('');
    expect(await staff.getAttribute('[data-state]', 'data-state')).toBe('PROPOSAL_STATE_DRAFT');
    expect(await staff.locator('[data-testid="violations"]').count()).toBe(0);
    expect(await staff.textContent('main')).toContain('校验通过');
    await screenshot(staff, 'proposal-draft-validated');
  });

  it('submits it, and the proposal page follows the review', async () => {
    await Promise.all([staff.waitForURL(/submitted=1/), staff.click('[data-testid="submit"]')]);
    expect(['PROPOSAL_STATE_SUBMITTED', 'PROPOSAL_STATE_IN_REVIEW']).toContain(await staff.getAttribute('[data-state]', 'data-state'));
    await expect
      .poll(
        async () => {
          await staff.reload();
          return staff.locator('[data-testid="rounds"]').count();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(1);
    await screenshot(staff, 'proposal-submitted');
  });

  it('a refused self-approval shows the reason from the server', async () => {
    await staff.goto(`${p.gateway.url}/inbox/${encodeURIComponent(proposalId)}`);
    const lead = staff.locator('fieldset', { hasText: '(NHC)' }).first();
    await lead.locator('select[name="position"]').selectOption('POSITION_APPROVE');
    await Promise.all([staff.waitForLoadState('load'), lead.locator('[data-action="sign"]').click()]);
    await staff.waitForSelector('[data-testid="refusal"]');
    const refusal = await staff.textContent('[data-testid="refusal"]');
    expect(refusal).toContain('SELF_APPROVAL');
    expect(refusal).toContain('nobody signs a step of their own proposal');
    await screenshot(staff, 'inbox-self-approval-refused');
  });

  const signAs = async (persona: string, organisation: string, shot: string) => {
    const { page, context } = await b.newPage();
    await signIn(page, p.gateway.url, persona, '/inbox');
    await expect
      .poll(
        async () => {
          await page.goto(`${p.gateway.url}/inbox`);
          return page.locator(`tr[data-proposal="${proposalId}"]`).count();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    await screenshot(page, `inbox-${persona}`);
    await Promise.all([page.waitForURL(/\/inbox\/.+/), page.click(`tr[data-proposal="${proposalId}"] a`)]);
    expect(await page.textContent('[data-testid="proposal-diff"]')).toContain('89元');
    const step = page.locator('fieldset', { hasText: `(${organisation})` }).first();
    await step.locator('select[name="position"]').selectOption('POSITION_APPROVE');
    await step.locator('input[name="comment"]').fill(`${persona} 同意（端到端测试）`);
    await Promise.all([page.waitForURL(/done=sign/), step.locator('[data-action="sign"]').click()]);
    await screenshot(page, shot);
    await context.close();
  };

  it('the lead ministry, NDRC and Finance countersign, then the final approver approves, each from their inbox', async () => {
    await signAs('nhc-approver', 'NHC', 'approval-signed-nhc');
    await signAs('ndrc-approver', 'NDRC', 'approval-signed-ndrc');
    await signAs('mof-approver', 'MOF', 'approval-signed-mof');
    await signAs('final-approver', 'SCO', 'approval-signed-final');
    await expect
      .poll(
        async () => {
          await staff.goto(`${p.gateway.url}/proposals/${encodeURIComponent(proposalId)}`);
          return staff.getAttribute('[data-state]', 'data-state');
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toBe('PROPOSAL_STATE_APPROVED');
    await screenshot(staff, 'proposal-approved');
  });

  it('the standards browser shows the new value from its effective date, the proposal behind it, and the diff', async () => {
    await expect
      .poll(
        async () => {
          await staff.goto(`${p.gateway.url}/standards/items/HEA-01?date=2027-01-01`);
          return staff.textContent('[data-testid="item-version"]');
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toBe('v2');
    expect(await staff.textContent('[data-metric="funding_per_capita"]')).toContain('不低于 89元（每人每年）');
    expect(await staff.textContent('[data-testid="history"]')).toContain(proposalId);
    await screenshot(staff, 'standards-item-after-approval');

    await staff.goto(`${p.gateway.url}/standards/items/HEA-01?date=2026-12-31`);
    expect(await staff.textContent('[data-testid="item-version"]')).toBe('v1');
    expect(await staff.locator('[data-metric="funding_per_capita"]').count()).toBe(0);

    await staff.goto(`${p.gateway.url}/standards/diff?from=2026-12-31&to=2027-01-01`);
    const diff = staff.locator('[data-testid="diff"] tr[data-item="HEA-01"]');
    expect(await diff.count()).toBeGreaterThan(0);
    expect(await staff.textContent('[data-testid="diff"]')).toContain('89');
    expect(await staff.locator('[data-testid="diff"] ins').count()).toBeGreaterThan(0);
    await screenshot(staff, 'standards-diff-after-approval');
  });
});
