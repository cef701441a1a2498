import { describe, expect, it } from 'vitest';
import { Decimal, fixed } from '../../../src/domain/decimal.ts';
import { loadRecording } from '../../../src/sim/market/recording.ts';
import { loadReplay } from '../../../src/sim/market/replay.ts';
import { TradeRing, TradeTape } from '../../../src/sim/market/stats.ts';
import type { TradeEvent } from '../../../src/sim/market/types.ts';
import { DATA_DIR } from './helpers.ts';

function hand(trades: readonly TradeEvent[]) {
  let high = new Decimal(trades[0]!.price);
  let low = high;
  let volume = new Decimal(0);
  let quote = new Decimal(0);
  let takerBase = new Decimal(0);
  let takerQuote = new Decimal(0);
  for (const t of trades) {
    const p = new Decimal(t.price);
    const q = new Decimal(t.qty);
    if (p.gt(high)) high = p;
    if (p.lt(low)) low = p;
    volume = volume.plus(q);
    quote = quote.plus(p.times(q));
    if (!t.buyerIsMaker) {
      takerBase = takerBase.plus(q);
      takerQuote = takerQuote.plus(p.times(q));
    }
  }
  return {
    open: fixed(trades[0]!.price),
    high: fixed(high),
    low: fixed(low),
    close: fixed(trades.at(-1)!.price),
    volume: fixed(volume),
    quoteVolume: fixed(quote),
    trades: trades.length,
    firstTradeId: trades[0]!.tradeId,
    lastTradeId: trades.at(-1)!.tradeId,
    takerBuyBaseVolume: fixed(takerBase),
    takerBuyQuoteVolume: fixed(takerQuote),
  };
}

describe('trade-tape statistics on the real spot BTCUSDT tape', () => {
  it('a 1m kline equals a hand computation over that minute’s trades', async () => {
    const rec = await loadRecording(DATA_DIR, 'spot', 'BTCUSDT');
    const trades = rec.events.filter((e): e is TradeEvent => e.kind === 'trade');
    const minute = Math.floor(trades[0]!.tradeTime / 60_000) * 60_000 + 2 * 60_000;
    const inMinute = trades.filter((t) => t.tradeTime >= minute && t.tradeTime < minute + 60_000);
    expect(inMinute.length).toBeGreaterThan(100);

    const r = await loadReplay({ dataDir: DATA_DIR, instruments: [{ market: 'spot', symbol: 'BTCUSDT' }], clock: { kind: 'stepped' }, atEnd: 'stop' });
    r.advanceTo(minute + 30_000);
    const open = r.klines('spot', 'BTCUSDT').find((k) => k.openTime === minute);
    expect(open?.closed).toBe(false);
    r.advanceTo(minute + 120_000);
    const kline = r.klines('spot', 'BTCUSDT').find((k) => k.openTime === minute);
    expect(kline).toEqual({ symbol: 'BTCUSDT', interval: '1m', openTime: minute, closeTime: minute + 59_999, closed: true, ...hand(inMinute) });
    expect(r.klines('spot', 'BTCUSDT', 2)).toHaveLength(2);

    r.advanceTo(Infinity);
    const all = hand(trades);
    const ticker = r.ticker('spot', 'BTCUSDT')!;
    const last = trades.at(-1)!;
    expect(ticker).toMatchObject({
      symbol: 'BTCUSDT',
      closeTime: last.tradeTime,
      openTime: last.tradeTime - 86_400_000,
      open: all.open,
      high: all.high,
      low: all.low,
      last: all.close,
      lastQty: fixed(last.qty),
      volume: all.volume,
      quoteVolume: all.quoteVolume,
      firstTradeId: all.firstTradeId,
      lastTradeId: all.lastTradeId,
      count: trades.length,
    });
    expect(ticker.priceChange).toBe(fixed(new Decimal(last.price).minus(trades[0]!.price)));
    expect(ticker.priceChangePercent).toBe(
      new Decimal(last.price).minus(trades[0]!.price).times(100).div(trades[0]!.price).toFixed(3, Decimal.ROUND_HALF_UP),
    );
    const quote = trades.reduce((sum, t) => sum.plus(new Decimal(t.price).times(t.qty)), new Decimal(0));
    expect(ticker.weightedAvgPrice).toBe(quote.div(all.volume).toFixed(8, Decimal.ROUND_HALF_UP));
    r.stop();
  });

  it('keeps memory bounded and handles the empty tape', () => {
    const tape = new TradeTape('BTCUSDT', 3);
    expect(tape.ticker()).toBeUndefined();
    expect(tape.klines(10, 0)).toEqual([]);
    for (let m = 0; m < 5; m++) {
      tape.add({
        kind: 'trade',
        market: 'spot',
        symbol: 'BTCUSDT',
        tradeId: m + 1,
        price: `${100 + m}.5`,
        qty: '0.001',
        buyerIsMaker: m % 2 === 0,
        tradeTime: 1_700_000_000_000 + m * 60_000,
        eventTime: 1_700_000_000_000 + m * 60_000,
      });
    }
    const klines = tape.klines(10, 1_700_000_000_000 + 4 * 60_000);
    expect(klines.map((k) => [k.open, k.closed])).toEqual([
      ['102.50000000', true],
      ['103.50000000', true],
      ['104.50000000', false],
    ]);
    expect(klines[2]).toMatchObject({ quoteVolume: '0.10450000', takerBuyBaseVolume: '0.00000000', volume: '0.00100000' });
    const ring = new TradeRing(2);
    expect(ring.latest(5)).toEqual([]);
  });
});
