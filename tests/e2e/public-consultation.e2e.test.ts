// Issue #17, public consultation in real headless Chromium: 国家卫生健康委's staff open a consultation on their draft
// from the console; a visitor who never signs in finds it under 征求意见, reads the summary and changes and
// comments; the comment is held (not shown) until the ministry's staff publish it from their moderation page; the
// visitor then sees it. Screenshots: test-results/screenshots/consultation-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { todayInChina } from '../../services/shared/standards/china-date';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, type TestPlatform } from '../integration/gateway-platform';
import { startPlatform } from '../support/platform';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';

describe('public consultation (Chromium)', { timeout: 180_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  let visitor: Page;
  let staff: Page;
  let proposalId = '';

  beforeAll(async () => {
    [p, b] = await Promise.all([
      startPlatform('e2e-consult', { services: ['registry', 'proposals', 'gateway'] }) as unknown as Promise<TestPlatform>,
      launchBrowser(),
    ]);
    visitor = (await b.newPage()).page;
    staff = (await b.newPage()).page;
    const created = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', {
      content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-01', title: '提高基本公共卫生服务经费补助标准（征求意见稿）' })),
    });
    expect(created.status).toBe(201);
    proposalId = created.json.proposal.proposalId;
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it("the lead ministry's staff open a consultation from the console", async () => {
    await signIn(staff, p.gateway.url, 'nhc-staff', `/proposals/${encodeURIComponent(proposalId)}/consultation`);
    await staff.fill('input[name="closesOn"]', todayInChina(new Date(Date.now() + 30 * 86_400_000)));
    await staff.fill('textarea[name="summary"]', '拟提高基本公共卫生服务经费补助标准，现向社会公开征求意见。');
    await Promise.all([staff.waitForURL(/\/consultation$/), staff.click('form[data-testid="open-consultation"] button[type="submit"]')]);
    expect(await staff.locator('[data-testid="moderation"]').count()).toBe(1);
  });

  it('a visitor finds it without signing in and comments; the comment is held', async () => {
    await visitor.goto(`${p.gateway.url}/consultations`);
    expect(await visitor.locator('[data-testid="who"]').count()).toBe(0);
    await Promise.all([visitor.waitForURL(/\/consultations\/.+/), visitor.click(`tr[data-proposal="${proposalId}"] a`)]);
    expect(await visitor.textContent('h1')).toBe('提高基本公共卫生服务经费补助标准（征求意见稿）');
    expect(await visitor.locator('[data-testid="consultation-changes"] li').count()).toBeGreaterThan(0);
    await visitor.fill('textarea[name="text"]', '建议同时明确农村地区的服务频次，并公布测算依据。');
    await visitor.fill('input[name="commenterOrganisation"]', '某社区卫生服务中心');
    await Promise.all([visitor.waitForURL(/sent=C-1/), visitor.click('form[data-testid="comment-form"] button[type="submit"]')]);
    expect(await visitor.locator('[data-testid="comments"] li').count()).toBe(0);
    expect(await visitor.locator('[data-testid="no-comments"]').count()).toBe(1);
  });

  it('the ministry publishes it and the visitor sees it on the consultation page', async () => {
    await staff.goto(`${p.gateway.url}/proposals/${encodeURIComponent(proposalId)}/consultation`);
    await staff.fill('form[data-testid="moderate-C-1"] input[name="reason"]', '意见合理，予以公开');
    await Promise.all([staff.waitForURL(/\/consultation$/), staff.click('form[data-testid="moderate-C-1"] button[value="PUBLISH"]')]);
    expect(await staff.locator('li[data-comment="C-1"] form').count()).toBe(0);
    await screenshot(staff, 'consultation-moderation');

    // A fresh context: the visitor's earlier copy may be cached for a minute (public, max-age=60).
    const fresh = (await b.newPage()).page;
    await fresh.goto(`${p.gateway.url}/consultations/${encodeURIComponent(proposalId)}`);
    expect(await fresh.locator('[data-testid="comments"] li[data-comment="C-1"]').count()).toBe(1);
    expect(await fresh.textContent('[data-testid="comments"]')).toContain('建议同时明确农村地区的服务频次');
    await screenshot(fresh, 'consultation-public-comment');
  });
});
