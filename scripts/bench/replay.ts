/**
 * Replay throughput benchmark: both spot instruments, fast (unthrottled) clock,
 * one trivial listener. Run directly with `npx tsx scripts/bench/replay.ts
 * [--data-dir DIR]`, or call {@link measureReplayRate} (the venue benchmark does).
 */
import { pathToFileURL } from 'node:url';
import { clearRecordingCache, defaultDataDir } from '../../src/sim/market/recording.ts';
import { loadReplay } from '../../src/sim/market/replay.ts';
import type { InstrumentRef } from '../../src/sim/market/types.ts';

export interface ReplayRateOptions {
  /** Recordings folder (default `../shared/data/binance-ws` from the repository root). */
  readonly dataDir?: string;
  /** Default: spot BTCUSDT and ETHUSDT. */
  readonly instruments?: ReadonlyArray<InstrumentRef>;
  /** Attach one trivial listener (default true). */
  readonly listener?: boolean;
  /** Forget memoised recordings first so `loadMs` is a cold load (default false). */
  readonly cold?: boolean;
}

export interface ReplayRate {
  /** Events emitted per wall second while replaying. */
  readonly eventsPerSecond: number;
  /** Events emitted (one full pass). */
  readonly events: number;
  /** Wall time of the replay, ms. */
  readonly ms: number;
  /** Wall time of `loadReplay` (gunzip + parse + validate + merge; near 0 when memoised), ms. */
  readonly loadMs: number;
}

/**
 * Replays the recordings once in fast mode and measures the rate.
 * @throws MarketDataError when the recordings are missing.
 */
export async function measureReplayRate(opts: ReplayRateOptions = {}): Promise<ReplayRate> {
  if (opts.cold === true) clearRecordingCache();
  const t0 = performance.now();
  const replay = await loadReplay({
    dataDir: opts.dataDir ?? defaultDataDir(),
    instruments: opts.instruments ?? [
      { market: 'spot', symbol: 'BTCUSDT' },
      { market: 'spot', symbol: 'ETHUSDT' },
    ],
    clock: { kind: 'fast' },
    atEnd: 'stop',
  });
  const loadMs = performance.now() - t0;
  let sink = 0;
  if (opts.listener !== false) {
    replay.on((ev) => {
      if (ev.kind === 'trade') sink++;
    });
  }
  const t1 = performance.now();
  replay.start();
  await replay.ended;
  const ms = performance.now() - t1;
  const events = replay.stats().eventsProcessed;
  if (sink < 0) console.log(sink);
  return { eventsPerSecond: Math.round((events / ms) * 1000), events, ms: Math.round(ms), loadMs: Math.round(loadMs) };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dataDir = argValue('--data-dir');
  const base = dataDir === undefined ? {} : { dataDir };
  const cold = await measureReplayRate({ ...base, cold: true });
  const warm = await measureReplayRate(base);
  const bare = await measureReplayRate({ ...base, listener: false });
  console.log(`replay, spot BTCUSDT+ETHUSDT, fast clock`);
  console.log(`  cold load:            ${cold.loadMs} ms`);
  console.log(`  one listener (cold):  ${cold.eventsPerSecond.toLocaleString('en')} events/s (${cold.events} events in ${cold.ms} ms)`);
  console.log(`  one listener (warm):  ${warm.eventsPerSecond.toLocaleString('en')} events/s (${warm.events} events in ${warm.ms} ms, load ${warm.loadMs} ms)`);
  console.log(`  no listener:          ${bare.eventsPerSecond.toLocaleString('en')} events/s (${bare.events} events in ${bare.ms} ms)`);
}
