/**
 * The CLI: a person's terminal to the running daemon, over its local socket.
 *
 * ```sh
 * npx tsx src/cli/cli.ts [--socket <path>] [--json] <command>
 *   signal <buy|sell> <instrument> [quantity] [--limit <price>] [--tif GTC|IOC|FOK] [--quote <notional>] [--id <signalId>] [--venue <id>]
 *   cancel <clientOrderId>
 *   orders [--state <S...>] [--instrument <I>] [--limit <N>] [--cursor <C>] [--newest-first]
 *   order <clientOrderId>
 *   status
 *   watch
 *   inspect <on|off>
 * ```
 *
 * `--socket` defaults to `$ENGINE_SOCKET`, else `./data/engine.sock`. `--json` prints each
 * result (and each watched event) as one JSON line, and errors as `{"error": …}` on stderr.
 *
 * Exit codes: 0 done; 1 the daemon answered with an error (or the connection failed midway);
 * 2 bad command-line usage; 3 the daemon cannot be reached.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { SignalRequest } from '../domain/signal.ts';
import { ClientError, connect, type Client } from './client.ts';
import {
  formatError,
  formatErrorJson,
  formatEvent,
  formatInspect,
  formatOrder,
  formatOrdersPage,
  formatSignalResult,
  formatStatus,
  type FieldHints,
} from './cli-format.ts';

interface GlobalOptions {
  socket: string;
  json: boolean;
}

const EXIT_DAEMON_ERROR = 1;
const EXIT_USAGE = 2;
const EXIT_UNREACHABLE = 3;

/** Where the signal command's fields come from, for error messages. */
const SIGNAL_HINTS: FieldHints = {
  'signal.quantity': '<quantity>',
  'signal.quoteQuantity': '--quote',
  'signal.price': '--limit',
  'signal.timeInForce': '--tif',
  'signal.signalId': '--id',
  'signal.instrument': '<instrument>',
  'signal.side': '<side>',
  'signal.venue': '--venue',
};

const out = (text: string): void => void process.stdout.write(text);
const err = (text: string): void => void process.stderr.write(text);

/**
 * Connects, runs `body`, prints its error if any, closes, and sets the exit code.
 * `body` returns the text to print in human mode and the value to print in `--json` mode.
 */
async function run(cmd: Command, body: (client: Client) => Promise<{ text: string; json: unknown } | void>, hints: FieldHints = {}): Promise<void> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  let client: Client | undefined;
  try {
    client = await connect(opts.socket);
    const printed = await body(client);
    if (printed) out(opts.json ? `${JSON.stringify(printed.json)}\n` : printed.text);
  } catch (e) {
    err(opts.json ? formatErrorJson(e) : formatError(e, hints));
    process.exitCode = e instanceof ClientError && e.code === 'unreachable' ? EXIT_UNREACHABLE : EXIT_DAEMON_ERROR;
  } finally {
    await client?.close();
  }
}

/** Sends one request and prints its result with `format`. */
function simple<R>(request: (client: Client) => Promise<R>, format: (r: R) => string): (client: Client) => Promise<{ text: string; json: unknown }> {
  return async (client) => {
    const result = await request(client);
    return { text: format(result), json: result };
  };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number ≥ 1');
  return n;
}

const program = new Command('cli')
  .description('Talk to the running execution daemon over its local socket')
  .addOption(new Option('--socket <path>', 'the daemon socket').env('ENGINE_SOCKET').default('./data/engine.sock'))
  .option('--json', 'print raw JSON (one line per result or event)', false)
  .exitOverride()
  .showHelpAfterError('(add --help for usage)');

