/**
 * Binance's history window, the same on spot (`allOrders`, `myTrades`) and USDⓈ-M
 * (`allOrders`, `userTrades`, `allAlgoOrders`): from an id (`orderId` / `fromId`: ids
 * ≥ it) the oldest first; else within [startTime, endTime] (ms), the oldest first
 * from a start, the most recent without one. `limit` default 500, at most 1000.
 */
import type { HistoryQuery } from './types.ts';

/** Applies the window to `list` (placement order); `fromId` wins over the times. */
export function historyWindow<T>(
  list: readonly T[],
  q: Pick<HistoryQuery, 'startTime' | 'endTime' | 'limit'> & { readonly fromId?: number | undefined },
  idOf: (t: T) => number,
  timeOf: (t: T) => number,
): T[] {
  const limit = Math.max(1, Math.min(1000, q.limit ?? 500));
  if (q.fromId !== undefined) {
    const from = q.fromId;
    return list.filter((t) => idOf(t) >= from).slice(0, limit);
  }
  let out = [...list];
  if (q.startTime !== undefined) {
    const s = q.startTime;
    out = out.filter((t) => timeOf(t) >= s);
  }
  if (q.endTime !== undefined) {
    const e = q.endTime;
    out = out.filter((t) => timeOf(t) <= e);
  }
  return q.startTime !== undefined ? out.slice(0, limit) : out.slice(-limit);
}
