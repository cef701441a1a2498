/**
 * The rate limiter's parts on their own, with a manual clock: the recorded
 * rules, fixed windows, the ban escalation, the USD-M domain's headers, the
 * configuration's off switch and scale factor.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPOT_EXCHANGE_INFO, DEFAULT_USDM_EXCHANGE_INFO } from '../../../src/sim/config.ts';
import { BanPolicy } from '../../../src/sim/server/ratelimit/ban-policy.ts';
import { loadRules } from '../../../src/sim/server/ratelimit/domains.ts';
import { FixedWindowCounter } from '../../../src/sim/server/ratelimit/fixed-window.ts';
import {
  buildRateLimiting,
  DomainLimiter,
  ManualClock,
  rateLimitConfigSchema,
  RateLimiter,
  rulesFromExchangeInfo,
  scaleRules,
  spotDomain,
  usdmDomain,
} from '../../../src/sim/server/ratelimit/index.ts';
import { intervalTag } from '../../../src/sim/server/ratelimit/rules.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 7, 7); // a day boundary: every window starts here
const spotRules = () => {
  const r = loadRules(DEFAULT_SPOT_EXCHANGE_INFO);
  if (r === undefined) throw new Error('recorded spot exchangeInfo missing');
  return r;
};
const usdmRules = () => {
  const r = loadRules(DEFAULT_USDM_EXCHANGE_INFO);
  if (r === undefined) throw new Error('recorded usdm exchangeInfo missing');
  return r;
};
const BANS = { strikesBeforeBan: 2, firstBanMs: 120_000, maxBanMs: 3 * DAY };

describe('rules from the recorded exchangeInfo', () => {
  it('spot: REQUEST_WEIGHT 6000/1m, ORDERS 100/10s and 200000/1d, RAW_REQUESTS 61000/5m', () => {
    expect(spotRules().map((r) => `${r.rateLimitType} ${r.limit}/${intervalTag(r)}`)).toEqual([
      'REQUEST_WEIGHT 6000/1m',
      'ORDERS 100/10s',
      'ORDERS 200000/1d',
      'RAW_REQUESTS 61000/5m',
    ]);
  });

  it('usdm: REQUEST_WEIGHT 2400/1m, ORDERS 1200/1m and 300/10s', () => {
    expect(usdmRules().map((r) => `${r.rateLimitType} ${r.limit}/${intervalTag(r)}`)).toEqual(['REQUEST_WEIGHT 2400/1m', 'ORDERS 1200/1m', 'ORDERS 300/10s']);
  });

  it('scales limits up to whole numbers, never below 1; refuses a bad factor or a bad rateLimits array', () => {
    expect(scaleRules(spotRules(), 0.1).map((r) => r.limit)).toEqual([600, 10, 20000, 6100]);
    expect(scaleRules(spotRules(), 0.000001).map((r) => r.limit)).toEqual([1, 1, 1, 1]);
    expect(() => scaleRules(spotRules(), 0)).toThrow(RangeError);
    expect(() => rulesFromExchangeInfo({ rateLimits: [{ rateLimitType: 'ORDERS', interval: 'WEEK', intervalNum: 1, limit: 5 }] }, 'x.json')).toThrow(/x\.json/);
    expect(() => rulesFromExchangeInfo({}, 'y.json')).toThrow(/y\.json/);
  });
});

describe('fixed windows aligned to the epoch', () => {
  it('counts per key until the window ends, then starts from zero', () => {
    const c = new FixedWindowCounter(10_000);
    expect(c.add('a', 3, T0 + 9_999)).toBe(3);
    expect(c.get('a', T0 + 9_999)).toBe(3);
    expect(c.resetsAt(T0 + 9_999)).toBe(T0 + 10_000);
    expect(c.get('a', T0 + 10_000)).toBe(0);
    expect(c.add('a', -5, T0 + 10_000)).toBe(0);
    expect(c.get('b', T0)).toBe(0);
  });
});

describe('bans', () => {
  it('429s within one back-off period are strikes; the next over-limit request bans for 2 min, doubling up to 3 days', () => {
    const p = new BanPolicy(BANS);
    let t = T0;
    const lengths: number[] = [];
    for (let ban = 0; ban < 14; ban++) {
      expect(p.strike('ip', t, t + 10_000)).toEqual({ banned: false });
      expect(p.strike('ip', t, t + 10_000)).toEqual({ banned: false });
      const out = p.strike('ip', t, t + 10_000);
      if (!out.banned) throw new Error('expected a ban');
      expect(p.bannedUntil('ip', t)).toBe(out.until);
      expect(p.bannedUntil('other', t)).toBeUndefined();
      lengths.push(out.until - t);
      t = out.until;
      expect(p.bannedUntil('ip', t)).toBeUndefined();
    }
    expect(lengths.slice(0, 4)).toEqual([120_000, 240_000, 480_000, 960_000]);
    expect(lengths.at(-1)).toBe(3 * DAY);
  });

  it('a client that backs off until Retry-After starts with a clean slate', () => {
    const p = new BanPolicy(BANS);
    expect(p.strike('ip', T0, T0 + 10_000).banned).toBe(false);
    expect(p.strike('ip', T0 + 1, T0 + 10_000).banned).toBe(false);
    // waited until the window reset, then over the limit again: a first strike, not a ban
    expect(p.strike('ip', T0 + 10_000, T0 + 20_000).banned).toBe(false);
    expect(p.strike('ip', T0 + 10_001, T0 + 20_000).banned).toBe(false);
    expect(p.strike('ip', T0 + 10_002, T0 + 20_000).banned).toBe(true);
  });
});

describe('domains', () => {
  it('spot: weight per IP, orders per account, headers from the rules (+ legacy used-weight)', () => {
    const clock = new ManualClock(T0);
    const d = new DomainLimiter(spotDomain(spotRules()), BANS, clock);
    expect(d.governs('/api/v3/order') && d.governs('/ws-api/v3') && !d.governs('/fapi/v1/order')).toBe(true);
    expect(d.admit('1.1.1.1', 20)).toEqual({ ok: true });
    expect(d.admit('2.2.2.2', 5)).toEqual({ ok: true });
    d.countOrders('acc', 3, 1); // one filled at once: credited
    const h: Record<string, string> = {};
    d.weightHeaders('1.1.1.1', h);
    d.orderHeaders('acc', h);
    expect(h).toEqual({ 'x-mbx-used-weight-1m': '20', 'x-mbx-used-weight': '20', 'x-mbx-order-count-10s': '2', 'x-mbx-order-count-1d': '2' });
    clock.advance(10_000);
    const later: Record<string, string> = {};
    d.orderHeaders('acc', later);
    expect(later).toEqual({ 'x-mbx-order-count-10s': '0', 'x-mbx-order-count-1d': '2' });
  });

  it('usdm: x-mbx-used-weight-1m, x-mbx-order-count-1m and -10s, no legacy header, no fill credit', () => {
    const clock = new ManualClock(T0);
    const limiter = new RateLimiter({ domains: [spotDomain(spotRules()), usdmDomain(usdmRules())], clock, banPolicy: BANS });
    const d = limiter.domainFor('/fapi/v1/order');
    if (d === undefined) throw new Error('no usdm domain');
    expect(d.spec.name).toBe('usdm');
    d.admit('ip', 1);
    d.countOrders('acc', 1, 1);
    const h: Record<string, string> = {};
    d.weightHeaders('ip', h);
    d.orderHeaders('acc', h);
    expect(h).toEqual({ 'x-mbx-used-weight-1m': '1', 'x-mbx-order-count-1m': '1', 'x-mbx-order-count-10s': '1' });
    expect(d.checkOrders('ip', 'acc', 300)).toMatchObject({ ok: false, status: 429, body: { code: -1015, msg: 'Too many new orders; current limit is 300 orders per 10 SECOND.' } });
    expect(limiter.domainFor('/sapi/v1/x')).toBeUndefined();
  });

  it('RAW_REQUESTS refuses with -1003 once the request count is spent', () => {
    const d = new DomainLimiter(spotDomain(scaleRules(spotRules(), 0.0001)), BANS, new ManualClock(T0)); // 1 weight/min, 7 requests/5 min
    expect(d.admit('ip', 0)).toEqual({ ok: true });
    for (let i = 0; i < 6; i++) d.admit('ip', 0);
    expect(d.admit('ip', 0)).toMatchObject({ ok: false, status: 429, body: { code: -1003, msg: 'Too many requests; current limit is 7 requests per 5 MINUTE.' }, retryAt: T0 + 300_000 });
  });
});

describe('configuration', () => {
  it('on by default, wall clock, recorded limits; off switch builds no hooks', () => {
    const defaults = rateLimitConfigSchema.parse({});
    expect(defaults).toMatchObject({ enabled: true, scale: 1, clock: 'wall', strikesBeforeBan: 3, firstBanMs: 120_000, maxBanMs: 3 * DAY });
    const body = { rateLimits: spotRules() };
    const off = buildRateLimiting(rateLimitConfigSchema.parse({ enabled: false }), body, pino({ level: 'silent' }));
    expect(off.stages).toBeUndefined();
    expect(off.wsApi).toBeUndefined();
    expect(off.control.snapshot()).toMatchObject({ enabled: false, domains: [] });
    expect(() => off.control.advance(1)).toThrow(/off/);
    const wall = buildRateLimiting(rateLimitConfigSchema.parse({}), body, pino({ level: 'silent' }));
    expect(() => wall.control.advance(1)).toThrow(/wall clock/);
    expect(wall.control.snapshot().domains.map((d) => d.name)).toEqual(['spot']);
    const both = buildRateLimiting(rateLimitConfigSchema.parse({}), body, pino({ level: 'silent' }), { rateLimits: usdmRules() });
    expect(both.control.snapshot().domains.map((d) => d.name)).toEqual(['spot', 'usdm']);
    const scaled = buildRateLimiting(rateLimitConfigSchema.parse({ scale: 0.1, clock: 'manual' }), body, pino({ level: 'silent' }));
    expect(scaled.control.snapshot().domains[0]?.rules.map((r) => r.limit)).toEqual([600, 10, 20000, 6100]);
    expect(scaled.control.now() % DAY).toBe(0);
    expect(() => rateLimitConfigSchema.parse({ firstBanMs: 10, maxBanMs: 5 })).toThrow(/maxBanMs/);
  });
});
