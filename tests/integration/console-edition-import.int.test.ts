// Issue #17, edition import from the console: a person uploads an edition file with its document number and date
// (multipart form), sees the row report and the diff against the standard in force, and submits it, which drafts the
// adjustment proposal carrying the edition (the same use case as /api/v1/editions/import; published only through the
// proposal's approval). A file with row errors shows each row and column and offers no submission; a person who may
// not draft the items is refused on the page. The rows are made-up TEST DATA (marked 测试), not official values.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ListProposalsRequest, ProposalsClient } from '../../proto/gen/bps/proposals/v1/proposals';
import type { PersonaName } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import { editionColumns, editionRowOf } from '../../services/shared/standards/edition';
import { templateHeader } from '../../services/shared/standards/edition-file';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';

const csvOf = (rows: string[][]): string =>
  `\uFEFF${[templateHeader(), ...rows].map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n')}\r\n`;
const decode = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('console: importing an edition (issue #17)', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  let proposals: ProposalsClient;
  let goodCsv = '';
  let badCsv = '';
  const session = async (persona: PersonaName = 'nhc-staff') => ({ cookie: `bps_token=${await p.token(persona)}`, origin: p.gateway.url });
  const upload = async (csv: string, fields: Record<string, string>, persona: PersonaName = 'nhc-staff') => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'edition.csv');
    const res = await fetch(`${p.gateway.url}/editions/import`, { method: 'POST', headers: await session(persona), body: form, redirect: 'manual' });
    return { status: res.status, text: await res.text() };
  };
  /** The hidden fields of the page's submit form, as the browser would post them. */
  const submitFields = (page: string): Record<string, string> => {
    const form = /<form method="post" action="\/editions\/import\/submit"[^>]*>([\s\S]*?)<\/form>/.exec(page)?.[1] ?? '';
    return Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, decode(m[2]!)]));
  };
  const submit = async (fields: Record<string, string>, persona: PersonaName = 'nhc-staff') =>
    fetch(`${p.gateway.url}/editions/import/submit`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...(await session(persona)), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const basis = {
    documentNumber: '（测试）控制台导入第1号',
    documentDate: '2026-11-01',
    effectiveFrom: '2027-01-01',
    title: '国家基本公共服务标准（控制台测试版次）',
  };

  beforeAll(async () => {
    p = await startTestPlatform('console-edition', {}, { full: true });
    proposals = new ProposalsClient(p.addresses.PROPOSALS_GRPC_ADDRESS!, grpc.credentials.createInsecure());
    const rowOf = async (code: string) => {
      const v = (await apiAs(p, 'nhc-staff', 'GET', `/api/v1/standards/items/${code}`)).json.national;
      return editionRowOf(ServiceItem.fromJSON(v.item), v.placement.fieldCode, v.placement.categoryCode);
    };
    const line = (row: Record<string, string>) => editionColumns.map((c) => row[c.key] ?? '');
    const hea05 = await rowOf('HEA-05');
    const hea03 = await rowOf('HEA-03');
    goodCsv = csvOf([line({ ...hea05, service_content: '为0—6岁儿童提供健康管理（控制台测试数据，非官方修订）' }), line(hea03)]);
    badCsv = csvOf([line({ ...hea05, payment_category: '随便' }), line(hea03)]);
  }, 240_000);
  afterAll(async () => {
    proposals?.close();
    await p?.stop();
  });

  it('shows the upload form to a signed-in person', async () => {
    const res = await fetch(`${p.gateway.url}/editions/import`, { headers: await session() });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('data-testid="edition-upload"');
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toMatch(/name="leadUnit" value="NHC"/);
    expect((await fetch(`${p.gateway.url}/editions/import`, { redirect: 'manual' })).status).toBe(303); // sign-in first
  });

  it('a file with row errors: the report names the row and column and offers no submission', async () => {
    const res = await upload(badCsv, basis);
    expect(res.status).toBe(422);
    expect(res.text).toContain('data-testid="edition-problems"');
    expect(res.text).toMatch(/<td>2<\/td><td>payment_category<\/td>/);
    expect(res.text).not.toContain('data-testid="edition-submit-form"');
  });

  it('a good file: row report and diff preview, then submitting drafts the proposal carrying the edition', async () => {
    const res = await upload(goodCsv, { ...basis, leadUnit: 'NHC' }); // as the form comes prefilled for NHC staff
    expect(res.status, res.text.slice(0, 2000)).toBe(200);
    expect(res.text).toContain('data-testid="edition-ok"');
    expect(res.text).toMatch(/data-testid="diff-modified">1</);
    expect(res.text).toMatch(/data-testid="diff-unchanged">1</);
    expect(res.text).toMatch(/<tr data-item="HEA-05">[\s\S]*?service_content/);
    const fields = submitFields(res.text);
    expect(fields).toMatchObject({ format: 'csv', documentNumber: basis.documentNumber, leadUnit: 'NHC' });

    const first = await submit(fields);
    expect(first.status).toBe(303);
    const location = first.headers.get('location') ?? '';
    expect(location).toMatch(/^\/proposals\/[^/]+$/);
    const id = decodeURIComponent(location.split('/').pop()!);
    const listed = await unary(proposals.listProposals.bind(proposals), ListProposalsRequest.fromPartial({ pageSize: 200 }), await p.token('nhc-staff'));
    const draft = listed.proposals.find((x) => x.proposalId === id);
    expect(draft?.state).toBe(1); // PROPOSAL_STATE_DRAFT
    expect(draft?.content?.title).toContain(basis.documentNumber);
    expect(draft?.itemCodes).toEqual(['HEA-05']);
    // The same preview submitted again is the same import: one draft.
    const again = await submit(fields);
    expect(again.headers.get('location')).toBe(location);

    // A file changed after the preview is refused (the digest no longer matches), nothing is drafted.
    const tampered = await submit({ ...fields, content: Buffer.from(goodCsv.replace('控制台测试数据', '篡改')).toString('base64') });
    expect(tampered.status).toBe(400);
  });

  it('someone who may not draft the items is refused on the page, and nothing is drafted', async () => {
    const res = await upload(goodCsv, { ...basis, documentNumber: '（测试）控制台导入第2号', leadUnit: '' }, 'moe-staff');
    expect(res.status).toBe(200);
    const refused = await submit(submitFields(res.text), 'moe-staff');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('data-testid="refusal"');
    const listed = await unary(proposals.listProposals.bind(proposals), ListProposalsRequest.fromPartial({ pageSize: 200 }), await p.token('nhc-staff'));
    expect(listed.proposals.filter((x) => x.content?.title.includes('控制台导入第2号'))).toEqual([]);
  });
});
