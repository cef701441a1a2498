/**
 * `npm run venue -- [options]`: runs the venue simulator standalone.
 *
 * Prints, as its first line on stdout, one JSON object
 * `{"http": …, "ws": …, "apiKey": …, "secret": …, "ccxt": {…}}` (`ccxt` is the
 * options object for `new ccxt.pro.binance(...)`), then serves until SIGINT or
 * SIGTERM. Logs go to stderr (pino JSON).
 */
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import type { SimulatorConfigInput } from '../sim/config.ts';
import { startSimulator } from '../sim/index.ts';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number ≥ 0');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number > 0');
  return n;
}

const program = new Command('venue')
  .description('Binance-compatible venue simulator replaying recorded Binance market data')
  .option('--port <port>', 'TCP port on the host (0 = any free port)', int, 0)
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--data-dir <dir>', 'folder of the recorded websocket data (spot/, usdm/)')
  .option('--exchange-info <file>', 'recorded GET /api/v3/exchangeInfo body')
  .option('--clock <mode>', 'replay clock: realtime | fast | stepped', 'realtime')
  .option('--speed <factor>', 'replay N× faster than real time (overrides --clock)', positive)
  .option('--at-end <what>', 'at the end of the data: stop | loop', 'loop')
  .option('--symbols <list>', 'spot symbols to replay, comma-separated', 'BTCUSDT,ETHUSDT')
  .option('--usdm <list>', 'USD-M perpetuals to replay as well, comma-separated (e.g. BTCUSDT,ETHUSDT): serves /fapi and the futures streams')
  .option('--usdm-exchange-info <file>', 'recorded GET /fapi/v1/exchangeInfo body')
  .option('--log-level <level>', 'pino log level', 'info');

program.parse();
const opts = program.opts<{
  port: number;
  host: string;
  dataDir?: string;
  exchangeInfo?: string;
  clock: string;
  speed?: number;
  atEnd: string;
  symbols: string;
  usdm?: string;
  usdmExchangeInfo?: string;
  logLevel: string;
}>();

const logger = pino({ level: opts.logLevel, name: 'venue' }, pino.destination(2));

const clock: SimulatorConfigInput['clock'] =
  opts.speed !== undefined
    ? { kind: 'speed', factor: opts.speed }
    : opts.clock === 'fast' || opts.clock === 'stepped' || opts.clock === 'realtime'
      ? { kind: opts.clock }
      : undefined;
if (!clock) {
  logger.error({ clock: opts.clock }, 'unknown --clock: use realtime, fast or stepped');
  process.exit(2);
}
if (opts.atEnd !== 'stop' && opts.atEnd !== 'loop') {
  logger.error({ atEnd: opts.atEnd }, 'unknown --at-end: use stop or loop');
  process.exit(2);
}

try {
  const sim = await startSimulator(
    {
      host: opts.host,
      port: opts.port,
      clock,
      atEnd: opts.atEnd,
      instruments: [
        ...opts.symbols.split(',').map((s) => ({ market: 'spot' as const, symbol: s.trim().toUpperCase() })),
        ...(opts.usdm ?? '').split(',').filter((s) => s.trim() !== '').map((s) => ({ market: 'usdm' as const, symbol: s.trim().toUpperCase() })),
      ],
      ...(opts.usdmExchangeInfo !== undefined && { usdm: { exchangeInfoPath: opts.usdmExchangeInfo } }),
      ...(opts.dataDir !== undefined && { dataDir: opts.dataDir }),
      ...(opts.exchangeInfo !== undefined && { exchangeInfoPath: opts.exchangeInfo }),
    },
    logger,
  );
  process.stdout.write(`${JSON.stringify(sim.description)}\n`);
  logger.info({ http: sim.description.http, ws: sim.description.ws }, 'venue simulator listening');
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  logger.error({ err }, err instanceof Error ? err.message : 'failed to start');
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
