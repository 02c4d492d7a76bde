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
import { codesOf, organisationLabel, type LabelGroup } from './i18n';
import { alertBox, labelIn, type PageContext } from './layout';
import type { Guarded } from './page-types';
import { parseDocuments } from './proposal-form';
import { provinceName, provinces } from './provinces';
import { splitCodes } from './subscription-pages';
import { changeOrRefuse } from './work-pages';

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
const pilotStatuses = codesOf('programme.pilotStatusLabel');

const levelLabel = (ctx: PageContext, l: StandardLevel): string => labelIn(ctx, 'programme.levelLabel', standardLevelToJSON(l));
const kindLabel = (ctx: PageContext, k: StandardKind): string => labelIn(ctx, 'programme.kindLabel', standardKindToJSON(k));
const stageLabel = (ctx: PageContext, s: StandardStage): string => labelIn(ctx, 'programme.stageLabel', standardStageToJSON(s));
const statusLabel = (ctx: PageContext, s: PilotStatus): string => labelIn(ctx, 'programme.pilotStatusLabel', pilotStatusToJSON(s));
const when = (d: Date | undefined): string => (d ? chinaMinute(d) : '—');
const org = (ctx: PageContext, code: string): string => (code ? organisationLabel(ctx.lang, code) : '—');
/** The deciding body, and to signed-in people the person (a visitor of the public portal sees bodies only). */
const actorText = (ctx: PageContext, a: Actor | undefined): string =>
  a ? [org(ctx, a.organisation), ctx.identity ? a.subject : ''].filter(Boolean).join(' · ') : '—';
const docList = (docs: readonly DocumentReference[]): Html =>
  docs.length === 0
    ? html`<span class="muted">—</span>`
    : html`<ul>${docs.map((d) => html`<li>${/^https?:\/\//.test(d.uri) ? html`<a href="${d.uri}" rel="noreferrer">${d.title || d.uri}</a>` : d.title || d.uri}${d.digest ? html` <code class="muted">${d.digestAlgorithm}:${d.digest.slice(0, 12)}…</code>` : ''}</li>`)}</ul>`;
const docsHint = (ctx: PageContext): string => ctx.t('programme.onePerLineTitle');
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
    ['/programme', ctx.t('programme.overview'), 'overview'],
    ['/programme/standards', ctx.t('programme.technicalStandards'), 'standards'],
    ['/programme/pilots', ctx.t('programme.pilots'), 'pilots'],
    ['/programme/evaluations', ctx.t('programme.implementationEvaluation'), 'evaluations'],
  ];
  return html`<nav aria-label="${ctx.t('programme.programme')}" class="filters" data-testid="programme-nav">${links.map(
    ([href, label, key]) => html`<a href="${href}"${key === current ? html` aria-current="page"` : ''}>${label}</a>`,
  )}</nav>`;
};

export function overviewPage(ctx: PageContext, targets: readonly Target[], categories: readonly CategoryCoverage[]): Html {
  return html`${subnav(ctx, 'overview')}
<section aria-labelledby="targets"><h2 id="targets">${ctx.t('programme.progressTowardsThe2027')}</h2>
${
  targets.length === 0
    ? html`<p class="muted">${ctx.t('programme.noTargets')}</p>`
    : html`<div class="table-wrap"><table data-testid="programme-targets">
  <thead><tr><th scope="col">${ctx.t('programme.target')}</th><th scope="col">${ctx.t('programme.targetValue')}</th><th scope="col">${ctx.t('programme.achieved')}</th><th scope="col">${ctx.t('programme.inProgress')}</th><th scope="col">${ctx.t('programme.progress')}</th><th scope="col">${ctx.t('programme.due')}</th><th scope="col">${ctx.t('programme.source')}</th></tr></thead>
  <tbody>${targets.map(
    (
      t,
    ) => html`<tr data-target="${t.code}"><th scope="row">${t.title}</th><td class="num">${t.target}</td><td class="num">${t.achieved}</td><td class="num">${t.inProgress}</td>
    <td><progress max="${t.target || 1}" value="${Math.min(t.achieved, t.target || t.achieved)}" aria-label="${t.title}"></progress> ${t.target > 0 ? `${Math.round((t.achieved / t.target) * 100)}%` : ''}</td>
    <td>${formatDate(t.due)}</td><td>${t.source}</td></tr>`,
  )}</tbody></table></div>`
}</section>
<section aria-labelledby="coverage"><h2 id="coverage">${ctx.t('programme.coverageByCategory')}</h2>
<p class="muted">${ctx.t('programme.eachCellInForce')}</p>
${
  categories.length === 0
    ? html`<p class="muted">${ctx.t('programme.noCategories')}</p>`
    : html`<div class="table-wrap"><table data-testid="coverage">
  <thead><tr><th scope="col">${ctx.t('common.field')}</th><th scope="col">${ctx.t('common.category')}</th><th scope="col">${ctx.t('programme.items')}</th>${kinds.map((k) => html`<th scope="col">${kindLabel(ctx, k)}</th>`)}<th scope="col">${ctx.t('programme.missingKinds')}</th><th scope="col">${ctx.t('programme.itemsWithoutAStandard')}</th></tr></thead>
  <tbody>${categories.map((c) => {
    const missing = new Set(c.missing);
    return html`<tr data-category="${c.categoryCode}"><td>${c.fieldName || c.fieldCode}</td><th scope="row">${c.categoryName || c.categoryCode} <span class="muted">${c.categoryCode}</span></th><td class="num">${c.itemCount}</td>
    ${kinds.map((k) => {
      const kc = c.kinds.find((x) => x.kind === k);
      return html`<td class="num${missing.has(k) ? ' cell-below' : ''}" data-kind="${standardKindToJSON(k)}">${kc?.inForce ?? 0} / ${kc?.inProgress ?? 0}</td>`;
    })}
    <td data-testid="missing">${c.missing.length === 0 ? html`<span class="badge badge-ok">${ctx.t('programme.complete')}</span>` : c.missing.map((k) => html`<span class="badge badge-bad">${kindLabel(ctx, k)}</span> `)}</td>
    <td>${c.itemsWithoutStandard.map((i) => html`<a href="/standards/items/${encodeURIComponent(i)}">${i}</a> `)}</td></tr>`;
  })}</tbody></table></div>`
}</section>`;
}

