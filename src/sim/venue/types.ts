/**
 * Contracts of the simulator's venue core (accounts, orders, matching) as the
 * server layer (`src/sim/server/`) calls it. Requests arrive already parsed
 * from Binance's query/body parameters (decimal amounts stay strings);
 * replies are Binance's JSON wire objects, ready to serialise.
 *
 * Every method throws {@link VenueError} (see ./errors.ts) with Binance's code,
 * message and HTTP status on a rejection; nothing else is thrown for bad input.
 */
export type OrderSide = 'BUY' | 'SELL';
export type SpotOrderType =
  | 'MARKET'
  | 'LIMIT'
  | 'LIMIT_MAKER'
  | 'STOP_LOSS'
  | 'STOP_LOSS_LIMIT'
  | 'TAKE_PROFIT'
  | 'TAKE_PROFIT_LIMIT';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED' | 'PENDING_NEW';
export type NewOrderRespType = 'ACK' | 'RESULT' | 'FULL';

/** `POST /api/v3/order` (and `/api/v3/order/test`) parameters, Binance "New order (TRADE)". */
export interface NewOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: SpotOrderType;
  readonly timeInForce?: TimeInForce;
  /** Base-asset quantity. */
  readonly quantity?: string;
  /** MARKET only: quote-asset amount to spend (BUY) or receive (SELL). */
  readonly quoteOrderQty?: string;
  readonly price?: string;
  readonly stopPrice?: string;
  readonly newClientOrderId?: string;
  readonly newOrderRespType?: NewOrderRespType;
}

/** Identifies one order: by `orderId` or by `origClientOrderId` (Binance: one of them is mandatory). */
export interface OrderRef {
  readonly symbol: string;
  readonly orderId?: number;
  readonly origClientOrderId?: string;
}

/** `POST /api/v3/orderList/oco` parameters (Binance "New Order list - OCO"). */
export interface OcoRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: string;
  readonly listClientOrderId?: string;
  readonly aboveType: 'STOP_LOSS_LIMIT' | 'STOP_LOSS' | 'LIMIT_MAKER' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';
  readonly aboveClientOrderId?: string;
  readonly abovePrice?: string;
  readonly aboveStopPrice?: string;
  readonly aboveTimeInForce?: TimeInForce;
  readonly belowType: 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT' | 'LIMIT_MAKER';
  readonly belowClientOrderId?: string;
  readonly belowPrice?: string;
  readonly belowStopPrice?: string;
  readonly belowTimeInForce?: TimeInForce;
  readonly newOrderRespType?: NewOrderRespType;
}

/** Legacy `POST /api/v3/order/oco` parameters: a LIMIT_MAKER leg at `price` and a STOP_LOSS(_LIMIT) leg at `stopPrice`. */
export interface LegacyOcoRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: string;
  readonly price: string;
  readonly stopPrice: string;
  readonly stopLimitPrice?: string;
  readonly stopLimitTimeInForce?: TimeInForce;
  readonly listClientOrderId?: string;
  readonly limitClientOrderId?: string;
  readonly stopClientOrderId?: string;
  readonly newOrderRespType?: NewOrderRespType;
}

export interface OrderListRef {
  readonly symbol?: string;
  readonly orderListId?: number;
  readonly listClientOrderId?: string;
}

/** Time/id window for history queries (`allOrders`, `myTrades`; USD-M `allOrders`, `userTrades`, `allAlgoOrders`). Times in ms since epoch. */
export interface HistoryQuery {
  readonly symbol: string;
  readonly orderId?: number;
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  /** Default 500, at most 1000. */
  readonly limit?: number;
}

/** A wire object in Binance's JSON shape (order, trade, account, event). */
export type Wire = Record<string, unknown>;

/** A user-data event for one account, in Binance's websocket payload shape (`executionReport`, `outboundAccountPosition`, `balanceUpdate`, `listStatus`). */
export interface UserEvent {
  readonly accountId: string;
  readonly payload: Wire;
}

export interface AccountCredentials {
  readonly id: string;
  readonly apiKey: string;
  readonly secret: string;
}

/** The spot venue as the REST and websocket-API layers call it. */
export interface SpotVenueApi {
  /** The account that owns `apiKey`, or undefined (the server answers -2015). */
  accountByApiKey(apiKey: string): AccountCredentials | undefined;
  /** The `GET /api/v3/exchangeInfo` body (the recorded one). */
  exchangeInfo(): Wire;
  placeOrder(accountId: string, req: NewOrderRequest): Wire;
  /** `POST /api/v3/order/test`: validates as placeOrder would, places nothing, returns `{}`. */
  testOrder(accountId: string, req: NewOrderRequest): Wire;
  cancelOrder(accountId: string, ref: OrderRef): Wire;
  /** `DELETE /api/v3/openOrders`: cancels every open order on the symbol. */
  cancelOpenOrders(accountId: string, symbol: string): Wire[];
  queryOrder(accountId: string, ref: OrderRef): Wire;
  openOrders(accountId: string, symbol?: string): Wire[];
  allOrders(accountId: string, q: HistoryQuery): Wire[];
  myTrades(accountId: string, q: HistoryQuery): Wire[];
  /** `GET /api/v3/account`. */
  account(accountId: string): Wire;
  placeOco(accountId: string, req: OcoRequest): Wire;
  placeLegacyOco(accountId: string, req: LegacyOcoRequest): Wire;
  cancelOrderList(accountId: string, ref: OrderListRef): Wire;
  queryOrderList(accountId: string, ref: OrderListRef): Wire;
  openOrderLists(accountId: string): Wire[];
  /**
   * User-data events, synchronously, in the order the venue produced them. Returns an unsubscribe function.
   * `wants(accountId)`, when given, tells whether the listener wants that account's events now: the venue
   * skips building events nobody wants.
   */
  onUserEvent(listener: (event: UserEvent) => void, wants?: (accountId: string) => boolean): () => void;
}
