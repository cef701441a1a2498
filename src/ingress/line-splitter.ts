/**
 * Splits a byte stream into newline-delimited lines with a bounded line length, pulled one at
 * a time so the caller decides how many lines it accepts (and pauses its source meanwhile).
 */

/** One item out of the splitter: a complete line (without `\n` and a trailing `\r`) or an oversized one. */
export type LineItem = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'too_long' };

/**
 * A pull-based line splitter.
 *
 * - `push(chunk)` stores a chunk (no copy, no scan); `next()` returns the next item or
 *   `undefined` when no complete line is buffered.
 * - A line longer than `maxLineBytes` bytes (newline excluded) yields ONE `too_long` item as
 *   soon as the limit is passed; its bytes are dropped, and so is everything up to and
 *   including the next newline. So the splitter never holds more than the pushed chunks not yet
 *   scanned plus `maxLineBytes` of an unfinished line.
 * - Blank (whitespace-only) lines yield nothing.
 * - Lines are decoded as UTF-8.
 */
export class LineSplitter {
  private readonly chunks: Buffer[] = [];
  /** Scan position in `chunks[0]`. */
  private offset = 0;
  /** Pieces of the unfinished line. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Dropping the rest of an oversized line until the next newline. */
  private discarding = false;
  private unscannedBytes = 0;

  constructor(private readonly maxLineBytes: number) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
  }

  /** Stores a chunk; lines are taken out with {@link next}. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.unscannedBytes += chunk.length;
  }

  /** True when every pushed byte has been scanned (only an unfinished line may remain). */
  get drained(): boolean {
    return this.chunks.length === 0;
  }

  /** Bytes held: pushed and not yet scanned, plus the unfinished line. */
  get bufferedBytes(): number {
    return this.unscannedBytes - this.offset + this.partialBytes;
  }

  /** Bytes of the unfinished line (what a disconnect now would drop). */
  get unfinishedBytes(): number {
    return this.partialBytes;
  }

  /** The next complete line or oversize marker, or `undefined` when none is buffered. */
  next(): LineItem | undefined {
    for (;;) {
      const head = this.chunks[0];
      if (head === undefined) return undefined;
      const nl = head.indexOf(0x0a, this.offset);
      if (nl === -1) {
        const rest = head.subarray(this.offset);
        this.consumeHead();
        if (this.discarding) continue;
        if (this.partialBytes + rest.length > this.maxLineBytes) {
          this.resetPartial();
          this.discarding = true;
          return { kind: 'too_long' };
        }
        this.partial.push(rest);
        this.partialBytes += rest.length;
        continue;
      }
      const segment = head.subarray(this.offset, nl);
      this.offset = nl + 1;
      if (this.offset >= head.length) this.consumeHead();
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (this.partialBytes + segment.length > this.maxLineBytes) {
        this.resetPartial();
        return { kind: 'too_long' };
      }
      const line = this.partialBytes === 0 ? segment : Buffer.concat([...this.partial, segment]);
      this.resetPartial();
      const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
      const text = line.toString('utf8', 0, end);
      if (text.trim() === '') continue;
      return { kind: 'line', text };
    }
  }

  private consumeHead(): void {
    const head = this.chunks.shift();
    if (head) this.unscannedBytes -= head.length;
    this.offset = 0;
  }

  private resetPartial(): void {
    this.partial = [];
    this.partialBytes = 0;
  }
}
