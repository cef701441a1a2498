/**
 * Binds one venue account's ccxt adapter (REST + websocket loops) to the
 * engine's {@link VenuePort}: the engine sees outcomes, observables and the
 * instrument limits, never ccxt.
 */
import type { Logger } from 'pino';
import { map } from 'rxjs';
import type { CancelOutcome, InstrumentLimits, LookupOutcome, OpenOrdersOutcome, SubmitOutcome, VenuePort } from '../engine/venue-port.ts';
import type { OrderIntent } from '../domain/order.ts';
import { type VenueAccountConfigInput, createExchange } from './exchange.ts';
import { VenueRest } from './rest.ts';
import { VenueStreams } from './streams.ts';

interface RawFilter {
  readonly filterType?: unknown;
  readonly [k: string]: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * Instrument limits from the venue's own filters (Binance exchangeInfo, as ccxt
 * keeps them in `market.info.filters`): decimal strings exactly as Binance sent
 * them, so no float from ccxt's `precision`/`limits` becomes a rule.
 */
export function limitsFromMarket(symbol: string, info: unknown): InstrumentLimits {
  const filters: RawFilter[] =
    typeof info === 'object' && info !== null && 'filters' in info && Array.isArray(info.filters) ? (info.filters as RawFilter[]) : [];
  const f = (type: string): RawFilter | undefined => filters.find((x) => x.filterType === type);
  const price = f('PRICE_FILTER');
  const lot = f('LOT_SIZE');
  const notional = f('NOTIONAL') ?? f('MIN_NOTIONAL');
  return {
    symbol,
    tickSize: str(price?.tickSize),
    stepSize: str(lot?.stepSize),
    minQty: str(lot?.minQty),
    maxQty: str(lot?.maxQty),
    minNotional: str(notional?.minNotional) ?? str(notional?.notional),
  };
}

/**
 * Creates the exchange (markets loaded), its REST adapter and its websocket
 * loops, and returns them as the engine's port.
 * @throws Error when the exchange cannot be created or its markets cannot be loaded.
 */
export async function createVenuePort(cfg: VenueAccountConfigInput, logger: Logger): Promise<VenuePort> {
  const venue = await createExchange(cfg, logger);
  const ex = venue.exchange;
  const rest = new VenueRest(ex, { logger });
  const streams = new VenueStreams(ex, { logger });
  const limits = new Map<string, InstrumentLimits>();
  return {
    id: venue.accountId,
    limits(symbol) {
      let l = limits.get(symbol);
      if (!l) {
        const market = ex.markets?.[symbol];
        if (!market) return undefined;
        l = limitsFromMarket(symbol, market.info);
        limits.set(symbol, l);
      }
      return l;
    },
    async submit(intent: OrderIntent): Promise<SubmitOutcome> {
      const r = await rest.createOrder(intent);
      if (r.kind === 'ok') return { kind: 'ok', update: r.value.update, fills: r.value.fills };
      // A duplicate client order id means the order exists at the venue: its outcome is to be looked up, not a rejection.
      if (r.kind === 'rejected' && r.reason !== 'duplicate_order') {
        return { kind: 'rejected', reason: r.reason, message: r.message, ...(r.venueCode !== undefined && { venueCode: r.venueCode }) };
      }
      return { kind: 'unknown', message: r.message };
    },
    async cancel(clientOrderId, symbol): Promise<CancelOutcome> {
      const r = await rest.cancelOrder(clientOrderId, symbol);
      if (r.kind === 'ok') return { kind: 'ok', update: r.value };
      if (r.kind === 'rejected') {
        return {
          kind: 'rejected',
          reason: r.reason === 'unknown_order' ? 'unknown_order' : 'other',
          message: r.message,
          ...(r.venueCode !== undefined && { venueCode: r.venueCode }),
        };
      }
      return { kind: 'unknown', message: r.message };
    },
    async lookup(clientOrderId, symbol): Promise<LookupOutcome> {
      const r = await rest.fetchOrderByClientId(clientOrderId, symbol);
      if (r.kind === 'rejected') return r.reason === 'unknown_order' ? { kind: 'not_found' } : { kind: 'unknown', message: r.message };
      if (r.kind === 'unknown') return r;
      const fills = await rest.fetchOrderFills(symbol, r.value.venueOrderId, clientOrderId);
      if (fills.kind !== 'ok') return { kind: 'unknown', message: fills.message };
      return { kind: 'found', update: r.value, fills: fills.value };
    },
    async openOrders(symbol): Promise<OpenOrdersOutcome> {
      const r = await rest.fetchOpenOrders(symbol);
      if (r.kind === 'ok') return { kind: 'ok', orders: r.value.map((o) => o.update) };
      return { kind: 'unknown', message: r.message };
    },
    orderUpdates$: streams.orderUpdates$,
    fills$: streams.fills$,
    connectivity$: streams.connectivity$.pipe(map((c) => ({ stream: c.stream, state: c.state, ...(c.error !== undefined && { error: c.error }) }))),
    async close() {
      await streams.close();
    },
  };
}
