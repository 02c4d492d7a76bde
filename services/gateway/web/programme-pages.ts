// The standardisation programme (标准化工作, seeds 002–004): the overview (2027 targets, coverage of the four kinds of
// standard per category), the technical-standards register with each standard's life and the drafting checks, the
// standardisation pilots from application to published results, and implementation evaluations. Action forms are
// shown to whoever may take the step (the service decides all the same and its refusals are shown with the reason).
import type { FastifyInstance } from 'fastify';
import {
  type ActOnPilotRequest,
  type AdvanceStandardRequest,
  type ApplyForPilotRequest,
  type CategoryCoverage,
  type Evaluation,
  EvaluationKind,
  evaluationKindFromJSON,
  evaluationKindToJSON,
  type Expert,
  type OpenPilotBatchRequest,
  type Pilot,
  type PilotBatch,
  PilotStatus,
  pilotStatusFromJSON,
  pilotStatusToJSON,
  PilotTask,
  pilotTaskToJSON,
  PilotType,
  pilotTypeFromJSON,
  pilotTypeToJSON,
  type ProposeStandardRequest,
  type RecordEvaluationRequest,
  StandardKind,
  standardKindFromJSON,
  standardKindToJSON,
  StandardLevel,
  standardLevelFromJSON,
  standardLevelToJSON,
  StandardStage,
  standardStageFromJSON,
  standardStageToJSON,
  type Target,
  TaskStatus,
  taskStatusFromJSON,
  taskStatusToJSON,
  type TechnicalStandard,
} from '../../../proto/gen/bps/programme/v1/programme';
import type { Actor, DateMessage, DocumentReference } from '../../../proto/gen/bps/common/v1/common';
import type { Identity } from '../../shared/auth/identity';
import { chinaMinute, parseIsoDate } from '../../shared/standards/china-date';
import {
  mayMoveStandard,
  nextStages as nextStageNames,
  type StandardLevel as LevelName,
  type StandardStage as StageName,
} from '../../shared/standards/technical-standard-stages';
import type { Backends } from '../adapters/backends';
import { PILOT_ACTIONS, PUBLIC_STAGES, withoutExpertNames, type PilotActionName } from '../api/programme-routes';
import { formValue, formValues, type FormBody } from '../http/cookies';
import { formatDate } from '../http/dates';
import { gatewayError } from '../http/errors';
import { GatewayHttpError } from '../http/api';
import { html, qs, type Html } from './html';
import { organisationLabel } from './i18n';
import { alertBox, L, labelIn, type PageContext } from './layout';
import type { Guarded } from './page-types';
import { parseDocuments } from './proposal-form';
import { provinces } from './provinces';
import { splitCodes } from './subscription-pages';
import { refusalBox } from './work-pages';

// ---------------------------------------------------------------- labels

const levelLabels: Record<string, [string, string]> = {
  STANDARD_LEVEL_NATIONAL: ['国家标准', 'National standard'],
  STANDARD_LEVEL_SECTOR: ['行业标准', 'Sector standard'],
  STANDARD_LEVEL_LOCAL: ['地方标准', 'Local standard'],
  STANDARD_LEVEL_GROUP: ['团体标准', 'Group standard'],
};
const kindLabels: Record<string, [string, string]> = {
  STANDARD_KIND_FACILITY_EQUIPMENT: ['设施设备', 'Facilities and equipment'],
  STANDARD_KIND_SERVICE_PROCESS_QUALITY: ['服务流程与质量', 'Service process and quality'],
  STANDARD_KIND_OPERATION_MANAGEMENT: ['运行管理', 'Operation and management'],
  STANDARD_KIND_PERFORMANCE_EVALUATION: ['绩效评价', 'Performance evaluation'],
};
const stageLabels: Record<string, [string, string]> = {
  STANDARD_STAGE_PROPOSED: ['立项', 'Proposed'],
  STANDARD_STAGE_DRAFTING: ['起草', 'Drafting'],
  STANDARD_STAGE_CONSULTATION: ['征求意见', 'Consultation'],
  STANDARD_STAGE_REVIEW: ['审查', 'Review'],
  STANDARD_STAGE_PUBLISHED: ['批准发布', 'Published'],
  STANDARD_STAGE_IN_FORCE: ['实施', 'In force'],
  STANDARD_STAGE_REVIEWED: ['复审', 'Reviewed'],
  STANDARD_STAGE_WITHDRAWN: ['废止', 'Withdrawn'],
};
const pilotTypeLabels: Record<string, [string, string]> = {
  PILOT_TYPE_COMPREHENSIVE: ['综合试点', 'Comprehensive'],
  PILOT_TYPE_SPECIAL: ['专项试点', 'Special'],
  PILOT_TYPE_REGIONAL_COORDINATION: ['区域协调联动试点', 'Regional coordination'],
};
const pilotStatusLabels: Record<string, [string, string]> = {
  PILOT_STATUS_APPLYING: ['联合申报中', 'Joint application open'],
  PILOT_STATUS_SUBMITTED: ['待省级筛选', 'With the provinces'],
  PILOT_STATUS_CANDIDATE: ['省级推荐', 'Candidate'],
  PILOT_STATUS_NOT_RECOMMENDED: ['未获推荐', 'Not recommended'],
  PILOT_STATUS_PILOTING: ['试点中', 'Piloting'],
  PILOT_STATUS_NOT_SELECTED: ['未入选', 'Not selected'],
  PILOT_STATUS_CANCELLED: ['已撤销', 'Cancelled'],
  PILOT_STATUS_EVALUATION_REQUESTED: ['已申请评估', 'Evaluation requested'],
  PILOT_STATUS_UNDER_EVALUATION: ['评估中', 'Under evaluation'],
  PILOT_STATUS_EVALUATED: ['已评估', 'Evaluated'],
  PILOT_STATUS_PUBLISHED: ['结果已公布', 'Results published'],
};
const taskLabels: Record<string, [string, string]> = {
  PILOT_TASK_COORDINATION_MECHANISM: ['建立协调机制', 'Coordination mechanism'],
  PILOT_TASK_SERVICE_INVENTORY: ['梳理服务项目清单', 'Inventory of service items'],
  PILOT_TASK_STANDARD_CATALOGUE: ['构建标准体系（标准目录）', 'Standard catalogue'],
  PILOT_TASK_IMPLEMENTATION_MECHANISM: ['建立标准实施机制', 'Implementation mechanism'],
  PILOT_TASK_DATA_REPORTING: ['建立数据库并定期报送', 'Data reporting'],
};
const taskStatusLabels: Record<string, [string, string]> = {
  TASK_STATUS_NOT_STARTED: ['未开始', 'Not started'],
  TASK_STATUS_IN_PROGRESS: ['进行中', 'In progress'],
  TASK_STATUS_DONE: ['已完成', 'Done'],
};
const evaluationKindLabels: Record<string, [string, string]> = {
  EVALUATION_KIND_EFFECT: ['实施效果评估', 'Effect evaluation'],
  EVALUATION_KIND_SATISFACTION_SURVEY: ['群众满意度调查', 'Public satisfaction survey'],
  EVALUATION_KIND_EQUALISATION_INDICATORS: ['均等化指标', 'Equalisation indicators'],
};
const actionLabels: Record<PilotActionName, [string, string]> = {
  screen: ['省级筛选意见', 'Provincial screening'],
  decideSelection: ['国家确定', 'National selection'],
  reportProgress: ['报送任务进展', 'Report task progress'],
  reportIncident: ['报告重大事件', 'Report a major incident'],
  decideIncident: ['处理重大事件（延期或撤销）', 'Decide on the incident (extend or cancel)'],
  requestEvaluation: ['申请评估', 'Request evaluation'],
  formExpertGroup: ['组建评估专家组', 'Form the expert group'],
  recordEvaluation: ['记录评估结论', 'Record the evaluation'],
  recheck: ['抽查复核', 'National spot re-check'],
  publishResults: ['公布结果', 'Publish the results'],
};

/** The pilot's history steps (the workflow's event types). */
const stepLabels: Record<string, [string, string]> = {
  applied: ['申报', 'Applied'],
  joined: ['联合申报', 'Joined the application'],
  submitted: ['报送省级筛选', 'Submitted for screening'],
  screened: ['省级筛选', 'Screened'],
  candidate: ['确定为候选', 'Candidate'],
  'not-recommended': ['未获推荐', 'Not recommended'],
  'selection-decided': ['国家确定意见', 'Selection decision'],
  selected: ['入选试点', 'Selected'],
  'not-selected': ['未入选', 'Not selected'],
  'progress-reported': ['报送进展', 'Progress reported'],
  'incident-reported': ['报告重大事件', 'Incident reported'],
  extended: ['延期', 'Extended'],
  cancelled: ['撤销', 'Cancelled'],
  'evaluation-requested': ['申请评估', 'Evaluation requested'],
  'expert-group-formed': ['组建专家组', 'Expert group formed'],
  evaluated: ['完成评估', 'Evaluated'],
  rechecked: ['抽查复核', 'Re-checked'],
  published: ['公布结果', 'Results published'],
};

const levels = [
  StandardLevel.STANDARD_LEVEL_NATIONAL,
  StandardLevel.STANDARD_LEVEL_SECTOR,
  StandardLevel.STANDARD_LEVEL_LOCAL,
  StandardLevel.STANDARD_LEVEL_GROUP,
];
const kinds = [
  StandardKind.STANDARD_KIND_FACILITY_EQUIPMENT,
  StandardKind.STANDARD_KIND_SERVICE_PROCESS_QUALITY,
  StandardKind.STANDARD_KIND_OPERATION_MANAGEMENT,
  StandardKind.STANDARD_KIND_PERFORMANCE_EVALUATION,
];
const stageOrder = [
  StandardStage.STANDARD_STAGE_PROPOSED,
  StandardStage.STANDARD_STAGE_DRAFTING,
  StandardStage.STANDARD_STAGE_CONSULTATION,
  StandardStage.STANDARD_STAGE_REVIEW,
  StandardStage.STANDARD_STAGE_PUBLISHED,
  StandardStage.STANDARD_STAGE_IN_FORCE,
  StandardStage.STANDARD_STAGE_REVIEWED,
  StandardStage.STANDARD_STAGE_WITHDRAWN,
];
const tasks = [
  PilotTask.PILOT_TASK_COORDINATION_MECHANISM,
  PilotTask.PILOT_TASK_SERVICE_INVENTORY,
  PilotTask.PILOT_TASK_STANDARD_CATALOGUE,
  PilotTask.PILOT_TASK_IMPLEMENTATION_MECHANISM,
  PilotTask.PILOT_TASK_DATA_REPORTING,
];
const pilotStatuses = Object.keys(pilotStatusLabels);

