/**
 * Live orders of a venue account the configuration no longer has: the engine says so at start-up (it can
 * neither reconcile, cancel nor fill them) and leaves them live. Real engine and LMDB; stand-in venues.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { OrderStore } from '../../src/store/index.ts';
import { standInVenue } from './stand-in-venue.ts';

it('reports, at start-up, live orders of a venue account that is not configured, and keeps them live', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-unconfigured-'));
  try {
    let store = await OrderStore.open(dir);
    const first = new Engine({ store, venues: [standInVenue('old-account')], logger: pino({ level: 'silent' }), risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0 });
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
    const second = new Engine({ store, venues: [standInVenue('new-account')], logger: pino({ level: 'info' }, sink), risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0 });
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
