// Dates in China. Legal dates (effective dates, deadlines) are calendar days in Beijing time: Asia/Shanghai,
// UTC+8 all year (no daylight saving), whatever zone a server runs in. Stored and sent as ISO 'YYYY-MM-DD' strings
// or proto {year, month, day}; string order is date order.

export const CHINA_UTC_OFFSET_MS = 8 * 3600_000;

export type CalendarDate = { readonly year: number; readonly month: number; readonly day: number };

/** Years the platform accepts in a legal date: the standards began in the 2010s; 9999 is the open end. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

export function isValidYmd(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD' -> a calendar date; undefined when malformed or not a real day. */
export function parseIsoDate(text: string): CalendarDate | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isValidYmd(year, month, day) ? { year, month, day } : undefined;
}

export function formatIsoDate(date: CalendarDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** The instant as Beijing wall-clock time, in a Date whose UTC fields read as Beijing's. */
function beijing(at: Date): Date {
  return new Date(at.getTime() + CHINA_UTC_OFFSET_MS);
}

/** "Today" for legal purposes: the date in Beijing, 'YYYY-MM-DD'. */
export function todayInChina(now: Date = new Date()): string {
  return beijing(now).toISOString().slice(0, 10);
}

/** The year in Beijing at an instant (a proposal drafted at 23:30 UTC on 31 December belongs to the next year). */
export function yearInChina(at: Date): number {
  return beijing(at).getUTCFullYear();
}

/** Beijing wall-clock time, 'YYYY-MM-DD HH:MM', as people on the platform read deadlines. */
export function chinaMinute(at: Date): string {
  return beijing(at).toISOString().slice(0, 16).replace('T', ' ');
}

/** Beijing wall-clock time, 'YYYY-MM-DD HH:MM:SS'. */
export function chinaSecond(at: Date): string {
  return beijing(at).toISOString().slice(0, 19).replace('T', ' ');
}

/** The last millisecond of a day in Beijing, as epoch ms (a deadline "by 30 June" ends at 23:59:59.999 there). */
export function endOfDayInChina(date: CalendarDate): number {
  return Date.UTC(date.year, date.month - 1, date.day, 23, 59, 59, 999) - CHINA_UTC_OFFSET_MS;
}

/** An ISO date plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
