/**
 * Per-stream payload producers: given each replayed market event of the
 * stream's symbol, decide what (if anything) the stream pushes.
 *
 * Cadences follow Binance's "Update Speed" on the REPLAY clock (event times):
 * - `trade`, `aggTrade`, `bookTicker`: every event, real time;
 * - `depth@100ms`: every recorded diff (the recording is the 100 ms stream);
 * - `depth` (1000 ms): recorded diffs merged over 1000 ms windows (U of the first,
 *   u of the last, last quantity per price), pushed when the next window's first diff arrives;
 * - `depthN@100ms`: the top N of the rebuilt book after every diff; `depthN`: at most once per 1000 ms;
 * - `miniTicker`, `ticker`: after a trade, at most once per 1000 ms;
 * - `kline_1m`: after a trade, at most once per 2000 ms, and the finished candle (x = true)
 *   as soon as a trade opens the next minute.
 * Producers hold their own throttle state; one producer serves every subscriber of a stream.
 */
import type { DepthEvent, Market, MarketEvent, Replay } from '../../market/types.ts';
import {
  quoteOf,
  streamAggTrade,
  streamBookTicker,
  streamDepthDiff,
  streamDepthUpdate,
  streamKline,
  streamMiniTicker,
  streamTicker,
  streamTrade,
} from '../wire/market-wire.ts';
import type { ParsedStream } from './stream-names.ts';

/** Payloads to push for one market event (usually zero or one). */
export type Producer = (event: MarketEvent) => readonly unknown[];

const NONE: readonly unknown[] = [];

/** The producer of one stream (see the module comment for cadences). */
export function createProducer(stream: ParsedStream, replay: Replay, market: Market): Producer {
  const { spec, symbol } = stream;
  switch (spec.kind) {
    case 'trade':
      return (e) => (e.kind === 'trade' ? [streamTrade(e)] : NONE);
    case 'aggTrade':
      return (e) => (e.kind === 'trade' ? [streamAggTrade(e)] : NONE);
    case 'bookTicker':
      return (e) => (e.kind === 'bookTicker' ? [streamBookTicker(e)] : NONE);
    case 'diffDepth':
      return spec.periodMs === 100 ? (e) => (e.kind === 'depth' ? [streamDepthDiff(e)] : NONE) : mergedDepth(spec.periodMs);
    case 'partialDepth': {
      const gate = throttle(spec.periodMs);
      return (e) => {
        if (e.kind !== 'depth' || !gate(e.eventTime)) return NONE;
        const book = replay.book(market, symbol);
        return book ? [book.depth(spec.levels)] : NONE;
      };
    }
    case 'miniTicker':
    case 'ticker': {
      const gate = throttle(1000);
      return (e) => {
        if (e.kind !== 'trade' || !gate(e.eventTime)) return NONE;
        const t = replay.ticker(market, symbol);
        if (!t) return NONE;
        return [spec.kind === 'miniTicker' ? streamMiniTicker(t, e.eventTime) : streamTicker(t, quoteOf(replay.book(market, symbol)), e.eventTime)];
      };
    }
    case 'kline':
      return klineProducer(replay, market, symbol);
    case 'markPrice':
      return () => NONE; // USD-M only: served by ../usdm/usdm-stream-producers.ts
  }
}

/** True at most once per `periodMs` of event time (the first call always passes). */
function throttle(periodMs: number): (time: number) => boolean {
  let last = -Infinity;
  return (time) => {
    if (time - last < periodMs) return false;
    last = time;
    return true;
  };
}

/** Merges 100 ms diffs into `periodMs` windows. */
function mergedDepth(periodMs: number): Producer {
  let pending: { start: number; E: number; U: number; u: number; symbol: string; bids: Map<string, string>; asks: Map<string, string> } | undefined;
  const absorb = (d: DepthEvent) => {
    if (!pending) {
      pending = { start: d.eventTime, E: d.eventTime, U: d.firstUpdateId, u: d.finalUpdateId, symbol: d.symbol, bids: new Map(), asks: new Map() };
    }
    pending.E = d.eventTime;
    pending.u = d.finalUpdateId;
    for (const [p, q] of d.bids) pending.bids.set(p, q);
    for (const [p, q] of d.asks) pending.asks.set(p, q);
  };
  return (e) => {
    if (e.kind !== 'depth') return NONE;
    let out: readonly unknown[] = NONE;
    if (pending && e.eventTime - pending.start >= periodMs) {
      out = [streamDepthUpdate(pending.symbol, pending.E, pending.U, pending.u, [...pending.bids], [...pending.asks])];
      pending = undefined;
    }
    absorb(e);
    return out;
  };
}

function klineProducer(replay: Replay, market: Market, symbol: string): Producer {
  const gate = throttle(2000);
  let currentOpen: number | undefined;
  return (e) => {
    if (e.kind !== 'trade') return NONE;
    const ks = replay.klines(market, symbol, 2);
    const cur = ks[ks.length - 1];
    if (!cur) return NONE;
    const out: unknown[] = [];
    if (currentOpen !== undefined && cur.openTime > currentOpen) {
      const finished = ks.find((k) => k.openTime === currentOpen);
      if (finished) out.push(streamKline(finished, e.eventTime, true));
      currentOpen = cur.openTime;
      gate(e.eventTime);
      out.push(streamKline(cur, e.eventTime));
      return out;
    }
    currentOpen = cur.openTime;
    return gate(e.eventTime) ? [streamKline(cur, e.eventTime)] : NONE;
  };
}
