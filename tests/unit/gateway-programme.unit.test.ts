// The programme's console, JSON routes and CLI without services: who sees which action form, the forms as requests,
// the pages (escaped, visitors see bodies and no people), the public filters, the route declarations and the
// CLI's flags.
import { describe, expect, it } from 'vitest';
import {
  EvaluationKind,
  Pilot,
  PilotStatus,
  PilotTask,
  PilotType,
  StandardKind,
  StandardLevel,
  StandardStage,
  TaskStatus,
  TechnicalStandard,
} from '../../proto/gen/bps/programme/v1/programme';
import { parseArgs } from '../../services/cli/args';
import { CliContext, cliConfigSchema, globalFlags, runCli } from '../../services/cli/cli';
import { enumFlag, parseDocArg, parseIndicatorArg, pilotActionFromFlags, programmeCommands } from '../../services/cli/commands/programme';
import { exitCodes } from '../../services/cli/exit-codes';
import { Backends } from '../../services/gateway/adapters/backends';
import { MAX_TEXT_LENGTH, PUBLIC_STAGES, programmeRoutes, withoutExpertNames } from '../../services/gateway/api/programme-routes';
import { GatewayHttpError } from '../../services/gateway/http/api';
import { buildOpenApi } from '../../services/gateway/http/openapi';
import { ProtoSchemas } from '../../services/gateway/http/proto-schema';
import { translator } from '../../services/gateway/web/i18n';
import type { PageContext } from '../../services/gateway/web/layout';
import {
  advanceStandardFromForm,
  applyForPilotFromForm,
  mayAdvanceStandard,
  nextStages,
  stagesFor,
  overviewPage,
  pilotActionFromForm,
  pilotActionsFor,
  pilotPage,
  pilotsListPage,
  evaluationsPage,
  proposeStandardFromForm,
  recordEvaluationFromForm,
  standardPage,
  standardsListPage,
} from '../../services/gateway/web/programme-pages';
import type { Identity } from '../../services/shared/auth/identity';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { loadConfig } from '../../services/shared/config/config';

const ctxAs = (who: PersonaName | undefined, lang: 'zh' | 'en' = 'zh'): PageContext => ({
  lang,
  t: translator(lang),
  identity: who ? (personas[who] as Identity) : undefined,
  url: '/programme',
  signInEnabled: true,
});

const actor = (who: PersonaName) => ({ subject: personas[who].subject, organisation: personas[who].organisation, roles: [...personas[who].roles] });

/** The 通武廊 regional-coordination pilot (Beijing 通州, Tianjin 武清, Hebei 廊坊) in a given status. */
const pilot = (status: PilotStatus, extra: object = {}): Pilot =>
  Pilot.fromPartial({
    pilotId: 'PIL-1',
    batchId: '2026-1',
    name: '通武廊基本公共服务标准化试点<script>',
    type: PilotType.PILOT_TYPE_REGIONAL_COORDINATION,
    periodStart: '2026-07',
    periodEnd: '2028-06',
    status,
    provinceCodes: ['110000', '120000', '130000'],
    localities: [
      { localityCode: '110112', localityName: '北京市通州区', provinceCode: '110000', applied: true },
      { localityCode: '120114', localityName: '天津市武清区', provinceCode: '120000', applied: true },
      { localityCode: '131000', localityName: '河北省廊坊市', provinceCode: '130000', applied: true },
    ],
    revision: 3,
    ...extra,
  } as unknown as Pilot);

const standard = (stage: StandardStage, extra: Partial<TechnicalStandard> = {}): TechnicalStandard =>
  TechnicalStandard.fromPartial({
    standardId: 'TS-1',
    title: '基本公共卫生服务 健康档案管理规范',
    level: StandardLevel.STANDARD_LEVEL_NATIONAL,
    mandatory: false,
    kind: StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY,
    itemCodes: ['HEA-01'],
    proposerOrganisation: 'NHC',
    stage,
    revision: 2,
    history: [{ stage: StandardStage.STANDARD_STAGE_PROPOSED, actor: actor('nhc-staff'), at: new Date('2026-01-05T02:00:00Z'), note: '立项' }],
    ...extra,
  });

