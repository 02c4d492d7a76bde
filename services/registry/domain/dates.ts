// Legal dates (effective dates) are calendar dates without a time zone, stored as ISO 'YYYY-MM-DD' strings so
// that string order is date order (indexes and range queries work on them directly).
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import type { FieldViolation } from '../../shared/errors/errors';
import { formatIsoDate, isValidYmd } from '../../shared/standards/china-date';

export type LocalDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A proto date to an ISO date, or a field violation naming `field` when the date is impossible. */
export function parseDate(date: DateMessage, field: string): LocalDate | FieldViolation {
  if (!isValidYmd(date.year, date.month, date.day)) {
    return { field, description: `${date.year}-${date.month}-${date.day} is not a valid calendar date`, reason: 'INVALID_DATE' };
  }
  return formatIsoDate(date);
}

export function isViolation(x: LocalDate | FieldViolation): x is FieldViolation {
  return typeof x !== 'string';
}

export function toDateMessage(date: LocalDate): DateMessage {
  const m = ISO.exec(date);
  if (!m) throw new Error(`not an ISO date: ${date}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}
