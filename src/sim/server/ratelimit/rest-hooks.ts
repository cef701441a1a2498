/**
 * The rate limiter as REST pipeline stages (see ../http/pipeline.ts):
 *
 * - `afterRoute` (per IP): bans (418), REQUEST_WEIGHT and RAW_REQUESTS (429 -1003)
 *   with the route's weight; on every reply of a limited path it sets
 *   `x-mbx-used-weight-<tag>` (+ legacy `x-mbx-used-weight` on spot) and, on order
 *   placements, the `x-mbx-order-count-<tag>` headers the order stage computed
 *   (spot REST API docs "LIMITS → IP Limits / Unfilled Order Count").
 * - `beforeHandler` (per account, the API key's): ORDERS (429 -1015) for routes with
 *   `RouteSpec.orders`; a successful placement is then counted.
 *
 * Refusals carry `Retry-After` in whole seconds: until the window resets (429) or
 * the ban ends (418) — "A Retry-After header is sent with a 418 or 429 responses".
 */
import type { Logger } from 'pino';
import type { ParamBag, Reply, RestContext, RestMiddleware, Weight } from '../http/context.ts';
import { errorReply } from '../http/pipeline.ts';
import { parseRawParams } from '../http/raw-params.ts';
import type { DomainLimiter, Verdict } from './domain-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** `ctx.state` key under which the order stage leaves the order-count headers. */
const ORDER_HEADERS = 'ratelimit.orderHeaders';

/** The two stages to install as `afterRoute` and `beforeHandler` hooks. */
export interface RateLimitStages {
  readonly afterRoute: RestMiddleware;
  readonly beforeHandler: RestMiddleware;
}

/** Builds the stages over `limiter`; `logger` logs unexpected handler errors (as the error boundary would). */
export function rateLimitStages(limiter: RateLimiter, logger: Logger): RateLimitStages {
  const afterRoute: RestMiddleware = (ctx, next) => {
    const route = ctx.route;
    const domain = route === undefined ? undefined : limiter.domainFor(ctx.request.path);
    if (route === undefined || domain === undefined) return next();
    const ip = ctx.request.remoteAddress;
    const decorate = (reply: Reply): Reply => withLimitHeaders(reply, domain, ip, ctx);
    const verdict = domain.admit(ip, evaluate(route.weight, () => bestEffortParams(ctx)));
    if (!verdict.ok) return decorate(refusal(verdict));
    let out: Reply | Promise<Reply>;
    try {
      out = next();
    } catch (err) {
      return decorate(errorReply(err, logger, ctx));
    }
    return out instanceof Promise ? out.then(decorate, (err: unknown) => decorate(errorReply(err, logger, ctx))) : decorate(out);
  };

  const beforeHandler: RestMiddleware = (ctx, next) => {
    const route = ctx.route;
    const account = ctx.account;
    if (route?.orders === undefined || account === undefined) return next();
    const domain = limiter.domainFor(ctx.request.path);
    if (domain === undefined || !domain.hasOrderLimits()) return next();
    const n = evaluate(route.orders, () => ctx.params ?? {});
    if (n <= 0) return next();
    const leaveHeaders = () => {
      const h: Record<string, string> = {};
      domain.orderHeaders(account.id, h);
      ctx.state.set(ORDER_HEADERS, h);
    };
    const verdict = domain.checkOrders(ctx.request.remoteAddress, account.id, n);
    if (!verdict.ok) {
      leaveHeaders();
      return refusal(verdict);
    }
    const done = (reply: Reply): Reply => {
      if (reply.status === 200) domain.countOrders(account.id, n, filledAtOnce(reply.body));
      leaveHeaders();
      return reply;
    };
    const failed = (err: unknown): never => {
      leaveHeaders();
      throw err;
    };
    let out: Reply | Promise<Reply>;
    try {
      out = next();
    } catch (err) {
      return failed(err);
    }
    return out instanceof Promise ? out.then(done, failed) : done(out);
  };

  return { afterRoute, beforeHandler };
}

/** A 429/418 reply with Binance's body and `Retry-After` (whole seconds, rounded up). */
export function refusal(verdict: Extract<Verdict, { ok: false }>): Reply {
  return { status: verdict.status, body: verdict.body, headers: { 'Retry-After': String(Math.max(0, Math.ceil((verdict.retryAt - verdict.now) / 1000))) } };
}

function withLimitHeaders(reply: Reply, domain: DomainLimiter, ip: string, ctx: RestContext): Reply {
  if (reply.transport !== undefined) return reply;
  const headers: Record<string, string> = { ...reply.headers };
  domain.weightHeaders(ip, headers);
  const orders = ctx.state.get(ORDER_HEADERS);
  if (typeof orders === 'object' && orders !== null) Object.assign(headers, orders);
  return { ...reply, headers };
}

/** A weight (or order count), fixed or from the parameters; `params` is only read for a function. */
function evaluate(w: Weight, params: () => ParamBag): number {
  return typeof w === 'number' ? w : w(params());
}

/** The request's parameters before the pipeline parsed them (for parameter-dependent weights); `{}` when malformed. */
function bestEffortParams(ctx: RestContext): ParamBag {
  try {
    return parseRawParams(ctx.request.rawQuery, ctx.request.rawBody).params;
  } catch {
    return {};
  }
}

/** How many of the placed orders filled at once: an order reply with `executedQty` > 0, or the `orderReports` of a list. */
export function filledAtOnce(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const b = body as Record<string, unknown>;
  const reports = b['orderReports'];
  if (Array.isArray(reports)) return reports.reduce((n: number, r: unknown) => n + filledAtOnce(r), 0);
  const qty = b['executedQty'];
  return typeof qty === 'string' && Number(qty) > 0 ? 1 : 0;
}
