// The standard in force on a date as a download (issue #17: "editions downloadable as CSV"): one row per item with
// its place in the taxonomy in force and the six attributes, in the catalogue's order. UTF-8 with a byte-order
// mark (http/csv.ts).
import { expenditureKindToJSON, paymentCategoryToJSON, regionTierToJSON, type ExpenditureResponsibility } from '../../../proto/gen/bps/common/v1/common';
import type { GetTaxonomyResponse, ListItemsResponse } from '../../../proto/gen/bps/registry/v1/registry';
import { formatDate } from '../http/dates';
import { spreadsheetCsv } from '../http/csv';
import { enumLabel, translator, type Lang } from './i18n';
import { groupCatalogue, metricText, taxonomyNames } from './standards-pages';

export function editionCsv(lang: Lang, list: ListItemsResponse, taxonomy: GetTaxonomyResponse | undefined): string {
  const t = translator(lang);
  const names = taxonomyNames(taxonomy);
  const notStated = t('common.notStated');
  const header = [
    t('common.field'),
    t('common.category'),
    t('edition.csv.itemCode'),
    t('common.itemName'),
    t('common.serviceTarget'),
    t('common.serviceContent'),
    t('common.qualityStandard'),
    t('common.paymentCategory'),
    t('common.expenditureResponsibility'),
    t('common.leadUnit'),
    t('common.version'),
    t('edition.csv.inForceFrom'),
  ];
  const rows = groupCatalogue(list.items, names).flatMap((f) =>
    f.categories.flatMap((c) =>
      c.items.map((v) => {
        const item = v.item!;
        const quality = item.qualityStandard;
        return [
          v.placement?.fieldName || names.fields.get(f.fieldCode) || f.fieldCode,
          v.placement?.categoryName || names.categories.get(c.categoryCode) || c.categoryCode,
          item.itemCode,
          item.name,
          item.serviceTarget?.stated ? item.serviceTarget.text : notStated,
          item.serviceContent?.stated ? item.serviceContent.text : notStated,
          quality?.stated ? [quality.text, ...quality.metrics.map((m) => metricText(lang, m))].filter(Boolean).join('；') : notStated,
          enumLabel(lang, paymentCategoryToJSON(item.paymentCategory)),
          expenditureText(lang, item.expenditureResponsibility, notStated),
          item.leadUnitStated ? (item.leadUnit?.name ?? '') : `${item.leadUnit?.name ?? ''}（${notStated}）`,
          String(v.version),
          formatDate(v.effectiveFrom),
        ];
      }),
    ),
  );
  return spreadsheetCsv([header, ...rows]);
}

function expenditureText(lang: Lang, er: ExpenditureResponsibility | undefined, notStated: string): string {
  if (!er || er.kind === 0) return notStated;
  const shares = er.centralShares.map((s) => `${enumLabel(lang, regionTierToJSON(s.regionTier))} ${s.percent}%`).join('，');
  return [enumLabel(lang, expenditureKindToJSON(er.kind)), er.text, shares].filter(Boolean).join('：');
}
