/**
 * USDⓈ-M instrument rules from the recorded `GET /fapi/v1/exchangeInfo`, and the
 * order checks Binance applies with them (Binance "USDⓈ-M Futures › Market Data ›
 * Exchange Information", "Filters"):
 * - PRICE_FILTER `minPrice`/`maxPrice`/`tickSize` → -4001 / -4013 / -4002 / -4014;
 * - LOT_SIZE, and MARKET_LOT_SIZE for market executions → -4003 / -4004 / -4005 / -4023;
 * - MIN_NOTIONAL `notional` (price × quantity, reduce-only exempt) → -4164;
 * - PERCENT_PRICE (one-sided: a BUY price ≤ mark × multiplierUp, a SELL price ≥ mark × multiplierDown) → -4016 / -4024;
 * - MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS `limit` → -2025 / -4045;
 * - more digits than `pricePrecision` / `quantityPrecision` → -1111.
 * PRICE_FILTER and the lot filters are shared with spot (../filters.ts: same fields, same bounds);
 * the other futures filter objects differ from spot (`notional` and `limit` field names), hence this module.
 */
import { z } from 'zod';
import { type Decimal, ZERO, dec } from '../../../domain/decimal.ts';
import { Errors } from '../errors.ts';
import {
  type LotRule,
  type PriceRule,
  decimalString,
  filterLookup,
  lotBreaches,
  lotSizeSchema,
  marketLotSizeSchema,
  priceBreaches,
  priceFilterSchema,
  toLotRule,
  toPriceRule,
} from '../filters.ts';
import { type RecordedExchangeInfo, readExchangeInfo } from '../recorded-exchange-info.ts';
import type { OrderSide } from '../types.ts';
import { UsdmErrors } from './errors.ts';

const filterSchema = z.discriminatedUnion('filterType', [
  priceFilterSchema,
  lotSizeSchema,
  marketLotSizeSchema,
  z.object({ filterType: z.literal('MIN_NOTIONAL'), notional: decimalString }),
  z.object({ filterType: z.literal('PERCENT_PRICE'), multiplierUp: decimalString, multiplierDown: decimalString, multiplierDecimal: decimalString }),
  z.object({ filterType: z.literal('MAX_NUM_ORDERS'), limit: z.number().int() }),
  z.object({ filterType: z.literal('MAX_NUM_ALGO_ORDERS'), limit: z.number().int() }),
]);

const symbolSchema = z.looseObject({
  symbol: z.string(),
  status: z.string(),
  contractType: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  marginAsset: z.string(),
  pricePrecision: z.number().int(),
  quantityPrecision: z.number().int(),
  orderTypes: z.array(z.string()),
  timeInForce: z.array(z.string()),
  filters: z.array(z.looseObject({ filterType: z.string() })),
});

/** The trading rules of one USDⓈ-M contract, decimals parsed. */
export interface UsdmRules {
  readonly symbol: string;
  /** 'TRADING' when orders are accepted. */
  readonly status: string;
  /** 'PERPETUAL' for the recorded contracts. */
  readonly contractType: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** The asset margin and PnL are counted in (USDT). */
  readonly marginAsset: string;
  /** Digits after the point a price may carry (and that prices are written with). */
  readonly pricePrecision: number;
  /** Digits after the point a quantity may carry (and that quantities are written with). */
  readonly quantityPrecision: number;
  readonly orderTypes: ReadonlySet<string>;
  readonly timeInForce: ReadonlySet<string>;
  readonly priceFilter?: PriceRule;
  readonly lotSize?: LotRule;
  readonly marketLotSize?: LotRule;
  /** MIN_NOTIONAL `notional`, quote asset. */
  readonly minNotional?: Decimal;
  readonly percentPrice?: { readonly up: Decimal; readonly down: Decimal };
  readonly maxNumOrders?: number;
  readonly maxNumAlgoOrders?: number;
}

/** The loaded futures exchangeInfo: the raw body to serve and the rules by symbol. */
export type UsdmExchangeInfo = RecordedExchangeInfo<UsdmRules>;

/**
 * Reads and parses a recorded `GET /fapi/v1/exchangeInfo` body.
 * @throws Error naming the file when it is missing or does not parse.
 */
export function loadUsdmExchangeInfo(path: string): UsdmExchangeInfo {
  return readExchangeInfo(path, symbolSchema, toRules, { what: 'USD-M exchangeInfo', setting: 'option usdm.exchangeInfoPath' });
}

