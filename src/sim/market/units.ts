/**
 * Exact fixed-point helpers for the market-data hot path.
 *
 * Binance sends prices and quantities as decimal strings with at most 8
 * decimals. Ordering book levels and summing trade volumes through decimal.js on
 * every event is too slow for the replay, so these helpers parse a decimal
 * string *exactly* into an integer count of 1e-8 units (a JS number while it
 * stays below 2^53, a bigint where sums can grow) and format such integers back
 * into decimal strings. No binary floating point touches a value: a string that
 * cannot be represented exactly is rejected, never rounded.
 */

/** Decimals of one unit: values are counted in 1e-8. */
export const UNIT_DECIMALS = 8;

const UNITS_PER_ONE = 100_000_000;
/** Largest integer part `toUnits` accepts: `(2^53 - 1) / 1e8`, about 90 million. */
const MAX_INT_PART = Math.floor(Number.MAX_SAFE_INTEGER / UNITS_PER_ONE);
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000] as const;

function invalid(value: string, why: string): RangeError {
  return new RangeError(`Not an exact 8-decimal amount: "${value}" (${why})`);
}

/**
 * Parses a non-negative decimal string (`"61837.63000000"`, `"0.001"`, `"5"`) into
 * an integer number of 1e-8 units (`6183763000000`).
 *
 * Exact: digits past the 8th decimal must be zeros.
 * @throws RangeError when the string is not a plain non-negative decimal, has a
 *   non-zero digit past the 8th decimal, or is ≥ 90,071,992.54740991 (2^53 units).
 */
export function toUnits(value: string): number {
  const n = value.length;
  let i = 0;
  let int = 0;
  for (; i < n; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d === -2) break; // '.'
    if (d < 0 || d > 9) throw invalid(value, 'not a decimal');
    int = int * 10 + d;
  }
  if (i === 0) throw invalid(value, 'no integer digits');
  if (int > MAX_INT_PART) throw invalid(value, 'too large');
  let frac = 0;
  let fd = 0;
  if (i < n) {
    i++;
    if (i === n) throw invalid(value, 'no decimals after the point');
    for (; i < n; i++) {
      const d = value.charCodeAt(i) - 48;
      if (d < 0 || d > 9) throw invalid(value, 'not a decimal');
      if (fd < UNIT_DECIMALS) {
        frac = frac * 10 + d;
        fd++;
      } else if (d !== 0) {
        throw invalid(value, 'more than 8 decimals');
      }
    }
  }
  const units = int * UNITS_PER_ONE + frac * (POW10[UNIT_DECIMALS - fd] ?? 1);
  if (!Number.isSafeInteger(units)) throw invalid(value, 'too large');
  return units;
}

/**
 * Parses a non-negative decimal string into a bigint count of 1e-8 units, without a size limit.
 * @throws RangeError when the string is not a plain non-negative decimal or has a non-zero digit past the 8th decimal.
 */
export function toBigUnits(value: string): bigint {
  const dot = value.indexOf('.');
  const intPart = dot < 0 ? value : value.slice(0, dot);
  let fracPart = dot < 0 ? '' : value.slice(dot + 1);
  if (intPart.length === 0 || !isDigits(intPart) || (dot >= 0 && (fracPart.length === 0 || !isDigits(fracPart)))) {
    throw invalid(value, 'not a decimal');
  }
  if (fracPart.length > UNIT_DECIMALS) {
    const rest = fracPart.slice(UNIT_DECIMALS);
    if (!/^0*$/.test(rest)) throw invalid(value, 'more than 8 decimals');
    fracPart = fracPart.slice(0, UNIT_DECIMALS);
  }
  return BigInt(intPart + fracPart.padEnd(UNIT_DECIMALS, '0'));
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when a decimal string is zero (`"0"`, `"0.00000000"`, `"0.000"`): Binance's "remove this level". */
export function isZeroDecimal(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 48 && c !== 46) return false;
  }
  return value.length > 0;
}

/**
 * Formats an integer count of `10^-scale` units as a decimal string with exactly
 * `places` decimals, truncating toward zero (Binance's fixed 8-decimal style).
 * `formatUnits(6183763000000, 8)` → `"61837.63000000"`; a 1e-16 quote-volume sum uses `scale` 16.
 */
export function formatUnits(units: number | bigint, scale: number = UNIT_DECIMALS, places: number = UNIT_DECIMALS): string {
  let big = typeof units === 'bigint' ? units : BigInt(units);
  const negative = big < 0n;
  if (negative) big = -big;
  const digits = big.toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  let frac = digits.slice(digits.length - scale);
  frac = frac.length >= places ? frac.slice(0, places) : frac.padEnd(places, '0');
  const body = places > 0 ? `${intPart}.${frac}` : intPart;
  return negative && /[1-9]/.test(body) ? `-${body}` : body;
}
