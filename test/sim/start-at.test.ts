/**
 * `startAt: 'books'`: the simulator's replay starts once every book is built, so that an order sent right
 * after start meets a book; from the recording's first event (the default), the books are still empty then.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/sim/index.ts';

const INSTRUMENTS = [
  { market: 'spot', symbol: 'BTCUSDT' },
  { market: 'spot', symbol: 'ETHUSDT' },
] as const;

async function booksAtStart(startAt: 'books' | 'recording'): Promise<Array<{ synced: boolean; bid: boolean; ask: boolean }>> {
  let sim: RunningSimulator | undefined;
  try {
    sim = await startSimulator({ startAt, pingIntervalMs: 60_000 });
    const replay = sim.control.replay;
    return INSTRUMENTS.map((i) => {
      const book = replay.book(i.market, i.symbol);
      const depth = book?.depth(1);
      return { synced: book?.synced === true, bid: (depth?.bids.length ?? 0) > 0, ask: (depth?.asks.length ?? 0) > 0 };
    });
  } finally {
    await sim?.close();
  }
}

describe('simulator startAt', () => {
  it("'books': every book is built when the simulator is up", async () => {
    expect(await booksAtStart('books')).toEqual(INSTRUMENTS.map(() => ({ synced: true, bid: true, ask: true })));
  });

  it("'recording' (the default): the books are not built yet when it is up", async () => {
    expect((await booksAtStart('recording')).every((b) => !b.synced)).toBe(true);
  });

  it("'books' with a recording that never builds its book (no depth snapshot): it starts once the first pass is over, looping or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-start-at-'));
    try {
      mkdirSync(join(dir, 'spot'));
      const lines = [
        `1723161254200000000 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255470,"T":1723161255469,"s":"BTCUSDT","t":7,"p":"61000.50","q":"0.010","X":"MARKET","m":false}}`,
        `1723161254500000000 {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":106,"s":"BTCUSDT","b":"61000.10","B":"1.000","a":"61000.50","A":"1.500","T":1723161255770,"E":1723161255770}}`,
      ];
      writeFileSync(join(dir, 'spot', 'btcusdt_20240808.gz'), gzipSync(`${lines.join('\n')}\n`));
      for (const atEnd of ['loop', 'stop'] as const) {
        const sim = await startSimulator({ dataDir: dir, instruments: [{ market: 'spot', symbol: 'BTCUSDT' }], startAt: 'books', atEnd, pingIntervalMs: 60_000 });
        try {
          expect(sim.control.replay.book('spot', 'BTCUSDT')?.synced).toBe(false);
        } finally {
          await sim.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
