/**
 * Binance USDⓈ-M account JSON shapes built from {@link AccountRisk}:
 * "Account Information V3" (`GET /fapi/v3/account`), "Account Information V2"
 * (`GET /fapi/v2/account`), "Futures Account Balance V2" (`GET /fapi/v2/balance`),
 * "Position Information V3" / "V2" (`GET /fapi/v3|v2/positionRisk`) and
 * "Notional and Leverage Brackets". Money is written with 8 decimals.
 *
 * Only the margin asset (USDT) is listed: the simulator keeps no other futures
 * wallet. Its `updateTime` is never 0 (ccxt skips assets whose `updateTime` is 0).
 * Liquidation is not simulated: `liquidationPrice` is "0".
 */
import { type Decimal, ZERO } from '../../../domain/decimal.ts';
import { BRACKETS, maxNotionalAt } from './brackets.ts';
import type { UsdmRules } from './instruments.ts';
import type { AccountRisk, SymbolRisk } from './margin.ts';
import { qty, usd } from './wire.ts';
import type { Wire } from './types.ts';

/** What the account builders need besides the risk figures. */
export interface AccountView {
  readonly risk: AccountRisk;
  readonly asset: string;
  /** ms of the wallet's last change (never 0). */
  readonly updateTime: number;
  readonly rulesOf: (symbol: string) => UsdmRules | undefined;
  readonly updateTimeOf: (symbol: string) => number;
  readonly breakEvenOf: (s: SymbolRisk) => Decimal;
}

const nonNeg = (d: Decimal): Decimal => (d.lt(ZERO) ? ZERO : d);

/** availableBalance / maxWithdrawAmount: the available margin, not below zero, not above the wallet. */
function withdrawable(r: AccountRisk): Decimal {
  const a = nonNeg(r.available);
  return a.gt(r.wallet) ? nonNeg(r.wallet) : a;
}

function assetRow(v: AccountView): Wire {
  const r = v.risk;
  return {
    asset: v.asset,
    walletBalance: usd(r.wallet),
    unrealizedProfit: usd(r.unrealized),
    marginBalance: usd(r.marginBalance),
    maintMargin: usd(r.maintMargin),
    initialMargin: usd(r.initialMargin),
    positionInitialMargin: usd(r.positionIM),
    openOrderInitialMargin: usd(r.openOrderIM),
    crossWalletBalance: usd(r.wallet),
    crossUnPnl: usd(r.unrealized),
    availableBalance: usd(nonNeg(r.available)),
    maxWithdrawAmount: usd(withdrawable(r)),
    updateTime: v.updateTime,
  };
}

function totals(v: AccountView): Wire {
  const r = v.risk;
  return {
    totalInitialMargin: usd(r.initialMargin),
    totalMaintMargin: usd(r.maintMargin),
    totalWalletBalance: usd(r.wallet),
    totalUnrealizedProfit: usd(r.unrealized),
    totalMarginBalance: usd(r.marginBalance),
    totalPositionInitialMargin: usd(r.positionIM),
    totalOpenOrderInitialMargin: usd(r.openOrderIM),
    totalCrossWalletBalance: usd(r.wallet),
    totalCrossUnPnl: usd(r.unrealized),
    availableBalance: usd(nonNeg(r.available)),
    maxWithdrawAmount: usd(withdrawable(r)),
  };
}

/** Symbols with a position or open orders (what v3 endpoints list). */
function active(v: AccountView): SymbolRisk[] {
  return v.risk.symbols.filter((s) => !s.amt.isZero() || !s.bidNotional.isZero() || !s.askNotional.isZero());
}

/** `GET /fapi/v3/account`. */
export function accountV3Wire(v: AccountView): Wire {
  return {
    ...totals(v),
    assets: [assetRow(v)],
    positions: active(v).map((s) => {
      const rules = v.rulesOf(s.symbol);
      return {
        symbol: s.symbol,
        positionSide: 'BOTH',
        positionAmt: rules ? qty(rules, s.amt) : s.amt.toFixed(),
        unrealizedProfit: usd(s.unrealized),
        isolatedMargin: usd(ZERO),
        notional: usd(s.notional),
        isolatedWallet: usd(ZERO),
        initialMargin: usd(s.positionIM.plus(s.openOrderIM)),
        maintMargin: usd(s.maintMargin),
        updateTime: v.updateTimeOf(s.symbol),
      };
    }),
  };
}

