/**
 * The spot websocket routes:
 * - market streams (Binance WebSocket Streams): `/ws`, `/ws/<stream>[/<stream>…]` raw;
 *   `/stream`, `/stream/<anything>` (ccxt appends a numeric suffix) and
 *   `/stream?streams=<a>/<b>/…` combined (`{"stream","data"}` wrapper). Path segments and
 *   `streams=` entries that are not served stream names (numeric suffixes, listen keys)
 *   are ignored; the connection can subscribe later;
 * - the WebSocket API: `/ws-api/v3` (`?returnRateLimits=false` honoured).
 */
import type { Logger } from 'pino';
import type { StreamHub } from './stream-hub.ts';
import { type ParsedStream, parseStreamName } from './stream-names.ts';
import { StreamSession } from './stream-session.ts';
import type { WsRoute } from './upgrade.ts';
import { type WsApiDeps, WsApiSession } from './ws-api-session.ts';

const under = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

function initialStreams(url: URL, prefix: string): ParsedStream[] {
  const names = [
    ...url.pathname.slice(prefix.length).split('/'),
    ...(url.searchParams.get('streams') ?? '').split('/'),
  ];
  const out: ParsedStream[] = [];
  for (const n of names) {
    const s = n === '' ? undefined : parseStreamName(n);
    if (s && !out.some((o) => o.name === s.name)) out.push(s);
  }
  return out;
}

/** Route of the market-stream paths (`/ws…` raw, `/stream…` combined). */
export function spotStreamRoute(hub: StreamHub, logger: Logger): WsRoute {
  return {
    name: 'spot-streams',
    match: (p) => under(p, '/ws') || under(p, '/stream'),
    accept: (ws, url) => {
      const combined = under(url.pathname, '/stream');
      new StreamSession(ws, hub, logger, { combined, initial: initialStreams(url, combined ? '/stream' : '/ws') });
    },
  };
}

/** Route of the WebSocket API path `/ws-api/v3`. */
export function spotWsApiRoute(deps: WsApiDeps): WsRoute {
  return {
    name: 'spot-ws-api',
    match: (p) => p === '/ws-api/v3',
    accept: (ws, url, req) => {
      new WsApiSession(ws, deps, url.searchParams.get('returnRateLimits') !== 'false', { remoteAddress: req.socket.remoteAddress ?? '', path: url.pathname });
    },
  };
}
