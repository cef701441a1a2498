/**
 * Gathers the transitions dispatched in one synchronous run of the event loop
 * and commits them with ONE `OrderStore.commitTransitions` call per durability
 * (one LMDB transaction), in dispatch order. Each caller still gets its own
 * promise: its sequence number once the batch committed, or the store's error
 * for its item (a duplicate signal, an id conflict). A failure of the whole
 * batch rejects every item of it.
 */
import type { BatchOutcome, Durability, OrderStore, TransitionInput } from '../store/index.ts';
import { DuplicateSignalError, IdConflictError } from '../store/index.ts';

interface Pending {
  readonly input: TransitionInput;
  readonly resolve: (seq: number) => void;
  readonly reject: (err: unknown) => void;
}

export class CommitBatcher {
  private readonly queues = new Map<Durability, Pending[]>();
  private scheduled = false;

  constructor(private readonly store: OrderStore) {}

  /** Queues one transition; resolves with its sequence number once committed with `durability`. */
  commit(input: TransitionInput, durability: Durability): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let q = this.queues.get(durability);
      if (!q) this.queues.set(durability, (q = []));
      q.push({ input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    for (const [durability, items] of this.queues) {
      this.queues.delete(durability);
      this.store.commitTransitions(
        items.map((p) => p.input),
        { durability },
      ).then(
        (outcomes) => items.forEach((p, i) => settle(p, outcomes[i])),
        (err: unknown) => items.forEach((p) => p.reject(err)),
      );
    }
  }
}

function settle(p: Pending, outcome: BatchOutcome | undefined): void {
  if (!outcome) return p.reject(new Error('order store: no outcome for a batched transition'));
  switch (outcome.status) {
    case 'committed':
      return p.resolve(outcome.seq);
    case 'duplicate-signal':
      return p.reject(new DuplicateSignalError(outcome.first));
    case 'id-conflict':
      return p.reject(new IdConflictError(outcome.clientOrderId, outcome.venueOrder, outcome.existing));
  }
}
