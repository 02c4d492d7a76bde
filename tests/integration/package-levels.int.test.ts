// Issue #17, shared levels: the seeds state basic public health service funding (40 yuan per person per year, as of
// 2015, seed 001 line 23) for the basic public health service package, not for one item. The registry keeps it as the
// level of package BPHS; a proposal raises it with set_package_level; the fiscal estimate prices the increase over the
// level in force (89 − 40 = 49 yuan per person), once for the package however many of its items the proposal also
// raises, split by level of government and region tier, and shows its working; bad input and lowering are refused.
// The 89 yuan level, covered populations and central shares are the fixtures' example inputs, not seed figures.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProposalContent } from '../../proto/gen/bps/proposals/v1/proposal';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import type { ItemChange } from '../../proto/gen/bps/standards/v1/changes';
import { personas } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import { healthProposal, raiseFunding } from '../unit/proposals-fixtures';
import { waitFor } from '../support/wait';
import { apiAs, startTestPlatform, type TestPlatform } from './gateway-platform';

const setPackage = (changeId: string, value: string, version = 1, packageCode = 'BPHS'): ItemChange => ({
  changeId,
  change: { $case: 'setPackageLevel', setPackageLevel: { base: { packageCode, version }, value, lowersLevel: false, loweringJustification: '' } },
});

/** The fixture's complete ad-hoc proposal, its changes replaced: each change gets the fixture's fiscal line. */
function proposalWith(changes: ItemChange[], title = '提高国家基本公共卫生服务经费标准（测试）'): unknown {
  const base = healthProposal();
  const line = base.fiscal!.lines[0]!;
  return ProposalContent.toJSON({
    ...base,
    title,
    changes,
    fiscal: { ...base.fiscal!, lines: changes.map((c) => ({ ...line, changeId: c.changeId })) },
  });
}

// 1,360,000,000 people (fixture) × 4,900 fen (89 − 40 yuan).
const INCREMENT_ANNUAL_FEN = '6664000000000';
const WHOLE_LEVEL_ANNUAL_FEN = '12104000000000'; // 89 × population: what the estimate must not say

