/**
 * Turns the raw query string and form body into one parameter bag, and
 * extracts what the HMAC signature is computed over.
 *
 * Binance spot REST "General API Information" / "SIGNED Endpoint security":
 * - parameters may come in the query string, the `application/x-www-form-urlencoded`
 *   body, or both; when a name is in both, the query string's value is used;
 * - the same name twice in one source is rejected with -1101 "Duplicate values for a parameter detected.";
 * - `totalParams` (the signed payload) is the query string concatenated with the body,
 *   byte for byte as sent — it is never re-serialised here; only the `signature=…`
 *   pair itself is cut out of it.
 */
import { Errors } from '../../venue/errors.ts';
import type { ParamBag } from './context.ts';

/** Parameters of one request plus the raw material for signature verification. */
export interface RawParams {
  /** Decoded parameters, `signature` excluded. */
  readonly params: ParamBag;
  /** The `signature` value, if sent. */
  readonly signature: string | undefined;
  /** `totalParams` without the `signature` pair: raw query remainder + raw body remainder. */
  readonly signedPayload: string;
}

interface Source {
  readonly values: Map<string, string>;
  readonly unsigned: string;
  readonly signature: string | undefined;
}

/**
 * Splits and decodes both sources.
 * @throws VenueError -1101 on a duplicate name within one source, -1100 on malformed percent-encoding.
 */
export function parseRawParams(rawQuery: string, rawBody: string): RawParams {
  const query = parseSource(rawQuery);
  const body = parseSource(rawBody);
  const merged: Record<string, string> = {};
  for (const [k, v] of body.values) merged[k] = v;
  for (const [k, v] of query.values) merged[k] = v;
  return {
    params: merged,
    signature: query.signature ?? body.signature,
    signedPayload: query.unsigned + body.unsigned,
  };
}

function parseSource(raw: string): Source {
  const values = new Map<string, string>();
  if (raw === '') return { values, unsigned: '', signature: undefined };
  const kept: string[] = [];
  let signature: string | undefined;
  for (const segment of raw.split('&')) {
    if (segment === '') {
      kept.push(segment);
      continue;
    }
    const eq = segment.indexOf('=');
    const key = decode(eq < 0 ? segment : segment.slice(0, eq), segment);
    const value = eq < 0 ? '' : decode(segment.slice(eq + 1), key);
    if (key === 'signature') {
      if (signature !== undefined) throw Errors.duplicateParam();
      signature = value;
      continue;
    }
    if (values.has(key)) throw Errors.duplicateParam();
    values.set(key, value);
    kept.push(segment);
  }
  return { values, unsigned: kept.join('&'), signature };
}

/** Form decoding: `+` is a space, then percent-decoding. */
function decode(text: string, param: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw Errors.illegalCharsIn(param, text);
  }
}
