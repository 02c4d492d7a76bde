// Issue #17 "edition import", on the real stack: an edition file (CSV, XLSX) is checked row by row, previewed as a
// diff against the standard in force and becomes a draft adjustment proposal; the registry does not change until the
// proposal's approval chain (countersign, final approval) completes, and then publishes the new version on the
// standards topic. A file with row errors names the row and column and creates nothing; a caller who may not draft
// is refused (403) and the refusal is on record. The rows are made-up TEST DATA (marked 测试), not official values.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceItem } from '../../proto/gen/bps/common/v1/common';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { standardEvents } from '../../services/shared/events/standards';
import { editionColumns, editionRowOf } from '../../services/shared/standards/edition';
import { editionXlsx, templateHeader } from '../../services/shared/standards/edition-file';
import { startPlatform, type StartedPlatform } from '../support/platform';
import { waitFor } from '../support/wait';
import { healthProposal } from '../unit/proposals-fixtures';
import { runBps } from './gateway-cli-run';

type P = StartedPlatform<'registry' | 'proposals' | 'approvals' | 'gateway'>;
type Row = string[];

const basis = { documentNumber: '（测试）标准版次第1号', documentDate: '2026-11-01', effectiveFrom: '2027-01-01', title: '国家基本公共服务标准（测试版次）' };

