/**
 * HMAC-SHA256 request signatures (Binance "SIGNED (TRADE and USER_DATA) Endpoint security").
 * The signature is the lower- or upper-case hex HMAC-SHA256 of the payload keyed with the
 * API secret; Binance states the signature is not case sensitive.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC-SHA256 of `payload` keyed with `secret`. */
export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
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
