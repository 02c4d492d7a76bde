// Edition import (issue #17): an official edition of the national standard, one row per service item with its six
// attributes (服务对象, 服务内容, 服务标准, 支付类别, 支出责任, 牵头负责单位), read from a table (CSV, XLSX or JSON;
// edition-file.ts turns each into rows of text cells). Pure: every row is checked on its own (parseEditionTable),
// then against the standard in force (checkAgainstStandard), and the edition becomes a diff and the item changes of
// an adjustment proposal (editionDiff). Nothing here writes anything: an edition is published only through a
// proposal's approval.
import {
  Comparator,
  ExpenditureKind,
  OrganisationKind,
  PaymentCategory,
  RegionTier,
  ServiceItem,
  type CentralShare,
  type QualityMetric,
} from '../../../proto/gen/bps/common/v1/common';
import type { ItemChange } from '../../../proto/gen/bps/standards/v1/changes';
import { isDecimal, scaleDecimal } from './decimal';

/** The columns of an edition file: the header cell may give the Chinese name, the English key, or both ("编号 item_code"). */
export const editionColumns = [
  { key: 'item_code', zh: '编号', required: true, help: 'item code, e.g. HEA-01 (a code not in force adds an item)' },
  { key: 'name', zh: '服务项目', required: true, help: 'item name' },
  { key: 'field_code', zh: '领域代码', required: true, help: 'field code of the structure in force' },
  { key: 'category_code', zh: '类别代码', required: false, help: 'category code of the structure in force (empty: none)' },
  { key: 'service_target', zh: '服务对象', required: false, help: 'empty: not stated' },
  { key: 'service_content', zh: '服务内容', required: false, help: 'empty: not stated' },
  { key: 'quality_standard', zh: '服务标准', required: false, help: 'text of the quality standard; empty: not stated' },
  { key: 'quality_metrics', zh: '质量指标', required: false, help: 'metric>=value unit [basis]; several separated by ";"' },
  {
    key: 'payment_category',
    zh: '支付类别',
    required: false,
    help: 'FREE_SERVICE, CASH_SUBSIDY, INSURANCE_BENEFIT, FEE_WAIVER, OTHER or the Chinese label; empty: not stated',
  },
  { key: 'expenditure_kind', zh: '支出责任', required: false, help: 'CENTRAL, LOCAL, SHARED or the Chinese label; empty: not stated' },
  { key: 'expenditure_text', zh: '支出责任说明', required: false, help: 'text of the expenditure responsibility' },
  { key: 'central_shares', zh: '中央分担比例', required: false, help: 'EAST=80;CENTRAL=60;WEST=80 (percent)' },
  { key: 'lead_unit', zh: '牵头负责单位', required: false, help: 'organisation code, e.g. NHC; empty: not stated' },
] as const;

export type EditionColumn = (typeof editionColumns)[number]['key'];
export type EditionRow = { readonly row: number; readonly cells: Readonly<Record<EditionColumn, string>> };
/** One problem of the file: the row as the file numbers it (header = row 1 in CSV/XLSX; 1-based item in JSON) and the column. */
export type RowProblem = { readonly row: number; readonly column: string; readonly message: string };

/** An item as a row states it, ready to compare and to propose. */
export type EditionItem = { readonly row: number; readonly item: ServiceItem };

const MAX_ROWS = 500;
const MAX_CELL = 20_000;
const itemCodePattern = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
const orgCodePattern = /^[A-Za-z0-9_-]{1,32}$/;

