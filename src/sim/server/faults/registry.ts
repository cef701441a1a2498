/**
 * The active faults, in injection order, with their scope bookkeeping:
 * remaining count, expiry time, hits. Expiry is checked lazily (on every
 * lookup) against the injectable clock; a fault that ends (count used up,
 * expired, cleared) is reported to the `onEnd` listener exactly once.
 */
import type { FaultKind, FaultSpec } from './schema.ts';

/** An injected fault and its bookkeeping. */
export interface ActiveFault {
  /** `f1`, `f2`, … in injection order. */
  readonly id: string;
  readonly spec: FaultSpec;
  /** Fault-clock time of injection, ms. */
  readonly createdAt: number;
  /** When it ends by time, ms; undefined without `durationMs`. */
  readonly expiresAt: number | undefined;
  /** Matches left; undefined without `count`. */
  remaining: number | undefined;
  /** Requests, events or connections it affected so far. */
  hits: number;
}

/** The JSON view of a fault (admin replies, `control.faults.list()`). */
export interface FaultView {
  readonly id: string;
  readonly kind: FaultKind;
  readonly spec: FaultSpec;
  readonly hits: number;
  readonly remaining: number | null;
  readonly expiresAt: number | null;
  /** False for a one-shot action (applied at injection) and for a fault that has ended. */
  readonly active: boolean;
}

/** Active faults, in injection order. */
export class FaultRegistry {
  private readonly faults: ActiveFault[] = [];
  private nextId = 1;
  private readonly endListeners: Array<(f: ActiveFault) => void> = [];

  /** @param now fault clock, ms (default `Date.now`). */
  constructor(readonly now: () => number = Date.now) {}

  /** Number of faults held (expired ones included until the next lookup). */
  get size(): number {
    return this.faults.length;
  }

  /** A fresh id (also for one-shot actions that are never held). */
  newId(): string {
    return `f${this.nextId++}`;
  }

  /** Holds `spec` as an active fault. */
  add(spec: FaultSpec, id = this.newId()): ActiveFault {
    const now = this.now();
    const durationMs = 'durationMs' in spec ? spec.durationMs : undefined;
    const count = 'count' in spec ? spec.count : undefined;
    const f: ActiveFault = { id, spec, createdAt: now, expiresAt: durationMs === undefined ? undefined : now + durationMs, remaining: count, hits: 0 };
    this.faults.push(f);
    return f;
  }

  /** Called with every fault that ends (used up, expired, cleared). */
  onEnd(listener: (f: ActiveFault) => void): void {
    this.endListeners.push(listener);
  }

  /** The live faults (expired ones are ended first). */
  list(): ActiveFault[] {
    this.sweep();
    return [...this.faults];
  }

  /** Live faults of `kinds` matching `pred`, without consuming them. */
  find(kinds: ReadonlySet<FaultKind>, pred: (f: ActiveFault) => boolean = () => true): ActiveFault | undefined {
    this.sweep();
    return this.faults.find((f) => kinds.has(f.spec.kind) && pred(f));
  }

  /** The first live fault of `kinds` matching `pred`, consuming one of its matches (it ends when its count is used up). */
  take(kinds: ReadonlySet<FaultKind>, pred: (f: ActiveFault) => boolean = () => true): ActiveFault | undefined {
    const f = this.find(kinds, pred);
    if (f === undefined) return undefined;
    f.hits += 1;
    if (f.remaining !== undefined) {
      f.remaining -= 1;
      if (f.remaining <= 0) this.end(f);
    }
    return f;
  }

  /** Ends the fault `id`; returns it, or undefined when there is none. */
  remove(id: string): ActiveFault | undefined {
    const f = this.faults.find((x) => x.id === id);
    if (f !== undefined) this.end(f);
    return f;
  }

  /** Ends every fault (of `kinds`, when given); returns them. */
  clear(kinds?: ReadonlySet<FaultKind>): ActiveFault[] {
    const ended = this.faults.filter((f) => kinds === undefined || kinds.has(f.spec.kind));
    for (const f of ended) this.end(f);
    return ended;
  }

  /** Ends the faults whose time is up. */
  sweep(): void {
    if (this.faults.length === 0) return;
    const now = this.now();
    for (const f of this.faults.filter((x) => x.expiresAt !== undefined && x.expiresAt <= now)) this.end(f);
  }

  private end(f: ActiveFault): void {
    const i = this.faults.indexOf(f);
    if (i < 0) return;
    this.faults.splice(i, 1);
    for (const l of this.endListeners) l(f);
  }
}

/** The JSON view of `f`. */
export function viewOf(f: ActiveFault, active: boolean): FaultView {
  return { id: f.id, kind: f.spec.kind, spec: f.spec, hits: f.hits, remaining: f.remaining ?? null, expiresAt: f.expiresAt ?? null, active };
}
