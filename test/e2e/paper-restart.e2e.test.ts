/**
 * Paper mode across restarts: the daemon as `npm start` runs it (its embedded simulator, which keeps
 * nothing across runs), stopped and started again on the same data directory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '../../src/cli/client.ts';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import { type DaemonProcess, TEST_DAEMON_CONFIG, client, order, spawnDaemon, tempDir, waitFor } from './helpers.ts';

let dir: ReturnType<typeof tempDir> | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  if (daemon && daemon.proc.exitCode === null) await daemon.kill9();
  daemon = undefined;
  dir?.remove();
  dir = undefined;
});

/**
 * Starts the daemon, places one market buy at once and waits for CLOSED (filled: the paper venue's books are built
 * before the daemon is ready); returns the order's venue id, its trade ids and the engine state after it.
 */
async function runOnce(
  path: string,
  config: Record<string, unknown>,
  signalId: string,
): Promise<{ venueOrderId: string | null; tradeIds: string[]; engineState: string; logs: readonly string[] }> {
  daemon = await spawnDaemon(path, 'embedded', config);
  const c = await client(daemon);
  try {
    const cid = clientOrderIdFor(signalId, 'entry');
    await c.request('signal', { signal: { signalId, instrument: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.001' } as never });
    const o = await waitFor(() => order(c, cid), (v) => v.state === 'CLOSED', 30_000, `${signalId} CLOSED`);
    expect(o.outcome).toBe('filled');
    const status = await c.request('status');
    return { venueOrderId: o.venueOrderId, tradeIds: o.fills.map((f) => f.tradeId), engineState: status.state, logs: daemon.logs };
  } finally {
    await c.close();
    expect(await daemon.stop()).toBe(0);
  }
}

/** Places a limit buy below the recorded market (it rests) and waits until the venue acknowledged it; returns its client order id. */
async function placeResting(c: Client, signalId: string): Promise<string> {
  const cid = clientOrderIdFor(signalId, 'entry');
  await c.request('signal', { signal: { signalId, instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '56000' } as never });
  await waitFor(() => order(c, cid), (v) => v.state === 'ACCEPTED', 30_000, `${signalId} ACCEPTED`);
  return cid;
}

describe('paper mode across restarts (embedded simulator)', () => {
  it('a daemon started again on the same data gives its new orders venue ids, and their fills trade ids, no earlier one has', async () => {
    dir = tempDir('engine-paper-restart-');
    const first = await runOnce(dir.path, TEST_DAEMON_CONFIG, 'paper-run-1');
    const second = await runOnce(dir.path, TEST_DAEMON_CONFIG, 'paper-run-2');
    expect(first.venueOrderId).not.toBeNull();
    expect(second.venueOrderId).not.toBeNull();
    expect(second.venueOrderId).not.toBe(first.venueOrderId);
    expect(first.tradeIds.length).toBeGreaterThan(0);
    expect(second.tradeIds.length).toBeGreaterThan(0);
    expect(second.tradeIds.filter((id) => first.tradeIds.includes(id))).toEqual([]);
    expect(second.engineState).toBe('running');
  }, 120_000);

  it('an order resting at the paper venue when the daemon stopped is closed as cancelled when it starts again (the venue no longer knows it)', async () => {
    dir = tempDir('engine-paper-vanished-');
    daemon = await spawnDaemon(dir.path, 'embedded', TEST_DAEMON_CONFIG);
    let c = await client(daemon);
    const cid = await placeResting(c, 'paper-resting');
    await c.close();
    expect(await daemon.stop()).toBe(0);

    daemon = await spawnDaemon(dir.path, 'embedded', TEST_DAEMON_CONFIG);
    c = await client(daemon);
    try {
      // Declared gone once a recvWindow (2 s here) has passed since the venue last spoke of it: at start-up, or on the look-up after.
      const o = await waitFor(() => order(c, cid), (v) => v.state === 'CLOSED', 30_000, 'the vanished order CLOSED');
      expect([o.state, o.outcome, o.live]).toEqual(['CLOSED', 'cancelled', false]);
      expect(o.transitions.map((t) => `${t.from}→${t.to} ${t.event}`).slice(-2)).toEqual(['ACCEPTED→CANCELLED RECONCILE_NOT_FOUND', 'CANCELLED→CLOSED RECONCILE_NOT_FOUND']);
      expect(o.anomalies.map((a) => a.code)).toEqual(['vanished_at_venue']);
      expect(daemon.logs.some((l) => l.includes('is no longer known to it'))).toBe(true);
      expect((await c.request('status')).orders.live).toBe(0);
    } finally {
      await c.close();
      expect(await daemon.stop()).toBe(0);
    }
  }, 120_000);

  it('a second daemon on the same data directory stops before it opens anything, with an error, and the first keeps running', async () => {
    dir = tempDir('engine-paper-second-');
    daemon = await spawnDaemon(dir.path, 'embedded', TEST_DAEMON_CONFIG);
    const c = await client(daemon);
    try {
      const cid = await placeResting(c, 'first-daemon');
      // The second one's own paper venue does not know the first one's order: had it reconciled, it would have closed it.
      const second = await spawnDaemon(dir.path, 'embedded', TEST_DAEMON_CONFIG).then(
        () => 'started',
        (err: unknown) => String(err),
      );
      expect(second).toMatch(/exited with 1 before it was ready/);
      expect(second).toMatch(/another daemon \(pid \d+\) is running on this data directory/);
      expect(second).not.toMatch(/rehydrated/);
      const o = await order(c, cid);
      expect([o.state, o.live]).toEqual(['ACCEPTED', true]);
      expect((await c.request('status')).state).toBe('running');
    } finally {
      await c.close();
      expect(await daemon.stop()).toBe(0);
    }
  }, 120_000);

  it('when a venue gives an id of an earlier order again, the order is still placed and tracked, and the engine keeps running', async () => {
    dir = tempDir('engine-paper-reuse-');
    // Pinned: both runs' venues number their orders from 1, as a venue that reuses ids would.
    const config = { ...TEST_DAEMON_CONFIG, venues: [{ id: 'paper', kind: 'sim', sim: { firstOrderId: 1 } }] };
    const first = await runOnce(dir.path, config, 'reuse-run-1');
    const second = await runOnce(dir.path, config, 'reuse-run-2');
    expect(second.venueOrderId).toBe(first.venueOrderId);
    expect(second.engineState).toBe('running');
    expect(second.logs.some((l) => l.includes('venue order id already belongs to another order'))).toBe(true);
  }, 120_000);
});