const levelLabel = (ctx: PageContext, l: StandardLevel): string => labelIn(ctx, levelLabels, standardLevelToJSON(l));
const kindLabel = (ctx: PageContext, k: StandardKind): string => labelIn(ctx, kindLabels, standardKindToJSON(k));
const stageLabel = (ctx: PageContext, s: StandardStage): string => labelIn(ctx, stageLabels, standardStageToJSON(s));
const statusLabel = (ctx: PageContext, s: PilotStatus): string => labelIn(ctx, pilotStatusLabels, pilotStatusToJSON(s));
const when = (d: Date | undefined): string => (d ? chinaMinute(d) : '—');
const org = (ctx: PageContext, code: string): string => (code ? organisationLabel(ctx.lang, code) : '—');
/** The deciding body, and to signed-in people the person (a visitor of the public portal sees bodies only). */
const actorText = (ctx: PageContext, a: Actor | undefined): string =>
  a ? [org(ctx, a.organisation), ctx.identity ? a.subject : ''].filter(Boolean).join(' · ') : '—';
const provinceLabel = (ctx: PageContext, code: string): string => {
  const p = provinces.find((x) => x.code === code);
  return p ? (ctx.lang === 'en' ? p.en : p.name) : code;
};
const docList = (docs: readonly DocumentReference[]): Html =>
  docs.length === 0
    ? html`<span class="muted">—</span>`
    : html`<ul>${docs.map((d) => html`<li>${/^https?:\/\//.test(d.uri) ? html`<a href="${d.uri}" rel="noreferrer">${d.title || d.uri}</a>` : d.title || d.uri}${d.digest ? html` <code class="muted">${d.digestAlgorithm}:${d.digest.slice(0, 12)}…</code>` : ''}</li>`)}</ul>`;
const docsHint = (ctx: PageContext): string => L(ctx, '每行一份：标题 | 链接 | sha256 摘要', 'one per line: title | URI | sha256 digest');
const standardUrl = (id: string, suffix = ''): string => `/programme/standards/${encodeURIComponent(id)}${suffix}`;
const pilotUrl = (id: string, suffix = ''): string => `/programme/pilots/${encodeURIComponent(id)}${suffix}`;
const option = (value: string, label: string, selected: boolean): Html => html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;

// ---------------------------------------------------------------- who sees which form

const has = (who: Identity | undefined, role: string): boolean => (who?.roles as readonly string[] | undefined)?.includes(role) ?? false;
export const isSamr = (who: Identity | undefined): boolean => who?.organisation === 'SAMR' && has(who, 'programme-officer');
/** A provincial programme officer (organisation: a province code). */
const provinceOf = (who: Identity | undefined): string | undefined =>
  has(who, 'programme-officer') && /^\d{2}0000$/.test(who?.organisation ?? '') ? who?.organisation : undefined;
const localityOf = (who: Identity | undefined): string | undefined =>
  has(who, 'locality-officer') && /^\d{6}$/.test(who?.organisation ?? '') ? who?.organisation : undefined;

/** May propose a standard (立项): a ministry (lead unit), SAMR, or a province for local standards. The service decides. */
export const mayProposeStandard = (who: Identity | undefined): boolean =>
  has(who, 'ministry-staff') || has(who, 'programme-officer') || has(who, 'province-officer');

// The stage rule is the service's own (services/shared/standards/technical-standard-stages.ts), on the proto's enums.
const stageName = (stage: StandardStage): StageName => standardStageToJSON(stage).replace('STANDARD_STAGE_', '') as StageName;
const stageOf = (name: StageName): StandardStage => standardStageFromJSON(`STANDARD_STAGE_${name}`);

/** The stages a standard may move to from its current one: the next one, or 废止 at any point; 复审 once in force. */
export function nextStages(stage: StandardStage): StandardStage[] {
  return nextStageNames(stageName(stage)).map(stageOf);
}

/** The stages this person may move the standard to, as the service decides it (mayMoveStandard). */
export function stagesFor(who: Identity | undefined, s: TechnicalStandard): StandardStage[] {
  if (!who) return [];
  const standard = {
    level: standardLevelToJSON(s.level).replace('STANDARD_LEVEL_', '') as LevelName,
    proposerOrganisation: s.proposerOrganisation,
    provinceCode: s.provinceCode,
    stage: stageName(s.stage),
  };
  return nextStageNames(standard.stage)
    .filter((to) => mayMoveStandard(who, standard, to))
    .map(stageOf);
}

/** Whether the page offers the next-stage form. */
export const mayAdvanceStandard = (who: Identity | undefined, s: TechnicalStandard): boolean => stagesFor(who, s).length > 0;

/** The steps of a pilot this person may take now, in the order of the pilot's life. */
export function pilotActionsFor(who: Identity | undefined, p: Pilot): PilotActionName[] {
  if (!who) return [];
  const out: PilotActionName[] = [];
  const samr = isSamr(who);
  const province = provinceOf(who);
  const ourProvince = province !== undefined && p.provinceCodes.includes(province);
  const locality = localityOf(who);
  const ourLocality = locality !== undefined && p.localities.some((l) => l.localityCode === locality);
  const s = p.status;
  if (s === PilotStatus.PILOT_STATUS_SUBMITTED && ourProvince && !p.screenings.some((x) => x.provinceCode === province)) out.push('screen');
  if (
    s === PilotStatus.PILOT_STATUS_CANDIDATE &&
    (samr || (['NDRC', 'MOF'].includes(who.organisation) && has(who, 'approver'))) &&
    !p.selection.some((d) => d.organisation === who.organisation)
  )
    out.push('decideSelection');
  if (s === PilotStatus.PILOT_STATUS_PILOTING) {
    if (ourLocality) out.push('reportProgress');
    if (ourLocality || ourProvince) out.push('reportIncident');
    if (samr && p.incidents.some((i) => !i.decision)) out.push('decideIncident');
    if (ourLocality) out.push('requestEvaluation');
  }
  if (s === PilotStatus.PILOT_STATUS_EVALUATION_REQUESTED && ourProvince) out.push('formExpertGroup');
  if (s === PilotStatus.PILOT_STATUS_UNDER_EVALUATION && ourProvince) out.push('recordEvaluation');
  if (s === PilotStatus.PILOT_STATUS_EVALUATED && samr) {
    if (!p.evaluation?.recheckOutcome) out.push('recheck');
    out.push('publishResults');
  }
  return out;
}

// ---------------------------------------------------------------- forms → requests

const date = (body: FormBody, name: string): DateMessage | undefined => {
  const text = formValue(body, name).trim();
  return text ? (parseIsoDate(text) ?? invalidDate(name)) : undefined;
};
function invalidDate(field: string): never {
  throw new GatewayHttpError(gatewayError(400, 'INVALID_ARGUMENT', 'invalid date', [{ field, description: 'must be a calendar date YYYY-MM-DD' }]));
}
const text = (body: FormBody, name: string): string => formValue(body, name).trim();
const checked = (body: FormBody, name: string): boolean => ['on', 'true', '1'].includes(formValue(body, name));

export function proposeStandardFromForm(body: FormBody): ProposeStandardRequest {
  return {
    title: text(body, 'title'),
    level: standardLevelFromJSON(text(body, 'level') || 'STANDARD_LEVEL_UNSPECIFIED'),
    mandatory: checked(body, 'mandatory'),
    kind: standardKindFromJSON(text(body, 'kind') || 'STANDARD_KIND_UNSPECIFIED'),
    itemCodes: splitCodes(formValue(body, 'itemCodes')),
    provinceCode: text(body, 'provinceCode'),
    supportingMeasures: parseDocuments(formValue(body, 'supportingMeasures')),
    revisesStandardId: text(body, 'revisesStandardId'),
  };
}

export function advanceStandardFromForm(standardId: string, body: FormBody): AdvanceStandardRequest {
  const financeOrganisation = text(body, 'financeOrganisation');
  const financeDocuments = parseDocuments(formValue(body, 'financeDocuments'));
  return {
    standardId,
    to: standardStageFromJSON(text(body, 'to') || 'STANDARD_STAGE_UNSPECIFIED'),
    expectedRevision: Number(text(body, 'expectedRevision')) || 0,
    note: text(body, 'note'),
    demandSurvey: parseDocuments(formValue(body, 'demandSurvey')),
    costEstimate: parseDocuments(formValue(body, 'costEstimate')),
    financeAgreement: financeOrganisation || financeDocuments.length > 0 ? { organisation: financeOrganisation, documents: financeDocuments } : undefined,
    number: text(body, 'number'),
    issuingBody: text(body, 'issuingBody'),
    publishedOn: date(body, 'publishedOn'),
    implementedOn: date(body, 'implementedOn'),
  };
}

export function openBatchFromForm(body: FormBody): OpenPilotBatchRequest {
  return { batchId: text(body, 'batchId'), title: text(body, 'title'), applicationsClose: date(body, 'applicationsClose') };
}

export function applyForPilotFromForm(body: FormBody): ApplyForPilotRequest {
  return {
    batchId: text(body, 'batchId'),
    application: {
      name: text(body, 'name'),
      type: pilotTypeFromJSON(text(body, 'type') || 'PILOT_TYPE_UNSPECIFIED'),
      periodStart: text(body, 'periodStart'),
      periodEnd: text(body, 'periodEnd'),
      fieldCodes: splitCodes(formValue(body, 'fieldCodes')),
      localityCode: text(body, 'localityCode'),
      localityName: text(body, 'localityName'),
      partnerLocalityCodes: splitCodes(formValue(body, 'partnerLocalityCodes')),
      groundwork: text(body, 'groundwork'),
      policyAndFundingSupport: text(body, 'policyAndFundingSupport'),
      majorIncidentInThreeYears: checked(body, 'majorIncidentInThreeYears'),
      goals: text(body, 'goals'),
      workPlan: text(body, 'workPlan'),
      funding: text(body, 'funding'),
      documents: parseDocuments(formValue(body, 'documents')),
    },
  };
}

/** One action form as the oneof member it stands for; an unknown action name is a 400. */
export function pilotActionFromForm(action: string, body: FormBody): ActOnPilotRequest['action'] {
  const yes = (name: string): boolean => formValue(body, name) === 'yes';
  switch (action as PilotActionName) {
    case 'screen':
      return { $case: 'screen', screen: { recommend: yes('recommend'), opinion: text(body, 'opinion') } };
    case 'decideSelection':
      return {
        $case: 'decideSelection',
        decideSelection: { select: yes('select'), opinion: text(body, 'opinion'), termStart: date(body, 'termStart'), termEnd: date(body, 'termEnd') },
      };
    case 'reportProgress':
      return {
        $case: 'reportProgress',
        reportProgress: {
          tasks: tasks
            .map((t) => ({
              task: t,
              status: taskStatusFromJSON(text(body, `task-${t}-status`) || 'TASK_STATUS_UNSPECIFIED'),
              note: text(body, `task-${t}-note`),
              reportedAt: undefined,
            }))
            .filter((t) => t.status !== TaskStatus.TASK_STATUS_UNSPECIFIED || t.note),
        },
      };
    case 'reportIncident':
      return { $case: 'reportIncident', reportIncident: { description: text(body, 'description'), occurredOn: date(body, 'occurredOn') } };
    case 'decideIncident':
      return {
        $case: 'decideIncident',
        decideIncident: { cancel: formValue(body, 'decision') === 'cancel', extendedTo: date(body, 'extendedTo'), note: text(body, 'note') },
      };
    case 'requestEvaluation':
      return { $case: 'requestEvaluation', requestEvaluation: { note: text(body, 'note') } };
    case 'formExpertGroup':
      return { $case: 'formExpertGroup', formExpertGroup: { expertIds: formValues(body, 'expertIds').filter(Boolean) } };
    case 'recordEvaluation':
      return {
        $case: 'recordEvaluation',
        recordEvaluation: {
          conclusion: text(body, 'conclusion'),
          score: text(body, 'score'),
          summary: text(body, 'summary'),
          report: parseDocuments(formValue(body, 'report')),
        },
      };
    case 'recheck':
      return { $case: 'recheck', recheck: { outcome: text(body, 'outcome'), note: text(body, 'note') } };
    case 'publishResults':
      return { $case: 'publishResults', publishResults: { note: text(body, 'note') } };
    default:
      throw new GatewayHttpError(
        gatewayError(400, 'INVALID_ARGUMENT', 'unknown pilot action', [{ field: 'action', description: `must be one of ${PILOT_ACTIONS.join(', ')}` }]),
      );
  }
}

/** "name | value | unit" per line. */
export function parseIndicators(textValue: string): { name: string; value: string; unit: string }[] {
  return textValue
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = '', value = '', unit = ''] = line.split('|').map((p) => p.trim());
      return { name, value, unit };
    });
}