const paymentLabels: Readonly<Record<string, PaymentCategory>> = {
  FREE_SERVICE: PaymentCategory.PAYMENT_CATEGORY_FREE_SERVICE,
  免费提供: PaymentCategory.PAYMENT_CATEGORY_FREE_SERVICE,
  CASH_SUBSIDY: PaymentCategory.PAYMENT_CATEGORY_CASH_SUBSIDY,
  现金补助: PaymentCategory.PAYMENT_CATEGORY_CASH_SUBSIDY,
  INSURANCE_BENEFIT: PaymentCategory.PAYMENT_CATEGORY_INSURANCE_BENEFIT,
  保险待遇: PaymentCategory.PAYMENT_CATEGORY_INSURANCE_BENEFIT,
  FEE_WAIVER: PaymentCategory.PAYMENT_CATEGORY_FEE_WAIVER,
  费用减免: PaymentCategory.PAYMENT_CATEGORY_FEE_WAIVER,
  OTHER: PaymentCategory.PAYMENT_CATEGORY_OTHER,
  其他: PaymentCategory.PAYMENT_CATEGORY_OTHER,
  NOT_STATED: PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
  文件未明确: PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
};
const expenditureLabels: Readonly<Record<string, ExpenditureKind>> = {
  CENTRAL: ExpenditureKind.EXPENDITURE_KIND_CENTRAL,
  中央承担: ExpenditureKind.EXPENDITURE_KIND_CENTRAL,
  LOCAL: ExpenditureKind.EXPENDITURE_KIND_LOCAL,
  地方承担: ExpenditureKind.EXPENDITURE_KIND_LOCAL,
  SHARED: ExpenditureKind.EXPENDITURE_KIND_SHARED,
  中央与地方共同承担: ExpenditureKind.EXPENDITURE_KIND_SHARED,
  NOT_STATED: ExpenditureKind.EXPENDITURE_KIND_NOT_STATED,
  文件未明确: ExpenditureKind.EXPENDITURE_KIND_NOT_STATED,
};
const tierLabels: Readonly<Record<string, RegionTier>> = {
  EAST: RegionTier.REGION_TIER_EAST,
  东部: RegionTier.REGION_TIER_EAST,
  CENTRAL: RegionTier.REGION_TIER_CENTRAL,
  中部: RegionTier.REGION_TIER_CENTRAL,
  WEST: RegionTier.REGION_TIER_WEST,
  西部: RegionTier.REGION_TIER_WEST,
};
const comparators: Readonly<Record<string, Comparator>> = {
  '>=': Comparator.COMPARATOR_GTE,
  '≥': Comparator.COMPARATOR_GTE,
  '<=': Comparator.COMPARATOR_LTE,
  '≤': Comparator.COMPARATOR_LTE,
  '=': Comparator.COMPARATOR_EQ,
};

function enumKey(value: string, prefix: string): string {
  const v = value.trim();
  return v.toUpperCase().startsWith(prefix) ? v.toUpperCase().slice(prefix.length) : v.toUpperCase() === v.toLowerCase() ? v : v.toUpperCase();
}

/** Which column a header cell names, if any. */
function columnOf(header: string): EditionColumn | undefined {
  const tokens = header
    .replace(/^\uFEFF/, '')
    .split(/[\s/|（）()]+/)
    .filter(Boolean);
  return editionColumns.find((c) => tokens.some((t) => t === c.zh || t.toLowerCase() === c.key))?.key;
}

/**
 * Rows of text cells (the first is the header) → the edition's rows and the problems of each row on its own.
 * `firstRow` is the file's number of the header row (1 for CSV and XLSX).
 */
export function parseEditionTable(table: readonly (readonly string[])[], firstRow = 1): { rows: EditionRow[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const [header, ...body] = table;
  if (!header) return { rows: [], problems: [{ row: firstRow, column: '', message: 'the file is empty: a header row and one row per item are expected' }] };
  const positions = new Map<EditionColumn, number>();
  header.forEach((cell, i) => {
    const column = columnOf(cell);
    if (!column) {
      if (cell.trim() !== '') problems.push({ row: firstRow, column: cell.trim(), message: 'unknown column (see the template for the columns)' });
      return;
    }
    if (positions.has(column)) problems.push({ row: firstRow, column, message: 'column appears twice' });
    else positions.set(column, i);
  });
  for (const c of editionColumns)
    if (c.required && !positions.has(c.key)) problems.push({ row: firstRow, column: c.key, message: `required column ${c.zh} ${c.key} is missing` });
  if (problems.length > 0) return { rows: [], problems };
  const rows: EditionRow[] = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return; // blank lines are not rows
    const record = {} as Record<EditionColumn, string>;
    for (const c of editionColumns) {
      const at = positions.get(c.key);
      record[c.key] = at === undefined ? '' : (cells[at] ?? '').trim();
    }
    rows.push({ row: firstRow + 1 + i, cells: record });
  });
  return finish(rows, problems);
}