export type StandardsQuery = { level: string; stage: string; kind: string; item: string };

export function standardsListPage(ctx: PageContext, standards: readonly TechnicalStandard[], query: StandardsQuery, flash?: Html, form: FormBody = {}): Html {
  const v = (name: string): string => formValue(form, name);
  return html`${subnav(ctx, 'standards')}${flash ?? ''}
<form method="get" action="/programme/standards" class="filters" aria-label="${ctx.t('common.filter')}">
  <label for="f-level">${ctx.t('programme.level')}</label><select id="f-level" name="level">${option('', ctx.t('programme.any'), !query.level)}${levels.map((l) => option(standardLevelToJSON(l), levelLabel(ctx, l), query.level === standardLevelToJSON(l)))}</select>
  <label for="f-stage">${ctx.t('programme.stage')}</label><select id="f-stage" name="stage">${option('', ctx.t('programme.any'), !query.stage)}${stageOrder.map((s) => option(standardStageToJSON(s), stageLabel(ctx, s), query.stage === standardStageToJSON(s)))}</select>
  <label for="f-kind">${ctx.t('common.kind')}</label><select id="f-kind" name="kind">${option('', ctx.t('programme.any'), !query.kind)}${kinds.map((k) => option(standardKindToJSON(k), kindLabel(ctx, k), query.kind === standardKindToJSON(k)))}</select>
  <label for="f-item">${ctx.t('common.item')}</label><input id="f-item" name="item" value="${query.item}" size="10">
  <button type="submit">${ctx.t('common.show')}</button>
</form>
${
  standards.length === 0
    ? alertBox('info', ctx.t('programme.noTechnicalStandardMatches'))
    : html`<div class="table-wrap"><table data-testid="standards">
  <thead><tr><th scope="col">${ctx.t('programme.title')}</th><th scope="col">${ctx.t('programme.number')}</th><th scope="col">${ctx.t('programme.level')}</th><th scope="col">${ctx.t('common.kind')}</th><th scope="col">${ctx.t('programme.stage')}</th><th scope="col">${ctx.t('programme.supportedItems')}</th><th scope="col">${ctx.t('programme.proposedBy')}</th></tr></thead>
  <tbody>${standards.map(
    (s) =>
      html`<tr data-standard="${s.standardId}"><th scope="row"><a href="${standardUrl(s.standardId)}">${s.title}</a></th><td>${s.number || '—'}</td><td>${levelLabel(ctx, s.level)}${s.level === StandardLevel.STANDARD_LEVEL_NATIONAL ? (s.mandatory ? ' (GB)' : ' (GB/T)') : ''}</td><td>${kindLabel(ctx, s.kind)}</td><td><span class="badge">${stageLabel(ctx, s.stage)}</span></td><td>${s.itemCodes.join('、')}</td><td>${org(ctx, s.proposerOrganisation)}</td></tr>`,
  )}</tbody></table></div>`
}
${
  mayProposeStandard(ctx.identity)
    ? html`<section aria-labelledby="propose"><h2 id="propose">${ctx.t('programme.proposeAStandard')}</h2>
<p class="muted">${ctx.t('programme.everyItemMustBe')}</p>
<form method="post" action="/programme/standards" class="grid-form" data-testid="propose-standard">
  <label for="title">${ctx.t('programme.title')}</label><input id="title" name="title" type="text" required value="${v('title')}">
  <label for="level">${ctx.t('programme.level')}</label><select id="level" name="level" required>${levels.map((l) => option(standardLevelToJSON(l), levelLabel(ctx, l), v('level') === standardLevelToJSON(l)))}</select>
  <label for="mandatory">${ctx.t('programme.mandatoryNationalStandardGb')}</label><input id="mandatory" name="mandatory" type="checkbox"${v('mandatory') ? html` checked` : ''}>
  <label for="kind">${ctx.t('programme.kind')}</label><select id="kind" name="kind" required>${kinds.map((k) => option(standardKindToJSON(k), kindLabel(ctx, k), v('kind') === standardKindToJSON(k)))}</select>
  <label for="itemCodes">${ctx.t('programme.itemCodesSpaceOr')}</label><input id="itemCodes" name="itemCodes" type="text" required value="${v('itemCodes')}">
  <label for="provinceCode">${ctx.t('programme.provinceLocalStandardsOnly')}</label><select id="provinceCode" name="provinceCode">${option('', '—', !v('provinceCode'))}${provinces.map((p) => option(p.code, provinceName(p.code, ctx.lang), v('provinceCode') === p.code))}</select>
  <label for="supportingMeasures">${ctx.t('programme.supportingMeasures')} — ${docsHint(ctx)}</label><textarea id="supportingMeasures" name="supportingMeasures" rows="3" required>${v('supportingMeasures')}</textarea>
  <label for="revisesStandardId">${ctx.t('programme.revisesStandardOptional')}</label><input id="revisesStandardId" name="revisesStandardId" type="text" value="${v('revisesStandardId')}">
  <span></span><button type="submit">${ctx.t('programme.propose')}</button>
</form></section>`
    : ''
}`;
}

