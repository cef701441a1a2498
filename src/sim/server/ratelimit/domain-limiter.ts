/**
 * The limits of one Binance API family (spot `/api/…` + `/ws-api/v3`, or USD-M
 * `/fapi/…` + `/ws-fapi/v1`), from that family's exchangeInfo `rateLimits`.
 * Transport-independent: the REST hooks and the WebSocket API adapter call it.
 *
 * Who is counted (spot REST API docs "LIMITS"):
 * - REQUEST_WEIGHT and RAW_REQUESTS per IP ("The limits on the API are based on
 *   the IPs, not the API keys"); the IP is the connection's remote address, so on
 *   127.0.0.1 every local client shares one budget, as processes behind one IP do;
 * - ORDERS per account ("Spot Unfilled Order Count Rules": "The unfilled order count
 *   is tracked per (sub)account … shared across all IP addresses, API keys and APIs");
 *   the account is the one the request's API key belongs to.
 *
 * Counting: a request is admitted only if it fits every IP limit, and only
 * admitted requests are added (a refused request costs nothing but a strike).
 * ORDERS count successful placements only ("Every successful request to place an
 * order adds to the unfilled order count"); when `creditFills` is set (spot),
 * an order that fills at once gives its count back ("When an order first fills
 * (partially or fully), your unfilled order count is decremented by one").
 * Orders that fill later, while resting, are not credited (simplification).
 */
import type { RateLimitStatus } from '../ws/hooks.ts';
import { BanPolicy, type BanPolicyOptions } from './ban-policy.ts';
import type { Clock } from './clock.ts';
import { FixedWindowCounter } from './fixed-window.ts';
import { type BinanceErrorBody, ipBanned, ordersExceeded, requestsExceeded, weightExceeded } from './messages.ts';
import { intervalTag, type RateLimitRule, windowMs } from './rules.ts';

/** What defines a limit domain. */
export interface LimitDomainSpec {
  /** For snapshots, e.g. `spot`, `usdm`. */
  readonly name: string;
  /** REST and websocket paths the domain governs, by prefix (e.g. `/api/`, `/ws-api/`). */
  readonly pathPrefixes: readonly string[];
  readonly rules: readonly RateLimitRule[];
  /** Also send the unsuffixed legacy `x-mbx-used-weight` header (spot). */
  readonly legacyWeightHeader: boolean;
  /** Orders that fill at once give their ORDERS count back (spot unfilled-order semantics). */
  readonly creditFills: boolean;
  /** WebSocket API request weight by method name (default 1 for methods not listed). */
  readonly wsWeights?: Readonly<Record<string, number>>;
}

/** Admission verdict. `retryAt`: when the client may retry, ms since epoch (→ `Retry-After`). */
export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 429 | 418; readonly body: BinanceErrorBody; readonly retryAt: number; readonly now: number };

const OK: Verdict = { ok: true };

interface Counted {
  readonly rule: RateLimitRule;
  readonly tag: string;
  readonly counter: FixedWindowCounter;
}

/** Usage of one domain at one instant, for the admin view and tests. */
export interface DomainSnapshot {
  readonly name: string;
  readonly now: number;
  readonly rules: readonly RateLimitRule[];
  /** IP → interval tag → weight (REQUEST_WEIGHT) or request count (RAW_REQUESTS, tag prefixed `raw-`). */
  readonly ips: Record<string, Record<string, number>>;
  /** Account id → interval tag → unfilled order count. */
  readonly accounts: Record<string, Record<string, number>>;
  readonly bans: ReturnType<BanPolicy['snapshot']>;
}

/** Counters, strikes and bans of one domain. */
export class DomainLimiter {
  private readonly weight: Counted[];
  private readonly raw: Counted[];
  private readonly orders: Counted[];
  private readonly bans: BanPolicy;

  constructor(
    readonly spec: LimitDomainSpec,
    banPolicy: BanPolicyOptions,
    private readonly clock: Clock,
  ) {
    const of = (type: RateLimitRule['rateLimitType']): Counted[] =>
      spec.rules.filter((r) => r.rateLimitType === type).map((rule) => ({ rule, tag: intervalTag(rule), counter: new FixedWindowCounter(windowMs(rule)) }));
    this.weight = of('REQUEST_WEIGHT');
    this.raw = of('RAW_REQUESTS');
    this.orders = of('ORDERS');
    this.bans = new BanPolicy(banPolicy);
  }

  /** True when `path` belongs to this domain. */
  governs(path: string): boolean {
    return this.spec.pathPrefixes.some((p) => path.startsWith(p));
  }

