// Subscriptions and the audit trail in real headless Chromium against the whole platform (registry, proposals,
// approvals on Temporal, notifications, audit) behind the gateway: the statistics system's administrator creates a
// webhook subscription and sees its secret once; a publication goes through the approval flow; the refused first
// webhook shows as a dead letter and is redelivered; an auditor traces the published version (timeline, verified
// hash chain, export) and reaches it from the item and proposal pages. Screenshots go to test-results/screenshots/.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { publishThroughApproval, startTestPlatform, startWebhookReceiver, type TestPlatform, type WebhookReceiver } from '../integration/gateway-platform';
import { launchBrowser, screenshot, signIn, type TestBrowser } from './support/browser';

describe('subscriptions and audit trail (Chromium)', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  let b: TestBrowser;
  let receiver: WebhookReceiver;
  let subscriber: Page;
  let auditor: Page;
  let subscriptionUrl = '';
  let proposalId = '';
  const poll = { timeout: 90_000, interval: 1000 };

  beforeAll(async () => {
    // The receiver refuses the first webhook (400: a dead letter at once), then accepts.
    [p, b, receiver] = await Promise.all([
      // Exports read whole logs and sign checkpoints: slow on FerretDB when the machine is busy.
      startTestPlatform('e2e-sub', { backendTimeoutMs: 30_000 }, { full: true, notifications: true, audit: true }),
      launchBrowser(),
      startWebhookReceiver((n) => (n === 0 ? 400 : 200)),
    ]);
    subscriber = (await b.newPage()).page;
    auditor = (await b.newPage()).page;
  });
  afterAll(async () => {
    await b?.close();
    await p?.stop();
    await receiver?.close();
  });

  it('the subscriber creates a webhook subscription and sees the signing secret once', async () => {
    await signIn(subscriber, p.gateway.url, 'statistics-subscriber', '/subscriptions');
    const nav = await subscriber.locator('header nav').textContent();
    expect(nav).toContain('订阅管理');
    expect(nav).not.toContain('审计追溯');
    expect(await subscriber.textContent('main')).toContain('尚无订阅');
    await subscriber.fill('#endpointUrl', receiver.url);
    await subscriber.fill('#description', '国家统计局数据系统（端到端测试）');
    await subscriber.check('input[name="eventType"][value="bps.standard.version.published"]');
    await subscriber.check('input[name="field"][value="F17-HEA"]');
    await screenshot(subscriber, 'subscriptions-new');
    await Promise.all([subscriber.waitForLoadState('load'), subscriber.click('[data-testid="create-subscription"]')]);
    const secret = await subscriber.textContent('[data-testid="secret"]');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(await subscriber.getAttribute('[data-testid="subscription"] [data-status]', 'data-status')).toBe('SUBSCRIPTION_STATUS_ACTIVE');
    expect(await subscriber.textContent('[data-testid="subscription"]')).toContain('发布标准新版本');
    await screenshot(subscriber, 'subscription-created-secret-once');
    const id = (await subscriber.textContent('[data-testid="subscription-id"]')) ?? '';
    subscriptionUrl = `${p.gateway.url}/subscriptions/${id}`;

    // Shown once: the subscription's own page and the list never carry it again.
    await subscriber.goto(subscriptionUrl);
    expect(await subscriber.locator('[data-testid="secret"]').count()).toBe(0);
    expect(await subscriber.content()).not.toContain(secret ?? 'x');
    await subscriber.goto(`${p.gateway.url}/subscriptions`);
    expect(await subscriber.locator(`tr[data-subscription="${id}"]`).count()).toBe(1);
    await screenshot(subscriber, 'subscriptions-list');
  });

  it('after a publication, the refused delivery is marked as a dead letter and is redelivered', async () => {
    ({ proposalId } = await publishThroughApproval(p, 'HEA-02'));
    const row = subscriber.locator('[data-testid="deliveries"] tbody tr').first();
    await expect
      .poll(async () => {
        await subscriber.goto(subscriptionUrl);
        return subscriber.locator('[data-testid="deliveries"] tbody tr').count();
      }, poll)
      .toBeGreaterThan(0);
    await expect
      .poll(async () => {
        await subscriber.goto(subscriptionUrl);
        return row.getAttribute('data-status');
      }, poll)
      .toBe('DELIVERY_STATUS_DEAD_LETTERED');
    expect(await subscriber.textContent('[data-testid="dead-letters"]')).toContain('投递失败（死信）: 1');
    expect(await row.textContent()).toContain('HTTP 400');
    expect(await row.getAttribute('class')).toBe('dead');
    await screenshot(subscriber, 'subscription-dead-letter');

    await Promise.all([subscriber.waitForURL(/done=redeliver/), row.locator('[data-action="redeliver"]').click()]);
    expect(await subscriber.textContent('[role="status"]')).toContain('已重新排队 1 条投递');
    await expect
      .poll(async () => {
        await subscriber.goto(subscriptionUrl);
        return row.getAttribute('data-status');
      }, poll)
      .toBe('DELIVERY_STATUS_DELIVERED');
    expect(await row.locator('[data-testid="attempts"]').textContent()).toBe('2');
    expect(await subscriber.locator('[data-testid="dead-letters"]').count()).toBe(0);
    // The same webhook id both times (receivers deduplicate on it).
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.id).toBe(receiver.received[0]?.id);
    expect(receiver.received[1]?.type).toBe('bps.standard.version.published');
    await screenshot(subscriber, 'subscription-redelivered');
  });

  it('the auditor traces the published version: a timeline under a verified hash chain, with an export', async () => {
    await signIn(auditor, p.gateway.url, 'auditor', '/audit');
    expect(await auditor.locator('header nav').textContent()).toContain('审计追溯');
    await screenshot(auditor, 'audit-choose');
    // Keyboard only: type the item and version, submit with Enter.
    await auditor.focus('#item');
    await auditor.keyboard.type('HEA-02');
    await auditor.keyboard.press('Tab');
    await auditor.keyboard.type('2');
    await Promise.all([auditor.waitForURL(/item=HEA-02&version=2/), auditor.keyboard.press('Enter')]);
    // The delivery outcome reaches the audit log last.
    await expect
      .poll(async () => {
        await auditor.goto(`${p.gateway.url}/audit?item=HEA-02&version=2`);
        return auditor.locator('[data-testid="timeline"] li[data-event-type="bps.notification.delivered"]').count();
      }, poll)
      .toBeGreaterThan(0);
    expect(await auditor.getAttribute('[data-testid="verification"]', 'data-verified')).toBe('true');
    expect(await auditor.textContent('[data-testid="verification"]')).toContain('哈希链校验通过');
    const types = await auditor.locator('[data-testid="timeline"] li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event-type')));
    for (const t of [
      'bps.proposal.created',
      'bps.proposal.submitted',
      'bps.approval.step.signed',
      'bps.approval.changeset.approved',
      'bps.standard.version.published',
      'bps.notification.dead-lettered',
      'bps.notification.delivered',
    ]) {
      expect(types, t).toContain(t);
    }
    const timeline = (await auditor.textContent('[data-testid="timeline"]')) ?? '';
    for (const words of ['提交审批', '会签/审批签署', '发布标准新版本', '国家卫生健康委', '财政部', '国务院办公厅', '通知投递失败（死信）'])
      expect(timeline).toContain(words);
    const actors = await auditor.locator('[data-testid="actor"]').allTextContents();
    for (const who of ['nhc.staff.li', 'nhc.approver.zhao', 'ndrc.approver.chen', 'mof.approver.sun', 'sco.final.zhou']) expect(actors).toContain(who);
    expect(await auditor.locator(`[data-testid="provenance"] a[href="/proposals/${proposalId}"]`).count()).toBe(1);
    expect(await auditor.locator('[data-testid="timeline"] a[href="/standards/items/HEA-02"]').count()).toBeGreaterThan(0);
    await screenshot(auditor, 'audit-item-version-trace');

    const [download] = await Promise.all([auditor.waitForEvent('download'), auditor.click('[data-testid="export"]')]);
    expect(download.suggestedFilename()).toBe('audit-trace-item-version-HEA-02-2.json');
    const doc = JSON.parse(readFileSync((await download.path()) ?? '', 'utf8'));
    expect(doc.target).toEqual({ kind: 'item-version', itemCode: 'HEA-02', version: 2 });
    expect(doc.steps.map((s: { eventType: string }) => s.eventType)).toContain('bps.standard.version.published');
    expect(doc.logs.every((l: { checkpoint: { signature: string } }) => l.checkpoint.signature !== '')).toBe(true);
  });

  it('the item and proposal pages link to their audit trace; English; 200% zoom', async () => {
    await auditor.goto(`${p.gateway.url}/standards/items/HEA-02?date=2027-01-01`);
    await Promise.all([auditor.waitForURL(/\/audit\?item=HEA-02&version=2/), auditor.click('[data-testid="history"] [data-testid="audit-link"]')]);
    expect(await auditor.getAttribute('[data-testid="verification"]', 'data-verified')).toBe('true');

    await auditor.goto(`${p.gateway.url}/proposals/${proposalId}`);
    await Promise.all([auditor.waitForURL(/\/audit\?proposal=/), auditor.click('[data-testid="audit-link"]')]);
    expect(await auditor.locator('[data-testid="timeline"] li[data-event-type="bps.proposal.approved"]').count()).toBe(1);
    expect(await auditor.getAttribute('[data-testid="verification"]', 'data-verified')).toBe('true');
    await screenshot(auditor, 'audit-proposal-trace');

    const missing = await auditor.goto(`${p.gateway.url}/audit?proposal=no-such-proposal`);
    expect(missing?.status()).toBe(404);
    expect(await auditor.textContent('[data-testid="refusal"]')).toContain('not found');

    await auditor.goto(`${p.gateway.url}/audit?item=HEA-02&version=2&lang=en`);
    expect(await auditor.getAttribute('html', 'lang')).toBe('en');
    expect(await auditor.textContent('[data-testid="verification"]')).toContain('Hash chain verified');
    expect(await auditor.textContent('[data-testid="timeline"]')).toContain('New standard version published');
    await screenshot(auditor, 'audit-item-version-trace-en');

    const zoomed = (await b.newPage({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2 })).page;
    await signIn(zoomed, p.gateway.url, 'auditor', '/audit?item=HEA-02&version=2');
    expect(await zoomed.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1);
    await screenshot(zoomed, 'audit-zoom-200');
    await signIn(zoomed, p.gateway.url, 'statistics-subscriber', subscriptionUrl.replace(p.gateway.url, ''));
    expect(await zoomed.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(1);
    await screenshot(zoomed, 'subscription-zoom-200');
    await zoomed.context().close();
  });
});
