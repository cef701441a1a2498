/**
 * Helpers for the fault-injection and rate-limit tests: a plain node:http
 * client (what a test in another process would use against `/__sim/…`, and a
 * way to see raw statuses and headers), the real ccxt client with a short
 * timeout, and the price of an order that rests on the recorded book.
 */
import { request } from 'node:http';
import ccxt, { type Exchange } from 'ccxt';
import type { SimulatorConfigInput } from '../../../src/sim/config.ts';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import { ACCOUNT, startSim } from '../server/helpers.ts';

/** A raw HTTP reply. */
export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** `text` parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/**
 * One HTTP request with node:http (a fresh connection, no keep-alive).
 * Rejects on a transport error (e.g. ECONNRESET) or after `timeoutMs`.
 */
export function http(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(new URL(path, base), { method, agent: false, headers: { ...(payload !== undefined && { 'Content-Type': 'application/json' }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no reply to ${method} ${path} within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The real ccxt pro client on the simulator's test account: throttle off, `timeoutMs` request timeout, ws:// agent loaded. */
export async function ccxtClient(sim: RunningSimulator, timeoutMs = 3000): Promise<Exchange> {
  const ex = new ccxt.pro.binance({ ...sim.description.ccxt, apiKey: ACCOUNT.apiKey, secret: ACCOUNT.secret, enableRateLimit: false, timeout: timeoutMs });
  await ex.loadHttpProxyAgent();
  await ex.loadMarkets();
  return ex;
}

/**
 * {@link startSim} (with `overrides`) and a {@link ccxtClient} on it, for a file's
 * `beforeAll` (the simulator is closed again when the client cannot start).
 */
export async function startCcxtSession(overrides: SimulatorConfigInput = {}): Promise<{ sim: RunningSimulator; ex: Exchange }> {
  const sim = await startSim(overrides);
  try {
    return { sim, ex: await ccxtClient(sim) };
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/** A BUY limit price that rests (≈3 % under the best bid, inside PERCENT_PRICE_BY_SIDE), to 0.01. */
export function restingBuyPrice(sim: RunningSimulator, symbol = 'BTCUSDT'): number {
  const bid = sim.control.replay.book('spot', symbol)?.bestBid();
  if (bid === undefined) throw new Error(`no ${symbol} bid`);
  return Math.round(Number(bid.price) * 0.97 * 100) / 100;
}

/** Orders in the ground truth with this client order id. */
export function truthOrders(sim: RunningSimulator, clientOrderId: string): Array<Record<string, unknown>> {
  return sim.control.groundTruth().orders.filter((o) => o['clientOrderId'] === clientOrderId);
}

/** Settles `p` and returns the rejection (fails when it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** A header by case-insensitive name (ccxt capitalises `last_response_headers` keys on some transports). */
export function headerOf(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) return Array.isArray(v) ? String(v[0]) : String(v);
  return undefined;
}
