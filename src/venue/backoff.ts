/**
 * Retry delays for the websocket watch loops: exponential with jitter.
 *
 * Delay of retry `n` (0-based) = `min(maxMs, initialMs × factor^n)` scaled by a
 * random factor in `[1 − jitter, 1]`, so that loops failing together (one
 * dropped socket carries the orders, fills and balances loops) do not retry in
 * lock-step. Defaults: 100 ms doubling to 5 s, jitter 0.5.
 *
 * ccxt 4.5.84 adds its own delay before *re-dialling* a URL that was dialled
 * less than `options.ws.backoff.stableAfter` (30 s) ago: 1 s doubling to 60 s,
 * ×0.8–1.2 (`Exchange.calculateWsBackoffDelay`); the two add up.
 */
import { z } from 'zod';

export const BackoffOptions = z.object({
  initialMs: z.number().positive().default(100),
  maxMs: z.number().positive().default(5_000),
  factor: z.number().min(1).default(2),
  /** Fraction of the delay that is randomised away, 0 (none) … 1. */
  jitter: z.number().min(0).max(1).default(0.5),
});
export type BackoffOptions = z.output<typeof BackoffOptions>;

/**
 * @param retry how many retries came before this one since the loop was last up (0 = first retry)
 * @param options parsed {@link BackoffOptions}
 * @param random a number in [0, 1) (injectable for tests)
 * @returns the delay in ms, an integer ≥ 0
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(options.maxMs, options.initialMs * options.factor ** Math.min(retry, 64));
  return Math.max(0, Math.round(exp * (1 - options.jitter * random())));
}
