/**
 * Fault scopes on an injected clock: `durationMs` expiry, `count`, `onEnd`
 * exactly once, the first match wins; `pauseClock` pauses a running replay and
 * resumes it when it ends (and leaves an already paused one alone); spec
 * validation names the offending fields.
 */
import { describe, expect, it } from 'vitest';
import { FaultController, FaultSpecError, parseFaultSpec } from '../../../src/sim/server/faults/index.ts';
import { FaultRegistry } from '../../../src/sim/server/faults/registry.ts';
import { REST_KINDS } from '../../../src/sim/server/faults/schema.ts';

/** A replay stand-in with just the clock switches the controller uses. */
function fakeReplay(paused = false) {
  const state = { paused, pauses: 0, resumes: 0 };
  return {
    state,
    pause: () => {
      state.paused = true;
      state.pauses++;
    },
    resume: () => {
      state.paused = false;
      state.resumes++;
    },
    stats: () => ({ eventsProcessed: 0, loops: 0, finished: false, paused: state.paused, now: 0 }),
  };
}

describe('FaultRegistry', () => {
  it('ends a fault when its time is up (fault clock), once', () => {
    let now = 1_000;
    const r = new FaultRegistry(() => now);
    const ended: string[] = [];
    r.onEnd((f) => ended.push(f.id));
    const f = r.add(parseFaultSpec({ kind: 'timeout', durationMs: 500 }));
    expect(f.expiresAt).toBe(1_500);
    now = 1_499;
    expect(r.take(REST_KINDS)?.id).toBe(f.id);
    now = 1_500;
    expect(r.take(REST_KINDS)).toBeUndefined();
    expect(r.list()).toEqual([]);
    expect(ended).toEqual([f.id]);
  });

  it('count: consumed by matches only; the first matching fault wins', () => {
    const r = new FaultRegistry(() => 0);
    const a = r.add(parseFaultSpec({ kind: 'reset', pathPrefix: '/api/v3/order', count: 2 }));
    const b = r.add(parseFaultSpec({ kind: 'timeout', count: 1 }));
    const onOrder = (path: string) => r.take(REST_KINDS, (f) => !('pathPrefix' in f.spec) || f.spec.pathPrefix === undefined || path.startsWith(f.spec.pathPrefix));
    expect(onOrder('/api/v3/time')?.id).toBe(b.id);
    expect(onOrder('/api/v3/time')).toBeUndefined();
    expect(onOrder('/api/v3/order')?.id).toBe(a.id);
    expect(r.list()[0]).toMatchObject({ id: a.id, remaining: 1, hits: 1 });
    expect(onOrder('/api/v3/order')?.id).toBe(a.id);
    expect(r.size).toBe(0);
  });
});

describe('FaultController', () => {
  it('pauseClock pauses a running replay and resumes it when its duration is over', () => {
    let now = 0;
    const replay = fakeReplay();
    const c = new FaultController({ replay, now: () => now });
    c.inject({ kind: 'pauseClock', durationMs: 1_000 });
    c.inject({ kind: 'pauseClock' });
    expect(replay.state).toMatchObject({ paused: true, pauses: 1 });
    now = 1_000;
    expect(c.list().map((f) => f.kind)).toEqual(['pauseClock']); // one still holds it
    expect(replay.state.paused).toBe(true);
    expect(c.clear()).toBe(1);
    expect(replay.state).toMatchObject({ paused: false, resumes: 1 });
    c.close();
  });

  it('leaves a replay that was already paused paused', () => {
    const replay = fakeReplay(true);
    const c = new FaultController({ replay });
    c.inject({ kind: 'pauseClock' });
    c.inject({ kind: 'resumeClock' });
    expect(replay.state).toMatchObject({ paused: true, pauses: 0, resumes: 0 });
    c.close();
  });

  it('expireListenKey calls into the listenKey side once it is connected', () => {
    const c = new FaultController({ replay: fakeReplay() });
    const expired: Array<string | undefined> = [];
    c.setListenKeyControl({ expire: (k) => (expired.push(k), 1) });
    expect(c.inject({ kind: 'expireListenKey', accountId: 'acc-1' })).toMatchObject({ kind: 'expireListenKey', hits: 1, active: false });
    expect(expired).toEqual(['acc-1']);
    c.close();
  });

  it('silentUserStream scoped to one account holds back only that account’s events', () => {
    const c = new FaultController({ replay: fakeReplay() });
    c.inject({ kind: 'silentUserStream', accountId: 'a' });
    const gate = c.wsHooks().deliverUserEvent;
    expect(gate({ accountId: 'a', payload: {} })).toBe(false);
    expect(gate({ accountId: 'b', payload: {} })).toBe(true);
    expect(c.stats().userEvents).toEqual({ delivered: 1, suppressed: 1 });
    c.close();
  });
});

describe('fault specs', () => {
  it('applies defaults and names every bad field', () => {
    expect(parseFaultSpec({ kind: 'loseResponse' })).toEqual({ kind: 'loseResponse', mode: 'timeout' });
    expect(parseFaultSpec({ kind: 'rateLimited' })).toEqual({ kind: 'rateLimited', status: 429, retryAfterSec: 60 });
    expect(parseFaultSpec({ kind: 'rejectOrders', code: -2010, msg: 'x' })).toEqual({ kind: 'rejectOrders', code: -2010, msg: 'x', status: 400 });
    try {
      parseFaultSpec({ kind: 'delay', ms: 0, pathPrefix: 'api', extra: true });
      throw new Error('expected a FaultSpecError');
    } catch (err) {
      expect(err).toBeInstanceOf(FaultSpecError);
      expect((err as FaultSpecError).issues.map((i) => i.path).sort()).toEqual(['', 'ms', 'pathPrefix']);
      expect((err as FaultSpecError).message).toMatch(/extra/);
    }
  });
});
