/**
 * A stand-in venue for engine tests that need a venue to behave in one way the simulator cannot be made to
 * (forget an order, belong to another account): it acknowledges every order as open with nothing executed,
 * has no streams (both reported up), and answers everything else "outcome unknown" unless overridden.
 */
import { NEVER, of } from 'rxjs';
import type { OrderIntent } from '../../src/domain/order.ts';
import type { VenuePort } from '../../src/engine/venue-port.ts';

export function standInVenue(id: string, overrides: Partial<Pick<VenuePort, 'lookup' | 'openOrders' | 'submit'>> = {}): VenuePort {
  return {
    id,
    limits: (symbol: string) => ({ symbol, tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' }),
    submit: async (intent: OrderIntent) => ({
      kind: 'ok' as const,
      update: { clientOrderId: intent.clientOrderId, venueOrderId: '77', status: 'open' as const, filledQuantity: '0', averagePrice: null, time: Date.now() },
      fills: [],
    }),
    cancel: async () => ({ kind: 'unknown' as const, message: 'stand-in venue: not answered' }),
    lookup: async () => ({ kind: 'unknown' as const, message: 'stand-in venue: not answered' }),
    orderUpdates$: NEVER,
    fills$: NEVER,
    connectivity$: of({ stream: 'orders', state: 'up' as const }, { stream: 'fills', state: 'up' as const }),
    close: async () => undefined,
    ...overrides,
  };
}
