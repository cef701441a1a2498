/**
 * What a market-stream producer is, and the parts the spot (./stream-producers.ts)
 * and USDⓈ-M (../usdm/usdm-stream-producers.ts) producers build theirs from: the
 * event-time throttle and the merging of recorded depth diffs into windows. Both run
 * on the REPLAY clock (event times), never on the wall clock.
 */
import type { DepthEvent, MarketEvent } from '../../market/types.ts';

/** Payloads to push for one market event (usually zero or one). */
export type Producer = (event: MarketEvent) => readonly unknown[];

/** The answer of a producer that pushes nothing for an event. */
export const NO_PAYLOADS: readonly unknown[] = [];

/** True at most once per `periodMs` of event time (the first call always passes). */
export function throttle(periodMs: number): (time: number) => boolean {
  let last = -Infinity;
  return (time) => {
    if (time - last < periodMs) return false;
    last = time;
    return true;
  };
}

/** Recorded depth diffs merged over one window. */
export interface DepthWindow {
  readonly symbol: string;
  /** The window's first diff (its `U`, and its `pu` on USD-M). */
  readonly first: DepthEvent;
  /** The window's last diff (its `u` and times). */
  readonly last: DepthEvent;
  /** The last quantity sent per price, in order of first appearance. */
  readonly bids: Array<[string, string]>;
  readonly asks: Array<[string, string]>;
}

/**
 * Merges depth diffs into `periodMs` windows of event time, a window starting at its
 * first diff. A window is written (`write`) and pushed when the first diff of the
 * next window arrives; the last window waits for it.
 */
export function mergedDepth(periodMs: number, write: (window: DepthWindow) => unknown): Producer {
  let pending: { first: DepthEvent; last: DepthEvent; bids: Map<string, string>; asks: Map<string, string> } | undefined;
  const absorb = (d: DepthEvent) => {
    if (!pending) pending = { first: d, last: d, bids: new Map(), asks: new Map() };
    pending.last = d;
    for (const [p, q] of d.bids) pending.bids.set(p, q);
    for (const [p, q] of d.asks) pending.asks.set(p, q);
  };
  return (e) => {
    if (e.kind !== 'depth') return NO_PAYLOADS;
    let out: readonly unknown[] = NO_PAYLOADS;
    if (pending && e.eventTime - pending.first.eventTime >= periodMs) {
      const w = pending;
      out = [write({ symbol: w.first.symbol, first: w.first, last: w.last, bids: [...w.bids], asks: [...w.asks] })];
      pending = undefined;
    }
    absorb(e);
    return out;
  };
}
