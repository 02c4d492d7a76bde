// /api/v1/programme, the /programme console and `bps programme` through the gateway against the real programme
// service: 立项 with an Idempotency-Key, the drafting checks refused then met, a stale revision, visitors seeing
// published standards only, coverage and the 2027 targets, a batch opened by SAMR only, a regional-coordination
// application joined by its partners, provincial screening (refused to a locality; one step per request), an
// evaluation recorded, the console's form posts, and 503 while the service is down.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../services/gateway/app';
import { startPlatform, CLOSED_ADDRESS, type StartedPlatform } from '../support/platform';
import { testVerifier } from '../support/identity';
import { testLogger } from '../support/stack';
import { uniqueName } from '../support/names';
import type { PersonaName } from '../../services/shared/auth/personas';
import { runBps } from './gateway-cli-run';

const doc = (title: string) => ({ title, uri: `https://example.gov.cn/${encodeURIComponent(title)}.pdf`, digest: 'ab'.repeat(32), digestAlgorithm: 'sha256' });

describe('gateway: the standardisation programme', () => {
  let p: StartedPlatform<'registry' | 'programme' | 'gateway'>;
  const api = async (who: PersonaName | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(p.gateway.url + path, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${await p.token(who)}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const batchId = uniqueName('B').replace(/[^A-Za-z0-9._:-]/g, '-');
  /** The 通武廊 pilot the application test opens (the CLI test screens it for Tianjin and Hebei). */
  let jointPilot = '';

  beforeAll(async () => {
    p = await startPlatform('gw-prog', { services: ['registry', 'programme', 'gateway'] });
  }, 240_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('takes a GB/T standard through 立项 and 起草 with the drafting checks, idempotently, hidden from visitors until published', async () => {
    const proposal = {
      title: '基本公共卫生服务 居民健康档案管理规范',
      level: 'STANDARD_LEVEL_NATIONAL',
      mandatory: false,
      kind: 'STANDARD_KIND_SERVICE_PROCESS_QUALITY',
      itemCodes: ['HEA-01'],
      supportingMeasures: [doc('配套措施')],
    };
    const key = { 'idempotency-key': uniqueName('k').replace(/[^A-Za-z0-9._:-]/g, '-') };
    const created = await api('nhc-staff', 'POST', '/api/v1/programme/standards', proposal, key);
    expect(created.status).toBe(201);
    const s = created.json.standard;
    expect(s).toMatchObject({ level: 'STANDARD_LEVEL_NATIONAL', stage: 'STANDARD_STAGE_PROPOSED', itemCodes: ['HEA-01'], proposerOrganisation: 'NHC' });
    // The same key and request: the first answer again, not a second standard.
    const again = await api('nhc-staff', 'POST', '/api/v1/programme/standards', proposal, key);
    expect(again.json.standard.standardId).toBe(s.standardId);
    // Schema refusals name the field; the service's own refusals come back mapped.
    const bad = await api('nhc-staff', 'POST', '/api/v1/programme/standards', { ...proposal, title: 7 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fieldViolations.map((v: any) => v.field)).toContain('title');
    const notOnList = await api('nhc-staff', 'POST', '/api/v1/programme/standards', { ...proposal, itemCodes: ['HEA-01', 'NOPE-99'] });
    expect([notOnList.status, notOnList.json.error.reason]).toEqual([422, 'ITEM_NOT_ON_LIST']);
    expect((await api('moe-staff', 'POST', '/api/v1/programme/standards', proposal)).status).toBe(403);

    const url = `/api/v1/programme/standards/${s.standardId}`;
    const drafting = await api('nhc-staff', 'POST', `${url}/advance`, { to: 'STANDARD_STAGE_DRAFTING', expectedRevision: s.revision });
    expect(drafting.status).toBe(200);
    expect(drafting.json.standard.stage).toBe('STANDARD_STAGE_DRAFTING');
    const r = drafting.json.standard.revision;
    // Leaving 起草 without the demand survey, cost estimate and finance agreement: refused with the reasons.
    const unchecked = await api('nhc-staff', 'POST', `${url}/advance`, { to: 'STANDARD_STAGE_CONSULTATION', expectedRevision: r });
    expect(unchecked.status).toBe(422);
    expect(unchecked.json.error.reason).toBe('DRAFTING_CHECKS_INCOMPLETE');
    const reasons = unchecked.json.error.violations.map((v: any) => v.description).join('；');
    for (const missing of ['需求调查', '财政经费测算', 'MOF']) expect(reasons).toContain(missing);
    const stale = await api('nhc-staff', 'POST', `${url}/advance`, { to: 'STANDARD_STAGE_CONSULTATION', expectedRevision: r - 1 });
    // As for proposals: 409 ABORTED with the revision to reload.
    expect(stale.status).toBe(409);
    expect(stale.json.error.currentRevision).toBe(r);
    const badDate = await api('nhc-staff', 'POST', `${url}/advance`, { to: 'STANDARD_STAGE_IN_FORCE', implementedOn: { year: 2027, month: 2, day: 30 } });
    expect(badDate.status).toBe(400);
    expect(badDate.json.error.fieldViolations[0].field).toBe('implementedOn');
    const checked = await api('nhc-staff', 'POST', `${url}/advance`, {
      to: 'STANDARD_STAGE_CONSULTATION',
      expectedRevision: r,
      demandSurvey: [doc('公众需求调查')],
      costEstimate: [doc('财政经费测算')],
      financeAgreement: { organisation: 'MOF', documents: [doc('财政部意见')] },
    });
    expect(checked.status).toBe(200);
    expect(checked.json.standard).toMatchObject({ stage: 'STANDARD_STAGE_CONSULTATION', financeAgreement: { organisation: 'MOF' } });

    const listed = await api('samr-officer', 'GET', '/api/v1/programme/standards?stage=STANDARD_STAGE_CONSULTATION&item=HEA-01');
    expect(listed.json.standards.map((x: any) => x.standardId)).toContain(s.standardId);
    // The public portal: nothing in the pipeline.
    const visitor = await api(undefined, 'GET', '/api/v1/programme/standards');
    expect(visitor.status).toBe(200);
    expect((visitor.json.standards ?? []).map((x: any) => x.standardId)).not.toContain(s.standardId);
    expect((await api(undefined, 'GET', url)).status).toBe(404);
    expect((await api(undefined, 'POST', '/api/v1/programme/standards', proposal)).status).toBe(401);
  });

  it('answers coverage per category and the 2027 targets', async () => {
    const coverage = await api('samr-officer', 'GET', '/api/v1/programme/coverage');
    expect(coverage.status).toBe(200);
    expect(coverage.json.categories.length).toBeGreaterThan(0);
    expect(coverage.json.categories[0]).toHaveProperty('missing');
    const progress = await api(undefined, 'GET', '/api/v1/programme/progress');
    expect(progress.status).toBe(200);
    expect(progress.json.targets.map((t: any) => t.target).sort((a: number, b: number) => a - b)).toEqual([80, 200]);
  });

  it('runs a regional-coordination application into provincial screening', async () => {
    const batch = { batchId, title: '2026年基本公共服务标准化试点', applicationsClose: { year: 2030, month: 12, day: 31 } };
    expect((await api('tongzhou-officer', 'POST', '/api/v1/programme/pilot-batches', batch)).status).toBe(403);
    const opened = await api('samr-officer', 'POST', '/api/v1/programme/pilot-batches', batch);
    expect(opened.status).toBe(201);
    expect(opened.json.batch).toMatchObject({ batchId, candidatesPerProvince: 3 });
    expect((await api(undefined, 'GET', '/api/v1/programme/pilot-batches')).json.batches.map((b: any) => b.batchId)).toContain(batchId);

    const application = (localityCode: string, localityName: string) => ({
      name: '通武廊基本公共服务标准化试点',
      type: 'PILOT_TYPE_REGIONAL_COORDINATION',
      periodStart: '2026-07',
      periodEnd: '2028-06',
      localityCode,
      localityName,
      partnerLocalityCodes: ['110112', '120114', '131000'].filter((c) => c !== localityCode),
      groundwork: '三地已建立基本公共服务协同机制',
      policyAndFundingSupport: '三地财政安排专项经费',
      majorIncidentInThreeYears: false,
      goals: '形成区域协调联动标准体系',
      workPlan: '两年完成五项任务',
      funding: '每地每年200万元',
      documents: [doc('申报书')],
    });
    const first = await api('tongzhou-officer', 'POST', '/api/v1/programme/pilots', { batchId, application: application('110112', '北京市通州区') });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    const pilotId = first.json.pilot.pilotId;
    jointPilot = pilotId;
    expect(first.json.pilot.status).toBe('PILOT_STATUS_APPLYING');
    for (const [who, code, name] of [
      ['wuqing-officer', '120114', '天津市武清区'],
      ['langfang-officer', '131000', '河北省廊坊市'],
    ] as const) {
      const joined = await api(who, 'POST', '/api/v1/programme/pilots', { batchId, application: application(code, name) });
      expect(joined.status, JSON.stringify(joined.json)).toBe(201);
      expect(joined.json.pilot.pilotId).toBe(pilotId);
    }
    const pilot = await api('tongzhou-officer', 'GET', `/api/v1/programme/pilots/${pilotId}`);
    expect(pilot.json.pilot).toMatchObject({ status: 'PILOT_STATUS_SUBMITTED', provinceCodes: expect.arrayContaining(['110000', '120000', '130000']) });
    expect((await api('samr-officer', 'GET', `/api/v1/programme/pilots?batch=${batchId}`)).json.pilots.map((x: any) => x.pilotId)).toEqual([pilotId]);
    // Visitors: not published yet.
    expect((await api(undefined, 'GET', `/api/v1/programme/pilots/${pilotId}`)).status).toBe(404);
    expect((await api(undefined, 'GET', `/api/v1/programme/pilots?batch=${batchId}`)).json.pilots ?? []).toEqual([]);

    const actions = `/api/v1/programme/pilots/${pilotId}/actions`;
    expect((await api('beijing-programme-officer', 'POST', actions, { screen: { recommend: true }, recheck: { outcome: 'CONFIRMED' } })).status).toBe(400);
    expect((await api('tongzhou-officer', 'POST', actions, { screen: { recommend: true, opinion: '自荐' } })).status).toBe(403);
    const screened = await api('beijing-programme-officer', 'POST', actions, { screen: { recommend: true, opinion: '同意推荐' } });
    expect(screened.status).toBe(200);
    expect(screened.json.pilot.screenings).toEqual([expect.objectContaining({ provinceCode: '110000', recommended: true })]);
    expect((await api('samr-officer', 'POST', `/api/v1/programme/pilots/${pilotId}-missing/actions`, { publishResults: { note: '' } })).status).toBe(404);
  });

  it("records a province's satisfaction survey and lists it by item (public)", async () => {
    const survey = {
      kind: 'EVALUATION_KIND_SATISFACTION_SURVEY',
      itemCode: 'HEA-01',
      provinceCode: '110000',
      period: '2026',
      method: '入户问卷',
      sampleSize: 1200,
      satisfactionPercent: '86.4',
      summary: '居民对健康档案服务总体满意',
      documents: [doc('满意度调查报告')],
    };
    // A province records evaluations of its own services.
    expect((await api('samr-officer', 'POST', '/api/v1/programme/evaluations', survey)).status).toBe(403);
    const recorded = await api('beijing-programme-officer', 'POST', '/api/v1/programme/evaluations', survey);
    expect(recorded.status, JSON.stringify(recorded.json)).toBe(201);
    const id = recorded.json.evaluation.evaluationId;
    const listed = await api(undefined, 'GET', '/api/v1/programme/evaluations?item=HEA-01&kind=EVALUATION_KIND_SATISFACTION_SURVEY');
    expect(listed.json.evaluations.map((e: any) => e.evaluationId)).toContain(id);
    expect((await api('samr-officer', 'GET', `/api/v1/programme/evaluations/${id}`)).json.evaluation).toMatchObject({ satisfactionPercent: '86.4' });
  });

  it('serves the console pages and their form posts', async () => {
    const cookie = `bps_token=${await p.token('samr-officer')}`;
    const overview = await fetch(`${p.gateway.url}/programme`, { headers: { cookie } });
    expect(overview.status).toBe(200);
    const text = await overview.text();
    expect(text).toContain('data-testid="coverage"');
    expect(text).toContain('data-testid="programme-targets"');
    expect(text).toContain('href="/programme"');
    const pilots = async (province: string) => (await fetch(`${p.gateway.url}/programme/pilots?province=${province}`, { headers: { cookie } })).text();
    expect(await pilots('130000')).toContain(`data-pilot="${jointPilot}"`);
    expect(await pilots('440000')).not.toContain(`data-pilot="${jointPilot}"`);
    const form = new URLSearchParams({ batchId: `${batchId}-x`, title: '第二批', applicationsClose: '2030-06-30' });
    const posted = await fetch(`${p.gateway.url}/programme/batches`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/programme/pilots?batch=${batchId}-x`);
    // A refusal is shown on the page with the server's reason.
    const refused = await fetch(`${p.gateway.url}/programme/batches`, {
      method: 'POST',
      headers: { cookie: `bps_token=${await p.token('tongzhou-officer')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ batchId: `${batchId}-y`, title: 't', applicationsClose: '2030-06-30' }).toString(),
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('data-testid="refusal"');
  });

  it('reads the programme with the CLI', async () => {
    const env = { PROGRAMME_GRPC_ADDRESS: p.address('programme') };
    const progress = await runBps(['programme', 'progress', '--json', '--as', 'samr-officer'], env);
    expect(progress.code).toBe(0);
    expect(JSON.parse(progress.stdout).targets).toHaveLength(2);
    const batches = await runBps(['programme', 'batches', '--as', 'samr-officer'], env);
    expect(batches.stdout).toContain(batchId);
    const refused = await runBps(['programme', 'open-batch', `${batchId}-z`, '--title', 't', '--closes', '2030-01-01', '--as', 'tongzhou-officer'], env);
    expect(refused.code).toBe(4);
    // Steps of a pilot: from flags, and from the HTTP API's JSON in a file.
    const screened = await runBps(
      ['programme', 'act-pilot', jointPilot, 'screen', '--recommend', 'yes', '--opinion', '天津市联合推荐', '--json', '--as', 'tianjin-programme-officer'],
      env,
    );
    expect(screened.code, screened.stderr).toBe(0);
    expect(JSON.parse(screened.stdout).pilot.screenings.map((x: any) => x.provinceCode)).toEqual(['110000', '120000']);
    const file = join(mkdtempSync(join(tmpdir(), 'bps-prog-')), 'step.json');
    writeFileSync(file, JSON.stringify({ screen: { recommend: true, opinion: '河北省联合推荐' } }));
    const hebei = await runBps(['programme', 'act-pilot', jointPilot, '--file', file, '--as', 'hebei-programme-officer'], env);
    expect(hebei.code, hebei.stderr).toBe(0);
    expect(hebei.stdout).toContain('status CANDIDATE');
    const again = await runBps(['programme', 'act-pilot', jointPilot, '--file', file, '--as', 'hebei-programme-officer'], env);
    expect(again.code).toBe(7);
    expect(again.stderr).toContain('NOT_AWAITING_SCREENING');
    const shown = await runBps(['programme', 'pilot', jointPilot, '--as', 'samr-officer'], env);
    expect(shown.stdout).toContain('120000 recommended');
  });

  it('answers 503 for the programme while its service is down', async () => {
    let gateway: RunningGateway | undefined;
    try {
      gateway = await startGateway({
        port: 0,
        tokens: testVerifier(),
        logger: testLogger,
        environment: 'test',
        backends: { ...p.deps('gateway').backends, programme: CLOSED_ADDRESS },
      });
      const res = await fetch(`${gateway.url}/api/v1/programme/coverage`, { headers: { authorization: `Bearer ${await p.token('samr-officer')}` } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.code).toBe('UNAVAILABLE');
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as any).backends.programme.status).toBe('UNREACHABLE');
      // The platform's own gateway reaches it.
      expect(((await (await fetch(`${p.gateway.url}/readyz`)).json()) as any).backends.programme.status).toBe('SERVING');
    } finally {
      await gateway?.stop();
    }
  });
});
