// The console's forms make each change once (issue #19): every form served to a signed-in person carries a fresh
// request key, its post sends it with the change, and the same form posted twice (a double click, the browser
// resending after a timeout) makes one draft — the second post lands on the first one's result. A page that may be
// cached for visitors carries no key.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListProposalsRequest, ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import { unary } from '../../services/shared/grpc/client';
import { startTestPlatform, type TestPlatform } from './gateway-platform';

describe('console forms: the same form posted twice makes one change', { timeout: 240_000 }, () => {
  let p: TestPlatform;
  let proposals: ProposalsClient;
  beforeAll(async () => {
    p = await startTestPlatform('console-keys', {}, { full: true });
    proposals = new ProposalsClient(p.addresses.PROPOSALS_GRPC_ADDRESS!, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    proposals?.close();
    await p?.stop();
  });

  const session = async () => ({ cookie: `bps_token=${await p.token('nhc-staff')}`, origin: p.gateway.url });
  const draftsTitled = async (marker: string): Promise<string[]> => {
    const res = await unary(proposals.listProposals.bind(proposals), ListProposalsRequest.fromPartial({ pageSize: 200 }), await p.token('nhc-staff'));
    return res.proposals.filter((x) => x.content?.title.includes(marker)).map((x) => x.proposalId);
  };
  /** The request key of the new-proposal form, as the browser received it. */
  const formKey = async (): Promise<string> => {
    const page = await (await fetch(`${p.gateway.url}/proposals/new?item=HEA-03`, { headers: await session() })).text();
    const form = /<form[^>]*data-testid="proposal-form"[^>]*>(<input type="hidden" name="_request" value="([^"]+)">)?/.exec(page);
    expect(form?.[2], 'the form carries a request key').toMatch(/^console\.[0-9a-f-]{36}$/);
    return form![2]!;
  };
  const post = async (fields: Record<string, string>) =>
    fetch(`${p.gateway.url}/proposals/new`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...(await session()), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  it('posting the new-proposal form twice makes one draft, and both posts land on it', async () => {
    const marker = `double-${randomUUID()}`;
    const fields = {
      _request: await formKey(),
      item: 'HEA-03',
      title: `提高基本公共卫生服务经费补助标准 ${marker}`,
      trigger: 'AD_HOC_TRIGGER_MID_TERM_EVALUATION',
      triggerDocTitle: '“十四五”公共服务规划中期评估报告（测试文档）',
      triggerDocUri: 'https://example.gov.cn/mid-term-review.pdf',
      triggerDocDigest: 'a'.repeat(64),
      effectiveFrom: '2027-01-01',
      years: '3',
    };
    const [first, second] = await Promise.all([post(fields), post(fields)]);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const again = await post(fields);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    const drafts = await draftsTitled(marker);
    expect(drafts).toHaveLength(1);
    expect(first.headers.get('location')).toContain(encodeURIComponent(drafts[0]!));

    // Each page view is a new form: a new key, a new draft.
    const next = await post({ ...fields, _request: await formKey() });
    expect(next.status).toBe(303);
    expect(await draftsTitled(marker)).toHaveLength(2);
    // The same key with other content is refused, and nothing is made.
    const other = await post({ ...fields, title: `另一个方案 ${marker}-other` });
    expect(other.status).toBe(412);
    expect(await draftsTitled(`${marker}-other`)).toEqual([]);
  });

  it('a page that may be cached for visitors carries no key', async () => {
    const visitor = await (await fetch(`${p.gateway.url}/standards`)).text();
    expect(visitor).not.toContain('name="_request"');
  });
});