export function recordEvaluationFromForm(body: FormBody): RecordEvaluationRequest {
  const sample = text(body, 'sampleSize');
  return {
    kind: evaluationKindFromJSON(text(body, 'kind') || 'EVALUATION_KIND_UNSPECIFIED'),
    itemCode: text(body, 'itemCode'),
    provinceCode: text(body, 'provinceCode'),
    period: text(body, 'period'),
    method: text(body, 'method'),
    sampleSize: /^\d{1,9}$/.test(sample) ? Number(sample) : 0,
    satisfactionPercent: text(body, 'satisfactionPercent'),
    indicators: parseIndicators(formValue(body, 'indicators')),
    summary: text(body, 'summary'),
    documents: parseDocuments(formValue(body, 'documents')),
  };
}

// ---------------------------------------------------------------- pages

const subnav = (ctx: PageContext, current: string): Html => {
  const links: [string, string, string][] = [
    ['/programme', L(ctx, '总览', 'Overview'), 'overview'],
    ['/programme/standards', L(ctx, '技术标准', 'Technical standards'), 'standards'],
    ['/programme/pilots', L(ctx, '标准化试点', 'Pilots'), 'pilots'],
    ['/programme/evaluations', L(ctx, '实施评估', 'Implementation evaluation'), 'evaluations'],
  ];
  return html`<nav aria-label="${L(ctx, '标准化工作', 'Programme')}" class="filters" data-testid="programme-nav">${links.map(
    ([href, label, key]) => html`<a href="${href}"${key === current ? html` aria-current="page"` : ''}>${label}</a>`,
  )}</nav>`;
};

export function overviewPage(ctx: PageContext, targets: readonly Target[], categories: readonly CategoryCoverage[]): Html {
  return html`${subnav(ctx, 'overview')}
<section aria-labelledby="targets"><h2 id="targets">${L(ctx, '2027 年目标进展', 'Progress towards the 2027 targets')}</h2>
${
  targets.length === 0
    ? html`<p class="muted">${L(ctx, '暂无目标数据。', 'No targets.')}</p>`
    : html`<div class="table-wrap"><table data-testid="programme-targets">
  <thead><tr><th scope="col">${L(ctx, '目标', 'Target')}</th><th scope="col">${L(ctx, '目标值', 'Target')}</th><th scope="col">${L(ctx, '已完成', 'Achieved')}</th><th scope="col">${L(ctx, '推进中', 'In progress')}</th><th scope="col">${L(ctx, '进度', 'Progress')}</th><th scope="col">${L(ctx, '期限', 'Due')}</th><th scope="col">${L(ctx, '依据', 'Source')}</th></tr></thead>
  <tbody>${targets.map(
    (
      t,
    ) => html`<tr data-target="${t.code}"><th scope="row">${t.title}</th><td class="num">${t.target}</td><td class="num">${t.achieved}</td><td class="num">${t.inProgress}</td>
    <td><progress max="${t.target || 1}" value="${Math.min(t.achieved, t.target || t.achieved)}" aria-label="${t.title}"></progress> ${t.target > 0 ? `${Math.round((t.achieved / t.target) * 100)}%` : ''}</td>
    <td>${formatDate(t.due)}</td><td>${t.source}</td></tr>`,
  )}</tbody></table></div>`
}</section>
<section aria-labelledby="coverage"><h2 id="coverage">${L(ctx, '标准覆盖情况（按类别）', 'Coverage by category')}</h2>
<p class="muted">${L(ctx, '每格：现行 / 制修订中。标红为尚无现行标准的类型。', 'Each cell: in force / in progress. Kinds with no standard in force are marked.')}</p>
${
  categories.length === 0
    ? html`<p class="muted">${L(ctx, '暂无类别数据。', 'No categories.')}</p>`
    : html`<div class="table-wrap"><table data-testid="coverage">
  <thead><tr><th scope="col">${L(ctx, '领域', 'Field')}</th><th scope="col">${L(ctx, '类别', 'Category')}</th><th scope="col">${L(ctx, '服务项目数', 'Items')}</th>${kinds.map((k) => html`<th scope="col">${kindLabel(ctx, k)}</th>`)}<th scope="col">${L(ctx, '缺失类型', 'Missing kinds')}</th><th scope="col">${L(ctx, '无现行标准的项目', 'Items without a standard')}</th></tr></thead>
  <tbody>${categories.map((c) => {
    const missing = new Set(c.missing);
    return html`<tr data-category="${c.categoryCode}"><td>${c.fieldName || c.fieldCode}</td><th scope="row">${c.categoryName || c.categoryCode} <span class="muted">${c.categoryCode}</span></th><td class="num">${c.itemCount}</td>
    ${kinds.map((k) => {
      const kc = c.kinds.find((x) => x.kind === k);
      return html`<td class="num${missing.has(k) ? ' cell-below' : ''}" data-kind="${standardKindToJSON(k)}">${kc?.inForce ?? 0} / ${kc?.inProgress ?? 0}</td>`;
    })}
    <td data-testid="missing">${c.missing.length === 0 ? html`<span class="badge badge-ok">${L(ctx, '齐全', 'Complete')}</span>` : c.missing.map((k) => html`<span class="badge badge-bad">${kindLabel(ctx, k)}</span> `)}</td>
    <td>${c.itemsWithoutStandard.map((i) => html`<a href="/standards/items/${encodeURIComponent(i)}">${i}</a> `)}</td></tr>`;
  })}</tbody></table></div>`
}</section>`;
}

export type StandardsQuery = { level: string; stage: string; kind: string; item: string };

