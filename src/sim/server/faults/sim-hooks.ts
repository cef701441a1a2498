/**
 * Wires rate limiting, fault injection and the admin routes into the server's
 * hooks, in this order:
 *
 *   REST: errorBoundary → admin (`/__sim/…`) → route → rate limit (per IP) → faults
 *         → params → auth → rate limit (ORDERS, per account) → handler
 *   websockets: connection tracking / dropping, the silent-stream gate on the user hub,
 *         WebSocket API weight.
 *
 * The limiter runs before the faults, so an injected fault still costs its
 * request weight (the request did reach the API) and its reply still carries the
 * usage headers; `rejectOrders` answers before the ORDERS stage (a refused order
 * does not count); `loseResponse` runs the whole pipeline (the order counts).
 */
import pino, { type Logger } from 'pino';
import type { Replay } from '../../market/types.ts';
import type { PipelineHooks } from '../http/pipeline.ts';
import { buildRateLimiting, type RateLimitConfig, type RateLimitControl } from '../ratelimit/index.ts';
import type { WsHooks } from '../ws/hooks.ts';
import { adminStage } from './admin.ts';
import { type FaultControl, FaultController } from './controller.ts';

/** Inputs of {@link buildSimHooks}. */
export interface SimHooksInput {
  readonly rateLimits: RateLimitConfig;
  /** The spot exchangeInfo body the venue serves (its `rateLimits`). */
  readonly spotExchangeInfo: unknown;
  /** The USD-M exchangeInfo body, when the futures venue runs (its `rateLimits` govern `/fapi/…`). */
  readonly usdmExchangeInfo?: unknown;
  readonly replay: Pick<Replay, 'pause' | 'resume' | 'stats' | 'now'>;
  /** Ground truth by market, e.g. `() => ({ spot: venue.groundTruth() })`. */
  readonly truth: () => Record<string, unknown>;
  readonly logger?: Logger;
}

/** The hooks to pass to `startServer` and the controls to expose on the simulator handle. */
export interface SimHooks {
  readonly restHooks: PipelineHooks;
  readonly wsHooks: WsHooks;
  readonly faults: FaultControl;
  readonly rateLimits: RateLimitControl;
  /** Ends every fault and cancels its timers (call before closing the server). */
  close(): void;
}

/**
 * Builds the hooks.
 * @throws Error when an exchangeInfo `rateLimits` array does not parse.
 */
export function buildSimHooks(input: SimHooksInput): SimHooks {
  const logger = input.logger ?? pino({ level: 'silent' });
  const limits = buildRateLimiting(input.rateLimits, input.spotExchangeInfo, logger, input.usdmExchangeInfo);
  const faults = new FaultController({ replay: input.replay });
  const truth = () => ({ ...input.truth(), replayTime: input.replay.now() });
  const faultWs = faults.wsHooks();
  return {
    restHooks: {
      beforeRoute: [adminStage({ faults, rateLimits: limits.control, truth })],
      afterRoute: [...(limits.stages ? [limits.stages.afterRoute] : []), faults.restStage()],
      beforeHandler: limits.stages ? [limits.stages.beforeHandler] : [],
    },
    wsHooks: { ...faultWs, ...(limits.wsApi && { wsApiLimiter: limits.wsApi }) },
    faults,
    rateLimits: limits.control,
    close: () => faults.close(),
  };
}
