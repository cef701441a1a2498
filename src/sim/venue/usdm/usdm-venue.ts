/**
 * The USDⓈ-M futures venue core: cross-margin, one-way accounts trading the
 * recorded perpetuals, with plain orders (`/fapi/v1/order`) and conditional
 * orders held by an algo service (`/fapi/v1/algoOrder`).
 *
 * Model (what a user of the paper venue should know):
 * - Matching as spot (./matching.ts): takers walk the recorded book, resting
 *   limits fill from the recorded tape after the queue ahead; own orders never
 *   move the recorded market.
 * - MARKET fills what the book offers and expires the rest; LIMIT GTC rests,
 *   IOC expires the rest, FOK fills whole or is rejected -5021, GTX (post-only) is
 *   rejected -5022 when it would take (Binance "New Order (TRADE)", `timeInForce`).
 * - `reduceOnly`: an order that would not reduce the position is rejected -2022;
 *   one larger than the position is cut to it; resting reduce-only orders expire
 *   once they can no longer reduce (position closed or flipped).
 * - Conditional orders (STOP_MARKET, TAKE_PROFIT_MARKET, STOP, TAKE_PROFIT) wait in
 *   the algo service and take no margin; a trigger that already holds at placement
 *   is rejected -2021; `workingType` CONTRACT_PRICE compares the recorded last trade,
 *   MARK_PRICE the mark stand-in (the book's mid, ./mark.ts). On trigger the real
 *   order (MARKET, or LIMIT with the algo's price and time in force) is placed with
 *   the algo's client id; `closePosition` sells/buys the whole position reduce-only.
 *   A trigger the order checks refuse leaves the algo order REJECTED with `rm`.
 *   Reduce-only conditional orders stay open after the position closes (Binance
 *   expires only GTE_GTC ones, which are not simulated).
 * - Margin (./margin.ts): initial margin = notional / leverage (default 20×, Binance's
 *   historical default), a new order is rejected -2019 when it raises the initial
 *   margin and would leave the available balance below zero (fees and the fill's
 *   slippage against the mark included); -2027 beyond the bracket's notional cap.
 * - Fees (Binance USDⓈ-M standard tier, no BNB): 0.02 % maker, 0.05 % taker by
 *   default, charged in USDT on price × quantity, rounded half-up to 8 decimals; the
 *   wallet receives realized PnL − commission at each fill.
 * - Not simulated: funding, liquidation, hedge mode, isolated margin, trailing
 *   stops, GTD, price match, self-trade prevention, order amendment.
 *
 * Event times are the replay clock (`Replay.now()`), ms.
 */
import { type Decimal, ZERO, dec, dmin } from '../../../domain/decimal.ts';
import type { Replay, TradeEvent } from '../../market/types.ts';
import { Errors, VenueError } from '../errors.ts';
import { historyWindow } from '../history-window.ts';
import type { FeeRates } from '../spot-venue.ts';
import { generateClientId } from '../spot-venue.ts';
import type { AccountCredentials } from '../types.ts';
import { UserEventBus } from '../user-events.ts';
import {
  accountV2Wire,
  accountV3Wire,
  balanceWire,
  bracketWire,
  positionRiskV2Wire,
  positionRiskV3Wire,
  symbolConfigWire,
} from './account-wire.ts';
import { AccountRiskBook } from './account-risk.ts';
import { type FutAccount, FutAccounts, type UsdmAccountConfig } from './accounts.ts';
import { MAX_LEVERAGE, maxNotionalAt } from './brackets.ts';
import { UsdmErrors } from './errors.ts';
import {
  type UsdmExchangeInfo,
  type UsdmRules,
  checkMinNotional,
  checkOrderPrice,
  checkOrderQty,
  checkPercentPrice,
} from './instruments.ts';
import { MARKET_ALGO, type PlanInput, algoOrderInput, plainOrderInput } from './requests.ts';
import { applyFill, breakEvenPrice, increasingQty, money, sideNotionals } from './margin.ts';
import { lastPrice, markPrice } from './mark.ts';
import { type PlannedFill, makerSideOf, planTaker, plannedQty, printReaches, triggers, wouldTake } from './matching.ts';
import { type AlgoOrder, type FutOrder, type FutTrade, isOpenAlgo, isOpenOrder, remainingQty } from './records.ts';
import type {
  AlgoOrderRef,
  AlgoOrderRequest,
  UsdmHistoryQuery,
  UsdmOrderRef,
  UsdmOrderRequest,
  UsdmVenueApi,
  UserEvent,
  Wire,
  WorkingType,
} from './types.ts';
import {
  type FutExecutionType,
  accountUpdate,
  algoCancelWire,
  algoUpdate,
  algoWire,
  newOrderWire,
  orderTradeUpdate,
  orderWire,
  tradeWire,
} from './wire.ts';

