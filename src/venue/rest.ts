/**
 * The engine's REST calls to one venue account through ccxt: place, cancel,
 * query orders, list trades and balances. Every method returns a
 * {@link VenueOutcome} — `ok` with domain shapes parsed from Binance's raw
 * payload, `rejected`, or `unknown` — and never throws (see `./errors.ts` for
 * the classification).
 */
import type { Logger } from 'pino';
import { dec } from '../domain/decimal.ts';
import { type Fill, InstrumentSymbol, OrderIntent, type VenueOrderUpdate } from '../domain/order.ts';
import type { EngineBinance } from './binance-client.ts';
import { adapterRejection, classifyFailure, unparseableSuccess } from './errors.ts';
import type { AssetBalance, OrderSnapshot, PlacedOrder, VenueFailure, VenueOutcome } from './types.ts';
import { RestOrder, RestTrade, restClientOrderId, restTradeToFill, toAssetBalances, toOrderUpdate, toPlacementFills } from './wire.ts';

/** Binance `GET /api/v3/myTrades` page size (its maximum; default 500). */
const MY_TRADES_PAGE = 1000;
/** Safety stop for trade pagination (pages of 1000). */
const MY_TRADES_MAX_PAGES = 200;
/** How many `orderId → clientOrderId` pairs the adapter remembers for `fetchMyTrades`. */
const CLIENT_ID_CACHE = 50_000;

export interface VenueRestOptions {
  readonly logger?: Logger;
  readonly myTradesPageSize?: number;
}

/** The arguments of ccxt's `createOrder(symbol, type, side, amount, price, params)`. */
export interface CcxtOrderArgs {
  readonly symbol: string;
  readonly type: 'market' | 'limit';
  readonly side: 'buy' | 'sell';
  /** Only for ccxt's internal flow; the wire quantity is `params.quantity` (a decimal string). */
  readonly amount: number;
  /** Only for ccxt's internal flow; the wire price is `params.price` (a decimal string). */
  readonly price: number | undefined;
  readonly params: Readonly<Record<string, string | boolean>>;
}

/**
 * Maps an intent to ccxt's `createOrder` arguments (ccxt 4.5.84
 * `binance.createOrderRequest`):
 *
 * | intent type | ccxt type | params | Binance type |
 * |---|---|---|---|
 * | market (quantity) | market | `quantity` | MARKET `quantity` |
 * | market (quoteQuantity) | market | `quoteOrderQty` | MARKET `quoteOrderQty` |
 * | limit | limit | `quantity`, `price`, `timeInForce` | LIMIT |
 * | stop_loss | market | `stopLossPrice`, `quantity` | STOP_LOSS `stopPrice` |
 * | stop_loss_limit | limit | `stopLossPrice`, `quantity`, `price`, `timeInForce` | STOP_LOSS_LIMIT |
 * | take_profit | market | `takeProfitPrice`, `quantity` | TAKE_PROFIT `stopPrice` |
 * | take_profit_limit | limit | `takeProfitPrice`, `quantity`, `price`, `timeInForce` | TAKE_PROFIT_LIMIT |
 *
 * Always `newClientOrderId = intent.clientOrderId`; `reduceOnly` only when true.
 *
 * Decimals reach the wire unchanged: ccxt formats `amount`/`price` with the
 * market's precision (rounding the price, truncating the amount) and then
 * extends the request with `params`, so the intent's own `quantity` and
 * `price` strings passed as params replace ccxt's formatted ones (an off-tick
 * price therefore reaches the venue, which refuses it with PRICE_FILTER). ccxt
 * consumes `stopLossPrice`/`takeProfitPrice`/`quoteOrderQty` itself and
 * formats them with the market's precision; {@link precisionGuard} refuses the
 * intent when that would change the value.
 */
