/**
 * USDⓈ-M market stream names (Binance "USDⓈ-M Futures › Websocket Market
 * Streams"): `<symbol>@<channel>`, symbol lower case, served on two paths
 * (Binance's 2025 split of the futures websocket, which ccxt follows in
 * `getFutureWsCategory`):
 * - PUBLIC (`/public/ws`, `/public/stream`): `trade`, `bookTicker`, diff depth
 *   `depth` (250 ms), `depth@100ms`, `depth@250ms`, `depth@500ms`, partial books
 *   `depth5|10|20` with the same speeds;
 * - MARKET (`/market/ws`, `/market/stream`): `aggTrade`, `markPrice` (3 s),
 *   `markPrice@1s`, `miniTicker`, `ticker`, `kline_1m`.
 * A name of the other category is refused on a path, like an unknown one.
 */
import type { ParsedStream, StreamSpec } from '../ws/stream-names.ts';

/** Which futures websocket path a stream belongs to. */
export type UsdmStreamCategory = 'public' | 'market';

const PUBLIC = new Map<string, StreamSpec>([
  ['trade', { kind: 'trade' }],
  ['bookTicker', { kind: 'bookTicker' }],
  ['depth', { kind: 'diffDepth', periodMs: 250 }],
  ['depth@100ms', { kind: 'diffDepth', periodMs: 100 }],
  ['depth@250ms', { kind: 'diffDepth', periodMs: 250 }],
  ['depth@500ms', { kind: 'diffDepth', periodMs: 500 }],
]);
for (const levels of [5, 10, 20] as const) {
  PUBLIC.set(`depth${levels}`, { kind: 'partialDepth', levels, periodMs: 250 });
  PUBLIC.set(`depth${levels}@100ms`, { kind: 'partialDepth', levels, periodMs: 100 });
  PUBLIC.set(`depth${levels}@250ms`, { kind: 'partialDepth', levels, periodMs: 250 });
  PUBLIC.set(`depth${levels}@500ms`, { kind: 'partialDepth', levels, periodMs: 500 });
}

const MARKET = new Map<string, StreamSpec>([
  ['aggTrade', { kind: 'aggTrade' }],
  ['markPrice', { kind: 'markPrice', periodMs: 3000 }],
  ['markPrice@1s', { kind: 'markPrice', periodMs: 1000 }],
  ['miniTicker', { kind: 'miniTicker' }],
  ['ticker', { kind: 'ticker' }],
  ['kline_1m', { kind: 'kline', interval: '1m' }],
]);

const NAME_RE = /^([A-Za-z0-9]{1,20})@(.+)$/;

/** Parses a stream name served on `category`'s path; undefined when it is not one. */
export function parseUsdmStreamName(raw: string, category: UsdmStreamCategory): ParsedStream | undefined {
  const m = NAME_RE.exec(raw);
  if (!m) return undefined;
  const [, sym = '', channel = ''] = m;
  const spec = (category === 'public' ? PUBLIC : MARKET).get(channel);
  if (!spec) return undefined;
  return { name: `${sym.toLowerCase()}@${channel}`, symbol: sym.toUpperCase(), spec };
}
