// Gateway HTTP routes and the bps CLI over the real proposals and approvals services (Temporal workflow): the
// services' own refusals come through with their statuses, violations and exit codes.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { healthProposal } from '../unit/proposals-fixtures';
import { runBps } from './gateway-cli-run';
import { startTestPlatform, type TestPlatform } from './gateway-platform';

describe('gateway and CLI over proposals and approvals', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  let staff: string;
  let mof: string;
  let proposalId = '';
  const api = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(p.gateway.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  const bps = (...args: string[]) => runBps(args, p.addresses);

  beforeAll(async () => {
    p = await startTestPlatform('gw-flow', {}, { full: true });
    staff = await p.token('nhc-staff');
    mof = await p.token('mof-approver');
  });
  afterAll(async () => p?.stop());

  it('creates a draft over HTTP (201) and refuses a stale update with 409 and the current revision', async () => {
    const content = ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-02' }));
    const created = await api('POST', '/api/v1/proposals', staff, { content });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    proposalId = created.json.proposal.proposalId;
    expect(created.json.proposal).toMatchObject({ state: 'PROPOSAL_STATE_DRAFT', leadMinistry: 'NHC' });

    const updated = await api('PUT', `/api/v1/proposals/${proposalId}/draft`, staff, {
      expectedRevision: 1,
      content: { ...(content as object), title: '提高健康教育服务经费补助标准（修订）' },
    });
    expect(updated.status, JSON.stringify(updated.json)).toBe(200);
    const stale = await api('PUT', `/api/v1/proposals/${proposalId}/draft`, staff, { expectedRevision: 1, content });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: 'ABORTED', currentRevision: 2 });

    const got = await api('GET', `/api/v1/proposals/${proposalId}`, staff);
    expect(got.json.proposal.content.title).toBe('提高健康教育服务经费补助标准（修订）');
    const estimate = await api('POST', '/api/v1/fiscal-estimates', staff, { proposalId });
    expect(estimate.status).toBe(200);
    expect(estimate.json.estimate.total.fen).toMatch(/^\d+$/);
  });

  it('the CLI validates, submits and reports the proposal; approvers list it in their inbox', async () => {
    const validated = await bps('proposals', 'validate', proposalId, '--as', 'nhc-staff');
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toContain('valid: ready to submit');
    const submitted = await bps('proposals', 'submit', proposalId, '--as', 'nhc-staff');
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toContain(`submitted ${proposalId} revision 2`);

    await expect
      .poll(async () => (await api('GET', '/api/v1/inbox', mof)).json.items?.some((i: any) => i.proposal?.proposalId === proposalId) ?? false, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe(true);
    const inbox = await bps('inbox', 'list', '--as', 'mof-approver', '--json');
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(JSON.parse(inbox.stdout).items.map((i: any) => i.proposal.proposalId)).toContain(proposalId);
    const status = await bps('proposals', 'status', proposalId, '--as', 'nhc-staff');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/round 1 \(revision 2\)/);
  });

  it("maps the approvals service's refusals: self-approval 403 (exit 4), a comment-less objection 400 (exit 6)", async () => {
    const { json } = await api('GET', `/api/v1/approvals/${proposalId}`, staff);
    const steps: { stepId: string; organisation: string; open: boolean }[] = json.approval.rounds.at(-1).steps;
    const lead = steps.find((s) => s.organisation === 'NHC' && s.open);
    const finance = steps.find((s) => s.organisation === 'MOF' && s.open);
    expect(lead && finance).toBeTruthy();

    const self = await api('POST', `/api/v1/approvals/${proposalId}/steps/${lead?.stepId}/sign`, staff, { position: 'POSITION_APPROVE' });
    expect(self.status).toBe(403);
    expect(self.json.error.message).toContain('SELF_APPROVAL');
    const selfCli = await bps('inbox', 'sign', proposalId, lead?.stepId ?? '', '--position', 'approve', '--as', 'nhc-staff');
    expect(selfCli.code).toBe(4);
    expect(selfCli.stderr).toContain('nobody signs a step of their own proposal');

    const noComment = await bps('inbox', 'sign', proposalId, finance?.stepId ?? '', '--position', 'object', '--as', 'mof-approver');
    expect(noComment.code).toBe(6);
    expect(noComment.stderr).toContain('requires a comment');
    const badPosition = await api('POST', `/api/v1/approvals/${proposalId}/steps/${finance?.stepId}/sign`, mof, { position: 'MAYBE' });
    expect(badPosition.status).toBe(400);
    expect(badPosition.json.error.fieldViolations[0].field).toBe('position');

    const ok = await bps(
      'inbox',
      'sign',
      proposalId,
      finance?.stepId ?? '',
      '--position',
      'approve',
      '--comment',
      '财政部同意',
      '--as',
      'mof-approver',
      '--json',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(
      JSON.parse(ok.stdout)
        .approval.rounds.at(-1)
        .steps.find((s: any) => s.stepId === finance?.stepId),
    ).toMatchObject({ position: 'POSITION_APPROVE', comment: '财政部同意' });
  });

  it('reads a proposal file for bps proposals create and rejects malformed input with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bps-cli-'));
    const file = join(dir, 'proposal.json');
    writeFileSync(file, JSON.stringify({ content: ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-03' })) }));
    const created = await bps('proposals', 'create', '--file', file, '--as', 'nhc-staff');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^created \S+ \(revision 1, DRAFT\)/);
    writeFileSync(file, '{not json');
    expect((await bps('proposals', 'create', '--file', file, '--as', 'nhc-staff')).code).toBe(2);
    expect((await bps('proposals', 'create', '--as', 'nhc-staff')).code).toBe(2);
  });
});
