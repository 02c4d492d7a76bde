// Gateway HTTP routes over the real notifications and audit services (with the registry producing the events): a
// subscriber registers a webhook, a provincial filing reaches it, a refused delivery becomes a dead letter and is
// redelivered; pause/resume; 400 with field violations, 403 for personas without the role, 404 across organisations;
// audit traces, verification and export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, startTestPlatform, startWebhookReceiver, type TestPlatform, type WebhookReceiver } from './gateway-platform';

describe('gateway: subscriptions and audit over HTTP', { timeout: 240_000 }, () => {
  let p: TestPlatform;
  let receiver: WebhookReceiver;
  let subscriptionId = '';
  const poll = { timeout: 60_000, interval: 300 };

  beforeAll(async () => {
    // The receiver refuses the first webhook (400: dead letter at once), then accepts.
    [p, receiver] = await Promise.all([
      startTestPlatform('gw-sub', {}, { notifications: true, audit: true }),
      startWebhookReceiver((n) => (n === 0 ? 400 : 200)),
    ]);
  });
  afterAll(async () => {
    await p?.stop();
    await receiver?.close();
  });

  it('creates a subscription (201, the secret once) and lists it; the secret is never shown again', async () => {
    const created = await apiAs(p, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', {
      endpointUrl: receiver.url,
      description: '国家统计局数据系统（测试）',
      filter: { eventTypes: ['bps.standard.local.filed'], provinceCodes: ['110000'] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_/);
    expect(created.json.subscription).toMatchObject({
      organisation: 'NBS',
      status: 'SUBSCRIPTION_STATUS_ACTIVE',
      filter: { eventTypes: ['bps.standard.local.filed'], provinceCodes: ['110000'] },
    });
    subscriptionId = created.json.subscription.subscriptionId;

    const listed = await apiAs(p, 'statistics-subscriber', 'GET', '/api/v1/subscriptions');
    expect(listed.status).toBe(200);
    expect(listed.json.subscriptions.map((s: any) => s.subscriptionId)).toEqual([subscriptionId]);
    const got = await apiAs(p, 'statistics-subscriber', 'GET', `/api/v1/subscriptions/${subscriptionId}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.json)).not.toContain(created.json.secret);
  });

  it('answers 400 with field violations for bad input, from the route schema and from the service', async () => {
    const schema = await apiAs(p, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', { filter: { eventTypes: ['bps.no.such.event'] } });
    expect(schema.status).toBe(400);
    expect(schema.json.error.code).toBe('INVALID_ARGUMENT');
    expect(schema.json.error.fieldViolations.map((v: any) => v.field)).toEqual(expect.arrayContaining(['endpointUrl', 'filter.eventTypes[0]']));

    const service = await apiAs(p, 'statistics-subscriber', 'POST', '/api/v1/subscriptions', {
      endpointUrl: 'ftp://files.example.gov.cn/x',
      filter: { provinceCodes: ['11'] },
    });
    expect(service.status).toBe(400);
    expect(service.json.error.fieldViolations.map((v: any) => v.field)).toEqual(expect.arrayContaining(['filter.provinceCodes[0]']));

    const badStatus = await apiAs(p, 'statistics-subscriber', 'GET', `/api/v1/subscriptions/${subscriptionId}/deliveries?status=LOST`);
    expect(badStatus.status).toBe(400);
    expect(badStatus.json.error.fieldViolations[0].field).toBe('status');
  });

  it("answers 403 to personas that may not subscribe, and 404 for another organisation's subscription", async () => {
    const staff = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/subscriptions', { endpointUrl: receiver.url });
    expect(staff.status).toBe(403);
    expect(staff.json.error.code).toBe('PERMISSION_DENIED');
    expect(staff.json.error.message).toContain('requires role subscriber-admin or province-officer');
    const other = await apiAs(p, 'guangdong-officer', 'GET', `/api/v1/subscriptions/${subscriptionId}`);
    expect(other.status).toBe(404);
    const pauseOther = await apiAs(p, 'guangdong-officer', 'POST', `/api/v1/subscriptions/${subscriptionId}/pause`);
    expect(pauseOther.status).toBe(404);
  });

  it('delivers a provincial filing; the refused try is a dead letter until redelivered with the same webhook id', async () => {
    const filed = await apiAs(p, 'beijing-officer', 'POST', '/api/v1/standards/filings', {
      provinceCode: '110000',
      itemCode: 'INS-05',
      effectiveFrom: { year: 2018, month: 1, day: 1 },
      metrics: [{ metric: 'government_subsidy_per_capita', value: '380', unit: 'CNY', basis: 'per_person_per_year' }],
    });
    expect(filed.status, JSON.stringify(filed.json)).toBe(201);

    const deadPath = `/api/v1/subscriptions/${subscriptionId}/deliveries?status=DELIVERY_STATUS_DEAD_LETTERED`;
    await expect.poll(async () => (await apiAs(p, 'statistics-subscriber', 'GET', deadPath)).json.deliveries?.length ?? 0, poll).toBe(1);
    const dead = (await apiAs(p, 'statistics-subscriber', 'GET', deadPath)).json.deliveries[0];
    expect(dead).toMatchObject({ eventType: 'bps.standard.local.filed', status: 'DELIVERY_STATUS_DEAD_LETTERED', attempts: 1, lastStatusCode: 400 });
    expect(receiver.received).toHaveLength(1);

    const redelivered = await apiAs(p, 'statistics-subscriber', 'POST', `/api/v1/subscriptions/${subscriptionId}/redeliver`, { eventIds: [dead.eventId] });
    expect(redelivered.status).toBe(200);
    expect(redelivered.json).toEqual({ requeued: 1 });
    await expect
      .poll(
        async () => (await apiAs(p, 'statistics-subscriber', 'GET', `/api/v1/subscriptions/${subscriptionId}/deliveries`)).json.deliveries?.[0]?.status,
        poll,
      )
      .toBe('DELIVERY_STATUS_DELIVERED');
    expect(receiver.received.map((r) => r.id)).toEqual([dead.eventId, dead.eventId]);

    const attempts = await apiAs(p, 'statistics-subscriber', 'GET', `/api/v1/subscriptions/${subscriptionId}/attempts`);
    expect(attempts.json.attempts.map((a: any) => [a.attempt, a.statusCode, a.outcome]).sort()).toEqual([
      [1, 400, 'ATTEMPT_OUTCOME_DEAD_LETTERED'],
      [2, 200, 'ATTEMPT_OUTCOME_DELIVERED'],
    ]);
    const byEvent = await apiAs(p, 'operator', 'GET', `/api/v1/events/${dead.eventId}/deliveries`);
    expect(byEvent.json.deliveries.map((d: any) => d.subscriptionId)).toEqual([subscriptionId]);
  });

  it('pauses and resumes; redeliver without a body re-sends every dead letter (none left)', async () => {
    const all = await apiAs(p, 'statistics-subscriber', 'POST', `/api/v1/subscriptions/${subscriptionId}/redeliver`);
    expect(all.status, JSON.stringify(all.json)).toBe(200);
    expect(all.json.requeued ?? 0).toBe(0); // proto3 JSON leaves out zero values
    const paused = await apiAs(p, 'statistics-subscriber', 'POST', `/api/v1/subscriptions/${subscriptionId}/pause`);
    expect(paused.json.subscription.status).toBe('SUBSCRIPTION_STATUS_PAUSED');
    const resumed = await apiAs(p, 'statistics-subscriber', 'POST', `/api/v1/subscriptions/${subscriptionId}/resume`);
    expect(resumed.json.subscription.status).toBe('SUBSCRIPTION_STATUS_ACTIVE');
  });

  it('traces what an actor did, verifies the logs, exports; refuses other roles, unknown targets and bad log names', async () => {
    let steps: any[] = [];
    await expect
      .poll(async () => {
        steps = (await apiAs(p, 'auditor', 'GET', '/api/v1/audit/actors/bj.officer.liu/trace')).json.trace?.steps ?? [];
        return steps.map((s) => s.eventType);
      }, poll)
      .toContain('bps.standard.local.filed');
    expect(steps.find((s) => s.eventType === 'bps.standard.local.filed').actor).toMatchObject({ subject: 'bj.officer.liu', organisation: '110000' });

    // The delivery outcomes are recorded in the subscription's log, and so are Guangdong's two refused tries at it
    // (bps.access.refused names the subscription as its target; issue #14).
    await expect
      .poll(async () => (await apiAs(p, 'auditor', 'POST', '/api/v1/audit/verify', { log: `subscription:${subscriptionId}` })).json.size, poll)
      .toBe('4');
    const refusedTries = (await apiAs(p, 'auditor', 'GET', '/api/v1/audit/actors/gd.officer.huang/trace')).json.trace.steps.filter(
      (s: any) => s.eventType === 'bps.access.refused',
    );
    expect(
      refusedTries
        .map((s: any) => JSON.parse(s.dataJson))
        .map((d: any) => [d.operation, d.code, d.targetId, d.httpRoute])
        .sort(),
    ).toEqual([
      ['/bps.notifications.v1.Subscriptions/GetSubscription', 'NOT_FOUND', subscriptionId, 'GET /api/v1/subscriptions/:subscriptionId'],
      ['/bps.notifications.v1.Subscriptions/PauseSubscription', 'NOT_FOUND', subscriptionId, 'POST /api/v1/subscriptions/:subscriptionId/pause'],
    ]);
    for (const log of ['actor:bj.officer.liu', `subscription:${subscriptionId}`, 'global']) {
      const verified = await apiAs(p, 'auditor', 'POST', '/api/v1/audit/verify', { log });
      expect(verified.status).toBe(200);
      expect(verified.json, log).toMatchObject({ log, ok: true });
      expect(verified.json.firstMismatch).toBeUndefined();
    }
    // A full verification (every entry re-hashed) can be asked for over the JSON API too.
    const full = await apiAs(p, 'auditor', 'POST', '/api/v1/audit/verify', { log: 'global', full: true });
    expect(full.status, JSON.stringify(full.json)).toBe(200);
    expect(full.json).toMatchObject({ ok: true, full: true });

    const exported = await apiAs(p, 'auditor', 'GET', '/api/v1/audit/actors/bj.officer.liu/export');
    expect(exported.status).toBe(200);
    expect(exported.json.sha256).toMatch(/^[0-9a-f]{64}$/);
    const doc = JSON.parse(exported.json.document);
    expect(doc.steps.map((s: any) => s.eventType)).toContain('bps.standard.local.filed');
    expect(doc.logs.length).toBeGreaterThan(0);

    expect((await apiAs(p, 'nhc-staff', 'GET', '/api/v1/audit/actors/bj.officer.liu/trace')).status).toBe(403);
    const unknown = await apiAs(p, 'auditor', 'GET', '/api/v1/audit/proposals/no-such-proposal/trace');
    expect(unknown.status).toBe(404);
    const notPublished = await apiAs(p, 'auditor', 'GET', '/api/v1/audit/items/INS-05/versions/9/trace');
    expect(notPublished.status).toBe(404);
    const badLog = await apiAs(p, 'auditor', 'POST', '/api/v1/audit/verify', { log: 'nonsense' });
    expect(badLog.status).toBe(400);
    expect(badLog.json.error.fieldViolations[0].field).toBe('log');
    const badVersion = await apiAs(p, 'auditor', 'GET', '/api/v1/audit/items/INS-05/versions/zero/trace');
    expect(badVersion.status).toBe(400);
    expect(badVersion.json.error.fieldViolations[0].field).toBe('version');
  });
});
