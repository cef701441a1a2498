/**
 * The venue simulator's configuration: one zod schema, the single source of its
 * shape and defaults. Paths default to the recorded data in `../shared/data`
 * beside the repository.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../repo-root.ts';
import { defaultDataDir } from './market/recording.ts';
import { rateLimitConfigSchema } from './server/ratelimit/config.ts';

/** The repository's root folder (`src/repo-root.ts`: found from `src/` and from the `dist/` bundle alike). */
export { REPO_ROOT };
/** Default folder of the recorded websocket data. */
export const DEFAULT_DATA_DIR = defaultDataDir();
/** Default recorded spot exchangeInfo. */
export const DEFAULT_SPOT_EXCHANGE_INFO = resolve(REPO_ROOT, '../shared/data/binance-rest/spot-exchangeInfo-2025-08-07.json');
/** Default recorded USD-M futures exchangeInfo (`GET /fapi/v1/exchangeInfo`). */
export const DEFAULT_USDM_EXCHANGE_INFO = resolve(REPO_ROOT, '../shared/data/binance-rest/usdm-exchangeInfo-2025-08-07.json');

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal string such as "100000" or "0.5"');
const clientIdAlphabet = /^[.A-Z:/a-z0-9_-]{1,64}$/;

export const clockSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('realtime') }),
  z.object({ kind: z.literal('speed'), factor: z.number().positive() }),
  z.object({ kind: z.literal('fast') }),
  z.object({ kind: z.literal('stepped') }),
]);

export const accountSchema = z.object({
  id: z.string().min(1),
  apiKey: z.string().regex(clientIdAlphabet, 'an API key of letters, digits and . : / _ -'),
  secret: z.string().min(16, 'a secret of at least 16 characters'),
  /** Starting free balances by asset, decimal strings. */
  balances: z.record(z.string(), decimalString),
  /** Starting USD-M futures wallet (USDT, a separate wallet on the same API key); default `usdm.wallet`. */
  usdmWallet: decimalString.optional(),
});

/** The USD-M futures venue (served when `instruments` lists a `usdm` instrument); see ./venue/usdm/usdm-venue.ts. */
export const usdmConfigSchema = z.object({
  exchangeInfoPath: z.string().default(DEFAULT_USDM_EXCHANGE_INFO),
  /** Starting futures wallet of every account without its own `usdmWallet`, USDT. */
  wallet: decimalString.default('100000'),
  /** Binance's standard USD-M tier: 0.02 % maker, 0.05 % taker (fractions). */
  fees: z.object({ maker: decimalString, taker: decimalString }).default({ maker: '0.0002', taker: '0.0005' }),
  /** Leverage of a symbol before `POST /fapi/v1/leverage` (Binance's historical default, 20×). */
  defaultLeverage: z.number().int().min(1).max(125).default(20),
  /** A listen key not kept alive within this expires, ms (Binance: 60 minutes). */
  listenKeyValidityMs: z.number().int().positive().default(3_600_000),
});

export const simulatorConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  dataDir: z.string().default(DEFAULT_DATA_DIR),
  exchangeInfoPath: z.string().default(DEFAULT_SPOT_EXCHANGE_INFO),
  instruments: z
    .array(z.object({ market: z.enum(['spot', 'usdm']), symbol: z.string().regex(/^[A-Z0-9]+$/) }))
    .min(1)
    .default([
      { market: 'spot', symbol: 'BTCUSDT' },
      { market: 'spot', symbol: 'ETHUSDT' },
    ]),
  clock: clockSchema.default({ kind: 'realtime' }),
  /**
   * Where the replay starts. `'recording'`: at the recording's first event. `'books'`: once every instrument's
   * order book is built (its depth snapshot and the first bridging diff applied): the events before that are
   * applied at once, before the clock starts. The recordings open with depth diffs that arrive before the
   * snapshot; until then a book is empty and a market order expires unfilled, as at Binance, which a paper
   * trader starting the daemon does not expect (the daemon passes `'books'`).
   */
  startAt: z.enum(['recording', 'books']).default('recording'),
  atEnd: z.enum(['stop', 'loop']).default('loop'),
  accounts: z
    .array(accountSchema)
    .min(1)
    .default([
      {
        id: 'paper',
        apiKey: 'sim-paper-key',
        secret: 'sim-paper-secret-0123456789abcdef',
        balances: { USDT: '100000', BTC: '1', ETH: '10' },
      },
    ]),
  /** Fee rates as fractions: Binance's standard tier, 0.1 % maker and taker. */
  fees: z.object({ maker: decimalString, taker: decimalString }).default({ maker: '0.001', taker: '0.001' }),
  /**
   * Id of the first order placed on each venue (spot, USD-M), then +1 per order. The venue keeps no
   * state across runs: a paper venue restarted for the same engine data must start past the ids it gave
   * before, or the engine would see one venue order id for two orders (the daemon passes one from the clock).
   */
  firstOrderId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER / 2).default(1),
  /**
   * Id of the first trade of each symbol on each venue, then +1 per trade (Binance trade ids are unique per
   * symbol). Like {@link firstOrderId}: a paper venue restarted for the same engine data must not give a trade
   * id it gave before, or a consumer that keeps fills by (symbol, trade id) would drop the new one as a repeat
   * (the daemon passes one from the clock).
   */
  firstTradeId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER / 2).default(1),
  /** Server ping interval on websockets, ms (Binance: 20 s). */
  pingIntervalMs: z.number().int().positive().default(20_000),
  /** A websocket that has not answered a ping within this is closed, ms (Binance: 60 s). */
  pongTimeoutMs: z.number().int().positive().default(60_000),
  /** Binance's rate limits (on by default, with the recorded exchangeInfo limits); see ./server/ratelimit/config.ts. */
  rateLimits: rateLimitConfigSchema.prefault({}),
  /** USD-M futures settings (the venue runs only with `usdm` instruments). */
  usdm: usdmConfigSchema.prefault({}),
});

/** Configuration as a caller writes it (every field optional). */
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;
/** Configuration with defaults applied. */
export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
