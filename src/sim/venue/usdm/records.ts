/**
 * The USDⓈ-M venue's own records: orders, algo (conditional) orders, fills and
 * positions. Mutable: the venue core updates them in place. Amounts are decimals
 * (base-asset quantities, USDT prices and money); times are replay-clock ms.
 */
import type { Decimal } from '../../../domain/decimal.ts';
import type { UsdmRules } from './instruments.ts';
import type { AlgoInput } from './requests.ts';
import type {
  AlgoStatus,
  OrderSide,
  UsdmAlgoType,
  UsdmOrderStatus,
  UsdmPlainType,
  UsdmTimeInForce,
  WorkingType,
} from './types.ts';

/** A plain order (placed, or created by a triggered algo order). */
export interface FutOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly rules: UsdmRules;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: UsdmPlainType;
  /** The type the user asked for: `type`, or the algo order's type for a triggered one. */
  readonly origType: UsdmPlainType | UsdmAlgoType;
  readonly timeInForce: UsdmTimeInForce;
  /** Base quantity; a reduce-only order larger than the position is cut to it at placement. */
  origQty: Decimal;
  /** Limit price; zero for MARKET. */
  readonly price: Decimal;
  /** Trigger price of the algo order that created it; zero otherwise. */
  readonly stopPrice: Decimal;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  executedQty: Decimal;
  /** Σ price × quantity of its fills, USDT. */
  cumQuote: Decimal;
  status: UsdmOrderStatus;
  readonly time: number;
  updateTime: number;
  /** Resting limits: recorded quantity ahead of it at its price, base asset. */
  queueAhead: Decimal;
  /** The algo order that created it, if any. */
  readonly algoId: number | undefined;
}

/** A fill as the venue records it (Binance "Account Trade List"). */
export interface FutTrade {
  readonly id: number;
  readonly accountId: string;
  readonly symbol: string;
  readonly orderId: number;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly qty: Decimal;
  /** price × qty, USDT. */
  readonly quoteQty: Decimal;
  /** USDT, rounded half-up to 8 decimals. */
  readonly commission: Decimal;
  /** Realized PnL of the part that reduced the position, before fees, USDT (8 decimals). */
  readonly realizedPnl: Decimal;
  readonly time: number;
  readonly isMaker: boolean;
}

/** A conditional order held by the algo service until its trigger fires: the accepted request's terms, and its state. */
export interface AlgoOrder extends AlgoInput {
  readonly algoId: number;
  /** As sent, or generated. */
  readonly clientAlgoId: string;
  readonly accountId: string;
  readonly rules: UsdmRules;
  readonly symbol: string;
  algoStatus: AlgoStatus;
  readonly createTime: number;
  updateTime: number;
  /** ms when it triggered; 0 before. */
  triggerTime: number;
  /** The order placed on trigger. */
  actualOrderId: number | undefined;
  /** Why the algo service rejected it on trigger (`rm`), '' otherwise. */
  rejectReason: string;
}

/** One-way position of a symbol: signed quantity (positive long), weighted entry price. */
export interface Position {
  readonly symbol: string;
  /** Signed base quantity: > 0 long, < 0 short, 0 flat. */
  amt: Decimal;
  /** Quantity-weighted entry price of the open quantity; zero when flat. */
  entry: Decimal;
  /** Accumulated realized PnL before fees (`cr` of ACCOUNT_UPDATE), USDT. */
  realized: Decimal;
  updateTime: number;
}

export const OPEN_ORDER_STATUSES: ReadonlySet<UsdmOrderStatus> = new Set(['NEW', 'PARTIALLY_FILLED']);

export function isOpenOrder(o: FutOrder): boolean {
  return OPEN_ORDER_STATUSES.has(o.status);
}

export function remainingQty(o: FutOrder): Decimal {
  return o.origQty.minus(o.executedQty);
}

/** Algo orders that still wait for their trigger. */
export function isOpenAlgo(a: AlgoOrder): boolean {
  return a.algoStatus === 'NEW';
}