export function standardsListPage(ctx: PageContext, standards: readonly TechnicalStandard[], query: StandardsQuery, flash?: Html, form: FormBody = {}): Html {
  const v = (name: string): string => formValue(form, name);
  return html`${subnav(ctx, 'standards')}${flash ?? ''}
<form method="get" action="/programme/standards" class="filters" aria-label="${L(ctx, '筛选', 'Filter')}">
  <label for="f-level">${L(ctx, '层级', 'Level')}</label><select id="f-level" name="level">${option('', L(ctx, '全部', 'Any'), !query.level)}${levels.map((l) => option(standardLevelToJSON(l), levelLabel(ctx, l), query.level === standardLevelToJSON(l)))}</select>
  <label for="f-stage">${L(ctx, '阶段', 'Stage')}</label><select id="f-stage" name="stage">${option('', L(ctx, '全部', 'Any'), !query.stage)}${stageOrder.map((s) => option(standardStageToJSON(s), stageLabel(ctx, s), query.stage === standardStageToJSON(s)))}</select>
  <label for="f-kind">${L(ctx, '类型', 'Kind')}</label><select id="f-kind" name="kind">${option('', L(ctx, '全部', 'Any'), !query.kind)}${kinds.map((k) => option(standardKindToJSON(k), kindLabel(ctx, k), query.kind === standardKindToJSON(k)))}</select>
  <label for="f-item">${L(ctx, '服务项目', 'Item')}</label><input id="f-item" name="item" value="${query.item}" size="10">
  <button type="submit">${ctx.t('show')}</button>
</form>
${
  standards.length === 0
    ? alertBox('info', L(ctx, '没有符合条件的技术标准。', 'No technical standard matches.'))
    : html`<div class="table-wrap"><table data-testid="standards">
  <thead><tr><th scope="col">${L(ctx, '标准名称', 'Title')}</th><th scope="col">${L(ctx, '编号', 'Number')}</th><th scope="col">${L(ctx, '层级', 'Level')}</th><th scope="col">${L(ctx, '类型', 'Kind')}</th><th scope="col">${L(ctx, '阶段', 'Stage')}</th><th scope="col">${L(ctx, '支撑服务项目', 'Items')}</th><th scope="col">${L(ctx, '提出单位', 'Proposed by')}</th></tr></thead>
  <tbody>${standards.map(
    (s) =>
      html`<tr data-standard="${s.standardId}"><th scope="row"><a href="${standardUrl(s.standardId)}">${s.title}</a></th><td>${s.number || '—'}</td><td>${levelLabel(ctx, s.level)}${s.level === StandardLevel.STANDARD_LEVEL_NATIONAL ? (s.mandatory ? ' (GB)' : ' (GB/T)') : ''}</td><td>${kindLabel(ctx, s.kind)}</td><td><span class="badge">${stageLabel(ctx, s.stage)}</span></td><td>${s.itemCodes.join('、')}</td><td>${org(ctx, s.proposerOrganisation)}</td></tr>`,
  )}</tbody></table></div>`
}
${
  mayProposeStandard(ctx.identity)
    ? html`<section aria-labelledby="propose"><h2 id="propose">${L(ctx, '标准立项', 'Propose a standard (立项)')}</h2>
<p class="muted">${L(ctx, '所支撑的服务项目须在国家或地方清单内；须附配套措施。', 'Every item must be on the national or local list; supporting measures are required.')}</p>
<form method="post" action="/programme/standards" class="grid-form" data-testid="propose-standard">
  <label for="title">${L(ctx, '标准名称', 'Title')}</label><input id="title" name="title" type="text" required value="${v('title')}">
  <label for="level">${L(ctx, '层级', 'Level')}</label><select id="level" name="level" required>${levels.map((l) => option(standardLevelToJSON(l), levelLabel(ctx, l), v('level') === standardLevelToJSON(l)))}</select>
  <label for="mandatory">${L(ctx, '强制性国家标准（GB；不勾选为推荐性 GB/T）', 'Mandatory national standard (GB; unchecked: GB/T)')}</label><input id="mandatory" name="mandatory" type="checkbox"${v('mandatory') ? html` checked` : ''}>
  <label for="kind">${L(ctx, '标准类型', 'Kind')}</label><select id="kind" name="kind" required>${kinds.map((k) => option(standardKindToJSON(k), kindLabel(ctx, k), v('kind') === standardKindToJSON(k)))}</select>
  <label for="itemCodes">${L(ctx, '支撑的服务项目编号（空格或逗号分隔）', 'Item codes (space or comma separated)')}</label><input id="itemCodes" name="itemCodes" type="text" required value="${v('itemCodes')}">
  <label for="provinceCode">${L(ctx, '省份（仅地方标准）', 'Province (local standards only)')}</label><select id="provinceCode" name="provinceCode">${option('', '—', !v('provinceCode'))}${provinces.map((p) => option(p.code, ctx.lang === 'en' ? p.en : p.name, v('provinceCode') === p.code))}</select>
  <label for="supportingMeasures">${L(ctx, '配套措施', 'Supporting measures')} — ${docsHint(ctx)}</label><textarea id="supportingMeasures" name="supportingMeasures" rows="3" required>${v('supportingMeasures')}</textarea>
  <label for="revisesStandardId">${L(ctx, '修订的标准（可选）', 'Revises standard (optional)')}</label><input id="revisesStandardId" name="revisesStandardId" type="text" value="${v('revisesStandardId')}">
  <span></span><button type="submit">${L(ctx, '提交立项', 'Propose')}</button>
</form></section>`
    : ''
}`;
}

export function standardPage(ctx: PageContext, s: TechnicalStandard, flash?: Html): Html {
  const rows: [string, Html | string][] = [
    [L(ctx, '编号', 'Number'), s.number || '—'],
    [
      L(ctx, '层级', 'Level'),
      `${levelLabel(ctx, s.level)}${s.level === StandardLevel.STANDARD_LEVEL_NATIONAL ? (s.mandatory ? L(ctx, '（GB，强制性）', ' (GB, mandatory)') : L(ctx, '（GB/T，推荐性）', ' (GB/T, recommended)')) : ''}`,
    ],
    [L(ctx, '类型', 'Kind'), kindLabel(ctx, s.kind)],
    [L(ctx, '阶段', 'Stage'), html`<span class="badge" data-testid="stage">${stageLabel(ctx, s.stage)}</span>`],
    [L(ctx, '支撑服务项目', 'Items'), html`${s.itemCodes.map((i) => html`<a href="/standards/items/${encodeURIComponent(i)}">${i}</a> `)}`],
    [L(ctx, '领域 / 类别', 'Fields / categories'), [...s.fieldCodes, ...s.categoryCodes].join('、') || '—'],
    [L(ctx, '提出单位', 'Proposed by'), org(ctx, s.proposerOrganisation)],
    ...(s.provinceCode ? [[L(ctx, '省份', 'Province'), provinceLabel(ctx, s.provinceCode)] as [string, string]] : []),
    [L(ctx, '发布机构', 'Issuing body'), s.issuingBody || '—'],
    [L(ctx, '发布日期', 'Published on'), formatDate(s.publishedOn) || '—'],
    [L(ctx, '实施日期', 'In force from'), formatDate(s.implementedOn) || '—'],
    ...(s.revisesStandardId
      ? [[L(ctx, '修订', 'Revises'), html`<a href="${standardUrl(s.revisesStandardId)}">${s.revisesStandardId}</a>`] as [string, Html]]
      : []),
    [L(ctx, '配套措施', 'Supporting measures'), docList(s.supportingMeasures)],
    [L(ctx, '需求调查', 'Demand survey'), docList(s.demandSurvey)],
    [L(ctx, '财政经费测算', 'Fiscal cost estimate'), docList(s.costEstimate)],
    [
      L(ctx, '同级财政部门意见', 'Finance department agreement'),
      s.financeAgreement ? html`${org(ctx, s.financeAgreement.organisation)} ${docList(s.financeAgreement.documents)}` : html`<span class="muted">—</span>`,
    ],
  ];
  const stageIndex = stageOrder.indexOf(s.stage);
  return html`${subnav(ctx, 'standards')}${flash ?? ''}
<ol class="phases" data-testid="stages" aria-label="${L(ctx, '标准生命周期', "The standard's life")}">${stageOrder.slice(0, 6).map((st, i) => html`<li data-stage="${standardStageToJSON(st)}"${st === s.stage ? html` aria-current="step" class="current"` : i < stageIndex ? html` class="done"` : ''}>${stageLabel(ctx, st)}</li>`)}</ol>
<dl class="attributes" data-testid="standard">${rows.map(([k, val]) => html`<div><dt>${k}</dt><dd>${val}</dd></div>`)}</dl>
<section aria-labelledby="stage-history"><h2 id="stage-history">${L(ctx, '阶段记录', 'Stage history')}</h2>
<div class="table-wrap"><table data-testid="stage-history"><thead><tr><th scope="col">${L(ctx, '阶段', 'Stage')}</th><th scope="col">${L(ctx, '时间（北京时间）', 'When (Beijing time)')}</th><th scope="col">${L(ctx, '办理', 'By')}</th><th scope="col">${L(ctx, '说明', 'Note')}</th></tr></thead>
<tbody>${s.history.map((h) => html`<tr><th scope="row">${stageLabel(ctx, h.stage)}</th><td>${when(h.at)}</td><td>${actorText(ctx, h.actor)}</td><td>${h.note}</td></tr>`)}</tbody></table></div></section>
${mayAdvanceStandard(ctx.identity, s) ? advanceForm(ctx, s) : ''}`;
}

function advanceForm(ctx: PageContext, s: TechnicalStandard): Html {
  const next = stagesFor(ctx.identity, s);
  const leavingDrafting = s.stage === StandardStage.STANDARD_STAGE_DRAFTING && next.includes(StandardStage.STANDARD_STAGE_CONSULTATION);
  const toPublished = next.includes(StandardStage.STANDARD_STAGE_PUBLISHED);
  const toInForce = next.includes(StandardStage.STANDARD_STAGE_IN_FORCE);
  const financeDefault = s.level === StandardLevel.STANDARD_LEVEL_LOCAL ? s.provinceCode : 'MOF';
  return html`<section aria-labelledby="advance"><h2 id="advance">${L(ctx, '进入下一阶段', 'Move to the next stage')}</h2>
<form method="post" action="${standardUrl(s.standardId, '/advance')}" class="grid-form" data-testid="advance-standard">
  <input type="hidden" name="expectedRevision" value="${s.revision}">
  <label for="to">${L(ctx, '目标阶段', 'To')}</label><select id="to" name="to">${next.map((st) => option(standardStageToJSON(st), stageLabel(ctx, st), false))}</select>
  ${
    leavingDrafting
      ? html`<span></span><p class="muted">${L(ctx, '起草完成须具备：公众需求调查、财政经费测算、同级财政部门同意意见（第五条）。', 'Leaving drafting needs the public demand survey, the fiscal cost estimate and the agreement of the finance department at the same level (seed 004 §五).')}</p>
  <label for="demandSurvey">${L(ctx, '需求调查', 'Demand survey')} — ${docsHint(ctx)}</label><textarea id="demandSurvey" name="demandSurvey" rows="2"></textarea>
  <label for="costEstimate">${L(ctx, '财政经费测算', 'Fiscal cost estimate')} — ${docsHint(ctx)}</label><textarea id="costEstimate" name="costEstimate" rows="2"></textarea>
  <label for="financeOrganisation">${L(ctx, '同级财政部门', 'Finance department')}</label><input id="financeOrganisation" name="financeOrganisation" type="text" value="${financeDefault}">
  <label for="financeDocuments">${L(ctx, '财政部门意见', 'Finance department agreement')} — ${docsHint(ctx)}</label><textarea id="financeDocuments" name="financeDocuments" rows="2"></textarea>`
      : ''
  }
  ${
    toPublished
      ? html`<label for="number">${L(ctx, '标准编号（如 GB/T 46001—2026）', 'Number (e.g. GB/T 46001—2026)')}</label><input id="number" name="number" type="text">
  <label for="issuingBody">${L(ctx, '发布机构', 'Issuing body')}</label><input id="issuingBody" name="issuingBody" type="text">
  <label for="publishedOn">${L(ctx, '发布日期', 'Published on')}</label><input id="publishedOn" name="publishedOn" type="date">`
      : ''
  }
  ${toInForce ? html`<label for="implementedOn">${L(ctx, '实施日期', 'In force from')}</label><input id="implementedOn" name="implementedOn" type="date">` : ''}
  <label for="note">${L(ctx, '说明', 'Note')}</label><textarea id="note" name="note" rows="2"></textarea>
  <span></span><button type="submit">${L(ctx, '提交', 'Submit')}</button>
</form></section>`;
}

export type PilotsQuery = { batch: string; status: string; province?: string };

