/**
 * Fan-out of the venue's user-data events to WebSocket API subscriptions.
 * Each event is serialised once; each subscription receives
 * `{"subscriptionId": N, "event": {…}}` (Binance WebSocket API "Event format").
 */
import type { Logger } from 'pino';
import type { SpotVenueApi, UserEvent } from '../../venue/types.ts';

/** Something that receives the serialised event of one subscription. */
export interface UserSubscription {
  readonly subscriptionId: number;
  deliver(frame: string): void;
}

/** WebSocket API subscriptions by account id, fed by `venue.onUserEvent`. */
export class UserHub {
  private readonly byAccount = new Map<string, Set<UserSubscription>>();
  private pending: UserEvent[] = [];
  private scheduled = false;

  /** @param deliver when given and false for an event, that event reaches no subscription (fault injection: a silent stream). */
  constructor(
    private readonly logger: Logger,
    private readonly deliver?: (event: UserEvent) => boolean,
  ) {}

  /** Starts listening to the venue; returns the detach function. */
  attach(venue: Pick<SpotVenueApi, 'onUserEvent'>): () => void {
    return venue.onUserEvent(
      (event) => this.onEvent(event),
      (accountId) => this.byAccount.has(accountId),
    );
  }

  add(accountId: string, sub: UserSubscription): void {
    let set = this.byAccount.get(accountId);
    if (!set) {
      set = new Set();
      this.byAccount.set(accountId, set);
    }
    set.add(sub);
  }

  remove(accountId: string, sub: UserSubscription): void {
    const set = this.byAccount.get(accountId);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) this.byAccount.delete(accountId);
  }

  /** Number of active subscriptions (all accounts, all connections). */
  subscriptionCount(): number {
    let n = 0;
    for (const set of this.byAccount.values()) n += set.size;
    return n;
  }

  private onEvent(event: UserEvent): void {
    const subs = this.byAccount.get(event.accountId);
    if (!subs || subs.size === 0) return;
    if (this.deliver && !this.deliver(event)) return;
    // Sent once the current request or replay step is done, in order: the REST reply goes out first,
    // as Binance's user-data events follow the request that caused them. Payloads are built by the
    // venue at emit time (fresh objects), so serialising them later sends what was true then.
    this.pending.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const events = this.pending;
    this.pending = [];
    for (const event of events) {
      const subs = this.byAccount.get(event.accountId);
      if (!subs || subs.size === 0) continue;
      try {
        const payload = JSON.stringify(event.payload);
        for (const sub of subs) sub.deliver(`{"subscriptionId":${sub.subscriptionId},"event":${payload}}`);
      } catch (err) {
        this.logger.error({ err, accountId: event.accountId }, 'user event fan-out failed');
      }
    }
  }
}
