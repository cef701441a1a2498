/**
 * Binance's rate limits for the simulator: per-IP request weight and raw
 * requests, per-account unfilled order counts, `x-mbx-*` usage headers, 429
 * with `Retry-After` and 418 bans, on REST and the WebSocket API.
 * See ./domain-limiter.ts for who is counted and how.
 */
import type { Logger } from 'pino';
import type { WsApiLimiter } from '../ws/hooks.ts';
import { ManualClock, wallClock } from './clock.ts';
import type { RateLimitConfig } from './config.ts';
import type { LimitDomainSpec } from './domain-limiter.ts';
import { spotDomain, usdmDomain } from './domains.ts';
import { disabledRateLimitControl, RateLimiter, type RateLimitControl } from './rate-limiter.ts';
import { rateLimitStages, type RateLimitStages } from './rest-hooks.ts';
import { rulesFromExchangeInfo, scaleRules } from './rules.ts';
import { wsApiLimiter } from './ws-api-limiter.ts';

export { ManualClock, wallClock, type Clock } from './clock.ts';
export { rateLimitConfigSchema, type RateLimitConfig, type RateLimitConfigInput } from './config.ts';
export { DomainLimiter, type DomainSnapshot, type LimitDomainSpec, type Verdict } from './domain-limiter.ts';
export { loadRules, SPOT_WS_API_WEIGHTS, spotDomain, usdmDomain } from './domains.ts';
export { RateLimiter, type RateLimitControl } from './rate-limiter.ts';
export { rateLimitStages, type RateLimitStages } from './rest-hooks.ts';
export { type RateLimitRule, rulesFromExchangeInfo, scaleRules } from './rules.ts';
export { wsApiLimiter } from './ws-api-limiter.ts';

/** Everything the server needs from the rate limiter; hooks are absent when limiting is off. */
export interface RateLimiting {
  readonly control: RateLimitControl;
  readonly stages?: RateLimitStages;
  readonly wsApi?: WsApiLimiter;
}

/**
 * Builds the limiter from the configuration: the spot domain from the spot
 * exchangeInfo body the venue serves, the USD-M domain from the futures one
 * when the simulator runs the USD-M venue (absent: `/fapi/…` is not served).
 * @throws Error when a `rateLimits` array does not parse.
 */
export function buildRateLimiting(config: RateLimitConfig, spotExchangeInfo: unknown, logger: Logger, usdmExchangeInfo?: unknown): RateLimiting {
  if (!config.enabled) return { control: disabledRateLimitControl() };
  const domains: LimitDomainSpec[] = [spotDomain(scaleRules(rulesFromExchangeInfo(spotExchangeInfo, 'the spot exchangeInfo'), config.scale))];
  if (usdmExchangeInfo !== undefined) domains.push(usdmDomain(scaleRules(rulesFromExchangeInfo(usdmExchangeInfo, 'the USD-M exchangeInfo'), config.scale)));
  const limiter = new RateLimiter({
    domains,
    clock: config.clock === 'manual' ? new ManualClock() : wallClock,
    banPolicy: { strikesBeforeBan: config.strikesBeforeBan, firstBanMs: config.firstBanMs, maxBanMs: config.maxBanMs },
  });
  return { control: limiter.control(), stages: rateLimitStages(limiter, logger), wsApi: wsApiLimiter(limiter) };
}