export function pilotsListPage(
  ctx: PageContext,
  pilots: readonly Pilot[],
  batches: readonly PilotBatch[],
  query: PilotsQuery,
  flash?: Html,
  form: FormBody = {},
): Html {
  const locality = localityOf(ctx.identity);
  const byBatch = new Map<string, Pilot[]>();
  for (const p of pilots) byBatch.set(p.batchId, [...(byBatch.get(p.batchId) ?? []), p]);
  const batchTitle = (id: string): string => batches.find((b) => b.batchId === id)?.title ?? id;
  return html`${subnav(ctx, 'pilots')}${flash ?? ''}
<section aria-labelledby="batches"><h2 id="batches">${L(ctx, '试点批次', 'Pilot batches')}</h2>
${
  batches.length === 0
    ? html`<p class="muted">${L(ctx, '尚未发布试点批次。', 'No call for applications yet.')}</p>`
    : html`<div class="table-wrap"><table data-testid="batches"><thead><tr><th scope="col">${L(ctx, '批次', 'Batch')}</th><th scope="col">${L(ctx, '名称', 'Title')}</th><th scope="col">${L(ctx, '申报截止', 'Applications close')}</th><th scope="col">${L(ctx, '每省推荐上限', 'Candidates per province')}</th></tr></thead>
  <tbody>${batches.map((b) => html`<tr data-batch="${b.batchId}"><th scope="row"><a href="/programme/pilots${qs({ batch: b.batchId })}">${b.batchId}</a></th><td>${b.title}</td><td>${formatDate(b.applicationsClose)}</td><td class="num">${b.candidatesPerProvince}</td></tr>`)}</tbody></table></div>`
}
${isSamr(ctx.identity) ? openBatchForm(ctx, form) : ''}
</section>
<section aria-labelledby="pilots"><h2 id="pilots">${L(ctx, '标准化试点', 'Standardisation pilots')}</h2>
<form method="get" action="/programme/pilots" class="filters" aria-label="${L(ctx, '筛选', 'Filter')}">
  <label for="f-batch">${L(ctx, '批次', 'Batch')}</label><select id="f-batch" name="batch">${option('', L(ctx, '全部', 'Any'), !query.batch)}${batches.map((b) => option(b.batchId, b.batchId, query.batch === b.batchId))}</select>
  <label for="f-province">${L(ctx, '省份', 'Province')}</label><select id="f-province" name="province">${option('', L(ctx, '全部', 'Any'), !query.province)}${provinces.map((p) => option(p.code, ctx.lang === 'en' ? p.en : p.name, query.province === p.code))}</select>
  <label for="f-status">${L(ctx, '状态', 'Status')}</label><select id="f-status" name="status">${option('', L(ctx, '全部', 'Any'), !query.status)}${pilotStatuses.map((s) => option(s, labelIn(ctx, pilotStatusLabels, s), query.status === s))}</select>
  <button type="submit">${ctx.t('show')}</button>
</form>
${
  pilots.length === 0
    ? alertBox('info', L(ctx, '没有符合条件的试点。', 'No pilot matches.'))
    : [...byBatch].map(
        ([batchId, list]) => html`<h3>${batchTitle(batchId)} <span class="muted">${batchId}</span></h3>
<div class="table-wrap"><table data-testid="pilots" data-batch="${batchId}"><thead><tr><th scope="col">${L(ctx, '试点名称', 'Name')}</th><th scope="col">${L(ctx, '类型', 'Type')}</th><th scope="col">${L(ctx, '试点地区', 'Localities')}</th><th scope="col">${L(ctx, '试点时间', 'Period')}</th><th scope="col">${L(ctx, '状态', 'Status')}</th></tr></thead>
<tbody>${list.map(
          (p) =>
            html`<tr data-pilot="${p.pilotId}"><th scope="row"><a href="${pilotUrl(p.pilotId)}">${p.name}</a></th><td>${labelIn(ctx, pilotTypeLabels, pilotTypeToJSON(p.type))}</td><td>${p.localities.map((l) => l.localityName || l.localityCode).join('、')}</td><td>${p.periodStart} — ${p.periodEnd}</td><td><span class="badge">${statusLabel(ctx, p.status)}</span></td></tr>`,
        )}</tbody></table></div>`,
      )
}
</section>
${locality ? applyForm(ctx, locality, batches, form) : ''}`;
}

function openBatchForm(ctx: PageContext, form: FormBody): Html {
  const v = (name: string): string => formValue(form, name);
  return html`<details${v('form') === 'batch' ? html` open` : ''}><summary data-testid="open-batch-toggle">${L(ctx, '发布试点批次', 'Open a call for applications')}</summary>
<form method="post" action="/programme/batches" class="grid-form" data-testid="open-batch">
  <input type="hidden" name="form" value="batch">
  <label for="batchId">${L(ctx, '批次编号（如 2026-1）', 'Batch id (e.g. 2026-1)')}</label><input id="batchId" name="batchId" type="text" required pattern="[A-Za-z0-9._:-]+" value="${v('batchId')}">
  <label for="batchTitle">${L(ctx, '批次名称', 'Title')}</label><input id="batchTitle" name="title" type="text" required value="${v('title')}">
  <label for="applicationsClose">${L(ctx, '申报截止日期', 'Applications close')}</label><input id="applicationsClose" name="applicationsClose" type="date" required value="${v('applicationsClose')}">
  <span></span><button type="submit">${L(ctx, '发布', 'Open')}</button>
</form></details>`;
}

function applyForm(ctx: PageContext, locality: string, batches: readonly PilotBatch[], form: FormBody): Html {
  const v = (name: string): string => formValue(form, name);
  const types = [PilotType.PILOT_TYPE_COMPREHENSIVE, PilotType.PILOT_TYPE_SPECIAL, PilotType.PILOT_TYPE_REGIONAL_COORDINATION];
  return html`<section aria-labelledby="apply"><h2 id="apply">${L(ctx, '申报试点', 'Apply for a pilot')}</h2>
<p class="muted">${L(ctx, '区域协调联动试点：各参与地区分别以相同的名称、类型和试点时间申报。', 'Regional coordination: every partner files its own application with the identical name, type and period.')}</p>
<form method="post" action="/programme/pilots" class="grid-form" data-testid="apply-pilot">
  <label for="apply-batch">${L(ctx, '批次', 'Batch')}</label><select id="apply-batch" name="batchId" required>${batches.map((b) => option(b.batchId, `${b.batchId} ${b.title}`, v('batchId') === b.batchId))}</select>
  <label for="name">${L(ctx, '试点名称', 'Name')}</label><input id="name" name="name" type="text" required value="${v('name')}" placeholder="XXX 基本公共服务标准化试点">
  <label for="type">${L(ctx, '试点类型', 'Type')}</label><select id="type" name="type" required>${types.map((t) => option(pilotTypeToJSON(t), labelIn(ctx, pilotTypeLabels, pilotTypeToJSON(t)), v('type') === pilotTypeToJSON(t)))}</select>
  <label for="periodStart">${L(ctx, '试点开始（年-月）', 'Period start (YYYY-MM)')}</label><input id="periodStart" name="periodStart" type="text" required pattern="\\d{4}-\\d{2}" placeholder="2026-07" value="${v('periodStart')}">
  <label for="periodEnd">${L(ctx, '试点结束（年-月）', 'Period end (YYYY-MM)')}</label><input id="periodEnd" name="periodEnd" type="text" required pattern="\\d{4}-\\d{2}" placeholder="2028-06" value="${v('periodEnd')}">
  <label for="fieldCodes">${L(ctx, '专项试点领域（可选）', 'Fields of a special pilot (optional)')}</label><input id="fieldCodes" name="fieldCodes" type="text" value="${v('fieldCodes')}">
  <label for="localityCode">${L(ctx, '申报地区代码', 'Locality code')}</label><input id="localityCode" name="localityCode" type="text" readonly value="${locality}">
  <label for="localityName">${L(ctx, '申报地区名称', 'Locality name')}</label><input id="localityName" name="localityName" type="text" required value="${v('localityName')}">
  <label for="partnerLocalityCodes">${L(ctx, '联合申报的其他地区代码（区域协调联动）', 'The other localities of a joint application (codes)')}</label><input id="partnerLocalityCodes" name="partnerLocalityCodes" type="text" value="${v('partnerLocalityCodes')}">
  <label for="groundwork">${L(ctx, '工作基础', 'Groundwork')}</label><textarea id="groundwork" name="groundwork" rows="2" required>${v('groundwork')}</textarea>
  <label for="policyAndFundingSupport">${L(ctx, '政策和经费保障', 'Policy and funding support')}</label><textarea id="policyAndFundingSupport" name="policyAndFundingSupport" rows="2" required>${v('policyAndFundingSupport')}</textarea>
  <label for="majorIncidentInThreeYears">${L(ctx, '近三年发生重大事件', 'A major incident in the last three years')}</label><input id="majorIncidentInThreeYears" name="majorIncidentInThreeYears" type="checkbox"${v('majorIncidentInThreeYears') ? html` checked` : ''}>
  <label for="goals">${L(ctx, '试点目标', 'Goals')}</label><textarea id="goals" name="goals" rows="2" required>${v('goals')}</textarea>
  <label for="workPlan">${L(ctx, '工作方案', 'Work plan')}</label><textarea id="workPlan" name="workPlan" rows="2" required>${v('workPlan')}</textarea>
  <label for="funding">${L(ctx, '经费安排', 'Funding')}</label><textarea id="funding" name="funding" rows="2" required>${v('funding')}</textarea>
  <label for="documents">${L(ctx, '申报材料', 'Documents')} — ${docsHint(ctx)}</label><textarea id="documents" name="documents" rows="2">${v('documents')}</textarea>
  <span></span><button type="submit">${L(ctx, '提交申报', 'Apply')}</button>
</form></section>`;
}

