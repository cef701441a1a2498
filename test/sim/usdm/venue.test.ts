/**
 * The USD-M venue core in process, on the real replay of the recorded BTCUSDT
 * perpetual and the real futures exchangeInfo: time-in-force rules (IOC, FOK
 * -5021, GTX -5022), reduce-only cuts and expiry, maker fills from the tape,
 * entry-price weighting, flips and realized PnL, margin and leverage, the
 * conditional orders' trigger rules (CONTRACT_PRICE, MARK_PRICE = the book's mid,
 * closePosition, -2021) and the futures filters.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../../src/domain/decimal.ts';
import { DEFAULT_DATA_DIR, DEFAULT_USDM_EXCHANGE_INFO } from '../../../src/sim/config.ts';
import { type MarketReplay, loadReplay } from '../../../src/sim/market/replay.ts';
import { VenueError } from '../../../src/sim/venue/errors.ts';
import { loadUsdmExchangeInfo } from '../../../src/sim/venue/usdm/instruments.ts';
import type { UserEvent, Wire } from '../../../src/sim/venue/usdm/types.ts';
import { UsdmVenue } from '../../../src/sim/venue/usdm/usdm-venue.ts';
import { ID, WARM_MS } from './helpers.ts';

const info = loadUsdmExchangeInfo(DEFAULT_USDM_EXCHANGE_INFO);
const A = 'acct';

let replay: MarketReplay;
let venue: UsdmVenue;
let events: Wire[];

beforeEach(async () => {
  replay = await loadReplay({ dataDir: DEFAULT_DATA_DIR, instruments: [{ market: 'usdm', symbol: ID }], clock: { kind: 'stepped' }, atEnd: 'stop' });
  venue = new UsdmVenue({ exchangeInfo: info, accounts: [{ id: A, apiKey: 'k', secret: 'secret-0123456789abcdef', wallet: '100000' }], replay });
  events = [];
  venue.onUserEvent((e: UserEvent) => events.push(e.payload));
  replay.step({ ms: WARM_MS });
});

function code(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof VenueError) return e.code;
    throw e;
  }
  return undefined;
}

function quote(): { bid: Decimal; ask: Decimal; last: Decimal } {
  const book = replay.book('usdm', ID);
  const bid = book?.bestBid();
  const ask = book?.bestAsk();
  const last = replay.lastTrade('usdm', ID);
  if (!bid || !ask || !last) throw new Error('no quote');
  return { bid: dec(bid.price), ask: dec(ask.price), last: dec(last.price) };
}

const str = (w: Wire, k: string): string => String(w[k]);
const position = () => venue.groundTruth().accounts[A]?.positions.find((p) => p.symbol === ID);
const tick = (d: Decimal) => d.toFixed(1);

describe('plain orders', () => {
  it('MARKET walks the recorded book; IOC expires its rest; FOK that cannot fill whole is rejected -5021 and leaves no trace', () => {
    const asks = [...(replay.book('usdm', ID)?.liquidity('asks') ?? [])].slice(0, 2);
    const m = venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(m['status']).toBe('FILLED');
    expect(m['positionSide']).toBe('BOTH');
    expect(m['cumQuote']).toBeDefined();
    expect(str(venue.userTrades(A, { symbol: ID })[0] ?? {}, 'price')).toBe(dec(asks[0]?.price ?? '0').toFixed(2));
    const { bid } = quote();
    // A limit sell at the best bid takes what the best bid level holds, no more: IOC expires the rest.
    const topBidQty = dec(replay.book('usdm', ID)?.bestBid()?.qty ?? '0');
    const big = topBidQty.plus('5').toFixed(3);
    const ioc = venue.placeOrder(A, { symbol: ID, side: 'SELL', type: 'LIMIT', timeInForce: 'IOC', quantity: big, price: tick(bid) });
    expect(ioc['status']).toBe('EXPIRED');
    expect(dec(str(ioc, 'executedQty')).eq(topBidQty)).toBe(true);
    const n = venue.groundTruth().orders.length;
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'SELL', type: 'LIMIT', timeInForce: 'FOK', quantity: big, price: tick(bid) }))).toBe(-5021);
    expect(venue.groundTruth().orders.length).toBe(n);
  });

  it('GTX (post-only) rests when it would not take and is rejected -5022 when it would', () => {
    const { bid, ask } = quote();
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.01', price: tick(ask) }))).toBe(-5022);
    const ok = venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.01', price: tick(bid) });
    expect(ok['status']).toBe('NEW');
    expect(ok['timeInForce']).toBe('GTX');
  });

  it('a resting limit fills as maker from the tape after the queue ahead, at its price, with the maker fee', () => {
    const { bid } = quote();
    const o = venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.050', price: tick(bid) });
    const id = Number(o['orderId']);
    while (venue.queryOrder(A, { symbol: ID, orderId: id })['status'] === 'NEW' && !replay.stats().finished) replay.step({ events: 100 });
    const fills = venue.userTrades(A, { symbol: ID, orderId: id });
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) {
      expect(f['maker']).toBe(true);
      expect(dec(str(f, 'price')).eq(bid)).toBe(true);
      expect(dec(str(f, 'commission')).eq(dec(str(f, 'quoteQty')).times('0.0002').toDecimalPlaces(8, Decimal.ROUND_HALF_UP))).toBe(true);
    }
  });

  it('entry price is weighted on increase; a larger opposite fill realizes PnL and flips at the fill price', () => {
    venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.010' });
    replay.step({ ms: 20_000 });
    venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.020' });
    const trades = venue.userTrades(A, { symbol: ID });
    let q = dec('0');
    let c = dec('0');
    for (const t of trades) {
      q = q.plus(str(t, 'qty'));
      c = c.plus(dec(str(t, 'price')).times(str(t, 'qty')));
    }
    expect(dec(position()?.entryPrice ?? '0').eq(c.div(q))).toBe(true);
    const entry = c.div(q);
    replay.step({ ms: 20_000 });
    venue.placeOrder(A, { symbol: ID, side: 'SELL', type: 'MARKET', quantity: '0.050' });
    const sells = venue.userTrades(A, { symbol: ID }).filter((t) => t['side'] === 'SELL');
    // The sells close 0.030 (realized against the entry) and open 0.020 short.
    let left = dec('0.030');
    let realized = dec('0');
    for (const s of sells) {
      const closing = Decimal.min(left, dec(str(s, 'qty')));
      realized = realized.plus(closing.times(dec(str(s, 'price')).minus(entry)).toDecimalPlaces(8, Decimal.ROUND_HALF_UP));
      left = left.minus(closing);
    }
    expect(dec(position()?.realizedPnl ?? '0').eq(realized)).toBe(true);
    expect(position()?.positionAmt).toBe('-0.02');
    const lastSell = sells[sells.length - 1];
    expect(dec(position()?.entryPrice ?? '0').eq(dec(str(lastSell ?? {}, 'price')))).toBe(true);
  });

  it('reduce-only: rejected -2022 without a position or on the position side, cut to the position, resting ones expire when it closes', () => {
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'SELL', type: 'MARKET', quantity: '0.01', reduceOnly: true }))).toBe(-2022);
    venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.01', reduceOnly: true }))).toBe(-2022);
    const { ask } = quote();
    const resting = venue.placeOrder(A, { symbol: ID, side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.500', price: tick(ask.plus(500)), reduceOnly: true });
    expect(resting['origQty']).toBe('0.010');
    venue.placeOrder(A, { symbol: ID, side: 'SELL', type: 'MARKET', quantity: '0.010' });
    expect(venue.queryOrder(A, { symbol: ID, orderId: Number(resting['orderId']) })['status']).toBe('EXPIRED');
  });

  it('futures filters: -4120 for conditional types on /order, -1111 precision, -4014 tick, -4164 min notional unless reduce-only, -4016 above mark × 1.05', () => {
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'STOP_MARKET', quantity: '0.01' }))).toBe(-4120);
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.0101' }))).toBe(-1111);
    const { bid } = quote();
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: bid.plus('0.05').toFixed(2) }))).toBe(-4014);
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: tick(bid) }))).toBe(-4164);
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: tick(bid.times('1.06')) }))).toBe(-4016);
  });
});

describe('margin, leverage and the account', () => {
  it('initial margin = notional / leverage at the mark (the book mid); unrealized PnL at the mark; -2019 when available margin would go below zero', () => {
    venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.100' });
    const { bid, ask } = quote();
    const mark = bid.plus(ask).div(2);
    const [risk] = venue.positionRiskV3(A, ID);
    if (!risk) throw new Error('no position row');
    expect(dec(str(risk, 'markPrice')).eq(mark)).toBe(true);
    const entry = dec(position()?.entryPrice ?? '0');
    expect(str(risk, 'unRealizedProfit')).toBe(dec('0.1').times(mark.minus(entry)).toFixed(8, Decimal.ROUND_DOWN));
    expect(str(risk, 'positionInitialMargin')).toBe(dec('0.1').times(mark).div(20).toFixed(8, Decimal.ROUND_DOWN));
    // At 1× the wallet covers ≈ 1.6 BTC: a 2 BTC resting buy is too much.
    venue.changeLeverage(A, ID, 1);
    expect(code(() => venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '2.000', price: tick(bid.minus(100)) }))).toBe(-2019);
    // Reduce-only orders need no margin.
    expect(venue.placeOrder(A, { symbol: ID, side: 'SELL', type: 'MARKET', quantity: '0.100', reduceOnly: true })['status']).toBe('FILLED');
  });

  it('leverage: default 20, 1…125 accepted, -4028 outside; v2 positionRisk reports it', () => {
    expect(venue.positionRiskV2(A, ID)[0]?.['leverage']).toBe('20');
    expect(code(() => venue.changeLeverage(A, ID, 126))).toBe(-4028);
    // 50× is bracket 3 of the table: positions up to 8,000,000 USDT.
    expect(venue.changeLeverage(A, ID, 50)).toEqual({ leverage: 50, maxNotionalValue: '8000000', symbol: ID });
    expect(venue.positionRiskV2(A, ID)[0]?.['leverage']).toBe('50');
  });

  it('every fill sends ORDER_TRADE_UPDATE then ACCOUNT_UPDATE with Binance’s fields', () => {
    venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.010', newClientOrderId: 'ev-1' });
    const kinds = events.map((e) => e['e']);
    expect(kinds.slice(0, 3)).toEqual(['ORDER_TRADE_UPDATE', 'ORDER_TRADE_UPDATE', 'ACCOUNT_UPDATE']);
    const trade = events[1]?.['o'] as Wire;
    expect(Object.keys(trade).sort()).toEqual(
      ['s', 'c', 'S', 'o', 'f', 'q', 'p', 'ap', 'sp', 'x', 'X', 'i', 'l', 'z', 'L', 'N', 'n', 'T', 't', 'b', 'a', 'm', 'R', 'wt', 'ot', 'ps', 'cp', 'rp', 'pP', 'si', 'ss', 'V', 'pm', 'gtd'].sort(),
    );
    expect([trade['x'], trade['X'], trade['c'], trade['N']]).toEqual(['TRADE', 'FILLED', 'ev-1', 'USDT']);
    const acct = events[2]?.['a'] as Wire;
    expect(acct['m']).toBe('ORDER');
    const [b] = acct['B'] as Wire[];
    const [p] = acct['P'] as Wire[];
    expect(Object.keys(b ?? {}).sort()).toEqual(['a', 'bc', 'cw', 'wb']);
    expect(Object.keys(p ?? {}).sort()).toEqual(['bep', 'cr', 'ep', 'iw', 'mt', 'pa', 'ps', 's', 'up']);
    expect(p?.['pa']).toBe('0.010');
  });
});

describe('conditional (algo) orders', () => {
  it('-2021 when the trigger already holds; a STOP_MARKET triggers on the recorded last trade and places the real order', () => {
    const { last } = quote();
    expect(code(() => venue.placeAlgoOrder(A, { symbol: ID, side: 'SELL', type: 'STOP_MARKET', quantity: '0.01', triggerPrice: tick(last.plus(10)) }))).toBe(-2021);
    const algo = venue.placeAlgoOrder(A, { symbol: ID, side: 'SELL', type: 'STOP_MARKET', quantity: '0.010', triggerPrice: tick(last.minus(20)) });
    expect(algo['algoStatus']).toBe('NEW');
    const algoId = Number(algo['algoId']);
    while (venue.queryAlgoOrder(A, { algoId })['algoStatus'] === 'NEW' && !replay.stats().finished) replay.step({ events: 100 });
    const done = venue.queryAlgoOrder(A, { algoId });
    expect(done['algoStatus']).toBe('FINISHED');
    const real = venue.queryOrder(A, { symbol: ID, orderId: Number(done['actualOrderId']) });
    expect([real['type'], real['origType'], real['status'], real['side']]).toEqual(['MARKET', 'STOP_MARKET', 'FILLED', 'SELL']);
    expect(dec(str(real, 'avgPrice')).lte(last.minus(20))).toBe(true);
    expect(events.filter((e) => e['e'] === 'ALGO_UPDATE').map((e) => (e['o'] as Wire)['X'])).toEqual(['NEW', 'TRIGGERED', 'FINISHED']);
  });

  it('a TAKE_PROFIT (limit) places a LIMIT at its price with its time in force when it triggers', () => {
    const { last } = quote();
    // A BUY take-profit triggers when the price falls to the trigger (the recording drifts down).
    const tp = venue.placeAlgoOrder(A, { symbol: ID, side: 'BUY', type: 'TAKE_PROFIT', quantity: '0.010', price: tick(last.minus(1)), triggerPrice: tick(last.minus(1)), timeInForce: 'GTC' });
    const algoId = Number(tp['algoId']);
    while (venue.queryAlgoOrder(A, { algoId })['algoStatus'] === 'NEW' && !replay.stats().finished) replay.step({ events: 50 });
    const done = venue.queryAlgoOrder(A, { algoId });
    expect(['TRIGGERED', 'FINISHED']).toContain(done['algoStatus']);
    const real = venue.queryOrder(A, { symbol: ID, orderId: Number(done['actualOrderId']) });
    expect([real['type'], real['origType'], real['timeInForce'], real['price'], real['stopPrice']]).toEqual(['LIMIT', 'TAKE_PROFIT', 'GTC', tick(last.minus(1)) + '0', tick(last.minus(1)) + '0']);
    expect(code(() => venue.placeAlgoOrder(A, { symbol: ID, side: 'BUY', type: 'TAKE_PROFIT', quantity: '0.010', triggerPrice: tick(last.minus(50)) }))).toBe(-1102);
  });

  it('MARK_PRICE triggers on the book mid; closePosition closes the whole position; a reduce-only trigger without a position is REJECTED', () => {
    venue.placeOrder(A, { symbol: ID, side: 'BUY', type: 'MARKET', quantity: '0.030' });
    const { bid, ask } = quote();
    const mid = bid.plus(ask).div(2);
    const sl = venue.placeAlgoOrder(A, { symbol: ID, side: 'SELL', type: 'STOP_MARKET', triggerPrice: tick(mid.minus(15)), workingType: 'MARK_PRICE', closePosition: true });
    const tp = venue.placeAlgoOrder(A, { symbol: ID, side: 'SELL', type: 'TAKE_PROFIT_MARKET', quantity: '0.010', triggerPrice: tick(mid.plus(15)), reduceOnly: true });
    const slId = Number(sl['algoId']);
    while (venue.queryAlgoOrder(A, { algoId: slId })['algoStatus'] === 'NEW' && !replay.stats().finished) replay.step({ events: 50 });
    const b = replay.book('usdm', ID);
    const markNow = dec(b?.bestBid()?.price ?? '0').plus(b?.bestAsk()?.price ?? '0').div(2);
    expect(markNow.lte(mid.minus(15))).toBe(true);
    expect(venue.queryAlgoOrder(A, { algoId: slId })['algoStatus']).toBe('FINISHED');
    expect(position()?.positionAmt).toBe('0');
    // The take-profit still waits; forced to trigger now (no position) it is rejected by the reduce-only check.
    expect(venue.queryAlgoOrder(A, { algoId: Number(tp['algoId']) })['algoStatus']).toBe('NEW');
    expect(venue.openAlgoOrders(A, ID).length).toBe(1);
    venue.cancelAlgoOrder(A, { algoId: Number(tp['algoId']) });
    expect(venue.openAlgoOrders(A, ID)).toEqual([]);
    const { last } = quote();
    const orphan = venue.placeAlgoOrder(A, { symbol: ID, side: 'SELL', type: 'STOP_MARKET', quantity: '0.010', triggerPrice: tick(last.minus('0.1')), reduceOnly: true });
    const orphanId = Number(orphan['algoId']);
    while (venue.queryAlgoOrder(A, { algoId: orphanId })['algoStatus'] === 'NEW' && !replay.stats().finished) replay.step({ events: 50 });
    const rejected = venue.queryAlgoOrder(A, { algoId: orphanId });
    expect(rejected['algoStatus']).toBe('REJECTED');
    const update = events.filter((e) => e['e'] === 'ALGO_UPDATE' && (e['o'] as Wire)['aid'] === orphanId).at(-1)?.['o'] as Wire | undefined;
    expect([update?.['X'], update?.['rm']]).toEqual(['REJECTED', 'Reduce Only reject']);
    expect(position()?.positionAmt).toBe('0');
  });
});
