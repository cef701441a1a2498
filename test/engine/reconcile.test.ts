/**
 * Reconciliation against the real simulator, ccxt port and LMDB store: orders resting at the
 * venue are checked with one open-orders request per instrument, and only an order the venue
 * changed meanwhile is looked up by itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, fixed } from '../../src/domain/decimal.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { VenuePort } from '../../src/engine/venue-port.ts';
import type { RunningSimulator } from '../../src/sim/index.ts';
import { OrderStore } from '../../src/store/index.ts';
import { createVenuePort } from '../../src/venue/port.ts';
import { SYMBOL, bestBid, startWarmSimulator, until, waitFor } from '../venue/helpers.ts';

const logger = pino({ level: 'silent' });
let sim: RunningSimulator;
let port: VenuePort;
let store: OrderStore;
let dir: string;
const engines: Engine[] = [];

function newEngine(): Engine {
  const engine = new Engine({ store, venues: [port], logger, risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0, passivateAfterMs: 0 });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  sim = await startWarmSimulator();
  port = await createVenuePort(
    { id: 'paper', exchange: 'binance', apiKey: sim.description.apiKey, secret: sim.description.secret, ccxtOptions: sim.description.ccxt, enableRateLimit: false },
    logger,
  );
  dir = await mkdtemp(join(tmpdir(), 'engine-reconcile-'));
  store = await OrderStore.open(dir);
});

afterAll(async () => {
  for (const e of engines) await e.stop();
  await port?.close();
  await store?.close();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('reconciliation of resting orders', () => {
  it('checks unchanged resting orders with one open-orders request; looks up the one cancelled while the engine was down', async () => {
    const first = newEngine();
    await first.start();
    await until(() => first.status().venues[0]?.streams['orders'] === 'up', 'the user-data stream', 10_000);
    const price = fixed(dec(bestBid(sim)).minus(700), 2);
    const cids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await first.signal({ signalId: `rest-${i}`, instrument: SYMBOL, side: 'buy', type: 'limit', quantity: '0.001', price, timeInForce: 'GTC' });
      cids.push(r.clientOrderId);
    }
    await until(() => first.status().orders.byState['ACCEPTED'] === 6, 'six orders ACCEPTED', 10_000);
    await first.stop();

    // While no engine runs: one order is cancelled at the venue (by hand, say).
    const gone = cids[2] ?? '';
    const reported = waitFor(port.orderUpdates$, (u) => u.clientOrderId === gone && u.status === 'canceled', 'the cancel report on the stream', 10_000);
    expect(await port.cancel(gone, SYMBOL)).toMatchObject({ kind: 'ok', update: { status: 'canceled' } });
    await reported; // delivered while no engine listened: only reconciliation can learn it now

    sim.control.resetServerTimings();
    const second = newEngine();
    const restored = await second.start();
    const requests = sim.control.serverTimings().n;
    expect(restored).toMatchObject({ rehydrated: 6, reconciled: 6, failed: 0 });
    // One open-orders request for the five unchanged orders, and the order and its trades for the cancelled one
    // (looking each order up would take twelve).
    expect(requests).toBe(3);
    expect((await second.order(gone)).state).toBe('CLOSED');
    expect((await second.order(gone)).outcome).toBe('cancelled');
    for (const cid of cids.filter((c) => c !== gone)) expect((await second.order(cid)).state).toBe('ACCEPTED');
    expect(second.status().orders).toMatchObject({ live: 5, byState: { ACCEPTED: 5 } });
  });
});