describe('edition import (issue #17)', { timeout: 400_000 }, () => {
  let p: P;
  const api = async (persona: PersonaName, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(p.gateway.url + path, {
      method,
      headers: { authorization: `Bearer ${await p.token(persona)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: await res.json() };
  };
  const must = (r: { status: number; json: any }, what: string, status = 200) => {
    if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  /** The item in force and its row as an edition states it (so an unchanged row changes nothing). */
  const inForce = async (itemCode: string): Promise<{ version: number; row: Record<string, string> }> => {
    const v = must(await api('nhc-staff', 'GET', `/api/v1/standards/items/${itemCode}`), itemCode).national;
    return { version: v.version, row: editionRowOf(ServiceItem.fromJSON(v.item), v.placement.fieldCode, v.placement.categoryCode) };
  };
  const line = (row: Record<string, string>): Row => editionColumns.map((c) => row[c.key] ?? '');
  const csvOf = (rows: Row[]): string =>
    `\uFEFF${[templateHeader(), ...rows].map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n')}\r\n`;
  /** Releases that publish a version of `itemCode` after the one in force when the test started (not the seeded baseline). */
  const published = (itemCode: string) =>
    p.collector!.eventsOf(standardEvents.versionPublished).filter((e) => e.itemVersions.some((v) => v.itemCode === itemCode && v.version > hea02.version));

  let hea02: { version: number; row: Record<string, string> };
  let hea03: { version: number; row: Record<string, string> };
  let edu05: { version: number; row: Record<string, string> };
  /** HEA-02 raised (test level), HEA-03 as in force. */
  let goodCsv: string;

  beforeAll(async () => {
    p = await startPlatform('edition', { services: ['registry', 'proposals', 'approvals', 'gateway'], collect: ['standards', 'proposals'] });
    hea02 = await inForce('HEA-02');
    hea03 = await inForce('HEA-03');
    edu05 = await inForce('EDU-05');
    goodCsv = csvOf([
      line({
        ...hea02.row,
        quality_standard: '国家基本公共卫生服务经费补助标准提高到每人每年89元（测试数据，非官方）',
        quality_metrics: 'funding_per_capita>=89 CNY per_person_per_year',
      }),
      line(hea03.row),
      line({ ...edu05.row, service_content: `${edu05.row['service_content'] || '助学服务'}（测试数据，非官方修订）` }),
    ]);
  }, 300_000);
  afterAll(async () => p?.stop());

  it('a file with row errors: the report names each row and column, and nothing is created', async () => {
    const bad = csvOf([line({ ...hea02.row, payment_category: '随便' }), line({ ...hea03.row, field_code: 'F21-NOWHERE' })]);
    const report = must(await api('nhc-staff', 'POST', '/api/v1/editions/validate', { format: 'csv', content: bad }), 'validate');
    expect(report.ok).toBe(false);
    expect(report.problems.map((x: any) => [x.row, x.column])).toEqual([[2, 'payment_category']]);

    const refused = await api('nhc-staff', 'POST', '/api/v1/editions/import', { format: 'csv', content: bad, ...basis });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('INVALID_ARGUMENT');
    expect(refused.json.error.fieldViolations).toEqual([
      { field: 'rows[2].payment_category', description: expect.stringContaining('unknown payment category') },
    ]);
    // Against the structure in force: an unknown field is named too.
    const unknownField = await api('nhc-staff', 'POST', '/api/v1/editions/import', {
      format: 'csv',
      content: csvOf([line({ ...hea03.row, field_code: 'F21-NOWHERE' })]),
      ...basis,
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json.error.fieldViolations.map((v: any) => v.field)).toEqual(['rows[2].field_code']);
    const drafts = must(await api('nhc-staff', 'GET', '/api/v1/proposals?leadMinistry=NHC'), 'list').proposals ?? [];
    expect(drafts).toEqual([]);

    // A JSON edition is checked the same way (rows are the 1-based positions in the list).
    const json = must(
      await api('nhc-staff', 'POST', '/api/v1/editions/validate', {
        format: 'json',
        content: JSON.stringify({ items: [hea03.row, { ...hea02.row, name: '' }] }),
      }),
      'validate json',
    );
    expect(json.problems).toEqual([{ row: 2, column: 'name', message: expect.stringContaining('required') }]);

    // The command-line validator prints the same report offline (no token, no service).
    const file = join(mkdtempSync(join(tmpdir(), 'edition-')), 'bad.csv');
    writeFileSync(file, bad);
    const cli = await runBps(['edition', 'validate', file], {});
    expect(cli.code, cli.stderr).toBe(6);
    expect(cli.stdout).toContain('1 problem(s) in 2 row(s)');
    expect(cli.stdout).toContain('payment_category');
  });

  it('a caller who may not draft is refused with 403, on record, and nothing is created', async () => {
    const asOperator = await api('operator', 'POST', '/api/v1/editions/import', { format: 'csv', content: goodCsv, ...basis });
    expect(asOperator.status, JSON.stringify(asOperator.json)).toBe(403);
    expect(asOperator.json.error).toMatchObject({ code: 'PERMISSION_DENIED', reason: 'MISSING_ROLE' });
    const asMoe = await api('moe-staff', 'POST', '/api/v1/editions/import', { format: 'csv', content: goodCsv, ...basis });
    expect(asMoe.status).toBe(403);
    expect(asMoe.json.error.reason).toBe('NOT_LEAD_UNIT');
    const record = await p.collector!.waitFor(
      (e) => e.type === 'bps.access.refused' && JSON.parse(e.data.toString('utf8')).actor?.subject === personas.operator.subject,
      'the refusal of the operator on record',
    );
    expect(JSON.parse(record.data.toString('utf8'))).toMatchObject({
      service: 'proposals',
      operation: '/bps.proposals.v1.Proposals/CreateProposal',
      httpRoute: 'POST /api/v1/editions/import',
      code: 'PERMISSION_DENIED',
      reason: 'MISSING_ROLE',
    });
    expect(p.collector!.received('bps.proposal.created')).toEqual([]);
  });

  it('an XLSX edition is read like the CSV: clean report, diff preview; `bps edition import` drafts it — the registry unchanged', async () => {
    const xlsx = await editionXlsx([line({ ...hea03.row, service_content: `${hea03.row['service_content'] || '预防接种服务'}（测试数据，非官方修订）` })]);
    const content = xlsx.toString('base64');
    const report = must(await api('nhc-staff', 'POST', '/api/v1/editions/validate', { format: 'xlsx', content }), 'validate xlsx');
    expect(report).toMatchObject({ ok: true, rows: 1, problems: [] });
    expect(report.diff.modified).toEqual([
      {
        row: 2,
        itemCode: 'HEA-03',
        name: expect.any(String),
        leadUnit: 'NHC',
        fieldCode: hea03.row['field_code'],
        baseVersion: hea03.version,
        attributes: ['service_content'],
      },
    ]);
    // The command line imports the same workbook (through the services' gRPC APIs, as the caller).
    const file = join(mkdtempSync(join(tmpdir(), 'edition-')), 'edition.xlsx');
    writeFileSync(file, xlsx);
    const cli = await runBps(
      [
        'edition',
        'import',
        file,
        '--document-number',
        '（测试）标准版次第2号',
        '--date',
        '2026-11-01',
        '--effective-from',
        '2027-01-01',
        '--as',
        'nhc-staff',
        '--json',
      ],
      p.addresses,
    );
    expect(cli.code, cli.stderr).toBe(0);
    const imported = JSON.parse(cli.stdout);
    expect(imported.report.diff.modified.map((m: any) => m.itemCode)).toEqual(['HEA-03']);
    expect(imported.proposal).toMatchObject({ state: 'PROPOSAL_STATE_DRAFT', leadMinistry: 'NHC', itemCodes: ['HEA-03'] });
    const got = must(await api('nhc-staff', 'GET', `/api/v1/proposals/${imported.proposal.proposalId}`), 'get draft');
    expect(got.proposal.content.triggerDocument.title).toContain('（测试）标准版次第2号');
    expect((await inForce('HEA-03')).version).toBe(hea03.version);
  });

  it('a good CSV: clean report and diff, a draft proposal; published only when the approval chain completes', async () => {
    const report = must(await api('nhc-staff', 'POST', '/api/v1/editions/validate', { format: 'csv', content: goodCsv }), 'validate');
    expect(report).toMatchObject({ ok: true, rows: 3, problems: [] });
    expect(report.diff.modified).toEqual([
      {
        row: 2,
        itemCode: 'HEA-02',
        name: expect.any(String),
        leadUnit: 'NHC',
        fieldCode: hea02.row['field_code'],
        baseVersion: hea02.version,
        attributes: ['quality_standard'],
      },
      {
        row: 4,
        itemCode: 'EDU-05',
        name: expect.any(String),
        leadUnit: 'MOE',
        fieldCode: edu05.row['field_code'],
        baseVersion: edu05.version,
        attributes: ['service_content'],
      },
    ]);
    expect(report.diff.unchanged).toEqual(['HEA-03']);
    expect(report.diff.added).toEqual([]);
    expect(report.diff.notInEdition).toContain('EDU-06');

    // 国家卫生健康委 imports its part of the edition; the Ministry of Education's change is reported, not carried.
    const scoped = { format: 'csv', content: goodCsv, ...basis, leadUnit: 'NHC' };
    const imported = must(await api('nhc-staff', 'POST', '/api/v1/editions/import', scoped), 'import', 201);
    expect(imported.outOfScope).toEqual([expect.objectContaining({ itemCode: 'EDU-05', leadUnit: 'MOE' })]);
    const proposal = imported.proposal;
    expect(proposal).toMatchObject({ state: 'PROPOSAL_STATE_DRAFT', leadMinistry: 'NHC', itemCodes: ['HEA-02'] });
    expect(proposal.content).toMatchObject({
      kind: 'PROPOSAL_KIND_AD_HOC',
      trigger: 'AD_HOC_TRIGGER_CENTRAL_DECISION',
      triggerDocument: { title: '国家基本公共服务标准（测试版次）（（测试）标准版次第1号，2026-11-01）', digest: report.digest },
      effectiveFrom: { year: 2027, month: 1, day: 1 },
    });
    expect(proposal.content.changes).toHaveLength(1);
    expect(proposal.content.changes[0].modifyItem.base).toEqual({ itemCode: 'HEA-02', version: hea02.version });
    // The same import again (a retry) is the same draft.
    const again = must(await api('nhc-staff', 'POST', '/api/v1/editions/import', scoped), 'import again', 201);
    expect(again.proposal.proposalId).toBe(proposal.proposalId);
    expect((await inForce('HEA-02')).version).toBe(hea02.version);

    // The ministry completes the draft (justification, fiscal inputs: test data) and submits it.
    const example = ProposalContent.toJSON(healthProposal({ itemCode: 'HEA-02' })) as Record<string, unknown>;
    const fiscal = example['fiscal'] as { lines: Record<string, unknown>[] };
    const completed = {
      ...proposal.content,
      justification: example['justification'],
      evidence: [...(proposal.content.evidence ?? []), ...(example['evidence'] as unknown[])],
      fiscal: { ...fiscal, lines: fiscal.lines.map((l) => ({ ...l, changeId: proposal.content.changes[0].changeId })) },
    };
    const revised = must(
      await api('nhc-staff', 'PUT', `/api/v1/proposals/${proposal.proposalId}/draft`, { expectedRevision: 1, content: completed }),
      'complete draft',
    );
    must(await api('nhc-staff', 'POST', `/api/v1/proposals/${proposal.proposalId}/submit`, { expectedRevision: revised.proposal.revision }), 'submit');

    for (const persona of ['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as const) {
      const step = await waitFor(
        async () =>
          (must(await api(persona, 'GET', '/api/v1/inbox'), `${persona} inbox`).items ?? []).find((i: any) => i.proposal?.proposalId === proposal.proposalId),
        `${proposal.proposalId} in the inbox of ${persona}`,
        90_000,
        300,
      );
      // Nothing reaches the registry before the final approval.
      expect(published('HEA-02')).toEqual([]);
      expect((await inForce('HEA-02')).version).toBe(hea02.version);
      must(
        await api(persona, 'POST', `/api/v1/approvals/${proposal.proposalId}/steps/${step.step.stepId}/sign`, {
          position: 'POSITION_APPROVE',
          comment: `${personas[persona].name} 同意（测试）`,
        }),
        `${persona} sign`,
      );
    }
    const event = await p.collector!.waitFor(
      (e) => e.type === standardEvents.versionPublished.type && published('HEA-02').length > 0,
      'HEA-02 published on the standards topic',
      90_000,
    );
    expect(event).toBeDefined();
    const [release] = published('HEA-02');
    expect(release!.itemVersions.find((v) => v.itemCode === 'HEA-02')!.version).toBe(hea02.version + 1);
    expect(release!.provenance?.proposalIds).toEqual([proposal.proposalId]);
    const history = must(await api('nhc-staff', 'GET', '/api/v1/standards/items/HEA-02/history'), 'history').versions;
    const latest = history.find((v: any) => v.version === hea02.version + 1);
    expect(latest.item.qualityStandard.metrics).toEqual([expect.objectContaining({ metric: 'funding_per_capita', value: '89' })]);
    expect((await inForce('EDU-05')).version).toBe(edu05.version);
  });
});