/** JSON editions: `[{ "item_code": …, … }]` or `{ "items": [...] }`; keys are the column keys (or their Chinese names). Row = position (1-based). */
export function parseEditionJson(value: unknown): { rows: EditionRow[]; problems: RowProblem[] } {
  const list = Array.isArray(value) ? value : value && typeof value === 'object' ? (value as { items?: unknown }).items : undefined;
  if (!Array.isArray(list)) return { rows: [], problems: [{ row: 0, column: '', message: 'expected a list of items, or an object with "items"' }] };
  const problems: RowProblem[] = [];
  const rows: EditionRow[] = [];
  list.forEach((entry, i) => {
    const row = i + 1;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ row, column: '', message: 'each item must be an object' });
      return;
    }
    const record = {} as Record<EditionColumn, string>;
    for (const c of editionColumns) record[c.key] = '';
    for (const [key, raw] of Object.entries(entry as Record<string, unknown>)) {
      const column = columnOf(key);
      if (!column) {
        problems.push({ row, column: key, message: 'unknown column (see the template for the columns)' });
        continue;
      }
      if (raw === null || raw === undefined) continue;
      if (typeof raw !== 'string' && typeof raw !== 'number') {
        problems.push({ row, column, message: 'must be text' });
        continue;
      }
      record[column] = String(raw).trim();
    }
    rows.push({ row, cells: record });
  });
  return finish(rows, problems);
}

function finish(rows: EditionRow[], problems: RowProblem[]): { rows: EditionRow[]; problems: RowProblem[] } {
  if (rows.length === 0 && problems.length === 0) problems.push({ row: 0, column: '', message: 'the edition has no items' });
  if (rows.length > MAX_ROWS) problems.push({ row: rows[MAX_ROWS]!.row, column: '', message: `at most ${MAX_ROWS} items per edition` });
  const seen = new Map<string, number>();
  for (const r of rows) {
    problems.push(...rowProblems(r));
    const code = r.cells.item_code;
    const earlier = seen.get(code);
    if (code && earlier !== undefined) problems.push({ row: r.row, column: 'item_code', message: `item ${code} is already stated on row ${earlier}` });
    else if (code) seen.set(code, r.row);
  }
  return { rows, problems: sortProblems(problems) };
}

export function sortProblems(problems: readonly RowProblem[]): RowProblem[] {
  const order = new Map<string, number>(editionColumns.map((c, i) => [c.key, i]));
  return [...problems].sort((a, b) => a.row - b.row || (order.get(a.column) ?? 99) - (order.get(b.column) ?? 99));
}

/** A row's own problems (no registry needed). */
export function rowProblems(r: EditionRow): RowProblem[] {
  const out: RowProblem[] = [];
  const add = (column: EditionColumn, message: string) => out.push({ row: r.row, column, message });
  const c = r.cells;
  for (const col of editionColumns) {
    if (col.required && c[col.key] === '') add(col.key, `${col.zh} is required`);
    if (c[col.key].length > MAX_CELL) add(col.key, `at most ${MAX_CELL} characters`);
  }
  if (c.item_code && !itemCodePattern.test(c.item_code)) add('item_code', 'must be upper-case letters, digits, "-" or "_" (e.g. HEA-01)');
  if (c.name.length > 200) add('name', 'at most 200 characters');
  if (c.field_code && !orgCodePattern.test(c.field_code)) add('field_code', 'not a field code');
  if (c.category_code && !/^[A-Za-z0-9_-]{1,64}$/.test(c.category_code)) add('category_code', 'not a category code');
  if (c.payment_category && paymentCategory(c.payment_category) === undefined)
    add('payment_category', `unknown payment category "${c.payment_category}" (FREE_SERVICE, CASH_SUBSIDY, INSURANCE_BENEFIT, FEE_WAIVER, OTHER)`);
  if (c.expenditure_kind && expenditureKind(c.expenditure_kind) === undefined)
    add('expenditure_kind', `unknown expenditure responsibility "${c.expenditure_kind}" (CENTRAL, LOCAL, SHARED)`);
  const shares = parseShares(c.central_shares);
  for (const p of shares.problems) add('central_shares', p);
  const metrics = parseMetrics(c.quality_metrics);
  for (const p of metrics.problems) add('quality_metrics', p);
  if (c.quality_standard === '' && metrics.metrics.length > 0) add('quality_standard', 'metrics need the text of the quality standard they come from');
  if (c.lead_unit && !orgCodePattern.test(c.lead_unit)) add('lead_unit', 'must be an organisation code, e.g. NHC');
  return out;
}

function paymentCategory(value: string): PaymentCategory | undefined {
  return value === '' ? PaymentCategory.PAYMENT_CATEGORY_NOT_STATED : paymentLabels[enumKey(value, 'PAYMENT_CATEGORY_')];
}

