/**
 * The parts of ccxt the engine's venue adapter uses at run time, loaded file by file instead of
 * through the package's entry.
 *
 * Why: `import ccxt from 'ccxt'` evaluates every exchange ccxt ships (REST and pro, ~110 of
 * each): in a plain Node 20 process RSS goes from ~42 MiB to ~120 MiB (V8 heap used 42 MiB);
 * importing only the pro `binance` class file (which pulls the REST `binance` class and
 * ccxt's base) takes it to ~70–77 MiB (heap used 10.5 MiB). The adapter supports exchange
 * `binance` only (`VenueAccountConfig.exchange` in `./exchange.ts`), so nothing else is ever
 * needed; a new exchange id would add its own class file here.
 *
 * Tied to ccxt's file layout (ccxt 4.5.x, pinned in package-lock.json; re-check on upgrade):
 * the package's `exports` exposes only `.` (`js/ccxt.js`), so the files are resolved beside
 * that entry: `js/src/pro/binance.js` (default export: the pro class `ccxt.pro.binance`) and
 * `js/src/base/errors.js` (the error classes). `js/ccxt.js` itself re-exports the classes of
 * that same `./src/base/errors.js`, so code that imports `'ccxt'` (tests, benchmarks) and this
 * module share one module instance: `instanceof` between them holds (checked in
 * `test/venue/ccxt-modules.test.ts`).
 *
 * Types come from the package's own declarations (`import type`), which describe the same
 * classes.
 */
import type * as Ccxt from 'ccxt';

/**
 * Imports a file inside ccxt's `js/` folder, resolved beside the package entry (`js/ccxt.js`).
 * @throws Error naming this module when the file is missing or lacks `exportName` (ccxt's layout changed)
 */
async function importCcxtFile(relative: string, exportName: string): Promise<Record<string, unknown>> {
  const url = new URL(relative, import.meta.resolve('ccxt')).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    throw new Error(`cannot load ${url}: ccxt's file layout changed? (src/venue/ccxt-modules.ts)`, { cause });
  }
  if (typeof loaded[exportName] !== 'function') throw new Error(`${url} has no ${exportName}: ccxt's file layout changed? (src/venue/ccxt-modules.ts)`);
  return loaded;
}

const binanceModule = await importCcxtFile('./src/pro/binance.js', 'default');
const errorsModule = await importCcxtFile('./src/base/errors.js', 'NetworkError');

/** ccxt's pro `binance` class (`ccxt.pro.binance`), the base of the engine's client. */
export const BinancePro = binanceModule['default'] as typeof Ccxt.pro.binance;

/** ccxt's error classes (`ccxt.errors`: `NetworkError`, `InvalidOrder`, …), the same classes `'ccxt'` exports. */
export const ccxtErrors = errorsModule as unknown as typeof Ccxt.errors;
