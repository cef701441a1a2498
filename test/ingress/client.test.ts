/** The typed client library against the real socket server (fake engine). */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientError, connect, IngressError, type Client } from '../../src/cli/client.ts';
import type { EngineEvent } from '../../src/engine/api.ts';
import { deadline, startHarness, tempDir, type Harness } from './helpers.ts';

describe('client library', () => {
  let h: Harness;
  let client: Client;
  beforeEach(async () => {
    h = await startHarness();
    client = await connect(h.server.path);
  });
  afterEach(async () => {
    await client.close();
    await h.stop();
  });

  it('sends typed requests and resolves validated results', async () => {
    const placed = await client.request('signal', { signal: { signalId: 'c1', instrument: 'ETH/USDT', side: 'sell', type: 'limit', quantity: '0.5', price: '2600.10', timeInForce: 'IOC' } });
    expect(placed).toEqual({ signalId: 'c1', clientOrderId: 'x-c1', state: 'PENDING_NEW', duplicate: false });
    const again = await client.request('signal', { signal: { signalId: 'c1', instrument: 'ETH/USDT', side: 'sell', type: 'market', quantity: '1' } });
    expect(again.duplicate).toBe(true);
    const order = await client.request('order', { clientOrderId: 'x-c1' });
    expect(order).toMatchObject({ instrument: 'ETH/USDT', price: '2600.10', timeInForce: 'IOC' });
    const [status, pong, page] = await Promise.all([client.request('status'), client.request('ping'), client.request('orders', { limit: 10 })]);
    expect(status.orders.live).toBe(1);
    expect(pong).toEqual({ pong: true });
    expect(page.orders).toHaveLength(1);
  });

  it('throws IngressError with code, message and issues', async () => {
    const bad = client.request('signal', { signal: { instrument: 'BTC/USDT', side: 'buy', type: 'market' } });
    await expect(bad).rejects.toBeInstanceOf(IngressError);
    await expect(bad).rejects.toMatchObject({ code: 'bad_request', issues: [{ path: ['signal', 'quantity'] }] });
    await expect(client.request('cancel', { clientOrderId: 'missing' })).rejects.toMatchObject({ code: 'not_found', message: 'no order missing' });
  });

  it('iterates events after subscribe and stops buffering when the loop breaks', async () => {
    const events = client.events();
    await client.request('subscribe');
    const seen: EngineEvent[] = [];
    const collecting = (async () => {
      for await (const e of events) {
        seen.push(e);
        if (seen.length === 3) break;
      }
    })();
    const { clientOrderId } = await client.request('signal', { signal: { instrument: 'BTC/USDT', side: 'buy', type: 'market', quoteQuantity: '100' } });
    h.engine.fill(clientOrderId, '61000.5');
    await deadline(collecting, 5000, 'three events');
    expect(seen.map((e) => e.type)).toEqual(['transition', 'fill', 'transition']);
    expect(seen[1]).toMatchObject({ type: 'fill', clientOrderId, fill: { price: '61000.5', quantity: '0.001' } });
    await client.request('unsubscribe');
    expect(h.engine.subscribers.value).toBe(0);
  });

  it('ends event iteration when the daemon goes away, and fails later requests with ClientError closed', async () => {
    const events = client.events();
    await client.request('subscribe');
    const iteration = (async () => {
      for await (const _ of events) {
        /* none expected */
      }
    })().then(
      () => undefined,
      (err: unknown) => err,
    );
    await h.server.close();
    expect(await deadline(iteration, 5000, 'iteration to end')).toMatchObject({ name: 'IngressError', code: 'shutting_down' });
    await deadline(client.closed, 5000, 'client closed');
    await expect(client.request('ping')).rejects.toMatchObject({ name: 'ClientError', code: 'closed' });
  });
});

describe('client connect errors', () => {
  it('says which path it tried and why', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'none.sock');
      const attempt = connect(path);
      await expect(attempt).rejects.toBeInstanceOf(ClientError);
      await expect(attempt).rejects.toMatchObject({ code: 'unreachable', errno: 'ENOENT', path, message: expect.stringContaining(path) });
    } finally {
      cleanup();
    }
  });
});
