/**
 * The rate limiter for WebSocket API requests (spot WebSocket API docs "Rate
 * limits"): each request is charged its method's weight against the same
 * per-IP REQUEST_WEIGHT budget as REST ("shared with the REST API"), replies
 * carry `rateLimits: [{rateLimitType, interval, intervalNum, limit, count}]`,
 * and an over-limit request is refused with status 429 (-1003) or, for a
 * banned IP, 418, its error carrying `data: {serverTime, retryAfter}`.
 */
import type { WsApiCharge, WsApiLimiter } from '../ws/hooks.ts';
import { RateLimitRejection } from './messages.ts';
import type { RateLimiter } from './rate-limiter.ts';

const UNLIMITED: WsApiCharge = { rateLimits: [] };

/** A {@link WsApiLimiter} over `limiter`'s domains (method names may carry a `v3/` prefix already stripped by the session). */
export function wsApiLimiter(limiter: RateLimiter): WsApiLimiter {
  return {
    charge(remoteAddress, path, method) {
      const domain = limiter.domainFor(path);
      if (domain === undefined) return UNLIMITED;
      const verdict = domain.admit(remoteAddress, domain.spec.wsWeights?.[method] ?? 1);
      const rateLimits = domain.weightStatus(remoteAddress);
      if (verdict.ok) return { rateLimits };
      return { rateLimits, rejection: new RateLimitRejection(verdict.body, verdict.status, verdict.now, verdict.retryAt) };
    },
  };
}
