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
import type { Market, Replay } from '../../market/types.ts';
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
import { mergedDepth, NO_PAYLOADS, type Producer, throttle } from './producer.ts';
import type { ParsedStream } from './stream-names.ts';

/** The producer of one stream (see the module comment for cadences). */
export function createProducer(stream: ParsedStream, replay: Replay, market: Market): Producer {
  const { spec, symbol } = stream;
  switch (spec.kind) {
    case 'trade':
      return (e) => (e.kind === 'trade' ? [streamTrade(e)] : NO_PAYLOADS);
    case 'aggTrade':
      return (e) => (e.kind === 'trade' ? [streamAggTrade(e)] : NO_PAYLOADS);
    case 'bookTicker':
      return (e) => (e.kind === 'bookTicker' ? [streamBookTicker(e)] : NO_PAYLOADS);
    case 'diffDepth':
      return spec.periodMs === 100
        ? (e) => (e.kind === 'depth' ? [streamDepthDiff(e)] : NO_PAYLOADS)
        : mergedDepth(spec.periodMs, (w) => streamDepthUpdate(w.symbol, w.last.eventTime, w.first.firstUpdateId, w.last.finalUpdateId, w.bids, w.asks));
    case 'partialDepth': {
      const gate = throttle(spec.periodMs);
      return (e) => {
        if (e.kind !== 'depth' || !gate(e.eventTime)) return NO_PAYLOADS;
        const book = replay.book(market, symbol);
        return book ? [book.depth(spec.levels)] : NO_PAYLOADS;
      };
    }
    case 'miniTicker':
    case 'ticker': {
      const gate = throttle(1000);
      return (e) => {
        if (e.kind !== 'trade' || !gate(e.eventTime)) return NO_PAYLOADS;
        const t = replay.ticker(market, symbol);
        if (!t) return NO_PAYLOADS;
        return [spec.kind === 'miniTicker' ? streamMiniTicker(t, e.eventTime) : streamTicker(t, quoteOf(replay.book(market, symbol)), e.eventTime)];
      };
    }
    case 'kline':
      return klineProducer(replay, market, symbol);
    case 'markPrice':
      return () => NO_PAYLOADS; // USD-M only: served by ../usdm/usdm-stream-producers.ts
  }
}

function klineProducer(replay: Replay, market: Market, symbol: string): Producer {
  const gate = throttle(2000);
  let currentOpen: number | undefined;
  return (e) => {
    if (e.kind !== 'trade') return NO_PAYLOADS;
    const ks = replay.klines(market, symbol, 2);
    const cur = ks[ks.length - 1];
    if (!cur) return NO_PAYLOADS;
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
    return gate(e.eventTime) ? [streamKline(cur, e.eventTime)] : NO_PAYLOADS;
  };
}
