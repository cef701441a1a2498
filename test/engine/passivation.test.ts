/**
 * Passivation of idle order actors, with the real engine, LMDB store, ccxt port and
 * simulator: an idle order keeps only its committed snapshot; its next event restores
 * the actor from it, and the lifecycle goes on as if it had never stopped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, fixed } from '../../src/domain/decimal.ts';
import type { EngineEvent } from '../../src/engine/api.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Inspector } from '../../src/engine/inspector.ts';
import type { VenuePort } from '../../src/engine/venue-port.ts';
import type { RunningSimulator } from '../../src/sim/index.ts';
import { OrderStore } from '../../src/store/index.ts';
import { createVenuePort } from '../../src/venue/port.ts';
import { SYMBOL, bestBid, startWarmSimulator, until, waitFor } from '../venue/helpers.ts';

let sim: RunningSimulator;
let port: VenuePort;
let store: OrderStore;
let engine: Engine;
let dir: string;

beforeAll(async () => {
  sim = await startWarmSimulator();
  const logger = pino({ level: 'silent' });
  port = await createVenuePort(
    { id: 'paper', exchange: 'binance', apiKey: sim.description.apiKey, secret: sim.description.secret, ccxtOptions: sim.description.ccxt, enableRateLimit: false },
    logger,
  );
  dir = await mkdtemp(join(tmpdir(), 'engine-passivation-'));
  store = await OrderStore.open(dir);
  const inspectorPort = await freePort();
  engine = new Engine({
    store,
    venues: [port],
    logger,
    risk: { maxOrderNotional: '1000000' },
    passivateAfterMs: 300,
    reconcileIntervalMs: 0,
    inspector: new Inspector({ port: inspectorPort, logger }),
  });
  await engine.start();
  await until(() => engine.status().venues[0]?.streams['orders'] === 'up', 'the user-data stream', 10_000);
});

afterAll(async () => {
  await engine?.stop();
  await port?.close();
  await store?.close();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('passivation', () => {
  it('stops idle actors, keeps their orders live, and restores an actor on its next event', async () => {
    const events = engine.events();
    const price = fixed(dec(bestBid(sim)).minus(500), 2);
    const a = await engine.signal({ signalId: 'passive-a', instrument: SYMBOL, side: 'buy', type: 'limit', quantity: '0.001', price, timeInForce: 'GTC' });
    const b = await engine.signal({ signalId: 'passive-b', instrument: SYMBOL, side: 'buy', type: 'limit', quantity: '0.002', price, timeInForce: 'GTC' });
    await until(() => engine.status().orders.byState['ACCEPTED'] === 2, 'both orders ACCEPTED', 10_000);

    await until(() => engine.status().orders.running === 0, 'both actors passivated', 10_000);
    expect(engine.status().orders).toMatchObject({ live: 2, running: 0, byState: { ACCEPTED: 2 } });
    expect((await engine.order(a.clientOrderId)).state).toBe('ACCEPTED'); // queries answer from the committed snapshot

    // The cancel restores A's actor; the venue's cancel report then reaches the restored actor.
    const closed = waitFor(events, (e: EngineEvent) => e.type === 'transition' && e.clientOrderId === a.clientOrderId && e.to === 'CLOSED', 'A CLOSED', 10_000);
    await engine.cancel(a.clientOrderId);
    await closed;
    const view = await engine.order(a.clientOrderId);
    expect(view).toMatchObject({ state: 'CLOSED', outcome: 'cancelled', live: false });
    expect(view.transitions.map((t) => t.to)).toEqual(['VALIDATED', 'SUBMITTED', 'ACCEPTED', 'PENDING_CANCEL', 'CANCELLED', 'CLOSED']);
    expect(store.journalFor(a.clientOrderId).map((j) => j.to).at(-1)).toBe('CLOSED');
    expect(engine.status().orders).toMatchObject({ live: 1, byState: { ACCEPTED: 1 } });

    // Switching the inspector on restores every live actor (it shows them all) and holds passivation off;
    // switched off, the restored actors are passivated again although they received no event.
    await engine.setInspector(true);
    expect(engine.status().orders.running).toBe(1);
    await engine.setInspector(false);
    await until(() => engine.status().orders.running === 0, 'B passivated again', 10_000);

    // B was never touched: still live, actor not running, and it still cancels.
    expect((await engine.order(b.clientOrderId)).state).toBe('ACCEPTED');
    await engine.cancel(b.clientOrderId);
    await until(() => engine.status().orders.live === 0, 'B closed', 10_000);
  });
});

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
