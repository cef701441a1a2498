/**
 * The local socket protocol: the ONE source of its wire shapes (the README documents them
 * from here). Newline-delimited JSON over a Unix domain socket, UTF-8, one JSON object per
 * line (`\n`, an optional `\r` before it is ignored; blank lines are ignored).
 *
 * Client → daemon, one request per line (unknown fields are rejected):
 * ```
 * {"id": 1, "op": "signal", "signal": {SignalRequest}}       → SignalResult
 * {"id": 2, "op": "cancel", "clientOrderId": "…"}             → OrderView
 * {"id": 3, "op": "order", "clientOrderId": "…"}              → OrderView
 * {"id": 4, "op": "orders", "states"?: […], "instrument"?: "BTC/USDT", "cursor"?: "…", "limit"?: 1..1000} → OrdersPage
 * {"id": 5, "op": "status"}                                   → EngineStatus
 * {"id": 6, "op": "subscribe"}                                → {"subscribed": true}, then event lines
 * {"id": 7, "op": "unsubscribe"}                              → {"subscribed": false}, no event line after it
 * {"id": 8, "op": "inspect", "enabled": true}                 → {"enabled": true, "url"?: "…"}
 * {"id": 9, "op": "ping"}                                     → {"pong": true}
 * ```
 *
 * Daemon → client, three kinds of line:
 * - a reply, exactly one per request line, in request order:
 *   `{"id": …, "ok": true, "result": …}` or
 *   `{"id": …|null, "ok": false, "error": {"code", "message", "issues": [{"path", "message"}]}}`
 *   (`id` is null when the request's id could not be read: `bad_json`, `line_too_long`,
 *   `bad_request` on a non-object or a missing/invalid id);
 * - an event line, only between `subscribe` and `unsubscribe`: `{"event": EngineEvent}`;
 * - a notice line, not tied to a request: `{"error": {"code", "message", "issues"}}` (the
 *   event stream stopped: `slow_consumer` before the daemon disconnects a subscriber that does
 *   not read, `internal` / `shutting_down` when the engine's stream fails / ends).
 *
 * Connection rules: requests on one connection run one at a time in arrival order (pipelining
 * is fine; a client may also open several connections). When the client ends its side, the
 * daemon answers every complete line it received, then ends the connection (and the event
 * stream): a subscriber keeps its side open. A line that ends without a newline at disconnect
 * is dropped; every complete line received is executed, even if its reply cannot be delivered.
 *
 * Amounts are decimal strings (base currency for quantities, quote currency for prices and
 * notionals); times are integer ms since the Unix epoch.
 */
import { z } from 'zod';
import type * as Api from '../engine/api.ts';
import type { Fill } from '../domain/order.ts';
import { ClientOrderId, DecimalString, InstrumentSymbol, Liquidity, Side } from '../domain/order.ts';
import { SignalRequest } from '../domain/signal.ts';

/** Default upper bound of one request line, in bytes (without its newline): 64 KiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/** A request id chosen by the client and echoed in its reply: a string of 1–128 chars or a finite number. */
export const RequestId = z.union([z.string().min(1).max(128), z.number()]);
export type RequestId = z.infer<typeof RequestId>;

/**
 * Checks the decimal fields' format before {@link SignalRequest} sees them: the domain's
 * `PositiveDecimalString` runs its `> 0` refinement even after its format check failed, and
 * that refinement throws on a non-number (`"lots"`). Harmless once the domain aborts there.
 */
const SignalDecimalsGuard = z.looseObject({ quantity: DecimalString.optional(), quoteQuantity: DecimalString.optional(), price: DecimalString.optional() });

/** `signal`: the signal is nested under `signal` (its fields are {@link SignalRequest}'s). */
export const SignalOp = z.strictObject({ id: RequestId, op: z.literal('signal'), signal: SignalDecimalsGuard.pipe(SignalRequest) });
export type SignalOp = z.infer<typeof SignalOp>;