function toRules(s: z.infer<typeof symbolSchema>): UsdmRules {
  const get = filterLookup(filterSchema, s.filters);
  const pf = get('PRICE_FILTER');
  const ls = get('LOT_SIZE');
  const mls = get('MARKET_LOT_SIZE');
  const mn = get('MIN_NOTIONAL');
  const pp = get('PERCENT_PRICE');
  return {
    symbol: s.symbol,
    status: s.status,
    contractType: s.contractType,
    baseAsset: s.baseAsset,
    quoteAsset: s.quoteAsset,
    marginAsset: s.marginAsset,
    pricePrecision: s.pricePrecision,
    quantityPrecision: s.quantityPrecision,
    orderTypes: new Set(s.orderTypes),
    timeInForce: new Set(s.timeInForce),
    ...(pf && { priceFilter: toPriceRule(pf) }),
    ...(ls && { lotSize: toLotRule(ls) }),
    ...(mls && { marketLotSize: toLotRule(mls) }),
    ...(mn && { minNotional: dec(mn.notional) }),
    ...(pp && { percentPrice: { up: dec(pp.multiplierUp), down: dec(pp.multiplierDown) } }),
    ...(get('MAX_NUM_ORDERS') && { maxNumOrders: get('MAX_NUM_ORDERS')?.limit }),
    ...(get('MAX_NUM_ALGO_ORDERS') && { maxNumAlgoOrders: get('MAX_NUM_ALGO_ORDERS')?.limit }),
  };
}

/**
 * Parses a decimal parameter; more digits after the point than `places` is -1111.
 * @throws VenueError -1100 when not a non-negative decimal, -1111 on precision.
 */
export function parseUsdmAmount(param: string, value: string, places: number): Decimal {
  if (!/^\d+(\.\d+)?$/.test(value)) throw Errors.illegalCharsIn(param, value);
  const d = dec(value);
  if (d.decimalPlaces() > places) throw Errors.badPrecision(param);
  return d;
}

/** PRICE_FILTER on an order price. @throws VenueError -4001, -4013, -4002, -4014. */
export function checkOrderPrice(rules: UsdmRules, price: Decimal): void {
  if (price.lte(ZERO)) throw UsdmErrors.priceNotPositive();
  const f = rules.priceFilter;
  if (!f) return;
  const b = priceBreaches(f, price);
  if (b.belowMin) throw UsdmErrors.priceBelowMin();
  if (b.aboveMax) throw UsdmErrors.priceAboveMax();
  if (b.offTick) throw UsdmErrors.priceNotOnTick();
}

/** PRICE_FILTER on a trigger (stop) price. @throws VenueError -4006, -4007, -4014. */
export function checkTriggerPrice(rules: UsdmRules, price: Decimal): void {
  if (price.lte(ZERO)) throw UsdmErrors.stopPriceNotPositive();
  const f = rules.priceFilter;
  if (!f) return;
  const b = priceBreaches(f, price);
  if (b.aboveMax) throw UsdmErrors.stopPriceAboveMax();
  if (b.offTick) throw UsdmErrors.priceNotOnTick();
}

/** LOT_SIZE, and MARKET_LOT_SIZE when `isMarket`. @throws VenueError -4003, -4004, -4005, -4023. */
export function checkOrderQty(rules: UsdmRules, qty: Decimal, isMarket: boolean): void {
  if (qty.lte(ZERO)) throw UsdmErrors.qtyNotPositive();
  const check = (f: LotRule | undefined) => {
    if (!f) return;
    const b = lotBreaches(f, qty);
    if (b.belowMin) throw UsdmErrors.qtyBelowMin();
    if (b.aboveMax) throw UsdmErrors.qtyAboveMax();
    if (b.offStep) throw UsdmErrors.qtyNotOnStep();
  };
  check(rules.lotSize);
  if (isMarket) check(rules.marketLotSize);
}

/** MIN_NOTIONAL (`price × qty` in the quote asset; reduce-only orders are exempt, the caller skips them). @throws VenueError -4164. */
export function checkMinNotional(rules: UsdmRules, notional: Decimal): void {
  if (rules.minNotional && notional.lt(rules.minNotional)) throw UsdmErrors.minNotional(rules.minNotional.toFixed());
}

/**
 * PERCENT_PRICE against the mark price (undefined before the book is synced: skipped).
 * @throws VenueError -4016 (BUY above mark × up) or -4024 (SELL below mark × down), naming the bound on the tick.
 */
export function checkPercentPrice(rules: UsdmRules, side: OrderSide, price: Decimal, mark: Decimal | undefined): void {
  const p = rules.percentPrice;
  if (!p || !mark) return;
  const tick = rules.priceFilter?.tickSize;
  if (side === 'BUY') {
    const cap = mark.times(p.up);
    if (price.gt(cap)) throw UsdmErrors.priceAboveCap((tick ? cap.div(tick).floor().times(tick) : cap).toFixed(rules.pricePrecision));
  } else {
    const floor = mark.times(p.down);
    if (price.lt(floor)) throw UsdmErrors.priceBelowFloor((tick ? floor.div(tick).ceil().times(tick) : floor).toFixed(rules.pricePrecision));
  }
}
