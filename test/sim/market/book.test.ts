import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Book } from '../../../src/sim/market/book.ts';
import { loadRecording } from '../../../src/sim/market/recording.ts';
import type { BookTickerEvent, DepthEvent, Market } from '../../../src/sim/market/types.ts';
import { DATA_DIR } from './helpers.ts';

interface Top {
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
}

const RECORDINGS: ReadonlyArray<{ market: Market; symbol: string; files: number; minMatched: number }> = [
  { market: 'spot', symbol: 'BTCUSDT', files: 2, minMatched: 1_000 },
  { market: 'spot', symbol: 'ETHUSDT', files: 2, minMatched: 1_000 },
  { market: 'usdm', symbol: 'BTCUSDT', files: 1, minMatched: 500 },
  { market: 'usdm', symbol: 'ETHUSDT', files: 1, minMatched: 450 },
];

describe('L2 book rebuilt from the real recordings', () => {
  for (const { market, symbol, files, minMatched } of RECORDINGS) {
    it(`${market} ${symbol}: never crosses and matches every bookTicker with the same update id`, async () => {
      const rec = await loadRecording(DATA_DIR, market, symbol);
      expect(rec.files).toHaveLength(files);
      expect(rec.stats.notJson + rec.stats.invalid).toBe(0);
      const snap = rec.snapshots[0];
      expect(snap).toBeDefined();
      if (snap === undefined) return;

      const book = new L2Book(market, symbol);
      const tops = new Map<number, Top>();
      const tickers = new Map<number, BookTickerEvent>();
      let crossed = 0;
      let applied = 0;
      let bufferedBeforeSnapshot = 0;
      for (let i = 0; i < rec.events.length; i++) {
        if (i === snap.index) book.applySnapshot(snap.snapshot);
        const ev = rec.events[i];
        if (ev === undefined) continue;
        if (ev.kind === 'bookTicker') {
          tickers.set(ev.updateId, ev);
          continue;
        }
        if (ev.kind !== 'depth') continue;
        const outcome = book.applyDepth(ev);
        if (outcome === 'buffered') bufferedBeforeSnapshot++;
        if (outcome !== 'applied') continue;
        applied++;
        if (book.crossed()) crossed++;
        const bid = book.rawBest('bids');
        const ask = book.rawBest('asks');
        if (bid !== undefined && ask !== undefined) {
          tops.set(ev.finalUpdateId, { bidPrice: bid.price, bidQty: bid.qty, askPrice: ask.price, askQty: ask.qty });
        }
      }
      const stats = book.stats();
      expect(stats.gaps).toBe(0);
      expect(book.synced).toBe(true);
      expect(crossed).toBe(0);
      expect(bufferedBeforeSnapshot).toBeGreaterThan(0);
      expect(applied).toBeGreaterThan(rec.stats.depthDiffs - 10);

      let matched = 0;
      const mismatches: string[] = [];
      for (const [u, top] of tops) {
        const t = tickers.get(u);
        if (t === undefined) continue;
        matched++;
        const want = { bidPrice: t.bidPrice, bidQty: t.bidQty, askPrice: t.askPrice, askQty: t.askQty };
        if (JSON.stringify(want) !== JSON.stringify(top)) mismatches.push(`u=${u}: book ${JSON.stringify(top)} ticker ${JSON.stringify(want)}`);
      }
      console.info(`${market} ${symbol}: ${applied} diffs applied, ${matched} bookTickers matched by update id, ${mismatches.length} mismatches`);
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(matched).toBeGreaterThan(minMatched);
    });
  }
});

function diff(
  market: Market,
  U: number,
  u: number,
  bids: Array<[string, string]>,
  asks: Array<[string, string]>,
  pu?: number,
): DepthEvent {
  return {
    kind: 'depth',
    market,
    symbol: 'BTCUSDT',
    firstUpdateId: U,
    finalUpdateId: u,
    ...(pu === undefined ? {} : { prevFinalUpdateId: pu }),
    bids,
    asks,
    eventTime: 1_700_000_000_000 + u,
  };
}

