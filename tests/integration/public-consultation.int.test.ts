// Issue #17, public consultation (征求意见): "During a proposal's public consultation, the public can comment
// (moderated); comments reach the proposing ministry and stay in the record." Against the real services behind the
// gateway: the lead ministry opens a consultation on its draft; a visitor without a token sees it listed and
// comments; the comment is held (not on the portal) until the ministry publishes it; a rejected comment never
// shows; another ministry may not moderate (PERMISSION_DENIED, on record); after the period no comment is accepted
// (FAILED_PRECONDITION); every step is a bps.proposal.consultation.* event and in the proposal's audit trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { proposalEvents } from '../../services/shared/events/proposals';
import { todayInChina } from '../../services/shared/standards/china-date';
import { startPlatform } from '../support/platform';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, type TestPlatform } from './gateway-platform';

describe('public consultation on a proposal (issue #17)', () => {
  let p: TestPlatform;
  // The proposals service's clock: moved forward to see the period close.
  let clockOffsetMs = 0;
  let proposalId = '';
  const today = () => todayInChina(new Date(Date.now() + clockOffsetMs));

  const visitor = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(p.gateway.url + path, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as any, headers: res.headers };
  };

  beforeAll(async () => {
    p = (await startPlatform('consult', {
      services: ['registry', 'proposals', 'audit', 'gateway'],
      collect: ['proposals'],
      overrides: { proposals: { now: () => new Date(Date.now() + clockOffsetMs) }, gateway: { commentRateLimit: { burst: 4, perMinute: 1 } } },
    })) as unknown as TestPlatform;
    const created = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', {
      content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-01', title: '提高基本公共卫生服务经费补助标准（征求意见测试）' })),
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    proposalId = created.json.proposal.proposalId;
  }, 240_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('only the lead ministry opens a consultation, with a valid period; the portal then lists it', async () => {
    // Nothing to comment on before it is opened; a visitor does not even learn the draft exists.
    expect((await visitor('GET', `/api/v1/consultations/${proposalId}`)).status).toBe(404);
    const other = await apiAs(p, 'moe-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation`, {
      opensOn: today(),
      closesOn: today(),
      summary: '教育部不能开',
    });
    expect(other.status).toBe(404); // moe cannot read NHC's draft at all
    const reversed = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation`, {
      opensOn: today(),
      closesOn: '2020-01-01',
      summary: '日期颠倒',
    });
    expect(reversed.status).toBe(400);
    expect(JSON.stringify(reversed.json.error.fieldViolations)).toMatch(/closes_?[oO]n/);

    const opened = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation`, {
      opensOn: today(),
      closesOn: today(),
      summary: '拟提高基本公共卫生服务经费补助标准，现向社会公开征求意见。',
    });
    expect(opened.status, JSON.stringify(opened.json)).toBe(201);
    expect(opened.json.consultation).toMatchObject({ proposalId, round: 1, opensOn: today(), closesOn: today(), acceptingComments: true });
    const again = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation`, {
      opensOn: today(),
      closesOn: today(),
      summary: '再开一次',
    });
    expect(again.status).toBe(422);
    expect(again.json.error.reason).toBe('CONSULTATION_RUNNING');

    const list = await visitor('GET', '/api/v1/consultations');
    expect(list.status).toBe(200);
    const listed = (list.json.consultations as any[]).find((c) => c.proposalId === proposalId);
    expect(listed).toMatchObject({ title: '提高基本公共卫生服务经费补助标准（征求意见测试）', leadMinistry: 'NHC', acceptingComments: true });
    expect(listed.changes.length).toBeGreaterThan(0);
  });

  let published = '';
  let rejected = '';
  it('anyone comments without signing in; comments are held until the ministry publishes or rejects them', async () => {
    const first = await visitor('POST', `/api/v1/consultations/${proposalId}/comments`, {
      text: '建议同时明确农村地区的服务频次。',
      commenterName: '张三',
      commenterOrganisation: '某社区卫生服务中心',
    });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json).toEqual({ commentId: 'C-1', status: 'COMMENT_STATUS_HELD' });
    published = first.json.commentId;
    const second = await visitor('POST', `/api/v1/consultations/${proposalId}/comments`, { text: '与本方案无关的广告内容' });
    expect(second.status).toBe(201);
    rejected = second.json.commentId;
    // Bad input is a 400 naming the field.
    const empty = await visitor('POST', `/api/v1/consultations/${proposalId}/comments`, { text: '   ' });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.json.error.fieldViolations)).toContain('text');
    const tooLong = await visitor('POST', `/api/v1/consultations/${proposalId}/comments`, { text: '长'.repeat(2001) });
    expect(tooLong.status).toBe(400);

    // Held: the portal shows neither.
    const held = await visitor('GET', `/api/v1/consultations/${proposalId}`);
    expect(held.status).toBe(200);
    expect(held.json.consultation.comments ?? []).toEqual([]);
    // The proposing ministry sees both, held.
    const staffView = await apiAs(p, 'nhc-staff', 'GET', `/api/v1/consultations/${proposalId}`);
    expect((staffView.json.consultation.comments as any[]).map((c) => [c.commentId, c.status])).toEqual([
      ['C-1', 'COMMENT_STATUS_HELD'],
      ['C-2', 'COMMENT_STATUS_HELD'],
    ]);
    expect(JSON.stringify(staffView.json)).not.toMatch(/clientHash/);

    // Another ministry cannot moderate: PERMISSION_DENIED (the consultation is public, so it is not hidden).
    const foreign = await apiAs(p, 'moe-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation/comments/${published}/moderation`, {
      decision: 'PUBLISH',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.reason).toBe('NOT_LEAD_UNIT');
    // Rejecting needs a reason.
    const noReason = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation/comments/${rejected}/moderation`, {
      decision: 'REJECT',
    });
    expect(noReason.status).toBe(400);

    const pub = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation/comments/${published}/moderation`, {
      decision: 'PUBLISH',
      reason: '意见合理，予以公开',
    });
    expect(pub.status, JSON.stringify(pub.json)).toBe(200);
    const rej = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation/comments/${rejected}/moderation`, {
      decision: 'REJECT',
      reason: '与征求意见内容无关',
    });
    expect(rej.status).toBe(200);
    const twice = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation/comments/${rejected}/moderation`, { decision: 'PUBLISH' });
    expect(twice.status).toBe(422);
    expect(twice.json.error.reason).toBe('COMMENT_MODERATED');

    const shown = await visitor('GET', `/api/v1/consultations/${proposalId}`);
    expect(shown.json.consultation.comments).toHaveLength(1);
    expect(shown.json.consultation.comments[0]).toMatchObject({
      commentId: 'C-1',
      text: '建议同时明确农村地区的服务频次。',
      commenterName: '张三',
      commenterOrganisation: '某社区卫生服务中心',
      status: 'COMMENT_STATUS_PUBLISHED',
    });
    expect(JSON.stringify(shown.json)).not.toContain('广告');
  });

  it('refuses comments once the period has closed, and keeps the record', async () => {
    clockOffsetMs = 2 * 86_400_000;
    const late = await visitor('POST', `/api/v1/consultations/${proposalId}/comments`, { text: '截止后的意见' });
    expect(late.status, JSON.stringify(late.json)).toBe(422);
    expect(late.json.error.reason).toBe('CONSULTATION_CLOSED');
    // A signed-in person is refused the same way.
    const closed = await apiAs(p, 'beijing-officer', 'POST', `/api/v1/consultations/${proposalId}/comments`, { text: '截止后的意见' });
    expect(closed.status, JSON.stringify(closed.json)).toBe(422);
    expect((await visitor('GET', '/api/v1/consultations')).json.consultations?.find((c: any) => c.proposalId === proposalId)).toBeUndefined();
    const stillShown = await visitor('GET', `/api/v1/consultations/${proposalId}`);
    expect(stillShown.json.consultation.acceptingComments ?? false).toBe(false); // proto3 JSON leaves false out
    expect(stillShown.json.consultation.comments).toHaveLength(1);
  });

  it('limits comments per client address', async () => {
    // Burst 4 in this test: two accepted, one refused as bad input and one after the close; the next is over the limit.
    const over = await visitor('POST', `/api/v1/consultations/${proposalId}/comments`, { text: '第五条意见' });
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBeTruthy();
  });

  it('puts every step on the proposal events and in the audit trail, refusals included', async () => {
    const c = p.collector!;
    const types = [
      proposalEvents.consultationOpened.type,
      proposalEvents.commentReceived.type,
      proposalEvents.commentPublished.type,
      proposalEvents.commentRejected.type,
    ];
    for (const type of types) await c.waitFor((e) => e.type === type && e.key === proposalId, type);
    const received = c.eventsOf(proposalEvents.commentReceived, proposalId);
    expect(received.map((r) => r.commentId)).toEqual(['C-1', 'C-2']);
    // A keyed hash of the address at most: never the address itself.
    expect(received[0]!.clientHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(received)).not.toContain('127.0.0.1');
    expect(received[0]!.actor?.subject).toBe('svc.gateway-public');
    const decisions = c.eventsOf(proposalEvents.commentPublished, proposalId);
    expect(decisions).toEqual([
      expect.objectContaining({ commentId: 'C-1', reason: '意见合理，予以公开', actor: expect.objectContaining({ subject: 'nhc.staff.li' }) }),
    ]);
    expect(c.eventsOf(proposalEvents.commentRejected, proposalId)[0]).toMatchObject({ commentId: 'C-2', reason: '与征求意见内容无关' });

    await expect
      .poll(
        async () => {
          const trace = await apiAs(p, 'auditor', 'GET', `/api/v1/audit/proposals/${proposalId}/trace`);
          return ((trace.json.trace?.steps ?? []) as any[]).map((s) => s.eventType);
        },
        { timeout: 30_000, interval: 300 },
      )
      .toEqual(expect.arrayContaining(types));
    // The refusals (another ministry moderating, a visitor's comment after the close) are on record too.
    await expect
      .poll(
        async () => {
          const trace = await apiAs(p, 'auditor', 'GET', `/api/v1/audit/actors/moe.staff.wang/trace`);
          return ((trace.json.trace?.steps ?? []) as any[]).filter((s) => s.eventType === 'bps.access.refused').map((s) => JSON.parse(s.dataJson).reason);
        },
        { timeout: 30_000, interval: 300 },
      )
      .toContain('NOT_LEAD_UNIT');
    await expect
      .poll(
        async () => {
          const trace = await apiAs(p, 'auditor', 'GET', `/api/v1/audit/actors/svc.gateway-public/trace`);
          return ((trace.json.trace?.steps ?? []) as any[]).filter((s) => s.eventType === 'bps.access.refused').map((s) => JSON.parse(s.dataJson).reason);
        },
        { timeout: 30_000, interval: 300 },
      )
      .toContain('CONSULTATION_CLOSED');
  });
});
