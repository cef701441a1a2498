/**
 * Extension points of the websocket side, the counterpart of the REST
 * pipeline's hooks: fault injection sees every accepted connection and may
 * hold back user-data events; a rate limiter charges WebSocket API requests.
 * Every hook is optional; without them the websocket side behaves as before.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { VenueError } from '../../venue/errors.ts';
import type { UserEvent } from '../../venue/types.ts';

/**
 * One entry of a WebSocket API reply's `rateLimits` array (Binance WebSocket API
 * "Rate limits": `{"rateLimitType","interval","intervalNum","limit","count"}`).
 */
export interface RateLimitStatus {
  readonly rateLimitType: string;
  readonly interval: string;
  readonly intervalNum: number;
  readonly limit: number;
  readonly count: number;
}

/** The outcome of charging one WebSocket API request. */
export interface WsApiCharge {
  /** The reply's `rateLimits` (the limits the request counted against, usage included). */
  readonly rateLimits: readonly RateLimitStatus[];
  /** Set when the request is refused (HTTP-like status 429 or 418): reply with it instead of running the method. */
  readonly rejection?: VenueError;
}

/** Charges WebSocket API requests against the request-weight limits. */
export interface WsApiLimiter {
  /**
   * Charges one request of `method` (e.g. `userDataStream.subscribe.signature`) received on `path`
   * (e.g. `/ws-api/v3`) from `remoteAddress`.
   */
  charge(remoteAddress: string, path: string, method: string): WsApiCharge;
}

/** Optional websocket hooks of the server (see ../server.ts `ServerOptions.wsHooks`). */
export interface WsHooks {
  /** Sees every accepted websocket, with its upgrade request, once it is tracked. */
  readonly onConnection?: (ws: WebSocket, req: IncomingMessage) => void;
  /** Returning false holds the user-data event back from every subscription (a silent stream). */
  readonly deliverUserEvent?: (event: UserEvent) => boolean;
  /** Charges WebSocket API requests; their replies then carry real `rateLimits`. */
  readonly wsApiLimiter?: WsApiLimiter;
}
