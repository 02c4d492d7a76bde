// An item as classified by the taxonomy in force on the date read. Item versions keep the field they were recorded
// with (the 2017 list's versions say F17-…); when the taxonomy in force does not have that field, the item is shown
// where that taxonomy places it (its placements, each stated or attributed with a reason), and the placement says
// which field the version was recorded with. Reads before the taxonomy's date show the structure then in force.
import type { ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import type { Placement } from '../../../proto/gen/bps/registry/v1/registry';

export type TaxonomyPlacement = {
  readonly itemCode: string;
  readonly fieldCode: string;
  readonly categoryCode: string;
  readonly fieldStated: boolean;
  readonly fieldBasis: string;
  readonly categoryStated: boolean;
  readonly categoryBasis: string;
  readonly leadUnitCode: string;
  readonly leadUnitBasis: string;
};

export type TaxonomyInForce = {
  readonly taxonomyId: string;
  readonly fields: readonly {
    readonly code: string;
    readonly name: string;
    readonly categories: readonly { readonly code: string; readonly name: string }[];
  }[];
  readonly placements?: readonly TaxonomyPlacement[] | undefined;
};

export type Classified = {
  readonly item: ServiceItem;
  readonly placement: Placement;
  /** Field codes that select the item: its field today, the field its version was recorded with, and the fields
   * earlier taxonomies placed it in (so that codes of an earlier taxonomy keep working). */
  readonly fieldCodes: ReadonlySet<string>;
};

export type Classifier = (item: ServiceItem) => Classified;

/**
 * Builds the classifier of one taxonomy (null: no taxonomy in force, items shown as recorded). `earlier`: the
 * taxonomies before it, whose placements keep their field codes selecting the items.
 */
export function classifier(taxonomy: TaxonomyInForce | null, earlier: readonly TaxonomyInForce[] = []): Classifier {
  const formerFields = new Map<string, string[]>();
  for (const t of earlier) for (const p of t.placements ?? []) formerFields.set(p.itemCode, [...(formerFields.get(p.itemCode) ?? []), p.fieldCode]);
  const fieldNames = new Map<string, string>();
  const categoryNames = new Map<string, string>();
  for (const f of taxonomy?.fields ?? []) {
    fieldNames.set(f.code, f.name);
    for (const c of f.categories) categoryNames.set(c.code, c.name);
  }
  const placements = new Map((taxonomy?.placements ?? []).map((p) => [p.itemCode, p]));
  return (item) => {
    const rec = placements.get(item.itemCode);
    const reclassify = taxonomy !== null && !fieldNames.has(item.fieldCode) && rec !== undefined;
    const shown: ServiceItem = reclassify ? { ...item, fieldCode: rec.fieldCode, categoryCode: rec.categoryCode } : item;
    // The placement's reasons apply when the item sits where the placement puts it.
    const basis = rec && rec.fieldCode === shown.fieldCode && rec.categoryCode === shown.categoryCode ? rec : undefined;
    const leadBasis = !item.leadUnitStated && rec && rec.leadUnitCode === (item.leadUnit?.code ?? '') ? rec.leadUnitBasis : '';
    return {
      item: shown,
      fieldCodes: new Set([shown.fieldCode, item.fieldCode, ...(formerFields.get(item.itemCode) ?? [])]),
      placement: {
        taxonomyId: taxonomy?.taxonomyId ?? '',
        fieldCode: shown.fieldCode,
        fieldName: fieldNames.get(shown.fieldCode) ?? '',
        categoryCode: shown.categoryCode,
        categoryName: categoryNames.get(shown.categoryCode) ?? '',
        recordedFieldCode: reclassify ? item.fieldCode : '',
        fieldStated: basis ? basis.fieldStated : true,
        fieldBasis: basis?.fieldBasis ?? '',
        categoryStated: basis ? basis.categoryStated : shown.categoryCode !== '',
        categoryBasis: basis?.categoryBasis ?? '',
        leadUnitBasis: leadBasis,
      },
    };
  };
}

/** Does a field filter select this item? Its field in the taxonomy in force, or a code of an earlier taxonomy it was in. */
export function inField(fieldCode: string, classified: Classified): boolean {
  return fieldCode === '' || classified.fieldCodes.has(fieldCode);
}