export function standardPage(ctx: PageContext, s: TechnicalStandard, flash?: Html): Html {
  const rows: [string, Html | string][] = [
    [ctx.t('programme.number'), s.number || '—'],
    [
      ctx.t('programme.level'),
      `${levelLabel(ctx, s.level)}${s.level === StandardLevel.STANDARD_LEVEL_NATIONAL ? (s.mandatory ? ctx.t('programme.gbMandatory') : ctx.t('programme.gbTRecommended')) : ''}`,
    ],
    [ctx.t('common.kind'), kindLabel(ctx, s.kind)],
    [ctx.t('programme.stage'), html`<span class="badge" data-testid="stage">${stageLabel(ctx, s.stage)}</span>`],
    [ctx.t('programme.supportedItems'), html`${s.itemCodes.map((i) => html`<a href="/standards/items/${encodeURIComponent(i)}">${i}</a> `)}`],
    [ctx.t('programme.fieldsCategories'), [...s.fieldCodes, ...s.categoryCodes].join('、') || '—'],
    [ctx.t('programme.proposedBy'), org(ctx, s.proposerOrganisation)],
    ...(s.provinceCode ? [[ctx.t('common.province'), provinceName(s.provinceCode, ctx.lang)] as [string, string]] : []),
    [ctx.t('programme.issuingBody'), s.issuingBody || '—'],
    [ctx.t('programme.publishedOn'), formatDate(s.publishedOn) || '—'],
    [ctx.t('programme.inForceFrom'), formatDate(s.implementedOn) || '—'],
    ...(s.revisesStandardId
      ? [[ctx.t('programme.revises'), html`<a href="${standardUrl(s.revisesStandardId)}">${s.revisesStandardId}</a>`] as [string, Html]]
      : []),
    [ctx.t('programme.supportingMeasures'), docList(s.supportingMeasures)],
    [ctx.t('programme.demandSurvey'), docList(s.demandSurvey)],
    [ctx.t('programme.fiscalCostEstimate'), docList(s.costEstimate)],
    [
      ctx.t('programme.financeDepartmentAgreement'),
      s.financeAgreement ? html`${org(ctx, s.financeAgreement.organisation)} ${docList(s.financeAgreement.documents)}` : html`<span class="muted">—</span>`,
    ],
  ];
  const stageIndex = stageOrder.indexOf(s.stage);
  return html`${subnav(ctx, 'standards')}${flash ?? ''}
<ol class="phases" data-testid="stages" aria-label="${ctx.t('programme.standardsLife')}">${stageOrder.slice(0, 6).map((st, i) => html`<li data-stage="${standardStageToJSON(st)}"${st === s.stage ? html` aria-current="step" class="current"` : i < stageIndex ? html` class="done"` : ''}>${stageLabel(ctx, st)}</li>`)}</ol>
<dl class="attributes" data-testid="standard">${rows.map(([k, val]) => html`<div><dt>${k}</dt><dd>${val}</dd></div>`)}</dl>
<section aria-labelledby="stage-history"><h2 id="stage-history">${ctx.t('programme.stageHistory')}</h2>
<div class="table-wrap"><table data-testid="stage-history"><thead><tr><th scope="col">${ctx.t('programme.stage')}</th><th scope="col">${ctx.t('programme.whenBeijingTime')}</th><th scope="col">${ctx.t('programme.by')}</th><th scope="col">${ctx.t('programme.note')}</th></tr></thead>
<tbody>${s.history.map((h) => html`<tr><th scope="row">${stageLabel(ctx, h.stage)}</th><td>${when(h.at)}</td><td>${actorText(ctx, h.actor)}</td><td>${h.note}</td></tr>`)}</tbody></table></div></section>
${mayAdvanceStandard(ctx.identity, s) ? advanceForm(ctx, s) : ''}`;
}

function advanceForm(ctx: PageContext, s: TechnicalStandard): Html {
  const next = stagesFor(ctx.identity, s);
  const leavingDrafting = s.stage === StandardStage.STANDARD_STAGE_DRAFTING && next.includes(StandardStage.STANDARD_STAGE_CONSULTATION);
  const toPublished = next.includes(StandardStage.STANDARD_STAGE_PUBLISHED);
  const toInForce = next.includes(StandardStage.STANDARD_STAGE_IN_FORCE);
  const financeDefault = s.level === StandardLevel.STANDARD_LEVEL_LOCAL ? s.provinceCode : 'MOF';
  return html`<section aria-labelledby="advance"><h2 id="advance">${ctx.t('programme.moveToTheNext')}</h2>
<form method="post" action="${standardUrl(s.standardId, '/advance')}" class="grid-form" data-testid="advance-standard">
  <input type="hidden" name="expectedRevision" value="${s.revision}">
  <label for="to">${ctx.t('programme.to')}</label><select id="to" name="to">${next.map((st) => option(standardStageToJSON(st), stageLabel(ctx, st), false))}</select>
  ${
    leavingDrafting
      ? html`<span></span><p class="muted">${ctx.t('programme.leavingDraftingNeedsThe')}</p>
  <label for="demandSurvey">${ctx.t('programme.demandSurvey')} — ${docsHint(ctx)}</label><textarea id="demandSurvey" name="demandSurvey" rows="2"></textarea>
  <label for="costEstimate">${ctx.t('programme.fiscalCostEstimate')} — ${docsHint(ctx)}</label><textarea id="costEstimate" name="costEstimate" rows="2"></textarea>
  <label for="financeOrganisation">${ctx.t('programme.financeDepartment')}</label><input id="financeOrganisation" name="financeOrganisation" type="text" value="${financeDefault}">
  <label for="financeDocuments">${ctx.t('programme.financeDepartmentOpinion')} — ${docsHint(ctx)}</label><textarea id="financeDocuments" name="financeDocuments" rows="2"></textarea>`
      : ''
  }
  ${
    toPublished
      ? html`<label for="number">${ctx.t('programme.numberEGGb')}</label><input id="number" name="number" type="text">
  <label for="issuingBody">${ctx.t('programme.issuingBody')}</label><input id="issuingBody" name="issuingBody" type="text">
  <label for="publishedOn">${ctx.t('programme.publishedOn')}</label><input id="publishedOn" name="publishedOn" type="date">`
      : ''
  }
  ${toInForce ? html`<label for="implementedOn">${ctx.t('programme.inForceFrom')}</label><input id="implementedOn" name="implementedOn" type="date">` : ''}
  <label for="note">${ctx.t('programme.note')}</label><textarea id="note" name="note" rows="2"></textarea>
  <span></span><button type="submit">${ctx.t('programme.submit')}</button>
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
<section aria-labelledby="batches"><h2 id="batches">${ctx.t('programme.pilotBatches')}</h2>
${
  batches.length === 0
    ? html`<p class="muted">${ctx.t('programme.noCallForApplications')}</p>`
    : html`<div class="table-wrap"><table data-testid="batches"><thead><tr><th scope="col">${ctx.t('programme.batch')}</th><th scope="col">${ctx.t('programme.nameTitle')}</th><th scope="col">${ctx.t('programme.applicationsClose')}</th><th scope="col">${ctx.t('programme.candidatesPerProvince')}</th></tr></thead>
  <tbody>${batches.map((b) => html`<tr data-batch="${b.batchId}"><th scope="row"><a href="/programme/pilots${qs({ batch: b.batchId })}">${b.batchId}</a></th><td>${b.title}</td><td>${formatDate(b.applicationsClose)}</td><td class="num">${b.candidatesPerProvince}</td></tr>`)}</tbody></table></div>`
}
${isSamr(ctx.identity) ? openBatchForm(ctx, form) : ''}
</section>
<section aria-labelledby="pilots"><h2 id="pilots">${ctx.t('programme.standardisationPilots')}</h2>
<form method="get" action="/programme/pilots" class="filters" aria-label="${ctx.t('common.filter')}">
  <label for="f-batch">${ctx.t('programme.batch')}</label><select id="f-batch" name="batch">${option('', ctx.t('programme.any'), !query.batch)}${batches.map((b) => option(b.batchId, b.batchId, query.batch === b.batchId))}</select>
  <label for="f-province">${ctx.t('common.province')}</label><select id="f-province" name="province">${option('', ctx.t('programme.any'), !query.province)}${provinces.map((p) => option(p.code, provinceName(p.code, ctx.lang), query.province === p.code))}</select>
  <label for="f-status">${ctx.t('common.status')}</label><select id="f-status" name="status">${option('', ctx.t('programme.any'), !query.status)}${pilotStatuses.map((s) => option(s, labelIn(ctx, 'programme.pilotStatusLabel', s), query.status === s))}</select>
  <button type="submit">${ctx.t('common.show')}</button>
</form>
${
  pilots.length === 0
    ? alertBox('info', ctx.t('programme.noPilotMatches'))
    : [...byBatch].map(
        ([batchId, list]) => html`<h3>${batchTitle(batchId)} <span class="muted">${batchId}</span></h3>
<div class="table-wrap"><table data-testid="pilots" data-batch="${batchId}"><thead><tr><th scope="col">${ctx.t('programme.name')}</th><th scope="col">${ctx.t('programme.type')}</th><th scope="col">${ctx.t('programme.localities')}</th><th scope="col">${ctx.t('programme.period')}</th><th scope="col">${ctx.t('common.status')}</th></tr></thead>
<tbody>${list.map(
          (p) =>
            html`<tr data-pilot="${p.pilotId}"><th scope="row"><a href="${pilotUrl(p.pilotId)}">${p.name}</a></th><td>${labelIn(ctx, 'programme.pilotTypeLabel', pilotTypeToJSON(p.type))}</td><td>${p.localities.map((l) => l.localityName || l.localityCode).join('、')}</td><td>${p.periodStart} — ${p.periodEnd}</td><td><span class="badge">${statusLabel(ctx, p.status)}</span></td></tr>`,
        )}</tbody></table></div>`,
      )
}
</section>
${locality ? applyForm(ctx, locality, batches, form) : ''}`;
}

