/**
 * Contracts of the USDⓈ-M futures venue core as the server layer
 * (`src/sim/server/usdm/`) calls it: requests arrive parsed from Binance's
 * parameters (decimal amounts stay strings), replies are Binance JSON wire
 * objects. Every method throws `VenueError` with Binance's code on a rejection.
 *
 * Model: one-way position mode (`positionSide` BOTH), cross margin, one USDT
 * futures wallet per account (Binance "Derivatives › USDⓈ-M Futures").
 */
import type { AccountCredentials, HistoryQuery, OrderRef, OrderSide, UserEvent, Wire } from '../types.ts';

export type { OrderSide, UserEvent, Wire } from '../types.ts';

/** Futures time in force; GTX = post-only (Binance "Common Definition"). GTD is not simulated. */
export type UsdmTimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
/** Types the plain order endpoint takes (conditional types moved to the algo service: -4120). */
export type UsdmPlainType = 'LIMIT' | 'MARKET';
/** Conditional types of `POST /fapi/v1/algoOrder` (`algoType=CONDITIONAL`); TRAILING_STOP_MARKET is not simulated. */
export type UsdmAlgoType = 'STOP_MARKET' | 'TAKE_PROFIT_MARKET' | 'STOP' | 'TAKE_PROFIT';
export type UsdmOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';
/** Binance algo order statuses ("Event: Algo Order Update"). */
export type AlgoStatus = 'NEW' | 'TRIGGERING' | 'TRIGGERED' | 'FINISHED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
/**
 * What a trigger price is compared with: CONTRACT_PRICE = the recorded last trade;
 * MARK_PRICE = the simulator's mark stand-in, the mid of the recorded book (see ./mark.ts).
 */
export type WorkingType = 'CONTRACT_PRICE' | 'MARK_PRICE';

/** `POST /fapi/v1/order` (Binance "New Order (TRADE)"). */
export interface UsdmOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  /** Any sent type: LIMIT/MARKET are served, conditional types answer -4120. */
  readonly type: UsdmPlainType | UsdmAlgoType | 'TRAILING_STOP_MARKET';
  readonly positionSide?: 'BOTH' | 'LONG' | 'SHORT';
  readonly timeInForce?: UsdmTimeInForce;
  /** Base-asset quantity (contracts of 1 base unit). */
  readonly quantity?: string;
  readonly price?: string;
  readonly reduceOnly?: boolean;
  readonly closePosition?: boolean;
  readonly newClientOrderId?: string;
  readonly newOrderRespType?: 'ACK' | 'RESULT';
}

/** `POST /fapi/v1/algoOrder` with `algoType=CONDITIONAL` (Binance "New Algo Order (TRADE)"). */
export interface AlgoOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: UsdmAlgoType;
  readonly positionSide?: 'BOTH' | 'LONG' | 'SHORT';
  readonly timeInForce?: 'GTC' | 'IOC' | 'FOK' | 'GTX';
  /** Not with `closePosition=true`. */
  readonly quantity?: string;
  /** STOP / TAKE_PROFIT: the limit price of the order placed on trigger. */
  readonly price?: string;
  readonly triggerPrice?: string;
  /** Default CONTRACT_PRICE. */
  readonly workingType?: WorkingType;
  /** STOP_MARKET / TAKE_PROFIT_MARKET only: on trigger, close the whole position. */
  readonly closePosition?: boolean;
  readonly priceProtect?: boolean;
  readonly reduceOnly?: boolean;
  readonly clientAlgoId?: string;
}

/** One order: by `orderId` or by `origClientOrderId` (the same reference as spot's). */
export type UsdmOrderRef = OrderRef;

/** One algo order: by `algoId` or by `clientAlgoId`. */
export interface AlgoOrderRef {
  readonly algoId?: number;
  readonly clientAlgoId?: string;
}

/** History window (`allOrders`, `userTrades`, `allAlgoOrders`; the same window as spot's); times in ms. */
export type UsdmHistoryQuery = HistoryQuery;

/** The USDⓈ-M venue as the REST layer and the listenKey user stream call it. */
export interface UsdmVenueApi {
  accountByApiKey(apiKey: string): AccountCredentials | undefined;
  /** `GET /fapi/v1/exchangeInfo` body (the recorded one). */
  exchangeInfo(): Wire;
  placeOrder(accountId: string, req: UsdmOrderRequest): Wire;
  cancelOrder(accountId: string, ref: UsdmOrderRef): Wire;
  /** `DELETE /fapi/v1/allOpenOrders`. */
  cancelAllOpenOrders(accountId: string, symbol: string): Wire;
  queryOrder(accountId: string, ref: UsdmOrderRef): Wire;
  /** `GET /fapi/v1/openOrder`: only an open order answers. */
  queryOpenOrder(accountId: string, ref: UsdmOrderRef): Wire;
  openOrders(accountId: string, symbol?: string): Wire[];
  allOrders(accountId: string, q: UsdmHistoryQuery): Wire[];
  userTrades(accountId: string, q: UsdmHistoryQuery): Wire[];
  placeAlgoOrder(accountId: string, req: AlgoOrderRequest): Wire;
  cancelAlgoOrder(accountId: string, ref: AlgoOrderRef): Wire;
  /** `DELETE /fapi/v1/algoOpenOrders`. */
  cancelAllAlgoOpenOrders(accountId: string, symbol: string): Wire;
  queryAlgoOrder(accountId: string, ref: AlgoOrderRef): Wire;
  openAlgoOrders(accountId: string, symbol?: string): Wire[];
  allAlgoOrders(accountId: string, q: UsdmHistoryQuery): Wire[];
  /** `GET /fapi/v3/account`. */
  accountV3(accountId: string): Wire;
  /** `GET /fapi/v2/account`. */
  accountV2(accountId: string): Wire;
  /** `GET /fapi/v2/balance` (and `/fapi/v3/balance`). */
  balance(accountId: string): Wire[];
  /** `GET /fapi/v3/positionRisk`: symbols with a position or open orders. */
  positionRiskV3(accountId: string, symbol?: string): Wire[];
  /** `GET /fapi/v2/positionRisk`: every listed symbol (or the one asked). */
  positionRiskV2(accountId: string, symbol?: string): Wire[];
  /** `GET /fapi/v1/leverageBracket`: an object when `symbol` is sent, else a list. */
  leverageBracket(accountId: string, symbol?: string): Wire | Wire[];
  /** `POST /fapi/v1/leverage`. */
  changeLeverage(accountId: string, symbol: string, leverage: number): Wire;
  /** `GET /fapi/v1/symbolConfig`. */
  symbolConfig(accountId: string, symbol?: string): Wire[];
  /** `GET /fapi/v1/commissionRate`. */
  commissionRate(accountId: string, symbol: string): Wire;
  /** Events for one account (`ORDER_TRADE_UPDATE`, `ALGO_UPDATE`, `ACCOUNT_UPDATE`), synchronously, in venue order. */
  onUserEvent(listener: (event: UserEvent) => void, wants?: (accountId: string) => boolean): () => void;
}
