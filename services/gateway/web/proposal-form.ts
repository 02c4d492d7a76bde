// The proposal editor's form <-> ProposalContent. One change per proposal in the editor: a modification of an item
// the ministry leads (its quality-standard metrics); the JSON API accepts any change set.
import { Comparator, RegionTier, comparatorToJSON, type DocumentReference, type ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import { AdHocTrigger, adHocTriggerFromJSON, adHocTriggerToJSON, ProposalContent, ProposalKind } from '../../../proto/gen/bps/proposals/v1/proposal';
import { formValue, type FormBody } from '../http/cookies';
import { formatDate } from '../http/dates';
import { parseIsoDate } from '../../shared/standards/china-date';

export const tiers = [
  { key: 'EAST', tier: RegionTier.REGION_TIER_EAST },
  { key: 'CENTRAL', tier: RegionTier.REGION_TIER_CENTRAL },
  { key: 'WEST', tier: RegionTier.REGION_TIER_WEST },
] as const;

export const triggers = ['AD_HOC_TRIGGER_MAJOR_POLICY', 'AD_HOC_TRIGGER_MID_TERM_EVALUATION', 'AD_HOC_TRIGGER_CENTRAL_DECISION'] as const;

/** The editor's values as strings, exactly as the form posts them. */
export type ProposalForm = Record<string, string>;

/** "title | uri | digest [| algorithm]" per line. */
export function parseDocuments(text: string): DocumentReference[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [title = '', uri = '', digest = '', algorithm = ''] = line.split('|').map((p) => p.trim());
      return { title, uri, digest: digest.toLowerCase(), digestAlgorithm: algorithm || (digest ? 'sha256' : '') };
    });
}

export function formatDocuments(docs: readonly DocumentReference[]): string {
  return docs
    .map((d) =>
      [d.title, d.uri, d.digest, d.digestAlgorithm && d.digestAlgorithm !== 'sha256' ? d.digestAlgorithm : ''].filter((x, i) => i < 3 || x).join(' | '),
    )
    .join('\n');
}

export function formFromBody(body: FormBody): ProposalForm {
  return Object.fromEntries(Object.keys(body).map((k) => [k, formValue(body, k)]));
}

/** The change the editor makes: `base` as in force, with the quality standard text and metric values from the form. */
export function contentFromForm(form: ProposalForm, base: { item: ServiceItem; version: number }): ProposalContent {
  const metrics = (base.item.qualityStandard?.metrics ?? []).map((m) => ({ ...m, value: (form[`metric:${m.metric}`] ?? m.value).trim() }));
  // A level the current version does not state yet (most seeded items state none).
  const newId = (form['newMetric'] ?? '').trim();
  if (newId && !metrics.some((m) => m.metric === newId)) {
    const cmp =
      form['newMetricComparator'] === 'LTE'
        ? Comparator.COMPARATOR_LTE
        : form['newMetricComparator'] === 'EQ'
          ? Comparator.COMPARATOR_EQ
          : Comparator.COMPARATOR_GTE;
    metrics.push({
      metric: newId,
      label: (form['newMetricLabel'] ?? '').trim(),
      comparator: cmp,
      value: (form['newMetricValue'] ?? '').trim(),
      unit: (form['newMetricUnit'] ?? '').trim(),
      basis: (form['newMetricBasis'] ?? '').trim(),
    });
  }
  const item: ServiceItem = {
    ...base.item,
    qualityStandard: { stated: true, text: form['qualityText'] ?? base.item.qualityStandard?.text ?? '', metrics },
  };
  const doc = (prefix: string): DocumentReference | undefined => {
    const title = form[`${prefix}Title`]?.trim() ?? '';
    if (!title) return undefined;
    const digest = (form[`${prefix}Digest`] ?? '').trim().toLowerCase();
    return { title, uri: (form[`${prefix}Uri`] ?? '').trim(), digest, digestAlgorithm: digest ? 'sha256' : '' };
  };
  const triggerName = form['trigger'] ?? '';
  return ProposalContent.fromPartial({
    title: (form['title'] ?? '').trim(),
    kind: ProposalKind.PROPOSAL_KIND_AD_HOC,
    trigger: (triggers as readonly string[]).includes(triggerName) ? adHocTriggerFromJSON(triggerName) : AdHocTrigger.AD_HOC_TRIGGER_UNSPECIFIED,
    triggerDocument: doc('triggerDoc'),
    changes: [
      {
        changeId: 'c1',
        change: {
          $case: 'modifyItem',
          modifyItem: {
            base: { itemCode: base.item.itemCode, version: base.version },
            item,
            lowersFloor: form['lowersFloor'] === 'on',
            loweringJustification: (form['loweringJustification'] ?? '').trim(),
          },
        },
      },
    ],
    justification: {
      economicSocialDevelopment: (form['jEconomic'] ?? '').trim(),
      urbanRuralIncomeGrowth: (form['jIncome'] ?? '').trim(),
      sectorNeeds: (form['jSector'] ?? '').trim(),
      fiscalCapacity: (form['jFiscal'] ?? '').trim(),
      technicalInnovation: (form['jTechnical'] ?? '').trim(),
      demandSurvey: { summary: (form['surveySummary'] ?? '').trim(), documents: parseDocuments(form['surveyDocs'] ?? '') },
      evaluation: { summary: (form['evaluationSummary'] ?? '').trim(), documents: parseDocuments(form['evaluationDocs'] ?? '') },
    },
    evidence: parseDocuments(form['evidence'] ?? ''),
    fiscal: {
      years: Number(form['years'] ?? '') || 0,
      affordabilityAssessment: (form['affordability'] ?? '').trim(),
      lines: [
        {
          changeId: 'c1',
          metric: '',
          populations: tiers
            .filter((t) => (form[`pop${t.key}`] ?? '').trim() !== '')
            .map((t) => ({ regionTier: t.tier, coveredPopulation: (form[`pop${t.key}`] ?? '').trim() })),
          centralShares: tiers
            .filter((t) => (form[`share${t.key}`] ?? '').trim() !== '')
            .map((t) => ({ regionTier: t.tier, percent: (form[`share${t.key}`] ?? '').trim() })),
        },
      ],
    },
    effectiveFrom: parseIsoDate(form['effectiveFrom'] ?? ''),
  });
}

