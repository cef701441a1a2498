/**
 * The simulator's admin routes, on the same port as the Binance API but under
 * `/__sim/` (a prefix Binance never uses), so that a test in another process
 * can inject faults and read the ground truth over plain HTTP. Installed as a
 * `beforeRoute` pipeline hook: admin requests are neither rate limited nor
 * subject to faults. Bodies are JSON, validated with zod; replies are JSON.
 * No authentication: the simulator binds to loopback.
 *
 *   GET    /__sim/faults              → 200 {faults: FaultView[], stats: FaultStats}
 *   POST   /__sim/faults   FaultSpec  → 201 FaultView        (an array of specs → 201 FaultView[])
 *   DELETE /__sim/faults              → 200 {cleared: n}
 *   DELETE /__sim/faults/<id>         → 200 {cleared: 1} | 404
 *   GET    /__sim/truth               → 200 {spot: {orders, trades, balances}, …, replayTime}
 *   GET    /__sim/ratelimits          → 200 {enabled, now, domains: [{name, rules, ips, accounts, bans}]}
 *   DELETE /__sim/ratelimits          → 200 {reset: true}   (counts, strikes and bans forgotten)
 *   POST   /__sim/ratelimits/clock {advanceMs} | {setMs} → 200 {now} | 409 on the wall clock
 *
 * Errors: 400 `{error, issues: [{path, message}]}` for a body that is not JSON or does
 * not validate; 404 / 405 `{error}` for an unknown path / method; 501 `{error}` for a
 * fault the simulator cannot apply (e.g. `expireListenKey` without listenKey streams).
 */
import { z } from 'zod';
import type { Reply, RestMiddleware, RestRequest } from '../http/context.ts';
import type { RateLimitControl } from '../ratelimit/rate-limiter.ts';
import { type FaultControl, FaultUnsupportedError } from './controller.ts';
import { FaultSpecError, parseFaultSpec, type SpecIssue } from './schema.ts';

/** Path prefix of every admin route. */
export const ADMIN_PREFIX = '/__sim/';

/** What the admin routes read and drive. */
export interface AdminDeps {
  readonly faults: FaultControl;
  readonly rateLimits: RateLimitControl;
  /** The venues' ground truth, by market: `{spot: {orders, trades, balances}}` (+ `usdm` once wired). */
  readonly truth: () => Record<string, unknown>;
}

const clockBodySchema = z.union([z.strictObject({ advanceMs: z.number().int().min(0) }), z.strictObject({ setMs: z.number().int().min(0) })]);

/** The admin stage: answers `/__sim/…`, passes everything else on. */
export function adminStage(deps: AdminDeps): RestMiddleware {
  return (ctx, next) => (ctx.request.path.startsWith(ADMIN_PREFIX) ? handle(ctx.request, deps) : next());
}

function handle(req: RestRequest, deps: AdminDeps): Reply {
  const path = req.path.replace(/\/+$/, '');
  const m = req.method;
  try {
    if (path === '/__sim/faults') {
      if (m === 'GET') return ok({ faults: deps.faults.list(), stats: deps.faults.stats() });
      if (m === 'POST') {
        const body = jsonBody(req);
        return { status: 201, body: Array.isArray(body) ? injectAll(deps.faults, body) : deps.faults.inject(body) };
      }
      if (m === 'DELETE') return ok({ cleared: deps.faults.clear() });
      return notAllowed(m, path);
    }
    if (path.startsWith('/__sim/faults/')) {
      if (m !== 'DELETE') return notAllowed(m, path);
      const id = decodeURIComponent(path.slice('/__sim/faults/'.length));
      return deps.faults.clear(id) === 1 ? ok({ cleared: 1 }) : { status: 404, body: { error: `no active fault ${id}` } };
    }
    if (path === '/__sim/truth') return m === 'GET' ? ok(deps.truth()) : notAllowed(m, path);
    if (path === '/__sim/ratelimits') {
      if (m === 'GET') return ok(deps.rateLimits.snapshot());
      if (m === 'DELETE') {
        deps.rateLimits.reset();
        return ok({ reset: true });
      }
      return notAllowed(m, path);
    }
    if (path === '/__sim/ratelimits/clock') {
      if (m !== 'POST') return notAllowed(m, path);
      const parsed = clockBodySchema.safeParse(jsonBody(req));
      if (!parsed.success) return badRequest('invalid clock body: send {"advanceMs": n} or {"setMs": t}', parsed.error.issues.map(issue));
      if (!deps.rateLimits.manualClock) return { status: 409, body: { error: "the rate-limit clock is not manual (start with rateLimits.clock = 'manual')" } };
      const now = 'advanceMs' in parsed.data ? deps.rateLimits.advance(parsed.data.advanceMs) : deps.rateLimits.setTime(parsed.data.setMs);
      return ok({ now });
    }
    return { status: 404, body: { error: `unknown admin path ${req.path}; see GET /__sim/faults, /__sim/truth, /__sim/ratelimits` } };
  } catch (err) {
    if (err instanceof FaultSpecError) return badRequest('invalid fault', err.issues);
    if (err instanceof BodyError) return badRequest(err.message, []);
    if (err instanceof FaultUnsupportedError) return { status: 501, body: { error: err.message } };
    throw err;
  }
}

/** Injects each spec; validates all first so that a bad entry injects nothing. */
function injectAll(faults: FaultControl, specs: unknown[]): unknown[] {
  const errors: SpecIssue[] = [];
  specs.forEach((s, i) => {
    try {
      parseFaultSpec(s);
    } catch (err) {
      if (!(err instanceof FaultSpecError)) throw err;
      for (const x of err.issues) errors.push({ path: x.path === '' ? String(i) : `${i}.${x.path}`, message: x.message });
    }
  });
  if (errors.length > 0) throw new FaultSpecError(errors);
  return specs.map((s) => faults.inject(s));
}

class BodyError extends Error {}

function jsonBody(req: RestRequest): unknown {
  if (req.rawBody.trim() === '') throw new BodyError('the body is empty; send a JSON document');
  try {
    return JSON.parse(req.rawBody);
  } catch (err) {
    throw new BodyError(`the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const badRequest = (error: string, issues: readonly SpecIssue[]): Reply => ({ status: 400, body: { error, issues } });
const notAllowed = (method: string, path: string): Reply => ({ status: 405, body: { error: `${method} is not allowed on ${path}` } });
const issue = (i: z.ZodError['issues'][number]): SpecIssue => ({ path: i.path.map(String).join('.'), message: i.message });