/** `GET /fapi/v2/account`: v3 plus the account flags and per-position leverage/entry fields. */
export function accountV2Wire(v: AccountView, feeTier = 0): Wire {
  return {
    feeTier,
    feeBurn: false,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...totals(v),
    assets: [{ ...assetRow(v), marginAvailable: true }],
    positions: v.risk.symbols.map((s) => {
      const rules = v.rulesOf(s.symbol);
      return {
        symbol: s.symbol,
        initialMargin: usd(s.positionIM.plus(s.openOrderIM)),
        maintMargin: usd(s.maintMargin),
        unrealizedProfit: usd(s.unrealized),
        positionInitialMargin: usd(s.positionIM),
        openOrderInitialMargin: usd(s.openOrderIM),
        leverage: String(s.leverage),
        isolated: false,
        entryPrice: usd(s.entry),
        breakEvenPrice: usd(v.breakEvenOf(s)),
        maxNotional: maxNotionalAt(s.leverage).toFixed(),
        bidNotional: usd(s.bidNotional),
        askNotional: usd(s.askNotional),
        positionSide: 'BOTH',
        positionAmt: rules ? qty(rules, s.amt) : s.amt.toFixed(),
        updateTime: v.updateTimeOf(s.symbol),
      };
    }),
  };
}

/** `GET /fapi/v2/balance`. */
export function balanceWire(v: AccountView): Wire[] {
  const r = v.risk;
  return [
    {
      accountAlias: 'SgsR',
      asset: v.asset,
      balance: usd(r.wallet),
      crossWalletBalance: usd(r.wallet),
      crossUnPnl: usd(r.unrealized),
      availableBalance: usd(nonNeg(r.available)),
      maxWithdrawAmount: usd(withdrawable(r)),
      marginAvailable: true,
      updateTime: v.updateTime,
    },
  ];
}

/** `GET /fapi/v3/positionRisk` rows: symbols with a position or open orders. */
export function positionRiskV3Wire(v: AccountView, symbol?: string): Wire[] {
  return active(v)
    .filter((s) => symbol === undefined || s.symbol === symbol)
    .map((s) => {
      const rules = v.rulesOf(s.symbol);
      return {
        symbol: s.symbol,
        positionSide: 'BOTH',
        positionAmt: rules ? qty(rules, s.amt) : s.amt.toFixed(),
        entryPrice: usd(s.entry),
        breakEvenPrice: usd(v.breakEvenOf(s)),
        markPrice: usd(s.mark),
        unRealizedProfit: usd(s.unrealized),
        liquidationPrice: '0',
        isolatedMargin: usd(ZERO),
        notional: usd(s.notional),
        marginAsset: v.asset,
        isolatedWallet: usd(ZERO),
        initialMargin: usd(s.positionIM.plus(s.openOrderIM)),
        maintMargin: usd(s.maintMargin),
        positionInitialMargin: usd(s.positionIM),
        openOrderInitialMargin: usd(s.openOrderIM),
        adl: 0,
        bidNotional: usd(s.bidNotional),
        askNotional: usd(s.askNotional),
        updateTime: v.updateTimeOf(s.symbol),
      };
    });
}

/** `GET /fapi/v2/positionRisk` rows: every symbol of `symbols` (one-way: one row each). */
export function positionRiskV2Wire(v: AccountView, symbol?: string): Wire[] {
  return v.risk.symbols
    .filter((s) => symbol === undefined || s.symbol === symbol)
    .map((s) => {
      const rules = v.rulesOf(s.symbol);
      return {
        symbol: s.symbol,
        positionAmt: rules ? qty(rules, s.amt) : s.amt.toFixed(),
        entryPrice: usd(s.entry),
        breakEvenPrice: usd(v.breakEvenOf(s)),
        markPrice: usd(s.mark),
        unRealizedProfit: usd(s.unrealized),
        liquidationPrice: '0',
        leverage: String(s.leverage),
        maxNotionalValue: maxNotionalAt(s.leverage).toFixed(),
        marginType: 'cross',
        isolatedMargin: usd(ZERO),
        isAutoAddMargin: 'false',
        positionSide: 'BOTH',
        notional: usd(s.notional),
        isolatedWallet: usd(ZERO),
        updateTime: v.updateTimeOf(s.symbol),
      };
    });
}

/** One symbol's `GET /fapi/v1/leverageBracket` entry (Binance sends these figures as JSON numbers). */
export function bracketWire(symbol: string): Wire {
  return {
    symbol,
    notionalCoef: 1.0,
    brackets: BRACKETS.map((b) => ({
      bracket: b.bracket,
      initialLeverage: b.initialLeverage,
      notionalCap: b.notionalCap.toNumber(),
      notionalFloor: b.notionalFloor.toNumber(),
      maintMarginRatio: b.maintMarginRatio.toNumber(),
      cum: b.cum.toNumber(),
    })),
  };
}

/** `GET /fapi/v1/symbolConfig` row. */
export function symbolConfigWire(symbol: string, leverage: number): Wire {
  return { symbol, marginType: 'CROSSED', isAutoAddMargin: 'false', leverage, maxNotionalValue: maxNotionalAt(leverage).toFixed() };
}
