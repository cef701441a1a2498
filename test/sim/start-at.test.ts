/**
 * `startAt: 'books'`: the simulator's replay starts once every book is built, so that an order sent right
 * after start meets a book; from the recording's first event (the default), the books are still empty then.
 */
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
});
