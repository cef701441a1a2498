/**
 * The venue side of the engine benchmark, run as its own process by
 * `scripts/bench/engine.ts` (so that the venue's CPU is not the engine's):
 *
 * - the embedded simulator, stepped clock, its book warmed by one minute of the
 *   recording, with two accounts: `paper` (the engine's) and `raw` (the raw ccxt
 *   baseline's), so the baseline's orders produce no user-data events for the
 *   engine's stream;
 * - a minimal websocket API server (`/ws-api/v3`) that answers ccxt's
 *   `userDataStream.subscribe.signature` and then pushes pre-built Binance
 *   `executionReport` frames on command.
 *
 * Protocol: prints one JSON line when ready, then answers one JSON line per
 * JSON command read on stdin (`timings`, `resetTimings`, `frames`, `push`,
 * `subscribers`, `close`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { benchLogger, venueOrderIdOf } from './engine-lib.ts';

const RAW = { id: 'raw', apiKey: 'bench-raw-key', secret: 'bench-raw-secret-0123456789abcdef' };

const sim = await startSimulator(
  {
    clock: { kind: 'stepped' },
    atEnd: 'stop',
    pingIntervalMs: 600_000,
    // The venue's own Binance rate limits (100 orders per 10 s) would pace the bench, not measure it.
    rateLimits: { enabled: false },
    accounts: [
      { id: 'paper', apiKey: 'sim-paper-key', secret: 'sim-paper-secret-0123456789abcdef', balances: { USDT: '1000000', BTC: '10', ETH: '100' } },
      { ...RAW, balances: { USDT: '1000000', BTC: '10', ETH: '100' } },
    ],
  },
  benchLogger('bench-venue'),
);
sim.control.step({ ms: 60_000 });
const bid = sim.control.replay.book('spot', 'BTCUSDT')?.bestBid()?.price;
if (bid === undefined) throw new Error('no BTCUSDT bid after one minute of replay');

// ---------------------------------------------------------------- the frame server

const subscribers = new Set<{ ws: WebSocket; subscriptionId: number }>();
const http = createServer((_req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: http });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    let msg: { id?: unknown; method?: unknown };
    try {
      msg = JSON.parse(String(data)) as { id?: unknown; method?: unknown };
    } catch {
      return;
    }
    if (msg.method === 'userDataStream.subscribe.signature') {
      const sub = { ws, subscriptionId: 0 };
      subscribers.add(sub);
      ws.once('close', () => subscribers.delete(sub));
      ws.send(JSON.stringify({ id: msg.id, status: 200, result: { subscriptionId: 0 } }));
      return;
    }
    ws.send(JSON.stringify({ id: msg.id ?? null, status: 200, result: {} }));
  });
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const framesWs = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;

let frames: string[] = [];

const fx = (units: bigint): string => {
  const s = units.toString().padStart(9, '0');
  return `${s.slice(0, -8)}.${s.slice(-8)}`;
};

/**
 * Builds the frames: for each order `<prefix>-<i>` (i < n), `fills` TRADE
 * executionReports of equal size adding up to `quantity`, the last one FILLED;
 * ordered round-robin (fill 1 of every order, then fill 2, …), as a busy account's
 * stream interleaves its orders. Field set and formats as the simulator writes them.
 */
function buildFrames(prefix: string, n: number, fills: number, qtyUnits: bigint, priceUnits: bigint, t0: number): string[] {
  const out: string[] = [];
  const part = qtyUnits / BigInt(fills);
  for (let k = 1; k <= fills; k++) {
    for (let i = 0; i < n; i++) {
      const signalId = `${prefix}-${i}`;
      const T = t0 + k * 10 + i;
      const quote = (part * priceUnits) / 100_000_000n;
      const event = {
        e: 'executionReport',
        E: T,
        s: 'BTCUSDT',
        c: clientOrderIdFor(signalId, 'entry'),
        S: 'BUY',
        o: 'LIMIT',
        f: 'GTC',
        q: fx(qtyUnits),
        p: fx(priceUnits),
        P: '0.00000000',
        F: '0.00000000',
        g: -1,
        C: '',
        x: 'TRADE',
        X: k === fills ? 'FILLED' : 'PARTIALLY_FILLED',
        r: 'NONE',
        i: Number(venueOrderIdOf(signalId)),
        l: fx(part),
        z: fx(part * BigInt(k)),
        L: fx(priceUnits),
        n: fx(part / 1000n),
        N: 'BTC',
        T,
        t: 90_000_000 + i * fills + k,
        I: 0,
        w: false,
        m: true,
        M: true,
        O: t0,
        Z: fx(quote * BigInt(k)),
        Y: fx(quote),
        Q: '0.00000000',
        W: t0,
        V: 'EXPIRE_MAKER',
      };
      out.push(`{"subscriptionId":0,"event":${JSON.stringify(event)}}`);
    }
  }
  return out;
}

/** Sends every frame to every subscriber as fast as the socket takes them; resolves when all are handed to the kernel. */
async function push(): Promise<{ pushed: number; ms: number }> {
  const t0 = performance.now();
  const targets = [...subscribers];
  let pushed = 0;
  for (let i = 0; i < frames.length; i++) {
    for (const s of targets) s.ws.send(frames[i] ?? '');
    pushed++;
    if (i % 256 === 255) {
      // Let the socket drain rather than queueing megabytes in user space.
      while (targets.some((s) => s.ws.bufferedAmount > 1 << 20)) await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setImmediate(r));
    }
  }
  while (targets.some((s) => s.ws.bufferedAmount > 0)) await new Promise((r) => setTimeout(r, 1));
  return { pushed, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- protocol

const out = (v: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(v)}\n`);
};

out({ description: sim.description, raw: RAW, bestBid: bid, framesWs });

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  void (async () => {
    const cmd = JSON.parse(line) as { cmd: string; prefix?: string; n?: number; fills?: number };
    switch (cmd.cmd) {
      case 'timings':
        return out(sim.control.serverTimings());
      case 'resetTimings':
        sim.control.resetServerTimings();
        return out({ ok: true });
      case 'subscribers':
        return out({ subscribers: subscribers.size, simUserStreams: sim.control.userStreamSubscribers() });
      case 'frames': {
        frames = buildFrames(cmd.prefix ?? 'wsb', cmd.n ?? 1000, cmd.fills ?? 4, 100_000n /* 0.001 BTC */, 6_000_000_000_000n /* 60000 */, Date.now());
        return out({ frames: frames.length, bytes: frames.reduce((a, f) => a + f.length, 0) });
      }
      case 'push':
        return out(await push());
      case 'close':
        for (const s of subscribers) s.ws.terminate();
        wss.close();
        http.close();
        await sim.close();
        out({ closed: true });
        process.exit(0);
    }
  })().catch((err: unknown) => {
    out({ error: err instanceof Error ? err.message : String(err) });
  });
});
rl.on('close', () => {
  void sim.close().then(() => process.exit(0));
});
