/**
 * The USDⓈ-M websocket routes (Binance "USDⓈ-M Futures › Websocket Market Streams"
 * and "User Data Streams", with the 2025 path split ccxt uses):
 * - `/public/ws[/…]` raw and `/public/stream[/…|?streams=…]` combined: trade,
 *   bookTicker, depth (see ./usdm-stream-names.ts);
 * - `/market/ws[/…]` and `/market/stream[/…]`: aggTrade, markPrice, tickers, klines;
 * - `/private/ws?listenKey=K` (or `/private/ws/K`): the user data stream.
 * Path segments and `streams=` entries that are not served stream names (ccxt's
 * numeric suffixes) are ignored; the connection can subscribe later.
 */
import type { Logger } from 'pino';
import type { ParsedStream } from '../ws/stream-names.ts';
import type { StreamHub } from '../ws/stream-hub.ts';
import { StreamSession } from '../ws/stream-session.ts';
import type { WsRoute } from '../ws/upgrade.ts';
import { type UsdmStreamCategory, parseUsdmStreamName } from './usdm-stream-names.ts';
import type { UsdmUserStreams } from './usdm-user-streams.ts';

const under = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

function initialStreams(url: URL, prefix: string, category: UsdmStreamCategory): ParsedStream[] {
  const names = [...url.pathname.slice(prefix.length).split('/'), ...(url.searchParams.get('streams') ?? '').split('/')];
  const out: ParsedStream[] = [];
  for (const n of names) {
    const s = n === '' ? undefined : parseUsdmStreamName(n, category);
    if (s && !out.some((o) => o.name === s.name)) out.push(s);
  }
  return out;
}

/** The market-stream route of one category (`/public/…` or `/market/…`). */
export function usdmStreamRoute(hub: StreamHub, logger: Logger, category: UsdmStreamCategory): WsRoute {
  const ws = `/${category}/ws`;
  const stream = `/${category}/stream`;
  return {
    name: `usdm-${category}-streams`,
    match: (p) => under(p, ws) || under(p, stream),
    accept: (socket, url) => {
      const combined = under(url.pathname, stream);
      new StreamSession(socket, hub, logger, {
        combined,
        initial: initialStreams(url, combined ? stream : ws, category),
        parse: (raw) => parseUsdmStreamName(raw, category),
      });
    },
  };
}

/** The listen-key user data route. */
export function usdmPrivateRoute(streams: UsdmUserStreams): WsRoute {
  return {
    name: 'usdm-private',
    match: (p) => under(p, '/private/ws'),
    accept: (socket, url) => streams.accept(socket, url),
  };
}