program
  .command('signal')
  .description('send a trading signal: a market order, or a limit order with --limit')
  .addArgument(new Argument('<side>', 'buy or sell').choices(['buy', 'sell']))
  .argument('<instrument>', 'ccxt symbol, e.g. BTC/USDT')
  .argument('[quantity]', 'amount in the base currency, e.g. 0.001 (omit it with --quote)')
  .option('--limit <price>', 'limit price in the quote currency per unit: places a limit order')
  .addOption(new Option('--tif <tif>', 'time in force of a limit order (default GTC)').choices(['GTC', 'IOC', 'FOK']))
  .option('--quote <notional>', 'size a market order in the quote currency instead of quantity')
  .option('--id <signalId>', 'signal id, the idempotency key (default: the daemon makes one)')
  .option('--venue <id>', 'venue account (default: the first configured)')
  .action(
    async (
      side: 'buy' | 'sell',
      instrument: string,
      quantity: string | undefined,
      o: { limit?: string; tif?: 'GTC' | 'IOC' | 'FOK'; quote?: string; id?: string; venue?: string },
      cmd: Command,
    ) => {
      const signal: SignalRequest = {
        instrument,
        side,
        type: o.limit !== undefined ? 'limit' : 'market',
        ...(quantity !== undefined && { quantity }),
        ...(o.quote !== undefined && { quoteQuantity: o.quote }),
        ...(o.limit !== undefined && { price: o.limit }),
        ...(o.tif !== undefined && { timeInForce: o.tif }),
        ...(o.id !== undefined && { signalId: o.id }),
        ...(o.venue !== undefined && { venue: o.venue }),
      };
      await run(cmd, simple((c) => c.request('signal', { signal }), formatSignalResult), SIGNAL_HINTS);
    },
  );

program
  .command('cancel')
  .description('cancel an order')
  .argument('<clientOrderId>', 'the order')
  .action(async (clientOrderId: string, _o: object, cmd: Command) => {
    await run(cmd, simple((c) => c.request('cancel', { clientOrderId }), (order) => `cancel requested\n${formatOrder(order)}`));
  });

program
  .command('orders')
  .description('list orders, one page at a time')
  .option('--state <states...>', 'only these states')
  .option('--instrument <symbol>', 'only this instrument, e.g. BTC/USDT')
  .option('--limit <n>', 'page size (1–1000, default 100)', positiveInt)
  .option('--cursor <cursor>', 'the next page, from a previous listing')
  .option('--newest-first', 'newest orders first (default: oldest first)')
  .action(async (o: { state?: string[]; instrument?: string; limit?: number; cursor?: string; newestFirst?: boolean }, cmd: Command) => {
    const listingArgs = [
      ...(o.state !== undefined ? ['--state', ...o.state] : []),
      ...(o.instrument !== undefined ? ['--instrument', o.instrument] : []),
      ...(o.limit !== undefined ? ['--limit', String(o.limit)] : []),
      ...(o.newestFirst === true ? ['--newest-first'] : []),
    ];
    const query = {
      ...(o.newestFirst === true && { newestFirst: true }),
      ...(o.state !== undefined && { states: o.state }),
      ...(o.instrument !== undefined && { instrument: o.instrument }),
      ...(o.limit !== undefined && { limit: o.limit }),
      ...(o.cursor !== undefined && { cursor: o.cursor }),
    };
    await run(cmd, simple((c) => c.request('orders', query), (page) => formatOrdersPage(page, listingArgs)), { states: '--state', instrument: '--instrument', limit: '--limit', cursor: '--cursor', newestFirst: '--newest-first' });
  });

program
  .command('order')
  .description('one order: state, transitions with times, fills')
  .argument('<clientOrderId>', 'the order')
  .action(async (clientOrderId: string, _o: object, cmd: Command) => {
    await run(cmd, simple((c) => c.request('order', { clientOrderId }), formatOrder));
  });

program
  .command('status')
  .description('engine state, venues, order counts, inspector')
  .action(async (_o: object, cmd: Command) => {
    await run(cmd, simple((c) => c.request('status'), formatStatus));
  });

program
  .command('inspect')
  .description('switch the Stately inspector on or off')
  .addArgument(new Argument('<on|off>', 'on or off').choices(['on', 'off']))
  .action(async (onOff: 'on' | 'off', _o: object, cmd: Command) => {
    await run(cmd, simple((c) => c.request('inspect', { enabled: onOff === 'on' }), formatInspect));
  });

program
  .command('watch')
  .description('print every order transition and fill as it happens (Ctrl-C to stop)')
  .action(async (_o: object, cmd: Command) => {
    const { json } = cmd.optsWithGlobals<GlobalOptions>();
    await run(cmd, async (client) => {
      let stopping = false;
      const stop = (): void => {
        stopping = true;
        void client.close();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const events = client.events();
      await client.request('subscribe');
      err(json ? '' : `watching ${client.path} (Ctrl-C to stop)\n`);
      for await (const event of events) out(json ? `${JSON.stringify(event)}\n` : formatEvent(event));
      if (!stopping) throw new ClientError('closed', client.path, 'the daemon closed the connection');
    });
  });

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    err(formatError(e));
    process.exitCode = EXIT_DAEMON_ERROR;
  }
}
