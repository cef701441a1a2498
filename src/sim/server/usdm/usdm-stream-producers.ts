/**
 * Per-stream payload producers of the USDⓈ-M market streams, on the REPLAY clock
 * (Binance "Websocket Market Streams", "Update Speed"):
 * - `trade`, `aggTrade`, `bookTicker`: every recorded event;
 * - diff depth at 100/250/500 ms: the recorded real-time (`@0ms`) diffs merged over
 *   windows of that length (`U` of the first diff, `u` of the last, `pu` = the `u`
 *   of the previous pushed event, last quantity per price), pushed when the next
 *   window's first diff arrives, so `pu` chains exactly as Binance's stream does;
 * - partial depth: the top N of the rebuilt book after a diff, at most once per period;
 * - `miniTicker`, `ticker`: after a trade, at most once per 1000 ms;
 * - `markPrice` (3 s) / `markPrice@1s`: the mark stand-in after any event, at most once per period;
 * - `kline_1m`: the spot producer (Binance's futures kline payload has the same shape).
 */
import type { DepthEvent, Replay } from '../../market/types.ts';
import { markPrice, nextFundingTime } from '../../venue/usdm/mark.ts';
import type { ParsedStream } from '../ws/stream-names.ts';
import { createProducer, type Producer } from '../ws/stream-producers.ts';
import {
  futStreamAggTrade,
  futStreamBookTicker,
  futStreamDepthUpdate,
  futStreamMarkPrice,
  futStreamMiniTicker,
  futStreamTicker,
  futStreamTrade,
  prevIdOf,
} from './usdm-market-wire.ts';

const NONE: readonly unknown[] = [];

/** True at most once per `periodMs` of event time (the first call always passes). */
function throttle(periodMs: number): (time: number) => boolean {
  let last = -Infinity;
  return (time) => {
    if (time - last < periodMs) return false;
    last = time;
    return true;
  };
}

/** The producer of one futures stream. */
export function createUsdmProducer(stream: ParsedStream, replay: Replay): Producer {
  const { spec, symbol } = stream;
  switch (spec.kind) {
    case 'trade':
      return (e) => (e.kind === 'trade' ? [futStreamTrade(e)] : NONE);
    case 'aggTrade':
      return (e) => (e.kind === 'trade' ? [futStreamAggTrade(e)] : NONE);
    case 'bookTicker':
      return (e) => (e.kind === 'bookTicker' ? [futStreamBookTicker(e)] : NONE);
    case 'diffDepth':
      return mergedDepth(spec.periodMs);
    case 'partialDepth': {
      const gate = throttle(spec.periodMs);
      let pushedU: number | undefined;
      return (e) => {
        if (e.kind !== 'depth' || !gate(e.eventTime)) return NONE;
        const book = replay.book('usdm', symbol);
        if (!book) return NONE;
        const top = book.depth(spec.levels);
        const pu = pushedU ?? prevIdOf(e);
        pushedU = e.finalUpdateId;
        return [futStreamDepthUpdate(symbol, e.eventTime, e.transactionTime ?? e.eventTime, e.firstUpdateId, e.finalUpdateId, pu, top.bids, top.asks)];
      };
    }
    case 'miniTicker':
    case 'ticker': {
      const gate = throttle(1000);
      return (e) => {
        if (e.kind !== 'trade' || !gate(e.eventTime)) return NONE;
        const t = replay.ticker('usdm', symbol);
        if (!t) return NONE;
        return [spec.kind === 'miniTicker' ? futStreamMiniTicker(t, e.eventTime) : futStreamTicker(t, e.eventTime)];
      };
    }
    case 'markPrice': {
      const gate = throttle(spec.periodMs);
      return (e) => {
        const time = e.eventTime;
        if (!gate(time)) return NONE;
        const mark = markPrice(replay, symbol);
        return mark ? [futStreamMarkPrice(symbol, mark, time, nextFundingTime(time))] : NONE;
      };
    }
    case 'kline':
      return createProducer(stream, replay, 'usdm');
  }
}

/** Merges the recorded real-time diffs into `periodMs` windows (see the module comment). */
function mergedDepth(periodMs: number): Producer {
  interface Pending {
    start: number;
    E: number;
    T: number;
    U: number;
    u: number;
    pu: number;
    symbol: string;
    bids: Map<string, string>;
    asks: Map<string, string>;
  }
  let pending: Pending | undefined;
  let lastPushedU: number | undefined;
  const absorb = (d: DepthEvent) => {
    if (!pending) {
      pending = {
        start: d.eventTime,
        E: d.eventTime,
        T: d.transactionTime ?? d.eventTime,
        U: d.firstUpdateId,
        u: d.finalUpdateId,
        pu: lastPushedU ?? prevIdOf(d),
        symbol: d.symbol,
        bids: new Map(),
        asks: new Map(),
      };
    }
    pending.E = d.eventTime;
    pending.T = d.transactionTime ?? d.eventTime;
    pending.u = d.finalUpdateId;
    for (const [p, q] of d.bids) pending.bids.set(p, q);
    for (const [p, q] of d.asks) pending.asks.set(p, q);
  };
  return (e) => {
    if (e.kind !== 'depth') return NONE;
    let out: readonly unknown[] = NONE;
    if (pending && e.eventTime - pending.start >= periodMs) {
      const p = pending;
      out = [futStreamDepthUpdate(p.symbol, p.E, p.T, p.U, p.u, p.pu, [...p.bids], [...p.asks])];
      lastPushedU = p.u;
      pending = undefined;
    }
    absorb(e);
    return out;
  };
}
