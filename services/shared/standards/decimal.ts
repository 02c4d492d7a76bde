// Exact decimals on BigInt. Quality levels, money and percentages never pass through floating point.
// A decimal is written exactly as on the wire ("40", "95.5", "-1"): no spaces, no exponent, no leading "+".

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** `value` scaled by 10^places, exactly; undefined when it is not a decimal or needs more places than allowed. */
export function scaleDecimal(value: string, places: number): bigint | undefined {
  const match = DECIMAL.exec(value);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  // Trailing zeros beyond the allowed places are harmless ("40.000").
  if (fraction.length > places && /[^0]/.test(fraction.slice(places))) return undefined;
  const scaled = BigInt(`${whole}${fraction.slice(0, places).padEnd(places, '0')}`);
  return sign ? -scaled : scaled;
}

function fractionLength(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

/** -1, 0 or 1 as a < b, a = b, a > b; undefined when either is not a decimal. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 | undefined {
  const places = Math.max(fractionLength(a), fractionLength(b));
  const x = scaleDecimal(a, places);
  const y = scaleDecimal(b, places);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a * numerator / denominator, rounded half up (non-negative operands). */
export function mulDivRound(a: bigint, numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  return (a * numerator * 2n + denominator) / (denominator * 2n);
}

/** Formats a value scaled by 10^places back to a decimal string ("6250", 2 -> "62.5"). */
export function formatScaled(value: bigint, places: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = places > 0 ? digits.slice(digits.length - places).replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** int64 as a decimal string (ts-proto's forceLong=string) -> bigint; undefined when malformed or out of range. */
export function parseInt64(value: string): bigint | undefined {
  if (!/^-?\d{1,19}$/.test(value)) return undefined;
  const n = BigInt(value);
  return n > INT64_MAX || n < INT64_MIN ? undefined : n;
}
