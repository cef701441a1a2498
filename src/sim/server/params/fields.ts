/**
 * zod field schemas for Binance request parameters. Every parameter arrives
 * as a string; each field validates it, converts it to the type the venue
 * contract wants, and on failure records WHICH Binance error applies (the
 * parameter name is filled in by ./parse.ts from the issue path).
 *
 * Patterns and codes follow Binance's spot REST API docs and "Error Codes":
 * - decimals `^([0-9]{1,20})(\.[0-9]{1,20})?$` and longs `^[0-9]{1,20}$` → -1100 (illegal characters);
 * - client order ids `^[\.A-Z\:/a-z0-9_-]{1,36}$` → -1100;
 * - symbols `^[A-Z0-9-_.]{1,20}$` → -1100, unlisted → -1121;
 * - enums: side -1117, order type -1116, time in force -1115, interval -1120, others -1130;
 * - an empty mandatory parameter → -1102, an empty optional one → -1105
 *   (empty `newClientOrderId` → -1118).
 */
import { z } from 'zod';
import { Errors, type VenueError } from '../../venue/errors.ts';
import type { SymbolRegistry } from '../symbols.ts';

/** Builds the Binance error for a parameter name. */
export type ErrorFor = (param: string) => VenueError;

/** A rejected value: carries the error to raise. */
export class Rejection {
  constructor(readonly errorFor: ErrorFor) {}
}

/** Converts a raw (non-empty) string to a value, or rejects it. */
export type Check<T> = (raw: string) => T | Rejection;

/** Shorthand for a rejection. */
export const reject = (errorFor: ErrorFor): Rejection => new Rejection(errorFor);

function schemaOf<T>(check: Check<T>, onEmpty: ErrorFor) {
  return z.string().transform((raw, ctx): T => {
    const out = raw === '' ? new Rejection(onEmpty) : check(raw);
    if (out instanceof Rejection) {
      ctx.addIssue({ code: 'custom', message: 'rejected', params: { rejection: out } });
      return z.NEVER;
    }
    return out;
  });
}

/** A mandatory parameter: absent or empty → -1102. */
export function required<T>(check: Check<T>) {
  return schemaOf(check, Errors.mandatoryParamMissing);
}

/** An optional parameter: absent → undefined; empty → -1105 (or `onEmpty`). */
export function optional<T>(check: Check<T>, onEmpty: ErrorFor = Errors.paramEmpty) {
  return schemaOf(check, onEmpty).optional();
}

export const DECIMAL_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const DECIMAL_RE = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
export const LONG_RANGE = '^[0-9]{1,20}$';
const LONG_RE = /^[0-9]{1,20}$/;
export const CLIENT_ID_RE = /^[.A-Z:/a-z0-9_-]{1,36}$/;
export const SYMBOL_RANGE = '^[A-Z0-9-_.]{1,20}$';
const SYMBOL_RE = /^[A-Z0-9\-_.]{1,20}$/;

/** A non-negative decimal string (price, quantity), returned unchanged. */
export const decimal: Check<string> = (raw) =>
  DECIMAL_RE.test(raw) ? raw : reject((p) => Errors.illegalCharsRange(p, DECIMAL_RANGE));

/** A non-negative integer (ids, times in ms); values beyond 2^53 are rejected as illegal too. */
export const long: Check<number> = (raw) => {
  if (!LONG_RE.test(raw)) return reject((p) => Errors.illegalCharsRange(p, LONG_RANGE));
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : reject((p) => Errors.illegalCharsRange(p, LONG_RANGE));
};

/** An integer in [min, max]; above `max` it is truncated to `max` when `clampHigh`, else -1130. */
export function intIn(min: number, max: number, clampHigh = false): Check<number> {
  return (raw) => {
    const n = long(raw);
    if (n instanceof Rejection) return n;
    if (n < min) return reject((p) => Errors.invalidParameter(p, `must be at least ${min}`));
    if (n > max) return clampHigh ? max : reject((p) => Errors.invalidParameter(p, `must be at most ${max}`));
    return n;
  };
}

/** A client-chosen id (`newClientOrderId`, `listClientOrderId`, …): Binance's id alphabet, 1–36 chars. */
export const clientId: Check<string> = (raw) => (CLIENT_ID_RE.test(raw) ? raw : reject(Errors.illegalChars));

/** A listed symbol (upper case as Binance spells it). */
export function symbol(registry: SymbolRegistry): Check<string> {
  return (raw) => {
    if (!SYMBOL_RE.test(raw)) return reject((p) => Errors.illegalCharsRange(p, SYMBOL_RANGE));
    return registry.has(raw) ? raw : reject(() => Errors.invalidSymbol());
  };
}

/** One of `values`, else the given error. */
export function oneOf<const T extends string>(values: readonly T[], onBad: ErrorFor): Check<T> {
  const set: ReadonlySet<string> = new Set(values);
  return (raw) => (set.has(raw) ? (raw as T) : reject(onBad));
}

/** An order side, BUY or SELL (both markets); anything else → -1117. */
export const side = oneOf(['BUY', 'SELL'] as const, () => Errors.invalidSide());

/** `true` / `false` (case-insensitive). */
export const bool: Check<boolean> = (raw) => {
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return reject((p) => Errors.invalidParameter(p, "must be 'true' or 'false'"));
};

/** A valid Binance parameter the simulator does not model: any value → -1020. */
export const unsupported: Check<never> = () => reject(() => Errors.unsupportedOperation());

/** A parameter accepted and ignored (pure tags such as `strategyId`), after validating it with `check`. */
export function ignored<T>(check: Check<T>): Check<undefined> {
  return (raw) => {
    const out = check(raw);
    return out instanceof Rejection ? out : undefined;
  };
}

/** The JSON array form of `symbols` (`["BTCUSDT","ETHUSDT"]`), each a listed symbol. */
export function symbolList(registry: SymbolRegistry): Check<string[]> {
  const range = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';
  const bad = reject((p) => Errors.illegalCharsRange(p, range));
  const one = symbol(registry);
  return (raw) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return bad;
    }
    if (!Array.isArray(parsed) || parsed.length === 0) return bad;
    const out: string[] = [];
    for (const item of parsed) {
      if (typeof item !== 'string') return bad;
      const s = one(item);
      if (s instanceof Rejection) return s;
      if (!out.includes(s)) out.push(s);
    }
    return out;
  };
}