function openBatchForm(ctx: PageContext, form: FormBody): Html {
  const v = (name: string): string => formValue(form, name);
  return html`<details${v('form') === 'batch' ? html` open` : ''}><summary data-testid="open-batch-toggle">${ctx.t('programme.openACallFor')}</summary>
<form method="post" action="/programme/batches" class="grid-form" data-testid="open-batch">
  <input type="hidden" name="form" value="batch">
  <label for="batchId">${ctx.t('programme.batchIdEG')}</label><input id="batchId" name="batchId" type="text" required pattern="[A-Za-z0-9._:-]+" value="${v('batchId')}">
  <label for="batchTitle">${ctx.t('programme.batchTitle')}</label><input id="batchTitle" name="title" type="text" required value="${v('title')}">
  <label for="applicationsClose">${ctx.t('programme.applicationDeadline')}</label><input id="applicationsClose" name="applicationsClose" type="date" required value="${v('applicationsClose')}">
  <span></span><button type="submit">${ctx.t('programme.open')}</button>
</form></details>`;
}

function applyForm(ctx: PageContext, locality: string, batches: readonly PilotBatch[], form: FormBody): Html {
  const v = (name: string): string => formValue(form, name);
  const types = [PilotType.PILOT_TYPE_COMPREHENSIVE, PilotType.PILOT_TYPE_SPECIAL, PilotType.PILOT_TYPE_REGIONAL_COORDINATION];
  return html`<section aria-labelledby="apply"><h2 id="apply">${ctx.t('programme.applyForAPilot')}</h2>
<p class="muted">${ctx.t('programme.regionalCoordinationEveryPartner')}</p>
<form method="post" action="/programme/pilots" class="grid-form" data-testid="apply-pilot">
  <label for="apply-batch">${ctx.t('programme.batch')}</label><select id="apply-batch" name="batchId" required>${batches.map((b) => option(b.batchId, `${b.batchId} ${b.title}`, v('batchId') === b.batchId))}</select>
  <label for="name">${ctx.t('programme.name')}</label><input id="name" name="name" type="text" required value="${v('name')}" placeholder="XXX 基本公共服务标准化试点">
  <label for="type">${ctx.t('programme.pilotTypeField')}</label><select id="type" name="type" required>${types.map((t) => option(pilotTypeToJSON(t), labelIn(ctx, 'programme.pilotTypeLabel', pilotTypeToJSON(t)), v('type') === pilotTypeToJSON(t)))}</select>
  <label for="periodStart">${ctx.t('programme.periodStartYyyyMm')}</label><input id="periodStart" name="periodStart" type="text" required pattern="\\d{4}-\\d{2}" placeholder="2026-07" value="${v('periodStart')}">
  <label for="periodEnd">${ctx.t('programme.periodEndYyyyMm')}</label><input id="periodEnd" name="periodEnd" type="text" required pattern="\\d{4}-\\d{2}" placeholder="2028-06" value="${v('periodEnd')}">
  <label for="fieldCodes">${ctx.t('programme.fieldsOfASpecial')}</label><input id="fieldCodes" name="fieldCodes" type="text" value="${v('fieldCodes')}">
  <label for="localityCode">${ctx.t('programme.localityCode')}</label><input id="localityCode" name="localityCode" type="text" readonly value="${locality}">
  <label for="localityName">${ctx.t('programme.localityName')}</label><input id="localityName" name="localityName" type="text" required value="${v('localityName')}">
  <label for="partnerLocalityCodes">${ctx.t('programme.otherLocalitiesOfA')}</label><input id="partnerLocalityCodes" name="partnerLocalityCodes" type="text" value="${v('partnerLocalityCodes')}">
  <label for="groundwork">${ctx.t('programme.groundwork')}</label><textarea id="groundwork" name="groundwork" rows="2" required>${v('groundwork')}</textarea>
  <label for="policyAndFundingSupport">${ctx.t('programme.policyAndFundingSupport')}</label><textarea id="policyAndFundingSupport" name="policyAndFundingSupport" rows="2" required>${v('policyAndFundingSupport')}</textarea>
  <label for="majorIncidentInThreeYears">${ctx.t('programme.majorIncidentInThe')}</label><input id="majorIncidentInThreeYears" name="majorIncidentInThreeYears" type="checkbox"${v('majorIncidentInThreeYears') ? html` checked` : ''}>
  <label for="goals">${ctx.t('programme.goals')}</label><textarea id="goals" name="goals" rows="2" required>${v('goals')}</textarea>
  <label for="workPlan">${ctx.t('programme.workPlan')}</label><textarea id="workPlan" name="workPlan" rows="2" required>${v('workPlan')}</textarea>
  <label for="funding">${ctx.t('programme.funding')}</label><textarea id="funding" name="funding" rows="2" required>${v('funding')}</textarea>
  <label for="documents">${ctx.t('programme.documents')} — ${docsHint(ctx)}</label><textarea id="documents" name="documents" rows="2">${v('documents')}</textarea>
  <span></span><button type="submit">${ctx.t('programme.apply')}</button>
</form></section>`;
}