export type { UsdmAccountConfig } from './accounts.ts';

/** Binance's standard USDⓈ-M rates (VIP 0, no BNB): 0.02 % maker, 0.05 % taker. */
export const DEFAULT_USDM_FEES: FeeRates = { maker: '0.0002', taker: '0.0005' };
/** Leverage of a symbol before `POST /fapi/v1/leverage` (Binance's historical default, 20×). */
export const DEFAULT_LEVERAGE = 20;

export interface UsdmVenueOptions {
  readonly exchangeInfo: UsdmExchangeInfo;
  readonly accounts: ReadonlyArray<UsdmAccountConfig>;
  readonly replay: Replay;
  readonly fees?: FeeRates;
  readonly defaultLeverage?: number;
  /**
   * The id of the first order placed (then +1 per order); default 1. A paper venue started again for
   * the same engine data starts past the ids it gave before (the daemon passes one from the clock).
   */
  readonly firstOrderId?: number;
  /** The id of each symbol's first trade (then +1 per trade of that symbol); default 1. Same reason as `firstOrderId`. */
  readonly firstTradeId?: number;
}

/** Everything the futures venue holds, for test assertions; money as exact decimal strings. */
export interface UsdmGroundTruth {
  readonly orders: Array<Wire & { accountId: string }>;
  readonly algoOrders: Array<Wire & { accountId: string }>;
  readonly trades: Array<Wire & { accountId: string }>;
  readonly accounts: Record<
    string,
    {
      readonly wallet: string;
      readonly availableBalance: string;
      readonly marginBalance: string;
      readonly unrealizedProfit: string;
      readonly positions: Array<{ symbol: string; positionAmt: string; entryPrice: string; realizedPnl: string; leverage: number }>;
    }
  >;
}

const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** A validated plain order, ready to submit: its input (`qty` cut to the position when reduce-only) and what validation resolved. */
interface Plan extends PlanInput {
  readonly acct: FutAccount;
  readonly rules: UsdmRules;
  /** As sent, or generated. */
  readonly clientOrderId: string;
  /** The taker part, computed at validation. */
  readonly fills: PlannedFill[];
}

export class UsdmVenue implements UsdmVenueApi {
  private readonly info: UsdmExchangeInfo;
  private readonly replay: Replay;
  private readonly maker: Decimal;
  private readonly taker: Decimal;
  private readonly accounts: FutAccounts;
  private readonly risk: AccountRiskBook;
  private readonly bus = new UserEventBus();
  private readonly orders = new Map<number, FutOrder>();
  private readonly trades: FutTrade[] = [];
  /** Resting limits by symbol. */
  private readonly resting = new Map<string, FutOrder[]>();
  private readonly algos = new Map<number, AlgoOrder>();
  /** Open (NEW) algo orders by symbol. */
  private readonly waiting = new Map<string, AlgoOrder[]>();
  private readonly nextTradeId = new Map<string, number>();
  /** The id of each symbol's first trade (see the `firstTradeId` option). */
  private readonly firstTradeId: number;
  private nextOrderId: number;
  /** Algo ids start far from order ids: a client caching both by id (ccxt's order cache) never confuses them. */
  private nextAlgoId = 1_000_000_001;
  private readonly unsubscribe: () => void;

  constructor(opts: UsdmVenueOptions) {
    this.info = opts.exchangeInfo;
    this.replay = opts.replay;
    const fees = opts.fees ?? DEFAULT_USDM_FEES;
    this.maker = dec(fees.maker);
    this.taker = dec(fees.taker);
    this.nextOrderId = opts.firstOrderId ?? 1;
    this.firstTradeId = opts.firstTradeId ?? 1;
    this.accounts = new FutAccounts(opts.defaultLeverage ?? DEFAULT_LEVERAGE);
    this.risk = new AccountRiskBook(this.info, this.replay, this.accounts, this.taker);
    for (const a of opts.accounts) this.accounts.open(a, this.replay.now());
    this.unsubscribe = this.replay.on((e) => {
      if (e.market !== 'usdm') return;
      if (e.kind === 'trade') this.onTrade(e);
      else this.onBook(e.symbol);
    });
  }

  /** Adds an account at run time. @throws Error when the id or API key is taken. */
  addAccount(a: UsdmAccountConfig): void {
    this.accounts.open(a, this.replay.now());
  }

