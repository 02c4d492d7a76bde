// Legal dates (effective dates) are calendar dates without a time zone, stored as ISO 'YYYY-MM-DD' strings so
// that string order is date order (indexes and range queries work on them directly).
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import type { FieldViolation } from '../../shared/errors/errors';

export type LocalDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidYmd(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A proto date to an ISO date, or a field violation naming `field` when the date is impossible. */
export function parseDate(date: DateMessage, field: string): LocalDate | FieldViolation {
  if (!isValidYmd(date.year, date.month, date.day)) {
    return { field, description: `${date.year}-${date.month}-${date.day} is not a valid calendar date`, reason: 'INVALID_DATE' };
  }
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function isViolation(x: LocalDate | FieldViolation): x is FieldViolation {
  return typeof x !== 'string';
}

export function toDateMessage(date: LocalDate): DateMessage {
  const m = ISO.exec(date);
  if (!m) throw new Error(`not an ISO date: ${date}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** "Today" for legal purposes is the date in Beijing (Asia/Shanghai, UTC+8, no daylight saving). */
export function todayInChina(now: Date): LocalDate {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
