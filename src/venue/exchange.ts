/**
 * One ccxt.pro exchange per configured venue account.
 *
 * `createExchange(cfg)` builds the engine's Binance client
 * (`./binance-client.ts`), points it at the configured URLs (the simulator, or
 * Binance's own when none are given), loads the markets, and prepares
 * websockets over plain `ws://` (ccxt refuses them in Node until
 * `loadHttpProxyAgent()` has run: ../shared/docs/ccxt-binance-wire.md §1, §4).
 *
 * Secrets: the API key and secret go to ccxt only; nothing here logs them, and
 * the returned object exposes neither.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { EngineBinance } from './binance-client.ts';
import { redact } from './errors.ts';

/**
 * A venue account as configured.
 *
 * Shape: `{ id, exchange: 'binance', apiKey, secret, urls?: { http, ws },
 *   ccxtOptions?, defaultType: 'spot', enableRateLimit (default true),
 *   timeoutMs (default 10 000) }`.
 *
 * - `urls`: REST and websocket bases (`http://127.0.0.1:40123`,
 *   `ws://127.0.0.1:40123`) that replace **every** Binance host of ccxt's
 *   `urls.api` (see {@link ccxtUrlsFor}); absent = Binance's production hosts.
 * - `ccxtOptions`: a raw ccxt constructor object (e.g. the simulator's
 *   `description.ccxt`) used as the base; `apiKey`, `secret`, `timeoutMs`,
 *   `enableRateLimit`, `urls` and the adapter's options are applied over it.
 * - `timeoutMs`: ccxt's REST timeout; past it a call is `unknown`.
 */
export const VenueAccountConfig = z.object({
  /** Engine-level venue account id (`binance-main`, `paper`). */
  id: z.string().min(1).max(64),
  exchange: z.literal('binance'),
  apiKey: z.string().min(1),
  secret: z.string().min(1),
  urls: z
    .object({
      http: z.url({ protocol: /^https?$/ }),
      ws: z.url({ protocol: /^wss?$/ }),
    })
    .optional(),
  ccxtOptions: z.record(z.string(), z.unknown()).optional(),
  /** Market type ccxt routes symbol-less calls to; only spot is supported by this adapter. */
  defaultType: z.literal('spot').default('spot'),
  enableRateLimit: z.boolean().default(true),
  timeoutMs: z.number().int().positive().max(300_000).default(10_000),
});
/** Parsed configuration (defaults applied). */
export type VenueAccountConfig = z.output<typeof VenueAccountConfig>;
/** Configuration as written (defaults optional). */
export type VenueAccountConfigInput = z.input<typeof VenueAccountConfig>;

/** A ready exchange of one venue account: markets loaded, websockets usable. */
export interface VenueExchange {
  /** The configured account id. */
  readonly accountId: string;
  /** The ccxt.pro client; pass it to `VenueRest` and `VenueStreams`. */
  readonly exchange: EngineBinance;
  /** Closes every websocket of the client (pending watches reject); the instance is unusable afterwards. */
  close(): Promise<void>;
}

const strip = (url: string): string => url.replace(/\/+$/, '');

/**
 * `urls.api` for ccxt's binance class with every host replaced:
 * - REST groups keep Binance's path on the `http` base (`public`/`private` →
 *   `/api/v3`, `sapi` → `/sapi/v1`, `fapiPrivate` → `/fapi/v1`, …), computed from
 *   ccxt's own defaults so that a group added by a later ccxt version cannot
 *   leak to Binance's production hosts;
 * - websockets as the simulator serves them (ccxt-binance-wire.md §1): spot and
 *   margin `<ws>/stream` (ccxt recognises a spot socket by `/stream` in its URL),
 *   `future` `<ws>/ws`, websocket API `<ws>/ws-api/v3` (spot) and
 *   `<ws>/ws-fapi/v1` (USD-M); any other websocket keeps its path on `ws`.
 */
