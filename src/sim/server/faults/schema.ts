/**
 * Fault specifications: the body of `POST /__sim/faults` and the argument of
 * `control.faults.inject`, one zod schema per kind (strict: an unknown field is
 * an error, so a typo never silently widens a fault).
 *
 * Scope (any combination; a fault ends at whichever limit comes first, or when cleared):
 * - `count`: the next N matching requests (REST), events (silent stream);
 * - `pathPrefix`: only requests (REST) or connections (websockets) whose path starts with it;
 * - `method`: only REST requests of that method;
 * - `durationMs`: for that many ms after injection (fault clock, wall by default);
 * - `target`: `orders` = only order placements (routes with an order count:
 *   `POST /api/v3/order`, the OCO routes, their futures twins), `all` = any routed request.
 *
 * Kinds — REST (applied in the pipeline after routing and rate limiting, before parsing):
 * - `delay {ms}`: answer normally, `ms` later;
 * - `timeout`: never answer (the request is consumed; the socket stays open until the client gives up);
 * - `reset`: destroy the connection without answering (the venue never sees the request);
 * - `httpError {status 500–599, body?}`: a gateway-style text body (ccxt → ExchangeNotAvailable),
 *   or the given Binance `{code,msg}` JSON;
 * - `rateLimited {status 429|418, retryAfterSec}`: Binance's -1003 body with `Retry-After`;
 * - `loseResponse {mode: timeout|reset}` (default target `orders`): the venue handles the request
 *   (the order is placed), then the reply is never sent (`timeout`) or the connection is destroyed (`reset`);
 * - `rejectOrders {code, msg, status}` (default target `orders`): answer with that Binance error, venue untouched.
 * Kinds — websockets and clock:
 * - `dropWebsockets`: terminate every open websocket (under `pathPrefix`) now; with `durationMs`, also
 *   every connection accepted while it lasts;
 * - `silentUserStream {accountId?}`: websockets stay open but user-data events are not delivered;
 * - `expireListenKey {accountId?}`: expire that account's USD-M listenKey (every one without it), now:
 *   its `/private/ws` stream gets `listenKeyExpired` and closes;
 * - `pauseClock`: pause the replay clock while the fault lasts (resumed when it ends, if it was running);
 * - `resumeClock`: end every `pauseClock` fault now.
 */
import { z } from 'zod';

const count = z.number().int().positive();
const durationMs = z.number().int().positive().max(86_400_000);
const pathPrefix = z.string().startsWith('/', 'a path prefix starts with "/"');
const method = z.enum(['GET', 'POST', 'PUT', 'DELETE']);
const target = z.enum(['all', 'orders']);

/** Scope fields of the REST kinds. */
const restScope = { count: count.optional(), pathPrefix: pathPrefix.optional(), method: method.optional(), durationMs: durationMs.optional(), target: target.optional() };

const binanceError = z.strictObject({ code: z.number().int(), msg: z.string().min(1) });

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('delay'), ms: z.number().int().positive().max(600_000), ...restScope }),
  z.strictObject({ kind: z.literal('timeout'), ...restScope }),
  z.strictObject({ kind: z.literal('reset'), ...restScope }),
  z.strictObject({ kind: z.literal('httpError'), status: z.number().int().min(500).max(599), body: binanceError.optional(), ...restScope }),
  z.strictObject({
    kind: z.literal('rateLimited'),
    status: z.union([z.literal(429), z.literal(418)]).default(429),
    retryAfterSec: z.number().int().min(0).max(259_200).default(60),
    ...restScope,
  }),
  z.strictObject({ kind: z.literal('loseResponse'), mode: z.enum(['timeout', 'reset']).default('timeout'), ...restScope }),
  z.strictObject({ kind: z.literal('rejectOrders'), code: z.number().int(), msg: z.string().min(1), status: z.number().int().min(400).max(599).default(400), ...restScope }),
  z.strictObject({ kind: z.literal('dropWebsockets'), pathPrefix: pathPrefix.optional(), durationMs: durationMs.optional() }),
  z.strictObject({ kind: z.literal('silentUserStream'), accountId: z.string().min(1).optional(), count: count.optional(), durationMs: durationMs.optional() }),
  z.strictObject({ kind: z.literal('expireListenKey'), accountId: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal('pauseClock'), durationMs: durationMs.optional() }),
  z.strictObject({ kind: z.literal('resumeClock') }),
]);

/** A fault as a caller writes it. */
export type FaultSpecInput = z.input<typeof faultSpecSchema>;
/** A validated fault, defaults applied. */
export type FaultSpec = z.output<typeof faultSpecSchema>;
export type FaultKind = FaultSpec['kind'];
/** The REST kinds. */
export type RestFaultSpec = Extract<FaultSpec, { kind: 'delay' | 'timeout' | 'reset' | 'httpError' | 'rateLimited' | 'loseResponse' | 'rejectOrders' }>;

export const REST_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>(['delay', 'timeout', 'reset', 'httpError', 'rateLimited', 'loseResponse', 'rejectOrders']);

/** One problem with a fault specification. */
export interface SpecIssue {
  /** Dotted path of the offending field, `''` for the whole body. */
  readonly path: string;
  readonly message: string;
}

/** A fault specification that does not validate. */
export class FaultSpecError extends Error {
  constructor(readonly issues: readonly SpecIssue[]) {
    super(`invalid fault: ${issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')}`);
    this.name = 'FaultSpecError';
  }
}

/**
 * Validates one fault.
 * @throws FaultSpecError listing every problem (unknown kind, unknown field, bad value).
 */
export function parseFaultSpec(input: unknown): FaultSpec {
  const r = faultSpecSchema.safeParse(input);
  if (r.success) return r.data;
  throw new FaultSpecError(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}
