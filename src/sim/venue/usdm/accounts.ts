/**
 * The USDⓈ-M accounts' state: one USDT wallet, per-symbol leverage and one-way
 * positions, and indices of each account's orders, algo orders and fills.
 * Pure bookkeeping; the rules that change it live in ./usdm-venue.ts.
 */
import { type Decimal, ZERO, dec } from '../../../domain/decimal.ts';
import { Errors } from '../errors.ts';
import type { AccountCredentials } from '../types.ts';
import type { AlgoOrder, FutOrder, FutTrade, Position } from './records.ts';

/** One account of the futures venue: credentials shared with spot, and its futures wallet (decimal string, USDT). */
export interface UsdmAccountConfig extends AccountCredentials {
  readonly wallet: string;
}

/** The mutable state of one futures account. */
export interface FutAccount {
  readonly credentials: AccountCredentials;
  /** Wallet balance, USDT: deposits + realized PnL − commissions. */
  wallet: Decimal;
  /** ms of the wallet's last change (starts at the opening time: ccxt skips assets whose `updateTime` is 0). */
  updateTime: number;
  /** Leverage by symbol (absent: the default). */
  readonly leverage: Map<string, number>;
  readonly positions: Map<string, Position>;
  /** Every order, placement order. */
  readonly orders: FutOrder[];
  /** Open orders by client order id. */
  readonly open: Map<string, FutOrder>;
  readonly trades: FutTrade[];
  /** Every algo order, placement order. */
  readonly algos: AlgoOrder[];
}

/** The accounts by id and by API key. */
export class FutAccounts {
  private readonly byId = new Map<string, FutAccount>();
  private readonly byKey = new Map<string, FutAccount>();

  constructor(private readonly defaultLeverage: number) {}

  /** Opens an account with its starting wallet at replay time `now`. @throws Error when the id or key is taken. */
  open(cfg: UsdmAccountConfig, now: number): void {
    if (this.byId.has(cfg.id) || this.byKey.has(cfg.apiKey)) throw new Error(`futures account ${cfg.id} or its API key already exists`);
    const acct: FutAccount = {
      credentials: { id: cfg.id, apiKey: cfg.apiKey, secret: cfg.secret },
      wallet: dec(cfg.wallet),
      updateTime: Math.max(1, now),
      leverage: new Map(),
      positions: new Map(),
      orders: [],
      open: new Map(),
      trades: [],
      algos: [],
    };
    this.byId.set(cfg.id, acct);
    this.byKey.set(cfg.apiKey, acct);
  }

  /** The account, or -2015 when unknown (an API key the venue does not hold). */
  get(accountId: string): FutAccount {
    const a = this.byId.get(accountId);
    if (!a) throw Errors.rejectedMbxKey();
    return a;
  }

  byApiKey(apiKey: string): AccountCredentials | undefined {
    return this.byKey.get(apiKey)?.credentials;
  }

  all(): IterableIterator<FutAccount> {
    return this.byId.values();
  }

  leverageOf(acct: FutAccount, symbol: string): number {
    return acct.leverage.get(symbol) ?? this.defaultLeverage;
  }

  /** The position of a symbol, created flat on first use. */
  position(acct: FutAccount, symbol: string): Position {
    let p = acct.positions.get(symbol);
    if (!p) {
      p = { symbol, amt: ZERO, entry: ZERO, realized: ZERO, updateTime: 0 };
      acct.positions.set(symbol, p);
    }
    return p;
  }

  /** Symbols the account has a position, an open order or a set leverage in. */
  symbolsOf(acct: FutAccount): Set<string> {
    const out = new Set<string>();
    for (const [s, p] of acct.positions) if (!p.amt.isZero()) out.add(s);
    for (const o of acct.open.values()) out.add(o.symbol);
    return out;
  }
}
