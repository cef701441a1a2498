/**
 * Instrument rules from Binance's `exchangeInfo`, and the order filters Binance
 * enforces with them (Binance spot API docs, "Filters": PRICE_FILTER,
 * PERCENT_PRICE_BY_SIDE, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, MIN_NOTIONAL,
 * MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS). Every failure throws {@link VenueError}
 * -1013 `Filter failure: <FILTER>` (or -1111 for precision), as Binance does.
 */
import { z } from 'zod';
import { dec, type Decimal, ZERO } from '../../domain/decimal.ts';
import { Errors } from './errors.ts';
import {
  decimalString,
  filterLookup,
  lotBreaches,
  type LotRule,
  lotSizeSchema,
  marketLotSizeSchema,
  priceBreaches,
  priceFilterSchema,
  type PriceRule,
  toLotRule,
  toPriceRule,
} from './filters.ts';
import { readExchangeInfo, type RecordedExchangeInfo } from './recorded-exchange-info.ts';
import type { OrderSide } from './types.ts';

const filterSchema = z.discriminatedUnion('filterType', [
  priceFilterSchema,
  lotSizeSchema,
  marketLotSizeSchema,
  z.object({
    filterType: z.literal('NOTIONAL'),
    minNotional: decimalString,
    maxNotional: decimalString,
    applyMinToMarket: z.boolean(),
    applyMaxToMarket: z.boolean(),
    avgPriceMins: z.number(),
  }),
  z.object({ filterType: z.literal('MIN_NOTIONAL'), minNotional: decimalString, applyToMarket: z.boolean(), avgPriceMins: z.number() }),
  z.object({
    filterType: z.literal('PERCENT_PRICE_BY_SIDE'),
    bidMultiplierUp: decimalString,
    bidMultiplierDown: decimalString,
    askMultiplierUp: decimalString,
    askMultiplierDown: decimalString,
    avgPriceMins: z.number(),
  }),
  z.object({ filterType: z.literal('PERCENT_PRICE'), multiplierUp: decimalString, multiplierDown: decimalString, avgPriceMins: z.number() }),
  z.object({ filterType: z.literal('MAX_NUM_ORDERS'), maxNumOrders: z.number() }),
  z.object({ filterType: z.literal('MAX_NUM_ALGO_ORDERS'), maxNumAlgoOrders: z.number() }),
]);

const symbolSchema = z.looseObject({
  symbol: z.string(),
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  baseAssetPrecision: z.number().int(),
  quoteAssetPrecision: z.number().int().optional(),
  quotePrecision: z.number().int(),
  baseCommissionPrecision: z.number().int().optional(),
  quoteCommissionPrecision: z.number().int().optional(),
  orderTypes: z.array(z.string()),
  ocoAllowed: z.boolean().optional(),
  quoteOrderQtyMarketAllowed: z.boolean().optional(),
  filters: z.array(z.looseObject({ filterType: z.string() })),
});

/** The trading rules of one spot instrument, decimals parsed. */
export interface InstrumentRules {
  readonly symbol: string;
  /** 'TRADING' when orders are accepted. */
  readonly status: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Digits allowed after the point in a quantity (-1111 beyond). */
  readonly basePrecision: number;
  /** Digits allowed after the point in a price (-1111 beyond). */
  readonly quotePrecision: number;
  readonly baseCommissionPrecision: number;
  readonly quoteCommissionPrecision: number;
  readonly orderTypes: ReadonlySet<string>;
  readonly ocoAllowed: boolean;
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly priceFilter?: PriceRule;
  readonly lotSize?: LotRule;
  readonly marketLotSize?: LotRule;
  readonly notional?: { minNotional: Decimal; maxNotional: Decimal; applyMinToMarket: boolean; applyMaxToMarket: boolean; avgPriceMins: number };
  readonly minNotional?: { minNotional: Decimal; applyToMarket: boolean; avgPriceMins: number };
  readonly percentPriceBySide?: { bidUp: Decimal; bidDown: Decimal; askUp: Decimal; askDown: Decimal; avgPriceMins: number };
  readonly percentPrice?: { up: Decimal; down: Decimal; avgPriceMins: number };
  readonly maxNumOrders?: number;
  readonly maxNumAlgoOrders?: number;
}

/** The loaded exchangeInfo: the raw body to serve and the parsed rules by symbol. */
export type ExchangeInfo = RecordedExchangeInfo<InstrumentRules>;

/**
 * Reads and parses a recorded `GET /api/v3/exchangeInfo` body.
 * @throws Error naming the file when it is missing or does not parse (with zod's issues).
 */
export function loadExchangeInfo(path: string): ExchangeInfo {
  return readExchangeInfo(path, symbolSchema, toRules, { what: 'exchangeInfo', setting: '--exchange-info (option exchangeInfoPath)' });
}

