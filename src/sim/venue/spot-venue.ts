/**
 * The spot venue core: accounts, orders, order lists (OCO) and matching on the
 * recorded market data.
 *
 * Matching model (what a user of the paper venue should know):
 * - A marketable order (MARKET, or a limit that crosses) takes liquidity from the
 *   current recorded L2 book, level by level (`BookView.liquidity`: the depth
 *   book with the newer bookTicker laid over its top), so a large order slips
 *   across real levels; it pays the taker fee.
 * - A resting limit fills as maker only when the recorded trade tape prints at
 *   or through its price with the aggressor on the other side (a resting buy is
 *   filled by prints with `m = true`, a sell by `m = false`), only up to the
 *   printed quantity, and at its own price only after the quantity that stood
 *   ahead of it at that price in the book when it was placed.
 * - Stops and take-profits trigger on the recorded last trade price.
 * - Our own fills do not move the recorded book or tape: two orders placed at
 *   the same moment both meet the same liquidity, and a resting order's fills
 *   do not consume the print for the recorded participants. Own orders never
 *   match each other (no self-trade prevention is needed).
 * - Fees: maker/taker rates from configuration; a BUY pays commission in the
 *   base asset, a SELL in the quote asset (Binance without BNB discount),
 *   rounded half-up to the commission precision of the asset.
 * - A BUY STOP_LOSS / TAKE_PROFIT (market on trigger) locks nothing while it
 *   waits; when it triggers it is paid from the free quote balance and expires
 *   if that cannot cover the fills. Every other order locks what it may spend:
 *   price × quantity of quote for a limit-type BUY, the quantity of base for a SELL.
 *
 * Event times are the replay clock (`Replay.now()`), in ms.
 */
import { randomBytes } from 'node:crypto';
import { Decimal as D, type Decimal, ZERO, dec, dmin, fixed, floorToStep } from '../../domain/decimal.ts';
import type { Replay, TradeEvent } from '../market/types.ts';
import { Errors, VenueError } from './errors.ts';
import { historyWindow } from './history-window.ts';
import {
  type ExchangeInfo,
  type InstrumentRules,
  checkNotional,
  checkPercentPrice,
  checkPriceFilter,
  checkQuantity,
  parseAmount,
} from './instruments.ts';
import { Ledger } from './ledger.ts';
import type {
  AccountCredentials,
  HistoryQuery,
  LegacyOcoRequest,
  NewOrderRequest,
  NewOrderRespType,
  OcoRequest,
  OrderListRef,
  OrderRef,
  OrderSide,
  SpotOrderType,
  SpotVenueApi,
  TimeInForce,
  UserEvent,
  Wire,
} from './types.ts';
import { UserEventBus } from './user-events.ts';
import {
  type ExecutionType,
  type SimOrder,
  type SimTrade,
  executionReport,
  fillWire,
  newOrderResultWire,
  isOpen,
  orderWire,
  remaining,
  tradeWire,
} from './wire.ts';

/** One account of the simulated venue. Balances are decimal strings by asset. */
export interface AccountConfig extends AccountCredentials {
  readonly balances: Readonly<Record<string, string>>;
}

/** Fee rates as fractions (decimal strings): `"0.001"` is 0.1 %. */
export interface FeeRates {
  readonly maker: string;
  readonly taker: string;
}

/** Binance's standard (VIP 0, no BNB) spot rates: 0.1 % maker and taker. */
export const DEFAULT_SPOT_FEES: FeeRates = { maker: '0.001', taker: '0.001' };

export interface SpotVenueOptions {
  readonly exchangeInfo: ExchangeInfo;
  readonly accounts: ReadonlyArray<AccountConfig>;
  readonly fees?: FeeRates;
  readonly replay: Replay;
  /**
   * The id of the first order placed (then +1 per order); default 1. A paper venue started again for
   * the same engine data starts past the ids it gave before (the daemon passes one from the clock).
   */
  readonly firstOrderId?: number;
  /** The id of each symbol's first trade (then +1 per trade of that symbol); default 1. Same reason as `firstOrderId`. */
  readonly firstTradeId?: number;
}

/** An order list (OCO) as the venue holds it. */
interface SimOrderList {
  readonly orderListId: number;
  readonly listClientOrderId: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly orders: SimOrder[];
  readonly transactionTime: number;
  listStatusType: 'EXEC_STARTED' | 'ALL_DONE';
  listOrderStatus: 'EXECUTING' | 'ALL_DONE';
}

/** Per-symbol working state: resting limits and waiting stops. */
interface SymbolBook {
  readonly resting: SimOrder[];
  readonly stops: SimOrder[];
}

/** A fill computed against the book before it is applied. */
interface PlannedFill {
  readonly price: Decimal;
  readonly qty: Decimal;
}

