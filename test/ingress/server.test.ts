/** The socket server over real Unix sockets, driven by a raw line client, on the fake engine. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { deadline, LineProbe, startHarness, waitFor, type Harness } from './helpers.ts';

const SIGNAL = { instrument: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.001' };

describe('socket server: requests and replies', () => {
  let h: Harness;
  let probe: LineProbe;
  beforeEach(async () => {
    h = await startHarness();
    probe = await LineProbe.open(h.server.path);
  });
  afterEach(async () => {
    probe.close();
    await h.stop();
  });

  it('answers each request once, with its id, in order (string and number ids)', async () => {
    probe.request({ id: 'a', op: 'ping' });
    probe.request({ id: 7, op: 'signal', signal: { ...SIGNAL, signalId: 's-1' } });
    probe.request({ id: 'c', op: 'order', clientOrderId: 'x-s-1' });
    probe.request({ id: 8, op: 'status' });
    const [a, b, c, d] = (await probe.take(4)) as Array<Record<string, unknown>>;
    expect(a).toEqual({ id: 'a', ok: true, result: { pong: true } });
    expect(b).toEqual({ id: 7, ok: true, result: { signalId: 's-1', clientOrderId: 'x-s-1', state: 'PENDING_NEW', duplicate: false } });
    expect(c).toMatchObject({ id: 'c', ok: true, result: { clientOrderId: 'x-s-1', state: 'PENDING_NEW', transitions: [{ from: 'NEW', to: 'PENDING_NEW' }] } });
    expect(d).toMatchObject({ id: 8, ok: true, result: { state: 'running', orders: { live: 1 } } });
    expect(h.engine.received).toEqual([{ ...SIGNAL, signalId: 's-1' }]);
  });

  it('runs orders with filters and cursors, cancel, inspect', async () => {
    for (let i = 0; i < 3; i++) probe.request({ id: i, op: 'signal', signal: { ...SIGNAL, signalId: `o${i}` } });
    await probe.take(3);
    probe.request({ id: 'p1', op: 'orders', limit: 2, instrument: 'BTC/USDT', states: ['PENDING_NEW'] });
    const page1 = await probe.next();
    expect(page1).toMatchObject({ id: 'p1', ok: true, result: { nextCursor: '2' } });
    probe.request({ id: 'p2', op: 'orders', cursor: '2' });
    expect(await probe.next()).toMatchObject({ id: 'p2', ok: true, result: { orders: [{ clientOrderId: 'x-o2' }] } });
    probe.request({ id: 'k', op: 'cancel', clientOrderId: 'x-o0' });
    expect(await probe.next()).toMatchObject({ id: 'k', ok: true, result: { state: 'PENDING_CANCEL' } });
    probe.request({ id: 'i', op: 'inspect', enabled: true });
    expect(await probe.next()).toMatchObject({ id: 'i', ok: true, result: { enabled: true, url: expect.stringContaining('stately') } });
  });

  it('answers a line that is not JSON with bad_json and id null, and keeps the connection', async () => {
    probe.send('{"id": 1, "op": "ping"\n');
    probe.request({ id: 2, op: 'ping' });
    const [bad, good] = (await probe.take(2)) as Array<Record<string, unknown>>;
    expect(bad).toMatchObject({ id: null, ok: false, error: { code: 'bad_json', issues: [] } });
    expect(good).toEqual({ id: 2, ok: true, result: { pong: true } });
    expect(h.records.some((r) => r['msg'] === 'bad request line' && r['level'] === 40)).toBe(true);
  });

  it('answers non-objects and missing or invalid ids with bad_request and id null', async () => {
    probe.send('[1,2]\n42\n{"op":"ping"}\n{"id":{"x":1},"op":"ping"}\n{"id":"","op":"ping"}\n');
    const replies = (await probe.take(5)) as Array<Record<string, unknown>>;
    for (const r of replies) expect(r).toMatchObject({ id: null, ok: false, error: { code: 'bad_request' } });
    expect(replies[2]).toMatchObject({ error: { issues: [{ path: ['id'], message: 'id is required' }] } });
  });

  it('answers an unknown op with unknown_op and the request id; a missing op with bad_request', async () => {
    probe.request({ id: 'u', op: 'sell_everything' });
    probe.request({ id: 'm' });
    const [u, m] = (await probe.take(2)) as Array<Record<string, unknown>>;
    expect(u).toMatchObject({ id: 'u', ok: false, error: { code: 'unknown_op', issues: [{ path: ['op'] }] } });
    expect(m).toMatchObject({ id: 'm', ok: false, error: { code: 'bad_request', issues: [{ path: ['op'] }] } });
  });

  it('answers wrong types with bad_request and zod issues (path + message), unknown fields included', async () => {
    probe.request({ id: 1, op: 'signal', signal: { ...SIGNAL, quantity: 'lots' } });
    probe.request({ id: 2, op: 'orders', limit: 0, states: 'NEW' });
    probe.request({ id: 3, op: 'inspect', enabled: 'yes', verbose: true });
    probe.request({ id: 4, op: 'signal', signal: { instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '1' } });
    probe.request({ id: 5, op: 'signal', signal: { ...SIGNAL, side: 'hold', qty: '1' } });
    probe.request({ id: 6, op: 'signal', signal: { ...SIGNAL, quantity: '0' } });
    const [s, o, i, l, h2, z] = (await probe.take(6)) as Array<{ id: number; ok: false; error: { code: string; message: string; issues: Array<{ path: unknown[]; message: string }> } }>;
    expect(s?.error.code).toBe('bad_request');
    expect(s?.error.issues).toEqual([{ path: ['signal', 'quantity'], message: expect.stringContaining('decimal string') }]);
    expect(s?.error.message).toMatch(/^invalid signal request: signal\.quantity: /);
    expect(h2?.error.issues.map((x) => x.path)).toEqual(expect.arrayContaining([['signal', 'side'], ['signal', 'qty']]));
    expect(z?.error.issues).toEqual([{ path: ['signal', 'quantity'], message: 'expected a decimal greater than zero' }]);
    expect(o?.error.issues.map((x) => x.path)).toEqual(expect.arrayContaining([['limit'], ['states']]));
    expect(i?.error.issues).toEqual(expect.arrayContaining([{ path: ['enabled'], message: expect.any(String) }, { path: ['verbose'], message: 'unknown field' }]));
    expect(l?.error.issues).toEqual([{ path: ['signal', 'price'], message: 'a limit signal needs price' }]);
    expect(h.engine.received).toEqual([]);
  });

  it('passes engine errors through with their code and issues; hides unexpected errors as internal', async () => {
    probe.request({ id: 1, op: 'order', clientOrderId: 'nope' });
    probe.request({ id: 2, op: 'signal', signal: { ...SIGNAL, instrument: 'NOPE/USDT' } });
    probe.request({ id: 3, op: 'signal', signal: { ...SIGNAL, instrument: 'BOOM/USDT' } });
    probe.request({ id: 4, op: 'ping' });
    const [a, b, c, d] = (await probe.take(4)) as Array<Record<string, unknown>>;
    expect(a).toEqual({ id: 1, ok: false, error: { code: 'not_found', message: 'no order nope', issues: [] } });
    expect(b).toMatchObject({ id: 2, ok: false, error: { code: 'unknown_instrument', issues: [{ path: ['instrument'], message: 'not traded on the venue' }] } });
    expect(c).toMatchObject({ id: 3, ok: false, error: { code: 'internal', issues: [] } });
    expect(JSON.stringify(c)).not.toContain('kaboom');
    expect(d).toMatchObject({ id: 4, ok: true });
    expect(h.records.some((r) => r['level'] === 50 && JSON.stringify(r).includes('kaboom'))).toBe(true);
  });
});

describe('socket server: line limits, disconnects, floods', () => {
  let h: Harness;
  afterEach(async () => h.stop());

  it('answers an oversized line once (as soon as the limit is passed), discards it to its newline, and stays usable', async () => {
    h = await startHarness({ maxLineBytes: 1024 });
    const probe = await LineProbe.open(h.server.path);
    probe.request({ id: 1, op: 'ping' });
    probe.send('{"id": 2, "op": "ping", "pad": "' + 'x'.repeat(3000));
    const [first, tooLong] = (await probe.take(2)) as Array<Record<string, unknown>>;
    expect(first).toMatchObject({ id: 1, ok: true });
    expect(tooLong).toMatchObject({ id: null, ok: false, error: { code: 'line_too_long' } });
    probe.send('y'.repeat(100_000) + '"}\n');
    probe.request({ id: 3, op: 'ping' });
    probe.send('z'.repeat(2000) + '\n');
    const [after, second] = (await probe.take(2)) as Array<Record<string, unknown>>;
    expect(after).toEqual({ id: 3, ok: true, result: { pong: true } });
    expect(second).toMatchObject({ id: null, error: { code: 'line_too_long' } });
    probe.request({ id: 4, op: 'ping' });
    expect(await probe.next()).toMatchObject({ id: 4, ok: true });
    expect(probe.pending).toBe(0);
    expect(h.server.stats().peakBufferedBytes).toBeLessThan(1024 + 256 * 1024);
    probe.close();
  });

  it('executes complete lines sent before a disconnect, drops the unfinished one, and keeps serving others', async () => {
    h = await startHarness();
    const transitions = firstValueFrom(h.engine.subject);
    const gone = await LineProbe.open(h.server.path);
    gone.send(`${JSON.stringify({ id: 1, op: 'signal', signal: { ...SIGNAL, signalId: 'before-crash' } })}\n{"id": 2, "op": "sig`);
    gone.close();
    await deadline(transitions, 5000, 'the signal sent before the disconnect');
    const other = await LineProbe.open(h.server.path);
    other.request({ id: 'x', op: 'order', clientOrderId: 'x-before-crash' });
    expect(await other.next()).toMatchObject({ id: 'x', ok: true, result: { signalId: 'before-crash' } });
    expect(h.engine.received).toHaveLength(1);
    other.close();
  });

  it('answers what was sent before a half-close, then ends the connection', async () => {
    h = await startHarness();
    const probe = await LineProbe.open(h.server.path);
    probe.send('{"id":1,"op":"ping"}\n{"id":2,"op":"status"}\n{"id":3,"op":"pi');
    probe.socket.end();
    const replies = (await probe.take(2)) as Array<Record<string, unknown>>;
    expect(replies.map((r) => r['id'])).toEqual([1, 2]);
    await deadline(probe.closed, 5000, 'the server to end the connection');
    expect(h.records.some((r) => String(r['msg']).includes('unfinished line was dropped'))).toBe(true);
  });

  it('survives a client that disconnects while replies are being written', async () => {
    h = await startHarness();
    const rude = await LineProbe.open(h.server.path);
    rude.send(`${JSON.stringify({ id: 0, op: 'status' })}\n`.repeat(2000));
    rude.close();
    const polite = await LineProbe.open(h.server.path);
    polite.request({ id: 'ok', op: 'ping' });
    expect(await polite.next()).toMatchObject({ id: 'ok', ok: true });
    await deadline(rude.closed, 5000, 'rude client closed');
    polite.close();
  });

  it('answers a flood of 10,000 pipelined requests in order, with bounded buffering', async () => {
    const maxInFlight = 32;
    h = await startHarness({ maxInFlightPerConnection: maxInFlight });
    const probe = await LineProbe.open(h.server.path);
    const n = 10_000;
    const ops = ['ping', 'status', 'order'] as const;
    let flood = '';
    for (let i = 0; i < n; i++) {
      const op = ops[i % 3];
      flood += `${JSON.stringify(op === 'order' ? { id: i, op, clientOrderId: `c${i}` } : { id: i, op })}\n`;
    }
    probe.send(flood);
    const replies = (await probe.take(n, 20_000)) as Array<{ id: number; ok: boolean; error?: { code: string } }>;
    expect(replies.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(replies.filter((r) => !r.ok).every((r) => r.id % 3 === 2 && r.error?.code === 'not_found')).toBe(true);
    const stats = h.server.stats();
    expect(stats.peakInFlight).toBeLessThanOrEqual(maxInFlight);
    expect(stats.peakBufferedBytes).toBeLessThan(flood.length / 2);
    probe.close();
  });
});

describe('socket server: event subscription', () => {
  let h: Harness;
  afterEach(async () => h.stop());

  it('streams transitions and fills after subscribe, none after unsubscribe, and cleans up on close', async () => {
    h = await startHarness();
    const watcher = await LineProbe.open(h.server.path);
    const trader = await LineProbe.open(h.server.path);
    watcher.request({ id: 's', op: 'subscribe' });
    expect(await watcher.next()).toEqual({ id: 's', ok: true, result: { subscribed: true } });
    expect(h.engine.subscribers.value).toBe(1);
    watcher.request({ id: 's2', op: 'subscribe' });
    expect(await watcher.next()).toMatchObject({ id: 's2', ok: true });
    expect(h.engine.subscribers.value).toBe(1);

    trader.request({ id: 1, op: 'signal', signal: { ...SIGNAL, signalId: 'w1' } });
    await trader.next();
    expect(await watcher.next()).toEqual({
      event: { type: 'transition', clientOrderId: 'x-w1', seq: 1, from: 'NEW', to: 'PENDING_NEW', event: 'signal', at: expect.any(Number) },
    });
    const fill = h.engine.fill('x-w1', '61837.63');
    const [fillLine, filled] = (await watcher.take(2)) as Array<Record<string, unknown>>;
    expect(fillLine).toEqual({ event: { type: 'fill', clientOrderId: 'x-w1', fill } });
    expect(filled).toMatchObject({ event: { type: 'transition', from: 'PENDING_NEW', to: 'FILLED' } });

    watcher.request({ id: 'u', op: 'unsubscribe' });
    expect(await watcher.next()).toEqual({ id: 'u', ok: true, result: { subscribed: false } });
    expect(h.engine.subscribers.value).toBe(0);
    trader.request({ id: 2, op: 'signal', signal: { ...SIGNAL, signalId: 'w2' } });
    await trader.next();
    watcher.request({ id: 'p', op: 'ping' });
    expect(await watcher.next()).toMatchObject({ id: 'p', ok: true });

    watcher.request({ id: 's3', op: 'subscribe' });
    await watcher.next();
    expect(h.engine.subscribers.value).toBe(1);
    watcher.close();
    await waitFor(h.engine.subscribers, (n) => n === 0, 'the subscription to be dropped on close');
    trader.close();
  });

  it('disconnects a subscriber that does not read, with a final slow_consumer line, without growing its buffer', async () => {
    const limit = 64 * 1024;
    h = await startHarness({ maxSubscriberBufferBytes: limit, closeGraceMs: 30_000 });
    const slow = await LineProbe.open(h.server.path);
    const trader = await LineProbe.open(h.server.path);
    slow.request({ id: 's', op: 'subscribe' });
    expect(await slow.next()).toMatchObject({ id: 's', ok: true });
    slow.socket.pause();
    trader.request({ id: 1, op: 'signal', signal: { ...SIGNAL, signalId: 'slow' } });
    await trader.next();
    let emitted = 0;
    while (h.engine.subscribers.value > 0 && emitted < 200_000) {
      h.engine.subject.next({ type: 'transition', clientOrderId: 'x-slow', seq: emitted, from: 'A'.repeat(200), to: 'B', event: 'e', at: emitted });
      emitted += 1;
    }
    expect(h.engine.subscribers.value).toBe(0);
    slow.socket.resume();
    await deadline(slow.closed, 10_000, 'the slow subscriber to be disconnected');
    const rest = await slow.take(slow.pending);
    expect(rest.at(-1)).toMatchObject({ error: { code: 'slow_consumer', issues: [] } });
    // Cut off once the kernel's socket buffer and the 64 KiB bound were full, not after the 200,000 cap.
    expect(emitted * 250).toBeLessThan(limit + 2 * 1024 * 1024);
    expect(rest.length).toBeLessThanOrEqual(emitted + 1);
    expect(h.records.some((r) => r['msg'] === 'subscriber too slow; disconnecting')).toBe(true);
    trader.request({ id: 2, op: 'ping' });
    expect(await trader.next()).toMatchObject({ id: 2, ok: true });
    trader.close();
  });
});
