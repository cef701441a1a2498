/**
 * Public USDⓈ-M REST endpoints (security NONE), Binance "USDⓈ-M Futures › Market
 * Data › REST API": ping, time, exchangeInfo, depth, trades, aggTrades, klines,
 * ticker/24hr, ticker/price (v1 and v2), ticker/bookTicker, premiumIndex. Weights
 * are Binance's IP weights. Market data comes from the replay's `usdm` recordings;
 * `serverTime` is the wall clock.
 */
import { Errors } from '../../venue/errors.ts';
import { markPrice, nextFundingTime } from '../../venue/usdm/mark.ts';
import type { RestContext, RouteSpec } from '../http/context.ts';
import { aggTradesPage, klinesPage } from '../rest/market-pages.ts';
import { parseFor } from '../rest/parse-for.ts';
import { bySymbol } from '../rest/weights.ts';
import { restKline } from '../wire/market-wire.ts';
import {
  futRestAggTrade,
  futRestBookTicker,
  futRestDepth,
  futRestPremiumIndex,
  futRestTicker24hr,
  futRestTickerPrice,
  futRestTrade,
} from './usdm-market-wire.ts';
import { FAPI_V1, FAPI_V2, type UsdmRouteDeps } from './usdm-routes-deps.ts';

/** The public futures routes. */
export function usdmMarketRoutes(deps: UsdmRouteDeps): RouteSpec[] {
  const { replay, schemas, registry } = deps;
  /** A `bySymbol` handler: the row of `symbol` when sent, else the rows of every listed symbol (replay time `now`). */
  const perSymbol = (row: (symbol: string, now: number) => unknown) => (ctx: RestContext) => {
    const p = parseFor(ctx, schemas.bySymbol);
    const now = replay.now();
    const rows = (p.symbol !== undefined ? [p.symbol] : registry.all()).map((s) => row(s, now));
    return p.symbol !== undefined ? rows[0] : rows;
  };
  const tickerPrice = perSymbol((s, now) => futRestTickerPrice(s, replay.lastTrade('usdm', s), now));
  return [
    { method: 'GET', path: `${FAPI_V1}/ping`, security: 'NONE', weight: 1, handle: (ctx) => (parseFor(ctx, schemas.none), {}) },
    { method: 'GET', path: `${FAPI_V1}/time`, security: 'NONE', weight: 1, handle: (ctx) => (parseFor(ctx, schemas.none), { serverTime: deps.now() }) },
    {
      method: 'GET',
      path: `${FAPI_V1}/exchangeInfo`,
      security: 'NONE',
      weight: 1,
      handle: (ctx) => (parseFor(ctx, schemas.none), { ...deps.venue.exchangeInfo(), serverTime: deps.now() }),
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/depth`,
      security: 'NONE',
      weight: (p) => {
        const limit = Number(p['limit'] ?? 500);
        return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
      },
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.depth);
        const book = replay.book('usdm', p.symbol);
        const now = replay.now();
        return futRestDepth(book ? book.depth(p.limit ?? 500) : { lastUpdateId: 0, bids: [], asks: [] }, now);
      },
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/trades`,
      security: 'NONE',
      weight: 5,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.trades);
        return replay.recentTrades('usdm', p.symbol, p.limit ?? 500).map(futRestTrade);
      },
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/aggTrades`,
      security: 'NONE',
      weight: 20,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.aggTrades);
        return aggTradesPage(replay.recentTrades('usdm', p.symbol, 1000), p).map(futRestAggTrade);
      },
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/klines`,
      security: 'NONE',
      weight: (p) => {
        const limit = Number(p['limit'] ?? 500);
        return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
      },
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.klines);
        if (p.interval !== '1m') throw Errors.invalidInterval();
        return klinesPage(replay.klines('usdm', p.symbol, 1500), p).map(restKline);
      },
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/ticker/24hr`,
      security: 'NONE',
      weight: bySymbol(1, 40),
      handle: perSymbol((s, now) => futRestTicker24hr(s, replay.ticker('usdm', s), now)),
    },
    { method: 'GET', path: `${FAPI_V1}/ticker/price`, security: 'NONE', weight: bySymbol(1, 2), handle: tickerPrice },
    { method: 'GET', path: `${FAPI_V2}/ticker/price`, security: 'NONE', weight: bySymbol(1, 2), handle: tickerPrice },
    {
      method: 'GET',
      path: `${FAPI_V1}/ticker/bookTicker`,
      security: 'NONE',
      weight: bySymbol(2, 5),
      handle: perSymbol((s, now) => futRestBookTicker(s, replay.book('usdm', s), now)),
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/premiumIndex`,
      security: 'NONE',
      weight: bySymbol(1, 10),
      handle: perSymbol((s, now) => futRestPremiumIndex(s, markPrice(replay, s), nextFundingTime(now), now)),
    },
  ];
}
