/**
 * REST fault injection as a pipeline stage (`afterRoute`, after the rate
 * limiter: the route is known, nothing is parsed yet). The first live REST
 * fault matching the request (in injection order) applies and consumes one of
 * its matches; requests no fault matches pass untouched (one array check when
 * no fault is active). What each kind does: see ./schema.ts.
 *
 * How ccxt sees them (../shared/docs/ccxt-binance-wire.md §5): `timeout` and
 * `loseResponse{mode:'timeout'}` → RequestTimeout (after its `timeout`); `reset`
 * and `loseResponse{mode:'reset'}` → NetworkError; `httpError` with the default
 * text body → ExchangeNotAvailable (a JSON `{code}` body maps by its code
 * instead); `rateLimited` (429 or 418) → DDoSProtection, whatever the body;
 * `rejectOrders` → the class of its code/msg (e.g. -1015 with status 400 →
 * RateLimitExceeded, -2010 → InvalidOrder).
 */
import { VenueError } from '../../venue/errors.ts';
import type { Reply, RestContext, RestMiddleware } from '../http/context.ts';
import type { ActiveFault, FaultRegistry } from './registry.ts';
import { REST_KINDS, type RestFaultSpec } from './schema.ts';

const HANG: Reply = { status: 0, body: null, transport: 'hang' };
const RESET: Reply = { status: 0, body: null, transport: 'reset' };

/** The fault stage over `registry`. */
export function restFaultStage(registry: FaultRegistry): RestMiddleware {
  return (ctx, next) => {
    if (registry.size === 0) return next();
    const fault = registry.take(REST_KINDS, (f) => matches(f, ctx));
    if (fault === undefined) return next();
    const spec = fault.spec as RestFaultSpec;
    switch (spec.kind) {
      case 'delay':
        return new Promise<void>((resolve) => setTimeout(resolve, spec.ms).unref()).then(next);
      case 'timeout':
        return HANG;
      case 'reset':
        return RESET;
      case 'httpError':
        return spec.body !== undefined ? { status: spec.status, body: spec.body } : gatewayError(spec.status);
      case 'rateLimited':
        return {
          status: spec.status,
          body:
            spec.status === 429
              ? { code: -1003, msg: 'Too many requests; please use the websocket for live updates.' }
              : { code: -1003, msg: `Way too much request weight used; IP banned until ${Date.now() + spec.retryAfterSec * 1000}. Please use WebSocket Streams for live updates to avoid bans.` },
          headers: { 'Retry-After': String(spec.retryAfterSec) },
        };
      case 'loseResponse': {
        const lost = spec.mode === 'reset' ? RESET : HANG;
        return Promise.resolve()
          .then(next)
          .then(
            () => lost,
            () => lost,
          );
      }
      case 'rejectOrders':
        throw new VenueError(spec.code, spec.msg, spec.status);
    }
  };
}

/** Scope test of a REST fault against a routed request (count and time are the registry's). */
function matches(f: ActiveFault, ctx: RestContext): boolean {
  const spec = f.spec as RestFaultSpec;
  if (spec.pathPrefix !== undefined && !ctx.request.path.startsWith(spec.pathPrefix)) return false;
  if (spec.method !== undefined && ctx.request.method !== spec.method) return false;
  const target = spec.target ?? (spec.kind === 'loseResponse' || spec.kind === 'rejectOrders' ? 'orders' : 'all');
  return target === 'all' || ctx.route?.orders !== undefined;
}

/** A load balancer's error page: not JSON, so ccxt maps it by HTTP status alone (5xx → ExchangeNotAvailable). */
function gatewayError(status: number): Reply {
  const text = `<html><head><title>${status} Server Error</title></head><body><center><h1>${status} Server Error</h1></center></body></html>\n`;
  return { status, body: null, rawBody: text, headers: { 'Content-Type': 'text/html' } };
}