function expenditureKind(value: string): ExpenditureKind | undefined {
  return value === '' ? ExpenditureKind.EXPENDITURE_KIND_NOT_STATED : expenditureLabels[enumKey(value, 'EXPENDITURE_KIND_')];
}

export function parseShares(text: string): { shares: CentralShare[]; problems: string[] } {
  const shares: CentralShare[] = [];
  const problems: string[] = [];
  for (const part of text
    .split(/[;；]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^=:：\s]+)\s*[=:：]\s*([0-9.]+)\s*%?$/.exec(part);
    const tier = m ? tierLabels[enumKey(m[1]!, 'REGION_TIER_')] : undefined;
    const bp = m ? scaleDecimal(m[2]!, 2) : undefined;
    if (!m || tier === undefined) problems.push(`"${part}": expected TIER=percent with TIER one of EAST, CENTRAL, WEST`);
    else if (bp === undefined || bp < 0n || bp > 10_000n) problems.push(`"${part}": the percentage must be between 0 and 100 (at most 2 decimals)`);
    else if (shares.some((s) => s.regionTier === tier)) problems.push(`"${part}": region tier appears twice`);
    else shares.push({ regionTier: tier, percent: m[2]! });
  }
  return { shares, problems };
}

/** "funding_per_capita>=89 CNY per_person_per_year; coverage>=90 percent" → metrics (label left empty: taken from the item in force). */
export function parseMetrics(text: string): { metrics: QualityMetric[]; problems: string[] } {
  const metrics: QualityMetric[] = [];
  const problems: string[] = [];
  for (const part of text
    .split(/[;；]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|=|≥|≤)\s*(-?[0-9.]+)\s+(\S+)(?:\s+(\S+))?$/.exec(part);
    if (!m || !isDecimal(m[3]!)) {
      problems.push(`"${part}": expected metric>=value unit [basis], e.g. funding_per_capita>=89 CNY per_person_per_year`);
      continue;
    }
    if (metrics.some((x) => x.metric === m[1])) {
      problems.push(`"${part}": metric ${m[1]} appears twice`);
      continue;
    }
    metrics.push({ metric: m[1]!, label: '', comparator: comparators[m[2]!]!, value: m[3]!, unit: m[4]!, basis: m[5] ?? '' });
  }
  return { metrics, problems };
}

/** What the standard in force gives the checks: its items (with their version) and its structure. */
export type StandardInForce = {
  readonly items: readonly {
    readonly item: ServiceItem;
    readonly version: number;
    readonly retired: boolean;
    readonly fieldCode: string;
    readonly categoryCode: string;
  }[];
  readonly fields: readonly { readonly code: string; readonly categories: readonly string[] }[];
};

/** The row as a service item (all six attributes; labels and lead-unit names carried over from the standard in force). */
export function rowItem(r: EditionRow, current: StandardInForce): ServiceItem {
  const c = r.cells;
  const before = current.items.find((i) => i.item.itemCode === c.item_code)?.item;
  const leadNames = new Map(current.items.map((i) => [i.item.leadUnit?.code ?? '', i.item.leadUnit?.name ?? '']));
  const metrics = parseMetrics(c.quality_metrics).metrics.map((m) => ({
    ...m,
    label: before?.qualityStandard?.metrics.find((b) => b.metric === m.metric)?.label ?? '',
  }));
  const kind = expenditureKind(c.expenditure_kind) ?? ExpenditureKind.EXPENDITURE_KIND_NOT_STATED;
  return ServiceItem.fromPartial({
    itemCode: c.item_code,
    name: c.name,
    // An item in force keeps its own field and category codes (moving it is a separate change); a new one takes the row's.
    fieldCode: before ? before.fieldCode : c.field_code,
    categoryCode: before ? before.categoryCode : c.category_code,
    serviceTarget: { stated: c.service_target !== '', text: c.service_target },
    serviceContent: { stated: c.service_content !== '', text: c.service_content },
    qualityStandard: { stated: c.quality_standard !== '', text: c.quality_standard, metrics },
    paymentCategory: paymentCategory(c.payment_category) ?? PaymentCategory.PAYMENT_CATEGORY_NOT_STATED,
    expenditureResponsibility: { kind, text: c.expenditure_text, centralShares: parseShares(c.central_shares).shares },
    ...leadUnitOf(c.lead_unit, before, leadNames),
  });
}

/**
 * The row's lead unit. A unit the row names is stated by the edition, unless it is the unit already attributed to the
 * item in force (then the attribution stands as it was). A blank cell keeps the item's attributed unit, still not
 * stated: an edition that is silent on it neither states one nor takes the attribution away.
 */
