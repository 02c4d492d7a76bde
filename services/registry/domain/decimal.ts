// Exact comparison of decimal strings ("40", "95.5"): quality levels must never be compared in floating point.
const DECIMAL = /^-?\d+(\.\d+)?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value.trim());
}

function scaled(value: string, scale: number): bigint {
  const v = value.trim();
  const negative = v.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? v.slice(1) : v).split('.');
  const digits = BigInt(whole + frac.padEnd(scale, '0'));
  return negative ? -digits : digits;
}

/** -1, 0 or 1 as a < b, a = b, a > b. Both must satisfy isDecimal. */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}
