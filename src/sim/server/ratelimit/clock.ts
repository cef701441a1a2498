/**
 * Time sources of the rate limiter. Windows, `Retry-After` and bans are
 * computed on the limiter's own clock, never on the replay clock:
 * - `wall`: `Date.now()` (what a real client experiences);
 * - `manual`: moves only when told (`advance`/`set`), for deterministic tests.
 *   It starts at the beginning of the current UTC day, so that every window
 *   (10 s, 1 min, 5 min, 1 day) starts exactly at the clock's start.
 */

/** A time source, ms since epoch. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const wallClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told. */
export class ManualClock implements Clock {
  private t: number;

  /** @param startMs initial time, ms since epoch (default: the start of the current UTC day). */
  constructor(startMs: number = startOfUtcDay(Date.now())) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  /** Moves forward by `ms` (≥ 0). @throws RangeError for a negative or non-finite step. */
  advance(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    this.t += ms;
    return this.t;
  }

  /** Sets the time (may go backwards: counters then treat it as a new window). */
  set(ms: number): number {
    if (!Number.isFinite(ms)) throw new RangeError(`set needs a finite time in ms, got ${ms}`);
    this.t = ms;
    return this.t;
  }
}

/** `ms` floored to 00:00:00.000 UTC of its day. */
export function startOfUtcDay(ms: number): number {
  return ms - (ms % 86_400_000);
}
