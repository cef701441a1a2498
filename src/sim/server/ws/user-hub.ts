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
    try {
      const payload = JSON.stringify(event.payload);
      for (const sub of subs) sub.deliver(`{"subscriptionId":${sub.subscriptionId},"event":${payload}}`);
    } catch (err) {
      this.logger.error({ err, accountId: event.accountId }, 'user event fan-out failed');
    }
  }
}