/** The editor's values for stored content (editing a draft). */
export function formFromContent(content: ProposalContent): { form: ProposalForm; itemCode: string; baseVersion: number } {
  const change = content.changes[0]?.change;
  const modify = change?.$case === 'modifyItem' ? change.modifyItem : undefined;
  const form: ProposalForm = {
    title: content.title,
    trigger: content.trigger ? adHocTriggerToJSON(content.trigger) : '',
    triggerDocTitle: content.triggerDocument?.title ?? '',
    triggerDocUri: content.triggerDocument?.uri ?? '',
    triggerDocDigest: content.triggerDocument?.digest ?? '',
    effectiveFrom: formatDate(content.effectiveFrom),
    qualityText: modify?.item?.qualityStandard?.text ?? '',
    lowersFloor: modify?.lowersFloor ? 'on' : '',
    loweringJustification: modify?.loweringJustification ?? '',
    jEconomic: content.justification?.economicSocialDevelopment ?? '',
    jIncome: content.justification?.urbanRuralIncomeGrowth ?? '',
    jSector: content.justification?.sectorNeeds ?? '',
    jFiscal: content.justification?.fiscalCapacity ?? '',
    jTechnical: content.justification?.technicalInnovation ?? '',
    surveySummary: content.justification?.demandSurvey?.summary ?? '',
    surveyDocs: formatDocuments(content.justification?.demandSurvey?.documents ?? []),
    evaluationSummary: content.justification?.evaluation?.summary ?? '',
    evaluationDocs: formatDocuments(content.justification?.evaluation?.documents ?? []),
    evidence: formatDocuments(content.evidence),
    years: content.fiscal?.years ? String(content.fiscal.years) : '',
    affordability: content.fiscal?.affordabilityAssessment ?? '',
  };
  for (const m of modify?.item?.qualityStandard?.metrics ?? []) form[`metric:${m.metric}`] = m.value;
  // The last metric also fills the "new metric" row, in case the base version does not state it.
  const last = modify?.item?.qualityStandard?.metrics.at(-1);
  if (last) {
    Object.assign(form, {
      newMetric: last.metric,
      newMetricLabel: last.label,
      newMetricComparator: comparatorToJSON(last.comparator).replace('COMPARATOR_', ''),
      newMetricValue: last.value,
      newMetricUnit: last.unit,
      newMetricBasis: last.basis,
    });
  }
  const line = content.fiscal?.lines[0];
  for (const t of tiers) {
    const pop = line?.populations.find((p) => p.regionTier === t.tier);
    const share = line?.centralShares.find((p) => p.regionTier === t.tier);
    if (pop) form[`pop${t.key}`] = pop.coveredPopulation;
    if (share) form[`share${t.key}`] = share.percent;
  }
  return { form, itemCode: modify?.base?.itemCode ?? '', baseVersion: modify?.base?.version ?? 0 };
}

/** Fen (a decimal string) as yuan with thousands separators, exact. */
export function formatFen(fen: string | undefined): string {
  if (!fen || !/^-?\d+$/.test(fen)) return '—';
  const negative = fen.startsWith('-');
  const digits = (negative ? fen.slice(1) : fen).padStart(3, '0');
  const yuan = digits
    .slice(0, -2)
    .replace(/^0+(?=\d)/, '')
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${yuan}.${digits.slice(-2)}`;
}
