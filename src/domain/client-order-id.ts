/**
 * Deterministic client order ids.
 *
 * The engine derives every order's client order id (Binance `newClientOrderId`)
 * from the strategy signal id and the leg name, so that:
 * - re-running the same signal after a crash produces the same id, and the
 *   venue recognises a resubmission (Binance refuses a duplicate client order id
 *   while the first order is open: `-2010 Duplicate order sent.`), and
 * - an order can be looked up at the venue by client order id alone
 *   (`origClientOrderId`) when the submit's outcome is unknown.
 *
 * Format: `<prefix><hash>`, exactly 36 characters, where `hash` is the
 * base64url encoding of SHA-256 over an unambiguous encoding of
 * `(signalId, leg)`, truncated to `36 - prefix.length` characters. With the
 * default 4-character prefix the hash keeps 32 characters = 192 bits.
 * base64url's alphabet (`A-Z a-z 0-9 - _`) lies inside Binance's
 * `^[.A-Z:/a-z0-9_-]{1,36}$`.
 *
 * Caveat: Binance enforces uniqueness only among *open* orders; once an order
 * is closed the same id may be accepted again. Resubmission decisions therefore
 * go through the order actor's state, not through the venue's duplicate check.
 */
import { createHash } from 'node:crypto';

/** Binance's client order id pattern (`newClientOrderId`, `origClientOrderId`). */
export const CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** Maximum client order id length accepted by Binance. */
export const CLIENT_ORDER_ID_MAX_LENGTH = 36;

/**
 * Default prefix: `ae` (actor engine) + scheme version `1` + `-`. Changing the
 * hashing scheme must change the prefix, so ids from two schemes never collide.
 * It deliberately avoids `x-`, which Binance reserves for broker ids.
 */
export const DEFAULT_CLIENT_ORDER_ID_PREFIX = 'ae1-';

/** Minimum number of hash characters kept (22 base64url chars = 132 bits). */
export const MIN_CLIENT_ORDER_ID_HASH_CHARS = 22;

const PREFIX_PATTERN = /^[.A-Z:/a-z0-9_-]*$/;
const DOMAIN_TAG = 'client-order-id/v1';

/**
 * The client order id for leg `leg` of signal `signalId`: same inputs, same id;
 * any difference in either input gives a different id (up to SHA-256 collisions:
 * at the default length, a birthday collision among 2^48 ids has probability about 2^-97).
 *
 * @param signalId the strategy signal's id (any non-empty string)
 * @param leg the leg's name within the signal (`"entry"`, `"tp1"`, …; any non-empty string)
 * @param prefix prefix in Binance's alphabet, at most 14 characters (default {@link DEFAULT_CLIENT_ORDER_ID_PREFIX})
 * @returns a 36-character id matching {@link CLIENT_ORDER_ID_PATTERN}
 * @throws RangeError when `signalId` or `leg` is empty, or the prefix is invalid
 */
export function clientOrderIdFor(signalId: string, leg: string, prefix: string = DEFAULT_CLIENT_ORDER_ID_PREFIX): string {
  if (signalId.length === 0) throw new RangeError('clientOrderIdFor: signalId must not be empty');
  if (leg.length === 0) throw new RangeError('clientOrderIdFor: leg must not be empty');
  if (!PREFIX_PATTERN.test(prefix) || prefix.length > CLIENT_ORDER_ID_MAX_LENGTH - MIN_CLIENT_ORDER_ID_HASH_CHARS) {
    throw new RangeError(
      `clientOrderIdFor: prefix must use Binance's client order id alphabet and be at most ${CLIENT_ORDER_ID_MAX_LENGTH - MIN_CLIENT_ORDER_ID_HASH_CHARS} characters`,
    );
  }
  // JSON of an array is an injective encoding: ("a|b","c") and ("a","b|c") differ.
  const payload = JSON.stringify([DOMAIN_TAG, signalId, leg]);
  const hash = createHash('sha256').update(payload, 'utf8').digest('base64url');
  return prefix + hash.slice(0, CLIENT_ORDER_ID_MAX_LENGTH - prefix.length);
}

/** True when `id` is acceptable to Binance as a client order id. */
export function isValidClientOrderId(id: string): boolean {
  return CLIENT_ORDER_ID_PATTERN.test(id);
}
