/**
 * Signed spot REST endpoints (security TRADE / USER_DATA), Binance spot REST
 * API docs "Account endpoints" / "Trading endpoints". The auth stage has
 * verified key, timestamp and signature and put the account on the context;
 * these handlers parse the endpoint's own parameters and call the venue,
 * whose replies are already Binance wire JSON.
 */
import type { RouteSpec } from '../http/context.ts';
import { callerAccount } from './caller.ts';
import type { SpotRouteDeps } from './deps.ts';
import { parseFor } from './parse-for.ts';
import { bySymbol } from './weights.ts';

/** True when a balance row has zero `free` and zero `locked`. */
function isZeroBalance(row: unknown): boolean {
  if (typeof row !== 'object' || row === null) return false;
  const r = row as Record<string, unknown>;
  return Number(r['free']) === 0 && Number(r['locked']) === 0;
}

/** The signed routes under `base`: account, order (POST/GET/DELETE), order/test, openOrders (GET/DELETE), allOrders, myTrades, orderList/oco, order/oco, orderList (GET/DELETE), openOrderList. */
export function accountRoutes(deps: SpotRouteDeps, base: string): RouteSpec[] {
  const { venue, schemas } = deps;
  return [
    {
      method: 'GET',
      path: `${base}/account`,
      security: 'USER_DATA',
      weight: 20,
      handle: (ctx) => {
        const p = parseFor(ctx, schemas.account);
        const body = venue.account(callerAccount(ctx).id);
        if (p.omitZeroBalances !== true || !Array.isArray(body['balances'])) return body;
        return { ...body, balances: (body['balances'] as unknown[]).filter((b) => !isZeroBalance(b)) };
      },
    },
    {
      method: 'POST',
      path: `${base}/order`,
      security: 'TRADE',
      weight: 1,
      orders: 1,
      handle: (ctx) => venue.placeOrder(callerAccount(ctx).id, parseFor(ctx, schemas.newOrder)),
    },
    {
      method: 'POST',
      path: `${base}/order/test`,
      security: 'TRADE',
      weight: (p) => (p['computeCommissionRates'] === 'true' ? 20 : 1),
      handle: (ctx) => venue.testOrder(callerAccount(ctx).id, parseFor(ctx, schemas.testOrder)),
    },
    {
      method: 'GET',
      path: `${base}/order`,
      security: 'USER_DATA',
      weight: 4,
      handle: (ctx) => venue.queryOrder(callerAccount(ctx).id, parseFor(ctx, schemas.queryOrder)),
    },
    {
      method: 'DELETE',
      path: `${base}/order`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => venue.cancelOrder(callerAccount(ctx).id, parseFor(ctx, schemas.cancelOrder)),
    },
    {
      method: 'DELETE',
      path: `${base}/openOrders`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => venue.cancelOpenOrders(callerAccount(ctx).id, parseFor(ctx, schemas.cancelOpenOrders).symbol),
    },
    {
      method: 'GET',
      path: `${base}/openOrders`,
      security: 'USER_DATA',
      weight: bySymbol(6, 80),
      handle: (ctx) => venue.openOrders(callerAccount(ctx).id, parseFor(ctx, schemas.openOrders).symbol),
    },
    {
      method: 'GET',
      path: `${base}/allOrders`,
      security: 'USER_DATA',
      weight: 20,
      handle: (ctx) => venue.allOrders(callerAccount(ctx).id, parseFor(ctx, schemas.allOrders)),
    },
    {
      method: 'GET',
      path: `${base}/myTrades`,
      security: 'USER_DATA',
      weight: (p) => (p['orderId'] !== undefined ? 5 : 20),
      handle: (ctx) => venue.myTrades(callerAccount(ctx).id, parseFor(ctx, schemas.myTrades)),
    },
    {
      method: 'POST',
      path: `${base}/orderList/oco`,
      security: 'TRADE',
      weight: 1,
      orders: 2,
      handle: (ctx) => venue.placeOco(callerAccount(ctx).id, parseFor(ctx, schemas.oco)),
    },
    {
      method: 'POST',
      path: `${base}/order/oco`,
      security: 'TRADE',
      weight: 1,
      orders: 2,
      handle: (ctx) => venue.placeLegacyOco(callerAccount(ctx).id, parseFor(ctx, schemas.legacyOco)),
    },
    {
      method: 'GET',
      path: `${base}/orderList`,
      security: 'USER_DATA',
      weight: 4,
      handle: (ctx) => venue.queryOrderList(callerAccount(ctx).id, parseFor(ctx, schemas.queryOrderList)),
    },
    {
      method: 'DELETE',
      path: `${base}/orderList`,
      security: 'TRADE',
      weight: 1,
      handle: (ctx) => venue.cancelOrderList(callerAccount(ctx).id, parseFor(ctx, schemas.cancelOrderList)),
    },
    {
      method: 'GET',
      path: `${base}/openOrderList`,
      security: 'USER_DATA',
      weight: 6,
      handle: (ctx) => (parseFor(ctx, schemas.none), venue.openOrderLists(callerAccount(ctx).id)),
    },
  ];
}