/** `cancel`: asks the venue to cancel the order; answers once `PENDING_CANCEL` is committed. */
export const CancelOp = z.strictObject({ id: RequestId, op: z.literal('cancel'), clientOrderId: ClientOrderId });
export type CancelOp = z.infer<typeof CancelOp>;

/** `order`: one order with its transitions and fills. */
export const OrderOp = z.strictObject({ id: RequestId, op: z.literal('order'), clientOrderId: ClientOrderId });
export type OrderOp = z.infer<typeof OrderOp>;

/** `orders`: one page of orders, optionally filtered by states and instrument. */
export const OrdersOp = z.strictObject({
  id: RequestId,
  op: z.literal('orders'),
  /** Order states to include (any of them); omitted: all. */
  states: z.array(z.string().min(1).max(64)).min(1).max(32).optional(),
  instrument: InstrumentSymbol.optional(),
  /** Opaque cursor from the previous page's `nextCursor` (a listing in the same direction). */
  cursor: z.string().min(1).max(1024).optional(),
  /** Newest first; default oldest first (the order in which the engine first recorded each order). */
  newestFirst: z.boolean().optional(),
  /** Page size; the engine's default is 100. */
  limit: z.number().int().min(1).max(1000).optional(),
});
export type OrdersOp = z.infer<typeof OrdersOp>;

/** `status`: the engine's state, venues, order counts, inspector. */
export const StatusOp = z.strictObject({ id: RequestId, op: z.literal('status') });
export type StatusOp = z.infer<typeof StatusOp>;

/** `subscribe`: after the reply, the connection receives `{"event": …}` lines. Idempotent. */
export const SubscribeOp = z.strictObject({ id: RequestId, op: z.literal('subscribe') });
export type SubscribeOp = z.infer<typeof SubscribeOp>;

/** `unsubscribe`: no event line follows its reply. Idempotent. */
export const UnsubscribeOp = z.strictObject({ id: RequestId, op: z.literal('unsubscribe') });
export type UnsubscribeOp = z.infer<typeof UnsubscribeOp>;

/** `inspect`: switches the Stately inspector on or off. */
export const InspectOp = z.strictObject({ id: RequestId, op: z.literal('inspect'), enabled: z.boolean() });
export type InspectOp = z.infer<typeof InspectOp>;

/** `ping`: answers `{"pong": true}` without touching the engine. */
export const PingOp = z.strictObject({ id: RequestId, op: z.literal('ping') });
export type PingOp = z.infer<typeof PingOp>;

/** Request schema per op. */
export const REQUEST_SCHEMAS = {
  signal: SignalOp,
  cancel: CancelOp,
  order: OrderOp,
  orders: OrdersOp,
  status: StatusOp,
  subscribe: SubscribeOp,
  unsubscribe: UnsubscribeOp,
  inspect: InspectOp,
  ping: PingOp,
} as const;

/** Every op name. */
export type Op = keyof typeof REQUEST_SCHEMAS;
export const OPS = Object.keys(REQUEST_SCHEMAS) as Op[];

/** True for a known op name. */
export function isOp(value: unknown): value is Op {
  return typeof value === 'string' && Object.hasOwn(REQUEST_SCHEMAS, value);
}

/** Any request, discriminated by `op`. */
export const Request = z.discriminatedUnion('op', [SignalOp, CancelOp, OrderOp, OrdersOp, StatusOp, SubscribeOp, UnsubscribeOp, InspectOp, PingOp]);
export type Request = z.infer<typeof Request>;

/** The request of one op (parsed). */
export type RequestOf<O extends Op> = z.infer<(typeof REQUEST_SCHEMAS)[O]>;
/** What a client passes for one op: the request's fields but `id` and `op` (no request field has a default or transform). */
export type ParamsOf<O extends Op> = Omit<z.output<(typeof REQUEST_SCHEMAS)[O]>, 'id' | 'op'>;

// ---------------------------------------------------------------------------
// Results (mirroring src/engine/api.ts; the compiler checks they stay equal)
// ---------------------------------------------------------------------------

