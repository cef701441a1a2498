/**
 * Signed USDⓈ-M REST endpoints (security TRADE / USER_DATA) and the listen-key
 * endpoints (USER_STREAM: API key only), Binance "USDⓈ-M Futures › Trade / Account /
 * User Data Streams". The auth stage has checked the key, timestamp and signature
 * and put the account on the context; handlers parse their own parameters and call
 * the venue. Weights are Binance's IP weights (order placement weighs 0 on the IP
 * limit and counts 1 against the order-count limits instead: `orders`).
 */
import { Errors } from '../../venue/errors.ts';
import { UsdmErrors } from '../../venue/usdm/errors.ts';
import type { RestContext, RouteSpec } from '../http/context.ts';
import { callerAccount } from '../rest/caller.ts';
import { parseFor } from '../rest/parse-for.ts';
import { bySymbol } from '../rest/weights.ts';
import { FAPI_V1, FAPI_V2, FAPI_V3, type UsdmRouteDeps } from './usdm-routes-deps.ts';

/** The signed futures routes and the listen-key routes. */
export function usdmAccountRoutes(deps: UsdmRouteDeps): RouteSpec[] {
  const { venue, schemas, listenKeys } = deps;
  const id = (ctx: RestContext) => callerAccount(ctx).id;
  return [
    // ---- trade
    { method: 'POST', path: `${FAPI_V1}/order`, security: 'TRADE', weight: 0, orders: 1, handle: (ctx) => venue.placeOrder(id(ctx), parseFor(ctx, schemas.newOrder)) },
    { method: 'GET', path: `${FAPI_V1}/order`, security: 'USER_DATA', weight: 1, handle: (ctx) => venue.queryOrder(id(ctx), parseFor(ctx, schemas.queryOrder)) },
    { method: 'DELETE', path: `${FAPI_V1}/order`, security: 'TRADE', weight: 1, handle: (ctx) => venue.cancelOrder(id(ctx), parseFor(ctx, schemas.cancelOrder)) },
    {
      method: 'DELETE',
      path: `${FAPI_V1}/allOpenOrders`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => venue.cancelAllOpenOrders(id(ctx), parseFor(ctx, schemas.symbolOnly).symbol),
    },
    { method: 'GET', path: `${FAPI_V1}/openOrder`, security: 'USER_DATA', weight: 1, handle: (ctx) => venue.queryOpenOrder(id(ctx), parseFor(ctx, schemas.queryOrder)) },
    {
      method: 'GET',
      path: `${FAPI_V1}/openOrders`,
      security: 'USER_DATA',
      weight: bySymbol(1, 40),
      handle: (ctx) => venue.openOrders(id(ctx), parseFor(ctx, schemas.optionalSymbol).symbol),
    },
    { method: 'GET', path: `${FAPI_V1}/allOrders`, security: 'USER_DATA', weight: 5, handle: (ctx) => venue.allOrders(id(ctx), parseFor(ctx, schemas.allOrders)) },
    { method: 'GET', path: `${FAPI_V1}/userTrades`, security: 'USER_DATA', weight: 5, handle: (ctx) => venue.userTrades(id(ctx), parseFor(ctx, schemas.userTrades)) },
    // ---- algo (conditional) orders
    { method: 'POST', path: `${FAPI_V1}/algoOrder`, security: 'TRADE', weight: 0, orders: 1, handle: (ctx) => venue.placeAlgoOrder(id(ctx), parseFor(ctx, schemas.newAlgoOrder)) },
    { method: 'GET', path: `${FAPI_V1}/algoOrder`, security: 'USER_DATA', weight: 1, handle: (ctx) => venue.queryAlgoOrder(id(ctx), parseFor(ctx, schemas.algoRef)) },
    { method: 'DELETE', path: `${FAPI_V1}/algoOrder`, security: 'TRADE', weight: 1, handle: (ctx) => venue.cancelAlgoOrder(id(ctx), parseFor(ctx, schemas.algoRef)) },
    {
      method: 'DELETE',
      path: `${FAPI_V1}/algoOpenOrders`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => venue.cancelAllAlgoOpenOrders(id(ctx), parseFor(ctx, schemas.symbolOnly).symbol),
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/openAlgoOrders`,
      security: 'USER_DATA',
      weight: bySymbol(1, 40),
      handle: (ctx) => venue.openAlgoOrders(id(ctx), parseFor(ctx, schemas.openAlgoOrders).symbol),
    },
    { method: 'GET', path: `${FAPI_V1}/allAlgoOrders`, security: 'USER_DATA', weight: 5, handle: (ctx) => venue.allAlgoOrders(id(ctx), parseFor(ctx, schemas.allAlgoOrders)) },
    // ---- account
    { method: 'GET', path: `${FAPI_V3}/account`, security: 'USER_DATA', weight: 5, handle: (ctx) => (parseFor(ctx, schemas.none), venue.accountV3(id(ctx))) },
    { method: 'GET', path: `${FAPI_V2}/account`, security: 'USER_DATA', weight: 5, handle: (ctx) => (parseFor(ctx, schemas.none), venue.accountV2(id(ctx))) },
    { method: 'GET', path: `${FAPI_V2}/balance`, security: 'USER_DATA', weight: 5, handle: (ctx) => (parseFor(ctx, schemas.none), venue.balance(id(ctx))) },
    { method: 'GET', path: `${FAPI_V3}/balance`, security: 'USER_DATA', weight: 5, handle: (ctx) => (parseFor(ctx, schemas.none), venue.balance(id(ctx))) },
    {
      method: 'GET',
      path: `${FAPI_V3}/positionRisk`,
      security: 'USER_DATA',
      weight: 5,
      handle: (ctx) => venue.positionRiskV3(id(ctx), parseFor(ctx, schemas.optionalSymbol).symbol),
    },
    {
      method: 'GET',
      path: `${FAPI_V2}/positionRisk`,
      security: 'USER_DATA',
      weight: 5,
      handle: (ctx) => venue.positionRiskV2(id(ctx), parseFor(ctx, schemas.optionalSymbol).symbol),
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/leverageBracket`,
      security: 'USER_DATA',
      weight: 1,
      handle: (ctx) => venue.leverageBracket(id(ctx), parseFor(ctx, schemas.optionalSymbol).symbol),
    },
    {
      method: 'POST',
      path: `${FAPI_V1}/leverage`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.leverage);
        return venue.changeLeverage(id(ctx), p.symbol, p.leverage);
      },
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/symbolConfig`,
      security: 'USER_DATA',
      weight: 5,
      handle: (ctx) => venue.symbolConfig(id(ctx), parseFor(ctx, schemas.optionalSymbol).symbol),
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/commissionRate`,
      security: 'USER_DATA',
      weight: 20,
      handle: (ctx) => venue.commissionRate(id(ctx), parseFor(ctx, schemas.symbolOnly).symbol),
    },
    {
      // Cross margin only: CROSSED is already set (-4046), ISOLATED is not simulated (-1020).
      method: 'POST',
      path: `${FAPI_V1}/marginType`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.marginType);
        id(ctx);
        throw p.marginType === 'CROSSED' ? UsdmErrors.noNeedToChangeMarginType() : Errors.unsupportedOperation();
      },
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/positionSide/dual`,
      security: 'USER_DATA',
      weight: 30,
      handle: (ctx) => (parseFor(ctx, schemas.none), id(ctx), { dualSidePosition: false }),
    },
    {
      // One-way mode only: false is already set (-4059), hedge mode is not simulated (-1020).
      method: 'POST',
      path: `${FAPI_V1}/positionSide/dual`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.dualSide);
        id(ctx);
        throw p.dualSidePosition ? Errors.unsupportedOperation() : UsdmErrors.noNeedToChangePositionSide();
      },
    },
    {
      method: 'GET',
      path: `${FAPI_V1}/multiAssetsMargin`,
      security: 'USER_DATA',
      weight: 30,
      handle: (ctx) => (parseFor(ctx, schemas.none), id(ctx), { multiAssetsMargin: false }),
    },
    // ---- user data stream (listen key)
    {
      method: 'POST',
      path: `${FAPI_V1}/listenKey`,
      security: 'USER_STREAM',
      weight: 1,
      handle: (ctx) => (parseFor(ctx, schemas.ignoreAll), { listenKey: listenKeys.start(id(ctx)) }),
    },
    {
      method: 'PUT',
      path: `${FAPI_V1}/listenKey`,
      security: 'USER_STREAM',
      weight: 1,
      handle: (ctx) => (parseFor(ctx, schemas.ignoreAll), { listenKey: listenKeys.keepAlive(id(ctx)) }),
    },
    {
      method: 'DELETE',
      path: `${FAPI_V1}/listenKey`,
      security: 'USER_STREAM',
      weight: 1,
      handle: (ctx) => (parseFor(ctx, schemas.ignoreAll), listenKeys.close(id(ctx)), {}),
    },
  ];
}
