/**
 * An order the venue acknowledged and later no longer knows (Binance purges cancelled or expired orders with
 * nothing executed; a testnet reset; a paper venue started afresh): the engine closes it as cancelled with a
 * `vanished_at_venue` anomaly, but only a recvWindow after the venue last spoke of it (its order queries can lag).
 * The venue here is a stand-in that acknowledges every order and then answers every look-up "not found" and
 * every open-orders request with nothing: a venue that lost the order. Real order machine, engine and LMDB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { VenuePort } from '../../src/engine/venue-port.ts';
import { OrderStore } from '../../src/store/index.ts';
import { until } from '../venue/helpers.ts';
import { standInVenue } from './stand-in-venue.ts';

const RECV_WINDOW_MS = 300;
let cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

/** A venue that acknowledges each order, then no longer knows any; `lookups()` counts its look-ups. */
function forgetfulVenue(): { port: VenuePort; lookups: () => number } {
  let lookups = 0;
  const port = standInVenue('paper', {
    lookup: async () => {
      lookups++;
      return { kind: 'not_found' as const };
    },
    openOrders: async () => ({ kind: 'ok' as const, orders: [] }),
  });
  return { port, lookups: () => lookups };
}

it('closes an acknowledged order the venue no longer knows, as cancelled with an anomaly, a recvWindow after its acknowledgement', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-vanished-'));
  const store = await OrderStore.open(dir);
  const venue = forgetfulVenue();
  const engine = new Engine({ store, venues: [venue.port], logger: pino({ level: 'silent' }), risk: { maxOrderNotional: '1000000' }, recvWindowMs: RECV_WINDOW_MS, reconcileIntervalMs: 50 });
  cleanup.push(async () => {
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  await engine.start();

  const cid = clientOrderIdFor('vanishing', 'entry');
  await engine.signal({ signalId: 'vanishing', instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '60000' } as never);
  expect(engine.status().orders.live).toBe(1);
  await until(() => engine.status().orders.live === 0, 'the order archived', 10_000);

  const o = await engine.order(cid);
  expect([o.state, o.outcome, o.live]).toEqual(['CLOSED', 'cancelled', false]);
  expect(o.anomalies.map((a) => a.code)).toEqual(['vanished_at_venue']);
  const accepted = o.transitions.find((t) => t.to === 'ACCEPTED');
  const cancelled = o.transitions.find((t) => t.to === 'CANCELLED');
  expect(accepted && cancelled && cancelled.event).toBe('RECONCILE_NOT_FOUND');
  // Not declared gone on a look-up within a recvWindow of the acknowledgement: looked up again, later.
  expect((cancelled?.at ?? 0) - (accepted?.at ?? 0)).toBeGreaterThanOrEqual(RECV_WINDOW_MS + 1_000);
  expect(venue.lookups()).toBeGreaterThanOrEqual(2);
});
