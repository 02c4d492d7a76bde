// Legal dates on the wire are {year, month, day}; people and URLs use YYYY-MM-DD (parsed by
// services/shared/standards/china-date.ts, the one home of calendar and Beijing-time rules).
import type { DateMessage } from '../../../proto/gen/bps/common/v1/common';
import { formatIsoDate } from '../../shared/standards/china-date';

export const isoDatePattern = '^\\d{4}-\\d{2}-\\d{2}$';

/** YYYY-MM-DD, or '' for an absent or zero (unset) proto date. */
export function formatDate(date: DateMessage | undefined): string {
  if (!date || (date.year === 0 && date.month === 0 && date.day === 0)) return '';
  return formatIsoDate(date);
}