export function toCcxtOrder(intent: OrderIntent): CcxtOrderArgs {
  const params: Record<string, string | boolean> = { newClientOrderId: intent.clientOrderId };
  if (intent.quantity !== undefined) params['quantity'] = intent.quantity;
  if (intent.quoteQuantity !== undefined) params['quoteOrderQty'] = intent.quoteQuantity;
  if (intent.price !== undefined) params['price'] = intent.price;
  if (intent.timeInForce !== undefined) params['timeInForce'] = intent.timeInForce;
  if (intent.reduceOnly) params['reduceOnly'] = true;
  if (intent.stopPrice !== undefined) {
    const isStopLoss = intent.type === 'stop_loss' || intent.type === 'stop_loss_limit';
    params[isStopLoss ? 'stopLossPrice' : 'takeProfitPrice'] = intent.stopPrice;
  }
  const limitPriced = intent.type === 'limit' || intent.type === 'stop_loss_limit' || intent.type === 'take_profit_limit';
  return {
    symbol: intent.symbol,
    type: limitPriced ? 'limit' : 'market',
    side: intent.side,
    // ccxt does not read `amount` for a quoteOrderQty market order.
    amount: intent.quantity !== undefined ? Number(intent.quantity) : 0,
    price: intent.price !== undefined ? Number(intent.price) : undefined,
    params,
  };
}

/**
 * Refuses (nothing sent) when ccxt would reformat the intent's stop price
 * (`priceToPrecision`: rounds to the tick) or quote quantity (truncated to the
 * price precision, as `createOrderRequest` does) into a different value.
 * @throws whatever ccxt's precision helpers throw (e.g. InvalidOrder for a value below one tick)
 */
function precisionGuard(exchange: EngineBinance, intent: OrderIntent): VenueFailure | undefined {
  if (intent.stopPrice !== undefined) {
    const formatted = exchange.priceToPrecision(intent.symbol, intent.stopPrice);
    if (formatted === undefined || !dec(formatted).eq(dec(intent.stopPrice))) {
      return adapterRejection('off_precision', `stopPrice ${intent.stopPrice} is not on ${intent.symbol}'s price tick (ccxt would send ${String(formatted)})`);
    }
  }
  if (intent.quoteQuantity !== undefined) {
    const formatted = exchange.costToPrecision(intent.symbol, intent.quoteQuantity);
    if (formatted === undefined || !dec(formatted).eq(dec(intent.quoteQuantity))) {
      return adapterRejection('off_precision', `quoteQuantity ${intent.quoteQuantity} has more decimals than ${intent.symbol}'s price precision (ccxt would send ${String(formatted)})`);
    }
  }
  return undefined;
}

/** Runs a ccxt call; a throw becomes a classified failure. */
async function attempt<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; failure: VenueFailure }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, failure: classifyFailure(error) };
  }
}

/** ccxt's parsed order/trade objects keep Binance's raw payload in `info`. */
function infoOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'info' in value ? value.info : undefined;
}

/**
 * REST adapter over one venue account's exchange.
 *
 * Keeps a bounded map of `symbol|orderId → clientOrderId` from every order it
 * sees, because Binance's trade list carries no client order id.
 */
export class VenueRest {
  private readonly clientIds = new Map<string, string>();
  private readonly logger: Logger | undefined;
  private readonly pageSize: number;

  /**
   * @param exchange the account's client from `createExchange` (markets loaded)
   * @param options `logger`: optional pino logger (`warn` for unparseable answers; no
   *   secrets); `myTradesPageSize`: trades per `myTrades` request, 1…1000 (default 1000)
   */
  constructor(
    private readonly exchange: EngineBinance,
    options: VenueRestOptions = {},
  ) {
    this.logger = options.logger;
    this.pageSize = Math.min(MY_TRADES_PAGE, Math.max(1, Math.trunc(options.myTradesPageSize ?? MY_TRADES_PAGE)));
  }

