/** Shared test helpers for the market-data side (real recordings, no mocks). */
import { defaultDataDir } from '../../../src/sim/market/recording.ts';

/** Recordings folder: `SIM_DATA_DIR` when set, else the repository default (`../shared/data/binance-ws`). */
export const DATA_DIR: string = process.env['SIM_DATA_DIR'] ?? defaultDataDir();

/** Resolves when `predicate` holds, polling on the event loop; rejects after `ms`. */
export async function until(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Races a promise against a deadline. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