  /** Detaches from the replay and drops the listeners. */
  close(): void {
    this.unsubscribe();
    this.bus.clear();
  }

  // ---------------------------------------------------------------- UsdmVenueApi: reference data

  accountByApiKey(apiKey: string): AccountCredentials | undefined {
    return this.accounts.byApiKey(apiKey);
  }

  exchangeInfo(): Wire {
    return { ...this.info.raw, serverTime: Date.now() };
  }

  onUserEvent(listener: (event: UserEvent) => void, wants?: (accountId: string) => boolean): () => void {
    return this.bus.on(listener, wants);
  }

  // ---------------------------------------------------------------- plain orders

  placeOrder(accountId: string, req: UsdmOrderRequest): Wire {
    const acct = this.accounts.get(accountId);
    const rules = this.rulesFor(req.symbol);
    return newOrderWire(this.submit(this.prepare(acct, rules, plainOrderInput(rules, req))));
  }

  cancelOrder(accountId: string, ref: UsdmOrderRef): Wire {
    const order = this.findOrder(accountId, ref);
    if (!order || !isOpenOrder(order)) throw UsdmErrors.unknownOrder();
    this.finish(order, 'CANCELED');
    return newOrderWire(order);
  }

  cancelAllOpenOrders(accountId: string, symbol: string): Wire {
    this.rulesFor(symbol);
    const acct = this.accounts.get(accountId);
    for (const o of [...acct.open.values()]) if (o.symbol === symbol) this.finish(o, 'CANCELED');
    return { code: 200, msg: 'The operation of cancel all open order is done.' };
  }

  queryOrder(accountId: string, ref: UsdmOrderRef): Wire {
    const order = this.findOrder(accountId, ref);
    if (!order) throw UsdmErrors.noSuchOrder();
    return orderWire(order);
  }

  queryOpenOrder(accountId: string, ref: UsdmOrderRef): Wire {
    const order = this.findOrder(accountId, ref);
    if (!order || !isOpenOrder(order)) throw new VenueError(-2013, 'Order does not exist.');
    return orderWire(order);
  }

  openOrders(accountId: string, symbol?: string): Wire[] {
    if (symbol !== undefined) this.rulesFor(symbol);
    return [...this.accounts.get(accountId).open.values()]
      .filter((o) => symbol === undefined || o.symbol === symbol)
      .sort((a, b) => a.orderId - b.orderId)
      .map(orderWire);
  }

  allOrders(accountId: string, q: UsdmHistoryQuery): Wire[] {
    this.rulesFor(q.symbol);
    const list = this.accounts.get(accountId).orders.filter((o) => o.symbol === q.symbol);
    return historyWindow(list, { ...q, fromId: q.orderId }, (o) => o.orderId, (o) => o.time).map(orderWire);
  }

  userTrades(accountId: string, q: UsdmHistoryQuery): Wire[] {
    const rules = this.rulesFor(q.symbol);
    let list = this.accounts.get(accountId).trades.filter((t) => t.symbol === q.symbol);
    if (q.orderId !== undefined) list = list.filter((t) => t.orderId === q.orderId);
    return historyWindow(list, q, (t) => t.id, (t) => t.time).map((t) => tradeWire(t, rules));
  }

  // ---------------------------------------------------------------- algo (conditional) orders

  placeAlgoOrder(accountId: string, req: AlgoOrderRequest): Wire {
    const acct = this.accounts.get(accountId);
    const rules = this.rulesFor(req.symbol);
    const input = algoOrderInput(rules, req);
    const clientAlgoId = input.clientAlgoId ?? generateClientId();
    if (!CLIENT_ID.test(clientAlgoId)) throw Errors.illegalChars('clientAlgoId');
    if (acct.algos.some((a) => isOpenAlgo(a) && a.clientAlgoId === clientAlgoId)) throw UsdmErrors.duplicateClientOrderId();
    const waiting = this.waiting.get(req.symbol) ?? [];
    const mine = waiting.filter((a) => a.accountId === accountId).length;
    if (rules.maxNumAlgoOrders !== undefined && mine >= rules.maxNumAlgoOrders) throw UsdmErrors.maxStopOrders();
    const ref = input.workingType === 'MARK_PRICE' ? markPrice(this.replay, req.symbol) : lastPrice(this.replay, req.symbol);
    if (ref && triggers(input.orderType, input.side, input.triggerPrice, ref)) throw UsdmErrors.wouldImmediatelyTrigger();
    const now = this.replay.now();
    const algo: AlgoOrder = {
      ...input,
      algoId: this.nextAlgoId++,
      clientAlgoId,
      accountId,
      rules,
      symbol: req.symbol,
      algoStatus: 'NEW',
      createTime: now,
      updateTime: now,
      triggerTime: 0,
      actualOrderId: undefined,
      rejectReason: '',
    };
    this.algos.set(algo.algoId, algo);
    acct.algos.push(algo);
    waiting.push(algo);
    this.waiting.set(req.symbol, waiting);
    this.emitAlgo(algo);
    return algoWire(algo);
  }

