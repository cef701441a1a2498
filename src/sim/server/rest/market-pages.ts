/**
 * Which recorded rows the `aggTrades` and `klines` endpoints answer with, the same on
 * spot (`/api/v3`) and USDⓈ-M (`/fapi/v1`): Binance's rules for `fromId`,
 * `startTime`/`endTime` (ms, inclusive) and `limit`. Callers pass the rows the replay
 * keeps, oldest first, and the endpoint's default `limit`.
 */
import type { Kline, TradeEvent } from '../../market/types.ts';

/** The window parameters of `aggTrades` / `klines`. */
export interface PageParams {
  readonly fromId?: number | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly limit?: number | undefined;
}

/**
 * `aggTrades`: from trade id `fromId` on; else within [startTime, endTime], the oldest
 * first; else the most recent. At most `limit` (default 500).
 */
export function aggTradesPage(trades: readonly TradeEvent[], p: PageParams): readonly TradeEvent[] {
  const limit = p.limit ?? 500;
  if (p.fromId !== undefined) {
    const from = p.fromId;
    return trades.filter((t) => t.tradeId >= from).slice(0, limit);
  }
  if (p.startTime !== undefined || p.endTime !== undefined) {
    const start = p.startTime ?? -Infinity;
    const end = p.endTime ?? Infinity;
    return trades.filter((t) => t.tradeTime >= start && t.tradeTime <= end).slice(0, limit);
  }
  return trades.slice(-limit);
}

/**
 * `klines`: the candles opened within [startTime, endTime], the oldest first from a
 * `startTime`, the most recent without one. At most `limit` (default 500).
 */
export function klinesPage(klines: readonly Kline[], p: Omit<PageParams, 'fromId'>): readonly Kline[] {
  const limit = p.limit ?? 500;
  const start = p.startTime ?? -Infinity;
  const end = p.endTime ?? Infinity;
  const inRange = klines.filter((k) => k.openTime >= start && k.openTime <= end);
  return p.startTime !== undefined ? inRange.slice(0, limit) : inRange.slice(-limit);
}