export function ccxtUrlsFor(defaults: unknown, httpBase: string, wsBase: string): Record<string, unknown> {
  const http = strip(httpBase);
  const ws = strip(wsBase);
  const rebase = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const u = new URL(value);
      const path = u.pathname === '/' ? '' : u.pathname;
      return `${u.protocol.startsWith('ws') ? ws : http}${path}`;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebase(v)]));
    }
    return value;
  };
  const api = z.record(z.string(), z.unknown()).parse(rebase(defaults));
  const wsGroup = z.record(z.string(), z.unknown()).parse(api['ws'] ?? {});
  const wsApi = z.record(z.string(), z.unknown()).parse(wsGroup['ws-api'] ?? {});
  api['ws'] = {
    ...wsGroup,
    spot: `${ws}/stream`,
    margin: `${ws}/stream`,
    future: `${ws}/ws`,
    'ws-api': { ...wsApi, spot: `${ws}/ws-api/v3`, future: `${ws}/ws-fapi/v1` },
  };
  return api;
}

/** Every string leaf of `value` (nested objects walked). */
function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringLeaves);
  return [];
}

const RecordSchema = z.record(z.string(), z.unknown());

/**
 * The ccxt constructor options for an account (see {@link VenueAccountConfig}).
 * Adapter options, always set: `defaultType`; `fetchMarkets.types =
 * [defaultType]`; `fetchCurrencies: false` and `fetchMargins: false` (no signed
 * `sapi` calls at start-up); `fetchOpenOrders.warnWithoutSymbol: false` (the
 * engine lists all open orders during reconciliation, accepting Binance's
 * higher request weight).
 */
export function buildCcxtOptions(cfg: VenueAccountConfig): Record<string, unknown> {
  const raw = cfg.ccxtOptions ?? {};
  const rawOptions = RecordSchema.safeParse(raw['options']);
  const options: Record<string, unknown> = {
    ...(rawOptions.success ? rawOptions.data : {}),
    defaultType: cfg.defaultType,
    fetchMarkets: { types: [cfg.defaultType] },
    fetchCurrencies: false,
    fetchMargins: false,
    fetchOpenOrders: { warnWithoutSymbol: false },
  };
  const out: Record<string, unknown> = {
    ...raw,
    apiKey: cfg.apiKey,
    secret: cfg.secret,
    enableRateLimit: cfg.enableRateLimit,
    timeout: cfg.timeoutMs,
    options,
  };
  if (cfg.urls) {
    const defaults = new EngineBinance().urls['api'];
    out['urls'] = { api: ccxtUrlsFor(defaults, cfg.urls.http, cfg.urls.ws) };
  }
  return out;
}

/**
 * Creates, configures and warms up the ccxt.pro client of one venue account.
 *
 * @param input the account's configuration (parsed with {@link VenueAccountConfig})
 * @param logger optional pino logger: one `info` line with the account id and
 *   hosts (never the key or secret)
 * @returns the ready exchange; markets are loaded
 * @throws ZodError when the configuration does not parse (messages name the
 *   field, never its value); Error `venue account <id>: loading markets
 *   failed: …` when `exchangeInfo` cannot be loaded
 */
export async function createExchange(input: VenueAccountConfigInput, logger?: Logger): Promise<VenueExchange> {
  const cfg = VenueAccountConfig.parse(input);
  const exchange = new EngineBinance(buildCcxtOptions(cfg));
  const wsUrls = stringLeaves(RecordSchema.parse(exchange.urls['api'])['ws']);
  if (wsUrls.some((u) => u.startsWith('ws://'))) {
    // ccxt throws NotSupported for ws:// in Node until its HTTP agent is loaded.
    await exchange.loadHttpProxyAgent();
  }
  try {
    await exchange.loadMarkets();
  } catch (error) {
    await exchange.close();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`venue account ${cfg.id}: loading markets failed: ${redact(message)}`, { cause: error });
  }
  logger?.info({ accountId: cfg.id, exchange: cfg.exchange, http: cfg.urls?.http ?? 'binance', ws: cfg.urls?.ws ?? 'binance', markets: exchange.symbols.length }, 'venue exchange ready');
  return {
    accountId: cfg.id,
    exchange,
    close: () => exchange.close(),
  };
}