function toRules(s: z.infer<typeof symbolSchema>): InstrumentRules {
  const get = filterLookup(filterSchema, s.filters);
  const pf = get('PRICE_FILTER');
  const ls = get('LOT_SIZE');
  const mls = get('MARKET_LOT_SIZE');
  const nf = get('NOTIONAL');
  const mn = get('MIN_NOTIONAL');
  const ppbs = get('PERCENT_PRICE_BY_SIDE');
  const pp = get('PERCENT_PRICE');
  return {
    symbol: s.symbol,
    status: s.status,
    baseAsset: s.baseAsset,
    quoteAsset: s.quoteAsset,
    basePrecision: s.baseAssetPrecision,
    quotePrecision: s.quotePrecision,
    baseCommissionPrecision: s.baseCommissionPrecision ?? s.baseAssetPrecision,
    quoteCommissionPrecision: s.quoteCommissionPrecision ?? s.quotePrecision,
    orderTypes: new Set(s.orderTypes),
    ocoAllowed: s.ocoAllowed ?? false,
    quoteOrderQtyMarketAllowed: s.quoteOrderQtyMarketAllowed ?? false,
    ...(pf && { priceFilter: toPriceRule(pf) }),
    ...(ls && { lotSize: toLotRule(ls) }),
    ...(mls && { marketLotSize: toLotRule(mls) }),
    ...(nf && {
      notional: {
        minNotional: dec(nf.minNotional),
        maxNotional: dec(nf.maxNotional),
        applyMinToMarket: nf.applyMinToMarket,
        applyMaxToMarket: nf.applyMaxToMarket,
        avgPriceMins: nf.avgPriceMins,
      },
    }),
    ...(mn && { minNotional: { minNotional: dec(mn.minNotional), applyToMarket: mn.applyToMarket, avgPriceMins: mn.avgPriceMins } }),
    ...(ppbs && {
      percentPriceBySide: {
        bidUp: dec(ppbs.bidMultiplierUp),
        bidDown: dec(ppbs.bidMultiplierDown),
        askUp: dec(ppbs.askMultiplierUp),
        askDown: dec(ppbs.askMultiplierDown),
        avgPriceMins: ppbs.avgPriceMins,
      },
    }),
    ...(pp && { percentPrice: { up: dec(pp.multiplierUp), down: dec(pp.multiplierDown), avgPriceMins: pp.avgPriceMins } }),
    ...(get('MAX_NUM_ORDERS') && { maxNumOrders: get('MAX_NUM_ORDERS')?.maxNumOrders }),
    ...(get('MAX_NUM_ALGO_ORDERS') && { maxNumAlgoOrders: get('MAX_NUM_ALGO_ORDERS')?.maxNumAlgoOrders }),
  };
}

/**
 * Parses a decimal parameter and checks its precision: more digits after the
 * point than `places` is -1111 (Binance: "Parameter 'x' has too much precision").
 * @throws VenueError -1100 when `value` is not a positive decimal, -1111 on precision.
 */
export function parseAmount(param: string, value: string, places: number): Decimal {
  if (!/^\d+(\.\d+)?$/.test(value) && !/^\.\d+$/.test(value)) throw Errors.illegalCharsIn(param, value);
  const d = dec(value);
  if (d.decimalPlaces() > places) throw Errors.badPrecision(param);
  return d;
}

/** PRICE_FILTER on a price or stop price. @throws VenueError -1013 `Filter failure: PRICE_FILTER`. */
export function checkPriceFilter(rules: InstrumentRules, price: Decimal): void {
  const f = rules.priceFilter;
  if (!f) return;
  const b = priceBreaches(f, price);
  if (price.lte(ZERO) || b.belowMin || b.aboveMax || b.offTick) throw Errors.filterFailure('PRICE_FILTER');
}

function checkLot(name: string, f: LotRule | undefined, qty: Decimal): void {
  if (!f) return;
  const b = lotBreaches(f, qty);
  if (b.belowMin || b.aboveMax || b.offStep) throw Errors.filterFailure(name);
}

/** LOT_SIZE (every order) and, for market executions, MARKET_LOT_SIZE. @throws VenueError -1013. */
export function checkQuantity(rules: InstrumentRules, qty: Decimal, isMarket: boolean): void {
  if (qty.lte(ZERO)) throw Errors.filterFailure('LOT_SIZE');
  checkLot('LOT_SIZE', rules.lotSize, qty);
  if (isMarket) checkLot('MARKET_LOT_SIZE', rules.marketLotSize, qty);
}

/**
 * NOTIONAL / MIN_NOTIONAL. `notional` is price × quantity in the quote asset;
 * for market executions the caller passes the average-price estimate (Binance
 * uses the `avgPriceMins` weighted average) and `isMarket` selects the
 * applyMinToMarket / applyMaxToMarket switches.
 * @throws VenueError -1013 `Filter failure: NOTIONAL` (or `MIN_NOTIONAL`).
 */
export function checkNotional(rules: InstrumentRules, notional: Decimal, isMarket: boolean): void {
  const n = rules.notional;
  if (n) {
    if ((!isMarket || n.applyMinToMarket) && notional.lt(n.minNotional)) throw Errors.filterFailure('NOTIONAL');
    if ((!isMarket || n.applyMaxToMarket) && !n.maxNotional.isZero() && notional.gt(n.maxNotional)) throw Errors.filterFailure('NOTIONAL');
  }
  const m = rules.minNotional;
  if (m && (!isMarket || m.applyToMarket) && notional.lt(m.minNotional)) throw Errors.filterFailure('MIN_NOTIONAL');
}

/**
 * PERCENT_PRICE_BY_SIDE / PERCENT_PRICE against the weighted average price of
 * the last `avgPriceMins` minutes (`avgPrice` undefined: no trades yet, the check is skipped).
 * @throws VenueError -1013 `Filter failure: PERCENT_PRICE_BY_SIDE` (or `PERCENT_PRICE`).
 */
export function checkPercentPrice(rules: InstrumentRules, side: OrderSide, price: Decimal, avgPrice: Decimal | undefined): void {
  if (!avgPrice) return;
  const s = rules.percentPriceBySide;
  if (s) {
    const [up, down] = side === 'BUY' ? [s.bidUp, s.bidDown] : [s.askUp, s.askDown];
    if (price.gt(avgPrice.times(up)) || price.lt(avgPrice.times(down))) throw Errors.filterFailure('PERCENT_PRICE_BY_SIDE');
  }
  const p = rules.percentPrice;
  if (p && (price.gt(avgPrice.times(p.up)) || price.lt(avgPrice.times(p.down)))) throw Errors.filterFailure('PERCENT_PRICE');
}