export function pilotPage(ctx: PageContext, shown: Pilot, experts: readonly Expert[] = [], flash?: Html): Html {
  // A visitor of the public portal sees no expert's name.
  const p = ctx.identity ? shown : withoutExpertNames(shown);
  const actions = pilotActionsFor(ctx.identity, p);
  const e = p.evaluation;
  return html`${subnav(ctx, 'pilots')}${flash ?? ''}
<dl class="attributes" data-testid="pilot"><div><dt>${ctx.t('common.status')}</dt><dd><span class="badge" data-testid="pilot-status" data-status="${pilotStatusToJSON(p.status)}">${statusLabel(ctx, p.status)}</span></dd></div>
<div><dt>${ctx.t('programme.batch')}</dt><dd>${p.batchId}</dd></div>
<div><dt>${ctx.t('programme.type')}</dt><dd>${labelIn(ctx, 'programme.pilotTypeLabel', pilotTypeToJSON(p.type))}</dd></div>
<div><dt>${ctx.t('programme.period')}</dt><dd>${p.periodStart} — ${p.periodEnd}</dd></div>
<div><dt>${ctx.t('programme.term')}</dt><dd>${p.termStart || p.termEnd ? `${formatDate(p.termStart) || '—'} — ${formatDate(p.termEnd) || '—'}` : ctx.t('programme.setAtSelection')}</dd></div>
<div><dt>${ctx.t('programme.provinces')}</dt><dd>${p.provinceCodes.map((c) => provinceName(c, ctx.lang)).join('、')}</dd></div>
${p.fieldCodes.length > 0 ? html`<div><dt>${ctx.t('common.fields')}</dt><dd>${p.fieldCodes.join('、')}</dd></div>` : ''}
${p.publishedAt ? html`<div><dt>${ctx.t('programme.resultsPublished')}</dt><dd>${when(p.publishedAt)}</dd></div>` : ''}</dl>

<section aria-labelledby="localities"><h2 id="localities">${ctx.t('programme.localities')}</h2>
<div class="table-wrap"><table data-testid="pilot-localities"><thead><tr><th scope="col">${ctx.t('programme.locality')}</th><th scope="col">${ctx.t('programme.code')}</th><th scope="col">${ctx.t('common.province')}</th><th scope="col">${ctx.t('programme.applied')}</th><th scope="col">${ctx.t('programme.groundwork')}</th></tr></thead>
<tbody>${p.localities.map((l) => html`<tr data-locality="${l.localityCode}"><th scope="row">${l.localityName || l.localityCode}</th><td>${l.localityCode}</td><td>${provinceName(l.provinceCode, ctx.lang)}</td><td>${l.applied ? html`<span class="badge badge-ok">${ctx.t('programme.filed')}</span>` : html`<span class="badge badge-warn">${ctx.t('programme.notYet')}</span>`}</td><td>${l.application?.groundwork ?? ''}</td></tr>`)}</tbody></table></div></section>

<section aria-labelledby="screening"><h2 id="screening">${ctx.t('programme.screeningAndSelection')}</h2>
${
  p.screenings.length === 0
    ? html`<p class="muted">${ctx.t('programme.noProvincialScreeningYet')}</p>`
    : html`<div class="table-wrap"><table data-testid="pilot-screenings"><thead><tr><th scope="col">${ctx.t('common.province')}</th><th scope="col">${ctx.t('programme.opinion')}</th><th scope="col">${ctx.t('programme.slot')}</th><th scope="col">${ctx.t('programme.by')}</th></tr></thead>
<tbody>${p.screenings.map((s) => html`<tr><th scope="row">${provinceName(s.provinceCode, ctx.lang)}</th><td>${s.recommended ? html`<span class="badge badge-ok">${ctx.t('programme.recommended')}</span>` : html`<span class="badge badge-bad">${ctx.t('programme.notRecommended')}</span>`} ${s.opinion}</td><td class="num">${s.slot || '—'}</td><td>${actorText(ctx, s.actor)} ${when(s.at)}</td></tr>`)}</tbody></table></div>`
}
${
  p.selection.length === 0
    ? ''
    : html`<div class="table-wrap"><table data-testid="pilot-selection"><thead><tr><th scope="col">${ctx.t('programme.department')}</th><th scope="col">${ctx.t('programme.decision')}</th><th scope="col">${ctx.t('programme.by')}</th></tr></thead>
<tbody>${p.selection.map((d) => html`<tr><th scope="row">${org(ctx, d.organisation)}</th><td>${d.selected ? html`<span class="badge badge-ok">${ctx.t('programme.selected')}</span>` : html`<span class="badge badge-bad">${ctx.t('programme.notSelected')}</span>`} ${d.opinion}</td><td>${actorText(ctx, d.actor)} ${when(d.at)}</td></tr>`)}</tbody></table></div>`
}</section>

<section aria-labelledby="tasks"><h2 id="tasks">${ctx.t('programme.tasks')}</h2>
<div class="table-wrap"><table data-testid="pilot-tasks"><thead><tr><th scope="col">${ctx.t('programme.task')}</th><th scope="col">${ctx.t('programme.status')}</th><th scope="col">${ctx.t('programme.note')}</th><th scope="col">${ctx.t('programme.reported')}</th></tr></thead>
<tbody>${tasks.map((t) => {
    const r = p.tasks.find((x) => x.task === t);
    return html`<tr data-task="${pilotTaskToJSON(t)}"><th scope="row">${labelIn(ctx, 'programme.taskLabel', pilotTaskToJSON(t))}</th><td>${r ? labelIn(ctx, 'programme.taskStatusLabel', taskStatusToJSON(r.status)) : '—'}</td><td>${r?.note ?? ''}</td><td>${when(r?.reportedAt)}</td></tr>`;
  })}</tbody></table></div></section>

${
  p.incidents.length > 0
    ? html`<section aria-labelledby="incidents"><h2 id="incidents">${ctx.t('programme.majorIncidents')}</h2>
<div class="table-wrap"><table data-testid="pilot-incidents"><thead><tr><th scope="col">${ctx.t('programme.incident')}</th><th scope="col">${ctx.t('programme.occurred')}</th><th scope="col">${ctx.t('programme.reportedBy')}</th><th scope="col">${ctx.t('programme.handling')}</th></tr></thead>
<tbody>${p.incidents.map((i) => html`<tr><th scope="row">${i.description}</th><td>${formatDate(i.occurredOn)}</td><td>${actorText(ctx, i.reportedBy)} ${when(i.reportedAt)}</td><td>${i.decision === 'CANCEL' ? ctx.t('programme.cancelled') : i.decision === 'EXTEND' ? `${ctx.t('programme.extendedTo')} ${formatDate(i.extendedTo)}` : html`<span class="badge badge-warn">${ctx.t('programme.undecided')}</span>`}</td></tr>`)}</tbody></table></div></section>`
    : ''
}

<section aria-labelledby="evaluation"><h2 id="evaluation">${ctx.t('programme.evaluation')}</h2>
${
  e && (e.experts.length > 0 || e.conclusion)
    ? html`<h3>${ctx.t('programme.expertGroup')}</h3>
<div class="table-wrap"><table data-testid="pilot-experts"><thead><tr><th scope="col">${ctx.t('programme.personName')}</th><th scope="col">${ctx.t('programme.affiliation')}</th><th scope="col">${ctx.t('programme.nationalCommittee')}</th></tr></thead>
<tbody>${e.experts.map((x) => html`<tr><th scope="row">${ctx.identity ? x.name : ctx.t('programme.expert')}</th><td>${org(ctx, x.affiliation)}</td><td>${x.nationalCommittee ? ctx.t('common.yes') : ctx.t('common.no')}</td></tr>`)}</tbody></table></div>
<dl class="attributes" data-testid="pilot-evaluation">
<div><dt>${ctx.t('programme.conclusion')}</dt><dd>${e.conclusion === 'PASS' ? html`<span class="badge badge-ok">${ctx.t('programme.pass')}</span>` : e.conclusion === 'FAIL' ? html`<span class="badge badge-bad">${ctx.t('programme.fail')}</span>` : '—'}</dd></div>
<div><dt>${ctx.t('programme.score')}</dt><dd>${e.score || '—'}</dd></div>
<div><dt>${ctx.t('programme.summary')}</dt><dd>${e.summary || '—'}</dd></div>
<div><dt>${ctx.t('programme.report')}</dt><dd>${docList(e.report)}</dd></div>
<div><dt>${ctx.t('programme.spotReCheck')}</dt><dd>${e.recheckOutcome === 'CONFIRMED' ? ctx.t('programme.confirmed') : e.recheckOutcome === 'OVERTURNED' ? ctx.t('programme.overturned') : '—'} ${e.recheckNote}</dd></div></dl>`
    : html`<p class="muted">${ctx.t('programme.notEvaluatedYet')}</p>`
}</section>

<section aria-labelledby="history"><h2 id="history">${ctx.t('programme.history')}</h2>
<ol class="timeline" data-testid="pilot-history">${p.history.map((h) => html`<li data-step="${h.step}"><strong>${labelIn(ctx, 'programme.stepLabel', h.step)}</strong> · ${when(h.at)} · ${actorText(ctx, h.actor)}${h.summary ? html` — ${h.summary}` : ''}</li>`)}</ol></section>

${
  actions.length > 0
    ? html`<section aria-labelledby="actions"><h2 id="actions">${ctx.t('programme.act')}</h2>${actions.map((a) => actionForm(ctx, p, a, experts))}</section>`
    : ''
}`;
}