  /** The limiter's clock, ms. */
  now(): number {
    return this.clock.now();
  }

  /** Per-IP admission of a request of `weight`: ban, then REQUEST_WEIGHT (+weight) and RAW_REQUESTS (+1). */
  admit(ip: string, weight: number): Verdict {
    const now = this.clock.now();
    const bannedUntil = this.bans.bannedUntil(ip, now);
    if (bannedUntil !== undefined) return { ok: false, status: 418, body: ipBanned(bannedUntil), retryAt: bannedUntil, now };
    for (const c of this.weight) {
      if (c.counter.get(ip, now) + weight > c.rule.limit) return this.refuse(ip, now, weightExceeded(c.rule), c.counter.resetsAt(now));
    }
    for (const c of this.raw) {
      if (c.counter.get(ip, now) + 1 > c.rule.limit) return this.refuse(ip, now, requestsExceeded(c.rule), c.counter.resetsAt(now));
    }
    for (const c of this.weight) c.counter.add(ip, weight, now);
    for (const c of this.raw) c.counter.add(ip, 1, now);
    return OK;
  }

  /** Whether `account` may place `n` more orders now (strikes `ip` when not). */
  checkOrders(ip: string, account: string, n: number): Verdict {
    const now = this.clock.now();
    for (const c of this.orders) {
      if (c.counter.get(account, now) + n > c.rule.limit) return this.refuse(ip, now, ordersExceeded(c.rule), c.counter.resetsAt(now));
    }
    return OK;
  }

  /** Counts `placed` successful placements of `account`, of which `filledAtOnce` filled at once. */
  countOrders(account: string, placed: number, filledAtOnce: number): void {
    const now = this.clock.now();
    const n = placed - (this.spec.creditFills ? Math.min(filledAtOnce, placed) : 0);
    if (n !== 0) for (const c of this.orders) c.counter.add(account, n, now);
  }

  /** True when the domain has ORDERS limits. */
  hasOrderLimits(): boolean {
    return this.orders.length > 0;
  }

  /** `x-mbx-used-weight-<tag>` for every REQUEST_WEIGHT rule (plus legacy `x-mbx-used-weight`): the IP's used weight. */
  weightHeaders(ip: string, into: Record<string, string>): void {
    const now = this.clock.now();
    for (const c of this.weight) into[`x-mbx-used-weight-${c.tag}`] = String(c.counter.get(ip, now));
    const first = this.weight[0];
    if (this.spec.legacyWeightHeader && first !== undefined) into['x-mbx-used-weight'] = String(first.counter.get(ip, now));
  }

  /** `x-mbx-order-count-<tag>` for every ORDERS rule: the account's unfilled order count. */
  orderHeaders(account: string, into: Record<string, string>): void {
    const now = this.clock.now();
    for (const c of this.orders) into[`x-mbx-order-count-${c.tag}`] = String(c.counter.get(account, now));
  }

  /** The WebSocket API `rateLimits` entries of the IP's REQUEST_WEIGHT rules. */
  weightStatus(ip: string): RateLimitStatus[] {
    const now = this.clock.now();
    return this.weight.map((c) => ({ ...c.rule, count: c.counter.get(ip, now) }));
  }

  snapshot(): DomainSnapshot {
    const now = this.clock.now();
    const ips: Record<string, Record<string, number>> = {};
    const accounts: Record<string, Record<string, number>> = {};
    const put = (into: Record<string, Record<string, number>>, key: string, tag: string, n: number) => ((into[key] ??= {})[tag] = n);
    for (const c of this.weight) for (const [ip, n] of c.counter.entries(now)) put(ips, ip, c.tag, n);
    for (const c of this.raw) for (const [ip, n] of c.counter.entries(now)) put(ips, ip, `raw-${c.tag}`, n);
    for (const c of this.orders) for (const [acc, n] of c.counter.entries(now)) put(accounts, acc, c.tag, n);
    return { name: this.spec.name, now, rules: this.spec.rules, ips, accounts, bans: this.bans.snapshot(now) };
  }

  /** Forgets every count, strike and ban. */
  reset(): void {
    for (const c of [...this.weight, ...this.raw, ...this.orders]) c.counter.clear();
    this.bans.clear();
  }

  private refuse(ip: string, now: number, body: BinanceErrorBody, resetsAt: number): Verdict {
    const s = this.bans.strike(ip, now, resetsAt);
    if (s.banned) return { ok: false, status: 418, body: ipBanned(s.until), retryAt: s.until, now };
    return { ok: false, status: 429, body, retryAt: resetsAt, now };
  }
}
