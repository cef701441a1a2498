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
import type { Replay } from '../../market/types.ts';
import { markPrice, nextFundingTime } from '../../venue/usdm/mark.ts';
import type { ParsedStream } from '../ws/stream-names.ts';
import { streamMiniTicker } from '../wire/market-wire.ts';
import { type DepthWindow, mergedDepth, NO_PAYLOADS, type Producer, throttle } from '../ws/producer.ts';
import { createProducer } from '../ws/stream-producers.ts';
import {
  futStreamAggTrade,
  futStreamBookTicker,
  futStreamDepthUpdate,
  futStreamMarkPrice,
  futStreamTicker,
  futStreamTrade,
  prevIdOf,
} from './usdm-market-wire.ts';

/** The producer of one futures stream. */
export function createUsdmProducer(stream: ParsedStream, replay: Replay): Producer {
  const { spec, symbol } = stream;
  switch (spec.kind) {
    case 'trade':
      return (e) => (e.kind === 'trade' ? [futStreamTrade(e)] : NO_PAYLOADS);
    case 'aggTrade':
      return (e) => (e.kind === 'trade' ? [futStreamAggTrade(e)] : NO_PAYLOADS);
    case 'bookTicker':
      return (e) => (e.kind === 'bookTicker' ? [futStreamBookTicker(e)] : NO_PAYLOADS);
    case 'diffDepth':
      return mergedDepth(spec.periodMs, futDepthUpdates());
    case 'partialDepth': {
      const gate = throttle(spec.periodMs);
      let pushedU: number | undefined;
      return (e) => {
        if (e.kind !== 'depth' || !gate(e.eventTime)) return NO_PAYLOADS;
        const book = replay.book('usdm', symbol);
        if (!book) return NO_PAYLOADS;
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
        if (e.kind !== 'trade' || !gate(e.eventTime)) return NO_PAYLOADS;
        const t = replay.ticker('usdm', symbol);
        if (!t) return NO_PAYLOADS;
        return [spec.kind === 'miniTicker' ? streamMiniTicker(t, e.eventTime) : futStreamTicker(t, e.eventTime)];
      };
    }
    case 'markPrice': {
      const gate = throttle(spec.periodMs);
      return (e) => {
        const time = e.eventTime;
        if (!gate(time)) return NO_PAYLOADS;
        const mark = markPrice(replay, symbol);
        return mark ? [futStreamMarkPrice(symbol, mark, time, nextFundingTime(time))] : NO_PAYLOADS;
      };
    }
    case 'kline':
      return createProducer(stream, replay, 'usdm');
  }
}

/**
 * Writes merged diff windows as futures `depthUpdate`s: `T` of the last diff, `pu` the
 * `u` of the window pushed before (for the first one, the first diff's own `pu`).
 */
function futDepthUpdates(): (w: DepthWindow) => unknown {
  let lastPushedU: number | undefined;
  return (w) => {
    const pu = lastPushedU ?? prevIdOf(w.first);
    lastPushedU = w.last.finalUpdateId;
    return futStreamDepthUpdate(w.symbol, w.last.eventTime, w.last.transactionTime ?? w.last.eventTime, w.first.firstUpdateId, w.last.finalUpdateId, pu, w.bids, w.asks);
  };
}
