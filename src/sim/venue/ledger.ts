/**
 * Account balances as the venue holds them: free and locked amounts per asset,
 * decimal arithmetic only. Every mutation records which assets changed so the
 * venue can emit one `outboundAccountPosition` per action with just those assets.
 */
import { type Decimal, ZERO, dec, fixed } from '../../domain/decimal.ts';
import { Errors } from './errors.ts';

/** Free and locked amount of one asset, in that asset's units. */
export interface Balance {
  free: Decimal;
  locked: Decimal;
}

export class Ledger {
  private readonly balances = new Map<string, Map<string, Balance>>();
  private readonly changed = new Map<string, Set<string>>();
  /** ms of the last change per account (`updateTime`). */
  private readonly updated = new Map<string, number>();

  /** Opens an account with starting free balances (decimal strings by asset). */
  open(accountId: string, start: Readonly<Record<string, string>>): void {
    const m = new Map<string, Balance>();
    for (const [asset, amount] of Object.entries(start)) m.set(asset, { free: dec(amount), locked: ZERO });
    this.balances.set(accountId, m);
  }

  has(accountId: string): boolean {
    return this.balances.has(accountId);
  }

  private entry(accountId: string, asset: string): Balance {
    const acct = this.balances.get(accountId);
    if (!acct) throw Errors.rejectedMbxKey();
    let b = acct.get(asset);
    if (!b) {
      b = { free: ZERO, locked: ZERO };
      acct.set(asset, b);
    }
    return b;
  }

  private touch(accountId: string, asset: string, now: number): void {
    let s = this.changed.get(accountId);
    if (!s) this.changed.set(accountId, (s = new Set()));
    s.add(asset);
    this.updated.set(accountId, now);
  }

  free(accountId: string, asset: string): Decimal {
    return this.entry(accountId, asset).free;
  }

  /** Moves `amount` from free to locked. @throws VenueError -2010 insufficient balance. */
  lock(accountId: string, asset: string, amount: Decimal, now: number): void {
    if (amount.isZero()) return;
    const b = this.entry(accountId, asset);
    if (b.free.lt(amount)) throw Errors.insufficientBalance();
    b.free = b.free.minus(amount);
    b.locked = b.locked.plus(amount);
    this.touch(accountId, asset, now);
  }

  /** Moves `amount` from locked back to free (a cancel, or a fill cheaper than the lock). */
  unlock(accountId: string, asset: string, amount: Decimal, now: number): void {
    if (amount.isZero()) return;
    const b = this.entry(accountId, asset);
    if (b.locked.lt(amount)) throw new Error(`ledger invariant: unlock ${fixed(amount)} ${asset} > locked ${fixed(b.locked)}`);
    b.locked = b.locked.minus(amount);
    b.free = b.free.plus(amount);
    this.touch(accountId, asset, now);
  }

  /** Takes `amount` out of locked (a fill paid from a lock). */
  spendLocked(accountId: string, asset: string, amount: Decimal, now: number): void {
    if (amount.isZero()) return;
    const b = this.entry(accountId, asset);
    if (b.locked.lt(amount)) throw new Error(`ledger invariant: spend ${fixed(amount)} ${asset} > locked ${fixed(b.locked)}`);
    b.locked = b.locked.minus(amount);
    this.touch(accountId, asset, now);
  }

  /** Takes `amount` out of free. @throws VenueError -2010 insufficient balance. */
  spendFree(accountId: string, asset: string, amount: Decimal, now: number): void {
    if (amount.isZero()) return;
    const b = this.entry(accountId, asset);
    if (b.free.lt(amount)) throw Errors.insufficientBalance();
    b.free = b.free.minus(amount);
    this.touch(accountId, asset, now);
  }

  /** Adds `amount` (may be negative for a withdrawal, never below zero) to free. */
  credit(accountId: string, asset: string, amount: Decimal, now: number): void {
    const b = this.entry(accountId, asset);
    const next = b.free.plus(amount);
    if (next.lt(ZERO)) throw Errors.insufficientBalance();
    b.free = next;
    this.touch(accountId, asset, now);
  }

  /** The assets changed since the last call, with their balances; clears the record. */
  takeChanges(accountId: string): Array<{ asset: string; free: Decimal; locked: Decimal }> {
    const s = this.changed.get(accountId);
    if (!s || s.size === 0) return [];
    this.changed.delete(accountId);
    return [...s].map((asset) => ({ asset, ...this.entry(accountId, asset) }));
  }

  /** All balances of an account (assets ever held), for `GET /api/v3/account` and ground truth. */
  all(accountId: string): Array<{ asset: string; free: Decimal; locked: Decimal }> {
    const acct = this.balances.get(accountId);
    if (!acct) return [];
    return [...acct].map(([asset, b]) => ({ asset, free: b.free, locked: b.locked }));
  }

  updateTime(accountId: string): number {
    return this.updated.get(accountId) ?? 0;
  }
}