export function pilotPage(ctx: PageContext, shown: Pilot, experts: readonly Expert[] = [], flash?: Html): Html {
  // A visitor of the public portal sees no expert's name.
  const p = ctx.identity ? shown : withoutExpertNames(shown);
  const actions = pilotActionsFor(ctx.identity, p);
  const e = p.evaluation;
  return html`${subnav(ctx, 'pilots')}${flash ?? ''}
<dl class="attributes" data-testid="pilot"><div><dt>${L(ctx, '状态', 'Status')}</dt><dd><span class="badge" data-testid="pilot-status" data-status="${pilotStatusToJSON(p.status)}">${statusLabel(ctx, p.status)}</span></dd></div>
<div><dt>${L(ctx, '批次', 'Batch')}</dt><dd>${p.batchId}</dd></div>
<div><dt>${L(ctx, '类型', 'Type')}</dt><dd>${labelIn(ctx, pilotTypeLabels, pilotTypeToJSON(p.type))}</dd></div>
<div><dt>${L(ctx, '试点时间', 'Period')}</dt><dd>${p.periodStart} — ${p.periodEnd}</dd></div>
<div><dt>${L(ctx, '试点期', 'Term')}</dt><dd>${p.termStart || p.termEnd ? `${formatDate(p.termStart) || '—'} — ${formatDate(p.termEnd) || '—'}` : L(ctx, '待国家确定', 'Set at selection')}</dd></div>
<div><dt>${L(ctx, '涉及省份', 'Provinces')}</dt><dd>${p.provinceCodes.map((c) => provinceLabel(ctx, c)).join('、')}</dd></div>
${p.fieldCodes.length > 0 ? html`<div><dt>${L(ctx, '领域', 'Fields')}</dt><dd>${p.fieldCodes.join('、')}</dd></div>` : ''}
${p.publishedAt ? html`<div><dt>${L(ctx, '结果公布', 'Results published')}</dt><dd>${when(p.publishedAt)}</dd></div>` : ''}</dl>

<section aria-labelledby="localities"><h2 id="localities">${L(ctx, '试点地区', 'Localities')}</h2>
<div class="table-wrap"><table data-testid="pilot-localities"><thead><tr><th scope="col">${L(ctx, '地区', 'Locality')}</th><th scope="col">${L(ctx, '代码', 'Code')}</th><th scope="col">${L(ctx, '省份', 'Province')}</th><th scope="col">${L(ctx, '申报', 'Applied')}</th><th scope="col">${L(ctx, '工作基础', 'Groundwork')}</th></tr></thead>
<tbody>${p.localities.map((l) => html`<tr data-locality="${l.localityCode}"><th scope="row">${l.localityName || l.localityCode}</th><td>${l.localityCode}</td><td>${provinceLabel(ctx, l.provinceCode)}</td><td>${l.applied ? html`<span class="badge badge-ok">${L(ctx, '已申报', 'Filed')}</span>` : html`<span class="badge badge-warn">${L(ctx, '待申报', 'Not yet')}</span>`}</td><td>${l.application?.groundwork ?? ''}</td></tr>`)}</tbody></table></div></section>

<section aria-labelledby="screening"><h2 id="screening">${L(ctx, '省级筛选与国家确定', 'Screening and selection')}</h2>
${
  p.screenings.length === 0
    ? html`<p class="muted">${L(ctx, '尚无省级筛选意见。', 'No provincial screening yet.')}</p>`
    : html`<div class="table-wrap"><table data-testid="pilot-screenings"><thead><tr><th scope="col">${L(ctx, '省份', 'Province')}</th><th scope="col">${L(ctx, '意见', 'Opinion')}</th><th scope="col">${L(ctx, '推荐名额', 'Slot')}</th><th scope="col">${L(ctx, '办理', 'By')}</th></tr></thead>
<tbody>${p.screenings.map((s) => html`<tr><th scope="row">${provinceLabel(ctx, s.provinceCode)}</th><td>${s.recommended ? html`<span class="badge badge-ok">${L(ctx, '推荐', 'Recommended')}</span>` : html`<span class="badge badge-bad">${L(ctx, '不推荐', 'Not recommended')}</span>`} ${s.opinion}</td><td class="num">${s.slot || '—'}</td><td>${actorText(ctx, s.actor)} ${when(s.at)}</td></tr>`)}</tbody></table></div>`
}
${
  p.selection.length === 0
    ? ''
    : html`<div class="table-wrap"><table data-testid="pilot-selection"><thead><tr><th scope="col">${L(ctx, '部门', 'Department')}</th><th scope="col">${L(ctx, '决定', 'Decision')}</th><th scope="col">${L(ctx, '办理', 'By')}</th></tr></thead>
<tbody>${p.selection.map((d) => html`<tr><th scope="row">${org(ctx, d.organisation)}</th><td>${d.selected ? html`<span class="badge badge-ok">${L(ctx, '同意入选', 'Selected')}</span>` : html`<span class="badge badge-bad">${L(ctx, '不同意', 'Not selected')}</span>`} ${d.opinion}</td><td>${actorText(ctx, d.actor)} ${when(d.at)}</td></tr>`)}</tbody></table></div>`
}</section>

<section aria-labelledby="tasks"><h2 id="tasks">${L(ctx, '试点任务', 'Tasks')}</h2>
<div class="table-wrap"><table data-testid="pilot-tasks"><thead><tr><th scope="col">${L(ctx, '任务', 'Task')}</th><th scope="col">${L(ctx, '进展', 'Status')}</th><th scope="col">${L(ctx, '说明', 'Note')}</th><th scope="col">${L(ctx, '报送时间', 'Reported')}</th></tr></thead>
<tbody>${tasks.map((t) => {
    const r = p.tasks.find((x) => x.task === t);
    return html`<tr data-task="${pilotTaskToJSON(t)}"><th scope="row">${labelIn(ctx, taskLabels, pilotTaskToJSON(t))}</th><td>${r ? labelIn(ctx, taskStatusLabels, taskStatusToJSON(r.status)) : '—'}</td><td>${r?.note ?? ''}</td><td>${when(r?.reportedAt)}</td></tr>`;
  })}</tbody></table></div></section>

${
  p.incidents.length > 0
    ? html`<section aria-labelledby="incidents"><h2 id="incidents">${L(ctx, '重大事件', 'Major incidents')}</h2>
<div class="table-wrap"><table data-testid="pilot-incidents"><thead><tr><th scope="col">${L(ctx, '事件', 'Incident')}</th><th scope="col">${L(ctx, '发生日期', 'Occurred')}</th><th scope="col">${L(ctx, '报告', 'Reported by')}</th><th scope="col">${L(ctx, '处理', 'Decision')}</th></tr></thead>
<tbody>${p.incidents.map((i) => html`<tr><th scope="row">${i.description}</th><td>${formatDate(i.occurredOn)}</td><td>${actorText(ctx, i.reportedBy)} ${when(i.reportedAt)}</td><td>${i.decision === 'CANCEL' ? L(ctx, '撤销试点', 'Cancelled') : i.decision === 'EXTEND' ? `${L(ctx, '延期至', 'Extended to')} ${formatDate(i.extendedTo)}` : html`<span class="badge badge-warn">${L(ctx, '待处理', 'Undecided')}</span>`}</td></tr>`)}</tbody></table></div></section>`
    : ''
}

<section aria-labelledby="evaluation"><h2 id="evaluation">${L(ctx, '评估', 'Evaluation')}</h2>
${
  e && (e.experts.length > 0 || e.conclusion)
    ? html`<h3>${L(ctx, '专家组', 'Expert group')}</h3>
<div class="table-wrap"><table data-testid="pilot-experts"><thead><tr><th scope="col">${L(ctx, '姓名', 'Name')}</th><th scope="col">${L(ctx, '单位', 'Affiliation')}</th><th scope="col">${L(ctx, '国家专家委员会委员', 'National committee')}</th></tr></thead>
<tbody>${e.experts.map((x) => html`<tr><th scope="row">${ctx.identity ? x.name : L(ctx, '（专家）', '(expert)')}</th><td>${org(ctx, x.affiliation)}</td><td>${x.nationalCommittee ? ctx.t('yes') : ctx.t('no')}</td></tr>`)}</tbody></table></div>
<dl class="attributes" data-testid="pilot-evaluation">
<div><dt>${L(ctx, '结论', 'Conclusion')}</dt><dd>${e.conclusion === 'PASS' ? html`<span class="badge badge-ok">${L(ctx, '通过', 'Pass')}</span>` : e.conclusion === 'FAIL' ? html`<span class="badge badge-bad">${L(ctx, '不通过', 'Fail')}</span>` : '—'}</dd></div>
<div><dt>${L(ctx, '得分', 'Score')}</dt><dd>${e.score || '—'}</dd></div>
<div><dt>${L(ctx, '评估意见', 'Summary')}</dt><dd>${e.summary || '—'}</dd></div>
<div><dt>${L(ctx, '评估报告', 'Report')}</dt><dd>${docList(e.report)}</dd></div>
<div><dt>${L(ctx, '抽查复核', 'Spot re-check')}</dt><dd>${e.recheckOutcome === 'CONFIRMED' ? L(ctx, '维持', 'Confirmed') : e.recheckOutcome === 'OVERTURNED' ? L(ctx, '改变', 'Overturned') : '—'} ${e.recheckNote}</dd></div></dl>`
    : html`<p class="muted">${L(ctx, '尚未开始评估。', 'Not evaluated yet.')}</p>`
}</section>

<section aria-labelledby="history"><h2 id="history">${L(ctx, '办理记录', 'History')}</h2>
<ol class="timeline" data-testid="pilot-history">${p.history.map((h) => html`<li data-step="${h.step}"><strong>${labelIn(ctx, stepLabels, h.step)}</strong> · ${when(h.at)} · ${actorText(ctx, h.actor)}${h.summary ? html` — ${h.summary}` : ''}</li>`)}</ol></section>

${
  actions.length > 0
    ? html`<section aria-labelledby="actions"><h2 id="actions">${L(ctx, '办理', 'Act')}</h2>${actions.map((a) => actionForm(ctx, p, a, experts))}</section>`
    : ''
}`;
}

