/**
 * Decimal arithmetic for money: prices, quantities, fees and PnL.
 *
 * Every amount crosses the wire as a decimal string (as Binance sends it) and is
 * computed with decimal.js, never with binary floating point. Rounding to a
 * market's tick size or step size always truncates toward zero unless stated.
 */
import { Decimal as DecimalJs } from 'decimal.js';

/** A decimal.js constructor isolated from the global one: 40 significant digits, ROUND_DOWN by default. */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_DOWN, toExpNeg: -30, toExpPos: 30 });
export type Decimal = InstanceType<typeof Decimal>;

/** A value accepted where a decimal is expected: a decimal string such as `"61837.63"` or a Decimal. */
export type DecimalLike = string | Decimal;

export const ZERO: Decimal = new Decimal(0);

/**
 * Recently parsed strings. decimal.js values are immutable (every operation returns a new
 * one), so one parsed value can be shared; a venue stream repeats the same prices, sizes and
 * cumulative quantities many times, and parsing is most of the cost of a decimal operation.
 * Bounded: emptied when full.
 */
const parsed = new Map<string, Decimal>();
const PARSED_MAX = 8192;

/** Parses a decimal string. Throws `Error` (decimal.js `DecimalError`) when the string is not a number. */
export function dec(value: DecimalLike): Decimal {
  if (typeof value !== 'string') return value;
  let d = parsed.get(value);
  if (d === undefined) {
    d = new Decimal(value);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(value, d);
  }
  return d;
}

/** True when `value` is a whole multiple of `step` (for Binance's tickSize / stepSize filters). A zero step admits anything. */
export function isMultipleOf(value: DecimalLike, step: DecimalLike): boolean {
  const s = dec(step);
  if (s.isZero()) return true;
  return dec(value).mod(s).isZero();
}

/** Rounds `value` down (toward zero) to a whole multiple of `step`. A zero step returns `value` unchanged. */
export function floorToStep(value: DecimalLike, step: DecimalLike): Decimal {
  const s = dec(step);
  const v = dec(value);
  if (s.isZero()) return v;
  return v.div(s).floor().times(s);
}

/** Number of digits after the decimal point that `value` needs (`"0.00100000"` → 3). */
export function decimalPlaces(value: DecimalLike): number {
  return dec(value).decimalPlaces();
}

/** Formats with exactly `places` digits after the point, truncating (Binance's fixed 8-decimal style: `"0.00100000"`). */
export function fixed(value: DecimalLike, places = 8): string {
  return dec(value).toFixed(places, Decimal.ROUND_DOWN);
}

/** Smallest representation without trailing zeros (`"0.00100000"` → `"0.001"`). */
export function plain(value: DecimalLike): string {
  return dec(value).toFixed();
}

/** Minimum of two decimals. */
export function dmin(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

/** Maximum of two decimals. */
export function dmax(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}