function actionForm(ctx: PageContext, p: Pilot, action: PilotActionName, experts: readonly Expert[]): Html {
  const id = (name: string): string => `${action}-${name}`;
  const yesNo = (name: string, yes: string, no: string): Html =>
    html`<span></span><fieldset><legend>${labelIn(ctx, 'programme.actionLabel', action)}</legend><label><input type="radio" name="${name}" value="yes" required> ${yes}</label> <label><input type="radio" name="${name}" value="no"> ${no}</label></fieldset>`;
  const note = (label = ctx.t('programme.note'), required = false): Html =>
    html`<label for="${id('note')}">${label}</label><textarea id="${id('note')}" name="note" rows="2"${required ? html` required` : ''}></textarea>`;
  let fields: Html;
  switch (action) {
    case 'screen':
      fields = html`${yesNo('recommend', ctx.t('programme.recommend'), ctx.t('programme.doNotRecommend'))}<label for="${id('opinion')}">${ctx.t('programme.jointOpinionOfThe')}</label><textarea id="${id('opinion')}" name="opinion" rows="2" required></textarea>`;
      break;
    case 'decideSelection':
      fields = html`${yesNo('select', ctx.t('programme.select'), ctx.t('programme.doNotSelect'))}<label for="${id('opinion')}">${ctx.t('programme.opinion')}</label><textarea id="${id('opinion')}" name="opinion" rows="2"></textarea>
${isSamr(ctx.identity) ? html`<label for="${id('termStart')}">${ctx.t('programme.termStart')}</label><input id="${id('termStart')}" name="termStart" type="date"><label for="${id('termEnd')}">${ctx.t('programme.termEndField')}</label><input id="${id('termEnd')}" name="termEnd" type="date">` : ''}`;
      break;
    case 'reportProgress':
      fields = html`${tasks.map((t) => {
        const current = p.tasks.find((x) => x.task === t)?.status;
        return html`<span></span><fieldset><legend>${labelIn(ctx, 'programme.taskLabel', pilotTaskToJSON(t))}</legend><label for="${id(`task-${t}-status`)}">${ctx.t('programme.status')}</label><select id="${id(`task-${t}-status`)}" name="task-${t}-status">${option('', '—', current === undefined)}${[TaskStatus.TASK_STATUS_NOT_STARTED, TaskStatus.TASK_STATUS_IN_PROGRESS, TaskStatus.TASK_STATUS_DONE].map((s) => option(taskStatusToJSON(s), labelIn(ctx, 'programme.taskStatusLabel', taskStatusToJSON(s)), current === s))}</select>
<label for="${id(`task-${t}-note`)}">${ctx.t('programme.note')}</label><input id="${id(`task-${t}-note`)}" name="task-${t}-note" type="text"></fieldset>`;
      })}`;
      break;
    case 'reportIncident':
      fields = html`<label for="${id('description')}">${ctx.t('programme.whatHappened')}</label><textarea id="${id('description')}" name="description" rows="2" required></textarea><label for="${id('occurredOn')}">${ctx.t('programme.occurredOn')}</label><input id="${id('occurredOn')}" name="occurredOn" type="date" required>`;
      break;
    case 'decideIncident':
      fields = html`<span></span><fieldset><legend>${labelIn(ctx, 'programme.actionLabel', action)}</legend><label><input type="radio" name="decision" value="extend" required> ${ctx.t('programme.extend')}</label> <label><input type="radio" name="decision" value="cancel"> ${ctx.t('programme.cancelThePilot')}</label></fieldset>
<label for="${id('extendedTo')}">${ctx.t('programme.extendTo')}</label><input id="${id('extendedTo')}" name="extendedTo" type="date">${note()}`;
      break;
    case 'requestEvaluation':
    case 'publishResults':
      fields = note();
      break;
    case 'formExpertGroup':
      fields = html`<span></span><fieldset><legend>${ctx.t('programme.expertsAtLeast5')}</legend>
${experts.length === 0 ? html`<p class="muted">${ctx.t('programme.noExpertsRegistered')}</p>` : html`<ul class="checks">${experts.map((x) => html`<li><label><input type="checkbox" name="expertIds" value="${x.expertId}"> ${x.name} <span class="muted">${org(ctx, x.affiliation)}${x.nationalCommittee ? ctx.t('programme.nationalCommitteeSuffix') : ''}</span></label></li>`)}</ul>`}</fieldset>`;
      break;
    case 'recordEvaluation':
      fields = html`<label for="${id('conclusion')}">${ctx.t('programme.conclusion')}</label><select id="${id('conclusion')}" name="conclusion" required>${option('PASS', ctx.t('programme.pass'), false)}${option('FAIL', ctx.t('programme.fail'), false)}</select>
<label for="${id('score')}">${ctx.t('programme.score')}</label><input id="${id('score')}" name="score" type="text">
<label for="${id('summary')}">${ctx.t('programme.summary')}</label><textarea id="${id('summary')}" name="summary" rows="2" required></textarea>
<label for="${id('report')}">${ctx.t('programme.report')} — ${docsHint(ctx)}</label><textarea id="${id('report')}" name="report" rows="2" required></textarea>`;
      break;
    case 'recheck':
      fields = html`<label for="${id('outcome')}">${ctx.t('programme.outcome')}</label><select id="${id('outcome')}" name="outcome" required>${option('CONFIRMED', ctx.t('programme.confirmed'), false)}${option('OVERTURNED', ctx.t('programme.overturned'), false)}</select>${note()}`;
      break;
  }
  return html`<h3 id="${id('title')}">${labelIn(ctx, 'programme.actionLabel', action)}</h3>
<form method="post" action="${pilotUrl(p.pilotId, `/act/${action}`)}" class="grid-form" data-testid="act-${action}" aria-labelledby="${id('title')}">
${fields}
<span></span><button type="submit">${labelIn(ctx, 'programme.actionLabel', action)}</button></form>`;
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
  const kindName = (k: EvaluationKind): string => labelIn(ctx, 'programme.evaluationKindLabel', evaluationKindToJSON(k));
  return html`${subnav(ctx, 'evaluations')}${flash ?? ''}
<form method="get" action="/programme/evaluations" class="filters" aria-label="${ctx.t('common.filter')}">
  <label for="f-eval-item">${ctx.t('common.item')}</label><input id="f-eval-item" name="item" value="${query.item}" size="10">
  <label for="f-eval-province">${ctx.t('common.province')}</label><select id="f-eval-province" name="province">${option('', ctx.t('programme.any'), !query.province)}${option('000000', ctx.t('common.national'), query.province === '000000')}${provinces.map((p) => option(p.code, provinceName(p.code, ctx.lang), query.province === p.code))}</select>
  <label for="f-eval-kind">${ctx.t('common.kind')}</label><select id="f-eval-kind" name="kind">${option('', ctx.t('programme.any'), !query.kind)}${evaluationKinds.map((k) => option(evaluationKindToJSON(k), kindName(k), query.kind === evaluationKindToJSON(k)))}</select>
  <button type="submit">${ctx.t('common.show')}</button>
</form>
${
  evaluations.length === 0
    ? alertBox('info', ctx.t('programme.noEvaluationMatches'))
    : html`<div class="table-wrap"><table data-testid="evaluations"><thead><tr><th scope="col">${ctx.t('common.kind')}</th><th scope="col">${ctx.t('common.item')}</th><th scope="col">${ctx.t('common.province')}</th><th scope="col">${ctx.t('programme.evaluationPeriodField')}</th><th scope="col">${ctx.t('programme.satisfied')}</th><th scope="col">${ctx.t('programme.indicators')}</th><th scope="col">${ctx.t('programme.evaluationConclusionField')}</th><th scope="col">${ctx.t('programme.recorded')}</th></tr></thead>
<tbody>${evaluations.map(
        (x) =>
          html`<tr data-evaluation="${x.evaluationId}"><th scope="row">${kindName(x.kind)}</th><td><a href="/standards/items/${encodeURIComponent(x.itemCode)}">${x.itemCode}</a></td><td>${x.provinceCode === '000000' ? ctx.t('common.national') : provinceName(x.provinceCode, ctx.lang)}</td><td>${x.period}</td><td class="num">${x.satisfactionPercent || '—'}</td><td>${x.indicators.map((i) => `${i.name} ${i.value}${i.unit}`).join('；')}</td><td>${x.summary}</td><td>${org(ctx, x.recordedBy?.organisation ?? '')} ${when(x.recordedAt)}</td></tr>`,
      )}</tbody></table></div>`
}
${
  mayRecordEvaluation(ctx.identity)
    ? html`<section aria-labelledby="record"><h2 id="record">${ctx.t('programme.recordAnEvaluation')}</h2>
<form method="post" action="/programme/evaluations" class="grid-form" data-testid="record-evaluation">
  <label for="kind">${ctx.t('common.kind')}</label><select id="kind" name="kind" required>${evaluationKinds.map((k) => option(evaluationKindToJSON(k), kindName(k), v('kind') === evaluationKindToJSON(k)))}</select>
  <label for="itemCode">${ctx.t('programme.itemCode')}</label><input id="itemCode" name="itemCode" type="text" required value="${v('itemCode')}">
  <label for="provinceCode">${ctx.t('common.province')}</label><select id="provinceCode" name="provinceCode" required>${option('000000', ctx.t('common.national'), v('provinceCode') === '000000')}${provinces.map((p) => option(p.code, provinceName(p.code, ctx.lang), v('provinceCode') === p.code))}</select>
  <label for="period">${ctx.t('programme.periodYyyyOrYyyy')}</label><input id="period" name="period" type="text" required value="${v('period')}">
  <label for="method">${ctx.t('programme.method')}</label><input id="method" name="method" type="text" required value="${v('method')}">
  <label for="sampleSize">${ctx.t('programme.sampleSize')}</label><input id="sampleSize" name="sampleSize" type="number" min="0" value="${v('sampleSize')}">
  <label for="satisfactionPercent">${ctx.t('programme.satisfiedSurveys')}</label><input id="satisfactionPercent" name="satisfactionPercent" type="text" inputmode="decimal" value="${v('satisfactionPercent')}">
  <label for="indicators">${ctx.t('programme.indicatorsOnePerLine')}</label><textarea id="indicators" name="indicators" rows="3">${v('indicators')}</textarea>
  <label for="summary">${ctx.t('programme.evaluationConclusionField')}</label><textarea id="summary" name="summary" rows="2" required>${v('summary')}</textarea>
  <label for="documents">${ctx.t('programme.materials')} — ${docsHint(ctx)}</label><textarea id="documents" name="documents" rows="2" required>${v('documents')}</textarea>
  <span></span><button type="submit">${ctx.t('programme.record')}</button>
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
  const enumParam = (value: string | undefined, group: LabelGroup): string => (value && codesOf(group).includes(value) ? value : '');
  const flashOf = (ctx: PageContext, q: Q): Html | undefined => (q['done'] ? alertBox('ok', ctx.t('programme.done')) : undefined);

  const standardsList = async (ctx: PageContext, token: string, q: Q, flash?: Html, status?: number, form?: FormBody) => {
    const query: StandardsQuery = {
      level: enumParam(q['level'], 'programme.levelLabel'),
      stage: enumParam(q['stage'], 'programme.stageLabel'),
      kind: enumParam(q['kind'], 'programme.kindLabel'),
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
      title: ctx.t('programme.technicalStandards'),
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
      status: enumParam(q['status'], 'programme.pilotStatusLabel'),
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
      title: ctx.t('programme.standardisationPilots'),
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
      kind: enumParam(q['kind'], 'programme.evaluationKindLabel'),
    };
    const { evaluations } = await backends.call(
      'programme',
      (c) => c.listEvaluations.bind(c),
      { itemCode: query.item, fieldCode: '', provinceCode: query.province, kind: query.kind ? evaluationKindFromJSON(query.kind) : 0 },
      token,
    );
    return {
      title: ctx.t('programme.implementationEvaluation'),
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
      return { title: ctx.t('programme.standardisationProgramme'), section, body: overviewPage(ctx, progress.targets, coverage.categories) };
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
      return changeOrRefuse(
        ctx,
        () => backends.change('programme', (c) => c.proposeStandard.bind(c), proposeStandardFromForm(form), token),
        ({ standard }) => standardUrl(standard?.standardId ?? ''),
        (box, status) => standardsList(ctx, token, {}, box, status, form),
      );
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
      return changeOrRefuse(
        ctx,
        () => backends.change('programme', (c) => c.advanceStandard.bind(c), advanceStandardFromForm(standardId, (req.body ?? {}) as FormBody), token),
        () => standardUrl(standardId),
        (box, status) => standardShow(ctx, token, standardId, box, status),
      );
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
      return changeOrRefuse(
        ctx,
        () => backends.change('programme', (c) => c.openPilotBatch.bind(c), openBatchFromForm(form), token),
        ({ batch }) => `/programme/pilots${qs({ batch: batch?.batchId })}`,
        (box, status) => pilotsList(ctx, token, {}, box, status, form),
      );
    }),
  );
  app.post(
    '/programme/pilots',
    guarded(async (req, ctx, token) => {
      const form = (req.body ?? {}) as FormBody;
      return changeOrRefuse(
        ctx,
        () => backends.change('programme', (c) => c.applyForPilot.bind(c), applyForPilotFromForm(form), token),
        ({ pilot }) => pilotUrl(pilot?.pilotId ?? ''),
        (box, status) => pilotsList(ctx, token, {}, box, status, form),
      );
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
      return changeOrRefuse(
        ctx,
        () => backends.change('programme', (c) => c.actOnPilot.bind(c), { pilotId, action: pilotActionFromForm(action, (req.body ?? {}) as FormBody) }, token),
        () => pilotUrl(pilotId),
        (box, status) => pilotShow(ctx, token, pilotId, box, status),
      );
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
      return changeOrRefuse(
        ctx,
        () => backends.change('programme', (c) => c.recordEvaluation.bind(c), recordEvaluationFromForm(form), token),
        () => `/programme/evaluations${qs({ item: formValue(form, 'itemCode'), done: '1' })}`,
        (box, status) => evaluationsList(ctx, token, {}, box, status, form),
      );
    }),
  );
}
