/**
 * Shared set-up for venue-core tests: the real replay of the recorded data in
 * stepped mode and a SpotVenue over it. No fakes.
 */
import { DEFAULT_DATA_DIR, DEFAULT_SPOT_EXCHANGE_INFO } from '../../../src/sim/config.ts';
import { loadReplay } from '../../../src/sim/market/replay.ts';
import type { Replay } from '../../../src/sim/market/types.ts';
import { VenueError } from '../../../src/sim/venue/errors.ts';
import { loadExchangeInfo } from '../../../src/sim/venue/instruments.ts';
import { type AccountConfig, SpotVenue } from '../../../src/sim/venue/spot-venue.ts';
import type { UserEvent, Wire } from '../../../src/sim/venue/types.ts';

export const ACCOUNT: AccountConfig = {
  id: 'acct',
  apiKey: 'test-key',
  secret: 'test-secret-0123456789abcdef',
  balances: { USDT: '1000000', BTC: '10', ETH: '100' },
};

export interface VenueFixture {
  replay: Replay;
  venue: SpotVenue;
  events: UserEvent[];
}

const exchangeInfo = loadExchangeInfo(DEFAULT_SPOT_EXCHANGE_INFO);

/** A stepped replay of spot BTCUSDT + ETHUSDT, advanced `warmMs` of replay time, and a venue with one account. */
export async function venueFixture(warmMs = 60_000, accounts: AccountConfig[] = [ACCOUNT]): Promise<VenueFixture> {
  const replay = await loadReplay({
    dataDir: DEFAULT_DATA_DIR,
    instruments: [
      { market: 'spot', symbol: 'BTCUSDT' },
      { market: 'spot', symbol: 'ETHUSDT' },
    ],
    clock: { kind: 'stepped' },
    atEnd: 'stop',
  });
  replay.step({ ms: warmMs });
  const venue = new SpotVenue({ exchangeInfo, accounts, replay });
  const events: UserEvent[] = [];
  venue.onUserEvent((e) => events.push(e));
  return { replay, venue, events };
}

/** The VenueError thrown by `fn`, or a failure when it does not throw one. */
export function venueError(fn: () => unknown): VenueError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VenueError) return err;
    throw err;
  }
  throw new Error('expected a VenueError');
}

/** Steps the replay one event at a time until `done()` or `maxEvents`; returns whether `done()` became true. */
export function stepUntil(replay: Replay, done: () => boolean, maxEvents = 400_000): boolean {
  for (let i = 0; i < maxEvents; i++) {
    if (done()) return true;
    if (replay.step({ events: 1 }) === 0) return done();
  }
  return done();
}

export function reportsOf(events: UserEvent[], orderId: number): Wire[] {
  return events.map((e) => e.payload).filter((p) => p.e === 'executionReport' && p.i === orderId);
}

export function str(w: Wire, key: string): string {
  const v = w[key];
  if (typeof v !== 'string') throw new Error(`${key} is not a string in ${JSON.stringify(w)}`);
  return v;
}

export function num(w: Wire, key: string): number {
  const v = w[key];
  if (typeof v !== 'number') throw new Error(`${key} is not a number in ${JSON.stringify(w)}`);
  return v;
}
