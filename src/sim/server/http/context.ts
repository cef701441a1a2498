/**
 * Types of the REST request pipeline: what a request looks like once read
 * from the socket, the reply a stage produces, and the middleware signature
 * that later stages (rate limiting, fault injection) plug into.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountCredentials } from '../../venue/types.ts';

/** HTTP methods the route table knows. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Binance endpoint security types ("Endpoint security type" in the spot REST API docs).
 * `TRADE` and `USER_DATA` are SIGNED (API key + timestamp + HMAC signature);
 * `USER_STREAM` and `MARKET_DATA` need only the API key.
 */
export type SecurityType = 'NONE' | 'MARKET_DATA' | 'USER_STREAM' | 'TRADE' | 'USER_DATA';

/** A request as read from the socket, before any interpretation. */
export interface RestRequest {
  /** Upper-case HTTP method as received. */
  readonly method: string;
  /** URL path without the query string, e.g. `/api/v3/order`. */
  readonly path: string;
  /** Everything after `?` exactly as received (not decoded), `''` when absent. */
  readonly rawQuery: string;
  /** The body exactly as received (UTF-8), `''` when absent. */
  readonly rawBody: string;
  readonly headers: IncomingHttpHeaders;
  /** Peer address, for IP-based limits. */
  readonly remoteAddress: string;
  /** `process.hrtime.bigint()` when the body had been fully read. */
  readonly receivedAtNs: bigint;
}

/** The reply a pipeline stage produces: HTTP status and a JSON-serialisable body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** Extra response headers (e.g. `X-MBX-USED-WEIGHT-1M` from a rate limiter). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Sent as-is instead of `JSON.stringify(body)` (set its `Content-Type` in `headers`), e.g. a
   * gateway's HTML error page from fault injection.
   */
  readonly rawBody?: string;
  /**
   * A transport-level outcome instead of an HTTP reply (fault injection): `'reset'` destroys the
   * connection without answering; `'hang'` never answers (the connection stays open until the client
   * gives up or the server closes, which destroys it).
   */
  readonly transport?: 'reset' | 'hang';
}

/** Request parameters after duplicate detection: one decoded value per name. */
export type ParamBag = Readonly<Record<string, string>>;

/** Per-request state threaded through the pipeline; each stage fills in what it resolved. */
export interface RestContext {
  readonly request: RestRequest;
  /** Set by the routing stage. */
  route?: RouteSpec;
  /** Set by the parameter stage: query and body merged (query wins), signature-related keys removed by the auth stage. */
  params?: ParamBag;
  /** Payload the signature is computed over: raw query (without `signature`) + raw body (without `signature`). */
  signedPayload?: string;
  /** `signature` as sent, if any. */
  signature?: string;
  /** Set by the auth stage on endpoints that need an API key. */
  account?: AccountCredentials;
  /** How many sent parameters the auth stage consumed (`timestamp`, `recvWindow`, `signature`): counted in -1104's message. */
  readByAuth?: number;
  /** Scratch space for middlewares (e.g. computed request weight). */
  readonly state: Map<string, unknown>;
}

/** Continues with the rest of the pipeline. */
export type Next = () => Reply | Promise<Reply>;

/**
 * A pipeline stage. Return `next()` to continue, or a reply (or throw a
 * `VenueError`) to stop. May be async (e.g. fault injection delaying a reply).
 */
export type RestMiddleware = (ctx: RestContext, next: Next) => Reply | Promise<Reply>;

/** Binance request weight of an endpoint, fixed or depending on the parameters (e.g. `depth` by `limit`). */
export type Weight = number | ((params: ParamBag) => number);

/** One row of the route table. */
export interface RouteSpec {
  readonly method: HttpMethod;
  /** Full path, e.g. `/api/v3/order`. */
  readonly path: string;
  readonly security: SecurityType;
  /** Binance request weight (for a rate limiter). */
  readonly weight: Weight;
  /**
   * Binance "Unfilled Order Count" a successful request adds to the ORDERS limits (1 for a new
   * order, 2 for an OCO list); absent = 0 (not an order placement).
   */
  readonly orders?: Weight;
  /** Produces the JSON body of a 200 reply; throws `VenueError` on rejection. */
  readonly handle: (ctx: RestContext) => unknown;
}
