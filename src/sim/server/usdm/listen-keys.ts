/**
 * USDⓈ-M user-data listen keys (Binance "USDⓈ-M Futures › User Data Streams ›
 * Start / Keepalive / Close User Data Stream"):
 * - `POST /fapi/v1/listenKey`: an account holds at most one key; if it has an active
 *   one, that key is returned and its validity extended, else a new one is made;
 * - `PUT /fapi/v1/listenKey`: extends the account's key by the validity (60 min);
 *   without an active key → -1125 "This listenKey does not exist.";
 * - `DELETE /fapi/v1/listenKey`: closes the key (its sockets are closed);
 * - a key not kept alive within the validity EXPIRES: listeners get `expired(key)`
 *   (the stream layer sends `listenKeyExpired` and closes the sockets).
 *
 * Validity runs on the WALL clock (one unref'd timer per key), as keep-alives do.
 */
import { randomBytes } from 'node:crypto';
import { Errors } from '../../venue/errors.ts';

/** Binance's listen key validity: 60 minutes. */
export const LISTEN_KEY_VALIDITY_MS = 60 * 60_000;

/** Why a key stopped being valid. */
export type ListenKeyEnd = 'expired' | 'closed';

interface KeyState {
  readonly key: string;
  readonly accountId: string;
  expiresAt: number;
  timer: NodeJS.Timeout | undefined;
}

export interface ListenKeysOptions {
  /** ms a key stays valid after its creation or last keep-alive (default {@link LISTEN_KEY_VALIDITY_MS}). */
  readonly validityMs?: number;
  /** Wall clock, ms (injectable for tests). */
  readonly now?: () => number;
}

/** The listen keys of every account. */
export class ListenKeys {
  private readonly byAccount = new Map<string, KeyState>();
  private readonly byKey = new Map<string, KeyState>();
  private readonly listeners = new Set<(key: string, accountId: string, why: ListenKeyEnd) => void>();
  private readonly validityMs: number;
  private readonly now: () => number;

  constructor(opts: ListenKeysOptions = {}) {
    this.validityMs = opts.validityMs ?? LISTEN_KEY_VALIDITY_MS;
    if (!(this.validityMs > 0)) throw new RangeError('listen key validity must be > 0 ms');
    this.now = opts.now ?? Date.now;
  }

  /** Called when a key expires or is closed. Returns the unsubscribe function. */
  onEnd(listener: (key: string, accountId: string, why: ListenKeyEnd) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `POST /fapi/v1/listenKey`: the account's active key, extended, or a new one. */
  start(accountId: string): string {
    const existing = this.byAccount.get(accountId);
    if (existing) {
      this.arm(existing);
      return existing.key;
    }
    const state: KeyState = { key: randomBytes(32).toString('hex'), accountId, expiresAt: 0, timer: undefined };
    this.byAccount.set(accountId, state);
    this.byKey.set(state.key, state);
    this.arm(state);
    return state.key;
  }

  /** `PUT /fapi/v1/listenKey`: extends the account's key. @throws VenueError -1125 without an active key. */
  keepAlive(accountId: string): string {
    const s = this.byAccount.get(accountId);
    if (!s) throw Errors.invalidListenKey();
    this.arm(s);
    return s.key;
  }

  /** `DELETE /fapi/v1/listenKey`: closes the account's key (no-op without one). */
  close(accountId: string): void {
    const s = this.byAccount.get(accountId);
    if (s) this.end(s, 'closed');
  }

  /** The account a valid key belongs to. */
  accountOf(key: string): string | undefined {
    return this.byKey.get(key)?.accountId;
  }

  /** The account's active key, if any. */
  keyOf(accountId: string): string | undefined {
    return this.byAccount.get(accountId)?.key;
  }

  /** Expires keys now, as if their validity had run out: one account's, or every key. Returns how many expired. */
  expire(accountId?: string): number {
    const states = accountId !== undefined ? [this.byAccount.get(accountId)].filter((s) => s !== undefined) : [...this.byAccount.values()];
    for (const s of states) this.end(s, 'expired');
    return states.length;
  }

  /** Clears every timer (server shutdown); keys are forgotten without notifications. */
  dispose(): void {
    for (const s of this.byAccount.values()) if (s.timer) clearTimeout(s.timer);
    this.byAccount.clear();
    this.byKey.clear();
    this.listeners.clear();
  }

  private arm(s: KeyState): void {
    if (s.timer) clearTimeout(s.timer);
    s.expiresAt = this.now() + this.validityMs;
    s.timer = setTimeout(() => this.end(s, 'expired'), Math.min(this.validityMs, 2_147_483_647));
    s.timer.unref();
  }

  private end(s: KeyState, why: ListenKeyEnd): void {
    if (this.byKey.get(s.key) !== s) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    this.byKey.delete(s.key);
    this.byAccount.delete(s.accountId);
    for (const l of this.listeners) {
      try {
        l(s.key, s.accountId, why);
      } catch {
        // a failing listener must not keep the key alive
      }
    }
  }
}
