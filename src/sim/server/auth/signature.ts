/**
 * HMAC-SHA256 request signatures (Binance "SIGNED (TRADE and USER_DATA) Endpoint security").
 * The signature is the lower- or upper-case hex HMAC-SHA256 of the payload keyed with the
 * API secret; Binance states the signature is not case sensitive.
 */
import { type KeyObject, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/** Imported HMAC keys by secret: importing a key costs more than the HMAC of a short request. Bounded by the configured accounts. */
const keys = new Map<string, KeyObject>();

function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    if (keys.size < 1024) keys.set(secret, key);
  }
  return key;
}

/** Hex HMAC-SHA256 of `payload` keyed with `secret`. */
export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', keyFor(secret)).update(payload).digest('hex');
}

/** True when `signature` (hex, any case) is the HMAC-SHA256 of `payload` under `secret`. Constant-time on equal lengths. */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  const expected = Buffer.from(hmacSha256Hex(secret, payload), 'latin1');
  const given = Buffer.from(signature.toLowerCase(), 'latin1');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The signed payload of a WebSocket API request (Binance WebSocket API "SIGNED request security"):
 * every parameter except `signature`, sorted by name, as `name=value` joined with `&`, values
 * not URL-encoded.
 */
export function wsApiSignaturePayload(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${params[k] ?? ''}`)
    .join('&');
}
