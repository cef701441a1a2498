/**
 * Configuration of the simulator's rate limits (`SimulatorConfig.rateLimits`):
 * on by default with the limits the recorded exchangeInfo declares; an off
 * switch for benchmarks; a scale factor and a manual clock for tests.
 */
import { z } from 'zod';
import { DEFAULT_BAN_POLICY } from './ban-policy.ts';

export const rateLimitConfigSchema = z
  .object({
    /** Off: no counting, no headers, no 429/418 (benchmarks). */
    enabled: z.boolean().default(true),
    /** Multiplies every recorded limit (rounded up, at least 1): 0.1 → spot ORDERS 10 per 10 s. */
    scale: z.number().positive().default(1),
    /** `wall`: Date.now(); `manual`: moves only through `control.rateLimits.advance`/`setTime` or `POST /__sim/ratelimits/clock`. */
    clock: z.enum(['wall', 'manual']).default('wall'),
    /** 429s an IP may receive within one back-off period (their Retry-After) before its next over-limit request bans it (418). */
    strikesBeforeBan: z.number().int().min(1).default(DEFAULT_BAN_POLICY.strikesBeforeBan),
    /** First ban, ms (Binance: 2 minutes); doubles with each ban of the same IP. */
    firstBanMs: z.number().int().positive().default(DEFAULT_BAN_POLICY.firstBanMs),
    /** Longest ban, ms (Binance: 3 days). */
    maxBanMs: z.number().int().positive().default(DEFAULT_BAN_POLICY.maxBanMs),
  })
  .refine((c) => c.maxBanMs >= c.firstBanMs, { message: 'maxBanMs must be ≥ firstBanMs', path: ['maxBanMs'] });

/** As a caller writes it. */
export type RateLimitConfigInput = z.input<typeof rateLimitConfigSchema>;
/** With defaults applied. */
export type RateLimitConfig = z.output<typeof rateLimitConfigSchema>;
