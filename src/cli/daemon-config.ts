/**
 * The daemon's configuration: a JSON file (optional) plus the environment, one
 * zod schema. API secrets come only from the environment, never from the file.
 *
 * Default (no file, no environment): paper mode — one venue account `paper` on
 * the embedded simulator replaying the recorded BTCUSDT and ETHUSDT data in real
 * time, with a paper balance of 100,000 USDT, 1 BTC and 10 ETH.
 *
 * Environment:
 * - `ENGINE_DATA_DIR`: data directory (LMDB files, `engine.sock`); `--data-dir` wins.
 * - `ENGINE_CONFIG`: path of a JSON configuration file; `--config` wins.
 * - `ENGINE_VENUE_HTTP`, `ENGINE_VENUE_WS`, `ENGINE_API_KEY`, `ENGINE_API_SECRET`:
 *   replace the venues with one Binance-protocol account at those URLs (a standalone
 *   simulator, Binance's testnet, …) — only configuration differs from paper mode.
 *   Without the URLs but with the key and secret: Binance's production hosts.
 * - `ENGINE_VENUE_ID`: the id of that account (default `binance`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DecimalString } from '../domain/order.ts';
import { simulatorConfigSchema } from '../sim/config.ts';

const simVenue = z.object({
  id: z.string().min(1).max(64),
  kind: z.literal('sim'),
  /** The embedded simulator's configuration (src/sim/config.ts); its first account trades. */
  sim: z.record(z.string(), z.unknown()).default({}),
});

const binanceVenue = z.object({
  id: z.string().min(1).max(64),
  kind: z.literal('binance'),
  /** REST and websocket bases; absent = Binance's production hosts. */
  urls: z.object({ http: z.url(), ws: z.url() }).optional(),
  /** Names of the environment variables holding the key and the secret. */
  apiKeyEnv: z.string().default('ENGINE_API_KEY'),
  secretEnv: z.string().default('ENGINE_API_SECRET'),
  enableRateLimit: z.boolean().default(true),
  timeoutMs: z.number().int().positive().default(10_000),
});

export const daemonConfigSchema = z.object({
  dataDir: z.string().default('./data'),
  /** Unix socket path; default `<dataDir>/engine.sock`. */
  socketPath: z.string().optional(),
  venues: z.array(z.discriminatedUnion('kind', [simVenue, binanceVenue])).min(1).default([{ id: 'paper', kind: 'sim', sim: {} }]),
  risk: z
    .object({
      /** Largest notional of one order, quote currency; null for no limit. */
      maxOrderNotional: DecimalString.nullable().default('250000'),
    })
    .default({ maxOrderNotional: '250000' }),
  /** ms before a submit without an answer becomes UNKNOWN (then reconciled). */
  submitTimeoutMs: z.number().int().positive().default(15_000),
  cancelTimeoutMs: z.number().int().positive().default(15_000),
  /** Every this many ms each live order is looked up at the venue, to catch what a stream never delivered; 0 = off. */
  reconcileIntervalMs: z.number().int().min(0).default(60_000),
  /** An order actor idle this many ms is passivated (only its state name stays in memory; its actor is restored from the store on its next event); 0 = never. */
  passivateAfterMs: z.number().int().min(0).default(10_000),
  /** Binance recvWindow sent with every signed request, ms; a lost submit can reach the venue only this long after it was signed. */
  recvWindowMs: z.number().int().min(1000).max(60_000).default(10_000),
  inspector: z.object({ port: z.number().int().min(1).max(65535).default(4242), enabled: z.boolean().default(false) }).default({ port: 4242, enabled: false }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type DaemonConfig = z.output<typeof daemonConfigSchema>;
export type VenueConfig = DaemonConfig['venues'][number];

export interface ConfigSources {
  /** `--config` */
  readonly file?: string;
  /** `--data-dir` */
  readonly dataDir?: string;
  /** `--inspect` */
  readonly inspect?: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Builds the configuration from the file, the environment and the flags.
 * @throws Error naming the file and the fields that do not parse.
 */
export function loadDaemonConfig(src: ConfigSources): DaemonConfig {
  const file = src.file ?? src.env.ENGINE_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`configuration file not found: ${resolve(file)}`);
    }
    try {
      raw = z.record(z.string(), z.unknown()).parse(JSON.parse(text));
    } catch (err) {
      throw new Error(`configuration file ${resolve(file)} is not a JSON object: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const key of ['apiKey', 'secret', 'apiSecret']) {
      if (JSON.stringify(raw).includes(`"${key}"`)) throw new Error(`configuration file ${resolve(file)} holds "${key}": API secrets are read only from the environment`);
    }
  }
  const dataDir = src.dataDir ?? src.env.ENGINE_DATA_DIR;
  if (dataDir) raw.dataDir = dataDir;
  const http = src.env.ENGINE_VENUE_HTTP;
  const ws = src.env.ENGINE_VENUE_WS;
  if (src.env.ENGINE_API_KEY && src.env.ENGINE_API_SECRET) {
    raw.venues = [{ id: src.env.ENGINE_VENUE_ID ?? 'binance', kind: 'binance', ...(http && ws && { urls: { http, ws } }) }];
  } else if (http || ws) {
    throw new Error('ENGINE_VENUE_HTTP/ENGINE_VENUE_WS need ENGINE_API_KEY and ENGINE_API_SECRET in the environment');
  }
  if (src.inspect) raw.inspector = { ...(typeof raw.inspector === 'object' && raw.inspector), enabled: true };
  const parsed = daemonConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid configuration${file ? ` in ${resolve(file)}` : ''}: ${z.prettifyError(parsed.error)}`);
  for (const v of parsed.data.venues) {
    if (v.kind === 'sim') {
      const sim = simulatorConfigSchema.safeParse(v.sim);
      if (!sim.success) throw new Error(`invalid simulator configuration of venue ${v.id}: ${z.prettifyError(sim.error)}`);
    }
  }
  return parsed.data;
}
