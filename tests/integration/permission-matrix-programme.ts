// The permission matrix's fixtures of the standardisation programme (issue #18), made through the gateway's JSON API
// the way people make them: a batch, a pilot awaiting Beijing's screening, a pilot taken to published results, a
// standard at 立项, a GB/T standard published by SAMR, and Beijing's satisfaction survey.
import type { PersonaName } from '../../services/shared/auth/personas';

export type ProgrammeFixtures = {
  /** SAMR's call for applications. */
  readonly batch: string;
  /** 通州's comprehensive pilot, submitted: awaiting Beijing's screening. */
  readonly pilot: string;
  /** 武清's comprehensive pilot with its results published (public). */
  readonly publishedPilot: string;
  /** NHC's GB/T standard (HEA-01) at 立项. */
  readonly standard: string;
  /** NHC's GB/T standard (HEA-02), published by SAMR (public). */
  readonly publishedStandard: string;
  /** Beijing's satisfaction survey of HEA-01. */
  readonly evaluation: string;
  /** The five registered experts of 武清's evaluation (`expertNames`): none from 通州. */
  readonly experts: readonly string[];
};

/** The fixture experts' names: two of the national committee (SAMR), three of Tianjin's. A visitor never sees them. */
export const expertNames = ['全国委员甲（矩阵）', '全国委员乙（矩阵）', '天津专家丙（矩阵）', '天津专家丁（矩阵）', '天津专家戊（矩阵）'] as const;

type Api = (who: PersonaName, method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

export const programmeDoc = (title: string) => ({
  title,
  uri: `https://example.gov.cn/matrix/${encodeURIComponent(title)}.pdf`,
  digest: 'cd'.repeat(32),
  digestAlgorithm: 'sha256',
});
/** The satisfaction survey the matrix records (the setup's evaluation and each RecordEvaluation call's). */
export const satisfactionSurvey = {
  kind: 'EVALUATION_KIND_SATISFACTION_SURVEY',
  itemCode: 'HEA-01',
  provinceCode: '110000',
  period: '2026',
  method: '入户问卷（矩阵）',
  sampleSize: 800,
  satisfactionPercent: '88.0',
  summary: '总体满意（矩阵）',
  documents: [programmeDoc('满意度调查报告')],
};
const ymd = (text: string) => {
  const [year, month, day] = text.split('-').map(Number);
  return { year, month, day };
};

/** A comprehensive pilot application of one locality. */
export const pilotApplication = (localityCode: string, localityName: string, name = `${localityName}基本公共服务标准化试点`) => ({
  name,
  type: 'PILOT_TYPE_COMPREHENSIVE',
  periodStart: '2024-01',
  periodEnd: '2025-12',
  localityCode,
  localityName,
  groundwork: '已完成基本公共服务清单梳理（矩阵）',
  policyAndFundingSupport: '财政安排专项经费（矩阵）',
  majorIncidentInThreeYears: false,
  goals: '建成基本公共服务标准体系（矩阵）',
  workPlan: '两年完成五项任务（矩阵）',
  funding: '每年100万元（矩阵）',
});

export async function makeProgrammeFixtures(api: Api, unique: (label: string) => string): Promise<ProgrammeFixtures> {
  const must = async (who: PersonaName, method: string, path: string, body?: unknown): Promise<any> => {
    const r = await api(who, method, path, body);
    if (r.status >= 300) throw new Error(`${who} ${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const base = '/api/v1/programme';
  const batch = unique('batch');
  await must('samr-officer', 'POST', `${base}/pilot-batches`, {
    batchId: batch,
    title: '基本公共服务标准化试点（矩阵）',
    applicationsClose: ymd('2099-12-31'),
  });
  const pilot = (await must('tongzhou-officer', 'POST', `${base}/pilots`, { batchId: batch, application: pilotApplication('110112', '北京市通州区') })).pilot
    .pilotId as string;

  // 武清: screened, selected (a past term, so the evaluation can be requested), evaluated and published.
  const publishedPilot = (await must('wuqing-officer', 'POST', `${base}/pilots`, { batchId: batch, application: pilotApplication('120114', '天津市武清区') }))
    .pilot.pilotId as string;
  const act = (who: PersonaName, body: unknown) => must(who, 'POST', `${base}/pilots/${publishedPilot}/actions`, body);
  await act('tianjin-programme-officer', { screen: { recommend: true, opinion: '同意推荐（矩阵）' } });
  await act('ndrc-approver', { decideSelection: { select: true, opinion: '同意' } });
  await act('mof-approver', { decideSelection: { select: true, opinion: '同意' } });
  await act('samr-officer', { decideSelection: { select: true, opinion: '同意', termStart: ymd('2024-01-01'), termEnd: ymd('2025-12-31') } });
  await act('wuqing-officer', { requestEvaluation: { note: '试点期满，申请评估（矩阵）' } });
  const expert = async (who: PersonaName, name: string, affiliation: string, nationalCommittee: boolean): Promise<string> =>
    (await must(who, 'POST', `${base}/experts`, { name, affiliation, nationalCommittee, fieldCodes: [] })).expert.expertId;
  const [n1, n2, t1, t2, t3] = expertNames;
  const experts = [
    await expert('samr-officer', n1, 'CNIS', true),
    await expert('samr-officer', n2, 'SAMR', true),
    await expert('tianjin-programme-officer', t1, '120101', false),
    await expert('tianjin-programme-officer', t2, '120102', false),
    await expert('tianjin-programme-officer', t3, '120103', false),
  ];
  await act('tianjin-programme-officer', { formExpertGroup: { expertIds: experts } });
  await act('tianjin-programme-officer', {
    recordEvaluation: { conclusion: 'PASS', score: '90', summary: '五项任务全部完成（矩阵）', report: [programmeDoc('评估报告')] },
  });
  await act('samr-officer', { publishResults: { note: '向社会公布（矩阵）' } });

  const propose = async (itemCode: string): Promise<string> =>
    (
      await must('nhc-staff', 'POST', `${base}/standards`, {
        title: `基本公共卫生服务 ${itemCode} 服务规范（矩阵）`,
        level: 'STANDARD_LEVEL_NATIONAL',
        kind: 'STANDARD_KIND_SERVICE_PROCESS_QUALITY',
        itemCodes: [itemCode],
        supportingMeasures: [programmeDoc('配套措施')],
      })
    ).standard.standardId;
  const standard = await propose('HEA-01');
  const publishedStandard = await propose('HEA-02');
  const advance = (who: PersonaName, body: object) => must(who, 'POST', `${base}/standards/${publishedStandard}/advance`, body);
  await advance('nhc-staff', { to: 'STANDARD_STAGE_DRAFTING' });
  await advance('nhc-staff', {
    to: 'STANDARD_STAGE_CONSULTATION',
    demandSurvey: [programmeDoc('需求调查')],
    costEstimate: [programmeDoc('财政经费测算')],
    financeAgreement: { organisation: 'MOF', documents: [programmeDoc('财政部意见')] },
  });
  await advance('nhc-staff', { to: 'STANDARD_STAGE_REVIEW' });
  await advance('samr-officer', {
    to: 'STANDARD_STAGE_PUBLISHED',
    number: 'GB/T 46902—2026',
    issuingBody: '市场监管总局 国家标准委',
    publishedOn: ymd('2026-05-01'),
  });

  const evaluation = (await must('beijing-programme-officer', 'POST', `${base}/evaluations`, satisfactionSurvey)).evaluation.evaluationId as string;
  return { batch, pilot, publishedPilot, standard, publishedStandard, evaluation, experts };
}
