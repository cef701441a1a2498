import { afterEach, describe, expect, it } from 'vitest';
import { loadReplay, type MarketReplay } from '../../../src/sim/market/replay.ts';
import { isZeroDecimal, toUnits } from '../../../src/sim/market/units.ts';
import type { DepthEvent, InstrumentRef, MarketEvent } from '../../../src/sim/market/types.ts';
import { DATA_DIR, until, within } from './helpers.ts';

const SPOT: InstrumentRef[] = [
  { market: 'spot', symbol: 'BTCUSDT' },
  { market: 'spot', symbol: 'ETHUSDT' },
];

const open: MarketReplay[] = [];
async function replay(opts: Partial<Parameters<typeof loadReplay>[0]> = {}): Promise<MarketReplay> {
  const r = await loadReplay({ dataDir: DATA_DIR, instruments: SPOT, clock: { kind: 'stepped' }, atEnd: 'stop', ...opts });
  open.push(r);
  return r;
}
afterEach(() => {
  for (const r of open.splice(0)) r.stop();
});

function totalEvents(r: MarketReplay): number {
  return r.loadStats.reduce((n, s) => n + s.trades + s.bookTickers + s.depthDiffs, 0);
}

describe('replay clock', () => {
  it('stepped: step({events}), step({ms}) and advanceTo move the clock and only they do', async () => {
    const r = await replay();
    const seen: Array<{ ev: MarketEvent; now: number }> = [];
    r.on((ev) => seen.push({ ev, now: r.now() }));
    const t0 = r.now();
    expect(t0).toBeGreaterThan(1_723_161_000_000);
    r.start(); // no-op in stepped mode
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(seen).toHaveLength(0);

    expect(r.step({ events: 25 })).toBe(25);
    expect(seen).toHaveLength(25);
    expect(r.now()).toBe(seen[24]?.now);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.now).toBeGreaterThanOrEqual(seen[i - 1]!.now);

    const before = r.now();
    const n = r.step({ ms: 2_000 });
    expect(n).toBeGreaterThan(50);
    expect(r.now()).toBe(before + 2_000);
    expect(seen.slice(25).every((s) => s.now <= before + 2_000 && s.now >= before)).toBe(true);
    // The next event lies after the target.
    r.step({ events: 1 });
    expect(seen.at(-1)!.now).toBeGreaterThan(before + 2_000);

    const target = r.now() + 10_000;
    const m = r.advanceTo(target);
    expect(m).toBeGreaterThan(100);
    expect(r.now()).toBe(target);
    expect(r.stats()).toMatchObject({ eventsProcessed: seen.length, loops: 0, finished: false, paused: false });

    // Books are synced and the overlay view never crosses.
    for (const ref of SPOT) {
      const book = r.book(ref.market, ref.symbol)!;
      expect(book.synced).toBe(true);
      const bid = book.bestBid()!;
      const ask = book.bestAsk()!;
      expect(toUnits(bid.price)).toBeLessThan(toUnits(ask.price));
      expect(r.lastTrade(ref.market, ref.symbol)?.symbol).toBe(ref.symbol);
    }
  });

  it('fast: runs to the end and resolves ended; recentTrades keeps the last 1000', async () => {
    const r = await replay({ clock: { kind: 'fast' } });
    let count = 0;
    let lastTradeId = 0;
    r.on((ev) => {
      count++;
      if (ev.kind === 'trade' && ev.symbol === 'BTCUSDT') lastTradeId = ev.tradeId;
    });
    r.start();
    await within(r.ended, 20_000, 'fast replay to end');
    expect(r.stats().finished).toBe(true);
    expect(count).toBe(totalEvents(r));
    expect(r.stats().eventsProcessed).toBe(count);
    const recent = r.recentTrades('spot', 'BTCUSDT', 1_000);
    expect(recent).toHaveLength(1_000);
    expect(recent.at(-1)?.tradeId).toBe(lastTradeId);
    expect(recent[0]?.tradeId).toBe(lastTradeId - 999);
    expect(r.recentTrades('spot', 'BTCUSDT')).toHaveLength(500);
    expect(r.recentTrades('spot', 'BTCUSDT', 5_000)).toHaveLength(1_000);
  });

  it('speed: the clock runs, pauses and resumes', async () => {
    const r = await replay({ clock: { kind: 'speed', factor: 200 } });
    const t0 = r.now();
    r.start();
    await until(() => r.stats().eventsProcessed > 500, 10_000, '500 events at 200x');
    r.pause();
    const frozen = r.stats();
    expect(frozen.paused).toBe(true);
    expect(frozen.now).toBeGreaterThan(t0);
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    expect(r.stats().eventsProcessed).toBe(frozen.eventsProcessed);
    expect(r.now()).toBe(frozen.now);
    r.resume();
    await until(() => r.stats().eventsProcessed > frozen.eventsProcessed + 100, 10_000, 'events after resume');
    r.setClock({ kind: 'fast' });
    await within(r.ended, 20_000, 'end after switching to fast');
    expect(r.stats().eventsProcessed).toBe(totalEvents(r));
  });

  it('names the path looked at and --data-dir when the data is missing', async () => {
    const err = await loadReplay({
      dataDir: '/nonexistent/market-data',
      instruments: [{ market: 'spot', symbol: 'BTCUSDT' }],
      clock: { kind: 'stepped' },
      atEnd: 'stop',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('/nonexistent/market-data/spot/btcusdt_*.gz');
    expect((err as Error).message).toContain('--data-dir');
    expect((err as Error).message).toContain('dataDir');
    await expect(
      loadReplay({ dataDir: DATA_DIR, instruments: [{ market: 'usdm', symbol: 'DOGEUSDT' }], clock: { kind: 'stepped' }, atEnd: 'stop' }),
    ).rejects.toThrow(/usdm\/dogeusdt_\*\.gz.*--data-dir/);
  });
});

/** A stream consumer keeping its own book the documented way (snapshot from the replay, then diffs). */
class ConsumerBook {
  readonly bids = new Map<number, string>();
  readonly asks = new Map<number, string>();
  lastUpdateId: number;
  diffs = 0;

  constructor(snapshot: { lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]> }) {
    this.lastUpdateId = snapshot.lastUpdateId;
    for (const [p, q] of snapshot.bids) this.bids.set(toUnits(p), q);
    for (const [p, q] of snapshot.asks) this.asks.set(toUnits(p), q);
  }

  apply(d: DepthEvent): void {
    if (d.finalUpdateId <= this.lastUpdateId) return;
    // Continuity: spot U == previous u + 1, USD-M pu == previous u.
    const ok = d.market === 'usdm' ? d.prevFinalUpdateId === this.lastUpdateId : d.firstUpdateId === this.lastUpdateId + 1;
    if (!ok) throw new Error(`consumer gap: U=${d.firstUpdateId} pu=${d.prevFinalUpdateId} after u=${this.lastUpdateId}`);
    for (const [p, q] of d.bids) isZeroDecimal(q) ? this.bids.delete(toUnits(p)) : this.bids.set(toUnits(p), q);
    for (const [p, q] of d.asks) isZeroDecimal(q) ? this.asks.delete(toUnits(p)) : this.asks.set(toUnits(p), q);
    this.lastUpdateId = d.finalUpdateId;
    this.diffs++;
  }

  matches(snapshot: { lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]> }): boolean {
    const eq = (m: Map<number, string>, levels: Array<[string, string]>): boolean =>
      m.size === levels.length && levels.every(([p, q]) => m.get(toUnits(p)) === q);
    return this.lastUpdateId === snapshot.lastUpdateId && eq(this.bids, snapshot.bids) && eq(this.asks, snapshot.asks);
  }
}

