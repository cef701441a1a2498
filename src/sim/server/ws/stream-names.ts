/**
 * Spot market stream names (Binance WebSocket Streams docs, "Detailed Stream
 * information"): `<symbol>@<channel>`, symbol lower case.
 *
 * Served channels: `trade`, `aggTrade`, `bookTicker`, `depth` (1000 ms diffs),
 * `depth@100ms`, `depth5|10|20` and `depth5|10|20@100ms` (partial books,
 * 1000 ms / 100 ms), `miniTicker`, `ticker`, `kline_1m`. Other Binance streams
 * (other kline intervals, `avgPrice`, rolling-window tickers, `!…@arr`) are
 * not built by the replay and are refused.
 */

export type StreamSpec =
  | { readonly kind: 'trade' }
  | { readonly kind: 'aggTrade' }
  | { readonly kind: 'bookTicker' }
  | { readonly kind: 'diffDepth'; readonly periodMs: 100 | 250 | 500 | 1000 }
  | { readonly kind: 'partialDepth'; readonly levels: 5 | 10 | 20; readonly periodMs: 100 | 250 | 500 | 1000 }
  | { readonly kind: 'miniTicker' }
  | { readonly kind: 'ticker' }
  | { readonly kind: 'kline'; readonly interval: '1m' }
  /** USD-M only (`<symbol>@markPrice[@1s]`, see ../usdm/usdm-stream-names.ts); spot never parses it. 250/500 ms depths are USD-M too. */
  | { readonly kind: 'markPrice'; readonly periodMs: 1000 | 3000 };

/** A valid stream name, resolved. */
export interface ParsedStream {
  /** Canonical name (symbol lower-cased), as listed by LIST_SUBSCRIPTIONS and in combined wrappers. */
  readonly name: string;
  /** The symbol as the replay and exchangeInfo spell it (upper case). */
  readonly symbol: string;
  readonly spec: StreamSpec;
}

const CHANNELS: ReadonlyMap<string, StreamSpec> = new Map<string, StreamSpec>([
  ['trade', { kind: 'trade' }],
  ['aggTrade', { kind: 'aggTrade' }],
  ['bookTicker', { kind: 'bookTicker' }],
  ['depth', { kind: 'diffDepth', periodMs: 1000 }],
  ['depth@100ms', { kind: 'diffDepth', periodMs: 100 }],
  ['depth5', { kind: 'partialDepth', levels: 5, periodMs: 1000 }],
  ['depth10', { kind: 'partialDepth', levels: 10, periodMs: 1000 }],
  ['depth20', { kind: 'partialDepth', levels: 20, periodMs: 1000 }],
  ['depth5@100ms', { kind: 'partialDepth', levels: 5, periodMs: 100 }],
  ['depth10@100ms', { kind: 'partialDepth', levels: 10, periodMs: 100 }],
  ['depth20@100ms', { kind: 'partialDepth', levels: 20, periodMs: 100 }],
  ['miniTicker', { kind: 'miniTicker' }],
  ['ticker', { kind: 'ticker' }],
  ['kline_1m', { kind: 'kline', interval: '1m' }],
]);

const NAME_RE = /^([A-Za-z0-9]{1,20})@(.+)$/;

/** Parses a stream name; undefined when it is not one this server serves. */
export function parseStreamName(raw: string): ParsedStream | undefined {
  const m = NAME_RE.exec(raw);
  if (!m) return undefined;
  const [, sym = '', channel = ''] = m;
  const spec = CHANNELS.get(channel);
  if (!spec) return undefined;
  const lower = sym.toLowerCase();
  return { name: `${lower}@${channel}`, symbol: sym.toUpperCase(), spec };
}
