/**
 * Timing security of signed requests (Binance spot REST "Timing security"):
 * a request is processed only if `timestamp < serverTime + 1000` and
 * `serverTime - timestamp <= recvWindow`; `recvWindow` defaults to 5000 ms and
 * may not exceed 60000 ms.
 *
 * `serverTime` is the WALL clock (`Date.now()`), not the replay clock: clients
 * stamp requests with their own wall clock, exactly as against Binance.
 */
import { Errors } from '../../venue/errors.ts';

/** Binance's default `recvWindow`, ms. */
export const DEFAULT_RECV_WINDOW_MS = 5000;
/** Binance's maximum `recvWindow`, ms. */
export const MAX_RECV_WINDOW_MS = 60_000;
/** How far ahead of the server a timestamp may be, ms. */
export const MAX_AHEAD_MS = 1000;

const LONG_RE = /^[0-9]{1,20}$/;
const RECV_WINDOW_RE = /^[0-9]{1,20}(\.[0-9]{1,3})?$/;

/**
 * Checks `timestamp` and `recvWindow` as sent (strings, or undefined when absent).
 * Timestamps above 10^14 are read as microseconds (Binance accepts both units).
 * @throws VenueError -1102 (timestamp missing), -1100 (malformed), -1131 (recvWindow > 60000),
 *   -1021 (ahead by 1000 ms or more, or older than recvWindow).
 */
export function checkTimingWindow(timestamp: string | undefined, recvWindow: string | undefined, nowMs: number): void {
  if (timestamp === undefined || timestamp === '') throw Errors.mandatoryParamMissing('timestamp');
  if (!LONG_RE.test(timestamp)) throw Errors.illegalCharsRange('timestamp', '^[0-9]{1,20}$');
  let ts = Number(timestamp);
  if (ts > 1e14) ts /= 1000;
  let window = DEFAULT_RECV_WINDOW_MS;
  if (recvWindow !== undefined) {
    if (recvWindow === '') throw Errors.paramEmpty('recvWindow');
    if (!RECV_WINDOW_RE.test(recvWindow)) throw Errors.illegalCharsRange('recvWindow', '^[0-9]{1,20}(\\.[0-9]{1,3})?$');
    window = Number(recvWindow);
    if (window > MAX_RECV_WINDOW_MS) throw Errors.badRecvWindow();
  }
  if (ts >= nowMs + MAX_AHEAD_MS) throw Errors.invalidTimestamp(true);
  if (nowMs - ts > window) throw Errors.invalidTimestamp(false);
}
