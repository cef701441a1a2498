/**
 * USDⓈ-M futures rejections with Binance's codes and wording (Binance
 * "Derivatives › USDⓈ-M Futures › Error Codes", 2xxx / 4xxx / 5xxx). Request-level
 * errors shared with spot (-1102, -1106, -1111, -1121, -1125, …) come from
 * `../errors.ts`; these are the futures-only ones.
 *
 * ccxt maps these codes to its exception classes only for Binance's own futures
 * hostnames (`exceptions.linear` through `getExceptionsByUrl`): see
 * `src/venue/binance-client.ts` for the engine's mapping of the simulator's URLs.
 */
import { VenueError } from '../errors.ts';

export const UsdmErrors = {
  /** -2011 UNKNOWN_ORDER: a cancel of an order that is not open. */
  unknownOrder: () => new VenueError(-2011, 'Unknown order sent.'),
  /** -2013 NO_SUCH_ORDER. */
  noSuchOrder: () => new VenueError(-2013, 'Order does not exist.'),
  /** -2019 MARGIN_NOT_SUFFICIEN (sic, Binance's constant): ccxt InsufficientFunds. */
  marginInsufficient: () => new VenueError(-2019, 'Margin is insufficient.'),
  /** -2021 ORDER_WOULD_IMMEDIATELY_TRIGGER: ccxt OrderImmediatelyFillable. */
  wouldImmediatelyTrigger: () => new VenueError(-2021, 'Order would immediately trigger.'),
  /** -2022 REDUCE_ONLY_REJECT: ccxt InvalidOrder. */
  reduceOnlyRejected: () => new VenueError(-2022, 'ReduceOnly Order is rejected.'),
  /** -2025 MAX_OPEN_ORDER_EXCEEDED (MAX_NUM_ORDERS filter). */
  maxOpenOrders: () => new VenueError(-2025, 'Reach max open order limit.'),
  /** -2027 MAX_LEVERAGE_RATIO: the position would exceed the notional cap of the current leverage bracket. */
  maxPositionAtLeverage: () => new VenueError(-2027, 'Exceeded the maximum allowable position at current leverage.'),
  /** -4001 PRICE_LESS_THAN_ZERO. */
  priceNotPositive: () => new VenueError(-4001, 'Price less than 0.'),
  /** -4002 PRICE_GREATER_THAN_MAX_PRICE. */
  priceAboveMax: () => new VenueError(-4002, 'Price greater than max price.'),
  /** -4003 QTY_LESS_THAN_ZERO. */
  qtyNotPositive: () => new VenueError(-4003, 'Quantity less than or equal to zero.'),
  /** -4004 QTY_LESS_THAN_MIN_QTY. */
  qtyBelowMin: () => new VenueError(-4004, 'Quantity less than min quantity.'),
  /** -4005 QTY_GREATER_THAN_MAX_QTY. */
  qtyAboveMax: () => new VenueError(-4005, 'Quantity greater than max quantity.'),
  /** -4006 STOP_PRICE_LESS_THAN_ZERO. */
  stopPriceNotPositive: () => new VenueError(-4006, 'Stop price less than zero.'),
  /** -4007 STOP_PRICE_GREATER_THAN_MAX_PRICE. */
  stopPriceAboveMax: () => new VenueError(-4007, 'Stop price greater than max price.'),
  /** -4013 PRICE_LESS_THAN_MIN_PRICE. */
  priceBelowMin: () => new VenueError(-4013, 'Price less than min price.'),
  /** -4014 PRICE_NOT_INCREASED_BY_TICK_SIZE. */
  priceNotOnTick: () => new VenueError(-4014, 'Price not increased by tick size.'),
  /** -4016 PRICE_HIGHTER_THAN_MULTIPLIER_UP (PERCENT_PRICE, BUY side), with the cap. */
  priceAboveCap: (cap: string) => new VenueError(-4016, `Limit price can't be higher than ${cap}.`),
  /** -4023 QTY_NOT_INCREASED_BY_STEP_SIZE. */
  qtyNotOnStep: () => new VenueError(-4023, 'Qty not increased by step size.'),
  /** -4024 PRICE_LOWER_THAN_MULTIPLIER_DOWN (PERCENT_PRICE, SELL side), with the floor. */
  priceBelowFloor: (floor: string) => new VenueError(-4024, `Limit price can't be lower than ${floor}.`),
  /** -4028 INVALID_LEVERAGE. */
  invalidLeverage: (leverage: number) => new VenueError(-4028, `Leverage ${leverage} is not valid`),
  /** -4045 REACH_MAX_STOP_ORDER_LIMIT (MAX_NUM_ALGO_ORDERS filter). */
  maxStopOrders: () => new VenueError(-4045, 'Reach max stop order limit.'),
  /** -4046 NO_NEED_TO_CHANGE_MARGIN_TYPE. */
  noNeedToChangeMarginType: () => new VenueError(-4046, 'No need to change margin type.'),
  /** -4059 NO_NEED_TO_CHANGE_POSITION_SIDE. */
  noNeedToChangePositionSide: () => new VenueError(-4059, 'No need to change position side.'),
  /** -4061 POSITION_SIDE_NOT_MATCH: LONG/SHORT sent in one-way mode. */
  positionSideMismatch: () => new VenueError(-4061, "Order's position side does not match user's setting."),
  /** -4116 DUPLICATED_CLIENT_ORDER_ID: the id belongs to an open order (or open algo order). */
  duplicateClientOrderId: () => new VenueError(-4116, 'ClientOrderId is duplicated.'),
  /** -4120 STOP_ORDER_SWITCH_ALGO: conditional types on `/fapi/v1/order` since 2025-12-09 (change log 2025-11-06). */
  useAlgoOrder: () => new VenueError(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.'),
  /** -4136 INVALID_CLOSE_POSITION: `closePosition=true` on a type that does not take it. */
  closePositionInvalid: (type: string) => new VenueError(-4136, `Target strategy invalid for orderType ${type},closePosition true`),
  /** -4137 QUANTITY_NOT_ZERO_WITH_CLOSE_POSITION. */
  closePositionWithQty: () => new VenueError(-4137, 'Quantity must be zero with closePosition equals true'),
  /** -4138 REDUCE_ONLY_MUST_BE_TRUE: `reduceOnly` sent together with `closePosition=true`. */
  closePositionWithReduceOnly: () => new VenueError(-4138, 'Reduce only must be true with closePosition equals true'),
  /** -4164 MIN_NOTIONAL, with the symbol's minimum. */
  minNotional: (min: string) => new VenueError(-4164, `Order's notional must be no smaller than ${min} (unless you choose reduce only).`),
  /** -5021 FOK_ORDER_REJECT: nothing is recorded. */
  fokRejected: () =>
    new VenueError(-5021, 'Due to the order could not be filled immediately, the FOK order has been rejected. The order will not be recorded in the order history'),
  /** -5022 GTX_ORDER_REJECT (post-only would take): ccxt OrderNotFillable. */
  gtxRejected: () =>
    new VenueError(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history'),
} as const;
