/**
 * Gathers the transitions dispatched in one synchronous run of the event loop
 * (and, while a commit is under way, all those dispatched until it settles: group
 * commit) and commits them with as few `OrderStore.commitTransitions` calls as order
 * allows: consecutive transitions of the same durability form one call (one
 * LMDB transaction), and the calls are queued in dispatch order, so a later
 * snapshot of an order is never overwritten by an earlier one. Each caller
 * still gets its own promise, settled in dispatch order: its sequence number once its batch committed, or
 * the store's error for its item (a duplicate signal, an id conflict). A failure
 * of a whole batch rejects every item of it.
 */
import type { BatchOutcome, Durability, OrderStore, TransitionInput } from '../store/index.ts';
import { DuplicateSignalError, IdConflictError } from '../store/index.ts';

/** Told the outcome of one queued transition: its sequence number, or why it was not committed. */
export type CommitCallback = (err: unknown, seq?: number) => void;

interface Pending {
  readonly input: TransitionInput;
  readonly durability: Durability;
  readonly done: CommitCallback;
}

export class CommitBatcher {
  private queue: Pending[] = [];
  /** Settles after the last queued run has been settled: callers learn their commits in dispatch order. */
  private settled: Promise<void> = Promise.resolve();
  /** Asynchronous runs queued and not yet answered. */
  private unsettled = 0;
  private flushScheduled = false;

  constructor(private readonly store: OrderStore) {}

  /** Queues one transition; resolves with its sequence number once committed with `durability`. */
  commit(input: TransitionInput, durability: Durability): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.enqueue(input, durability, (err, seq) => (seq === undefined ? reject(err) : resolve(seq)));
    });
  }

  /**
   * {@link commit} without a promise (the engine's hot path: one callback per transition,
   * no promise to allocate): `done(undefined, seq)` once committed, `done(err)` otherwise.
   * Callbacks are called in dispatch order.
   */
  enqueue(input: TransitionInput, durability: Durability, done: CommitCallback): void {
    this.queue.push({ input, durability, done });
    this.scheduleFlush();
  }

  /**
   * Group commit: while an asynchronous commit is under way, what is dispatched meanwhile waits
   * in the queue and goes out as one batch when it settles (fewer, larger LMDB transactions:
   * the pages a batch touches are written, and synced, once per batch rather than once per turn).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.unsettled > 0 || this.queue.length === 0) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** True while transitions are queued or being committed. */
  busy(): boolean {
    return this.queue.length > 0 || this.unsettled > 0;
  }

  /** Resolves once every transition queued so far has been committed and its callback called. */
  async idle(): Promise<void> {
    while (this.busy()) {
      // With a commit under way, what is queued waits for it (group commit): wait for that commit to settle;
      // otherwise the queue's flush is already scheduled for this turn's microtasks.
      if (this.unsettled > 0) await this.settled;
      else await new Promise<void>((resolve) => queueMicrotask(resolve));
    }
  }

  private flush(): void {
    const items = this.queue;
    this.queue = [];
    let start = 0;
    while (start < items.length) {
      const durability = items[start]?.durability;
      let end = start + 1;
      while (end < items.length && items[end]?.durability === durability) end++;
      const run = items.slice(start, end);
      start = end;
      this.unsettled++;
      // lmdb-js commits asynchronous transactions in the order they are queued; a run that needs no flush
      // may commit before an earlier one is flushed, so its callers are answered only after that earlier run's.
      const committed = this.store.commitTransitions(
        run.map((p) => p.input),
        { durability: durability ?? 'flush' },
      );
      this.settled = this.settled
        .then(() =>
          committed.then(
            (outcomes) => run.forEach((p, i) => settle(p, outcomes[i])),
            (err: unknown) => run.forEach((p) => p.done(err)),
          ),
        )
        .finally(() => {
          this.unsettled--;
          this.scheduleFlush();
        });
    }
  }
}

function settle(p: Pending, outcome: BatchOutcome | undefined): void {
  if (!outcome) return p.done(new Error('order store: no outcome for a batched transition'));
  switch (outcome.status) {
    case 'committed':
      return p.done(undefined, outcome.seq);
    case 'duplicate-signal':
      return p.done(new DuplicateSignalError(outcome.first));
    case 'id-conflict':
      return p.done(new IdConflictError(outcome.clientOrderId, outcome.venueOrder, outcome.existing));
  }
}
