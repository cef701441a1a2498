/**
 * The bodies Binance answers over-limit requests with ("Error Codes" page,
 * -1003 TOO_MANY_REQUESTS and -1015 TOO_MANY_ORDERS), and the WebSocket API
 * error that carries `data.retryAfter` (WebSocket API docs "Rate limits":
 * 429/418 errors include `{"serverTime", "retryAfter"}` in ms).
 */
import { VenueError } from '../../venue/errors.ts';
import { describeInterval, type RateLimitRule } from './rules.ts';

/** Binance `{code, msg}`. */
export interface BinanceErrorBody {
  readonly code: number;
  readonly msg: string;
}

/** 429 over REQUEST_WEIGHT (-1003). */
export function weightExceeded(rule: RateLimitRule): BinanceErrorBody {
  return {
    code: -1003,
    msg: `Too much request weight used; current limit is ${rule.limit} request weight per ${describeInterval(rule)}. Please use WebSocket Streams for live updates to avoid polling the API.`,
  };
}

/** 429 over RAW_REQUESTS (-1003). */
export function requestsExceeded(rule: RateLimitRule): BinanceErrorBody {
  return { code: -1003, msg: `Too many requests; current limit is ${rule.limit} requests per ${describeInterval(rule)}.` };
}

/** 429 over ORDERS (-1015). */
export function ordersExceeded(rule: RateLimitRule): BinanceErrorBody {
  return { code: -1015, msg: `Too many new orders; current limit is ${rule.limit} orders per ${describeInterval(rule)}.` };
}

/** 418 while the IP is banned (-1003); `until` in ms since epoch. */
export function ipBanned(until: number): BinanceErrorBody {
  return { code: -1003, msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.` };
}

/** A WebSocket API rejection (status 429/418) whose JSON carries `data: {serverTime, retryAfter}`. */
export class RateLimitRejection extends VenueError {
  constructor(
    body: BinanceErrorBody,
    httpStatus: 418 | 429,
    readonly serverTime: number,
    /** When the client may retry, ms since epoch. */
    readonly retryAfter: number,
  ) {
    super(body.code, body.msg, httpStatus);
    this.name = 'RateLimitRejection';
  }

  override toJSON(): { code: number; msg: string; data: { serverTime: number; retryAfter: number } } {
    return { code: this.code, msg: this.message, data: { serverTime: this.serverTime, retryAfter: this.retryAfter } };
  }
}