function actionForm(ctx: PageContext, p: Pilot, action: PilotActionName, experts: readonly Expert[]): Html {
  const id = (name: string): string => `${action}-${name}`;
  const yesNo = (name: string, yes: string, no: string): Html =>
    html`<span></span><fieldset><legend>${labelIn(ctx, actionLabels, action)}</legend><label><input type="radio" name="${name}" value="yes" required> ${yes}</label> <label><input type="radio" name="${name}" value="no"> ${no}</label></fieldset>`;
  const note = (label = L(ctx, '说明', 'Note'), required = false): Html =>
    html`<label for="${id('note')}">${label}</label><textarea id="${id('note')}" name="note" rows="2"${required ? html` required` : ''}></textarea>`;
  let fields: Html;
  switch (action) {
    case 'screen':
      fields = html`${yesNo('recommend', L(ctx, '推荐', 'Recommend'), L(ctx, '不推荐', 'Do not recommend'))}<label for="${id('opinion')}">${L(ctx, '省级市场监管、发展改革、财政部门联合意见', 'Joint opinion of the provincial departments')}</label><textarea id="${id('opinion')}" name="opinion" rows="2" required></textarea>`;
      break;
    case 'decideSelection':
      fields = html`${yesNo('select', L(ctx, '同意入选', 'Select'), L(ctx, '不同意', 'Do not select'))}<label for="${id('opinion')}">${L(ctx, '意见', 'Opinion')}</label><textarea id="${id('opinion')}" name="opinion" rows="2"></textarea>
${isSamr(ctx.identity) ? html`<label for="${id('termStart')}">${L(ctx, '试点期开始', 'Term start')}</label><input id="${id('termStart')}" name="termStart" type="date"><label for="${id('termEnd')}">${L(ctx, '试点期结束（一般 2 年）', 'Term end (usually 2 years)')}</label><input id="${id('termEnd')}" name="termEnd" type="date">` : ''}`;
      break;
    case 'reportProgress':
      fields = html`${tasks.map((t) => {
        const current = p.tasks.find((x) => x.task === t)?.status;
        return html`<span></span><fieldset><legend>${labelIn(ctx, taskLabels, pilotTaskToJSON(t))}</legend><label for="${id(`task-${t}-status`)}">${L(ctx, '进展', 'Status')}</label><select id="${id(`task-${t}-status`)}" name="task-${t}-status">${option('', '—', current === undefined)}${[TaskStatus.TASK_STATUS_NOT_STARTED, TaskStatus.TASK_STATUS_IN_PROGRESS, TaskStatus.TASK_STATUS_DONE].map((s) => option(taskStatusToJSON(s), labelIn(ctx, taskStatusLabels, taskStatusToJSON(s)), current === s))}</select>
<label for="${id(`task-${t}-note`)}">${L(ctx, '说明', 'Note')}</label><input id="${id(`task-${t}-note`)}" name="task-${t}-note" type="text"></fieldset>`;
      })}`;
      break;
    case 'reportIncident':
      fields = html`<label for="${id('description')}">${L(ctx, '事件情况', 'What happened')}</label><textarea id="${id('description')}" name="description" rows="2" required></textarea><label for="${id('occurredOn')}">${L(ctx, '发生日期', 'Occurred on')}</label><input id="${id('occurredOn')}" name="occurredOn" type="date" required>`;
      break;
    case 'decideIncident':
      fields = html`<span></span><fieldset><legend>${labelIn(ctx, actionLabels, action)}</legend><label><input type="radio" name="decision" value="extend" required> ${L(ctx, '延期', 'Extend')}</label> <label><input type="radio" name="decision" value="cancel"> ${L(ctx, '撤销试点', 'Cancel the pilot')}</label></fieldset>
<label for="${id('extendedTo')}">${L(ctx, '延期至', 'Extend to')}</label><input id="${id('extendedTo')}" name="extendedTo" type="date">${note()}`;
      break;
    case 'requestEvaluation':
    case 'publishResults':
      fields = note();
      break;
    case 'formExpertGroup':
      fields = html`<span></span><fieldset><legend>${L(ctx, '专家（不少于 5 人，其中国家专家委员会委员不少于 2 人，不含试点地区专家）', 'Experts (at least 5, at least 2 from the national committee, none from the piloting localities)')}</legend>
${experts.length === 0 ? html`<p class="muted">${L(ctx, '专家库为空。', 'No experts registered.')}</p>` : html`<ul class="checks">${experts.map((x) => html`<li><label><input type="checkbox" name="expertIds" value="${x.expertId}"> ${x.name} <span class="muted">${org(ctx, x.affiliation)}${x.nationalCommittee ? L(ctx, ' · 国家专家委员会', ' · national committee') : ''}</span></label></li>`)}</ul>`}</fieldset>`;
      break;
    case 'recordEvaluation':
      fields = html`<label for="${id('conclusion')}">${L(ctx, '结论', 'Conclusion')}</label><select id="${id('conclusion')}" name="conclusion" required>${option('PASS', L(ctx, '通过', 'Pass'), false)}${option('FAIL', L(ctx, '不通过', 'Fail'), false)}</select>
<label for="${id('score')}">${L(ctx, '得分', 'Score')}</label><input id="${id('score')}" name="score" type="text">
<label for="${id('summary')}">${L(ctx, '评估意见', 'Summary')}</label><textarea id="${id('summary')}" name="summary" rows="2" required></textarea>
<label for="${id('report')}">${L(ctx, '评估报告', 'Report')} — ${docsHint(ctx)}</label><textarea id="${id('report')}" name="report" rows="2" required></textarea>`;
      break;
    case 'recheck':
      fields = html`<label for="${id('outcome')}">${L(ctx, '复核结果', 'Outcome')}</label><select id="${id('outcome')}" name="outcome" required>${option('CONFIRMED', L(ctx, '维持', 'Confirmed'), false)}${option('OVERTURNED', L(ctx, '改变', 'Overturned'), false)}</select>${note()}`;
      break;
  }
  return html`<h3 id="${id('title')}">${labelIn(ctx, actionLabels, action)}</h3>
<form method="post" action="${pilotUrl(p.pilotId, `/act/${action}`)}" class="grid-form" data-testid="act-${action}" aria-labelledby="${id('title')}">
${fields}
<span></span><button type="submit">${labelIn(ctx, actionLabels, action)}</button></form>`;
}

export type EvaluationsQuery = { item: string; province: string; kind: string };

export const mayRecordEvaluation = (who: Identity | undefined): boolean =>
  has(who, 'programme-officer') || has(who, 'ministry-staff') || has(who, 'province-officer');

export function evaluationsPage(ctx: PageContext, evaluations: readonly Evaluation[], query: EvaluationsQuery, flash?: Html, form: FormBody = {}): Html {
  const v = (name: string): string => formValue(form, name);
  const evaluationKinds = [
    EvaluationKind.EVALUATION_KIND_EFFECT,
    EvaluationKind.EVALUATION_KIND_SATISFACTION_SURVEY,
    EvaluationKind.EVALUATION_KIND_EQUALISATION_INDICATORS,
  ];
  const kindName = (k: EvaluationKind): string => labelIn(ctx, evaluationKindLabels, evaluationKindToJSON(k));
  return html`${subnav(ctx, 'evaluations')}${flash ?? ''}
<form method="get" action="/programme/evaluations" class="filters" aria-label="${L(ctx, '筛选', 'Filter')}">
  <label for="f-eval-item">${L(ctx, '服务项目', 'Item')}</label><input id="f-eval-item" name="item" value="${query.item}" size="10">
  <label for="f-eval-province">${L(ctx, '省份', 'Province')}</label><select id="f-eval-province" name="province">${option('', L(ctx, '全部', 'Any'), !query.province)}${option('000000', L(ctx, '全国', 'National'), query.province === '000000')}${provinces.map((p) => option(p.code, ctx.lang === 'en' ? p.en : p.name, query.province === p.code))}</select>
  <label for="f-eval-kind">${L(ctx, '类型', 'Kind')}</label><select id="f-eval-kind" name="kind">${option('', L(ctx, '全部', 'Any'), !query.kind)}${evaluationKinds.map((k) => option(evaluationKindToJSON(k), kindName(k), query.kind === evaluationKindToJSON(k)))}</select>
  <button type="submit">${ctx.t('show')}</button>
</form>
${
  evaluations.length === 0
    ? alertBox('info', L(ctx, '没有符合条件的评估记录。', 'No evaluation matches.'))
    : html`<div class="table-wrap"><table data-testid="evaluations"><thead><tr><th scope="col">${L(ctx, '类型', 'Kind')}</th><th scope="col">${L(ctx, '服务项目', 'Item')}</th><th scope="col">${L(ctx, '省份', 'Province')}</th><th scope="col">${L(ctx, '评估期', 'Period')}</th><th scope="col">${L(ctx, '满意度（%）', 'Satisfied (%)')}</th><th scope="col">${L(ctx, '指标', 'Indicators')}</th><th scope="col">${L(ctx, '结论', 'Summary')}</th><th scope="col">${L(ctx, '记录', 'Recorded')}</th></tr></thead>
<tbody>${evaluations.map(
        (x) =>
          html`<tr data-evaluation="${x.evaluationId}"><th scope="row">${kindName(x.kind)}</th><td><a href="/standards/items/${encodeURIComponent(x.itemCode)}">${x.itemCode}</a></td><td>${x.provinceCode === '000000' ? L(ctx, '全国', 'National') : provinceLabel(ctx, x.provinceCode)}</td><td>${x.period}</td><td class="num">${x.satisfactionPercent || '—'}</td><td>${x.indicators.map((i) => `${i.name} ${i.value}${i.unit}`).join('；')}</td><td>${x.summary}</td><td>${org(ctx, x.recordedBy?.organisation ?? '')} ${when(x.recordedAt)}</td></tr>`,
      )}</tbody></table></div>`
}
${
  mayRecordEvaluation(ctx.identity)
    ? html`<section aria-labelledby="record"><h2 id="record">${L(ctx, '记录评估', 'Record an evaluation')}</h2>
<form method="post" action="/programme/evaluations" class="grid-form" data-testid="record-evaluation">
  <label for="kind">${L(ctx, '类型', 'Kind')}</label><select id="kind" name="kind" required>${evaluationKinds.map((k) => option(evaluationKindToJSON(k), kindName(k), v('kind') === evaluationKindToJSON(k)))}</select>
  <label for="itemCode">${L(ctx, '服务项目编号', 'Item code')}</label><input id="itemCode" name="itemCode" type="text" required value="${v('itemCode')}">
  <label for="provinceCode">${L(ctx, '省份', 'Province')}</label><select id="provinceCode" name="provinceCode" required>${option('000000', L(ctx, '全国', 'National'), v('provinceCode') === '000000')}${provinces.map((p) => option(p.code, ctx.lang === 'en' ? p.en : p.name, v('provinceCode') === p.code))}</select>
  <label for="period">${L(ctx, '评估期（YYYY 或 YYYY-MM … YYYY-MM）', 'Period (YYYY or YYYY-MM … YYYY-MM)')}</label><input id="period" name="period" type="text" required value="${v('period')}">
  <label for="method">${L(ctx, '方法', 'Method')}</label><input id="method" name="method" type="text" required value="${v('method')}">
  <label for="sampleSize">${L(ctx, '样本量', 'Sample size')}</label><input id="sampleSize" name="sampleSize" type="number" min="0" value="${v('sampleSize')}">
  <label for="satisfactionPercent">${L(ctx, '满意度（%，满意度调查）', 'Satisfied (%, surveys)')}</label><input id="satisfactionPercent" name="satisfactionPercent" type="text" inputmode="decimal" value="${v('satisfactionPercent')}">
  <label for="indicators">${L(ctx, '指标（每行：名称 | 数值 | 单位）', 'Indicators (one per line: name | value | unit)')}</label><textarea id="indicators" name="indicators" rows="3">${v('indicators')}</textarea>
  <label for="summary">${L(ctx, '结论', 'Summary')}</label><textarea id="summary" name="summary" rows="2" required>${v('summary')}</textarea>
  <label for="documents">${L(ctx, '材料', 'Documents')} — ${docsHint(ctx)}</label><textarea id="documents" name="documents" rows="2" required>${v('documents')}</textarea>
  <span></span><button type="submit">${L(ctx, '记录', 'Record')}</button>
</form></section>`
    : ''
}`;
}

