/**
 * Mounts the USDⓈ-M side on the simulator's server: adds the `/fapi/v1|v2|v3`
 * routes to the shared route table (same pipeline, auth and hooks as spot; the
 * futures accounts share the spot API keys) and returns the futures websocket
 * routes (`/public/ws`, `/market/ws`, `/private/ws?listenKey=`) for the upgrade
 * handler, plus the in-process controls tests need.
 */
import type { Logger } from 'pino';
import type { Replay } from '../../market/types.ts';
import type { UserEvent, UsdmVenueApi } from '../../venue/usdm/types.ts';
import type { RouteTable } from '../http/route-table.ts';
import { SymbolRegistry } from '../symbols.ts';
import { StreamHub } from '../ws/stream-hub.ts';
import type { WsRoute } from '../ws/upgrade.ts';
import { ListenKeys } from './listen-keys.ts';
import { usdmAccountRoutes } from './usdm-account-routes.ts';
import { usdmMarketRoutes } from './usdm-market-routes.ts';
import { usdmSchemas } from './usdm-schemas.ts';
import { createUsdmProducer } from './usdm-stream-producers.ts';
import { UsdmUserStreams } from './usdm-user-streams.ts';
import { usdmPrivateRoute, usdmStreamRoute } from './usdm-ws-routes.ts';

/** The USD-M part of `ServerOptions` (see ../server.ts). */
export interface UsdmServerOptions {
  readonly venue: UsdmVenueApi;
  /** ms a listen key stays valid without keep-alive (default 60 min, Binance's). */
  readonly listenKeyValidityMs?: number;
}

/** In-process controls of the mounted USD-M side. */
export interface UsdmServerControl {
  /** Expires listen keys now (one account's, or all): `listenKeyExpired` is sent and their sockets closed. Returns how many. */
  expireListenKey(accountId?: string): number;
  /** The account's active listen key, if any. */
  listenKeyOf(accountId: string): string | undefined;
  /** Open `/private/ws` connections (e.g. to wait until a client's `watchOrders` is live). */
  userStreamSubscribers(): number;
  /** Futures market streams with at least one subscriber. */
  activeMarketStreams(): number;
}

export interface UsdmMount {
  readonly wsRoutes: readonly WsRoute[];
  readonly control: UsdmServerControl;
  /** Starts feeding the streams from the replay and the venue; returns the detach function (call on close). */
  attach(): () => void;
}

/** Adds the futures REST routes to `routes` and builds the futures websocket side. */
export function mountUsdm(deps: {
  readonly options: UsdmServerOptions;
  readonly replay: Replay;
  readonly routes: RouteTable;
  readonly logger: Logger;
  /** Wall clock, ms. */
  readonly now: () => number;
  /** Fault injection's user-event filter (`WsHooks.deliverUserEvent`). */
  readonly deliverUserEvent?: (event: UserEvent) => boolean;
}): UsdmMount {
  const { options, replay, routes, logger, now } = deps;
  const { venue } = options;
  const registry = new SymbolRegistry(venue.exchangeInfo());
  const listenKeys = new ListenKeys({ ...(options.listenKeyValidityMs !== undefined && { validityMs: options.listenKeyValidityMs }), now });
  const routeDeps = { venue, replay, registry, schemas: usdmSchemas(registry), listenKeys, now };
  for (const r of usdmMarketRoutes(routeDeps)) routes.add(r);
  for (const r of usdmAccountRoutes(routeDeps)) routes.add(r);

  const hub = new StreamHub(replay, 'usdm', logger, (stream) => createUsdmProducer(stream, replay));
  const userStreams = new UsdmUserStreams({
    listenKeys,
    logger,
    eventClock: () => replay.now(),
    ...(deps.deliverUserEvent && { deliver: deps.deliverUserEvent }),
  });
  return {
    wsRoutes: [usdmStreamRoute(hub, logger, 'public'), usdmStreamRoute(hub, logger, 'market'), usdmPrivateRoute(userStreams)],
    control: {
      expireListenKey: (accountId) => listenKeys.expire(accountId),
      listenKeyOf: (accountId) => listenKeys.keyOf(accountId),
      userStreamSubscribers: () => userStreams.connectionCount(),
      activeMarketStreams: () => hub.activeStreams(),
    },
    attach: () => {
      const detachHub = hub.attach();
      const detachUser = userStreams.attach(venue);
      return () => {
        detachHub();
        detachUser();
        listenKeys.dispose();
      };
    },
  };
}
