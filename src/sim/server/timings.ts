/**
 * Server-side handling time of REST requests, for the venue benchmark.
 *
 * Each sample is the time from the end of the request (body fully read) to the
 * moment the response was handed to the socket, measured with
 * `process.hrtime.bigint()`, in microseconds. Samples live in a fixed-size ring
 * buffer: once full, the oldest sample is overwritten, so memory stays bounded
 * however long the server runs.
 */

/** Percentiles over the samples currently held. Units: microseconds. */
export interface TimingSummary {
  /** Median handling time, µs (0 when there are no samples). */
  readonly p50Us: number;
  /** 99th percentile handling time, µs (0 when there are no samples). */
  readonly p99Us: number;
  /** Number of samples the percentiles were computed from (at most the ring capacity). */
  readonly n: number;
}

/** A bounded ring buffer of handling times. */
export class TimingRing {
  private readonly samples: Float64Array;
  private next = 0;
  private count = 0;

  /** @param capacity maximum number of samples kept (default 65,536). */
  constructor(capacity = 65_536) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.samples = new Float64Array(capacity);
  }

  /** Records one sample given the `process.hrtime.bigint()` values at start and end. */
  record(startNs: bigint, endNs: bigint): void {
    this.samples[this.next] = Number(endNs - startNs) / 1000;
    this.next = (this.next + 1) % this.samples.length;
    if (this.count < this.samples.length) this.count += 1;
  }

  /** p50/p99 over the held samples (nearest-rank method). */
  summary(): TimingSummary {
    if (this.count === 0) return { p50Us: 0, p99Us: 0, n: 0 };
    const sorted = this.samples.slice(0, this.count).sort();
    return { p50Us: nearestRank(sorted, 0.5), p99Us: nearestRank(sorted, 0.99), n: this.count };
  }

  /** Drops every sample. */
  reset(): void {
    this.next = 0;
    this.count = 0;
  }
}

function nearestRank(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? 0;
}