function ticker(u: number, bid: [string, string], ask: [string, string]): BookTickerEvent {
  return {
    kind: 'bookTicker',
    market: 'spot',
    symbol: 'BTCUSDT',
    updateId: u,
    bidPrice: bid[0],
    bidQty: bid[1],
    askPrice: ask[0],
    askQty: ask[1],
    eventTime: 1_700_000_000_000 + u,
  };
}

const SNAPSHOT = {
  lastUpdateId: 100,
  bids: [
    ['99.00', '1.0'],
    ['98.00', '2.0'],
    ['97.00', '3.0'],
  ] as Array<[string, string]>,
  asks: [
    ['101.00', '1.5'],
    ['102.00', '2.5'],
  ] as Array<[string, string]>,
};

describe('L2 book sequencing (hand-made events)', () => {
  it('buffers diffs that arrive before the snapshot and applies the bridging one', () => {
    const book = new L2Book('spot', 'BTCUSDT');
    expect(book.applyDepth(diff('spot', 90, 95, [['99.00', '9']], []))).toBe('buffered');
    expect(book.applyDepth(diff('spot', 96, 103, [['99.00', '0.5']], [['100.50', '4']]))).toBe('buffered');
    expect(book.lastUpdateId).toBe(0);
    expect(book.synced).toBe(false);
    book.applySnapshot(SNAPSHOT);
    // 90..95 is older than the snapshot: dropped; 96..103 spans 101: applied.
    expect(book.synced).toBe(true);
    expect(book.lastUpdateId).toBe(103);
    expect(book.stats()).toMatchObject({ stale: 1, applied: 1, gaps: 0, buffered: 2 });
    expect(book.bestBid()).toEqual({ price: '99.00', qty: '0.5' });
    expect(book.bestAsk()).toEqual({ price: '100.50', qty: '4' });
    expect(book.applyDepth(diff('spot', 104, 105, [['99.00', '0']], []))).toBe('applied');
    expect(book.bestBid()).toEqual({ price: '98.00', qty: '2.0' });
    expect(book.depth(10)).toEqual({
      lastUpdateId: 105,
      bids: [
        ['98.00', '2.0'],
        ['97.00', '3.0'],
      ],
      asks: [
        ['100.50', '4'],
        ['101.00', '1.5'],
        ['102.00', '2.5'],
      ],
    });
  });

  it('detects a gap in a spot chain without crashing and stays unsynced', () => {
    const book = new L2Book('spot', 'BTCUSDT');
    book.applySnapshot(SNAPSHOT);
    expect(book.applyDepth(diff('spot', 101, 110, [], []))).toBe('applied');
    expect(book.synced).toBe(true);
    expect(book.applyDepth(diff('spot', 112, 115, [['98.50', '1']], []))).toBe('gap');
    expect(book.synced).toBe(false);
    expect(book.stats().gaps).toBe(1);
    expect(book.applyDepth(diff('spot', 116, 120, [], []))).toBe('applied');
    expect(book.synced).toBe(false);
    expect(book.lastUpdateId).toBe(120);
    book.applySnapshot({ ...SNAPSHOT, lastUpdateId: 130 });
    expect(book.applyDepth(diff('spot', 125, 131, [], []))).toBe('applied');
    expect(book.synced).toBe(true);
  });

  it('detects a first diff that does not reach the snapshot', () => {
    const book = new L2Book('spot', 'BTCUSDT');
    book.applySnapshot(SNAPSHOT);
    expect(book.applyDepth(diff('spot', 105, 110, [], []))).toBe('gap');
    expect(book.synced).toBe(false);
  });

  it('follows USD-M pu chaining (first diff U <= lastUpdateId <= u)', () => {
    const book = new L2Book('usdm', 'BTCUSDT');
    expect(book.applyDepth(diff('usdm', 80, 90, [], [], 79))).toBe('buffered');
    expect(book.applyDepth(diff('usdm', 95, 100, [['99.00', '7']], [], 90))).toBe('buffered');
    book.applySnapshot(SNAPSHOT);
    // u == lastUpdateId is the first diff to process on USD-M.
    expect(book.stats()).toMatchObject({ stale: 1, applied: 1, gaps: 0 });
    expect(book.synced).toBe(true);
    expect(book.applyDepth(diff('usdm', 101, 104, [], [], 100))).toBe('applied');
    expect(book.applyDepth(diff('usdm', 106, 108, [], [], 105))).toBe('gap');
    expect(book.synced).toBe(false);
    expect(book.stats().gaps).toBe(1);
  });

  it('lays a newer bookTicker over the top of the book', () => {
    const book = new L2Book('spot', 'BTCUSDT');
    book.applySnapshot(SNAPSHOT);
    book.applyDepth(diff('spot', 101, 101, [], []));
    // Older quote: raw book.
    book.applyBookTicker(ticker(101, ['99.00', '0.1'], ['101.00', '0.2']));
    expect(book.bestBid()).toEqual({ price: '99.00', qty: '1.0' });
    // Newer quote: levels better than the quote hidden, its level carries its size, missing level inserted.
    book.applyBookTicker(ticker(105, ['98.00', '0.7'], ['100.90', '0.3']));
    expect([...book.liquidity('bids')]).toEqual([
      { price: '98.00', qty: '0.7' },
      { price: '97.00', qty: '3.0' },
    ]);
    expect([...book.liquidity('asks')]).toEqual([
      { price: '100.90', qty: '0.3' },
      { price: '101.00', qty: '1.5' },
      { price: '102.00', qty: '2.5' },
    ]);
    expect(book.bestBid()).toEqual({ price: '98.00', qty: '0.7' });
    expect(book.bestAsk()).toEqual({ price: '100.90', qty: '0.3' });
    expect(book.qtyAt('bids', '99.00')).toBe('0');
    expect(book.qtyAt('bids', '98')).toBe('0.7');
    expect(book.qtyAt('bids', '97.000')).toBe('3.0');
    expect(book.qtyAt('asks', '100.90')).toBe('0.3');
    expect(book.qtyAt('asks', '103.00')).toBe('0');
    // depth() stays the raw book.
    expect(book.depth(1)).toEqual({ lastUpdateId: 101, bids: [['99.00', '1.0']], asks: [['101.00', '1.5']] });
    // Once the book catches up with the quote, the raw book is served again.
    book.applyDepth(diff('spot', 102, 105, [['99.00', '0']], []));
    expect(book.bestBid()).toEqual({ price: '98.00', qty: '2.0' });
  });
});