  cancelAlgoOrder(accountId: string, ref: AlgoOrderRef): Wire {
    const algo = this.findAlgo(accountId, ref);
    if (!algo || !isOpenAlgo(algo)) throw UsdmErrors.unknownOrder();
    this.endAlgo(algo, 'CANCELED');
    return algoCancelWire(algo);
  }

  cancelAllAlgoOpenOrders(accountId: string, symbol: string): Wire {
    this.rulesFor(symbol);
    for (const a of [...(this.waiting.get(symbol) ?? [])]) if (a.accountId === accountId) this.endAlgo(a, 'CANCELED');
    return { code: 200, msg: 'The operation of cancel all open order is done.' };
  }

  queryAlgoOrder(accountId: string, ref: AlgoOrderRef): Wire {
    const algo = this.findAlgo(accountId, ref);
    if (!algo) throw UsdmErrors.noSuchOrder();
    return algoWire(algo, algo.actualOrderId !== undefined ? this.orders.get(algo.actualOrderId) : undefined);
  }

  openAlgoOrders(accountId: string, symbol?: string): Wire[] {
    if (symbol !== undefined) this.rulesFor(symbol);
    return this.accounts
      .get(accountId)
      .algos.filter((a) => isOpenAlgo(a) && (symbol === undefined || a.symbol === symbol))
      .map((a) => algoWire(a));
  }

  allAlgoOrders(accountId: string, q: UsdmHistoryQuery): Wire[] {
    this.rulesFor(q.symbol);
    const list = this.accounts.get(accountId).algos.filter((a) => a.symbol === q.symbol);
    return historyWindow(list, q, (a) => a.algoId, (a) => a.createTime).map((a) =>
      algoWire(a, a.actualOrderId !== undefined ? this.orders.get(a.actualOrderId) : undefined),
    );
  }

  // ---------------------------------------------------------------- account

  accountV3(accountId: string): Wire {
    return accountV3Wire(this.risk.view(this.accounts.get(accountId), false, this.anyRules().marginAsset));
  }

  accountV2(accountId: string): Wire {
    return accountV2Wire(this.risk.view(this.accounts.get(accountId), true, this.anyRules().marginAsset));
  }

  balance(accountId: string): Wire[] {
    return balanceWire(this.risk.view(this.accounts.get(accountId), false, this.anyRules().marginAsset));
  }

  positionRiskV3(accountId: string, symbol?: string): Wire[] {
    if (symbol !== undefined) this.rulesFor(symbol);
    return positionRiskV3Wire(this.risk.view(this.accounts.get(accountId), false, this.anyRules().marginAsset), symbol);
  }

  positionRiskV2(accountId: string, symbol?: string): Wire[] {
    if (symbol !== undefined) this.rulesFor(symbol);
    return positionRiskV2Wire(this.risk.view(this.accounts.get(accountId), true, this.anyRules().marginAsset), symbol);
  }

  leverageBracket(accountId: string, symbol?: string): Wire | Wire[] {
    this.accounts.get(accountId);
    if (symbol !== undefined) return bracketWire(this.rulesFor(symbol).symbol);
    return [...this.info.rules.keys()].map(bracketWire);
  }

