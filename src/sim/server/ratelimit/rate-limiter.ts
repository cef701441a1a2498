/**
 * The simulator's rate limiter: one {@link DomainLimiter} per Binance API family,
 * a shared clock, and the in-process control surface (`control.rateLimits`).
 */
import { type BanPolicyOptions, DEFAULT_BAN_POLICY } from './ban-policy.ts';
import { type Clock, ManualClock, wallClock } from './clock.ts';
import { type DomainSnapshot, DomainLimiter, type LimitDomainSpec } from './domain-limiter.ts';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  readonly domains: readonly LimitDomainSpec[];
  /** Default: the wall clock. Pass a {@link ManualClock} for deterministic windows. */
  readonly clock?: Clock;
  readonly banPolicy?: BanPolicyOptions;
}

/** What `control.rateLimits` offers (in-process and through `/__sim/ratelimits`). */
export interface RateLimitControl {
  /** False when limiting is switched off (`rateLimits.enabled: false`): nothing is counted. */
  readonly enabled: boolean;
  /** True when the limiter runs on the manual clock (`rateLimits.clock: 'manual'`): `advance`/`setTime` work. */
  readonly manualClock: boolean;
  /** The limiter's clock, ms since epoch. */
  now(): number;
  /**
   * Moves the manual clock forward by `ms` and returns the new time.
   * @throws Error when the limiter runs on the wall clock (`rateLimits.clock: 'wall'`).
   */
  advance(ms: number): number;
  /** Sets the manual clock. @throws Error on the wall clock. */
  setTime(ms: number): number;
  /** Forgets every count, strike and ban. */
  reset(): void;
  /** Current usage per domain. */
  snapshot(): { readonly enabled: boolean; readonly now: number; readonly domains: readonly DomainSnapshot[] };
}

/** Domains, by path. */
export class RateLimiter {
  readonly clock: Clock;
  private readonly domains: readonly DomainLimiter[];

  constructor(opts: RateLimiterOptions) {
    this.clock = opts.clock ?? wallClock;
    this.domains = opts.domains.map((d) => new DomainLimiter(d, opts.banPolicy ?? DEFAULT_BAN_POLICY, this.clock));
  }

  /** The domain governing `path`, or undefined (not limited). */
  domainFor(path: string): DomainLimiter | undefined {
    for (const d of this.domains) if (d.governs(path)) return d;
    return undefined;
  }

  /** The control surface of this limiter. */
  control(): RateLimitControl {
    const manual = (): ManualClock => {
      if (this.clock instanceof ManualClock) return this.clock;
      throw new Error("the rate limiter runs on the wall clock; start the simulator with rateLimits.clock = 'manual' to move it");
    };
    return {
      enabled: true,
      manualClock: this.clock instanceof ManualClock,
      now: () => this.clock.now(),
      advance: (ms) => manual().advance(ms),
      setTime: (ms) => manual().set(ms),
      reset: () => this.domains.forEach((d) => d.reset()),
      snapshot: () => ({ enabled: true, now: this.clock.now(), domains: this.domains.map((d) => d.snapshot()) }),
    };
  }
}

/** The control surface when limiting is off. */
export function disabledRateLimitControl(): RateLimitControl {
  const off = (): never => {
    throw new Error('rate limiting is off (rateLimits.enabled = false)');
  };
  return { enabled: false, manualClock: false, now: () => Date.now(), advance: off, setTime: off, reset: () => undefined, snapshot: () => ({ enabled: false, now: Date.now(), domains: [] }) };
}