describe('package levels and increment pricing (issue #17)', { timeout: 300_000 }, () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform('pkg-levels', {}, { full: true });
  }, 240_000);
  afterAll(async () => p?.stop());

  it('the registry states the package level from the seeds, over gRPC, the JSON API (no sign-in) and the pages', async () => {
    const client = new StandardRegistryClient(p.address('registry'), grpc.credentials.createInsecure());
    try {
      const got = await unary(client.getPackageLevel.bind(client), { packageCode: 'BPHS', asOf: undefined }, await p.token('nhc-staff'));
      expect(got.level?.version).toBe(1);
      expect(got.level?.level?.metric).toMatchObject({ metric: 'funding_per_capita', value: '40', unit: 'CNY', basis: 'per_person_per_year' });
    } finally {
      client.close();
    }
    const list = await fetch(`${p.gateway.url}/api/v1/standards/packages?item=HEA-03`);
    expect(list.status).toBe(200);
    const levels = ((await list.json()) as { levels: any[] }).levels;
    expect(levels).toHaveLength(1);
    expect(levels[0].level).toMatchObject({
      packageCode: 'BPHS',
      name: '国家基本公共卫生服务项目',
      asOf: { year: 2015, month: 12, day: 31 },
      fieldCode: 'F21-HEALTH',
      leadUnit: { code: 'NHC' },
    });
    expect(levels[0].level.membershipStated ?? false).toBe(false); // the seed does not name the 12 classes
    expect(levels[0].level.itemCodes).toEqual(Array.from({ length: 12 }, (_, i) => `HEA-${String(i + 1).padStart(2, '0')}`));
    expect(levels[0].level.source).toContain('国家基本公共卫生服务经费和城乡居民基本医疗保险补助标准分别提高到每人每年40元和380元');
    const none = (await (await fetch(`${p.gateway.url}/api/v1/standards/packages?item=EDU-01`)).json()) as { levels?: unknown[] };
    expect(none.levels ?? []).toEqual([]);
    expect((await fetch(`${p.gateway.url}/api/v1/standards/packages/NOPE`)).status).toBe(404);

    const page = await fetch(`${p.gateway.url}/standards/packages/BPHS`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('data-testid="package-value"');
    expect(text).toMatch(/国家基本公共卫生服务经费[^<]*40/);
    expect(text).toContain('2015-12-31');
    const itemPage = await (await fetch(`${p.gateway.url}/standards/items/HEA-01`)).text();
    expect(itemPage).toContain('data-testid="item-packages"');
    expect(itemPage).toContain('/standards/packages/BPHS');
  });

  it('prices raising the package 40 → 89 on the increase, split by level of government and region tier, with its working', async () => {
    const res = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/fiscal-estimates', { content: proposalWith([setPackage('c1', '89')]) });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    const e = res.json.estimate;
    expect(e.problems ?? []).toEqual([]);
    expect(e.lines).toHaveLength(1);
    const line = e.lines[0];
    expect(line).toMatchObject({ packageCode: 'BPHS', itemCode: 'BPHS', baseLevel: '40', unitLevel: '89', pricedLevel: '49', coveredPopulation: '1360000000' });
    expect(e.annualTotal.fen).toBe(INCREMENT_ANNUAL_FEN);
    expect(e.annualTotal.fen).not.toBe(WHOLE_LEVEL_ANNUAL_FEN);
    // Tiers: population × 4,900 fen, central share 30 / 60 / 80 %.
    expect(line.tiers.map((t: any) => [t.regionTier, t.annual.fen, t.central.fen, t.local.fen])).toEqual([
      ['REGION_TIER_EAST', '2744000000000', '823200000000', '1920800000000'],
      ['REGION_TIER_CENTRAL', '2058000000000', '1234800000000', '823200000000'],
      ['REGION_TIER_WEST', '1862000000000', '1489600000000', '372400000000'],
    ]);
    expect(e.centralTotal.fen).toBe(String(3547600000000n * 3n));
    expect(e.total.fen).toBe(String(6664000000000n * 3n));
    // The working explains each number.
    const working = [...line.working, ...e.working].join('\n');
    expect(working).toContain('89 − 40 = 49');
    expect(working).toContain('49 元 × 560000000 人 = 27440000000 元/年');
    expect(working).toContain('中央承担 30% = 8232000000 元');
    expect(working).toContain('66640000000 元 × 3 年（2027–2029）= 199920000000 元');
  });

  it('counts the package once when several of its items are raised too, or only its items are', async () => {
    const withItems = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/fiscal-estimates', {
      content: proposalWith([setPackage('c1', '89'), raiseFunding('c2', 'HEA-01', 1, '89'), raiseFunding('c3', 'HEA-02', 1, '89')]),
    });
    expect(withItems.status, JSON.stringify(withItems.json)).toBe(200);
    expect(withItems.json.estimate.problems ?? []).toEqual([]);
    expect(withItems.json.estimate.annualTotal.fen).toBe(INCREMENT_ANNUAL_FEN);
    const byChange = new Map(withItems.json.estimate.lines.map((l: any) => [l.changeId, l]));
    expect((byChange.get('c2') as any).annual.fen ?? '0').toBe('0'); // proto3 JSON omits a zero
    expect((byChange.get('c2') as any).working.join('\n')).toContain('已由 c1 计入');

    const itemsOnly = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/fiscal-estimates', {
      content: proposalWith([raiseFunding('c1', 'HEA-01', 1, '89'), raiseFunding('c2', 'HEA-02', 1, '89'), raiseFunding('c3', 'HEA-04', 1, '89')]),
    });
    expect(itemsOnly.status, JSON.stringify(itemsOnly.json)).toBe(200);
    expect(itemsOnly.json.estimate.problems ?? []).toEqual([]);
    expect(itemsOnly.json.estimate.annualTotal.fen).toBe(INCREMENT_ANNUAL_FEN); // not 3 × 89 × population

    const disagree = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/fiscal-estimates', {
      content: proposalWith([setPackage('c1', '89'), raiseFunding('c2', 'HEA-01', 1, '95')]),
    });
    expect(disagree.json.estimate.problems.join('\n')).toMatch(/c2 \(HEA-01\): states 95 for package BPHS, but c1 sets it to 89/);
  });

  it('refuses bad input with field violations, an unknown package, a foreign ministry and a lowering without justification', async () => {
    const bad = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', {
      content: proposalWith([setPackage('c1', 'abc', 0), setPackage('c2', '90')]),
    });
    expect(bad.status).toBe(400);
    const fields = (bad.json.error.fieldViolations ?? []).map((v: any) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'content.changes[0].setPackageLevel.value',
        'content.changes[0].setPackageLevel.base.version',
        'content.changes[1].setPackageLevel.base.packageCode',
      ]),
    );

    const unknown = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content: proposalWith([setPackage('c1', '89', 1, 'NOPE')]) });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.fieldViolations.map((v: any) => v.field)).toContain('content.changes[0].setPackageLevel.base.packageCode');

    const foreign = await apiAs(p, 'moe-staff', 'POST', '/api/v1/proposals', { content: proposalWith([setPackage('c1', '89')]) });
    expect(foreign.status).toBe(403);

    const lowered = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content: proposalWith([setPackage('c1', '30')]) });
    expect(lowered.status, JSON.stringify(lowered.json)).toBe(201);
    const id = lowered.json.proposal.proposalId;
    const submit = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${id}/submit`, { expectedRevision: lowered.json.proposal.revision });
    expect(submit.status).toBe(422);
    expect(JSON.stringify(submit.json)).toMatch(/BELOW_FLOOR.*below the level of package BPHS in force \(40 CNY\)/);
  });

  it('a proposal raising the package, once approved, publishes version 2 of the package level', async () => {
    const created = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', {
      content: proposalWith([setPackage('c1', '89')], '国家基本公共卫生服务经费提高到89元（测试）'),
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id: string = created.json.proposal.proposalId;
    expect(created.json.proposal.itemCodes).toEqual(['BPHS']);
    expect(created.json.proposal.fieldCodes).toEqual(['F21-HEALTH']);
    const submitted = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${id}/submit`, { expectedRevision: created.json.proposal.revision });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(200);
    expect(submitted.json.proposal.submittedFiscalEstimate.annualTotal.fen).toBe(INCREMENT_ANNUAL_FEN);
    for (const persona of ['nhc-approver', 'ndrc-approver', 'mof-approver', 'final-approver'] as const) {
      const item = await waitFor(
        async () => ((await apiAs(p, persona, 'GET', '/api/v1/inbox')).json.items ?? []).find((i: any) => i.proposal?.proposalId === id),
        `${id} in the inbox of ${persona}`,
        90_000,
        300,
      );
      const signed = await apiAs(p, persona, 'POST', `/api/v1/approvals/${id}/steps/${item.step.stepId}/sign`, {
        position: 'POSITION_APPROVE',
        comment: `${personas[persona].name} 同意（测试）`,
      });
      expect(signed.status, JSON.stringify(signed.json)).toBeLessThan(300);
    }
    const v2 = await waitFor(
      async () => {
        const got = await apiAs(p, 'nhc-staff', 'GET', '/api/v1/standards/packages/BPHS?date=2027-01-01');
        return got.json.level?.version === 2 ? got.json : undefined;
      },
      'BPHS v2 published',
      90_000,
      300,
    );
    expect(v2.level.level.metric.value).toBe('89');
    expect(v2.level.effectiveFrom).toEqual({ year: 2027, month: 1, day: 1 });
    expect(v2.history.map((h: any) => h.level.metric.value)).toEqual(['40', '89']);
    const today = await apiAs(p, 'nhc-staff', 'GET', '/api/v1/standards/packages/BPHS?date=2026-06-01');
    expect(today.json.level.level.metric.value).toBe('40');
    // The next raise is priced over the new level: 95 − 89 = 6 yuan per person.
    const next = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/fiscal-estimates', {
      content: proposalWith([setPackage('c1', '95', 2)]),
    });
    expect(next.json.estimate.lines[0]).toMatchObject({ baseLevel: '89', pricedLevel: '6' });
    // A draft made against version 1 is stale now: submission names it, and a rebase moves it onto version 2.
    const stale = await apiAs(p, 'nhc-staff', 'POST', '/api/v1/proposals', { content: proposalWith([setPackage('c1', '95', 1)], '基于旧版本的调整（测试）') });
    expect(stale.status, JSON.stringify(stale.json)).toBe(201);
    const staleId: string = stale.json.proposal.proposalId;
    const refused = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${staleId}/submit`, { expectedRevision: 1 });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.json)).toMatch(/STALE_BASE.*package version 1 but version 2/);
    const rebased = await apiAs(p, 'nhc-staff', 'POST', `/api/v1/proposals/${staleId}/rebase`, { expectedRevision: 1 });
    expect(rebased.status, JSON.stringify(rebased.json)).toBe(200);
    expect(rebased.json.moved).toEqual([{ itemCode: 'BPHS', fromVersion: 1, toVersion: 2 }]);
    expect(rebased.json.proposal.content.changes[0].setPackageLevel.base).toEqual({ packageCode: 'BPHS', version: 2 });
  });
});
