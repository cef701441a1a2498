/**
 * Per-key counters over fixed windows aligned to the epoch, as Binance accounts
 * its limits (WebSocket API docs "Rate limits → How to interpret rate limits":
 * "a 1 MINUTE interval starts every minute … Once the 00:02:00 minute starts,
 * the count will reset to zero again"; a 1 DAY interval starts at 00:00 UTC).
 *
 * A key's count lives until its window ends: reading or adding in a later
 * window starts again from zero. Memory: one small record per key (IPs,
 * accounts); stale records are dropped when the map grows past `pruneAbove`.
 */

interface Slot {
  start: number;
  count: number;
}

/** Counts for one rule (one window length), by key. */
export class FixedWindowCounter {
  private readonly slots = new Map<string, Slot>();

  /**
   * @param windowMs window length, ms (> 0).
   * @param pruneAbove number of keys above which stale records are swept on `add` (default 10,000).
   */
  constructor(
    readonly windowMs: number,
    private readonly pruneAbove = 10_000,
  ) {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  }

  /** Start of the window containing `now`, ms. */
  windowStart(now: number): number {
    return now - (((now % this.windowMs) + this.windowMs) % this.windowMs);
  }

  /** When the window containing `now` ends (the count resets), ms. */
  resetsAt(now: number): number {
    return this.windowStart(now) + this.windowMs;
  }

  /** The key's count in the window containing `now`. */
  get(key: string, now: number): number {
    const slot = this.slots.get(key);
    return slot !== undefined && slot.start === this.windowStart(now) ? slot.count : 0;
  }

  /** Adds `n` (may be negative; the count never drops below 0) and returns the new count. */
  add(key: string, n: number, now: number): number {
    const start = this.windowStart(now);
    let slot = this.slots.get(key);
    if (slot === undefined || slot.start !== start) {
      if (slot === undefined && this.slots.size >= this.pruneAbove) this.prune(start);
      slot = { start, count: 0 };
      this.slots.set(key, slot);
    }
    slot.count = Math.max(0, slot.count + n);
    return slot.count;
  }

  /** Keys with a non-zero count in the window containing `now`, with their counts. */
  entries(now: number): Array<[string, number]> {
    const start = this.windowStart(now);
    const out: Array<[string, number]> = [];
    for (const [k, s] of this.slots) if (s.start === start && s.count > 0) out.push([k, s.count]);
    return out;
  }

  /** Forgets every count. */
  clear(): void {
    this.slots.clear();
  }

  private prune(currentStart: number): void {
    for (const [k, s] of this.slots) if (s.start !== currentStart) this.slots.delete(k);
  }
}
