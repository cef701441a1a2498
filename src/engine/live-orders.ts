/**
 * The engine's index of live orders (not final: not CLOSED, not DENIED) and their
 * last committed state.
 *
 * An order's committed snapshot is held in memory while the order is active (its
 * actor running, or just committed); a passivated order — idle, its actor stopped —
 * and an order restored at start-up and not touched since are kept as their state
 * name only, and their snapshot is read back from the store when needed (about
 * 100 bytes per such order instead of its ~1.8 KB context). Reads return what is
 * committed, never a state that is not on disk yet.
 */
import type { OrderSnapshot } from '../../machines/order.machine.ts';

/** The committed state of a live order: the fields of an order snapshot the engine reads (persisted or live form alike). */
export type CommittedOrder = Pick<OrderSnapshot, 'value' | 'context' | 'status'>;

export class LiveOrders {
  private readonly inMemory = new Map<string, CommittedOrder>();
  /** Orders whose snapshot is only in the store: client order id → state name. */
  private readonly onDisk = new Map<string, string>();
  /** Each live order's listing place: the seq of its first journal entry (`OrderStore.listOrderIds`), when known. */
  private readonly firstSeqs = new Map<string, number>();
  /**
   * The live orders' places in ascending seq order, built from `firstSeqs` at the first listing (not at
   * start-up), then kept as they come (new orders' first commits arrive with rising seqs); entries of orders no
   * longer live stay until compacted and are skipped. `sorted` is false once a place arrived out of order.
   */
  private listing: Array<{ readonly clientOrderId: string; readonly seq: number }> | undefined;
  private sorted = true;
  private changes = 0;

  /**
   * @param load reads an order's committed snapshot back from the store; undefined when the
   *   store has no live, readable record of it (the order is then dropped from this index).
   */
  constructor(private readonly load: (clientOrderId: string) => CommittedOrder | undefined) {}

  /** Counts every change of this index (any order): equal before and after an `await`, nothing was recorded meanwhile. */
  get version(): number {
    return this.changes;
  }

  /** Number of live orders. */
  get size(): number {
    return this.inMemory.size + this.onDisk.size;
  }

  has(clientOrderId: string): boolean {
    return this.inMemory.has(clientOrderId) || this.onDisk.has(clientOrderId);
  }

  /** The committed state of a live order (read from the store if it is not in memory), or undefined when it is not live. */
  get(clientOrderId: string): CommittedOrder | undefined {
    const held = this.inMemory.get(clientOrderId);
    if (held !== undefined || !this.onDisk.has(clientOrderId)) return held;
    const loaded = this.load(clientOrderId);
    if (loaded === undefined) this.delete(clientOrderId);
    return loaded;
  }

  /** The committed state name of a live order (no store read), or undefined when it is not live. */
  stateOf(clientOrderId: string): string | undefined {
    return this.inMemory.get(clientOrderId)?.value ?? this.onDisk.get(clientOrderId);
  }

  /** The committed state if it is held in memory (no store read). */
  peek(clientOrderId: string): CommittedOrder | undefined {
    return this.inMemory.get(clientOrderId);
  }

  /** Records a newly committed state (held in memory). */
  set(clientOrderId: string, committed: CommittedOrder): void {
    this.changes++;
    this.onDisk.delete(clientOrderId);
    this.inMemory.set(clientOrderId, committed);
  }

  /** Records a live order whose snapshot stays in the store only (start-up), by its state name. */
  setOnDisk(clientOrderId: string, state: string): void {
    this.changes++;
    this.inMemory.delete(clientOrderId);
    this.onDisk.set(clientOrderId, state);
  }

  /** Drops the in-memory snapshot of an order; it stays live, read back from the store when needed. */
  evict(clientOrderId: string): void {
    const held = this.inMemory.get(clientOrderId);
    if (held === undefined) return;
    this.changes++;
    this.inMemory.delete(clientOrderId);
    this.onDisk.set(clientOrderId, held.value);
  }

  /** Forgets an order (it became final, or cannot be restored). */
  delete(clientOrderId: string): void {
    this.changes++;
    this.inMemory.delete(clientOrderId);
    this.onDisk.delete(clientOrderId);
    this.firstSeqs.delete(clientOrderId);
  }

  /** Records a live order's listing place (the seq of its first journal entry); the first one recorded stays. */
  setFirstSeq(clientOrderId: string, seq: number): void {
    if (this.firstSeqs.has(clientOrderId) || !this.has(clientOrderId)) return;
    this.firstSeqs.set(clientOrderId, seq);
    if (this.listing === undefined) return;
    const last = this.listing.at(-1);
    if (last !== undefined && last.seq > seq) this.sorted = false;
    this.listing.push({ clientOrderId, seq });
  }

  /**
   * The live orders after listing place `after` (exclusive; from the first when undefined), in listing order:
   * ascending seq, or descending with `newestFirst`. Undefined when the place of some live order is not known
   * (then only the store's listing index orders them). Lazy: an order that stops being live meanwhile is skipped.
   */
  inListingOrder(newestFirst: boolean, after: number | undefined): Iterable<{ readonly clientOrderId: string; readonly seq: number }> | undefined {
    if (this.firstSeqs.size !== this.size) return undefined;
    if (this.listing === undefined || !this.sorted || this.listing.length > 2 * this.firstSeqs.size + 1_000) {
      this.listing = [...this.firstSeqs].map(([clientOrderId, seq]) => ({ clientOrderId, seq })).sort((a, b) => a.seq - b.seq);
      this.sorted = true;
    }
    return this.walkListing(this.listing, newestFirst, after);
  }

  private *walkListing(
    listing: ReadonlyArray<{ readonly clientOrderId: string; readonly seq: number }>,
    newestFirst: boolean,
    after: number | undefined,
  ): Generator<{ readonly clientOrderId: string; readonly seq: number }, void, undefined> {
    // The first index whose seq is above `after` (binary search; the array is sorted by seq).
    let lo = 0;
    let hi = listing.length;
    while (after !== undefined && lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((listing[mid]?.seq ?? 0) <= after) lo = mid + 1;
      else hi = mid;
    }
    const start = newestFirst ? (after === undefined ? listing.length : lo) - 1 : lo;
    const end = newestFirst ? -1 : listing.length;
    const step = newestFirst ? -1 : 1;
    for (let i = start; i !== end; i += step) {
      const e = listing[i];
      if (e === undefined || (newestFirst && after !== undefined && e.seq >= after)) continue;
      if (this.firstSeqs.get(e.clientOrderId) === e.seq) yield e;
    }
  }

  /** Client order ids of every live order (a copy: safe to change the index while iterating it). */
  ids(): string[] {
    return [...this.inMemory.keys(), ...this.onDisk.keys()];
  }

  /** Live orders per state name. */
  countByState(): Record<string, number> {
    const byState: Record<string, number> = {};
    for (const snap of this.inMemory.values()) byState[snap.value] = (byState[snap.value] ?? 0) + 1;
    for (const state of this.onDisk.values()) byState[state] = (byState[state] ?? 0) + 1;
    return byState;
  }
}
