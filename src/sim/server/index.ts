/**
 * The venue simulator's transport layer (spot): Binance-compatible REST,
 * market streams and WebSocket API on one port. See ./server.ts.
 */
export { startServer, type RunningServer, type ServerOptions } from './server.ts';
export { ccxtOptions, type CcxtBinanceOptions } from './ccxt-options.ts';
export type { TimingSummary } from './timings.ts';
export type { PipelineHooks } from './http/pipeline.ts';
export type { Reply, RestContext, RestMiddleware, RouteSpec, SecurityType } from './http/context.ts';
export type { UsdmServerControl, UsdmServerOptions } from './usdm/mount.ts';
export type { RateLimitStatus, WsApiLimiter, WsHooks } from './ws/hooks.ts';
