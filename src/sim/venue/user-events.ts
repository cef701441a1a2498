/**
 * Fan-out of a venue's user-data events (spot and USDⓈ-M alike) to listeners, synchronously,
 * in the order the venue produced them. A listener may say which accounts it
 * wants now (`wants`): the venue asks {@link UserEventBus.wanted} first and skips
 * building events nobody wants. A throwing listener never breaks the venue.
 */
import type { UserEvent, Wire } from './types.ts';

interface Listener {
  readonly fn: (event: UserEvent) => void;
  readonly wants: ((accountId: string) => boolean) | undefined;
}

/** The user-data listeners of one venue. */
export class UserEventBus {
  private readonly listeners = new Set<Listener>();

  /** Adds a listener; returns the unsubscribe function. */
  on(fn: (event: UserEvent) => void, wants?: (accountId: string) => boolean): () => void {
    const l: Listener = { fn, wants };
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Whether any listener wants this account's events now. */
  wanted(accountId: string): boolean {
    for (const l of this.listeners) if (!l.wants || l.wants(accountId)) return true;
    return false;
  }

  /** Delivers `payload` (built by `build` only when wanted) for `accountId`. */
  emit(accountId: string, build: () => Wire): void {
    if (!this.wanted(accountId)) return;
    const event: UserEvent = { accountId, payload: build() };
    for (const l of this.listeners) {
      if (l.wants && !l.wants(accountId)) continue;
      try {
        l.fn(event);
      } catch {
        // a listener's failure must not break the venue's bookkeeping
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
