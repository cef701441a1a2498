/**
 * Pre-trade checks: what a careful trader checks before sending an order.
 * Pure: takes the intent, the instrument's limits and the configured risk
 * limits; returns approval or a reason code (the order actor goes DENIED with it).
 *
 * Rules follow the venue's own filters (Binance PRICE_FILTER tick size, LOT_SIZE
 * step and bounds, NOTIONAL minimum) so that an order the venue would refuse is
 * denied locally, with the engine's limit on notional per order on top.
 */
import { dec, isMultipleOf } from '../domain/decimal.ts';
import type { OrderIntent } from '../domain/order.ts';
import type { InstrumentLimits } from './venue-port.ts';

export interface RiskLimits {
  /** Largest notional of one order, quote currency (decimal string); null for none. */
  readonly maxOrderNotional: string | null;
}

export type RiskDecision = { readonly approved: true } | { readonly approved: false; readonly reason: string; readonly detail: string };

const deny = (reason: string, detail: string): RiskDecision => ({ approved: false, reason, detail });

/**
 * Checks an intent. `referencePrice` (quote per base) values market orders by
 * quantity: the current best opposite price, or undefined when unknown (then the
 * notional checks of a market order by quantity are left to the venue).
 */
export function checkIntent(intent: OrderIntent, limits: InstrumentLimits | undefined, risk: RiskLimits, referencePrice?: string): RiskDecision {
  if (!limits) return deny('unknown_instrument', `the venue lists no instrument ${intent.symbol}`);
  if (intent.price !== undefined && limits.tickSize && !isMultipleOf(intent.price, limits.tickSize)) {
    return deny('price_not_on_tick', `price ${intent.price} is not a multiple of the tick size ${limits.tickSize}`);
  }
  if (intent.quantity !== undefined) {
    const q = dec(intent.quantity);
    if (limits.stepSize && !isMultipleOf(q, limits.stepSize)) {
      return deny('quantity_not_on_step', `quantity ${intent.quantity} is not a multiple of the step size ${limits.stepSize}`);
    }
    if (limits.minQty && q.lt(limits.minQty)) return deny('quantity_below_minimum', `quantity ${intent.quantity} is below the minimum ${limits.minQty}`);
    if (limits.maxQty && dec(limits.maxQty).gt(0) && q.gt(limits.maxQty)) {
      return deny('quantity_above_maximum', `quantity ${intent.quantity} is above the maximum ${limits.maxQty}`);
    }
  }
  const px = intent.price ?? referencePrice;
  const notional = intent.quoteQuantity !== undefined ? dec(intent.quoteQuantity) : px !== undefined && intent.quantity !== undefined ? dec(px).times(intent.quantity) : undefined;
  if (notional) {
    if (limits.minNotional && notional.lt(limits.minNotional)) {
      return deny('notional_below_minimum', `notional ${notional.toFixed()} is below the venue minimum ${limits.minNotional}`);
    }
    if (risk.maxOrderNotional !== null && notional.gt(risk.maxOrderNotional)) {
      return deny('notional_above_limit', `notional ${notional.toFixed()} is above the engine's limit ${risk.maxOrderNotional}`);
    }
  }
  return { approved: true };
}
