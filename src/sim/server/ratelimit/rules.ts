/**
 * Binance rate-limit rules as `GET /api/v3/exchangeInfo` (and `/fapi/v1/exchangeInfo`)
 * declare them in `rateLimits` (spot REST API docs "ENUM definitions → Rate limiters"
 * and "LIMITS"):
 *
 *   {"rateLimitType": "REQUEST_WEIGHT" | "ORDERS" | "RAW_REQUESTS",
 *    "interval": "SECOND" | "MINUTE" | "HOUR" | "DAY", "intervalNum": 10, "limit": 100}
 *
 * Header tags use the interval letter in lower case: `intervalNum` + `s|m|h|d`
 * (`X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S`); error messages spell the
 * interval as `<intervalNum> <interval>` ("… per 10 SECOND").
 */
import { z } from 'zod';

export const rateLimitTypeSchema = z.enum(['REQUEST_WEIGHT', 'ORDERS', 'RAW_REQUESTS']);
export const rateLimitIntervalSchema = z.enum(['SECOND', 'MINUTE', 'HOUR', 'DAY']);

/** One `rateLimits` entry. `limit` is a count (weight units, orders or requests) per window. */
export const rateLimitRuleSchema = z.object({
  rateLimitType: rateLimitTypeSchema,
  interval: rateLimitIntervalSchema,
  intervalNum: z.number().int().positive(),
  limit: z.number().int().positive(),
});

export type RateLimitType = z.infer<typeof rateLimitTypeSchema>;
export type RateLimitInterval = z.infer<typeof rateLimitIntervalSchema>;
export type RateLimitRule = z.infer<typeof rateLimitRuleSchema>;

const INTERVAL_MS: Record<RateLimitInterval, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
const LETTER: Record<RateLimitInterval, string> = { SECOND: 's', MINUTE: 'm', HOUR: 'h', DAY: 'd' };

/** Length of the rule's window, ms. */
export function windowMs(rule: RateLimitRule): number {
  return INTERVAL_MS[rule.interval] * rule.intervalNum;
}

/** Header suffix, e.g. `1m`, `10s`, `1d` (Binance "LIMITS": intervalNum + intervalLetter). */
export function intervalTag(rule: RateLimitRule): string {
  return `${rule.intervalNum}${LETTER[rule.interval]}`;
}

/** As Binance's messages spell it: `1 MINUTE`, `10 SECOND`. */
export function describeInterval(rule: RateLimitRule): string {
  return `${rule.intervalNum} ${rule.interval}`;
}

/**
 * The rules of an exchangeInfo body (its `rateLimits` array).
 * @throws Error naming `source` when `rateLimits` is missing or an entry does not parse.
 */
export function rulesFromExchangeInfo(body: unknown, source: string): RateLimitRule[] {
  const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['rateLimits'] : undefined;
  const parsed = z.array(rateLimitRuleSchema).safeParse(list);
  if (!parsed.success) throw new Error(`rateLimits of ${source} do not parse: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Scales every limit by `factor` (tests: 0.1 turns ORDERS 100/10 s into 10/10 s),
 * rounding up and never below 1.
 * @throws RangeError when `factor` is not a positive finite number.
 */
export function scaleRules(rules: readonly RateLimitRule[], factor: number): RateLimitRule[] {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`rate-limit scale must be a positive number, got ${factor}`);
  return rules.map((r) => ({ ...r, limit: Math.max(1, Math.ceil(r.limit * factor)) }));
}
