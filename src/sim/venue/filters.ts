/**
 * The symbol filters Binance defines alike on spot and USDⓈ-M (spot API docs and
 * "USDⓈ-M Futures › Market Data › Exchange Information", "Filters"): PRICE_FILTER,
 * LOT_SIZE and MARKET_LOT_SIZE. Both markets parse them from their exchangeInfo the
 * same way and test a value against the same bounds: a zero `maxPrice`/`maxQty`,
 * `tickSize`/`stepSize` (and, for prices, `minPrice`) switches that bound off, and
 * ticks and steps count from the minimum. How a breach is answered differs per
 * market (spot: -1013 `Filter failure: <FILTER>`; USD-M: one code per bound), so
 * this module only says which bounds a value breaks.
 *
 * The filters whose fields differ between the markets (spot NOTIONAL / MIN_NOTIONAL
 * / PERCENT_PRICE_BY_SIDE; USD-M MIN_NOTIONAL `notional`, one-sided PERCENT_PRICE,
 * MAX_NUM_ORDERS `limit`) stay in each market's instruments module.
 */
import { z } from 'zod';
import { type Decimal, dec } from '../../domain/decimal.ts';

/** An exchangeInfo decimal field: a decimal string. */
export const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');

/** `PRICE_FILTER` as exchangeInfo lists it. */
export const priceFilterSchema = z.object({ filterType: z.literal('PRICE_FILTER'), minPrice: decimalString, maxPrice: decimalString, tickSize: decimalString });
/** `LOT_SIZE` as exchangeInfo lists it. */
export const lotSizeSchema = z.object({ filterType: z.literal('LOT_SIZE'), minQty: decimalString, maxQty: decimalString, stepSize: decimalString });
/** `MARKET_LOT_SIZE` as exchangeInfo lists it (the LOT_SIZE fields, for market executions). */
export const marketLotSizeSchema = z.object({ filterType: z.literal('MARKET_LOT_SIZE'), minQty: decimalString, maxQty: decimalString, stepSize: decimalString });

/** PRICE_FILTER with its decimals parsed. */
export interface PriceRule {
  readonly minPrice: Decimal;
  readonly maxPrice: Decimal;
  readonly tickSize: Decimal;
}

/** LOT_SIZE or MARKET_LOT_SIZE with its decimals parsed (base-asset quantities). */
export interface LotRule {
  readonly minQty: Decimal;
  readonly maxQty: Decimal;
  readonly stepSize: Decimal;
}

/** Parses a listed PRICE_FILTER. */
export function toPriceRule(f: z.infer<typeof priceFilterSchema>): PriceRule {
  return { minPrice: dec(f.minPrice), maxPrice: dec(f.maxPrice), tickSize: dec(f.tickSize) };
}

/** Parses a listed LOT_SIZE or MARKET_LOT_SIZE. */
export function toLotRule(f: { readonly minQty: string; readonly maxQty: string; readonly stepSize: string }): LotRule {
  return { minQty: dec(f.minQty), maxQty: dec(f.maxQty), stepSize: dec(f.stepSize) };
}

/**
 * The filters of one exchangeInfo symbol that `schema` recognises, by `filterType`
 * (the last one listed wins; unknown or malformed ones are skipped).
 */
export function filterLookup<F extends { readonly filterType: string }>(
  schema: z.ZodType<F>,
  listed: readonly unknown[],
): <T extends F['filterType']>(type: T) => Extract<F, { filterType: T }> | undefined {
  const byType = new Map<string, F>();
  for (const f of listed) {
    const p = schema.safeParse(f);
    if (p.success) byType.set(p.data.filterType, p.data);
  }
  return <T extends F['filterType']>(type: T) => byType.get(type) as Extract<F, { filterType: T }> | undefined;
}

/** Which PRICE_FILTER bounds a price breaks (each false when its bound is zero, i.e. off). */
export interface PriceBreaches {
  /** Below a non-zero `minPrice`. */
  readonly belowMin: boolean;
  /** Above a non-zero `maxPrice`. */
  readonly aboveMax: boolean;
  /** Not `minPrice` plus a whole number of a non-zero `tickSize`. */
  readonly offTick: boolean;
}

/** Tests `price` against each PRICE_FILTER bound (the sign of `price` is the caller's check). */
export function priceBreaches(f: PriceRule, price: Decimal): PriceBreaches {
  return {
    belowMin: !f.minPrice.isZero() && price.lt(f.minPrice),
    aboveMax: !f.maxPrice.isZero() && price.gt(f.maxPrice),
    offTick: !f.tickSize.isZero() && !price.minus(f.minPrice).mod(f.tickSize).isZero(),
  };
}

/** Which LOT_SIZE / MARKET_LOT_SIZE bounds a quantity breaks. */
export interface LotBreaches {
  /** Below `minQty` (always checked, a zero minimum included). */
  readonly belowMin: boolean;
  /** Above a non-zero `maxQty`. */
  readonly aboveMax: boolean;
  /** Not `minQty` plus a whole number of a non-zero `stepSize`. */
  readonly offStep: boolean;
}

/** Tests `qty` against each LOT_SIZE (or MARKET_LOT_SIZE) bound (the sign of `qty` is the caller's check). */
export function lotBreaches(f: LotRule, qty: Decimal): LotBreaches {
  return {
    belowMin: qty.lt(f.minQty),
    aboveMax: !f.maxQty.isZero() && qty.gt(f.maxQty),
    offStep: !f.stepSize.isZero() && !qty.minus(f.minQty).mod(f.stepSize).isZero(),
  };
}
