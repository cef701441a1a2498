import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecording, recordingFiles } from '../../../src/sim/market/recording.ts';
import { DATA_DIR } from './helpers.ts';

describe('recordings', () => {
  it('chains the spot files in date order, with one snapshot and a clock offset close to exchange time', async () => {
    const rec = await loadRecording(DATA_DIR, 'spot', 'ethusdt');
    expect(rec.files.map((f) => f.split('/').at(-1))).toEqual(['ethusdt_20240808.gz', 'ethusdt_20240809.gz']);
    expect(rec.symbol).toBe('ETHUSDT');
    expect(rec.stats).toMatchObject({ trades: 6_106 + 8_409, bookTickers: 24_077 + 34_681, depthDiffs: 3_434 + 3_036, snapshots: 1, notJson: 0, invalid: 0 });
    expect(rec.snapshots).toHaveLength(1);
    expect(rec.snapshots[0]!.index).toBeGreaterThan(0); // early diffs arrive before the snapshot
    expect(rec.offsetMs).toBeGreaterThan(1_200);
    expect(rec.offsetMs).toBeLessThan(1_350);
    for (let i = 1; i < rec.times.length; i++) {
      if (rec.times[i]! < rec.times[i - 1]!) throw new Error(`clock steps back at event ${i}`);
    }
    // Spot quotes carry no E: their time is the replay clock's; trades keep their own E/T.
    const quote = rec.events.find((e) => e.kind === 'bookTicker')!;
    expect(quote.eventTime).toBe(rec.times[rec.events.indexOf(quote)]);
    expect(rec.events.find((e) => e.kind === 'trade')).toMatchObject({ tradeId: expect.any(Number), buyerIsMaker: expect.any(Boolean) });
    // Memoised: the same object on a second load.
    expect(await loadRecording(DATA_DIR, 'spot', 'ETHUSDT')).toBe(rec);
  });

  describe('bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'market-rec-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'usdm'));
    mkdirSync(join(dir, 'spot'));
    const lines = [
      `1723161254000000000 {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161255300,"T":1723161255299,"s":"BTCUSDT","U":90,"u":105,"pu":89,"b":[["61000.10","1.000"]],"a":[]}}`,
      `1723161254100000000 {"lastUpdateId":100,"E":1,"T":1,"bids":[["61000.00","2.000"]],"asks":[["61000.50","1.500"]]}`,
      `1723161254200000000 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255470,"T":1723161255469,"s":"BTCUSDT","t":7,"p":"61000.50","q":"0.010","X":"MARKET","m":false}}`,
      `1723161254300000000 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255`,
      `1723161254400000000 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255670,"T":1723161255669,"s":"BTCUSDT","t":8,"p":"61,000.50","q":"0.010","m":false}}`,
      `1723161254500000000 {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":106,"s":"BTCUSDT","b":"61000.10","B":"1.000","a":"61000.50","A":"1.500","T":1723161255770,"E":1723161255770}}`,
    ];
    writeFileSync(join(dir, 'usdm', 'btcusdt_20240808.gz'), gzipSync(`${lines.join('\n')}\n`));

    it('skips and counts non-JSON and invalid lines, naming file and line', async () => {
      const rec = await loadRecording(dir, 'usdm', 'BTCUSDT');
      expect(rec.stats).toMatchObject({ lines: 6, trades: 1, bookTickers: 1, depthDiffs: 1, snapshots: 1, notJson: 1, invalid: 1 });
      const file = join(dir, 'usdm', 'btcusdt_20240808.gz');
      expect(rec.stats.warnings).toEqual([
        `${file}:4: not JSON; line skipped`,
        `${file}:5: bad trade (p: decimal string); line skipped`,
      ]);
      expect(rec.events.map((e) => e.kind)).toEqual(['depth', 'trade', 'bookTicker']);
      expect(rec.offsetMs).toBe(1_270);
      expect(rec.snapshots[0]).toMatchObject({ index: 1, snapshot: { lastUpdateId: 100 } });
    });

    it('names the pattern looked at when a symbol or market has no files', () => {
      expect(() => recordingFiles(dir, 'usdm', 'ETHUSDT')).toThrow(`${join(dir, 'usdm', 'ethusdt_*.gz')}; set another folder with --data-dir (option dataDir)`);
      expect(() => recordingFiles(join(dir, 'nope'), 'spot', 'BTCUSDT')).toThrow(join(dir, 'nope', 'spot', 'btcusdt_*.gz'));
    });
  });
});
