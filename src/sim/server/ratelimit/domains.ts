/**
 * The simulator's limit domains: Binance spot and USD-M futures are separate
 * systems with their own `rateLimits` (their exchangeInfo) and their own
 * counters. A route belongs to the domain whose path prefix it starts with;
 * its weight and order count come from the route table (`RouteSpec.weight`,
 * `RouteSpec.orders`), so routes added later (the `/fapi` table) are limited
 * without touching this folder.
 *
 * Headers are derived from the rules (spot REST API docs "LIMITS"): every
 * REQUEST_WEIGHT rule gives `x-mbx-used-weight-<n><s|m|h|d>`, every ORDERS rule
 * `x-mbx-order-count-<n><s|m|h|d>`; the recorded spot rules give
 * `…-used-weight-1m`, `…-order-count-10s`, `…-order-count-1d`, the USD-M ones
 * `…-used-weight-1m`, `…-order-count-1m`, `…-order-count-10s`.
 */
import { readFileSync } from 'node:fs';
import type { LimitDomainSpec } from './domain-limiter.ts';
import { type RateLimitRule, rulesFromExchangeInfo } from './rules.ts';

/**
 * Spot WebSocket API request weights of the methods the simulator serves
 * (spot WebSocket API docs: `ping`/`time` 1; `session.*` and `userDataStream.*` 2).
 */
export const SPOT_WS_API_WEIGHTS: Readonly<Record<string, number>> = {
  ping: 1,
  time: 1,
  'session.status': 2,
  'session.subscriptions': 2,
  'userDataStream.subscribe.signature': 2,
  'userDataStream.unsubscribe': 2,
};

/** Spot: `/api/…` REST and the `/ws-api/v3` WebSocket API; legacy `x-mbx-used-weight`; filled orders credited. */
export function spotDomain(rules: readonly RateLimitRule[]): LimitDomainSpec {
  return { name: 'spot', pathPrefixes: ['/api/', '/ws-api/'], rules, legacyWeightHeader: true, creditFills: true, wsWeights: SPOT_WS_API_WEIGHTS };
}

/** USD-M futures: `/fapi/…` REST and the `/ws-fapi/v1` WebSocket API. */
export function usdmDomain(rules: readonly RateLimitRule[]): LimitDomainSpec {
  return { name: 'usdm', pathPrefixes: ['/fapi/', '/ws-fapi/'], rules, legacyWeightHeader: false, creditFills: false };
}

/**
 * The `rateLimits` of an exchangeInfo file, or undefined when the file does not exist.
 * @throws Error naming the file when it exists but its JSON or `rateLimits` do not parse.
 */
export function loadRules(path: string): RateLimitRule[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new Error(`exchangeInfo at ${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return rulesFromExchangeInfo(body, path);
}