describe('L2 book storage', () => {
  it('matches a reference map under random level updates (block splits and removals)', () => {
    const level = fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(fc.array(fc.array(level, { maxLength: 60 }), { minLength: 1, maxLength: 40 }), (diffs) => {
        const book = new L2Book('spot', 'BTCUSDT');
        book.applySnapshot({ lastUpdateId: 0, bids: [], asks: [] });
        const ref = new Map<number, string>();
        diffs.forEach((levels, k) => {
          const bids: Array<[string, string]> = levels.map(([p, q]) => [`${p}.50`, q === 0 ? '0.000' : `${q}.${k}`]);
          for (const [p, q] of bids) {
            const key = Number.parseInt(p, 10);
            if (q === '0.000') ref.delete(key);
            else ref.set(key, q);
          }
          book.applyDepth(diff('spot', k + 1, k + 1, bids, []));
        });
        const want = [...ref.entries()].sort((a, b) => b[0] - a[0]).map(([p, q]) => [`${p}.50`, q]);
        expect(book.depth(10_000).bids).toEqual(want);
        expect([...book.liquidity('bids')].map((l) => [l.price, l.qty])).toEqual(want);
        for (const [p, q] of want.slice(0, 5)) expect(book.qtyAt('bids', p!)).toBe(q);
      }),
      { numRuns: 200 },
    );
  });
});
