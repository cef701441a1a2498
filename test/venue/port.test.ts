/**
 * The engine's VenuePort over the adapter, against the real simulator, built
 * the way the daemon builds it (the simulator's raw ccxt options).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, fixed } from '../../src/domain/decimal.ts';
import type { RunningSimulator } from '../../src/sim/index.ts';
import { pino } from 'pino';
import type { VenuePort } from '../../src/engine/venue-port.ts';
import { createVenuePort } from '../../src/venue/port.ts';
import { SYMBOL, bestBid, intentsFor, record, startWarmSimulator, truthOrder, waitFor } from './helpers.ts';

let sim: RunningSimulator;
let port: VenuePort;

beforeAll(async () => {
  sim = await startWarmSimulator();
  port = await createVenuePort(
    {
    id: 'paper-sim',
    exchange: 'binance',
    apiKey: sim.description.apiKey,
    secret: sim.description.secret,
    ccxtOptions: sim.description.ccxt,
    enableRateLimit: false,
    },
    pino({ level: 'silent' }),
  );
});

afterAll(async () => {
  await port?.close();
  await sim?.close();
});

const intent = intentsFor('port');

describe('CcxtVenuePort against the simulator', () => {
  it('exposes the instrument limits as Binance decimal strings', () => {
    expect(port.id).toBe('paper-sim');
    expect(port.limits(SYMBOL)).toEqual({
      symbol: SYMBOL,
      tickSize: '0.01000000',
      stepSize: '0.00001000',
      minQty: '0.00001000',
      maxQty: '9000.00000000',
      minNotional: '5.00000000',
    });
    expect(port.limits('NOPE/USDT')).toBeUndefined();
  });

  it('submit → ok with fills; lookup → found with the same fills', async () => {
    const i = intent({ quantity: '0.02' });
    const submitted = await port.submit(i);
    if (submitted.kind !== 'ok') throw new Error(JSON.stringify(submitted));
    expect(submitted.fills.length).toBeGreaterThan(0);
    const found = await port.lookup(i.clientOrderId, SYMBOL);
    if (found.kind !== 'found') throw new Error(JSON.stringify(found));
    expect(found.update).toMatchObject({ clientOrderId: i.clientOrderId, status: 'closed', filledQuantity: truthOrder(sim, i.clientOrderId)?.['executedQty'] });
    // REST trade list vs placement answer: same trades, same decimals (times: trade time vs transactTime).
    expect(found.fills.map(({ time: _t, ...f }) => f)).toEqual(submitted.fills.map(({ time: _t, ...f }) => f));
  });

  it('lookup of an order the venue never saw → not_found', async () => {
    expect(await port.lookup('ae1-never-sent-000000000000000000000', SYMBOL)).toEqual({ kind: 'not_found' });
  });

  it('cancel → ok, then rejected unknown_order; a rejected submit carries reason and code', async () => {
    const i = intent({ type: 'limit', timeInForce: 'GTC', price: fixed(dec(bestBid(sim)).minus(250), 2), quantity: '0.001' });
    expect((await port.submit(i)).kind).toBe('ok');
    expect(await port.lookup(i.clientOrderId, SYMBOL)).toMatchObject({ kind: 'found', fills: [] });
    expect(await port.cancel(i.clientOrderId, SYMBOL)).toMatchObject({ kind: 'ok', update: { status: 'canceled' } });
    expect(await port.cancel(i.clientOrderId, SYMBOL)).toMatchObject({ kind: 'rejected', reason: 'unknown_order', venueCode: -2011 });
    const poor = await port.submit(intent({ type: 'limit', timeInForce: 'GTC', price: fixed(bestBid(sim), 2), quantity: '100' }));
    expect(poor).toMatchObject({ kind: 'rejected', reason: 'insufficient_funds', venueCode: -2010 });
  });

  it('streams order updates and reports connectivity', async () => {
    const conn = record(port.connectivity$);
    const updates = record(port.orderUpdates$);
    try {
      await waitFor(conn.replay, (s) => s.stream === 'orders' && s.state === 'up', 'orders up');
      const i = intent({ quantity: '0.001' });
      expect((await port.submit(i)).kind).toBe('ok');
      await waitFor(updates.replay, (u) => u.clientOrderId === i.clientOrderId && u.status === 'closed', 'the closed update');
    } finally {
      conn.subscription.unsubscribe();
      updates.subscription.unsubscribe();
    }
  });
});
