// The programme's pure views and checks: coverage of the categories by the four kinds of standards, progress against
// the 2027 targets of seed 002, and the rules of an implementation evaluation record (seed 004: effect evaluations,
// public satisfaction surveys and an equalisation indicator system).
import type { FieldViolation } from '../../shared/errors/errors';
import { compareDecimals, isDecimal } from '../../shared/standards/decimal';
import type { ActorRef } from '../../../workflows/contracts';
import { inForceStages, inProgressStages, standardKinds, type CatalogueItem, type DocumentRef, type StandardKind, type TechnicalStandard } from './standard';

export type TaxonomyField = { readonly code: string; readonly name: string; readonly categories: readonly { readonly code: string; readonly name: string }[] };

export type KindCoverage = { readonly kind: StandardKind; readonly inForce: number; readonly inProgress: number };
export type CategoryCoverage = {
  readonly fieldCode: string;
  readonly fieldName: string;
  readonly categoryCode: string;
  readonly categoryName: string;
  readonly itemCount: number;
  readonly kinds: readonly KindCoverage[];
  readonly missing: readonly StandardKind[];
  readonly itemsWithoutStandard: readonly string[];
};

/** Per category of the taxonomy in force: which kinds of standards exist (in force / in progress) and which lack. */
export function coverage(taxonomy: readonly TaxonomyField[], items: readonly CatalogueItem[], standards: readonly TechnicalStandard[]): CategoryCoverage[] {
  const live = standards.filter((s) => s.stage !== 'WITHDRAWN');
  return taxonomy.flatMap((field) =>
    field.categories.map((category) => {
      const categoryItems = items.filter((i) => !i.retired && i.fieldCode === field.code && i.categoryCode === category.code);
      const touching = live.filter((s) => s.categoryCodes.includes(category.code) || s.itemCodes.some((c) => categoryItems.some((i) => i.itemCode === c)));
      const kinds = standardKinds.map((kind) => ({
        kind,
        inForce: touching.filter((s) => s.kind === kind && inForceStages.includes(s.stage)).length,
        inProgress: touching.filter((s) => s.kind === kind && inProgressStages.includes(s.stage)).length,
      }));
      const covered = new Set(touching.filter((s) => inForceStages.includes(s.stage)).flatMap((s) => s.itemCodes));
      return {
        fieldCode: field.code,
        fieldName: field.name,
        categoryCode: category.code,
        categoryName: category.name,
        itemCount: categoryItems.length,
        kinds,
        missing: kinds.filter((k) => k.inForce === 0).map((k) => k.kind),
        itemsWithoutStandard: categoryItems.filter((i) => !covered.has(i.itemCode)).map((i) => i.itemCode),
      };
    }),
  );
}

export type Target = {
  readonly code: string;
  readonly title: string;
  readonly target: number;
  readonly source: string;
  readonly due: string;
  readonly achieved: number;
  readonly inProgress: number;
};

/** The work plan's start: standards made or revised count from its issue (国标委联〔2023〕61号, 2023). */
export const PLAN_START = '2023-01-01';

/**
 * Seed 002's targets to 2027: 200 national and sector standards made or revised, 80 standardisation pilots.
 * `pilots`: selected pilots (piloting or later) and those still in the pipeline.
 */
export function progress(standards: readonly TechnicalStandard[], pilots: { readonly selected: number; readonly inProgress: number }): Target[] {
  const govStandards = standards.filter((s) => s.level === 'NATIONAL' || s.level === 'SECTOR');
  return [
    {
      code: 'STANDARDS_2027',
      title: '制修订国家标准和行业标准 200 项',
      target: 200,
      source: '国标委联〔2023〕61号',
      due: '2027-12-31',
      achieved: govStandards.filter((s) => inForceStages.includes(s.stage) && s.publishedOn >= PLAN_START).length,
      inProgress: govStandards.filter((s) => inProgressStages.includes(s.stage)).length,
    },
    {
      code: 'PILOTS_2027',
      title: '开展基本公共服务标准化试点 80 个',
      target: 80,
      source: '国标委联〔2023〕61号',
      due: '2027-12-31',
      achieved: pilots.selected,
      inProgress: pilots.inProgress,
    },
  ];
}