describe('who sees which pilot action', () => {
  const cases: [PilotStatus, PersonaName, string[], object?][] = [
    [PilotStatus.PILOT_STATUS_SUBMITTED, 'beijing-programme-officer', ['screen']],
    [PilotStatus.PILOT_STATUS_SUBMITTED, 'guangdong-officer', []],
    [PilotStatus.PILOT_STATUS_SUBMITTED, 'tongzhou-officer', []],
    [PilotStatus.PILOT_STATUS_SUBMITTED, 'samr-officer', []],
    // A province screens once.
    [
      PilotStatus.PILOT_STATUS_SUBMITTED,
      'tianjin-programme-officer',
      [],
      { screenings: [{ provinceCode: '120000', recommended: true, opinion: '', slot: 1 }] },
    ],
    [PilotStatus.PILOT_STATUS_CANDIDATE, 'samr-officer', ['decideSelection']],
    [PilotStatus.PILOT_STATUS_CANDIDATE, 'ndrc-approver', ['decideSelection']],
    [PilotStatus.PILOT_STATUS_CANDIDATE, 'mof-approver', [], { selection: [{ organisation: 'MOF', selected: true, opinion: '' }] }],
    [PilotStatus.PILOT_STATUS_CANDIDATE, 'nhc-approver', []],
    [PilotStatus.PILOT_STATUS_PILOTING, 'tongzhou-officer', ['reportProgress', 'reportIncident', 'requestEvaluation']],
    [PilotStatus.PILOT_STATUS_PILOTING, 'hebei-programme-officer', ['reportIncident']],
    [PilotStatus.PILOT_STATUS_PILOTING, 'samr-officer', []],
    [PilotStatus.PILOT_STATUS_PILOTING, 'samr-officer', ['decideIncident'], { incidents: [{ description: '事故', decision: '' }] }],
    [PilotStatus.PILOT_STATUS_EVALUATION_REQUESTED, 'hebei-programme-officer', ['formExpertGroup']],
    [PilotStatus.PILOT_STATUS_EVALUATION_REQUESTED, 'langfang-officer', []],
    [PilotStatus.PILOT_STATUS_UNDER_EVALUATION, 'beijing-programme-officer', ['recordEvaluation']],
    [PilotStatus.PILOT_STATUS_EVALUATED, 'samr-officer', ['recheck', 'publishResults']],
    [
      PilotStatus.PILOT_STATUS_EVALUATED,
      'samr-officer',
      ['publishResults'],
      { evaluation: { experts: [], conclusion: 'PASS', recheckOutcome: 'CONFIRMED' } as never },
    ],
    [PilotStatus.PILOT_STATUS_PUBLISHED, 'samr-officer', []],
  ];
  it.each(cases)('%s: %s may %j', (status, who, expected, extra) => {
    expect(pilotActionsFor(personas[who] as Identity, pilot(status, extra))).toEqual(expected);
  });
  it('offers a visitor nothing', () => expect(pilotActionsFor(undefined, pilot(PilotStatus.PILOT_STATUS_SUBMITTED))).toEqual([]));
});

