/**
 * The REST request pipeline: an ordered list of middlewares ending in the
 * route's handler. Standard order (see `buildRestPipeline`):
 *
 *   errorBoundary → [beforeRoute…] → route → [afterRoute…] → params → auth → [beforeHandler…] → handler
 *
 * `afterRoute` is where per-IP limits and fault injection slot in (the route,
 * and so its weight and security type, is known; nothing has been parsed yet);
 * `beforeHandler` sees the authenticated account (per-account order limits).
 */
import type { Logger } from 'pino';
import { Errors, VenueError } from '../../venue/errors.ts';
import type { SpotVenueApi } from '../../venue/types.ts';
import { restAuth } from '../auth/rest-auth.ts';
import type { Reply, RestContext, RestMiddleware } from './context.ts';
import { parseRawParams } from './raw-params.ts';
import type { RouteTable } from './route-table.ts';

/** A composed pipeline: runs a context to a reply. Never throws. */
export type Pipeline = (ctx: RestContext) => Reply | Promise<Reply>;

/** Composes middlewares left to right; the last one must not call `next`. */
export function compose(stages: readonly RestMiddleware[]): Pipeline {
  const run = (i: number, ctx: RestContext): Reply | Promise<Reply> => {
    const stage = stages[i];
    if (stage === undefined) throw new Error('pipeline ran past its last stage');
    return stage(ctx, () => run(i + 1, ctx));
  };
  return (ctx) => run(0, ctx);
}

/** The JSON error reply for any thrown value: Binance `{code,msg}` with the VenueError's HTTP status, else -1000/500 (logged). */
export function errorReply(err: unknown, logger: Logger, ctx?: RestContext): Reply {
  if (err instanceof VenueError) return { status: err.httpStatus, body: err.toJSON() };
  logger.error({ err, method: ctx?.request.method, path: ctx?.request.path }, 'unexpected error while handling a request');
  const unknown = Errors.unknown();
  return { status: unknown.httpStatus, body: unknown.toJSON() };
}

/** Outermost stage: turns every throw or rejection into a Binance error reply. */
export function errorBoundary(logger: Logger): RestMiddleware {
  return (ctx, next) => {
    try {
      const out = next();
      return out instanceof Promise ? out.catch((err: unknown) => errorReply(err, logger, ctx)) : out;
    } catch (err) {
      return errorReply(err, logger, ctx);
    }
  };
}

/** Resolves the route; unknown method/path → -1020 with HTTP 404. */
export function routing(table: RouteTable): RestMiddleware {
  return (ctx, next) => {
    const route = table.find(ctx.request.method, ctx.request.path);
    if (route === undefined) throw Errors.unknownRoute();
    ctx.route = route;
    return next();
  };
}

/** Splits query and body into the parameter bag (-1101 on duplicates) and keeps the signed payload. */
export const parameters: RestMiddleware = (ctx, next) => {
  const raw = parseRawParams(ctx.request.rawQuery, ctx.request.rawBody);
  ctx.params = raw.params;
  ctx.signedPayload = raw.signedPayload;
  if (raw.signature !== undefined) ctx.signature = raw.signature;
  return next();
};

/** Last stage: the route's handler; its return value is the 200 body. */
export const dispatch: RestMiddleware = (ctx) => {
  const route = ctx.route;
  if (route === undefined) throw Errors.unknownRoute();
  return { status: 200, body: route.handle(ctx) };
};

/** Extension points of the standard pipeline. */
export interface PipelineHooks {
  /** Run before routing, on every request (the simulator's own admin paths, e.g. `/__sim/…`). */
  readonly beforeRoute?: readonly RestMiddleware[];
  /** Run after routing, before parameters are parsed (per-IP rate limits, fault injection). */
  readonly afterRoute?: readonly RestMiddleware[];
  /** Run after authentication, right before the handler (per-account limits). */
  readonly beforeHandler?: readonly RestMiddleware[];
}

/** The standard pipeline for a route table. */
export function buildRestPipeline(opts: {
  readonly routes: RouteTable;
  readonly venue: Pick<SpotVenueApi, 'accountByApiKey'>;
  readonly logger: Logger;
  readonly hooks?: PipelineHooks;
  readonly now?: () => number;
}): Pipeline {
  return compose([
    errorBoundary(opts.logger),
    ...(opts.hooks?.beforeRoute ?? []),
    routing(opts.routes),
    ...(opts.hooks?.afterRoute ?? []),
    parameters,
    restAuth(opts.venue, opts.now),
    ...(opts.hooks?.beforeHandler ?? []),
    dispatch,
  ]);
}