  /**
   * Places the order described by `intent` (Binance `POST /api/v3/order`,
   * `newOrderRespType=FULL`), with `newClientOrderId = intent.clientOrderId`.
   *
   * @returns `ok` with the order's state and its placement fills (decimal
   *   strings exactly as Binance sent them); `rejected` when the venue, ccxt or
   *   the adapter refused (the order does not exist, except `duplicate_order`);
   *   `unknown` when the order may or may not exist (timeout, network, venue
   *   "status unknown", or an answer that does not parse) — resolve it with
   *   {@link fetchOrderByClientId}.
   */
  async createOrder(intent: OrderIntent): Promise<VenueOutcome<PlacedOrder>> {
    const checked = OrderIntent.safeParse(intent);
    if (!checked.success) return adapterRejection('invalid_order', `intent does not parse: ${checked.error.message}`);
    const valid = checked.data;
    const args = toCcxtOrder(valid);
    let refused: VenueFailure | undefined;
    try {
      refused = precisionGuard(this.exchange, valid);
    } catch (error) {
      return classifyFailure(error);
    }
    if (refused) return refused;
    const placed = await attempt(() => this.exchange.createOrder(args.symbol, args.type, args.side, args.amount, args.price, { ...args.params }));
    if (!placed.ok) return placed.failure;
    try {
      const info = infoOf(placed.value);
      const update = toOrderUpdate(info);
      const fills = toPlacementFills(info);
      this.remember(valid.symbol, update.venueOrderId, update.clientOrderId);
      return { kind: 'ok', value: { symbol: valid.symbol, update, fills } };
    } catch (error) {
      this.logger?.warn({ clientOrderId: valid.clientOrderId, err: String(error) }, 'createOrder answer did not parse');
      return unparseableSuccess(`createOrder ${valid.clientOrderId}`, error);
    }
  }

  /**
   * Cancels an order by client order id (Binance `DELETE /api/v3/order` with
   * `origClientOrderId`).
   * @returns `ok` with the order's state after the cancel; `rejected
   *   unknown_order` (Binance -2011) when no open order has that id (already
   *   cancelled or filled, or never placed); `unknown` on transport failures.
   */
  async cancelOrder(clientOrderId: string, symbol: string): Promise<VenueOutcome<VenueOrderUpdate>> {
    const res = await attempt(() => this.exchange.cancelOrder('', symbol, { origClientOrderId: clientOrderId }));
    if (!res.ok) return res.failure;
    return this.orderResult(`cancelOrder ${clientOrderId}`, symbol, res.value);
  }

  /**
   * Queries one order by client order id (Binance `GET /api/v3/order` with
   * `origClientOrderId`) — the way to resolve an `unknown` submit.
   * @returns `ok` with its state; `rejected unknown_order` (Binance -2013) when
   *   the venue has no such order; `unknown` when the venue could not be asked.
   */
  async fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<VenueOutcome<VenueOrderUpdate>> {
    const res = await attempt(() => this.exchange.fetchOrder('', symbol, { origClientOrderId: clientOrderId }));
    if (!res.ok) return res.failure;
    return this.orderResult(`fetchOrder ${clientOrderId}`, symbol, res.value);
  }

  /**
   * Lists open orders (Binance `GET /api/v3/openOrders`), of one symbol or of
   * all (Binance weight 80 without a symbol).
   */
  async fetchOpenOrders(symbol?: string): Promise<VenueOutcome<OrderSnapshot[]>> {
    const res = await attempt(() => this.exchange.fetchOpenOrders(symbol));
    if (!res.ok) return res.failure;
    try {
      const out = res.value.map((o): OrderSnapshot => {
        const update = toOrderUpdate(o.info);
        const sym = InstrumentSymbol.parse(o.symbol);
        this.remember(sym, update.venueOrderId, update.clientOrderId);
        return { symbol: sym, update };
      });
      return { kind: 'ok', value: out };
    } catch (error) {
      return unparseableSuccess('fetchOpenOrders', error);
    }
  }

