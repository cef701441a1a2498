/**
 * The simulator's transport layer: one node:http server on 127.0.0.1 serving
 * Binance spot REST (`/api/v3/…`), the market streams (`/ws…`, `/stream…`) and
 * the WebSocket API (`/ws-api/v3`) on the same port, so the unmodified ccxt
 * `binance` / `pro.binance` client trades against it as against Binance.
 *
 * Clocks: request signatures and `recvWindow` are checked against the WALL
 * clock (`Date.now()`, also what `GET /api/v3/time` answers), because clients
 * stamp requests with theirs; market data and order/event times (`E`, `T`,
 * `transactTime`, kline times) come from the REPLAY clock.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Replay } from '../market/types.ts';
import type { SpotVenueApi } from '../venue/types.ts';
import { buildRestPipeline, type PipelineHooks } from './http/pipeline.ts';
import { createRequestListener } from './http/request-listener.ts';
import { spotSchemas } from './params/spot-schemas.ts';
import { spotRouteTable } from './rest/spot-routes.ts';
import { SymbolRegistry } from './symbols.ts';
import { TimingRing, type TimingSummary } from './timings.ts';
import { mountUsdm, type UsdmServerControl, type UsdmServerOptions } from './usdm/mount.ts';
import { Heartbeat } from './ws/heartbeat.ts';
import type { WsHooks } from './ws/hooks.ts';
import { spotStreamRoute, spotWsApiRoute } from './ws/spot-ws-routes.ts';
import { StreamHub } from './ws/stream-hub.ts';
import { createUpgradeHandler } from './ws/upgrade.ts';
import { UserHub } from './ws/user-hub.ts';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Interface to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** Port; 0 (default) picks a free one. */
  readonly port?: number;
  readonly venue: SpotVenueApi;
  readonly replay: Replay;
  /** Default: a silent pino logger. Unexpected errors are logged at `error`. */
  readonly logger?: Logger;
  /** ms between server pings on every websocket (default 20,000, Binance's value). */
  readonly pingIntervalMs?: number;
  /** ms a ping may stay unanswered before the socket is terminated (default 60,000, Binance's value). */
  readonly pongTimeoutMs?: number;
  /** Extra REST middlewares (rate limits, fault injection); see ./http/pipeline.ts. */
  readonly restHooks?: PipelineHooks;
  /** Websocket hooks (fault injection, WebSocket API rate limits); see ./ws/hooks.ts. */
  readonly wsHooks?: WsHooks;
  /** Capacity of the handling-time ring buffer (default 65,536 samples). */
  readonly timingCapacity?: number;
  /** HTTP keep-alive idle timeout, ms (default 60,000). */
  readonly keepAliveTimeoutMs?: number;
  /** USD-M futures: `/fapi/…` REST and the `/public|market|private/ws` streams (see ./usdm/mount.ts); absent = spot only. */
  readonly usdm?: UsdmServerOptions;
}

/** A running server. */
export interface RunningServer {
  /** `http://host:port` */
  readonly httpUrl: string;
  /** `ws://host:port` */
  readonly wsUrl: string;
  readonly port: number;
  /** p50/p99 of the server's own REST handling time (µs) over the ring buffer. */
  timings(): TimingSummary;
  /** Clears the handling-time samples. */
  resetTimings(): void;
  /** Active WebSocket API user-data subscriptions (e.g. to wait until a client's `watchOrders` is live). */
  userStreamSubscribers(): number;
  /** Market streams with at least one subscriber. */
  activeMarketStreams(): number;
  /** Controls of the USD-M side (listen keys, subscriber counts); undefined without `ServerOptions.usdm`. */
  readonly usdm: UsdmServerControl | undefined;
  /** Stops listening, terminates every websocket and keep-alive connection; resolves once the port is closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the server and resolves once it listens.
 * @throws Error when the port cannot be bound.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? pino({ level: 'silent' });
  const { venue, replay } = opts;
  const now = Date.now;

  const registry = new SymbolRegistry(venue.exchangeInfo());
  const routes = spotRouteTable({ venue, replay, registry, schemas: spotSchemas(registry), market: 'spot', now });
  const usdm = opts.usdm
    ? mountUsdm({ options: opts.usdm, replay, routes, logger, now, ...(opts.wsHooks?.deliverUserEvent && { deliverUserEvent: opts.wsHooks.deliverUserEvent }) })
    : undefined;
  const pipeline = buildRestPipeline({ routes, venue, logger, ...(opts.restHooks && { hooks: opts.restHooks }) });
  const timings = new TimingRing(opts.timingCapacity);

  const server: Server = createServer({ keepAlive: true, requestTimeout: 30_000 }, createRequestListener(pipeline, timings, logger));
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 60_000;
  server.headersTimeout = Math.max(server.keepAliveTimeout + 1000, 10_000);
  server.on('clientError', (err, socket) => {
    logger.debug({ err }, 'http client error');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const streamHub = new StreamHub(replay, 'spot', logger);
  const userHub = new UserHub(logger, opts.wsHooks?.deliverUserEvent);
  const heartbeat = new Heartbeat({ pingIntervalMs: opts.pingIntervalMs ?? 20_000, pongTimeoutMs: opts.pongTimeoutMs ?? 60_000 });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  const track = (ws: WebSocket, req: IncomingMessage) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    heartbeat.track(ws);
    opts.wsHooks?.onConnection?.(ws, req);
  };
  server.on(
    'upgrade',
    createUpgradeHandler(
      wss,
      [
        spotWsApiRoute({ venue, userHub, logger, now, eventClock: () => replay.now(), ...(opts.wsHooks?.wsApiLimiter && { limiter: opts.wsHooks.wsApiLimiter }) }),
        spotStreamRoute(streamHub, logger),
        ...(usdm?.wsRoutes ?? []),
      ],
      track,
      logger,
    ),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'http server error'));

  const detachMarket = streamHub.attach();
  const detachUser = userHub.attach(venue);
  const detachUsdm = usdm?.attach();
  heartbeat.start();

  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    httpUrl: `http://${hostInUrl}:${port}`,
    wsUrl: `ws://${hostInUrl}:${port}`,
    port,
    timings: () => timings.summary(),
    resetTimings: () => timings.reset(),
    userStreamSubscribers: () => userHub.subscriptionCount(),
    activeMarketStreams: () => streamHub.activeStreams(),
    usdm: usdm?.control,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        heartbeat.stop();
        detachMarket();
        detachUser();
        detachUsdm?.();
        for (const ws of sockets) ws.terminate();
        sockets.clear();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