// ---------------------------------------------------------------- routes

export function registerProgrammePages(app: FastifyInstance, deps: { backends: Backends; guarded: Guarded; readable: Guarded }): void {
  const { backends, guarded, readable } = deps;
  const section = 'programme';
  const notPublic = (): never => {
    throw new GatewayHttpError(gatewayError(404, 'NOT_FOUND', 'not published'));
  };
  type Q = Record<string, string | undefined>;
  const enumParam = (value: string | undefined, table: Record<string, unknown>): string => (value && value in table ? value : '');
  const flashOf = (ctx: PageContext, q: Q): Html | undefined => (q['done'] ? alertBox('ok', L(ctx, '已提交。', 'Done.')) : undefined);

  const standardsList = async (ctx: PageContext, token: string, q: Q, flash?: Html, status?: number, form?: FormBody) => {
    const query: StandardsQuery = {
      level: enumParam(q['level'], levelLabels),
      stage: enumParam(q['stage'], stageLabels),
      kind: enumParam(q['kind'], kindLabels),
      item: /^[A-Za-z0-9._-]{1,64}$/.test(q['item'] ?? '') ? (q['item'] ?? '') : '',
    };
    const { standards } = await backends.call(
      'programme',
      (c) => c.listStandards.bind(c),
      {
        level: query.level ? standardLevelFromJSON(query.level) : 0,
        stage: query.stage ? standardStageFromJSON(query.stage) : 0,
        kind: query.kind ? standardKindFromJSON(query.kind) : 0,
        itemCode: query.item,
        fieldCode: '',
      },
      token,
    );
    const visible = ctx.identity ? standards : standards.filter((s) => PUBLIC_STAGES.has(s.stage));
    return {
      title: L(ctx, '技术标准', 'Technical standards'),
      section,
      ...(status ? { status } : {}),
      body: standardsListPage(ctx, visible, query, flash, form),
    };
  };
  const standardShow = async (ctx: PageContext, token: string, standardId: string, flash?: Html, status?: number) => {
    const { standard } = await backends.call('programme', (c) => c.getStandard.bind(c), { standardId }, token);
    if (!standard || (!ctx.identity && !PUBLIC_STAGES.has(standard.stage))) return notPublic();
    return { title: standard.title, section, ...(status ? { status } : {}), body: standardPage(ctx, standard, flash) };
  };
  const pilotsList = async (ctx: PageContext, token: string, q: Q, flash?: Html, status?: number, form?: FormBody) => {
    const query: PilotsQuery = {
      batch: /^[A-Za-z0-9._:-]{1,128}$/.test(q['batch'] ?? '') ? (q['batch'] ?? '') : '',
      status: enumParam(q['status'], pilotStatusLabels),
      province: /^\d{2}0000$/.test(q['province'] ?? '') ? (q['province'] ?? '') : '',
    };
    const [{ pilots }, { batches }] = await Promise.all([
      backends.call(
        'programme',
        (c) => c.listPilots.bind(c),
        { batchId: query.batch, provinceCode: query.province ?? '', status: query.status ? pilotStatusFromJSON(query.status) : 0 },
        token,
      ),
      backends.call('programme', (c) => c.listPilotBatches.bind(c), {}, token),
    ]);
    const visible = ctx.identity ? pilots : pilots.filter((p) => p.status === PilotStatus.PILOT_STATUS_PUBLISHED);
    return {
      title: L(ctx, '标准化试点', 'Standardisation pilots'),
      section,
      ...(status ? { status } : {}),
      body: pilotsListPage(ctx, visible, batches, query, flash, form),
    };
  };
  const pilotShow = async (ctx: PageContext, token: string, pilotId: string, flash?: Html, status?: number) => {
    const { pilot } = await backends.call('programme', (c) => c.getPilot.bind(c), { pilotId }, token);
    if (!pilot || (!ctx.identity && pilot.status !== PilotStatus.PILOT_STATUS_PUBLISHED)) return notPublic();
    const experts = pilotActionsFor(ctx.identity, pilot).includes('formExpertGroup')
      ? (await backends.call('programme', (c) => c.listExperts.bind(c), {}, token).catch(() => ({ experts: [] }))).experts
      : [];
    return { title: pilot.name, section, ...(status ? { status } : {}), body: pilotPage(ctx, pilot, experts, flash) };
  };
  const evaluationsList = async (ctx: PageContext, token: string, q: Q, flash?: Html, status?: number, form?: FormBody) => {
    const query: EvaluationsQuery = {
      item: /^[A-Za-z0-9._-]{1,64}$/.test(q['item'] ?? '') ? (q['item'] ?? '') : '',
      province: /^\d{6}$/.test(q['province'] ?? '') ? (q['province'] ?? '') : '',
      kind: enumParam(q['kind'], evaluationKindLabels),
    };
    const { evaluations } = await backends.call(
      'programme',
      (c) => c.listEvaluations.bind(c),
      { itemCode: query.item, fieldCode: '', provinceCode: query.province, kind: query.kind ? evaluationKindFromJSON(query.kind) : 0 },
      token,
    );
    return {
      title: L(ctx, '实施评估', 'Implementation evaluation'),
      section,
      ...(status ? { status } : {}),
      body: evaluationsPage(ctx, evaluations, query, flash, form),
    };
  };

  app.get(
    '/programme',
    readable(async (_req, ctx, token) => {
      const [progress, coverage] = await Promise.all([
        backends.call('programme', (c) => c.getProgrammeProgress.bind(c), {}, token),
        backends.call('programme', (c) => c.getCoverage.bind(c), {}, token),
      ]);
      return { title: L(ctx, '基本公共服务标准化工作', 'Standardisation programme'), section, body: overviewPage(ctx, progress.targets, coverage.categories) };
    }),
  );
  app.get(
    '/programme/standards',
    readable(async (req, ctx, token) => {
      const q = req.query as Q;
      return standardsList(ctx, token, q, flashOf(ctx, q));
    }),
  );
  app.post(
    '/programme/standards',
    guarded(async (req, ctx, token) => {
      const form = (req.body ?? {}) as FormBody;
      try {
        const { standard } = await backends.change('programme', (c) => c.proposeStandard.bind(c), proposeStandardFromForm(form), token);
        return { redirect: standardUrl(standard?.standardId ?? '') };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return standardsList(ctx, token, {}, r.box, r.status, form);
      }
    }),
  );
  app.get(
    '/programme/standards/:standardId',
    readable(async (req, ctx, token) => standardShow(ctx, token, (req.params as { standardId: string }).standardId)),
  );
  app.post(
    '/programme/standards/:standardId/advance',
    guarded(async (req, ctx, token) => {
      const standardId = (req.params as { standardId: string }).standardId;
      try {
        await backends.change('programme', (c) => c.advanceStandard.bind(c), advanceStandardFromForm(standardId, (req.body ?? {}) as FormBody), token);
        return { redirect: standardUrl(standardId) };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return standardShow(ctx, token, standardId, r.box, r.status);
      }
    }),
  );
  app.get(
    '/programme/pilots',
    readable(async (req, ctx, token) => {
      const q = req.query as Q;
      return pilotsList(ctx, token, q, flashOf(ctx, q));
    }),
  );
  app.post(
    '/programme/batches',
    guarded(async (req, ctx, token) => {
      const form = (req.body ?? {}) as FormBody;
      try {
        const { batch } = await backends.change('programme', (c) => c.openPilotBatch.bind(c), openBatchFromForm(form), token);
        return { redirect: `/programme/pilots${qs({ batch: batch?.batchId })}` };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return pilotsList(ctx, token, {}, r.box, r.status, form);
      }
    }),
  );
  app.post(
    '/programme/pilots',
    guarded(async (req, ctx, token) => {
      const form = (req.body ?? {}) as FormBody;
      try {
        const { pilot } = await backends.change('programme', (c) => c.applyForPilot.bind(c), applyForPilotFromForm(form), token);
        return { redirect: pilotUrl(pilot?.pilotId ?? '') };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return pilotsList(ctx, token, {}, r.box, r.status, form);
      }
    }),
  );
  app.get(
    '/programme/pilots/:pilotId',
    readable(async (req, ctx, token) => pilotShow(ctx, token, (req.params as { pilotId: string }).pilotId)),
  );
  app.post(
    '/programme/pilots/:pilotId/act/:action',
    guarded(async (req, ctx, token) => {
      const { pilotId, action } = req.params as { pilotId: string; action: string };
      try {
        await backends.change('programme', (c) => c.actOnPilot.bind(c), { pilotId, action: pilotActionFromForm(action, (req.body ?? {}) as FormBody) }, token);
        return { redirect: pilotUrl(pilotId) };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return pilotShow(ctx, token, pilotId, r.box, r.status);
      }
    }),
  );
  app.get(
    '/programme/evaluations',
    readable(async (req, ctx, token) => {
      const q = req.query as Q;
      return evaluationsList(ctx, token, q, flashOf(ctx, q));
    }),
  );
  app.post(
    '/programme/evaluations',
    guarded(async (req, ctx, token) => {
      const form = (req.body ?? {}) as FormBody;
      try {
        await backends.change('programme', (c) => c.recordEvaluation.bind(c), recordEvaluationFromForm(form), token);
        return { redirect: `/programme/evaluations${qs({ item: formValue(form, 'itemCode'), done: '1' })}` };
      } catch (e) {
        const r = refusalBox(ctx, e);
        return evaluationsList(ctx, token, {}, r.box, r.status, form);
      }
    }),
  );
}
