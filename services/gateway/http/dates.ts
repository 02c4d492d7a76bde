// Legal dates on the wire are {year, month, day}; people and URLs use YYYY-MM-DD.
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';

export const isoDatePattern = '^\\d{4}-\\d{2}-\\d{2}$';

/** Parses YYYY-MM-DD into a proto Date; undefined when malformed or not a real calendar day. */
export function parseIsoDate(text: string): DateMessage | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

export function formatDate(date: DateMessage | undefined): string {
  if (!date || (date.year === 0 && date.month === 0 && date.day === 0)) return '';
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** Today in China (Asia/Shanghai), the registry's default valid-time date. */
export function todayInChina(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
