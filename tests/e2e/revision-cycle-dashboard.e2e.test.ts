// The unified revision cycle dashboard in real headless Chromium against registry, proposals and approvals behind
// the gateway: NDRC opens a cycle (a second cycle with the same id is refused with the server's reason), 国家卫生健康委
// files its evaluation and closes its proposal window early, a UNIFIED proposal goes through its countersign, the
// final approver approves the package on the dashboard, and the re-filing progress shows Beijing below the new
// floor until it re-files. Screenshots of each state go to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ProposalContent, ProposalKind, AdHocTrigger } from '../../proto/gen/bps/proposals/v1/proposal';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, startTestPlatform, type TestPlatform } from '../integration/gateway-platform';
import { uniqueName } from '../support/names';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';
import { waitFor } from '../support/wait';
import { beijingHealthFunding } from '../support/cycles';

describe('revision cycle dashboard (Chromium)', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  const cycleId = uniqueName('C-2026').replace(/[^A-Za-z0-9._-]/g, '-');
  const must = (r: { status: number; json: any }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const as = async (persona: PersonaName, next: string): Promise<Page> => {
    const page = (await b.newPage()).page;
    await signIn(page, p.gateway.url, persona, next);
    return page;
  };
  const reloadUntil = async (page: Page, selector: string, timeout = 60_000): Promise<void> => {
    const deadline = Date.now() + timeout;
    while ((await page.locator(selector).count()) === 0) {
      if (Date.now() > deadline) throw new Error(`${selector} never appeared on ${page.url()}`);
      await page.waitForTimeout(500);
      await page.reload();
    }
  };

  beforeAll(async () => {
    [p, b] = await Promise.all([startTestPlatform('e2e-cycle', {}, { full: true }), launchBrowser()]);
    // Beijing implements HEA-01 funding at today's floor (40 yuan).
    must(
      await apiAs(p, 'beijing-officer', 'POST', '/api/v1/standards/filings', beijingHealthFunding({ year: 2018, month: 1, day: 1 }, '40')),
      'Beijing filing',
    );
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
  });

  it('takes a cycle from opening to release and re-filing on the dashboard', async () => {
    // NDRC opens the cycle.
    const ndrc = await as('ndrc-approver', '/cycles');
    await ndrc.goto(`${p.gateway.url}/cycles`);
    const open = async () => {
      await ndrc.fill('#cycleId', cycleId);
      await ndrc.fill('#planPeriod', '2026-2030');
      await ndrc.fill('#effectiveFrom', '2027-07-01');
      await ndrc.fill('#fields', 'F21-HEALTH NHC 30');
      // The form names the fields in force, so nobody has to know the codes by heart (issue #17).
      expect(await ndrc.textContent('[data-testid="field-codes"]')).toContain('病有所医 F21-HEALTH');
      await ndrc.fill('#centralFen', '100000000000000');
      await ndrc.fill('#localFen', '100000000000000');
      await screenshot(ndrc, 'cycle-open-form');
      await Promise.all([ndrc.waitForLoadState('load'), ndrc.click('[data-testid="open-cycle"] button[type="submit"]')]);
    };
    await open();
    await ndrc.waitForURL(new RegExp(`/cycles/${cycleId}$`));
    expect(await ndrc.getAttribute('[data-phase="evaluation"]', 'aria-current')).toBe('step');
    expect(await ndrc.textContent('[data-field="F21-HEALTH"] td')).toContain('病有所医');
    await screenshot(ndrc, 'cycle-evaluation');
    // The same id again: refused, with the reason from the server.
    await ndrc.goto(`${p.gateway.url}/cycles`);
    await open();
    expect(await ndrc.textContent('[data-testid="refusal"]')).toContain('already exists');

    // 国家卫生健康委 files its evaluation, then closes its window once its proposal is in.
    const nhc = await as('nhc-staff', `/cycles/${cycleId}`);
    await nhc.fill('#summary-F21-HEALTH', '基本公共卫生服务经费标准已不适应服务需求，建议提高');
    await Promise.all([nhc.waitForLoadState('load'), nhc.click('[data-testid="evaluate-F21-HEALTH"] button')]);
    await reloadUntil(nhc, '[data-phase="proposals"][aria-current="step"]');
    expect(await nhc.textContent('[data-field="F21-HEALTH"]')).toContain('nhc.staff.li');
    const content = ProposalContent.toJSON({
      ...healthProposal({ itemCode: 'HEA-01', level: '89' }),
      kind: ProposalKind.PROPOSAL_KIND_UNIFIED,
      cycleId,
      trigger: AdHocTrigger.AD_HOC_TRIGGER_UNSPECIFIED,
      triggerDocument: undefined,
    });
    const created = must(await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content }), 'create');
    const proposalId: string = created.proposal.proposalId;
    must(await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/submit`, { expectedRevision: created.proposal.revision }), 'submit');
    await reloadUntil(nhc, `[data-testid="cycle-package"] [data-proposal="${proposalId}"]`);
    await screenshot(nhc, 'cycle-proposals');
    await Promise.all([nhc.waitForLoadState('load'), nhc.click('[data-testid="close-window-F21-HEALTH"] button')]);
    await reloadUntil(nhc, '[data-field="F21-HEALTH"] .badge:not(.badge-ok)');
    expect(await nhc.textContent('[data-field="F21-HEALTH"]')).toContain('nhc.staff.li');

    // The proposal's countersign and final approval, from the inboxes (API).
    for (const persona of ['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as const) {
      const item = await waitFor(
        async () =>
          (must(await apiAs(p, persona, 'GET', `/api/v1/inbox?cycle=${cycleId}`), 'inbox').items ?? []).find((i: any) => i.proposal?.proposalId === proposalId),
        `${proposalId} in the inbox of ${persona}`,
        60_000,
        300,
      );
      must(
        await apiAs(p, persona, 'POST', `/api/v1/approvals/${proposalId}/steps/${item.step.stepId}/sign`, {
          position: 'POSITION_APPROVE',
          comment: `${personas[persona].name} 同意`,
        }),
        `${persona} sign`,
      );
    }

    // The final approver sees consolidation (totals within the ceiling) and approves the package.
    const sco = await as('final-approver', `/cycles/${cycleId}`);
    await reloadUntil(sco, '[data-testid="approve-package"]');
    expect(await sco.textContent(`[data-testid="cycle-package"] [data-proposal="${proposalId}"]`)).toMatch(/已批准/);
    await screenshot(sco, 'cycle-consolidation');
    await sco.fill('#approve-comment', '同意统一发布');
    await Promise.all([sco.waitForLoadState('load'), sco.click('[data-testid="approve-package"] button')]);

    // Released; Beijing is below the new floor of 89 yuan until it re-files.
    await reloadUntil(sco, '[data-testid="cycle-refiling"] [data-province="110000"]');
    expect(await sco.textContent('[data-testid="refiling-progress"]')).toContain('0 / 1');
    expect(await sco.textContent('[data-testid="cycle-refiling"] [data-province="110000"]')).toContain('北京市');
    await screenshot(sco, 'cycle-refiling-pending');
    must(
      await apiAs(p, 'beijing-officer', 'POST', '/api/v1/standards/filings', beijingHealthFunding({ year: 2027, month: 7, day: 1 }, '89')),
      'Beijing re-filing',
    );
    await reloadUntil(sco, '[data-testid="cycle-refiling"] [data-province="110000"] .badge-ok');
    expect(await sco.textContent('[data-testid="refiling-progress"]')).toContain('1 / 1');
    await Promise.all([sco.waitForLoadState('load'), sco.click('[data-testid="close-cycle"] button')]);
    await reloadUntil(sco, '[data-phase="closed"][aria-current="step"]');
    await screenshot(sco, 'cycle-closed');

    // English, at 200% zoom, keeps the dashboard readable; the list links to the cycle.
    await sco.goto(`${p.gateway.url}/cycles?lang=en`);
    expect(await sco.textContent(`[data-cycle="${cycleId}"]`)).toContain('Closed');
  });
});
