/**
 * Automated IP bans (spot REST API docs "LIMITS → IP Limits"):
 * "Repeatedly violating rate limits and/or failing to back off after receiving
 * 429s will result in an automated IP ban (HTTP status 418). IP bans are
 * tracked and scale in duration for repeat offenders, from 2 minutes to 3 days."
 *
 * Binance does not publish the exact escalation; this simulator's rule:
 * - every over-limit request is a strike against its IP and gets a 429 whose
 *   `Retry-After` ends a back-off period; an over-limit request after the back-off
 *   period has elapsed starts counting again from zero (the client did back off);
 * - the over-limit request after `strikesBeforeBan` 429s within one back-off period
 *   is answered 418 and bans the IP for `firstBanMs` (default 2 min), doubled for each
 *   earlier ban of that IP, capped at `maxBanMs` (default 3 days);
 * - while banned, every request of the IP is answered 418 (the ban is not extended).
 */

/** Tuning of {@link BanPolicy}. All durations in ms. */
export interface BanPolicyOptions {
  /** 429s an IP may receive within one back-off period before its next over-limit request bans it (≥ 1). */
  readonly strikesBeforeBan: number;
  /** Duration of a first ban (Binance: 2 minutes). */
  readonly firstBanMs: number;
  /** Longest ban (Binance: 3 days). */
  readonly maxBanMs: number;
}

export const DEFAULT_BAN_POLICY: BanPolicyOptions = { strikesBeforeBan: 3, firstBanMs: 120_000, maxBanMs: 3 * 86_400_000 };

interface IpRecord {
  strikes: number;
  /** End of the current back-off period (the latest 429's Retry-After), ms. */
  backOffUntil: number;
  bannedUntil: number;
  bans: number;
}

/** The outcome of a strike: still a 429, or a fresh ban until `until` (ms). */
export type StrikeOutcome = { readonly banned: false } | { readonly banned: true; readonly until: number };

/** Strikes and bans by IP. */
export class BanPolicy {
  private readonly ips = new Map<string, IpRecord>();

  constructor(private readonly opts: BanPolicyOptions = DEFAULT_BAN_POLICY) {
    if (!Number.isInteger(opts.strikesBeforeBan) || opts.strikesBeforeBan < 1) throw new RangeError('strikesBeforeBan must be an integer ≥ 1');
    if (!(opts.firstBanMs > 0) || !(opts.maxBanMs >= opts.firstBanMs)) throw new RangeError('need 0 < firstBanMs ≤ maxBanMs');
  }

  /** End of the IP's ban (ms) when it is banned at `now`, else undefined. */
  bannedUntil(ip: string, now: number): number | undefined {
    const r = this.ips.get(ip);
    return r !== undefined && r.bannedUntil > now ? r.bannedUntil : undefined;
  }

  /**
   * Records an over-limit request of `ip` at `now` whose 429 would tell it to retry at `retryAt` (ms);
   * returns whether it tips the IP into a ban instead.
   */
  strike(ip: string, now: number, retryAt: number): StrikeOutcome {
    let r = this.ips.get(ip);
    if (r === undefined) {
      r = { strikes: 0, backOffUntil: 0, bannedUntil: 0, bans: 0 };
      this.ips.set(ip, r);
    }
    if (r.backOffUntil <= now) r.strikes = 0;
    if (r.strikes < this.opts.strikesBeforeBan) {
      r.strikes += 1;
      r.backOffUntil = Math.max(r.backOffUntil, retryAt);
      return { banned: false };
    }
    const duration = Math.min(this.opts.firstBanMs * 2 ** r.bans, this.opts.maxBanMs);
    r.bans += 1;
    r.strikes = 0;
    r.backOffUntil = 0;
    r.bannedUntil = now + duration;
    return { banned: true, until: r.bannedUntil };
  }

  /** Current state by IP (IPs with strikes or a ban history). */
  snapshot(now: number): Array<{ ip: string; strikes: number; bans: number; bannedUntil: number | null }> {
    return [...this.ips].map(([ip, r]) => ({ ip, strikes: r.strikes, bans: r.bans, bannedUntil: r.bannedUntil > now ? r.bannedUntil : null }));
  }

  /** Lifts every ban and forgets every strike and ban history. */
  clear(): void {
    this.ips.clear();
  }
}
