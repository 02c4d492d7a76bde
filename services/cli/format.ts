// Values as the CLI prints and reads them.
import { comparatorToJSON, type DateMessage, type QualityMetric, type StatedText } from '../../proto/gen/bps/common/v1/common';
import { metricLevelText } from '../shared/standards/units';
import { UsageError } from './args';

export function parseDateArg(text: string, name: string): DateMessage {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
  const probe = date ? new Date(Date.UTC(date.year, date.month - 1, date.day)) : undefined;
  if (!date || !probe || probe.getUTCMonth() !== date.month - 1 || probe.getUTCDate() !== date.day)
    throw new UsageError(`${name} must be a date YYYY-MM-DD, got "${text}"`);
  return date;
}

export const isDate = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text);

export function fmtDate(d: DateMessage | undefined): string {
  if (!d || d.year === 0) return '';
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

const comparators: Record<string, string> = { COMPARATOR_GTE: '>=', COMPARATOR_LTE: '<=', COMPARATOR_EQ: '=' };

export function fmtMetric(m: QualityMetric): string {
  return `${m.label || m.metric} ${comparators[comparatorToJSON(m.comparator)] ?? '?'} ${metricLevelText('en', m)}`;
}

export const fmtStated = (s: StatedText | undefined): string => (s?.stated ? s.text : '(not stated)');

/** Strips a proto enum's prefix for display: PAYMENT_CATEGORY_CASH_SUBSIDY -> CASH_SUBSIDY. */
export const enumShort = (name: string, prefix: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);

/** "病有所医 (F21-HEALTH) / 医疗保险服务 (C21-MEDICAL-INSURANCE)": names from the placement, codes kept. */
export function fmtPlacement(v: {
  readonly item?: { readonly fieldCode: string; readonly categoryCode: string } | undefined;
  readonly placement?: { readonly fieldName: string; readonly categoryName: string } | undefined;
}): string {
  const named = (name: string | undefined, code: string): string => (name ? `${name} (${code})` : code);
  const it = v.item;
  if (!it) return '';
  return [named(v.placement?.fieldName, it.fieldCode), it.categoryCode ? named(v.placement?.categoryName, it.categoryCode) : ''].filter(Boolean).join(' / ');
}