const STOP_TYPES: ReadonlySet<SpotOrderType> = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const LIMIT_PRICED: ReadonlySet<SpotOrderType> = new Set(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** A validated order, ready to execute. */
interface Plan {
  readonly accountId: string;
  readonly rules: InstrumentRules;
  readonly req: NewOrderRequest;
  readonly clientOrderId: string;
  readonly qty: Decimal | undefined;
  readonly quoteQty: Decimal | undefined;
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly tif: TimeInForce | undefined;
  /** MARKET orders: the fills computed at validation. */
  readonly marketFills: PlannedFill[] | undefined;
  /** Amount to lock at placement, in `lockAsset`. */
  readonly lock: Decimal;
  readonly lockAsset: string;
}

/** The venue's ground truth, for test assertions and the admin view. */
export interface SpotGroundTruth {
  readonly orders: Array<Wire & { accountId: string }>;
  readonly trades: Array<Wire & { accountId: string }>;
  readonly balances: Record<string, Record<string, { free: string; locked: string }>>;
}

export class SpotVenue implements SpotVenueApi {
  private readonly info: ExchangeInfo;
  private readonly replay: Replay;
  private readonly maker: Decimal;
  private readonly taker: Decimal;
  private readonly ledger = new Ledger();
  private readonly accounts = new Map<string, AccountConfig>();
  private readonly byApiKey = new Map<string, AccountConfig>();
  private readonly orders = new Map<number, SimOrder>();
  /** Orders of each account, in placement order. */
  private readonly ordersByAccount = new Map<string, SimOrder[]>();
  /** Open orders of each account by client order id (Binance: a client order id is unique among open orders). */
  private readonly openByAccount = new Map<string, Map<string, SimOrder>>();
  /** avgPrice cache per symbol: valid while the last trade id and the minute are unchanged. */
  private readonly avgCache = new Map<string, { key: string; value: Decimal | undefined }>();
  private readonly trades: SimTrade[] = [];
  private readonly tradesByAccount = new Map<string, SimTrade[]>();
  private readonly lists = new Map<number, SimOrderList>();
  private readonly listOf = new Map<number, SimOrderList>();
  private readonly books = new Map<string, SymbolBook>();
  private readonly bus = new UserEventBus();
  private nextOrderId: number;
  private nextListId = 1;
  private readonly nextTradeId = new Map<string, number>();
  /** The id of each symbol's first trade (see the `firstTradeId` option). */
  private readonly firstTradeId: number;
  private readonly unsubscribe: () => void;

  constructor(opts: SpotVenueOptions) {
    this.info = opts.exchangeInfo;
    this.replay = opts.replay;
    this.maker = dec((opts.fees ?? DEFAULT_SPOT_FEES).maker);
    this.taker = dec((opts.fees ?? DEFAULT_SPOT_FEES).taker);
    this.nextOrderId = opts.firstOrderId ?? 1;
    this.firstTradeId = opts.firstTradeId ?? 1;
    for (const a of opts.accounts) this.addAccount(a);
    this.unsubscribe = this.replay.on((e) => {
      if (e.kind === 'trade' && e.market === 'spot') this.onTrade(e);
    });
  }

  /** Adds an account at run time. @throws Error when the id or API key is taken. */
  addAccount(a: AccountConfig): void {
    if (this.accounts.has(a.id) || this.byApiKey.has(a.apiKey)) throw new Error(`account ${a.id} or its API key already exists`);
    this.accounts.set(a.id, a);
    this.byApiKey.set(a.apiKey, a);
    this.ledger.open(a.id, a.balances);
    this.ordersByAccount.set(a.id, []);
    this.openByAccount.set(a.id, new Map());
    this.tradesByAccount.set(a.id, []);
  }

  /** Detaches from the replay. */
  close(): void {
    this.unsubscribe();
    this.bus.clear();
  }

  // ---------------------------------------------------------------- SpotVenueApi

  accountByApiKey(apiKey: string): AccountCredentials | undefined {
    return this.byApiKey.get(apiKey);
  }

  exchangeInfo(): Wire {
    return { ...this.info.raw, serverTime: Date.now() };
  }

  onUserEvent(listener: (event: UserEvent) => void, wants?: (accountId: string) => boolean): () => void {
    return this.bus.on(listener, wants);
  }

  testOrder(accountId: string, req: NewOrderRequest): Wire {
    this.prepare(accountId, req);
    return {};
  }

  placeOrder(accountId: string, req: NewOrderRequest): Wire {
    const plan = this.prepare(accountId, req);
    const order = this.execute(plan, -1);
    this.flushBalances(accountId);
    const respType: NewOrderRespType = req.newOrderRespType ?? (req.type === 'MARKET' || req.type === 'LIMIT' ? 'FULL' : 'ACK');
    return this.newOrderResponse(order, respType);
  }

  cancelOrder(accountId: string, ref: OrderRef): Wire {
    const order = this.findOrder(accountId, ref);
    if (!order || !isOpen(order)) throw Errors.cancelRejected();
    const cancelId = generateClientId();
    const list = this.listOf.get(order.orderId);
    if (list) {
      this.cancelList(list, cancelId);
    } else {
      this.finish(order, 'CANCELED', cancelId);
    }
    this.flushBalances(accountId);
    return {
      symbol: order.symbol,
      origClientOrderId: order.clientOrderId,
      orderId: order.orderId,
      orderListId: order.orderListId,
      clientOrderId: cancelId,
      transactTime: this.replay.now(),
      price: fixed(order.price ?? ZERO),
      origQty: fixed(order.origQty),
      executedQty: fixed(order.executedQty),
      cummulativeQuoteQty: fixed(order.cumQuote),
      status: order.status,
      timeInForce: order.timeInForce ?? 'GTC',
      type: order.type,
      side: order.side,
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  }

  cancelOpenOrders(accountId: string, symbol: string): Wire[] {
    this.rulesFor(symbol);
    const open = this.openOf(accountId).filter((o) => o.symbol === symbol);
    if (open.length === 0) throw Errors.cancelRejected();
    const out: Wire[] = [];
    const listsDone = new Set<number>();
    for (const o of open) {
      if (!isOpen(o)) continue;
      const list = this.listOf.get(o.orderId);
      if (list) {
        if (listsDone.has(list.orderListId)) continue;
        listsDone.add(list.orderListId);
        out.push(this.cancelList(list, generateClientId()));
      } else {
        const cancelId = generateClientId();
        this.finish(o, 'CANCELED', cancelId);
        out.push({ ...orderWire(o), origClientOrderId: o.clientOrderId, clientOrderId: cancelId });
      }
    }
    this.flushBalances(accountId);
    return out;
  }

  queryOrder(accountId: string, ref: OrderRef): Wire {
    const order = this.findOrder(accountId, ref);
    if (!order) throw Errors.noSuchOrder();
    return orderWire(order);
  }

  openOrders(accountId: string, symbol?: string): Wire[] {
    if (symbol !== undefined) this.rulesFor(symbol);
    return this.openOf(accountId)
      .filter((o) => symbol === undefined || o.symbol === symbol)
      .sort((a, b) => a.orderId - b.orderId)
      .map(orderWire);
  }

  allOrders(accountId: string, q: HistoryQuery): Wire[] {
    this.rulesFor(q.symbol);
    const list = this.accountOrders(accountId).filter((o) => o.symbol === q.symbol);
    return historyWindow(list, { ...q, fromId: q.orderId }, (o) => o.orderId, (o) => o.time).map(orderWire);
  }

  myTrades(accountId: string, q: HistoryQuery): Wire[] {
    this.rulesFor(q.symbol);
    let list = (this.tradesByAccount.get(accountId) ?? []).filter((t) => t.symbol === q.symbol);
    if (q.orderId !== undefined) list = list.filter((t) => t.orderId === q.orderId);
    return historyWindow(list, q, (t) => t.id, (t) => t.time).map(tradeWire);
  }

  account(accountId: string): Wire {
    const rate = (d: Decimal) => fixed(d);
    const bps = (d: Decimal) => d.times(10000).toNumber();
    return {
      makerCommission: bps(this.maker),
      takerCommission: bps(this.taker),
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: rate(this.maker), taker: rate(this.taker), buyer: rate(ZERO), seller: rate(ZERO) },
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: this.ledger.updateTime(accountId),
      accountType: 'SPOT',
      balances: this.ledger.all(accountId).map((b) => ({ asset: b.asset, free: fixed(b.free), locked: fixed(b.locked) })),
      permissions: ['SPOT'],
      uid: 0,
    };
  }

  placeOco(accountId: string, req: OcoRequest): Wire {
    const rules = this.rulesFor(req.symbol);
    if (!rules.ocoAllowed) throw Errors.newOrderRejected('OCO orders are not supported for this symbol.');
    this.checkListClientId(accountId, req.listClientOrderId);
    const leg = (pos: 'above' | 'below'): NewOrderRequest => {
      const type = pos === 'above' ? req.aboveType : req.belowType;
      const price = pos === 'above' ? req.abovePrice : req.belowPrice;
      const stopPrice = pos === 'above' ? req.aboveStopPrice : req.belowStopPrice;
      const tif = pos === 'above' ? req.aboveTimeInForce : req.belowTimeInForce;
      const cid = pos === 'above' ? req.aboveClientOrderId : req.belowClientOrderId;
      return {
        symbol: req.symbol,
        side: req.side,
        type,
        quantity: req.quantity,
        ...(price !== undefined && { price }),
        ...(stopPrice !== undefined && { stopPrice }),
        ...(tif !== undefined && { timeInForce: tif }),
        ...(cid !== undefined && { newClientOrderId: cid }),
      };
    };
    const above = leg('above');
    const below = leg('below');
    // Binance: exactly one leg is a LIMIT_MAKER or a take-profit, the other a stop-loss, placed on the side the prices demand.
    const stopLeg = (t: SpotOrderType) => t === 'STOP_LOSS' || t === 'STOP_LOSS_LIMIT';
    const ok = req.side === 'SELL' ? !stopLeg(req.aboveType) && stopLeg(req.belowType) : stopLeg(req.aboveType) && !stopLeg(req.belowType);
    if (!ok) throw Errors.newOrderRejected('The relationship of the prices for the orders is not correct.');
    return this.placeList(accountId, req.listClientOrderId, [below, above], req.newOrderRespType);
  }

  placeLegacyOco(accountId: string, req: LegacyOcoRequest): Wire {
    const rules = this.rulesFor(req.symbol);
    if (!rules.ocoAllowed) throw Errors.newOrderRejected('OCO orders are not supported for this symbol.');
    this.checkListClientId(accountId, req.listClientOrderId);
    const last = this.replay.lastTrade('spot', req.symbol);
    if (last) {
      const p = dec(req.price);
      const sp = dec(req.stopPrice);
      const lp = dec(last.price);
      const ok = req.side === 'SELL' ? p.gt(lp) && lp.gt(sp) : p.lt(lp) && lp.lt(sp);
      if (!ok) throw Errors.newOrderRejected('The relationship of the prices for the orders is not correct.');
    }
    const stop: NewOrderRequest = {
      symbol: req.symbol,
      side: req.side,
      type: req.stopLimitPrice !== undefined ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS',
      quantity: req.quantity,
      stopPrice: req.stopPrice,
      ...(req.stopLimitPrice !== undefined && { price: req.stopLimitPrice, timeInForce: req.stopLimitTimeInForce ?? 'GTC' }),
      ...(req.stopClientOrderId !== undefined && { newClientOrderId: req.stopClientOrderId }),
    };
    if (req.stopLimitPrice !== undefined && req.stopLimitTimeInForce === undefined) throw Errors.mandatoryParamMissing('stopLimitTimeInForce');
    const limit: NewOrderRequest = {
      symbol: req.symbol,
      side: req.side,
      type: 'LIMIT_MAKER',
      quantity: req.quantity,
      price: req.price,
      ...(req.limitClientOrderId !== undefined && { newClientOrderId: req.limitClientOrderId }),
    };
    return this.placeList(accountId, req.listClientOrderId, [stop, limit], req.newOrderRespType);
  }

  cancelOrderList(accountId: string, ref: OrderListRef): Wire {
    const list = this.findList(accountId, ref);
    if (!list || list.listStatusType === 'ALL_DONE') throw Errors.cancelRejected('Order list does not exist.');
    const out = this.cancelList(list, generateClientId());
    this.flushBalances(accountId);
    return out;
  }

  queryOrderList(accountId: string, ref: OrderListRef): Wire {
    const list = this.findList(accountId, ref);
    if (!list) throw Errors.noSuchOrder();
    return listWire(list);
  }

  openOrderLists(accountId: string): Wire[] {
    return [...this.lists.values()].filter((l) => l.accountId === accountId && l.listStatusType !== 'ALL_DONE').map(listWire);
  }

  // ---------------------------------------------------------------- ground truth and control

  /** Every order, every fill and every balance as the venue holds them. */
  groundTruth(): SpotGroundTruth {
    const balances: SpotGroundTruth['balances'] = {};
    for (const id of this.accounts.keys()) {
      const m: Record<string, { free: string; locked: string }> = {};
      for (const b of this.ledger.all(id)) m[b.asset] = { free: fixed(b.free), locked: fixed(b.locked) };
      balances[id] = m;
    }
    return {
      orders: [...this.orders.values()].map((o) => ({ ...orderWire(o), accountId: o.accountId })),
      trades: this.trades.map((t) => ({ ...tradeWire(t), accountId: t.accountId })),
      balances,
    };
  }

  /** Σ of what open orders hold locked, by account and asset (the ledger's locked amounts must equal it). */
  lockedByOpenOrders(accountId: string): Record<string, Decimal> {
    const out: Record<string, Decimal> = {};
    for (const o of this.openOf(accountId)) {
      out[o.lockAsset] = (out[o.lockAsset] ?? ZERO).plus(o.locked);
    }
    return out;
  }

  /** Credits (or with a negative amount debits) an account's free balance and emits `balanceUpdate` (a deposit or withdrawal). */
  adjustBalance(accountId: string, asset: string, delta: string): void {
    const now = this.replay.now();
    this.ledger.credit(accountId, asset, dec(delta), now);
    this.bus.emit(accountId, () => ({ e: 'balanceUpdate', E: now, a: asset, d: fixed(dec(delta)), T: now }));
    this.flushBalances(accountId);
  }

  // ---------------------------------------------------------------- validation

  private rulesFor(symbol: string): InstrumentRules {
    const r = this.info.rules.get(symbol);
    if (!r) throw Errors.invalidSymbol();
    return r;
  }

  /** Open orders of an account (any order). */
  private openOf(accountId: string): SimOrder[] {
    return [...(this.openByAccount.get(accountId)?.values() ?? [])];
  }

  private accountOrders(accountId: string): SimOrder[] {
    const list = this.ordersByAccount.get(accountId);
    if (!list) throw Errors.rejectedMbxKey();
    return list;
  }

  /** Weighted average price of the last `mins` minutes of recorded trades (Binance `avgPrice`), or undefined before any trade. */
  private avgPrice(symbol: string, mins: number): Decimal | undefined {
    const now = this.replay.now();
    const key = `${this.replay.lastTrade('spot', symbol)?.tradeId ?? 0}:${Math.floor(now / 60_000)}:${mins}`;
    const cached = this.avgCache.get(symbol);
    if (cached?.key === key) return cached.value;
    const value = this.computeAvgPrice(symbol, mins, now);
    this.avgCache.set(symbol, { key, value });
    return value;
  }

  private computeAvgPrice(symbol: string, mins: number, now: number): Decimal | undefined {
    let vol = ZERO;
    let quote = ZERO;
    for (const k of this.replay.klines('spot', symbol, mins + 1)) {
      if (k.closeTime < now - mins * 60_000) continue;
      vol = vol.plus(k.volume);
      quote = quote.plus(k.quoteVolume);
    }
    if (vol.isZero()) {
      const last = this.replay.lastTrade('spot', symbol);
      return last ? dec(last.price) : undefined;
    }
    return quote.div(vol);
  }

  private prepare(accountId: string, req: NewOrderRequest): Plan {
    const rules = this.rulesFor(req.symbol);
    this.accountOrders(accountId);
    if (rules.status !== 'TRADING') throw Errors.newOrderRejected('Market is closed.');
    if (!rules.orderTypes.has(req.type)) throw Errors.newOrderRejected('Unsupported order combination');
    const type = req.type;
    const limitPriced = LIMIT_PRICED.has(type);
    const isStop = STOP_TYPES.has(type);
    const hasTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';

    // Mandatory and forbidden parameters per type (Binance "New order": "Additional mandatory parameters based on type").
    if (hasTif && req.timeInForce === undefined) throw Errors.mandatoryParamMissing('timeInForce');
    if (!hasTif && req.timeInForce !== undefined) throw Errors.tifNotRequired();
    if (limitPriced && req.price === undefined) throw Errors.mandatoryParamMissing('price');
    if (!limitPriced && req.price !== undefined) throw Errors.paramNotRequired('price');
    if (isStop && req.stopPrice === undefined) throw Errors.mandatoryParamMissing('stopPrice');
    if (!isStop && req.stopPrice !== undefined) throw Errors.paramNotRequired('stopPrice');
    if (type === 'MARKET') {
      if (req.quantity === undefined && req.quoteOrderQty === undefined) {
        throw new VenueError(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
      }
      if (req.quantity !== undefined && req.quoteOrderQty !== undefined) throw Errors.paramNotRequired('quoteOrderQty');
      if (req.quoteOrderQty !== undefined && !rules.quoteOrderQtyMarketAllowed) throw Errors.newOrderRejected('Quote order qty market orders are not support for this symbol.');
    } else {
      if (req.quantity === undefined) throw Errors.mandatoryParamMissing('quantity');
      if (req.quoteOrderQty !== undefined) throw Errors.paramNotRequired('quoteOrderQty');
    }

    const qty = req.quantity !== undefined ? parseAmount('quantity', req.quantity, rules.basePrecision) : undefined;
    const quoteQty = req.quoteOrderQty !== undefined ? parseAmount('quoteOrderQty', req.quoteOrderQty, rules.quotePrecision) : undefined;
    const price = req.price !== undefined ? parseAmount('price', req.price, rules.quotePrecision) : undefined;
    const stopPrice = req.stopPrice !== undefined ? parseAmount('stopPrice', req.stopPrice, rules.quotePrecision) : undefined;

    const clientOrderId = req.newClientOrderId ?? generateClientId();
    if (!CLIENT_ID.test(clientOrderId)) throw Errors.illegalChars('newClientOrderId');
    const openOrders = this.openByAccount.get(accountId);
    if (!openOrders) throw Errors.rejectedMbxKey();
    if (openOrders.has(clientOrderId)) throw Errors.duplicateOrder();

    // Filters.
    if (price) checkPriceFilter(rules, price);
    if (stopPrice) checkPriceFilter(rules, stopPrice);
    const marketLike = type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
    if (qty) checkQuantity(rules, qty, marketLike);
    if (quoteQty && quoteQty.lte(ZERO)) throw Errors.filterFailure('NOTIONAL');
    const avgMins = rules.notional?.avgPriceMins ?? rules.minNotional?.avgPriceMins ?? rules.percentPriceBySide?.avgPriceMins ?? 5;
    const avg = this.avgPrice(req.symbol, avgMins);
    if (price && qty) checkNotional(rules, price.times(qty), false);
    else if (quoteQty) checkNotional(rules, quoteQty, true);
    else if (qty) {
      const ref = avg ?? stopPrice;
      if (ref) checkNotional(rules, ref.times(qty), true);
    }
    if (price) checkPercentPrice(rules, req.side, price, avg);
    let openOnSymbol = 0;
    let stopsOnSymbol = 0;
    for (const o of openOrders.values()) {
      if (o.symbol !== req.symbol) continue;
      openOnSymbol++;
      if (STOP_TYPES.has(o.type)) stopsOnSymbol++;
    }
    if (rules.maxNumOrders !== undefined && openOnSymbol >= rules.maxNumOrders) throw Errors.filterFailure('MAX_NUM_ORDERS');
    if (isStop && rules.maxNumAlgoOrders !== undefined && stopsOnSymbol >= rules.maxNumAlgoOrders) throw Errors.filterFailure('MAX_NUM_ALGO_ORDERS');

    // Venue-state checks.
    const book = this.replay.book('spot', req.symbol);
    if (isStop && stopPrice) {
      const last = this.replay.lastTrade('spot', req.symbol);
      if (last && stopTriggered(type, req.side, stopPrice, dec(last.price))) throw Errors.newOrderRejected('Stop price would trigger immediately.');
    }
    if (type === 'LIMIT_MAKER' && price && book) {
      const opposite = req.side === 'BUY' ? book.bestAsk() : book.bestBid();
      if (opposite && (req.side === 'BUY' ? price.gte(opposite.price) : price.lte(opposite.price))) {
        throw Errors.newOrderRejected('Order would immediately match and take.');
      }
    }

    // Balances.
    const base = rules.baseAsset;
    const quote = rules.quoteAsset;
    let lock = ZERO;
    let marketFills: PlannedFill[] | undefined;
    const lockAsset = req.side === 'BUY' ? quote : base;
    if (type === 'MARKET') {
      marketFills = this.planTaker(rules, req.side, undefined, qty, quoteQty);
      const filledQty = sum(marketFills.map((f) => f.qty));
      const cost = sum(marketFills.map((f) => f.price.times(f.qty)));
      if (req.side === 'BUY') {
        if (this.ledger.free(accountId, quote).lt(quoteQty ?? cost)) throw Errors.insufficientBalance();
      } else if (this.ledger.free(accountId, base).lt(qty ?? filledQty)) throw Errors.insufficientBalance();
    } else if (req.side === 'BUY') {
      if (price && qty) lock = price.times(qty);
    } else if (qty) {
      lock = qty;
    }
    if (lock.gt(ZERO) && this.ledger.free(accountId, lockAsset).lt(lock)) throw Errors.insufficientBalance();

    return {
      accountId,
      rules,
      req,
      clientOrderId,
      qty,
      quoteQty,
      price,
      stopPrice,
      tif: req.timeInForce,
      marketFills,
      lock,
      lockAsset,
    };
  }

  private checkListClientId(accountId: string, listClientOrderId: string | undefined): void {
    if (listClientOrderId === undefined) return;
    if (!CLIENT_ID.test(listClientOrderId)) throw Errors.illegalChars('listClientOrderId');
    for (const l of this.lists.values()) {
      if (l.accountId === accountId && l.listClientOrderId === listClientOrderId && l.listStatusType !== 'ALL_DONE') {
        throw Errors.newOrderRejected('Order list with this listClientOrderId is already in use.');
      }
    }
  }

  // ---------------------------------------------------------------- execution

  /**
   * Walks the effective book from the best level: at most `qty` base, or at most
   * `quoteQty` quote (quantities floored to the lot step), not beyond `limit`.
   */
  private planTaker(
    rules: InstrumentRules,
    side: OrderSide,
    limit: Decimal | undefined,
    qty: Decimal | undefined,
    quoteQty: Decimal | undefined,
  ): PlannedFill[] {
    const book = this.replay.book('spot', rules.symbol);
    if (!book) return [];
    const step = rules.marketLotSize && !rules.marketLotSize.stepSize.isZero() ? rules.marketLotSize.stepSize : (rules.lotSize?.stepSize ?? ZERO);
    const fills: PlannedFill[] = [];
    let leftQty = qty;
    let leftQuote = quoteQty;
    for (const level of book.liquidity(side === 'BUY' ? 'asks' : 'bids')) {
      const px = dec(level.price);
      if (limit && (side === 'BUY' ? px.gt(limit) : px.lt(limit))) break;
      let take = dec(level.qty);
      if (leftQty) take = dmin(take, leftQty);
      if (leftQuote) take = dmin(take, floorToStep(leftQuote.div(px), step));
      if (take.lte(ZERO)) break;
      fills.push({ price: px, qty: take });
      if (leftQty) {
        leftQty = leftQty.minus(take);
        if (leftQty.isZero()) break;
      }
      if (leftQuote) {
        leftQuote = leftQuote.minus(px.times(take));
        if (leftQuote.lte(ZERO)) break;
      }
    }
    return fills;
  }

  private newOrder(plan: Plan, listId: number): SimOrder {
    const now = this.replay.now();
    const { req } = plan;
    const order: SimOrder = {
      orderId: this.nextOrderId++,
      orderListId: listId,
      clientOrderId: plan.clientOrderId,
      accountId: plan.accountId,
      rules: plan.rules,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      timeInForce: plan.tif,
      origQty: plan.qty ?? sum((plan.marketFills ?? []).map((f) => f.qty)),
      price: plan.price,
      stopPrice: plan.stopPrice,
      origQuoteOrderQty: plan.quoteQty ?? ZERO,
      executedQty: ZERO,
      cumQuote: ZERO,
      status: 'NEW',
      time: now,
      updateTime: now,
      workingTime: STOP_TYPES.has(req.type) ? -1 : now,
      triggered: !STOP_TYPES.has(req.type),
      queueAhead: ZERO,
      lockAsset: plan.lockAsset,
      locked: ZERO,
    };
    if (plan.lock.gt(ZERO)) {
      this.ledger.lock(plan.accountId, plan.lockAsset, plan.lock, now);
      order.locked = plan.lock;
    }
    this.orders.set(order.orderId, order);
    this.accountOrders(plan.accountId).push(order);
    this.openByAccount.get(plan.accountId)?.set(order.clientOrderId, order);
    return order;
  }

  /** Places a validated order and runs what happens at once (taker fills, resting, expiry). */
  private execute(plan: Plan, listId: number): SimOrder {
    const order = this.newOrder(plan, listId);
    this.report(order, 'NEW');
    if (!order.triggered) {
      this.bookFor(order.symbol).stops.push(order);
      return order;
    }
    this.work(order, plan.marketFills);
    return order;
  }

  /** A working order (placed, or a stop just triggered): take what crosses, then rest or expire. */
  private work(order: SimOrder, plannedMarket?: PlannedFill[]): void {
    const type = order.type;
    const marketLike = type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
    if (marketLike) {
      const fills = plannedMarket ?? this.planTaker(order.rules, order.side, undefined, remaining(order), undefined);
      if (order.side === 'BUY' && order.locked.isZero()) {
        const cost = sum(fills.map((f) => f.price.times(f.qty)));
        if (this.ledger.free(order.accountId, order.lockAsset).lt(cost)) {
          this.finish(order, 'EXPIRED');
          return;
        }
      }
      for (const f of fills) this.fill(order, f.price, f.qty, false);
      if (isOpen(order)) this.finish(order, 'EXPIRED');
      return;
    }
    const price = order.price ?? ZERO;
    if (type !== 'LIMIT_MAKER') {
      const fills = this.planTaker(order.rules, order.side, price, remaining(order), undefined);
      const available = sum(fills.map((f) => f.qty));
      if (order.timeInForce === 'FOK' && available.lt(remaining(order))) {
        this.finish(order, 'EXPIRED');
        return;
      }
      for (const f of fills) this.fill(order, f.price, f.qty, false);
      if (!isOpen(order)) return;
      if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
        this.finish(order, 'EXPIRED');
        return;
      }
    }
    const book = this.replay.book('spot', order.symbol);
    order.queueAhead = book ? dec(book.qtyAt(order.side === 'BUY' ? 'bids' : 'asks', fixed(price))) : ZERO;
    if (order.workingTime < 0) order.workingTime = this.replay.now();
    this.bookFor(order.symbol).resting.push(order);
  }

  /** Applies one fill: balances, order totals, the trade record, the executionReport. */
  private fill(order: SimOrder, price: Decimal, qty: Decimal, isMaker: boolean): void {
    const now = this.replay.now();
    const { rules, accountId } = order;
    const quoteQty = price.times(qty);
    const rate = isMaker ? this.maker : this.taker;
    const buy = order.side === 'BUY';
    const commission = buy
      ? qty.times(rate).toDecimalPlaces(rules.baseCommissionPrecision, D.ROUND_HALF_UP)
      : quoteQty.times(rate).toDecimalPlaces(rules.quoteCommissionPrecision, D.ROUND_HALF_UP);
    const commissionAsset = buy ? rules.baseAsset : rules.quoteAsset;
    // Pay: from this order's lock first, the rest from free.
    const pay = buy ? quoteQty : qty;
    const fromLock = dmin(order.locked, pay);
    this.ledger.spendLocked(accountId, order.lockAsset, fromLock, now);
    order.locked = order.locked.minus(fromLock);
    this.ledger.spendFree(accountId, order.lockAsset, pay.minus(fromLock), now);
    // Receive, net of commission.
    if (buy) this.ledger.credit(accountId, rules.baseAsset, qty.minus(commission), now);
    else this.ledger.credit(accountId, rules.quoteAsset, quoteQty.minus(commission), now);

    order.executedQty = order.executedQty.plus(qty);
    order.cumQuote = order.cumQuote.plus(quoteQty);
    order.updateTime = now;
    order.status = order.executedQty.gte(order.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    const trade: SimTrade = {
      id: this.tradeId(order.symbol),
      accountId,
      symbol: order.symbol,
      orderId: order.orderId,
      orderListId: order.orderListId,
      price,
      qty,
      quoteQty,
      commission,
      commissionAsset,
      time: now,
      isBuyer: buy,
      isMaker,
    };
    this.trades.push(trade);
    this.tradesByAccount.get(accountId)?.push(trade);
    let own = this.fillsByOrder.get(order.orderId);
    if (!own) this.fillsByOrder.set(order.orderId, (own = []));
    own.push(trade);
    // Keep the lock at what the rest of the order can still spend.
    this.trimLock(order);
    if (order.status === 'FILLED') this.release(order);
    this.report(order, 'TRADE', trade);
    const list = this.listOf.get(order.orderId);
    if (list) this.onListLegActive(list, order);
  }

  /** Fills by venue order id, for the FULL response. */
  private readonly fillsByOrder = new Map<number, SimTrade[]>();

  private trimLock(order: SimOrder): void {
    if (order.locked.isZero()) return;
    const need = order.side === 'BUY' ? (order.price && order.type !== 'STOP_LOSS' && order.type !== 'TAKE_PROFIT' ? order.price.times(remaining(order)) : order.locked) : remaining(order);
    if (order.locked.gt(need)) {
      this.ledger.unlock(order.accountId, order.lockAsset, order.locked.minus(need), this.replay.now());
      order.locked = need;
    }
  }

  private release(order: SimOrder): void {
    const open = this.openByAccount.get(order.accountId);
    if (open?.get(order.clientOrderId) === order) open.delete(order.clientOrderId);
    if (order.locked.gt(ZERO)) {
      this.ledger.unlock(order.accountId, order.lockAsset, order.locked, this.replay.now());
      order.locked = ZERO;
    }
    const book = this.books.get(order.symbol);
    if (book) {
      removeFrom(book.resting, order);
      removeFrom(book.stops, order);
    }
  }

  /** Ends an open order as CANCELED or EXPIRED, releasing its lock, and reports it. */
  private finish(order: SimOrder, status: 'CANCELED' | 'EXPIRED', cancelClientOrderId?: string): void {
    order.status = status;
    order.updateTime = this.replay.now();
    this.release(order);
    this.report(order, status, undefined, cancelClientOrderId);
    const list = this.listOf.get(order.orderId);
    if (list) this.maybeEndList(list);
  }

  private tradeId(symbol: string): number {
    const id = this.nextTradeId.get(symbol) ?? this.firstTradeId;
    this.nextTradeId.set(symbol, id + 1);
    return id;
  }

  private bookFor(symbol: string): SymbolBook {
    let b = this.books.get(symbol);
    if (!b) this.books.set(symbol, (b = { resting: [], stops: [] }));
    return b;
  }

  // ---------------------------------------------------------------- the recorded tape

  private onTrade(e: TradeEvent): void {
    const book = this.books.get(e.symbol);
    if (!book || (book.resting.length === 0 && book.stops.length === 0)) return;
    const px = dec(e.price);
    const touched = new Set<string>();
    if (book.resting.length > 0) {
      // Prints with a seller as aggressor (m = true) hit resting buys at or above the print; buyers lift resting sells.
      const side: OrderSide = e.buyerIsMaker ? 'BUY' : 'SELL';
      const eligible = book.resting
        .filter((o) => o.side === side && o.price && (side === 'BUY' ? px.lte(o.price) : px.gte(o.price)))
        .sort((a, b) => {
          const ap = a.price ?? ZERO;
          const bp = b.price ?? ZERO;
          const c = side === 'BUY' ? bp.comparedTo(ap) : ap.comparedTo(bp);
          return c !== 0 ? c : a.orderId - b.orderId;
        });
      let left = dec(e.qty);
      for (const o of eligible) {
        if (left.lte(ZERO)) break;
        const price = o.price ?? ZERO;
        if (px.eq(price)) {
          const consumed = dmin(left, o.queueAhead);
          o.queueAhead = o.queueAhead.minus(consumed);
          left = left.minus(consumed);
        } else {
          o.queueAhead = ZERO;
        }
        const q = dmin(left, remaining(o));
        if (q.gt(ZERO)) {
          this.fill(o, price, q, true);
          left = left.minus(q);
          touched.add(o.accountId);
        }
      }
    }
    if (book.stops.length > 0) {
      for (const o of [...book.stops]) {
        if (!isOpen(o) || !o.stopPrice || !stopTriggered(o.type, o.side, o.stopPrice, px)) continue;
        removeFrom(book.stops, o);
        o.triggered = true;
        o.workingTime = this.replay.now();
        o.updateTime = o.workingTime;
        const list = this.listOf.get(o.orderId);
        if (list) this.onListLegActive(list, o);
        this.work(o);
        touched.add(o.accountId);
      }
    }
    for (const id of touched) this.flushBalances(id);
  }

  // ---------------------------------------------------------------- order lists (OCO)

  private placeList(accountId: string, listClientOrderId: string | undefined, legs: NewOrderRequest[], respType: NewOrderRespType | undefined): Wire {
    // Validate both legs before placing either.
    const plans = legs.map((l) => this.prepare(accountId, l));
    const [p0, p1] = plans;
    if (!p0 || !p1) throw Errors.unknown();
    if (p0.clientOrderId === p1.clientOrderId) throw Errors.duplicateOrder();
    // Both legs sell (or buy with) the same quantity: one lock for the list, the larger of the two.
    const lock = p0.lock.gte(p1.lock) ? p0.lock : p1.lock;
    if (lock.gt(ZERO) && this.ledger.free(accountId, p0.lockAsset).lt(lock)) throw Errors.insufficientBalance();
    const now = this.replay.now();
    const list: SimOrderList = {
      orderListId: this.nextListId++,
      listClientOrderId: listClientOrderId ?? generateClientId(),
      accountId,
      symbol: p0.req.symbol,
      orders: [],
      transactionTime: now,
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
    };
    this.lists.set(list.orderListId, list);
    const placed = [
      this.newOrder({ ...p0, lock }, list.orderListId),
      this.newOrder({ ...p1, lock: ZERO }, list.orderListId),
    ];
    for (const o of placed) {
      list.orders.push(o);
      this.listOf.set(o.orderId, list);
    }
    for (const o of placed) this.report(o, 'NEW');
    this.bus.emit(accountId, () => listStatusEvent(list, now));
    for (const o of placed) {
      if (!isOpen(o)) continue;
      if (o.triggered) this.work(o);
      else this.bookFor(o.symbol).stops.push(o);
    }
    this.flushBalances(accountId);
    const reports = placed.map((o) => (respType === 'FULL' ? this.newOrderResponse(o, 'FULL') : this.newOrderResponse(o, 'RESULT')));
    return { ...listWire(list), orderReports: respType === 'ACK' ? [] : reports };
  }

  /** A leg filled or triggered: the other legs expire, and the lock moves to the active leg. */
  private onListLegActive(list: SimOrderList, active: SimOrder): void {
    for (const o of list.orders) {
      if (o === active || !isOpen(o)) continue;
      if (o.locked.gt(ZERO)) {
        active.locked = active.locked.plus(o.locked);
        o.locked = ZERO;
      }
      this.finish(o, 'EXPIRED');
    }
    if (isOpen(active)) this.trimLock(active);
    else this.release(active);
    this.maybeEndList(list);
  }

  private cancelList(list: SimOrderList, cancelId: string): Wire {
    const reports: Wire[] = [];
    for (const o of list.orders) {
      if (!isOpen(o)) continue;
      o.status = 'CANCELED';
      o.updateTime = this.replay.now();
      this.release(o);
      this.report(o, 'CANCELED', undefined, cancelId);
      reports.push({ ...orderWire(o), origClientOrderId: o.clientOrderId, clientOrderId: cancelId });
    }
    this.maybeEndList(list);
    return { ...listWire(list), orderReports: reports };
  }

  private maybeEndList(list: SimOrderList): void {
    if (list.listStatusType === 'ALL_DONE' || list.orders.some(isOpen)) return;
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    this.bus.emit(list.accountId, () => listStatusEvent(list, this.replay.now()));
  }

  private findList(accountId: string, ref: OrderListRef): SimOrderList | undefined {
    if (ref.orderListId !== undefined) {
      const l = this.lists.get(ref.orderListId);
      return l && l.accountId === accountId ? l : undefined;
    }
    let found: SimOrderList | undefined;
    for (const l of this.lists.values()) if (l.accountId === accountId && l.listClientOrderId === ref.listClientOrderId) found = l;
    return found;
  }

  // ---------------------------------------------------------------- helpers

  private findOrder(accountId: string, ref: OrderRef): SimOrder | undefined {
    this.rulesFor(ref.symbol);
    if (ref.orderId !== undefined) {
      const o = this.orders.get(ref.orderId);
      return o && o.accountId === accountId && o.symbol === ref.symbol ? o : undefined;
    }
    if (ref.origClientOrderId === undefined) throw new VenueError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    const list = this.accountOrders(accountId);
    // Binance: a client order id may be reused once the earlier order is closed; the newest one answers.
    for (let i = list.length - 1; i >= 0; i--) {
      const o = list[i];
      if (o && o.symbol === ref.symbol && o.clientOrderId === ref.origClientOrderId) return o;
    }
    return undefined;
  }

  private newOrderResponse(order: SimOrder, respType: NewOrderRespType): Wire {
    const ack = {
      symbol: order.symbol,
      orderId: order.orderId,
      orderListId: order.orderListId,
      clientOrderId: order.clientOrderId,
      transactTime: order.time,
    };
    if (respType === 'ACK') return ack;
    const result = newOrderResultWire(order);
    if (respType === 'RESULT') return result;
    result.fills = (this.fillsByOrder.get(order.orderId) ?? []).map(fillWire);
    return result;
  }

  private report(order: SimOrder, x: ExecutionType, trade?: SimTrade, cancelClientOrderId?: string): void {
    this.bus.emit(order.accountId, () => executionReport(order, x, this.replay.now(), trade, cancelClientOrderId));
  }

  private flushBalances(accountId: string): void {
    const changes = this.ledger.takeChanges(accountId);
    if (changes.length === 0) return;
    const now = this.replay.now();
    this.bus.emit(accountId, () => ({
      e: 'outboundAccountPosition',
      E: now,
      u: now,
      B: changes.map((c) => ({ a: c.asset, f: fixed(c.free), l: fixed(c.locked) })),
    }));
  }
}

/** Binance's trigger rules on the last price: a stop-loss triggers when the price moves against the order's side, a take-profit when it moves for it. */
export function stopTriggered(type: SpotOrderType, side: OrderSide, stopPrice: Decimal, last: Decimal): boolean {
  const stopLoss = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
  if (stopLoss) return side === 'BUY' ? last.gte(stopPrice) : last.lte(stopPrice);
  return side === 'BUY' ? last.lte(stopPrice) : last.gte(stopPrice);
}

function listWire(list: SimOrderList): Wire {
  return {
    orderListId: list.orderListId,
    contingencyType: 'OCO',
    listStatusType: list.listStatusType,
    listOrderStatus: list.listOrderStatus,
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.transactionTime,
    symbol: list.symbol,
    orders: list.orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
  };
}

function listStatusEvent(list: SimOrderList, now: number): Wire {
  return {
    e: 'listStatus',
    E: now,
    s: list.symbol,
    g: list.orderListId,
    c: 'OCO',
    l: list.listStatusType,
    L: list.listOrderStatus,
    r: 'NONE',
    C: list.listClientOrderId,
    T: now,
    O: list.orders.map((o) => ({ s: o.symbol, i: o.orderId, c: o.clientOrderId })),
  };
}

function sum(values: Decimal[]): Decimal {
  let s = ZERO;
  for (const v of values) s = s.plus(v);
  return s;
}

function removeFrom<T>(arr: T[], item: T): void {
  const i = arr.indexOf(item);
  if (i >= 0) arr.splice(i, 1);
}

const ID_SALT = randomBytes(8).toString('hex');
let idCounter = 0;

/** A venue-generated client order id: 22 characters of Binance's alphabet, unique within the process. */
export function generateClientId(): string {
  idCounter++;
  return `${ID_SALT}${idCounter.toString(36).padStart(6, '0')}`.slice(-22);
}