  /**
   * The account's trades on `symbol` as domain fills, oldest first (Binance
   * `GET /api/v3/myTrades`).
   *
   * With `since` (ms): every trade at or after it — the first page by
   * `startTime` (Binance: the oldest trades from it), the following ones by
   * `fromId = last id + 1`, 1000 per page, until a short page (at most 200
   * pages). Without
   * `since`: Binance's most recent page (up to 1000 trades).
   *
   * Binance's trade list has no client order id: it is taken from the orders
   * this adapter has seen, else fetched once per unknown order (`GET
   * /api/v3/order?orderId`); a failure there is the call's outcome.
   */
  async fetchMyTrades(symbol: string, since?: number): Promise<VenueOutcome<Fill[]>> {
    const trades: RestTrade[] = [];
    let fromId: string | undefined;
    for (let page = 0; page < MY_TRADES_MAX_PAGES; page++) {
      const params = fromId === undefined ? {} : { fromId };
      const res = await attempt(() => this.exchange.fetchMyTrades(symbol, fromId === undefined ? since : undefined, this.pageSize, params));
      if (!res.ok) return res.failure;
      let batch: RestTrade[];
      try {
        batch = res.value.map((t) => RestTrade.parse(t.info));
      } catch (error) {
        return unparseableSuccess('fetchMyTrades', error);
      }
      trades.push(...batch.filter((t) => since === undefined || t.time >= since));
      if (since === undefined || batch.length < this.pageSize) break;
      const lastId = batch.reduce((max, t) => (BigInt(t.id) > max ? BigInt(t.id) : max), 0n);
      fromId = (lastId + 1n).toString();
    }
    const fills: Fill[] = [];
    for (const t of trades) {
      const clientOrderId = await this.clientOrderIdOf(symbol, t.orderId);
      if (typeof clientOrderId !== 'string') return clientOrderId;
      try {
        fills.push(restTradeToFill(t, clientOrderId));
      } catch (error) {
        return unparseableSuccess('fetchMyTrades', error);
      }
    }
    return { kind: 'ok', value: fills };
  }

  /**
   * Every trade of one order as domain fills, oldest first (Binance `GET
   * /api/v3/myTrades?symbol&orderId`; one page of up to 1000 trades).
   * @param clientOrderId the order's client order id (Binance's trade list has none)
   */
  async fetchOrderFills(symbol: string, venueOrderId: string, clientOrderId: string): Promise<VenueOutcome<Fill[]>> {
    const res = await attempt(() => this.exchange.fetchMyTrades(symbol, undefined, MY_TRADES_PAGE, { orderId: venueOrderId }));
    if (!res.ok) return res.failure;
    try {
      const fills = res.value.map((t) => RestTrade.parse(t.info)).filter((t) => t.orderId === venueOrderId);
      return { kind: 'ok', value: fills.map((t) => restTradeToFill(t, clientOrderId)) };
    } catch (error) {
      return unparseableSuccess(`fetchOrderFills ${clientOrderId}`, error);
    }
  }

  /** The account's balances per asset (Binance `GET /api/v3/account`), decimal strings as Binance sends them. */
  async fetchBalance(): Promise<VenueOutcome<AssetBalance[]>> {
    const res = await attempt(() => this.exchange.fetchBalance());
    if (!res.ok) return res.failure;
    try {
      return { kind: 'ok', value: toAssetBalances(res.value.info) };
    } catch (error) {
      return unparseableSuccess('fetchBalance', error);
    }
  }

  private orderResult(what: string, symbol: string, order: unknown): VenueOutcome<VenueOrderUpdate> {
    try {
      const update = toOrderUpdate(infoOf(order));
      this.remember(symbol, update.venueOrderId, update.clientOrderId);
      return { kind: 'ok', value: update };
    } catch (error) {
      this.logger?.warn({ what, err: String(error) }, 'order answer did not parse');
      return unparseableSuccess(what, error);
    }
  }

  private async clientOrderIdOf(symbol: string, orderId: string): Promise<string | VenueFailure> {
    const known = this.clientIds.get(`${symbol}|${orderId}`);
    if (known !== undefined) return known;
    const res = await attempt(() => this.exchange.fetchOrder(orderId, symbol));
    if (!res.ok) return res.failure;
    try {
      const clientOrderId = restClientOrderId(RestOrder.parse(infoOf(res.value)));
      this.remember(symbol, orderId, clientOrderId);
      return clientOrderId;
    } catch (error) {
      return unparseableSuccess(`fetchOrder ${orderId}`, error);
    }
  }

  private remember(symbol: string, orderId: string, clientOrderId: string): void {
    const key = `${symbol}|${orderId}`;
    this.clientIds.delete(key);
    this.clientIds.set(key, clientOrderId);
    if (this.clientIds.size > CLIENT_ID_CACHE) {
      const oldest = this.clientIds.keys().next();
      if (!oldest.done) this.clientIds.delete(oldest.value);
    }
  }
}
