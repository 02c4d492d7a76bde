// The standardisation programme end to end against the real stack (issue #18): a 通武廊 regional-coordination pilot
// from its joint application to published results — a mismatched partner application refused, Beijing's fourth
// candidate of the batch refused, a 4-person expert group and a group with an expert from a piloting locality
// refused — a GB/T standard from 立项 to 实施 linked to its items with the seed-004 drafting checks, and a
// satisfaction survey; every step an event on bps.programme.v1 and a record in the audit trail.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient } from '../../proto/gen/bps/audit/v1/audit';
import {
  EvaluationKind,
  PilotStatus,
  PilotTask,
  PilotType,
  ProgrammeClient,
  StandardKind,
  StandardLevel,
  StandardStage,
  TaskStatus,
  type PilotApplication,
} from '../../proto/gen/bps/programme/v1/programme';
import { StandardRegistryClient } from '../../proto/gen/bps/registry/v1/registry';
import type { Identity } from '../../services/shared/auth/identity';
import { personas, type PersonaName } from '../../services/shared/auth/personas';
import { unary } from '../../services/shared/grpc/client';
import { refusal } from '../support/grpc';
import { registerIdentity } from '../support/identity';
import { loseWorkflow, openedHistory } from '../support/temporal';
import { startPlatform, type StartedPlatform } from '../support/platform';

const doc = (title: string) => ({ title, uri: `https://example.gov.cn/${encodeURIComponent(title)}.pdf`, digest: 'a'.repeat(64), digestAlgorithm: 'sha256' });
const ymd = (iso: string) => {
  const [year, month, day] = iso.split('-').map(Number);
  return { year: year!, month: month!, day: day! };
};

function application(locality: string, name: string, partners: string[], over: Partial<PilotApplication> = {}): PilotApplication {
  return {
    name: '通武廊基本公共服务标准化试点',
    type: PilotType.PILOT_TYPE_REGIONAL_COORDINATION,
    periodStart: '2024-01',
    periodEnd: '2025-12',
    fieldCodes: [],
    localityCode: locality,
    localityName: name,
    partnerLocalityCodes: partners,
    groundwork: '三地已建立基本公共服务协同机制',
    policyAndFundingSupport: '三地财政每年安排专项经费',
    majorIncidentInThreeYears: false,
    goals: '设施配置、人员配备和服务质量大体一致',
    workPlan: '2024年建立标准目录；2025年组织实施并自查',
    funding: '地方财政',
    documents: [doc(`${name}试点申请表`)],
    ...over,
  };
}

