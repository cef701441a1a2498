/**
 * Venue simulator benchmark, one run: `npm run bench:venue`.
 *
 * Prints
 * 1. replayed recorded messages per second with the clock unthrottled (target ≥ 200,000/s);
 * 2. the real ccxt `createOrder` round trip p50/p99 against the simulator, beside a bare
 *    keep-alive HTTP round trip (`GET /api/v3/ping`) to the same server, and the server's
 *    own handling time of the order requests (target: the simulator's share ≤ 0.1 ms at p50).
 *
 * ccxt's own throttle is OFF for the round trips (`enableRateLimit: false`): with it on, ccxt
 * spaces requests by its rate-limit model and the figure would measure that, not the venue.
 */
import http from 'node:http';
import ccxt from 'ccxt';
import { startSimulator } from '../../src/sim/index.ts';
import { measureReplayRate } from './replay.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2000);
const PINGS = Number(process.env.BENCH_PINGS ?? 2000);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function summary(samplesMs: number[]): { p50: number; p99: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}

async function bareRoundTrips(base: string, n: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/api/v3/ping', base);
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
    });
  for (let i = 0; i < 200; i++) await once();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await once();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  agent.destroy();
  return out;
}

/**
 * USD-M futures: the real ccxt `createOrder` round trip on the linear swap (market orders
 * on the recorded BTCUSDT perpetual, alternating sides so the position stays small),
 * beside the simulator's own handling time of those requests.
 */
async function futuresRoundTrip(): Promise<void> {
  const sim = await startSimulator({ clock: { kind: 'stepped' }, atEnd: 'stop', instruments: [{ market: 'usdm', symbol: 'BTCUSDT' }], rateLimits: { enabled: false } });
  sim.control.step({ ms: 60_000 });
  const options = typeof sim.description.ccxt['options'] === 'object' ? sim.description.ccxt['options'] : {};
  const ex = new ccxt.binance({ ...sim.description.ccxt, options: { ...options, defaultType: 'swap' }, enableRateLimit: false });
  await ex.loadMarkets();
  for (let i = 0; i < 100; i++) await ex.createOrder('BTC/USDT:USDT', 'market', i % 2 ? 'sell' : 'buy', 0.002);
  const rtt: number[] = [];
  sim.control.resetServerTimings();
  for (let i = 0; i < ORDERS; i++) {
    const t0 = process.hrtime.bigint();
    await ex.createOrder('BTC/USDT:USDT', 'market', i % 2 ? 'sell' : 'buy', 0.002);
    rtt.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const server = sim.control.serverTimings();
  const o = summary(rtt);
  console.log(
    `[usd-m futures] ccxt createOrder (market, BTC/USDT:USDT, enableRateLimit: false) round trip: p50 ${o.p50.toFixed(3)} ms, p99 ${o.p99.toFixed(3)} ms (n=${ORDERS}); simulator's own handling: p50 ${(server.p50Us / 1000).toFixed(3)} ms, p99 ${(server.p99Us / 1000).toFixed(3)} ms`,
  );
  await sim.close();
}

async function main(): Promise<void> {
  const replay = await measureReplayRate();
  console.log(
    `replay: ${Math.round(replay.eventsPerSecond).toLocaleString('en-US')} messages/s unthrottled (${replay.events.toLocaleString('en-US')} recorded messages in ${replay.ms.toFixed(0)} ms; load + parse ${replay.loadMs.toFixed(0)} ms) — target ≥ 200,000/s`,
  );

  // Binance's rate limits off: the bench sends thousands of orders a minute, far over ORDERS 100/10 s.
  const sim = await startSimulator({ clock: { kind: 'stepped' }, atEnd: 'stop', rateLimits: { enabled: false } });
  sim.control.step({ ms: 60_000 });
  const ex = new ccxt.binance({ ...sim.description.ccxt, enableRateLimit: false });
  await ex.loadMarkets();
  for (let i = 0; i < 100; i++) await ex.createOrder('BTC/USDT', 'market', i % 2 ? 'sell' : 'buy', 0.0001);

  const shares: number[] = [];
  const run = async (label: string): Promise<void> => {
    const rtt: number[] = [];
    sim.control.resetServerTimings();
    for (let i = 0; i < ORDERS; i++) {
      const t0 = process.hrtime.bigint();
      await ex.createOrder('BTC/USDT', 'market', i % 2 ? 'sell' : 'buy', 0.0001);
      rtt.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const server = sim.control.serverTimings();
    shares.push(server.p50Us / 1000);
    const o = summary(rtt);
    console.log(`[${label}]`);
    console.log(`  ccxt createOrder (market, spot, enableRateLimit: false) round trip: p50 ${o.p50.toFixed(3)} ms, p99 ${o.p99.toFixed(3)} ms (n=${ORDERS})`);
    console.log(
      `  simulator's own handling (server-side: parse, verify, venue, reply written): p50 ${(server.p50Us / 1000).toFixed(3)} ms, p99 ${(server.p99Us / 1000).toFixed(3)} ms (n=${server.n}) — target ≤ 0.1 ms at p50`,
    );
  };

  await run('no user-data subscriber');
  // As the engine runs: a ccxt.pro client holds the user-data stream open, so every order also builds and sends its executionReports.
  const pro = new ccxt.pro.binance({ ...sim.description.ccxt });
  await pro.loadHttpProxyAgent();
  let watching = true;
  const watcher = (async () => {
    while (watching) await pro.watchOrders('BTC/USDT').catch(() => undefined);
  })();
  const deadline = Date.now() + 10_000;
  while (sim.control.userStreamSubscribers() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await run('with a user-data subscriber (ccxt.pro watchOrders)');
  watching = false;
  await ex.createOrder('BTC/USDT', 'market', 'buy', 0.0001);
  await watcher;
  await pro.close();

  sim.control.resetServerTimings();
  const bare = await bareRoundTrips(sim.description.http, PINGS);
  const pingServer = sim.control.serverTimings();
  const b = summary(bare);
  console.log(`bare keep-alive HTTP GET /api/v3/ping round trip: p50 ${b.p50.toFixed(3)} ms, p99 ${b.p99.toFixed(3)} ms (n=${PINGS})`);
  console.log(
    `  server-side handling of those pings (the HTTP exchange alone: parse, route, reply written): p50 ${(pingServer.p50Us / 1000).toFixed(3)} ms, p99 ${(pingServer.p99Us / 1000).toFixed(3)} ms`,
  );
  console.log(
    `simulator's own share of an order over a bare HTTP exchange (order handling p50 − ping handling p50): no subscriber ${((shares[0] ?? 0) - pingServer.p50Us / 1000).toFixed(3)} ms, ` +
      `with a user-data subscriber ${((shares[1] ?? 0) - pingServer.p50Us / 1000).toFixed(3)} ms — target ≤ 0.1 ms`,
  );
  await sim.close();
  await futuresRoundTrip();
}

await main();
