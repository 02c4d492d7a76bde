// What changed between two states of the catalogue: items added, retired, moved, split, merged, and for items
// in both, every attribute and metric that differs, with its value before and after.
import { ExpenditureKind, PaymentCategory, RegionTier, Comparator, type ServiceItem } from '../../../proto/gen/bps/common/v1/common';
import { ChangeType, type ChangeType as ChangeTypeT } from '../../../proto/gen/bps/standards/v1/events';
import type { AttributeChange, ItemDiff } from '../../../proto/gen/bps/registry/v1/registry';

/** An item's record in force on a date (retired records included: they tell how an item left). */
export type ResolvedItem = {
  readonly itemCode: string;
  readonly version: number;
  readonly retired: boolean;
  readonly changeType: ChangeTypeT;
  readonly item: ServiceItem;
};

export type CatalogueDiff = ItemDiff & { readonly fieldCodes: readonly string[] };

/** Flattens an item into comparable attribute paths (names as in AttributeChange.attribute). */
export function flattenItem(item: ServiceItem): Map<string, string> {
  const a = new Map<string, string>();
  const stated = (s: { stated: boolean; text: string } | undefined): string => (s?.stated ? s.text : '(not stated)');
  a.set('name', item.name);
  a.set('field_code', item.fieldCode);
  a.set('category_code', item.categoryCode);
  a.set('service_target', stated(item.serviceTarget));
  a.set('service_content', stated(item.serviceContent));
  const q = item.qualityStandard;
  a.set('quality_standard.text', q?.stated ? q.text : '(not stated)');
  for (const m of q?.stated ? q.metrics : []) {
    const at = `quality_standard.metrics[${m.metric}]`;
    a.set(`${at}.value`, m.value);
    a.set(`${at}.comparator`, Comparator[m.comparator] ?? String(m.comparator));
    a.set(`${at}.unit`, m.unit);
    a.set(`${at}.basis`, m.basis);
  }
  a.set('payment_category', PaymentCategory[item.paymentCategory] ?? String(item.paymentCategory));
  const e = item.expenditureResponsibility;
  a.set('expenditure_responsibility.kind', ExpenditureKind[e?.kind ?? 0] ?? '');
  a.set('expenditure_responsibility.text', e?.text ?? '');
  for (const s of e?.centralShares ?? []) a.set(`expenditure_responsibility.central_shares[${RegionTier[s.regionTier] ?? s.regionTier}]`, s.percent);
  a.set('lead_unit', item.leadUnit ? `${item.leadUnit.code} ${item.leadUnit.name}` : '');
  a.set('lead_unit_stated', String(item.leadUnitStated));
  return a;
}

export function attributeChanges(before: ServiceItem, after: ServiceItem): AttributeChange[] {
  const b = flattenItem(before);
  const a = flattenItem(after);
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  return keys.filter((k) => b.get(k) !== a.get(k)).map((k) => ({ attribute: k, before: b.get(k) ?? '', after: a.get(k) ?? '' }));
}

/**
 * `placeInTo` shows a `from` item where the taxonomy of the `to` date would put it: a version that changed its content
 * but stayed where the new taxonomy places it is MODIFIED, not MOVED (the taxonomy moved it, not the change).
 */
export function diffCatalogues(
  from: readonly ResolvedItem[],
  to: readonly ResolvedItem[],
  placeInTo: (item: ServiceItem) => ServiceItem = (i) => i,
): CatalogueDiff[] {
  const live = (list: readonly ResolvedItem[]): Map<string, ResolvedItem> => new Map(list.filter((r) => !r.retired).map((r) => [r.itemCode, r]));
  const before = live(from);
  const after = live(to);
  const toAll = new Map(to.map((r) => [r.itemCode, r]));
  const diffs: CatalogueDiff[] = [];
  for (const [code, b] of before) {
    const a = after.get(code);
    if (!a) {
      // Gone: how it left is the type of the record that retired it (retire, split or merge).
      const leaving = toAll.get(code);
      const how =
        leaving && (leaving.changeType === ChangeType.CHANGE_TYPE_SPLIT || leaving.changeType === ChangeType.CHANGE_TYPE_MERGED)
          ? leaving.changeType
          : ChangeType.CHANGE_TYPE_RETIRED;
      diffs.push({
        itemCode: code,
        name: b.item.name,
        changeType: how,
        fromVersion: b.version,
        toVersion: leaving?.version ?? 0,
        changes: [],
        fieldCodes: [b.item.fieldCode],
      });
      continue;
    }
    if (a.version === b.version) {
      // Same version, but a correction may have changed its content, or a new taxonomy its place (a move).
      const changes = attributeChanges(b.item, a.item);
      const reclassified = changes.every((c) => c.attribute === 'field_code' || c.attribute === 'category_code');
      if (changes.length > 0)
        diffs.push({
          itemCode: code,
          name: a.item.name,
          changeType: reclassified ? ChangeType.CHANGE_TYPE_MOVED : ChangeType.CHANGE_TYPE_MODIFIED,
          fromVersion: b.version,
          toVersion: a.version,
          changes,
          fieldCodes: [b.item.fieldCode, a.item.fieldCode],
        });
      continue;
    }
    const changes = attributeChanges(b.item, a.item);
    const placed = placeInTo(b.item);
    const moved = b.item.name !== a.item.name || placed.fieldCode !== a.item.fieldCode || placed.categoryCode !== a.item.categoryCode;
    const changeType =
      a.changeType === ChangeType.CHANGE_TYPE_SPLIT || a.changeType === ChangeType.CHANGE_TYPE_MERGED
        ? a.changeType
        : moved
          ? ChangeType.CHANGE_TYPE_MOVED
          : ChangeType.CHANGE_TYPE_MODIFIED;
    diffs.push({
      itemCode: code,
      name: a.item.name,
      changeType,
      fromVersion: b.version,
      toVersion: a.version,
      changes,
      fieldCodes: [b.item.fieldCode, a.item.fieldCode],
    });
  }
  for (const [code, a] of after) {
    if (before.has(code)) continue;
    const how = a.changeType === ChangeType.CHANGE_TYPE_SPLIT || a.changeType === ChangeType.CHANGE_TYPE_MERGED ? a.changeType : ChangeType.CHANGE_TYPE_ADDED;
    diffs.push({ itemCode: code, name: a.item.name, changeType: how, fromVersion: 0, toVersion: a.version, changes: [], fieldCodes: [a.item.fieldCode] });
  }
  return diffs.sort((x, y) => x.itemCode.localeCompare(y.itemCode));
}
