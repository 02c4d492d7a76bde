// Issue #17: "During a proposal's public consultation, the public can comment (moderated); comments reach the
// proposing ministry." A visitor's comment is counted on the proposal's read model (comments received, awaiting
// moderation) that the lead ministry's staff read: the JSON API, their list of proposals and the proposal page, which
// link to the moderation page; moderating it clears the count. Real registry, proposals and gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { todayInChina } from '../../services/shared/standards/china-date';
import { startPlatform } from '../support/platform';
import { healthProposal } from '../unit/proposals-fixtures';
import { apiAs, type TestPlatform } from './gateway-platform';

describe('public comments reach the proposing ministry (issue #17)', () => {
  let p: TestPlatform;
  let proposalId = '';
  const page = async (path: string): Promise<string> =>
    (await fetch(p.gateway.url + path, { headers: { cookie: `bps_token=${await p.token('nhc-staff')}` } })).text();

  beforeAll(async () => {
    p = (await startPlatform('consult-ministry', { services: ['registry', 'proposals', 'gateway'] })) as unknown as TestPlatform;
    const created = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', {
      content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-02', title: '提高健康教育服务经费补助标准（征求意见送达测试）' })),
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    proposalId = created.json.proposal.proposalId;
    const today = todayInChina();
    const opened = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation`, {
      opensOn: today,
      closesOn: today,
      summary: '现向社会公开征求意见（测试）。',
    });
    expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  }, 240_000);
  afterAll(async () => p?.stop());

  it("a visitor's comment shows on the ministry's proposal, list and page as awaiting moderation, until moderated", async () => {
    const before = await apiAs(p, 'nhc-staff', 'GET', `/api/v1/proposals/${proposalId}`);
    expect(before.json.proposal.commentsAwaitingModeration ?? 0).toBe(0);
    expect(await page('/proposals')).not.toContain('data-testid="comments-awaiting"');

    for (const text of ['建议明确农村地区的服务频次（测试）。', '建议增加健康教育的线上形式（测试）。']) {
      const sent = await fetch(`${p.gateway.url}/api/v1/consultations/${proposalId}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      expect(sent.status).toBe(201);
    }

    const after = await apiAs(p, 'nhc-staff', 'GET', `/api/v1/proposals/${proposalId}`);
    expect(after.json.proposal).toMatchObject({ consultationComments: 2, commentsAwaitingModeration: 2 });
    const listed = await apiAs(p, 'nhc-staff', 'GET', '/api/v1/proposals');
    expect(listed.json.proposals.find((x: any) => x.proposalId === proposalId)).toMatchObject({ commentsAwaitingModeration: 2 });

    const list = await page('/proposals');
    const row = list.slice(list.indexOf(`data-proposal="${proposalId}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain(`href="/proposals/${encodeURIComponent(proposalId)}/consultation">2 条公众意见待审核`);
    const proposalPage = await page(`/proposals/${proposalId}`);
    expect(proposalPage).toContain('data-testid="comments-awaiting-box"');
    expect(proposalPage).toContain('共收到 2 条意见，其中 2 条待审核');

    const moderated = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation/comments/C-1/moderation`, { decision: 'PUBLISH' });
    expect(moderated.status, JSON.stringify(moderated.json)).toBe(200);
    const one = await apiAs(p, 'nhc-staff', 'GET', `/api/v1/proposals/${proposalId}`);
    expect(one.json.proposal).toMatchObject({ consultationComments: 2, commentsAwaitingModeration: 1 });
    await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${proposalId}/consultation/comments/C-2/moderation`, {
      decision: 'REJECT',
      reason: '与方案无关（测试）',
    });
    const none = await apiAs(p, 'nhc-staff', 'GET', `/api/v1/proposals/${proposalId}`);
    expect(none.json.proposal.commentsAwaitingModeration ?? 0).toBe(0);
    expect(await page('/proposals')).not.toContain('data-testid="comments-awaiting"');
  });
});
