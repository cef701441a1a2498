import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { countRegistrations, deadline, proClient, startHarness, startSim, until, WsProbe } from './helpers.ts';

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
    const sim = await startSim({ pingIntervalMs: 40, pongTimeoutMs: 120 });
    try {
      const silent = new WsProbe(`${sim.description.ws}/ws`, { autoPong: false });
      const polite = new WsProbe(`${sim.description.ws}/ws-api/v3`);
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
      await sim.close();
    }
  });
});

describe('server close', () => {
  it('closes promptly with open websockets, a user-data subscription and keep-alive HTTP connections', async () => {
    let marketListeners = () => -1;
    let userListeners = () => -1;
    const h = await startHarness({}, ({ replay, venue }) => {
      // count what the server registers on the real replay and venue (the venue's own replay listener is older)
      marketListeners = countRegistrations(replay, 'on');
      userListeners = countRegistrations(venue, 'onUserEvent');
    });
    const streams = new WsProbe(`${h.ws}/stream?streams=btcusdt@trade`);
    const api = new WsProbe(`${h.ws}/ws-api/v3`);
    await Promise.all([streams.opened(), api.opened()]);
    const ex = await proClient(h);
    const watching = ex.watchBalance();
    watching.catch(() => {}); // rejected by the close
    await until(() => h.server.userStreamSubscribers() === 1, 5000, 'the user-data subscription');
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http.get(`${h.server.httpUrl}/api/v3/ping`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      }).on('error', reject);
    });
    expect([marketListeners(), userListeners()]).toEqual([1, 1]);
    const t0 = performance.now();
    await deadline(h.server.close(), 1000, 'server close');
    expect(performance.now() - t0).toBeLessThan(500);
    await deadline(Promise.all([streams.closed, api.closed]), 1000, 'clients to see the close');
    expect([marketListeners(), userListeners()]).toEqual([0, 0]);
    expect(h.server.userStreamSubscribers()).toBe(0);
    expect(h.server.activeMarketStreams()).toBe(0);
    await expect(fetch(`${h.server.httpUrl}/api/v3/ping`)).rejects.toThrow();
    await h.server.close(); // idempotent
    agent.destroy();
    await ex.close();
    await h.close();
  });
});
