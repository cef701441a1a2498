/**
 * Live orders of a venue account the configuration no longer has: the engine says so at start-up (it can
 * neither reconcile, cancel nor fill them) and leaves them live. Real engine and LMDB; a stand-in venue.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { NEVER, of } from 'rxjs';
import { expect, it } from 'vitest';
import type { OrderIntent } from '../../src/domain/order.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { VenuePort } from '../../src/engine/venue-port.ts';
import { OrderStore } from '../../src/store/index.ts';

/** A venue that acknowledges each order and knows nothing else. */
function venue(id: string): VenuePort {
  return {
    id,
    limits: (symbol: string) => ({ symbol, tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' }),
    submit: async (intent: OrderIntent) => ({
      kind: 'ok' as const,
      update: { clientOrderId: intent.clientOrderId, venueOrderId: '5', status: 'open' as const, filledQuantity: '0', averagePrice: null, time: Date.now() },
      fills: [],
    }),
    cancel: async () => ({ kind: 'unknown' as const, message: 'not used' }),
    lookup: async () => ({ kind: 'unknown' as const, message: 'not used' }),
    orderUpdates$: NEVER,
    fills$: NEVER,
    connectivity$: of({ stream: 'orders', state: 'up' as const }, { stream: 'fills', state: 'up' as const }),
    close: async () => undefined,
  };
}

it('reports, at start-up, live orders of a venue account that is not configured, and keeps them live', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-unconfigured-'));
  try {
    let store = await OrderStore.open(dir);
    const first = new Engine({ store, venues: [venue('old-account')], logger: pino({ level: 'silent' }), risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0 });
    await first.start();
    await first.signal({ signalId: 'kept', instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '60000' } as never);
    await first.stop();
    await store.close();

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    store = await OrderStore.open(dir);
    const second = new Engine({ store, venues: [venue('new-account')], logger: pino({ level: 'info' }, sink), risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0 });
    const started = await second.start();
    expect(started.rehydrated).toBe(1);
    expect(second.status().orders.live).toBe(1);
    const report = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l['msg']).includes('not configured'));
    expect(report).toMatchObject({ level: 50, venue: 'old-account', orders: 1, configured: ['new-account'] });
    await second.stop();
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
