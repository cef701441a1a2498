/**
 * The instruments the venue lists, read once from its `exchangeInfo` body.
 * Used to answer -1121 "Invalid symbol." for unknown symbols before a request
 * reaches the venue or the replay, and to enumerate symbols for the
 * all-symbol ticker endpoints.
 */
import type { Wire } from '../venue/types.ts';

/** Symbols listed in an `exchangeInfo` body (`symbols[].symbol`, upper case as Binance spells them). */
export class SymbolRegistry {
  private readonly symbols: ReadonlySet<string>;
  private readonly ordered: readonly string[];

  constructor(exchangeInfo: Wire) {
    const list = Array.isArray(exchangeInfo['symbols']) ? (exchangeInfo['symbols'] as unknown[]) : [];
    const names: string[] = [];
    for (const entry of list) {
      if (typeof entry === 'object' && entry !== null) {
        const name = (entry as Record<string, unknown>)['symbol'];
        if (typeof name === 'string') names.push(name);
      }
    }
    this.ordered = names;
    this.symbols = new Set(names);
  }

  /** True when `symbol` (exact, upper case) is listed. */
  has(symbol: string): boolean {
    return this.symbols.has(symbol);
  }

  /** Every listed symbol, in exchangeInfo order. */
  all(): readonly string[] {
    return this.ordered;
  }
}