describe("a standard's stages", () => {
  it('moves one stage at a time (or 废止), and from 实施 to 复审 or 废止', () => {
    expect(nextStages(StandardStage.STANDARD_STAGE_PROPOSED)).toEqual([StandardStage.STANDARD_STAGE_DRAFTING, StandardStage.STANDARD_STAGE_WITHDRAWN]);
    expect(nextStages(StandardStage.STANDARD_STAGE_PUBLISHED)).toEqual([StandardStage.STANDARD_STAGE_IN_FORCE, StandardStage.STANDARD_STAGE_WITHDRAWN]);
    expect(nextStages(StandardStage.STANDARD_STAGE_IN_FORCE)).toEqual([StandardStage.STANDARD_STAGE_REVIEWED, StandardStage.STANDARD_STAGE_WITHDRAWN]);
    expect(nextStages(StandardStage.STANDARD_STAGE_WITHDRAWN)).toEqual([]);
  });
  it('is moved on by its proposer or SAMR while drafted, and published by its issuer (SAMR for national standards)', () => {
    const drafting = standard(StandardStage.STANDARD_STAGE_DRAFTING);
    expect(stagesFor(personas['nhc-staff'] as Identity, drafting)).toEqual([StandardStage.STANDARD_STAGE_CONSULTATION, StandardStage.STANDARD_STAGE_WITHDRAWN]);
    expect(mayAdvanceStandard(personas['samr-officer'] as Identity, drafting)).toBe(true);
    expect(mayAdvanceStandard(personas['moe-staff'] as Identity, drafting)).toBe(false);
    expect(mayAdvanceStandard(undefined, drafting)).toBe(false);
    const review = standard(StandardStage.STANDARD_STAGE_REVIEW);
    expect(stagesFor(personas['nhc-staff'] as Identity, review)).toEqual([StandardStage.STANDARD_STAGE_WITHDRAWN]);
    expect(stagesFor(personas['samr-officer'] as Identity, review)).toEqual([StandardStage.STANDARD_STAGE_PUBLISHED, StandardStage.STANDARD_STAGE_WITHDRAWN]);
    expect(stagesFor(personas['nhc-staff'] as Identity, standard(StandardStage.STANDARD_STAGE_IN_FORCE))).toEqual([]);
    const local = standard(StandardStage.STANDARD_STAGE_PUBLISHED, {
      level: StandardLevel.STANDARD_LEVEL_LOCAL,
      provinceCode: '110000',
      proposerOrganisation: '110000',
    });
    expect(stagesFor(personas['beijing-programme-officer'] as Identity, local)).toEqual([
      StandardStage.STANDARD_STAGE_IN_FORCE,
      StandardStage.STANDARD_STAGE_WITHDRAWN,
    ]);
    expect(stagesFor(personas['samr-officer'] as Identity, local)).toEqual([]);
  });
});