describe('standardisation programme (issue #18)', { timeout: 240_000 }, () => {
  let p: StartedPlatform<'registry' | 'programme' | 'audit'>;
  let client: ProgrammeClient;
  let registry: StandardRegistryClient;
  const as = async (who: PersonaName | Identity) => p.token(who);
  const call =
    <Req, Res>(method: (r: Req, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown) =>
    async (who: PersonaName | Identity, request: Req): Promise<Res> =>
      unary(method.bind(client) as never, request, await as(who)) as Promise<Res>;

  beforeAll(async () => {
    p = await startPlatform('programme', { services: ['registry', 'programme', 'audit'], collect: ['programme'] });
    client = new ProgrammeClient(p.address('programme'), grpc.credentials.createInsecure());
    registry = new StandardRegistryClient(p.address('registry'), grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    registry?.close();
    await p?.stop();
  });

  it('runs a regional-coordination pilot from joint application to published evaluation', async () => {
    const apply = call(client.applyForPilot);
    const act = call(client.actOnPilot);
    const batch = await call(client.openPilotBatch)('samr-officer', {
      batchId: 'B2024-1',
      title: '2024年国家基本公共服务标准化试点',
      applicationsClose: ymd('2099-12-31'),
    });
    expect(batch.batch?.candidatesPerProvince).toBe(3);
    // Only SAMR opens a call.
    expect(
      (await refusal(call(client.openPilotBatch)('beijing-programme-officer', { batchId: 'X', title: 'x', applicationsClose: ymd('2099-12-31') }))).reason,
    ).toBe('NOT_SAMR');

    // 通州 opens the joint application; 武清 and 廊坊 join it with the identical name, period and type.
    const opened = await apply('tongzhou-officer', { batchId: 'B2024-1', application: application('110112', '北京市通州区', ['120114', '131000']) });
    const pilotId = opened.pilot!.pilotId;
    expect(opened.pilot?.status).toBe(PilotStatus.PILOT_STATUS_APPLYING);
    expect(opened.pilot?.provinceCodes.sort()).toEqual(['110000', '120000', '130000']);
    // A partner stating another period is refused, naming what differs (seed 003 art. 9).
    const mismatch = await refusal(
      apply('wuqing-officer', { batchId: 'B2024-1', application: application('120114', '天津市武清区', ['110112', '131000'], { periodEnd: '2026-06' }) }),
    );
    expect(mismatch.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(mismatch.fieldViolations?.[0]?.description).toMatch(/periodEnd/);
    // Nobody files for another locality.
    expect(
      (await refusal(apply('langfang-officer', { batchId: 'B2024-1', application: application('120114', '天津市武清区', ['110112', '131000']) }))).code,
    ).toBe(grpc.status.PERMISSION_DENIED);
    await apply('wuqing-officer', { batchId: 'B2024-1', application: application('120114', '天津市武清区', ['110112', '131000']) });
    const joined = await apply('langfang-officer', { batchId: 'B2024-1', application: application('131000', '河北省廊坊市', ['110112', '120114']) });
    expect(joined.pilot?.pilotId).toBe(pilotId);
    expect(joined.pilot?.status).toBe(PilotStatus.PILOT_STATUS_SUBMITTED);

    // Each province screens; 广东 is not concerned.
    expect((await refusal(act('guangdong-officer', { pilotId, action: { $case: 'screen', screen: { recommend: true, opinion: '同意' } } }))).code).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    for (const who of ['beijing-programme-officer', 'tianjin-programme-officer'] as const) {
      await act(who, { pilotId, action: { $case: 'screen', screen: { recommend: true, opinion: '符合条件，同意推荐' } } });
    }
    const candidate = await act('hebei-programme-officer', {
      pilotId,
      action: { $case: 'screen', screen: { recommend: true, opinion: '符合条件，同意推荐' } },
    });
    expect(candidate.pilot?.status).toBe(PilotStatus.PILOT_STATUS_CANDIDATE);
    expect(candidate.pilot?.screenings.map((s) => [s.provinceCode, s.slot])).toEqual([
      ['110000', 1],
      ['120000', 1],
      ['130000', 1],
    ]);

    // Beijing sends two more candidates (places 2 and 3); its fourth is refused (art. 10: 一般不超过3个).
    const beijingPilot = async (code: string, district: string, n: string) => {
      const officer = registerIdentity({ subject: `bj.${code}.officer`, name: `${district}人民政府`, organisation: code, roles: ['locality-officer'] });
      const res = await apply(officer, {
        batchId: 'B2024-1',
        application: application(code, district, [], { name: `${district}${n}基本公共服务标准化试点`, type: PilotType.PILOT_TYPE_COMPREHENSIVE }),
      });
      return res.pilot!.pilotId;
    };
    const others = [
      await beijingPilot('110105', '北京市朝阳区', ''),
      await beijingPilot('110108', '北京市海淀区', ''),
      await beijingPilot('110106', '北京市丰台区', ''),
    ];
    for (const id of others.slice(0, 2))
      await act('beijing-programme-officer', { pilotId: id, action: { $case: 'screen', screen: { recommend: true, opinion: '推荐' } } });
    const fourth = await refusal(
      act('beijing-programme-officer', { pilotId: others[2]!, action: { $case: 'screen', screen: { recommend: true, opinion: '推荐' } } }),
    );
    expect(fourth.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(fourth.reason).toBe('PROVINCE_QUOTA_EXCEEDED');
    expect((await call(client.getPilot)('samr-officer', { pilotId: others[2]! })).pilot?.status).toBe(PilotStatus.PILOT_STATUS_SUBMITTED);
    // Declining it costs no place.
    expect(
      (await act('beijing-programme-officer', { pilotId: others[2]!, action: { $case: 'screen', screen: { recommend: false, opinion: '名额已满' } } })).pilot
        ?.status,
    ).toBe(PilotStatus.PILOT_STATUS_NOT_RECOMMENDED);

    // SAMR, NDRC and MOF select it jointly; SAMR states the term (past here, so the evaluation can be requested).
    const select = (who: PersonaName, termStart?: string, termEnd?: string) =>
      act(who, {
        pilotId,
        action: {
          $case: 'decideSelection',
          decideSelection: { select: true, opinion: '同意', termStart: termStart ? ymd(termStart) : undefined, termEnd: termEnd ? ymd(termEnd) : undefined },
        },
      });
    expect((await refusal(select('samr-officer'))).fieldViolations?.[0]?.reason).toBe('TERM_REQUIRED');
    await select('ndrc-approver');
    await select('mof-approver');
    const selected = await select('samr-officer', '2024-01-01', '2025-12-31');
    expect(selected.pilot?.status).toBe(PilotStatus.PILOT_STATUS_PILOTING);
    expect(selected.pilot?.tasks.map((t) => t.task)).toEqual([
      PilotTask.PILOT_TASK_COORDINATION_MECHANISM,
      PilotTask.PILOT_TASK_SERVICE_INVENTORY,
      PilotTask.PILOT_TASK_STANDARD_CATALOGUE,
      PilotTask.PILOT_TASK_IMPLEMENTATION_MECHANISM,
      PilotTask.PILOT_TASK_DATA_REPORTING,
    ]);

    // Data reports against the five tasks; an incident extends the term.
    const reported = await act('wuqing-officer', {
      pilotId,
      action: {
        $case: 'reportProgress',
        reportProgress: {
          tasks: [
            { task: PilotTask.PILOT_TASK_COORDINATION_MECHANISM, status: TaskStatus.TASK_STATUS_DONE, note: '三地联席会议制度已建立', reportedAt: undefined },
            { task: PilotTask.PILOT_TASK_DATA_REPORTING, status: TaskStatus.TASK_STATUS_IN_PROGRESS, note: '数据库建设中', reportedAt: undefined },
          ],
        },
      },
    });
    expect(reported.pilot?.tasks.find((t) => t.task === PilotTask.PILOT_TASK_COORDINATION_MECHANISM)?.status).toBe(TaskStatus.TASK_STATUS_DONE);
    await act('langfang-officer', {
      pilotId,
      action: { $case: 'reportIncident', reportIncident: { description: '某养老机构发生安全事故', occurredOn: ymd('2025-03-02') } },
    });
    expect((await refusal(act('tongzhou-officer', { pilotId, action: { $case: 'requestEvaluation', requestEvaluation: { note: '' } } }))).reason).toBe(
      'INCIDENT_UNDECIDED',
    );
    const extended = await act('samr-officer', {
      pilotId,
      action: { $case: 'decideIncident', decideIncident: { cancel: false, extendedTo: ymd('2026-06-30'), note: '延长半年整改' } },
    });
    expect(extended.pilot?.termEnd).toEqual(ymd('2026-06-30'));
    await act('tongzhou-officer', { pilotId, action: { $case: 'requestEvaluation', requestEvaluation: { note: '试点期满，申请评估' } } });

    // The expert group: at least 5, at least 2 from the national committee, nobody from a piloting locality.
    const expert = async (name: string, affiliation: string, national: boolean) =>
      (
        await call(client.registerExpert)(national ? 'samr-officer' : 'beijing-programme-officer', {
          name,
          affiliation,
          nationalCommittee: national,
          fieldCodes: [],
        })
      ).expert!.expertId;
    const n1 = await expert('全国委员甲', 'CNIS', true);
    const n2 = await expert('全国委员乙', 'SAMR', true);
    const b1 = await expert('北京专家丙', '110101', false);
    const b2 = await expert('北京专家丁', '110102', false);
    const b3 = await expert('北京专家戊', '110115', false);
    const fromTongzhou = await expert('通州专家己', '110112', false);
    const form = (ids: string[]) => act('beijing-programme-officer', { pilotId, action: { $case: 'formExpertGroup', formExpertGroup: { expertIds: ids } } });
    const four = await refusal(form([n1, n2, b1, b2]));
    expect([four.code, four.reason]).toEqual([grpc.status.FAILED_PRECONDITION, 'EXPERT_GROUP_TOO_SMALL']);
    expect((await refusal(form([n1, b1, b2, b3, fromTongzhou]))).reason).toBe('TOO_FEW_NATIONAL_COMMITTEE_EXPERTS');
    expect((await refusal(form([n1, n2, b1, b2, fromTongzhou]))).reason).toBe('EXPERT_FROM_PILOT_LOCALITY');
    expect((await refusal(form([n1, n2, b1, b2, 'EX-NOPE']))).code).toBe(grpc.status.INVALID_ARGUMENT);
    const formed = await form([n1, n2, b1, b2, b3]);
    expect(formed.pilot?.status).toBe(PilotStatus.PILOT_STATUS_UNDER_EVALUATION);
    expect(formed.pilot?.evaluation?.experts).toHaveLength(5);

    // Scoring and report, national re-check, publication.
    await act('tianjin-programme-officer', {
      pilotId,
      action: {
        $case: 'recordEvaluation',
        recordEvaluation: { conclusion: 'PASS', score: '92', summary: '五项任务全部完成', report: [doc('通武廊试点评估报告')] },
      },
    });
    expect((await refusal(act('beijing-programme-officer', { pilotId, action: { $case: 'publishResults', publishResults: { note: '' } } }))).reason).toBe(
      'NOT_SAMR',
    );
    await act('samr-officer', { pilotId, action: { $case: 'recheck', recheck: { outcome: 'CONFIRMED', note: '抽查复核无异议' } } });
    const published = await act('samr-officer', { pilotId, action: { $case: 'publishResults', publishResults: { note: '向社会公布' } } });
    expect(published.pilot?.status).toBe(PilotStatus.PILOT_STATUS_PUBLISHED);
    expect(published.pilot?.evaluation?.conclusion).toBe('PASS');
    // Closed: nothing more is recorded.
    expect((await refusal(act('samr-officer', { pilotId, action: { $case: 'publishResults', publishResults: { note: '' } } }))).reason).toBe('PILOT_CLOSED');

    // Every step is an event on the programme topic, in order, and the pilot counts towards the 80-pilot target.
    // The events leave through the outbox after the call returns: wait for the last, then the barrier.
    await p.collector!.waitFor((e) => e.key === pilotId && e.type === 'bps.programme.pilot.published', 'the pilot published');
    await p.settle('programme', pilotId);
    const steps = p
      .collector!.events.filter((e) => e.key === pilotId && e.type.startsWith('bps.programme.pilot.'))
      .map((e) => e.type.replace('bps.programme.pilot.', ''));
    expect(steps).toEqual([
      'applied',
      'joined',
      'joined',
      'submitted',
      'screened',
      'screened',
      'screened',
      'candidate',
      'selection-decided',
      'selection-decided',
      'selection-decided',
      'selected',
      'progress-reported',
      'incident-reported',
      'extended',
      'evaluation-requested',
      'expert-group-formed',
      'evaluated',
      'rechecked',
      'published',
    ]);
    const progress = await call(client.getProgrammeProgress)('auditor', {});
    expect(progress.targets.find((t) => t.code === 'PILOTS_2027')).toMatchObject({ target: 80, achieved: 1 });

    // Published, the pilot's workflow has completed; its history is the replay fixture of programme-replay.int.
    const handle = p.temporal!.client.workflow.getHandle(`${p.namespace}/${pilotId}`);
    expect(await handle.result()).toMatchObject({ status: 'PUBLISHED' });
    if (process.env['BPS_RECORD_FIXTURES'] === '1') {
      writeFileSync(
        fileURLToPath(new URL('../fixtures/pilot-history.json', import.meta.url)),
        JSON.stringify(await openedHistory(await handle.fetchHistory()), null, 1),
      );
    }

    // Every refusal of a rule is on record (bps.access.refused on the programme topic, for the audit service).
    await expect
      .poll(() => p.collector!.received('bps.access.refused').map((e) => e.data.reason), { timeout: 15_000 })
      .toEqual(
        expect.arrayContaining([
          'PROVINCE_QUOTA_EXCEEDED',
          'EXPERT_GROUP_TOO_SMALL',
          'EXPERT_FROM_PILOT_LOCALITY',
          'TOO_FEW_NATIONAL_COMMITTEE_EXPERTS',
          'NOT_SAMR',
        ]),
      );
    // The audit trail holds the pilot's own hash-chained log: every step, and the refusals of its rules.
    const audit = new AuditClient(p.address('audit'), grpc.credentials.createInsecure());
    try {
      const verify = async () => unary(audit.verify.bind(audit), { log: `pilot:${pilotId}`, checkpoints: [], full: true }, await as('auditor'));
      // 20 steps, and refusals naming the pilot (mismatch, quota is another pilot's, select without a term, …).
      await expect.poll(async () => Number((await verify()).size), { timeout: 30_000 }).toBeGreaterThanOrEqual(25);
      expect((await verify()).ok).toBe(true);
    } finally {
      audit.close();
    }
  });

  it('resumes a pilot whose workflow Temporal lost (a restore without its history) from the recorded pilot', async () => {
    await call(client.openPilotBatch)('samr-officer', { batchId: 'B-RESUME', title: '恢复测试批次', applicationsClose: ymd('2099-12-31') });
    const officer = registerIdentity({ subject: 'bj.110114.officer', name: '北京市昌平区人民政府', organisation: '110114', roles: ['locality-officer'] });
    const applied = await call(client.applyForPilot)(officer, {
      batchId: 'B-RESUME',
      application: application('110114', '北京市昌平区', [], { name: '昌平区基本公共服务标准化试点', type: PilotType.PILOT_TYPE_COMPREHENSIVE }),
    });
    const pilotId = applied.pilot!.pilotId;
    await p.collector!.waitFor((e) => e.key === pilotId && e.type === 'bps.programme.pilot.applied', 'the pilot applied');
    const workflowId = `${p.namespace}/${pilotId}`;
    const temporal = p.temporal!;
    await loseWorkflow(temporal.client, workflowId);

    const screened = await call(client.actOnPilot)('beijing-programme-officer', {
      pilotId,
      action: { $case: 'screen', screen: { recommend: true, opinion: '同意推荐' } },
    });
    expect(screened.pilot?.status).toBe(PilotStatus.PILOT_STATUS_CANDIDATE);
    expect(screened.pilot?.history.map((h) => h.step)).toEqual(['applied', 'submitted', 'screened', 'candidate']);
    await p.collector!.waitForId(`${pilotId}:4`);
    await p.settle('programme', pilotId);
    const steps = p.collector!.events.filter((e) => e.key === pilotId && e.type.startsWith('bps.programme.pilot.'));
    expect(steps.map((e) => [e.type.replace('bps.programme.pilot.', ''), e.id])).toEqual([
      ['applied', `${pilotId}:1`],
      ['submitted', `${pilotId}:2`],
      ['screened', `${pilotId}:3`],
      ['candidate', `${pilotId}:4`],
    ]);
  });

  it('takes a GB/T standard from 立项 to 实施 linked to its items, with the seed-004 checks', async () => {
    const propose = call(client.proposeStandard);
    const advance = call(client.advanceStandard);
    const base = {
      title: '基本公共卫生服务 健康档案管理规范',
      level: StandardLevel.STANDARD_LEVEL_NATIONAL,
      mandatory: false,
      kind: StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY,
      itemCodes: ['HEA-01', 'HEA-02'],
      provinceCode: '',
      supportingMeasures: [doc('国家基本公共卫生服务规范')],
      revisesStandardId: '',
    };
    // Not on the list → refused; another ministry → refused; no supporting measures → refused.
    const notOnList = await refusal(propose('nhc-staff', { ...base, itemCodes: ['HEA-01', 'NOPE-99'] }));
    expect([notOnList.code, notOnList.reason]).toEqual([grpc.status.FAILED_PRECONDITION, 'ITEM_NOT_ON_LIST']);
    expect((await refusal(propose('moe-staff', base))).reason).toBe('NOT_THE_PROPOSING_DEPARTMENT');
    expect((await refusal(propose('nhc-staff', { ...base, supportingMeasures: [] }))).reason).toBe('SUPPORTING_MEASURES_REQUIRED');

    const proposed = (await propose('nhc-staff', base)).standard!;
    expect(proposed.stage).toBe(StandardStage.STANDARD_STAGE_PROPOSED);
    const item = await unary(registry.getItem.bind(registry), { itemCode: 'HEA-01', asOf: undefined, provinceCode: '' }, await as('auditor'));
    expect(proposed.fieldCodes).toEqual([item.national!.item!.fieldCode]);
    const id = proposed.standardId;
    const move = (who: PersonaName, to: StandardStage, extra: object = {}) =>
      advance(who, {
        standardId: id,
        to,
        expectedRevision: 0,
        note: '',
        demandSurvey: [],
        costEstimate: [],
        financeAgreement: undefined,
        number: '',
        issuingBody: '',
        publishedOn: undefined,
        implementedOn: undefined,
        ...extra,
      });
    await move('nhc-staff', StandardStage.STANDARD_STAGE_DRAFTING);
    // Skipping a stage is refused.
    expect((await refusal(move('nhc-staff', StandardStage.STANDARD_STAGE_REVIEW))).reason).toBe('STAGE_NOT_NEXT');
    // Seed 004 §五: no draft leaves 起草 without the survey, the estimate and the finance department's agreement.
    const missing = await refusal(move('nhc-staff', StandardStage.STANDARD_STAGE_CONSULTATION, { demandSurvey: [doc('公众需求调查报告')] }));
    expect(missing.reason).toBe('DRAFTING_CHECKS_INCOMPLETE');
    expect(missing.preconditionViolations?.[0]?.description).toMatch(/财政经费测算/);
    const wrongLevel = await refusal(
      move('nhc-staff', StandardStage.STANDARD_STAGE_CONSULTATION, {
        demandSurvey: [doc('公众需求调查报告')],
        costEstimate: [doc('财政经费测算')],
        financeAgreement: { organisation: '110000', documents: [doc('北京市财政局意见')] },
      }),
    );
    expect(wrongLevel.reason).toBe('DRAFTING_CHECKS_INCOMPLETE');
    await move('nhc-staff', StandardStage.STANDARD_STAGE_CONSULTATION, {
      demandSurvey: [doc('公众需求调查报告')],
      costEstimate: [doc('财政经费测算')],
      financeAgreement: { organisation: 'MOF', documents: [doc('财政部意见')] },
    });
    await move('nhc-staff', StandardStage.STANDARD_STAGE_REVIEW);
    // SAMR publishes national standards; the number must be a GB/T one.
    expect(
      (
        await refusal(
          move('nhc-staff', StandardStage.STANDARD_STAGE_PUBLISHED, {
            number: 'GB/T 46001—2026',
            issuingBody: '市场监管总局 国家标准委',
            publishedOn: ymd('2026-05-01'),
          }),
        )
      ).reason,
    ).toBe('NOT_THE_RESPONSIBLE_DEPARTMENT');
    expect(
      (
        await refusal(
          move('samr-officer', StandardStage.STANDARD_STAGE_PUBLISHED, {
            number: 'GB 46001—2026',
            issuingBody: '市场监管总局',
            publishedOn: ymd('2026-05-01'),
          }),
        )
      ).code,
    ).toBe(grpc.status.INVALID_ARGUMENT);
    await move('samr-officer', StandardStage.STANDARD_STAGE_PUBLISHED, {
      number: 'GB/T 46001—2026',
      issuingBody: '市场监管总局 国家标准委',
      publishedOn: ymd('2026-05-01'),
    });
    const inForce = (await move('samr-officer', StandardStage.STANDARD_STAGE_IN_FORCE, { implementedOn: ymd('2026-11-01') })).standard!;
    expect(inForce.stage).toBe(StandardStage.STANDARD_STAGE_IN_FORCE);
    expect(inForce.history.map((h) => h.stage)).toEqual([1, 2, 3, 4, 5, 6]);

    // Linked to its items: listed by item, counted in coverage and in the 2027 target.
    const byItem = await call(client.listStandards)('auditor', { itemCode: 'HEA-02', level: 0, stage: 0, fieldCode: '', kind: 0 });
    expect(byItem.standards.map((s) => s.number)).toEqual(['GB/T 46001—2026']);
    const cov = await call(client.getCoverage)('auditor', {});
    const category = cov.categories.find(
      (c) => c.categoryCode !== '' && c.kinds.some((k) => k.kind === StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY && k.inForce === 1),
    );
    expect(category?.missing).toContain(StandardKind.STANDARD_KIND_FACILITY_EQUIPMENT);
    expect(category?.missing).not.toContain(StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY);
    expect(cov.categories.length).toBe(22);
    const progress = await call(client.getProgrammeProgress)('auditor', {});
    expect(progress.targets.find((t) => t.code === 'STANDARDS_2027')).toMatchObject({ target: 200, achieved: 1 });

    await p.collector!.waitFor((e) => e.key === id && e.type === 'bps.programme.standard.in-force', 'the standard in force');
    await p.settle('programme', id);
    expect(p.collector!.events.filter((e) => e.key === id && e.type.startsWith('bps.programme.')).map((e) => e.type)).toEqual(
      ['proposed', 'drafting', 'consultation', 'review', 'published', 'in-force'].map((s) => `bps.programme.standard.${s}`),
    );
  });

  it('records a satisfaction survey for a province, refusing one for another province or with a bad rate', async () => {
    const record = call(client.recordEvaluation);
    const survey = {
      kind: EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY,
      itemCode: 'HEA-01',
      provinceCode: '110000',
      period: '2025',
      method: '入户抽样调查',
      sampleSize: 3000,
      satisfactionPercent: '86.4',
      indicators: [],
      summary: '居民对健康档案服务总体满意',
      documents: [doc('北京市2025年基本公共卫生服务满意度调查报告')],
    };
    expect((await refusal(record('guangdong-officer', survey))).reason).toBe('NOT_THE_EVALUATING_DEPARTMENT');
    const bad = await refusal(record('beijing-programme-officer', { ...survey, satisfactionPercent: '120' }));
    expect(bad.fieldViolations?.map((v) => v.field)).toContain('satisfaction_percent');
    const recorded = (await record('beijing-programme-officer', survey)).evaluation!;
    const item = await unary(registry.getItem.bind(registry), { itemCode: 'HEA-01', asOf: undefined, provinceCode: '' }, await as('auditor'));
    expect(recorded.fieldCode).toBe(item.national!.item!.fieldCode);
    const event = await p.collector!.waitFor(
      (e) => e.key === recorded.evaluationId && e.type === 'bps.programme.evaluation.recorded',
      'the evaluation recorded',
    );
    expect(p.collector!.received('bps.programme.evaluation.recorded', recorded.evaluationId).map((e) => e.id)).toEqual([event.id]);
    expect(p.collector!.received('bps.programme.evaluation.recorded', recorded.evaluationId)[0]?.data.evaluation.satisfactionPercent).toBe('86.4');
    expect(personas['beijing-programme-officer'].organisation).toBe('110000');
  });
});