  changeLeverage(accountId: string, symbol: string, leverage: number): Wire {
    const acct = this.accounts.get(accountId);
    this.rulesFor(symbol);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > MAX_LEVERAGE) throw UsdmErrors.invalidLeverage(leverage);
    const before = this.accounts.leverageOf(acct, symbol);
    acct.leverage.set(symbol, leverage);
    const after = this.risk.account(acct);
    const s = after.symbols.find((x) => x.symbol === symbol);
    if (s && s.notional.abs().gt(maxNotionalAt(leverage))) {
      acct.leverage.set(symbol, before);
      throw UsdmErrors.maxPositionAtLeverage();
    }
    if (after.available.lt(ZERO) && leverage < before) {
      acct.leverage.set(symbol, before);
      throw new VenueError(-2028, 'Leverage is smaller than permitted: insufficient margin balance');
    }
    return { leverage, maxNotionalValue: maxNotionalAt(leverage).toFixed(), symbol };
  }

  symbolConfig(accountId: string, symbol?: string): Wire[] {
    const acct = this.accounts.get(accountId);
    const symbols = symbol !== undefined ? [this.rulesFor(symbol).symbol] : [...this.info.rules.keys()];
    return symbols.map((s) => symbolConfigWire(s, this.accounts.leverageOf(acct, s)));
  }

  commissionRate(accountId: string, symbol: string): Wire {
    this.accounts.get(accountId);
    this.rulesFor(symbol);
    return { symbol, makerCommissionRate: this.maker.toFixed(), takerCommissionRate: this.taker.toFixed() };
  }

  // ---------------------------------------------------------------- ground truth and control

  /** Every order, algo order, fill and account as the venue holds them. */
  groundTruth(): UsdmGroundTruth {
    const accounts: Record<string, UsdmGroundTruth['accounts'][string]> = {};
    for (const acct of this.accounts.all()) {
      const r = this.risk.account(acct);
      accounts[acct.credentials.id] = {
        wallet: acct.wallet.toFixed(),
        availableBalance: r.available.toFixed(),
        marginBalance: r.marginBalance.toFixed(),
        unrealizedProfit: r.unrealized.toFixed(),
        positions: [...acct.positions.values()].map((p) => ({
          symbol: p.symbol,
          positionAmt: p.amt.toFixed(),
          entryPrice: p.entry.toFixed(),
          realizedPnl: p.realized.toFixed(),
          leverage: this.accounts.leverageOf(acct, p.symbol),
        })),
      };
    }
    return {
      orders: [...this.orders.values()].map((o) => ({ ...orderWire(o), accountId: o.accountId })),
      algoOrders: [...this.algos.values()].map((a) => ({ ...algoWire(a, a.actualOrderId !== undefined ? this.orders.get(a.actualOrderId) : undefined), accountId: a.accountId })),
      trades: this.trades.map((t) => ({ ...tradeWire(t, this.rulesFor(t.symbol)), accountId: t.accountId })),
      accounts,
    };
  }

  /** Credits (negative: debits) a futures wallet, with an ACCOUNT_UPDATE (`m` DEPOSIT / WITHDRAW). @throws VenueError -2019 below zero. */
  adjustWallet(accountId: string, delta: string): void {
    const acct = this.accounts.get(accountId);
    const d = dec(delta);
    if (acct.wallet.plus(d).lt(ZERO)) throw UsdmErrors.marginInsufficient();
    const now = this.replay.now();
    acct.wallet = acct.wallet.plus(d);
    acct.updateTime = now;
    this.bus.emit(accountId, () => accountUpdate(now, d.isNegative() ? 'WITHDRAW' : 'DEPOSIT', this.anyRules().marginAsset, acct.wallet, d, []));
  }

  // ---------------------------------------------------------------- validation

  private rulesFor(symbol: string): UsdmRules {
    const r = this.info.rules.get(symbol);
    if (!r) throw Errors.invalidSymbol();
    return r;
  }

  private anyRules(): UsdmRules {
    const first = this.info.rules.values().next();
    if (first.done === true) throw new Error('USD-M exchangeInfo lists no symbol');
    return first.value;
  }

  /**
   * Validates a plain order (REST or a trigger) against the filters, the position
   * (reduce-only), the book (GTX, FOK) and the margin, and plans its taker part.
   */
  private prepare(acct: FutAccount, rules: UsdmRules, input: PlanInput): Plan {
    const { side, type } = input;
    const symbol = rules.symbol;
    const isMarket = type === 'MARKET';
    if (!rules.timeInForce.has(input.tif)) throw Errors.invalidTif();
    checkOrderQty(rules, input.qty, isMarket);
    const mark = markPrice(this.replay, symbol);
    if (!isMarket) {
      checkOrderPrice(rules, input.price);
      checkPercentPrice(rules, side, input.price, mark);
    }
    const fromTrigger = input.algoId !== undefined;
    const clientOrderId = input.clientOrderId ?? generateClientId();
    if (!CLIENT_ID.test(clientOrderId)) throw Errors.illegalChars('newClientOrderId');
    if (!fromTrigger && acct.open.has(clientOrderId)) throw UsdmErrors.duplicateClientOrderId();

    const pos = acct.positions.get(symbol);
    const amt = pos?.amt ?? ZERO;
    let qty = input.qty;
    if (input.reduceOnly) {
      const reducible = qty.minus(increasingQty(amt, side, qty));
      if (reducible.lte(ZERO)) throw UsdmErrors.reduceOnlyRejected();
      qty = reducible; // cut to the position
    } else {
      const ref = isMarket ? mark : input.price;
      if (ref) checkMinNotional(rules, ref.times(qty));
    }
    if (!isMarket && rules.maxNumOrders !== undefined) {
      let n = 0;
      for (const o of acct.open.values()) if (o.symbol === symbol) n++;
      if (n >= rules.maxNumOrders) throw UsdmErrors.maxOpenOrders();
    }
    const book = this.replay.book('usdm', symbol);
    if (input.tif === 'GTX' && !isMarket && wouldTake(book, side, input.price)) throw UsdmErrors.gtxRejected();
    const fills = input.tif === 'GTX' ? [] : planTaker(book, side, qty, isMarket ? undefined : input.price);
    const takeQty = plannedQty(fills);
    if (input.tif === 'FOK' && takeQty.lt(qty)) throw UsdmErrors.fokRejected();
    if (!input.reduceOnly) this.risk.checkNewOrder(acct, symbol, side, fills, isMarket || input.tif === 'IOC' || input.tif === 'FOK' ? ZERO : qty.minus(takeQty), input.price);
    return { ...input, acct, rules, qty, clientOrderId, fills };
  }

  // ---------------------------------------------------------------- execution

  /** Places a validated order and runs what happens at once (taker fills, resting, expiry). */
  private submit(plan: Plan): FutOrder {
    const now = this.replay.now();
    const order: FutOrder = {
      orderId: this.nextOrderId++,
      clientOrderId: plan.clientOrderId,
      accountId: plan.acct.credentials.id,
      rules: plan.rules,
      symbol: plan.rules.symbol,
      side: plan.side,
      type: plan.type,
      origType: plan.origType,
      timeInForce: plan.tif,
      origQty: plan.qty,
      price: plan.price,
      stopPrice: plan.stopPrice,
      workingType: plan.workingType,
      priceProtect: plan.priceProtect,
      reduceOnly: plan.reduceOnly,
      closePosition: plan.closePosition,
      executedQty: ZERO,
      cumQuote: ZERO,
      status: 'NEW',
      time: now,
      updateTime: now,
      queueAhead: ZERO,
      algoId: plan.algoId,
    };
    this.orders.set(order.orderId, order);
    plan.acct.orders.push(order);
    plan.acct.open.set(order.clientOrderId, order);
    if (plan.algoId !== undefined) {
      const algo = this.algos.get(plan.algoId);
      if (algo) {
        algo.algoStatus = 'TRIGGERED';
        algo.actualOrderId = order.orderId;
        algo.updateTime = now;
        this.emitAlgo(algo, order);
      }
    }
    this.report(order, 'NEW');
    for (const f of plan.fills) {
      if (!isOpenOrder(order)) break;
      this.fill(order, f.price, f.qty, false);
    }
    if (!isOpenOrder(order)) return order;
    if (order.type === 'MARKET' || order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
      this.finish(order, 'EXPIRED');
      return order;
    }
    const book = this.replay.book('usdm', order.symbol);
    order.queueAhead = book ? dec(book.qtyAt(order.side === 'BUY' ? 'bids' : 'asks', order.price.toFixed())) : ZERO;
    let list = this.resting.get(order.symbol);
    if (!list) this.resting.set(order.symbol, (list = []));
    list.push(order);
    return order;
  }

  /** Applies one fill: position, wallet, order totals, the trade record, ORDER_TRADE_UPDATE and ACCOUNT_UPDATE. */
  private fill(order: FutOrder, price: Decimal, qty: Decimal, isMaker: boolean): void {
    const now = this.replay.now();
    const acct = this.accounts.get(order.accountId);
    const pos = this.accounts.position(acct, order.symbol);
    const effect = applyFill(pos, order.side, qty, price, now);
    const quoteQty = price.times(qty);
    const commission = money(quoteQty.times(isMaker ? this.maker : this.taker));
    acct.wallet = acct.wallet.plus(effect.realizedPnl).minus(commission);
    acct.updateTime = now;
    order.executedQty = order.executedQty.plus(qty);
    order.cumQuote = order.cumQuote.plus(quoteQty);
    order.updateTime = now;
    order.status = order.executedQty.gte(order.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    const trade: FutTrade = {
      id: this.tradeId(order.symbol),
      accountId: order.accountId,
      symbol: order.symbol,
      orderId: order.orderId,
      side: order.side,
      price,
      qty,
      quoteQty,
      commission,
      realizedPnl: effect.realizedPnl,
      time: now,
      isMaker,
    };
    this.trades.push(trade);
    acct.trades.push(trade);
    if (order.status === 'FILLED') this.release(order);
    this.report(order, 'TRADE', trade);
    this.bus.emit(order.accountId, () => {
      const s = this.risk.symbol(acct, order.symbol, pos);
      return accountUpdate(now, 'ORDER', order.rules.marginAsset, acct.wallet, ZERO, [
        { pos, rules: order.rules, unrealized: s.unrealized, breakEven: breakEvenPrice(pos.amt, pos.entry, this.taker) },
      ]);
    });
    if (order.status === 'FILLED') this.algoDone(order);
    this.expireStaleReduceOnly(acct, order.symbol, order);
  }

  /** Resting reduce-only orders that can no longer reduce the position (closed or flipped) expire. */
  private expireStaleReduceOnly(acct: FutAccount, symbol: string, except: FutOrder): void {
    const amt = acct.positions.get(symbol)?.amt ?? ZERO;
    for (const o of [...acct.open.values()]) {
      if (o === except || !o.reduceOnly || o.symbol !== symbol) continue;
      const rem = remainingQty(o);
      if (increasingQty(amt, o.side, rem).eq(rem)) this.finish(o, 'EXPIRED');
    }
  }

  /** Removes an order that is no longer open from the open and resting indices. */
  private release(order: FutOrder): void {
    const acct = this.accounts.get(order.accountId);
    if (acct.open.get(order.clientOrderId) === order) acct.open.delete(order.clientOrderId);
    const list = this.resting.get(order.symbol);
    if (list) removeFrom(list, order);
  }

  /** Ends an open order as CANCELED or EXPIRED and reports it. */
  private finish(order: FutOrder, status: 'CANCELED' | 'EXPIRED'): void {
    order.status = status;
    order.updateTime = this.replay.now();
    this.release(order);
    this.report(order, status);
    this.algoDone(order);
  }

  /** The algo order whose triggered order just ended becomes FINISHED. */
  private algoDone(order: FutOrder): void {
    if (order.algoId === undefined) return;
    const algo = this.algos.get(order.algoId);
    if (!algo || algo.algoStatus !== 'TRIGGERED') return;
    algo.algoStatus = 'FINISHED';
    algo.updateTime = this.replay.now();
    this.emitAlgo(algo, order);
  }

  private endAlgo(algo: AlgoOrder, status: 'CANCELED' | 'EXPIRED' | 'REJECTED', reason = ''): void {
    algo.algoStatus = status;
    algo.rejectReason = reason;
    algo.updateTime = this.replay.now();
    const list = this.waiting.get(algo.symbol);
    if (list) removeFrom(list, algo);
    this.emitAlgo(algo);
  }

  private tradeId(symbol: string): number {
    const id = this.nextTradeId.get(symbol) ?? this.firstTradeId;
    this.nextTradeId.set(symbol, id + 1);
    return id;
  }

  private report(order: FutOrder, x: FutExecutionType, trade?: FutTrade): void {
    this.bus.emit(order.accountId, () => {
      const acct = this.accounts.get(order.accountId);
      return orderTradeUpdate(order, x, this.replay.now(), sideNotionals(this.risk.exposure(acct, order.symbol)), trade);
    });
  }

  private emitAlgo(algo: AlgoOrder, actual?: FutOrder): void {
    this.bus.emit(algo.accountId, () => algoUpdate(algo, this.replay.now(), actual));
  }

  // ---------------------------------------------------------------- the recorded market

  private onTrade(e: TradeEvent): void {
    const list = this.resting.get(e.symbol);
    if (list && list.length > 0) this.makerFills(list, e);
    const waiting = this.waiting.get(e.symbol);
    if (waiting && waiting.length > 0) this.evaluateTriggers(waiting, 'CONTRACT_PRICE', dec(e.price));
  }

  private onBook(symbol: string): void {
    const waiting = this.waiting.get(symbol);
    if (!waiting || !waiting.some((a) => a.workingType === 'MARK_PRICE')) return;
    const mark = markPrice(this.replay, symbol);
    if (mark) this.evaluateTriggers(waiting, 'MARK_PRICE', mark);
  }

  /** Fills resting limits from one recorded print (see ./matching.ts). */
  private makerFills(list: FutOrder[], e: TradeEvent): void {
    const px = dec(e.price);
    const side = makerSideOf(e);
    const eligible = list
      .filter((o) => o.side === side && printReaches(side, o.price, px))
      .sort((a, b) => {
        const c = side === 'BUY' ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price);
        return c !== 0 ? c : a.orderId - b.orderId;
      });
    let left = dec(e.qty);
    for (const o of eligible) {
      if (left.lte(ZERO)) break;
      if (!isOpenOrder(o)) continue;
      if (px.eq(o.price)) {
        const consumed = dmin(left, o.queueAhead);
        o.queueAhead = o.queueAhead.minus(consumed);
        left = left.minus(consumed);
      } else {
        o.queueAhead = ZERO;
      }
      let q = dmin(left, remainingQty(o));
      if (o.reduceOnly) {
        const amt = this.accounts.get(o.accountId).positions.get(o.symbol)?.amt ?? ZERO;
        q = q.minus(increasingQty(amt, o.side, q));
      }
      if (q.gt(ZERO)) {
        this.fill(o, o.price, q, true);
        left = left.minus(q);
      }
    }
  }

  private evaluateTriggers(waiting: AlgoOrder[], kind: WorkingType, price: Decimal): void {
    for (const a of [...waiting]) {
      if (a.workingType !== kind || !isOpenAlgo(a) || !triggers(a.orderType, a.side, a.triggerPrice, price)) continue;
      this.fire(a);
    }
  }

  /** A trigger fired: the algo order places its real order, or is REJECTED with the reason. */
  private fire(algo: AlgoOrder): void {
    const now = this.replay.now();
    const list = this.waiting.get(algo.symbol);
    if (list) removeFrom(list, algo);
    algo.algoStatus = 'TRIGGERING';
    algo.triggerTime = now;
    algo.updateTime = now;
    const acct = this.accounts.get(algo.accountId);
    const marketType = MARKET_ALGO.has(algo.orderType);
    const amt = acct.positions.get(algo.symbol)?.amt ?? ZERO;
    let plan: Plan;
    try {
      plan = this.prepare(acct, algo.rules, {
        side: algo.side,
        type: marketType ? 'MARKET' : 'LIMIT',
        origType: algo.orderType,
        tif: marketType ? 'GTC' : algo.timeInForce,
        qty: algo.closePosition ? (amt.isZero() ? algo.rules.lotSize?.minQty ?? ZERO : amt.abs()) : algo.quantity,
        price: marketType ? ZERO : algo.price,
        stopPrice: algo.triggerPrice,
        workingType: algo.workingType,
        priceProtect: algo.priceProtect,
        reduceOnly: algo.reduceOnly || algo.closePosition,
        closePosition: algo.closePosition,
        // the real order carries the algo's client id, unless an open order of the account already uses it
        clientOrderId: acct.open.has(algo.clientAlgoId) ? undefined : algo.clientAlgoId,
        algoId: algo.algoId,
      });
    } catch (err) {
      const reason =
        err instanceof VenueError
          ? err.code === -2022
            ? 'Reduce Only reject'
            : err.code === -2019
              ? 'Margin is insufficient'
              : err.message
          : 'Internal error';
      this.endAlgo(algo, 'REJECTED', reason);
      return;
    }
    this.submit(plan);
  }

  // ---------------------------------------------------------------- lookups

  private findOrder(accountId: string, ref: UsdmOrderRef): FutOrder | undefined {
    this.rulesFor(ref.symbol);
    const acct = this.accounts.get(accountId);
    if (ref.orderId !== undefined) {
      const o = this.orders.get(ref.orderId);
      return o && o.accountId === accountId && o.symbol === ref.symbol ? o : undefined;
    }
    if (ref.origClientOrderId === undefined) throw Errors.eitherParamMissing('orderId', 'origClientOrderId');
    for (let i = acct.orders.length - 1; i >= 0; i--) {
      const o = acct.orders[i];
      if (o && o.symbol === ref.symbol && o.clientOrderId === ref.origClientOrderId) return o;
    }
    return undefined;
  }

  private findAlgo(accountId: string, ref: AlgoOrderRef): AlgoOrder | undefined {
    const acct = this.accounts.get(accountId);
    if (ref.algoId !== undefined) {
      const a = this.algos.get(ref.algoId);
      return a && a.accountId === accountId ? a : undefined;
    }
    if (ref.clientAlgoId === undefined) throw Errors.eitherParamMissing('algoId', 'clientAlgoId');
    for (let i = acct.algos.length - 1; i >= 0; i--) {
      const a = acct.algos[i];
      if (a && a.clientAlgoId === ref.clientAlgoId) return a;
    }
    return undefined;
  }
}

function removeFrom<T>(arr: T[], item: T): void {
  const i = arr.indexOf(item);
  if (i >= 0) arr.splice(i, 1);
}