/** A fill on the wire (the shape of the domain's `Fill`; formats are the engine's business). */
export const FillSchema = z.object({
  tradeId: z.string(),
  venueOrderId: z.string(),
  clientOrderId: z.string(),
  /** Quote currency per unit of base, decimal string. */
  price: z.string(),
  /** Base currency, decimal string. */
  quantity: z.string(),
  /** Signed decimal string in `feeCurrency` (negative: a rebate). */
  feeAmount: z.string(),
  feeCurrency: z.string().nullable(),
  liquidity: Liquidity,
  /** ms since epoch. */
  time: z.number(),
});

/** One state change of an order; `at` in ms since epoch. */
export const TransitionViewSchema = z.object({ from: z.string(), to: z.string(), event: z.string(), at: z.number() });
/** Something the venue reported that should not happen (`overfill`, `vanished_at_venue`); `at` ms since epoch. */
export const AnomalyViewSchema = z.object({ code: z.string(), at: z.number(), detail: z.string() });

/** Result of `signal`. `duplicate`: the signal id had been seen, nothing new was placed. */
export const SignalResultSchema = z.object({
  signalId: z.string(),
  clientOrderId: z.string(),
  state: z.string(),
  duplicate: z.boolean(),
});

/** Result of `order` and `cancel`. Decimals as strings (quantities base, prices quote/base). */
export const OrderViewSchema = z.object({
  clientOrderId: z.string(),
  venueOrderId: z.string().nullable(),
  signalId: z.string(),
  venue: z.string(),
  instrument: z.string(),
  side: Side,
  type: z.string(),
  timeInForce: z.string().nullable(),
  quantity: z.string().nullable(),
  quoteQuantity: z.string().nullable(),
  price: z.string().nullable(),
  state: z.string(),
  outcome: z.string().nullable(),
  reason: z.string().nullable(),
  filledQuantity: z.string(),
  averagePrice: z.string().nullable(),
  /** Fees by currency. */
  fees: z.record(z.string(), z.string()),
  fills: z.array(FillSchema),
  transitions: z.array(TransitionViewSchema),
  anomalies: z.array(AnomalyViewSchema),
  /** False once archived. */
  live: z.boolean(),
  /** ms since epoch. */
  createdAt: z.number(),
});

/** Result of `orders`; `nextCursor` present when more orders follow. */
export const OrdersPageSchema = z.object({ orders: z.array(OrderViewSchema), nextCursor: z.string().optional() });

/** Result of `status`. */
export const EngineStatusSchema = z.object({
  state: z.enum(['starting', 'reconciling', 'running', 'draining', 'stopped']),
  venues: z.array(z.object({ id: z.string(), connected: z.boolean(), streams: z.record(z.string(), z.enum(['up', 'down'])) })),
  orders: z.object({ live: z.number(), running: z.number(), byState: z.record(z.string(), z.number()) }),
  inspector: z.object({ enabled: z.boolean(), url: z.string().optional() }),
  journalSeq: z.number(),
  uptimeMs: z.number(),
});

/** Result of `inspect`: where a browser opens the inspector when enabled. */
export const InspectResultSchema = z.object({ enabled: z.boolean(), url: z.string().optional() });
export const SubscribeResultSchema = z.object({ subscribed: z.literal(true) });
export const UnsubscribeResultSchema = z.object({ subscribed: z.literal(false) });
export const PingResultSchema = z.object({ pong: z.literal(true) });

/** Result schema per op. */
export const RESULT_SCHEMAS = {
  signal: SignalResultSchema,
  cancel: OrderViewSchema,
  order: OrderViewSchema,
  orders: OrdersPageSchema,
  status: EngineStatusSchema,
  subscribe: SubscribeResultSchema,
  unsubscribe: UnsubscribeResultSchema,
  inspect: InspectResultSchema,
  ping: PingResultSchema,
} as const satisfies Record<Op, z.ZodType>;

/** The result of one op. */
export type ResultOf<O extends Op> = z.infer<(typeof RESULT_SCHEMAS)[O]>;

/** An engine event on the wire: every order transition (`seq`: journal sequence) and every fill. */
export const EngineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('transition'), clientOrderId: z.string(), seq: z.number(), from: z.string(), to: z.string(), event: z.string(), at: z.number() }),
  z.object({ type: z.literal('fill'), clientOrderId: z.string(), fill: FillSchema }),
]);