const LOOP_CASES: ReadonlyArray<{ name: string; instruments: InstrumentRef[] }> = [
  { name: 'spot BTCUSDT + ETHUSDT', instruments: SPOT },
  { name: 'usdm ETHUSDT', instruments: [{ market: 'usdm', symbol: 'ETHUSDT' }] },
];

describe('loop mode', () => {
  it.each(LOOP_CASES)('$name: ids and time keep increasing across the boundary; the bridge keeps consumer books equal', async ({ instruments }) => {
    const r = await replay({ atEnd: 'loop', instruments });
    r.advanceTo(r.now() + 5_000); // books synced
    const consumers = new Map(instruments.map((ref) => [ref.symbol, new ConsumerBook(r.book(ref.market, ref.symbol)!.depth(1e9))]));
    const lastTrade = new Map<string, number>();
    const lastTickerId = new Map<string, number>();
    const lastDepthId = new Map<string, number>();
    let maxTimePass0 = -Infinity;
    let minTimePass1 = Infinity;
    let prevNow = r.now();
    const firstOfPass1: MarketEvent[] = [];
    const bridgedEqual: boolean[] = [];
    let violations = 0;
    r.on((ev) => {
      const now = r.now();
      if (now < prevNow) violations++;
      prevNow = now;
      const times = [now, ev.eventTime, ev.kind === 'trade' ? ev.tradeTime : (ev.transactionTime ?? ev.eventTime)];
      if (r.stats().loops === 0) maxTimePass0 = Math.max(maxTimePass0, ...times);
      else {
        minTimePass1 = Math.min(minTimePass1, ...times);
        if (firstOfPass1.length < 3) firstOfPass1.push(ev);
      }
      if (ev.kind === 'trade') {
        if (ev.tradeId !== (lastTrade.get(ev.symbol) ?? ev.tradeId - 1) + 1) violations++;
        lastTrade.set(ev.symbol, ev.tradeId);
      } else if (ev.kind === 'bookTicker') {
        if (ev.updateId <= (lastTickerId.get(ev.symbol) ?? 0)) violations++;
        lastTickerId.set(ev.symbol, ev.updateId);
      } else {
        const prev = lastDepthId.get(ev.symbol);
        if (prev !== undefined && (ev.market === 'usdm' ? ev.prevFinalUpdateId !== prev : ev.firstUpdateId !== prev + 1)) violations++;
        if (prev !== undefined && ev.firstUpdateId <= prev) violations++;
        lastDepthId.set(ev.symbol, ev.finalUpdateId);
        const consumer = consumers.get(ev.symbol)!;
        consumer.apply(ev);
        // Right after the bridge, the consumer's book must equal the restored one.
        if (r.stats().loops === 1 && firstOfPass1.length <= instruments.length) {
          bridgedEqual.push(consumer.matches(r.book(ev.market, ev.symbol)!.depth(1e9)));
        }
      }
    });
    while (r.stats().loops === 0) r.step({ events: 20_000 });
    r.step({ events: 20_000 });
    expect(r.stats().loops).toBe(1);
    // The pass starts with one bridging diff per instrument, carrying the whole restored book.
    const n = instruments.length;
    expect(firstOfPass1.slice(0, n).map((e) => (e.kind === 'depth' ? [e.symbol, e.bids.length > 900, e.asks.length > 900] : e.kind))).toEqual(
      instruments.map((ref) => [ref.symbol, true, true]),
    );
    expect(firstOfPass1[n]?.kind).not.toBe('depth');
    expect(bridgedEqual).toEqual(instruments.map(() => true));
    expect(violations).toBe(0);
    expect(maxTimePass0).toBeLessThan(minTimePass1);
    expect(minTimePass1 - maxTimePass0).toBeLessThan(5_000);
    for (const ref of instruments) {
      const book = r.book(ref.market, ref.symbol)!;
      expect(book.synced).toBe(true);
      const consumer = consumers.get(ref.symbol)!;
      expect(consumer.diffs).toBeGreaterThan(5_000);
      expect(consumer.matches(book.depth(1e9))).toBe(true);
    }
    // Trade ids continue past the recording's last id, and the tape keeps counting.
    const first = instruments[0]!;
    const ticker = r.ticker(first.market, first.symbol)!;
    expect(ticker.lastTradeId).toBe(lastTrade.get(first.symbol));
    expect(ticker.count).toBeGreaterThan(r.loadStats[0]!.trades);
  });
});
