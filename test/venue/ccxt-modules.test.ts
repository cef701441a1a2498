/**
 * `src/venue/ccxt-modules.ts` loads ccxt's binance class and error classes file by file: they
 * must be the very classes the package entry exports (instanceof across both holds), and no
 * module on the daemon's path may import the `ccxt` package as a value (that would load every
 * exchange again: see the module's comment for the memory figures).
 */
import { fileURLToPath } from 'node:url';
import ccxt from 'ccxt';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { EngineBinance } from '../../src/venue/binance-client.ts';
import { BinancePro, ccxtErrors } from '../../src/venue/ccxt-modules.ts';
import { classifyFailure } from '../../src/venue/errors.ts';

describe('ccxt modules loaded file by file', () => {
  it('are the same classes as the package entry exports', () => {
    expect(BinancePro).toBe(ccxt.pro.binance);
    expect(ccxtErrors.NetworkError).toBe(ccxt.NetworkError);
    expect(ccxtErrors.InsufficientFunds).toBe(ccxt.InsufficientFunds);
    expect(ccxtErrors.ExchangeError).toBe(ccxt.ExchangeError);
    expect(new EngineBinance()).toBeInstanceOf(ccxt.pro.binance);
    expect(new EngineBinance()).toBeInstanceOf(ccxt.Exchange);
  });

  it('classify errors constructed from the package entry', () => {
    expect(classifyFailure(new ccxt.InsufficientFunds('binance Account has insufficient balance for requested action.'))).toMatchObject({
      kind: 'rejected',
      reason: 'insufficient_funds',
    });
    expect(classifyFailure(new ccxt.RequestTimeout('binance GET … timed out'))).toMatchObject({ kind: 'unknown' });
  });

  it('no module of the daemon imports the ccxt package as a value', async () => {
    const entry = fileURLToPath(new URL('../../src/cli/daemon.ts', import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      metafile: true,
      outdir: 'out',
      logLevel: 'silent',
    });
    const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(external).toContain('lmdb'); // the check sees the daemon's packages
    expect(external.filter((p) => p === 'ccxt' || p.startsWith('ccxt/'))).toEqual([]);
  });
});
