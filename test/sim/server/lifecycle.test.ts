import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { deadline, startHarness, WsProbe } from './helpers.ts';

/** Resolves when `probe` has received `n` more ping frames. */
function pings(probe: WsProbe, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const on = () => {
      if (++seen >= n) {
        probe.ws.off('ping', on);
        resolve();
      }
    };
    probe.ws.on('ping', on);
  });
}

describe('websocket keep-alive', () => {
  it('terminates a connection that never answers pings and keeps one that does', async () => {
    const h = await startHarness({ pingIntervalMs: 40, pongTimeoutMs: 120 });
    try {
      const silent = new WsProbe(`${h.server.wsUrl}/ws`, { autoPong: false });
      const polite = new WsProbe(`${h.server.wsUrl}/ws-api/v3`);
      await Promise.all([silent.opened(), polite.opened()]);
      const gotPing = pings(silent, 1);
      await deadline(gotPing, 2000, 'a server ping');
      const { code } = await deadline(silent.closed, 2000, 'the silent client to be dropped');
      expect(code).toBe(1006);
      // the answering client outlives several more timeout windows
      await deadline(pings(polite, 8), 3000, 'more pings on the answering client');
      expect(polite.ws.readyState).toBe(polite.ws.OPEN);
      polite.send({ id: 1, method: 'ping' });
      expect(await polite.next()).toMatchObject({ id: 1, status: 200 });
      polite.close();
    } finally {
      await h.server.close();
    }
  });
});

describe('server close', () => {
  it('closes promptly with open websockets and keep-alive HTTP connections', async () => {
    const h = await startHarness();
    const streams = new WsProbe(`${h.server.wsUrl}/stream?streams=btcusdt@trade`);
    const api = new WsProbe(`${h.server.wsUrl}/ws-api/v3`);
    await Promise.all([streams.opened(), api.opened()]);
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http.get(`${h.server.httpUrl}/api/v3/ping`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      }).on('error', reject);
    });
    expect(h.replay.listenerCount()).toBe(1);
    const t0 = performance.now();
    await deadline(h.server.close(), 1000, 'server close');
    expect(performance.now() - t0).toBeLessThan(500);
    await deadline(Promise.all([streams.closed, api.closed]), 1000, 'clients to see the close');
    expect(h.replay.listenerCount()).toBe(0);
    await expect(fetch(`${h.server.httpUrl}/api/v3/ping`)).rejects.toThrow();
    await h.server.close(); // idempotent
    agent.destroy();
  });
});
