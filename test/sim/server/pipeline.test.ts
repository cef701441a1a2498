import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Errors } from '../../../src/sim/venue/errors.ts';
import { startHarness } from './helpers.ts';

describe('REST pipeline hooks and error boundary', () => {
  it('runs hooks in order, turns thrown errors into Binance JSON and logs unexpected ones', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const seen: string[] = [];
    const h = await startHarness({
      logger,
      restHooks: {
        afterRoute: [
          (ctx, next) => {
            const weight = ctx.route?.weight;
            seen.push(`afterRoute ${ctx.route?.path} weight=${typeof weight === 'function' ? 'by-params' : String(weight)}`);
            const fault = ctx.request.headers['x-fault'];
            if (fault === 'limit') throw Errors.tooManyRequests();
            if (fault === 'crash') throw new Error('boom');
            if (fault === 'slow') return new Promise((resolve) => setImmediate(() => resolve(next())));
            return next();
          },
        ],
        beforeHandler: [
          (ctx, next) => {
            seen.push(`beforeHandler params=${Object.keys(ctx.params ?? {}).join(',')}`);
            return next();
          },
        ],
      },
    });
    try {
      const get = (fault?: string) => fetch(`${h.http}/api/v3/time`, { headers: fault ? { 'x-fault': fault } : {} });
      const ok = await get();
      expect(ok.status).toBe(200);
      expect(seen).toEqual(['afterRoute /api/v3/time weight=1', 'beforeHandler params=']);
      const limited = await get('limit');
      expect(limited.status).toBe(429);
      expect(await limited.json()).toMatchObject({ code: -1003 });
      const crashed = await get('crash');
      expect(crashed.status).toBe(500);
      expect(await crashed.json()).toEqual({ code: -1000, msg: 'An unknown error occurred while processing the request.' });
      expect(lines.some((l) => l.includes('boom'))).toBe(true);
      const slow = await get('slow');
      expect(slow.status).toBe(200);
      expect(h.server.timings().n).toBe(4);
      // the hooks also wrap routes served from the real replay: the recorded book behind /api/v3/depth
      seen.length = 0;
      const depth = (await fetch(`${h.http}/api/v3/depth?symbol=BTCUSDT&limit=5`).then((r) => r.json())) as unknown;
      expect(depth).toEqual(h.replay.book('spot', 'BTCUSDT')?.depth(5));
      expect(seen).toEqual(['afterRoute /api/v3/depth weight=by-params', 'beforeHandler params=symbol,limit']);
    } finally {
      await h.close();
    }
  });
});
