/**
 * Reading a recorded Binance `exchangeInfo` body (spot `GET /api/v3/exchangeInfo`,
 * USDⓈ-M `GET /fapi/v1/exchangeInfo`): the file is read and parsed the same way for
 * both markets; each market brings its own symbol schema and rules.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A loaded exchangeInfo: the raw body to serve and the parsed rules by symbol. */
export interface RecordedExchangeInfo<R> {
  readonly raw: Record<string, unknown>;
  readonly rules: ReadonlyMap<string, R>;
}

/** How the errors of {@link readExchangeInfo} name the file's kind and the setting that chooses it. */
export interface ExchangeInfoSource {
  /** e.g. `exchangeInfo`, `USD-M exchangeInfo`. */
  readonly what: string;
  /** The option (or flag) that sets another file. */
  readonly setting: string;
}

/**
 * Reads the body at `path`, checks every `symbols` entry with `symbolSchema` (other
 * top-level fields pass through) and maps each to its rules with `toRules`.
 * @throws Error naming the file when it is missing (`<what> not found at <path>; set
 *   another file with <setting>`) or does not parse (with zod's issues).
 */
export function readExchangeInfo<S extends z.ZodType<{ readonly symbol: string }>, R>(
  path: string,
  symbolSchema: S,
  toRules: (symbol: z.output<S>) => R,
  source: ExchangeInfoSource,
): RecordedExchangeInfo<R> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${source.what} not found at ${path}; set another file with ${source.setting}`);
  }
  const parsed = z.looseObject({ symbols: z.array(symbolSchema) }).safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${source.what} at ${path} does not parse: ${z.prettifyError(parsed.error)}`);
  const rules = new Map<string, R>();
  for (const s of parsed.data.symbols) rules.set(s.symbol, toRules(s));
  return { raw: parsed.data as Record<string, unknown>, rules };
}
