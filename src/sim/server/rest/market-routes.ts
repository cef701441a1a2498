/**
 * Public spot REST endpoints (security NONE), Binance spot REST API docs
 * "General endpoints" and "Market Data endpoints". Market data comes from the
 * replay; `serverTime` is the wall clock (what signed requests are checked
 * against), event times in payloads are the replay clock.
 */
import { Errors } from '../../venue/errors.ts';
import type { ParamBag, RouteSpec } from '../http/context.ts';
import { quoteOf, restAggTrade, restBookTicker, restKline, restTicker24hr, restTickerMini, restTrade } from '../wire/market-wire.ts';
import type { SpotRouteDeps } from './deps.ts';
import { aggTradesPage, klinesPage } from './market-pages.ts';
import { parseFor } from './parse-for.ts';
import { bySymbol } from './weights.ts';

/** Resolves `symbol` / `symbols` (mutually exclusive, -1128) to a list, or every listed symbol when neither is sent. */
function selectSymbols(deps: SpotRouteDeps, p: { symbol?: string | undefined; symbols?: string[] | undefined }): { list: readonly string[]; single: boolean } {
  if (p.symbol !== undefined && p.symbols !== undefined) throw Errors.badParamCombo();
  if (p.symbol !== undefined) return { list: [p.symbol], single: true };
  return { list: p.symbols ?? deps.registry.all(), single: false };
}

/**
 * `GET /api/v3/ticker/24hr` weight (Binance "24hr ticker price change statistics"): `symbol` 2;
 * `symbols` 1–20 → 2, 21–100 → 40, 101 or more → 80; neither → 80. A malformed `symbols` counts as many.
 */
const ticker24hrWeight = (p: ParamBag): number => {
  if (p['symbol'] !== undefined) return 2;
  const raw = p['symbols'];
  if (raw === undefined) return 80;
  let n = Infinity;
  try {
    const list: unknown = JSON.parse(raw);
    if (Array.isArray(list)) n = list.length;
  } catch {
    // malformed: the handler rejects it; weigh it as the heaviest
  }
  return n <= 20 ? 2 : n <= 100 ? 40 : 80;
};

/** The public routes under `base` (e.g. `/api/v3`): ping, time, exchangeInfo, depth, trades, aggTrades, klines, ticker/24hr|price|bookTicker. */
export function marketRoutes(deps: SpotRouteDeps, base: string): RouteSpec[] {
  const { replay, schemas, market } = deps;
  return [
    {
      method: 'GET',
      path: `${base}/ping`,
      security: 'NONE',
      weight: 1,
      handle: (ctx) => (parseFor(ctx, schemas.none), {}),
    },
    {
      method: 'GET',
      path: `${base}/time`,
      security: 'NONE',
      weight: 1,
      handle: (ctx) => (parseFor(ctx, schemas.none), { serverTime: deps.now() }),
    },
    {
      method: 'GET',
      path: `${base}/exchangeInfo`,
      security: 'NONE',
      weight: 20,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.exchangeInfo);
        const info = deps.venue.exchangeInfo();
        const wanted = p.symbol !== undefined || p.symbols !== undefined ? new Set(selectSymbols(deps, p).list) : undefined;
        const all = Array.isArray(info['symbols']) ? (info['symbols'] as Array<Record<string, unknown>>) : [];
        return { ...info, serverTime: deps.now(), symbols: wanted ? all.filter((s) => wanted.has(String(s['symbol']))) : all };
      },
    },
    {
      method: 'GET',
      path: `${base}/depth`,
      security: 'NONE',
      weight: (p) => {
        const limit = Number(p['limit'] ?? 100);
        return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
      },
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.depth);
        const book = replay.book(market, p.symbol);
        return book ? book.depth(p.limit ?? 100) : { lastUpdateId: 0, bids: [], asks: [] };
      },
    },
    {
      method: 'GET',
      path: `${base}/trades`,
      security: 'NONE',
      weight: 25,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.trades);
        return replay.recentTrades(market, p.symbol, p.limit ?? 500).map(restTrade);
      },
    },
    {
      method: 'GET',
      path: `${base}/aggTrades`,
      security: 'NONE',
      weight: 4,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.aggTrades);
        return aggTradesPage(replay.recentTrades(market, p.symbol, 1000), p).map(restAggTrade);
      },
    },
    {
      method: 'GET',
      path: `${base}/klines`,
      security: 'NONE',
      weight: 2,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.klines);
        if (p.interval !== '1m') throw Errors.invalidInterval();
        return klinesPage(replay.klines(market, p.symbol, 1000), p).map(restKline);
      },
    },
    {
      method: 'GET',
      path: `${base}/ticker/24hr`,
      security: 'NONE',
      weight: ticker24hrWeight,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.ticker24hr);
        const { list, single } = selectSymbols(deps, p);
        const now = replay.now();
        const rows = list.map((s) => {
          const t = replay.ticker(market, s);
          return p.type === 'MINI' ? restTickerMini(s, t, now) : restTicker24hr(s, t, quoteOf(replay.book(market, s)), now);
        });
        return single ? rows[0] : rows;
      },
    },
    {
      method: 'GET',
      path: `${base}/ticker/price`,
      security: 'NONE',
      weight: bySymbol(2, 4),
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.tickerBySymbol);
        const { list, single } = selectSymbols(deps, p);
        const rows = list.map((s) => ({ symbol: s, price: replay.lastTrade(market, s)?.price ?? '0.00000000' }));
        return single ? rows[0] : rows;
      },
    },
    {
      method: 'GET',
      path: `${base}/ticker/bookTicker`,
      security: 'NONE',
      weight: bySymbol(2, 4),
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.tickerBySymbol);
        const { list, single } = selectSymbols(deps, p);
        const rows = list.map((s) => restBookTicker(s, quoteOf(replay.book(market, s))));
        return single ? rows[0] : rows;
      },
    },
  ];
}