function leadUnitOf(code: string, before: ServiceItem | undefined, names: ReadonlyMap<string, string>): Pick<ServiceItem, 'leadUnit' | 'leadUnitStated'> {
  if (code === '')
    return before?.leadUnit && !before.leadUnitStated ? { leadUnit: before.leadUnit, leadUnitStated: false } : { leadUnit: undefined, leadUnitStated: false };
  if (before?.leadUnit?.code === code) return { leadUnit: before.leadUnit, leadUnitStated: before.leadUnitStated };
  return { leadUnit: { code, name: names.get(code) ?? '', kind: OrganisationKind.ORGANISATION_KIND_MINISTRY }, leadUnitStated: true };
}

/** The rows' problems against the standard in force: its structure, its items, its lead units. */
export function checkAgainstStandard(rows: readonly EditionRow[], current: StandardInForce): RowProblem[] {
  const problems: RowProblem[] = [];
  const fields = new Map(current.fields.map((f) => [f.code, new Set(f.categories)]));
  const leadUnits = new Set(current.items.map((i) => i.item.leadUnit?.code ?? '').filter(Boolean));
  for (const r of rows) {
    const c = r.cells;
    const add = (column: EditionColumn, message: string) => problems.push({ row: r.row, column, message });
    const categories = fields.get(c.field_code);
    if (c.field_code && !categories) add('field_code', `field ${c.field_code} is not in the structure in force (${[...fields.keys()].join(', ')})`);
    else if (categories && c.category_code && !categories.has(c.category_code))
      add('category_code', `category ${c.category_code} is not in field ${c.field_code}`);
    if (c.lead_unit && !leadUnits.has(c.lead_unit))
      add('lead_unit', `${c.lead_unit} is not a lead unit of the standard in force (${[...leadUnits].sort().join(', ')})`);
    const inForce = current.items.find((i) => i.item.itemCode === c.item_code);
    if (!inForce) continue;
    if (inForce.retired) add('item_code', `item ${c.item_code} was retired; a retired code is not reused`);
    else if (!categories)
      continue; // the unknown field is named above
    else if (inForce.fieldCode !== c.field_code)
      add('field_code', `item ${c.item_code} is in field ${inForce.fieldCode}; moving an item is a separate change, not an import`);
    else if (c.category_code && inForce.categoryCode !== c.category_code)
      add('category_code', `item ${c.item_code} is in category ${inForce.categoryCode || '(none)'}; moving an item is a separate change, not an import`);
  }
  return sortProblems(problems);
}

export type AttributeName =
  'name' | 'service_target' | 'service_content' | 'quality_standard' | 'payment_category' | 'expenditure_responsibility' | 'lead_unit';

export type EditionDiff = {
  /** leadUnit: the unit whose staff may draft the change (the proposals service's rule), empty when none. */
  readonly added: readonly { readonly row: number; readonly itemCode: string; readonly name: string; readonly leadUnit: string; readonly fieldCode: string }[];
  readonly modified: readonly {
    readonly row: number;
    readonly itemCode: string;
    readonly name: string;
    readonly leadUnit: string;
    /** The field of the structure in force the item is in. */
    readonly fieldCode: string;
    readonly baseVersion: number;
    readonly attributes: readonly AttributeName[];
  }[];
  readonly unchanged: readonly string[];
  /** Items in force that the file does not state (an import never retires them; a retirement is its own proposal). */
  readonly notInEdition: readonly string[];
  readonly changes: readonly ItemChange[];
};

function attributesOf(item: ServiceItem): Record<AttributeName, string> {
  const q = item.qualityStandard;
  const e = item.expenditureResponsibility;
  return {
    name: item.name,
    service_target: item.serviceTarget?.stated ? item.serviceTarget.text : '',
    service_content: item.serviceContent?.stated ? item.serviceContent.text : '',
    quality_standard: q?.stated ? JSON.stringify([q.text, q.metrics.map((m) => [m.metric, m.comparator, m.value, m.unit, m.basis])]) : '',
    payment_category: String(
      item.paymentCategory === PaymentCategory.PAYMENT_CATEGORY_UNSPECIFIED ? PaymentCategory.PAYMENT_CATEGORY_NOT_STATED : item.paymentCategory,
    ),
    expenditure_responsibility: JSON.stringify([
      !e || e.kind === ExpenditureKind.EXPENDITURE_KIND_UNSPECIFIED ? ExpenditureKind.EXPENDITURE_KIND_NOT_STATED : e.kind,
      e?.text ?? '',
      (e?.centralShares ?? []).map((s) => [s.regionTier, s.percent]).sort(),
    ]),
    lead_unit: item.leadUnit?.code ?? '',
  };
}