// ---------------------------------------------------------------------------
// Replies, events, notices
// ---------------------------------------------------------------------------

/**
 * Error codes on the wire: the engine's ({@link Api.EngineErrorCode}) and the protocol's own:
 * - `bad_json`: the line is not JSON;
 * - `bad_request`: not an object, missing/invalid id or op, wrong field types (see `issues`);
 * - `unknown_op`: `op` is a string but not an op;
 * - `line_too_long`: the line exceeded the limit; it was discarded up to the next newline;
 * - `slow_consumer`: a subscriber did not read its events (notice line, then disconnect);
 * - `shutting_down`: the daemon is stopping; the request was not executed.
 */
export const ErrorCode = z.enum([
  'bad_json',
  'bad_request',
  'unknown_op',
  'line_too_long',
  'slow_consumer',
  'shutting_down',
  'not_found',
  'not_ready',
  'unknown_venue',
  'unknown_instrument',
  'denied',
  'conflict',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Where (`path` into the request object, e.g. `["signal", "quantity"]`) and what was wrong. */
export const Issue = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() });
export type Issue = z.infer<typeof Issue>;

/** The error of a failed request or of a notice; `issues` is empty when there is nothing to point at. */
export const ErrorBody = z.object({ code: ErrorCode, message: z.string(), issues: z.array(Issue) });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const OkReply = z.object({ id: RequestId, ok: z.literal(true), result: z.unknown() });
export type OkReply = z.infer<typeof OkReply>;

export const ErrorReply = z.object({ id: RequestId.nullable(), ok: z.literal(false), error: ErrorBody });
export type ErrorReply = z.infer<typeof ErrorReply>;

/** Exactly one per request line, in request order. */
export const Reply = z.discriminatedUnion('ok', [OkReply, ErrorReply]);
export type Reply = z.infer<typeof Reply>;

/** Sent between `subscribe` and `unsubscribe`. */
export const EventLine = z.object({ event: EngineEventSchema });
export type EventLine = z.infer<typeof EventLine>;

/** Not tied to a request: the event stream stopped (and for `slow_consumer`, the connection closes). */
export const NoticeLine = z.object({ error: ErrorBody });
export type NoticeLine = z.infer<typeof NoticeLine>;

// ---------------------------------------------------------------------------
// Compile-time checks: the wire schemas say what src/engine/api.ts says.
// ---------------------------------------------------------------------------

type DeepReadonly<T> =
  T extends ReadonlyArray<infer U> ? ReadonlyArray<DeepReadonly<U>> : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** Mutual assignability, ignoring `readonly` (api.ts is readonly, zod's inferred types are not). */
type Same<A, B> = [DeepReadonly<A>] extends [DeepReadonly<B>] ? ([DeepReadonly<B>] extends [DeepReadonly<A>] ? true : false) : false;
type Expect<T extends true> = T;
/** Never used at run time; fails to compile when the schemas and the engine contract diverge. */
export type WireMatchesEngineApi = [
  Expect<Same<z.infer<typeof FillSchema>, Fill>>,
  Expect<Same<ResultOf<'signal'>, Api.SignalResult>>,
  Expect<Same<ResultOf<'order'>, Api.OrderView>>,
  Expect<Same<ResultOf<'orders'>, Api.OrdersPage>>,
  Expect<Same<ResultOf<'status'>, Api.EngineStatus>>,
  Expect<Same<ResultOf<'inspect'>, Awaited<ReturnType<Api.EngineApi['setInspector']>>>>,
  Expect<Same<z.infer<typeof EngineEventSchema>, Api.EngineEvent>>,
  Expect<Same<Extract<ErrorCode, Api.EngineErrorCode>, Api.EngineErrorCode>>,
  Expect<Same<ParamsOf<'orders'>, Api.OrdersQuery>>,
  Expect<Same<ParamsOf<'signal'>, { signal: SignalRequest }>>,
];