export type EvaluationKind = 'EFFECT' | 'SATISFACTION_SURVEY' | 'EQUALISATION_INDICATORS';
export type EvaluationInput = {
  readonly kind: EvaluationKind;
  readonly itemCode: string;
  readonly provinceCode: string;
  readonly period: string;
  readonly method: string;
  readonly sampleSize: number;
  readonly satisfactionPercent: string;
  readonly indicators: readonly { readonly name: string; readonly value: string; readonly unit: string }[];
  readonly summary: string;
  readonly documents: readonly DocumentRef[];
};

export const NATIONAL = '000000';
const period = /^\d{4}(-(0[1-9]|1[0-2]))?( ?[…~–-] ?\d{4}(-(0[1-9]|1[0-2]))?)?$/;

/** Field violations of an evaluation record (the shape; who may record it is `mayRecordEvaluation`). */
export function evaluationViolations(e: EvaluationInput): FieldViolation[] {
  const v: FieldViolation[] = [];
  if (!period.test(e.period)) v.push({ field: 'period', description: 'the period evaluated: YYYY, YYYY-MM, or a range such as 2024-01…2024-12' });
  if (e.method.trim() === '') v.push({ field: 'method', description: 'how it was evaluated is required' });
  if (e.summary.trim() === '') v.push({ field: 'summary', description: 'the findings are required' });
  if (e.documents.length === 0) v.push({ field: 'documents', description: 'the report it rests on is required' });
  if (e.kind === 'SATISFACTION_SURVEY') {
    if (e.sampleSize < 1) v.push({ field: 'sample_size', description: 'a satisfaction survey states its sample size' });
    if (!isDecimal(e.satisfactionPercent) || compareDecimals(e.satisfactionPercent, '100') === 1 || e.satisfactionPercent.startsWith('-'))
      v.push({ field: 'satisfaction_percent', description: 'the share satisfied, in per cent (0–100, decimal text)' });
  } else if (e.satisfactionPercent !== '') v.push({ field: 'satisfaction_percent', description: 'only a satisfaction survey states a satisfaction rate' });
  if (e.kind === 'EQUALISATION_INDICATORS' && e.indicators.length === 0)
    v.push({ field: 'indicators', description: 'an equalisation indicator set names its indicators' });
  e.indicators.forEach((ind, i) => {
    if (ind.name.trim() === '') v.push({ field: `indicators[${i}].name`, description: 'required' });
    if (!isDecimal(ind.value)) v.push({ field: `indicators[${i}].value`, description: 'a decimal number as measured' });
  });
  return v;
}

/**
 * Who records an evaluation: a province's own departments for that province; nationally (000000) the item's lead
 * unit or SAMR.
 */
export function mayRecordEvaluation(actor: { organisation: string; roles: readonly string[] }, provinceCode: string, item: CatalogueItem): boolean {
  if (provinceCode === NATIONAL)
    return (
      (actor.organisation === 'SAMR' && actor.roles.includes('programme-officer')) ||
      (actor.organisation === item.leadUnit && actor.roles.includes('ministry-staff'))
    );
  return actor.organisation === provinceCode && (actor.roles.includes('programme-officer') || actor.roles.includes('province-officer'));
}

/** A call for pilot applications. */
export type PilotBatch = {
  readonly batchId: string;
  readonly title: string;
  readonly applicationsClose: string;
  readonly candidatesPerProvince: number;
  readonly openedBy: ActorRef;
  readonly openedAt: Date;
};

/** A recorded implementation evaluation: what was stated, the item's field, who recorded it and when. */
export type EvaluationRecord = EvaluationInput & {
  readonly evaluationId: string;
  readonly fieldCode: string;
  readonly recordedBy: ActorRef;
  readonly recordedAt: Date;
};