/** The edition against the standard in force: what it adds and changes, and the item changes that do it. */
export function editionDiff(rows: readonly EditionRow[], current: StandardInForce): EditionDiff {
  const added: EditionDiff['added'][number][] = [];
  const modified: EditionDiff['modified'][number][] = [];
  const unchanged: string[] = [];
  const changes: ItemChange[] = [];
  const stated = new Set(rows.map((r) => r.cells.item_code));
  for (const r of rows) {
    const item = rowItem(r, current);
    const inForce = current.items.find((i) => i.item.itemCode === item.itemCode && !i.retired);
    const changeId = `r${r.row}`;
    if (!inForce) {
      added.push({ row: r.row, itemCode: item.itemCode, name: item.name, leadUnit: item.leadUnit?.code ?? '', fieldCode: r.cells.field_code });
      changes.push({ changeId, change: { $case: 'addItem', addItem: { item } } });
      continue;
    }
    const before = attributesOf(inForce.item);
    const after = attributesOf(item);
    const attributes = (Object.keys(after) as AttributeName[]).filter((k) => before[k] !== after[k]);
    if (attributes.length === 0) {
      unchanged.push(item.itemCode);
      continue;
    }
    modified.push({
      row: r.row,
      itemCode: item.itemCode,
      name: item.name,
      leadUnit: inForce.item.leadUnit?.code ?? '',
      fieldCode: inForce.fieldCode,
      baseVersion: inForce.version,
      attributes,
    });
    changes.push({
      changeId,
      change: {
        $case: 'modifyItem',
        modifyItem: { base: { itemCode: item.itemCode, version: inForce.version }, item, lowersFloor: false, loweringJustification: '' },
      },
    });
  }
  const notInEdition = current.items.filter((i) => !i.retired && !stated.has(i.item.itemCode)).map((i) => i.item.itemCode);
  return { added, modified, unchanged, notInEdition, changes };
}

const comparatorText: Readonly<Record<number, string>> = {
  [Comparator.COMPARATOR_GTE]: '>=',
  [Comparator.COMPARATOR_LTE]: '<=',
  [Comparator.COMPARATOR_EQ]: '=',
};
const shortName = (name: string, prefix: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);

/** An item as a row of an edition file (the inverse of rowItem): exporting the standard in force gives a file that changes nothing. */
export function editionRowOf(item: ServiceItem, fieldCode: string, categoryCode: string): Record<EditionColumn, string> {
  const q = item.qualityStandard;
  const e = item.expenditureResponsibility;
  const payment = item.paymentCategory === PaymentCategory.PAYMENT_CATEGORY_UNSPECIFIED ? PaymentCategory.PAYMENT_CATEGORY_NOT_STATED : item.paymentCategory;
  const kind = !e || e.kind === ExpenditureKind.EXPENDITURE_KIND_UNSPECIFIED ? ExpenditureKind.EXPENDITURE_KIND_NOT_STATED : e.kind;
  return {
    item_code: item.itemCode,
    name: item.name,
    field_code: fieldCode,
    category_code: categoryCode,
    service_target: item.serviceTarget?.stated ? item.serviceTarget.text : '',
    service_content: item.serviceContent?.stated ? item.serviceContent.text : '',
    quality_standard: q?.stated ? q.text : '',
    quality_metrics: q?.stated
      ? q.metrics.map((m) => `${m.metric}${comparatorText[m.comparator] ?? '='}${m.value} ${m.unit}${m.basis ? ` ${m.basis}` : ''}`).join('; ')
      : '',
    payment_category: shortName(PaymentCategory[payment] ?? '', 'PAYMENT_CATEGORY_'),
    expenditure_kind: shortName(ExpenditureKind[kind] ?? '', 'EXPENDITURE_KIND_'),
    expenditure_text: e?.text ?? '',
    central_shares: (e?.centralShares ?? []).map((s) => `${shortName(RegionTier[s.regionTier] ?? '', 'REGION_TIER_')}=${s.percent}`).join(';'),
    // The unit in force, stated or attributed (rowItem keeps an attribution as it was).
    lead_unit: item.leadUnit?.code ?? '',
  };
}
