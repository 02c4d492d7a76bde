// Human labels of metric units and bases (the keys a QualityMetric stores: unit "CNY", basis "per_person_per_year").
// The one table: the registry serves it (ListMetricLabels, GET /api/v1/standards/units), the console and the CLI
// print metrics with it. A key without a label is shown as the key itself (never dropped); a unit test checks that
// every unit and basis used by the seeded catalogue has one.

export type Lang = 'zh' | 'en';
export type Label = { readonly zh: string; readonly en: string };

export const unitLabels: Readonly<Record<string, Label>> = {
  CNY: { zh: '元', en: 'CNY' },
  percent: { zh: '%', en: '%' },
  person: { zh: '人', en: 'person(s)' },
  screening: { zh: '场', en: 'screening(s)' },
  times: { zh: '次', en: 'times' },
};

export const basisLabels: Readonly<Record<string, Label>> = {
  per_person_per_year: { zh: '每人每年', en: 'per person per year' },
  per_person_per_month: { zh: '每人每月', en: 'per person per month' },
  per_year: { zh: '每年', en: 'per year' },
  per_household: { zh: '每户', en: 'per household' },
  per_administrative_village_per_month: { zh: '每个行政村每月', en: 'per administrative village per month' },
  national_population: { zh: '全国人口', en: 'of the national population' },
  national: { zh: '全国', en: 'national' },
  national_average: { zh: '全国平均', en: 'national average' },
  of_enrollees: { zh: '参保人员', en: 'of enrollees' },
  of_residents: { zh: '常住人口', en: 'of residents' },
};

export function unitLabel(lang: Lang, unit: string): string {
  return unitLabels[unit]?.[lang] ?? unit;
}

export function basisLabel(lang: Lang, basis: string): string {
  return basisLabels[basis]?.[lang] ?? basis;
}

/** "≥ 1 场（每个行政村每月）" / "≥ 1 screening(s) (per administrative village per month)". */
export function metricLevelText(lang: Lang, m: { readonly value: string; readonly unit: string; readonly basis: string }): string {
  const unit = unitLabel(lang, m.unit);
  const sep = lang === 'en' && unit !== '%' ? ' ' : '';
  const basis = m.basis === '' ? '' : lang === 'zh' ? `（${basisLabel(lang, m.basis)}）` : ` (${basisLabel(lang, m.basis)})`;
  return `${m.value}${sep}${unit}${basis}`;
}