describe('forms as requests', () => {
  it('reads the 立项 form', () => {
    expect(
      proposeStandardFromForm({
        title: ' 健康档案管理规范 ',
        level: 'STANDARD_LEVEL_NATIONAL',
        kind: 'STANDARD_KIND_SERVICE_PROCESS_QUALITY',
        itemCodes: 'HEA-01, HEA-02、HEA-03',
        supportingMeasures: '配套措施 | https://example.gov.cn/m.pdf | AB12',
      }),
    ).toEqual({
      title: '健康档案管理规范',
      level: StandardLevel.STANDARD_LEVEL_NATIONAL,
      mandatory: false,
      kind: StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY,
      itemCodes: ['HEA-01', 'HEA-02', 'HEA-03'],
      provinceCode: '',
      supportingMeasures: [{ title: '配套措施', uri: 'https://example.gov.cn/m.pdf', digest: 'ab12', digestAlgorithm: 'sha256' }],
      revisesStandardId: '',
    });
  });
  it('reads the drafting checks leaving 起草, and the publication fields', () => {
    const r = advanceStandardFromForm('TS-1', {
      to: 'STANDARD_STAGE_CONSULTATION',
      expectedRevision: '2',
      demandSurvey: '需求调查 | https://e.gov.cn/s | 01',
      costEstimate: '经费测算 | https://e.gov.cn/c | 02',
      financeOrganisation: 'MOF',
      financeDocuments: '财政部意见 | https://e.gov.cn/f | 03',
      publishedOn: '2026-12-01',
    });
    expect(r).toMatchObject({
      standardId: 'TS-1',
      to: StandardStage.STANDARD_STAGE_CONSULTATION,
      expectedRevision: 2,
      demandSurvey: [{ title: '需求调查', digest: '01' }],
      costEstimate: [{ title: '经费测算' }],
      financeAgreement: { organisation: 'MOF', documents: [{ title: '财政部意见' }] },
      publishedOn: { year: 2026, month: 12, day: 1 },
      implementedOn: undefined,
    });
    expect(advanceStandardFromForm('TS-1', { to: 'STANDARD_STAGE_DRAFTING' }).financeAgreement).toBeUndefined();
  });
  it('refuses a date that does not exist, naming the field', () => {
    try {
      advanceStandardFromForm('TS-1', { to: 'STANDARD_STAGE_IN_FORCE', implementedOn: '2027-02-30' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GatewayHttpError);
      expect((e as GatewayHttpError).http.body.error.fieldViolations).toEqual([{ field: 'implementedOn', description: 'must be a calendar date YYYY-MM-DD' }]);
    }
  });
  it('reads a joint application', () => {
    const r = applyForPilotFromForm({
      batchId: '2026-1',
      name: '通武廊基本公共服务标准化试点',
      type: 'PILOT_TYPE_REGIONAL_COORDINATION',
      periodStart: '2026-07',
      periodEnd: '2028-06',
      localityCode: '110112',
      localityName: '北京市通州区',
      partnerLocalityCodes: '120114 131000',
      groundwork: 'g',
      majorIncidentInThreeYears: 'on',
    });
    expect(r.application).toMatchObject({
      type: PilotType.PILOT_TYPE_REGIONAL_COORDINATION,
      partnerLocalityCodes: ['120114', '131000'],
      majorIncidentInThreeYears: true,
      fieldCodes: [],
    });
  });
  it('reads each action form as its oneof member', () => {
    expect(pilotActionFromForm('screen', { recommend: 'yes', opinion: '同意' })).toEqual({ $case: 'screen', screen: { recommend: true, opinion: '同意' } });
    expect(pilotActionFromForm('screen', { recommend: 'no', opinion: '' })).toMatchObject({ screen: { recommend: false } });
    expect(pilotActionFromForm('formExpertGroup', { expertIds: ['E1', 'E2', ''] })).toEqual({
      $case: 'formExpertGroup',
      formExpertGroup: { expertIds: ['E1', 'E2'] },
    });
    expect(
      pilotActionFromForm('reportProgress', {
        [`task-${PilotTask.PILOT_TASK_SERVICE_INVENTORY}-status`]: 'TASK_STATUS_DONE',
        [`task-${PilotTask.PILOT_TASK_SERVICE_INVENTORY}-note`]: '清单已印发',
      }),
    ).toEqual({
      $case: 'reportProgress',
      reportProgress: {
        tasks: [{ task: PilotTask.PILOT_TASK_SERVICE_INVENTORY, status: TaskStatus.TASK_STATUS_DONE, note: '清单已印发', reportedAt: undefined }],
      },
    });
    expect(pilotActionFromForm('decideIncident', { decision: 'extend', extendedTo: '2029-06-30' })).toMatchObject({
      decideIncident: { cancel: false, extendedTo: { year: 2029, month: 6, day: 30 } },
    });
    expect(() => pilotActionFromForm('delete', {})).toThrow(GatewayHttpError);
  });
  it('reads an evaluation with its indicators', () => {
    expect(
      recordEvaluationFromForm({
        kind: 'EVALUATION_KIND_SATISFACTION_SURVEY',
        itemCode: 'HEA-01',
        provinceCode: '110000',
        period: '2026',
        sampleSize: '1200',
        satisfactionPercent: '86.4',
        indicators: '建档率 | 92.5 | %\n\n随访率|80|%',
        summary: 's',
      }),
    ).toMatchObject({
      kind: EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY,
      sampleSize: 1200,
      indicators: [
        { name: '建档率', value: '92.5', unit: '%' },
        { name: '随访率', value: '80', unit: '%' },
      ],
    });
    expect(recordEvaluationFromForm({ sampleSize: '12abc' }).sampleSize).toBe(0);
  });
});

describe('programme pages', () => {
  it('shows the drafting checks in the advance form to the proposer only, and the history', () => {
    const s = standard(StandardStage.STANDARD_STAGE_DRAFTING);
    const own = standardPage(ctxAs('nhc-staff'), s).value;
    expect(own).toContain('data-testid="advance-standard"');
    for (const name of ['demandSurvey', 'costEstimate', 'financeOrganisation', 'financeDocuments']) expect(own).toContain(`name="${name}"`);
    expect(own).toContain('value="STANDARD_STAGE_CONSULTATION"');
    expect(own).toContain('name="expectedRevision" value="2"');
    expect(own).toContain('nhc.staff.li');
    expect(standardPage(ctxAs('moe-staff'), s).value).not.toContain('data-testid="advance-standard"');
    // Not leaving drafting: no drafting documents asked for; publishing asks SAMR for the number.
    expect(standardPage(ctxAs('samr-officer'), standard(StandardStage.STANDARD_STAGE_REVIEW)).value).not.toContain('name="demandSurvey"');
    expect(standardPage(ctxAs('samr-officer'), standard(StandardStage.STANDARD_STAGE_REVIEW)).value).toContain('name="number"');
    expect(standardPage(ctxAs('nhc-staff'), standard(StandardStage.STANDARD_STAGE_REVIEW)).value).not.toContain('name="number"');
  });
  it('shows a visitor the deciding body but not the person', () => {
    const page = standardPage(ctxAs(undefined), standard(StandardStage.STANDARD_STAGE_IN_FORCE)).value;
    expect(page).toContain('国家卫生健康委');
    expect(page).not.toContain('nhc.staff.li');
    expect(page).not.toContain('<form method="post"');
  });
  it('renders a pilot escaped, with only the forms the person may use', () => {
    const p = pilot(PilotStatus.PILOT_STATUS_SUBMITTED);
    const page = pilotPage(ctxAs('beijing-programme-officer'), p).value;
    expect(page).not.toContain('<script>');
    expect(page).toContain('data-testid="act-screen"');
    expect(page).toContain('action="/programme/pilots/PIL-1/act/screen"');
    expect(page.match(/data-testid="act-/g)).toHaveLength(1);
    expect(page).toContain('北京市通州区');
    expect(pilotPage(ctxAs('tongzhou-officer'), p).value).not.toContain('data-testid="act-');
  });
  it('hides experts’ names from a visitor of a published pilot', () => {
    const p = pilot(PilotStatus.PILOT_STATUS_PUBLISHED, {
      evaluation: { experts: [{ expertId: 'E1', name: '王专家', affiliation: 'SAMR', nationalCommittee: true, fieldCodes: [] }], conclusion: 'PASS' } as never,
      history: [{ step: 'expert-group-formed', summary: '王专家（国家专家委员会）' }],
    });
    expect(pilotPage(ctxAs('samr-officer'), p).value).toContain('王专家');
    expect(pilotPage(ctxAs(undefined), p).value).not.toContain('王专家');
    expect(withoutExpertNames(p).evaluation?.experts[0]?.name).toBe('');
    expect(withoutExpertNames(p).history[0]?.summary).toBe('');
    expect(pilotPage(ctxAs(undefined), withoutExpertNames(p)).value).toContain('组建专家组');
  });
  it('shows the 2027 targets and, per category, the kinds missing', () => {
    const page = overviewPage(
      ctxAs('samr-officer'),
      [
        {
          code: 'standards',
          title: '国家标准和行业标准',
          target: 200,
          source: '国标委联〔2023〕61号',
          due: { year: 2027, month: 12, day: 31 },
          achieved: 50,
          inProgress: 10,
        },
      ],
      [
        {
          fieldCode: 'F21-HEALTH',
          fieldName: '病有所医',
          categoryCode: 'C21-PH',
          categoryName: '公共卫生服务',
          itemCount: 4,
          kinds: [{ kind: StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY, inForce: 1, inProgress: 2 }],
          missing: [StandardKind.STANDARD_KIND_FACILITY_EQUIPMENT],
          itemsWithoutStandard: ['HEA-02'],
        },
      ],
    ).value;
    expect(page).toContain('<progress max="200" value="50"');
    expect(page).toContain('25%');
    expect(page).toContain('data-kind="STANDARD_KIND_SERVICE_PROCESS_QUALITY">1 / 2<');
    expect(page).toMatch(/data-testid="missing"><span class="badge badge-bad">设施设备/);
    expect(page).toContain('href="/standards/items/HEA-02"');
    expect(page).toContain('<th scope="col">');
  });
  it('offers the 立项 form to a ministry and not to a locality', () => {
    const q = { level: '', stage: '', kind: '', item: '' };
    expect(standardsListPage(ctxAs('nhc-staff'), [], q).value).toContain('data-testid="propose-standard"');
    expect(standardsListPage(ctxAs('tongzhou-officer'), [], q).value).not.toContain('data-testid="propose-standard"');
    expect(standardsListPage(ctxAs(undefined), [], q).value).not.toContain('data-testid="propose-standard"');
  });
});

describe('programme lists and forms by who is looking', () => {
  const batch = { batchId: '2026-1', title: '2026年试点', applicationsClose: { year: 2026, month: 9, day: 30 }, candidatesPerProvince: 3 } as never;
  const q = { batch: '', status: '' };
  it('offers the application form to a city or county (its code filled in) and the open-batch form to SAMR only', () => {
    const tongzhou = pilotsListPage(ctxAs('tongzhou-officer'), [pilot(PilotStatus.PILOT_STATUS_SUBMITTED)], [batch], q).value;
    expect(tongzhou).toContain('data-testid="apply-pilot"');
    expect(tongzhou).toMatch(/id="localityCode" name="localityCode" type="text" readonly value="110112"/);
    expect(tongzhou).not.toContain('data-testid="open-batch"');
    const samr = pilotsListPage(ctxAs('samr-officer'), [], [batch], q).value;
    expect(samr).toContain('data-testid="open-batch"');
    expect(samr).not.toContain('data-testid="apply-pilot"');
    expect(pilotsListPage(ctxAs('beijing-programme-officer'), [], [batch], q).value).not.toMatch(/data-testid="(open-batch|apply-pilot)"/);
    // Grouped by batch, escaped.
    expect(tongzhou).toContain('data-testid="pilots" data-batch="2026-1"');
    expect(tongzhou).not.toContain('<script>');
    expect(pilotsListPage(ctxAs(undefined), [], [batch], { batch: '', status: '', province: '120000' }).value).toContain('<option value="120000" selected>');
  });
  it('offers the evaluation form to provinces, ministries and programme officers, not to localities or visitors', () => {
    const q2 = { item: '', province: '', kind: '' };
    expect(evaluationsPage(ctxAs('beijing-programme-officer'), [], q2).value).toContain('data-testid="record-evaluation"');
    expect(evaluationsPage(ctxAs('nhc-staff'), [], q2).value).toContain('data-testid="record-evaluation"');
    expect(evaluationsPage(ctxAs('tongzhou-officer'), [], q2).value).not.toContain('data-testid="record-evaluation"');
    expect(evaluationsPage(ctxAs(undefined), [], q2).value).not.toContain('data-testid="record-evaluation"');
  });
  it('renders every page in English too', () => {
    const en = ctxAs('samr-officer', 'en');
    expect(overviewPage(en, [], []).value).toContain('Progress towards the 2027 targets');
    expect(standardsListPage(en, [standard(StandardStage.STANDARD_STAGE_REVIEW)], { level: '', stage: '', kind: '', item: '' }).value).toContain('Review');
    expect(standardPage(en, standard(StandardStage.STANDARD_STAGE_REVIEW)).value).toContain('(GB/T, recommended)');
    expect(pilotPage(en, pilot(PilotStatus.PILOT_STATUS_EVALUATED)).value).toContain('National spot re-check');
    expect(pilotsListPage(en, [], [batch], q).value).toContain('Open a call for applications');
    expect(evaluationsPage(en, [], { item: '', province: '', kind: '' }).value).toContain('Record an evaluation');
  });
});

describe('programme JSON routes', () => {
  const schemas = new ProtoSchemas();
  const routes = programmeRoutes(
    new Backends({ registry: 'x:1', proposals: 'x:1', approvals: 'x:1', notifications: 'x:1', audit: 'x:1', programme: 'x:1' }),
    schemas,
  );
  it('keeps every write signed-in and reads public except the experts', () => {
    for (const r of routes) {
      if (r.method !== 'GET') expect([r.url, r.auth]).toEqual([r.url, true]);
      else expect([r.url, r.auth]).toEqual([r.url, r.url.endsWith('/experts') ? true : 'public']);
    }
  });
  it('documents every route with its schemas, request ids left to the Idempotency-Key header', () => {
    const doc = buildOpenApi(routes, schemas.all(), { version: 't' }) as any;
    expect(Object.keys(doc.paths)).toHaveLength(12);
    const propose = doc.paths['/api/v1/programme/standards'].post;
    const body = propose.requestBody.content['application/json'].schema;
    expect(body.properties.requestId).toBeUndefined();
    expect(body.required).toEqual(['title', 'level', 'kind', 'itemCodes']);
    const act = doc.paths['/api/v1/programme/pilots/{pilotId}/actions'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(act.properties)).toHaveLength(10);
    expect([act.minProperties, act.maxProperties]).toEqual([1, 1]);
    // Free text is bounded before the service looks anything up (an oversized opinion is a 400, not a 404).
    expect(act.properties.screen.properties.opinion.maxLength).toBe(MAX_TEXT_LENGTH);
    expect(body.properties.title.maxLength).toBe(MAX_TEXT_LENGTH);
    expect(body.properties.level.maxLength).toBeUndefined();
  });
  it('shows visitors published standards only', () => {
    expect(PUBLIC_STAGES.has(StandardStage.STANDARD_STAGE_IN_FORCE)).toBe(true);
    expect(PUBLIC_STAGES.has(StandardStage.STANDARD_STAGE_CONSULTATION)).toBe(false);
  });
});

describe('bps programme', () => {
  const ctxFor = (argv: string[]) => {
    const cmd = programmeCommands.find((c) => c.path[1] === 'act-pilot')!;
    return new CliContext(parseArgs(argv, { ...cmd.flags, ...globalFlags }), loadConfig(cliConfigSchema, {}), { out: () => undefined, err: () => undefined });
  };
  it('reads enum flags, documents and indicators', () => {
    expect(enumFlag(undefined, { a: 1 }, '--x')).toBe(0);
    expect(enumFlag('a', { a: 1 }, '--x')).toBe(1);
    expect(() => enumFlag('b', { a: 1 }, '--x')).toThrow('--x must be one of a');
    expect(parseDocArg('调查|https://e.gov.cn/s|AB', '--doc')).toEqual({ title: '调查', uri: 'https://e.gov.cn/s', digest: 'ab', digestAlgorithm: 'sha256' });
    expect(() => parseDocArg('only a title', '--doc')).toThrow('--doc takes');
    expect(parseIndicatorArg('覆盖率=95.5%')).toEqual({ name: '覆盖率', value: '95.5', unit: '%' });
    expect(() => parseIndicatorArg('覆盖率')).toThrow('name=value');
  });
  it('builds each step from its flags', () => {
    expect(pilotActionFromFlags('screen', ctxFor(['--recommend', 'yes', '--opinion', '同意']))).toEqual({
      $case: 'screen',
      screen: { recommend: true, opinion: '同意' },
    });
    expect(() => pilotActionFromFlags('screen', ctxFor(['--recommend', 'maybe']))).toThrow('--recommend must be yes or no');
    expect(pilotActionFromFlags('form-expert-group', ctxFor(['--expert', 'E1', '--expert', 'E2,E3']))).toEqual({
      $case: 'formExpertGroup',
      formExpertGroup: { expertIds: ['E1', 'E2', 'E3'] },
    });
    expect(pilotActionFromFlags('report-progress', ctxFor(['--task', 'service-inventory=done:印发', '--task', 'data-reporting=in-progress']))).toEqual({
      $case: 'reportProgress',
      reportProgress: {
        tasks: [
          { task: PilotTask.PILOT_TASK_SERVICE_INVENTORY, status: TaskStatus.TASK_STATUS_DONE, note: '印发', reportedAt: undefined },
          { task: PilotTask.PILOT_TASK_DATA_REPORTING, status: TaskStatus.TASK_STATUS_IN_PROGRESS, note: '', reportedAt: undefined },
        ],
      },
    });
    expect(pilotActionFromFlags('recheck', ctxFor(['--outcome', 'confirmed']))).toEqual({ $case: 'recheck', recheck: { outcome: 'CONFIRMED', note: '' } });
    expect(() => pilotActionFromFlags('promote', ctxFor([]))).toThrow('the step must be one of');
  });
  it('answers usage errors with exit 2 before calling anything', async () => {
    const err: string[] = [];
    const run = (argv: string[]) =>
      runCli(argv, programmeCommands, { BPS_TOKEN: 'x', PROGRAMME_GRPC_ADDRESS: '127.0.0.1:9' }, { out: () => undefined, err: (t) => err.push(t) });
    expect(await run(['programme', 'standards', '--stage', 'bogus'])).toBe(exitCodes.usage);
    expect(await run(['programme', 'act-pilot', 'PIL-1'])).toBe(exitCodes.usage);
    expect(await run(['programme', 'open-batch', '2026-1', '--title', 't', '--closes', '2026-02-30'])).toBe(exitCodes.usage);
    expect(await run(['programme', 'propose-standard', '--title', 't', '--level', 'national', '--kind', 'process'])).toBe(exitCodes.usage);
    expect(err.join('\n')).toContain('--item is required');
  });
});
