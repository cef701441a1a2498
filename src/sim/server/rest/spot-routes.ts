/**
 * The spot REST route table under `/api/v3` (Binance spot REST API). A later
 * USD-M table (`/fapi/v1`, `/fapi/v2`, `/fapi/v3`) is built the same way and
 * added to the same {@link RouteTable}.
 */
import { RouteTable } from '../http/route-table.ts';
import { accountRoutes } from './account-routes.ts';
import type { SpotRouteDeps } from './deps.ts';
import { marketRoutes } from './market-routes.ts';

/** Path prefix of Binance's spot REST API v3. */
export const SPOT_API_BASE = '/api/v3';

/** Adds every spot route to `table` (a new one by default) and returns it. */
export function spotRouteTable(deps: SpotRouteDeps, table = new RouteTable()): RouteTable {
  for (const r of marketRoutes(deps, SPOT_API_BASE)) table.add(r);
  for (const r of accountRoutes(deps, SPOT_API_BASE)) table.add(r);
  return table;
}
