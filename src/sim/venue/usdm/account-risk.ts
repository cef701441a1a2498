/**
 * An account's cross-margin figures at the current mark (./mark.ts) and the
 * margin check of a new order (Binance "USDⓈ-M Futures" FAQ "Leverage and Margin"):
 * the venue asks it, the arithmetic lives in ./margin.ts.
 */
import { Decimal as D, type Decimal, ZERO } from '../../../domain/decimal.ts';
import type { Replay } from '../../market/types.ts';
import type { AccountView } from './account-wire.ts';
import type { FutAccount, FutAccounts } from './accounts.ts';
import { maxNotionalAt } from './brackets.ts';
import { UsdmErrors } from './errors.ts';
import type { UsdmExchangeInfo } from './instruments.ts';
import {
  type AccountRisk,
  type OpenOrderExposure,
  type SymbolRisk,
  accountRisk,
  applyFill,
  breakEvenPrice,
  money,
  symbolRisk,
} from './margin.ts';
import { markPrice } from './mark.ts';
import type { PlannedFill } from './matching.ts';
import { plannedCost } from './matching.ts';
import { type Position, remainingQty } from './records.ts';
import type { OrderSide } from './types.ts';

export class AccountRiskBook {
  constructor(
    private readonly info: UsdmExchangeInfo,
    private readonly replay: Replay,
    private readonly accounts: FutAccounts,
    /** Taker fee rate (fee estimate of a new order, break-even prices). */
    private readonly taker: Decimal,
  ) {}

  /** Open orders of one symbol of an account, as margin sees them. */
  exposure(acct: FutAccount, symbol: string): OpenOrderExposure[] {
    const out: OpenOrderExposure[] = [];
    for (const o of acct.open.values()) {
      if (o.symbol === symbol) out.push({ side: o.side, qty: remainingQty(o), price: o.price, reduceOnly: o.reduceOnly });
    }
    return out;
  }

  /** One symbol's figures: the account's position (or `pos` instead), its open orders (plus `extra`), at the mark. */
  symbol(acct: FutAccount, symbol: string, pos?: Position, extra?: OpenOrderExposure): SymbolRisk {
    const orders = this.exposure(acct, symbol);
    if (extra) orders.push(extra);
    return symbolRisk(symbol, pos ?? acct.positions.get(symbol), orders, markPrice(this.replay, symbol) ?? ZERO, this.accounts.leverageOf(acct, symbol));
  }

  /** Cross-margin figures over the symbols the account is active in (`all`: every listed symbol). */
  account(acct: FutAccount, all = false): AccountRisk {
    const symbols = all ? [...this.info.rules.keys()] : [...this.accounts.symbolsOf(acct)].sort();
    return accountRisk(
      acct.wallet,
      symbols.map((s) => this.symbol(acct, s)),
    );
  }

  /** What the account wire builders (./account-wire.ts) need. */
  view(acct: FutAccount, all: boolean, asset: string): AccountView {
    return {
      risk: this.account(acct, all),
      asset,
      updateTime: acct.updateTime,
      rulesOf: (s) => this.info.rules.get(s),
      updateTimeOf: (s) => acct.positions.get(s)?.updateTime ?? 0,
      breakEvenOf: (s) => breakEvenPrice(s.amt, s.entry, this.taker),
    };
  }

  /**
   * The margin check of a new order on `side`: its planned taker `fills` and the `rest`
   * that would rest at `price`.
   * @throws VenueError -2019 when it raises the initial margin and the available balance
   *   after the fills (realized PnL, the taker fee, the new position at the mark) and the
   *   resting rest would fall below zero; -2027 when the worst-case position (position ±
   *   open opening orders) exceeds the notional cap of the symbol's leverage.
   */
  checkNewOrder(acct: FutAccount, symbol: string, side: OrderSide, fills: readonly PlannedFill[], rest: Decimal, price: Decimal): void {
    const before = this.account(acct);
    const pos = acct.positions.get(symbol);
    const sim: Position = pos ? { ...pos } : { symbol, amt: ZERO, entry: ZERO, realized: ZERO, updateTime: 0 };
    let realized = ZERO;
    for (const f of fills) realized = realized.plus(applyFill(sim, side, f.qty, f.price, 0).realizedPnl);
    const fee = money(plannedCost(fills).times(this.taker));
    const extra = rest.gt(ZERO) ? { side, qty: rest, price, reduceOnly: false } : undefined;
    const after = this.symbol(acct, symbol, sim, extra);
    const beforeSym = before.symbols.find((s) => s.symbol === symbol);
    const imBefore = beforeSym ? beforeSym.positionIM.plus(beforeSym.openOrderIM) : ZERO;
    if (after.positionIM.plus(after.openOrderIM).lte(imBefore)) return;
    const others = before.symbols.filter((s) => s.symbol !== symbol);
    if (accountRisk(before.wallet.plus(realized).minus(fee), [...others, after]).available.lt(ZERO)) throw UsdmErrors.marginInsufficient();
    let buyOpen = side === 'BUY' ? rest : ZERO;
    let sellOpen = side === 'SELL' ? rest : ZERO;
    for (const o of this.exposure(acct, symbol)) {
      if (o.reduceOnly) continue;
      if (o.side === 'BUY') buyOpen = buyOpen.plus(o.qty);
      else sellOpen = sellOpen.plus(o.qty);
    }
    const worst = D.max(sim.amt.plus(buyOpen).abs(), sim.amt.minus(sellOpen).abs()).times(after.mark);
    if (worst.gt(maxNotionalAt(this.accounts.leverageOf(acct, symbol)))) throw UsdmErrors.maxPositionAtLeverage();
  }
}
