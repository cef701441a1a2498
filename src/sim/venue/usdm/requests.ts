/**
 * The stateless checks of USDⓈ-M order requests (Binance "New Order (TRADE)" and
 * "New Algo Order (TRADE)", "Additional mandatory parameters based on type"):
 * parameter combinations, decimal precision and the symbol filters that need no
 * account or market state. What needs state (position, book, margin, open-order
 * counts, the trigger against the current price) is checked by ./usdm-venue.ts.
 */
import { type Decimal, ZERO } from '../../../domain/decimal.ts';
import { Errors } from '../errors.ts';
import { UsdmErrors } from './errors.ts';
import { type UsdmRules, checkMinNotional, checkOrderPrice, checkOrderQty, checkTriggerPrice, parseUsdmAmount } from './instruments.ts';
import type {
  AlgoOrderRequest,
  OrderSide,
  UsdmAlgoType,
  UsdmOrderRequest,
  UsdmPlainType,
  UsdmTimeInForce,
  WorkingType,
} from './types.ts';

/** The conditional types that place a MARKET order on trigger. */
export const MARKET_ALGO: ReadonlySet<UsdmAlgoType> = new Set(['STOP_MARKET', 'TAKE_PROFIT_MARKET']);

/** A plain order with its decimals parsed, before the venue's state checks. */
export interface PlanInput {
  readonly side: OrderSide;
  readonly type: UsdmPlainType;
  /** `type`, or the algo order's type for an order placed by a trigger. */
  readonly origType: UsdmPlainType | UsdmAlgoType;
  readonly tif: UsdmTimeInForce;
  readonly qty: Decimal;
  /** Zero for MARKET. */
  readonly price: Decimal;
  /** The trigger price of the algo order that placed it; zero otherwise. */
  readonly stopPrice: Decimal;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly clientOrderId: string | undefined;
  readonly algoId: number | undefined;
}

/**
 * `POST /fapi/v1/order`: LIMIT needs `timeInForce`, `price`, `quantity`; MARKET needs
 * `quantity` and takes neither `price` nor `timeInForce`.
 * @throws VenueError -4120 (a conditional type), -4061 (LONG/SHORT in one-way mode), -4136
 *   (`closePosition`), -1102 (missing), -1106 (not required), -1100/-1111 (decimals).
 */
export function plainOrderInput(rules: UsdmRules, req: UsdmOrderRequest): PlanInput {
  if (req.type !== 'LIMIT' && req.type !== 'MARKET') throw UsdmErrors.useAlgoOrder();
  if (req.positionSide !== undefined && req.positionSide !== 'BOTH') throw UsdmErrors.positionSideMismatch();
  if (req.closePosition === true) throw UsdmErrors.closePositionInvalid(req.type);
  if (req.quantity === undefined) throw Errors.mandatoryParamMissing('quantity');
  let tif: UsdmTimeInForce = 'GTC';
  if (req.type === 'LIMIT') {
    if (req.timeInForce === undefined) throw Errors.mandatoryParamMissing('timeInForce');
    if (req.price === undefined) throw Errors.mandatoryParamMissing('price');
    tif = req.timeInForce;
  } else {
    if (req.price !== undefined) throw Errors.paramNotRequired('price');
    if (req.timeInForce !== undefined) throw Errors.paramNotRequired('timeInForce');
  }
  return {
    side: req.side,
    type: req.type,
    origType: req.type,
    tif,
    qty: parseUsdmAmount('quantity', req.quantity, rules.quantityPrecision),
    price: req.price !== undefined ? parseUsdmAmount('price', req.price, rules.pricePrecision) : ZERO,
    stopPrice: ZERO,
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    reduceOnly: req.reduceOnly === true,
    closePosition: false,
    clientOrderId: req.newClientOrderId,
    algoId: undefined,
  };
}

/** A conditional order request with its decimals parsed and its stateless filters passed. */
export interface AlgoInput {
  readonly side: OrderSide;
  readonly orderType: UsdmAlgoType;
  readonly timeInForce: UsdmTimeInForce;
  /** Zero with `closePosition`. */
  readonly quantity: Decimal;
  /** STOP / TAKE_PROFIT limit price; zero for the *_MARKET types. */
  readonly price: Decimal;
  readonly triggerPrice: Decimal;
  readonly workingType: WorkingType;
  readonly closePosition: boolean;
  readonly reduceOnly: boolean;
  readonly priceProtect: boolean;
  readonly clientAlgoId: string | undefined;
}

/**
 * `POST /fapi/v1/algoOrder`: `closePosition` only on the *_MARKET types and without
 * `quantity` or `reduceOnly`; `triggerPrice` always; `price` for STOP/TAKE_PROFIT only;
 * PRICE_FILTER on both prices, LOT_SIZE (MARKET_LOT_SIZE for *_MARKET), MIN_NOTIONAL
 * unless reduce-only (at the limit price, or the trigger price for *_MARKET).
 * @throws VenueError -4061, -4136, -4137, -1106, -1102, -1100/-1111, -4006/-4007/-4014, -4001…-4023, -4164.
 */
export function algoOrderInput(rules: UsdmRules, req: AlgoOrderRequest): AlgoInput {
  if (req.positionSide !== undefined && req.positionSide !== 'BOTH') throw UsdmErrors.positionSideMismatch();
  const marketType = MARKET_ALGO.has(req.type);
  const closePosition = req.closePosition === true;
  if (closePosition) {
    if (!marketType) throw UsdmErrors.closePositionInvalid(req.type);
    if (req.quantity !== undefined) throw UsdmErrors.closePositionWithQty();
    if (req.reduceOnly !== undefined) throw Errors.paramNotRequired('reduceOnly');
  } else if (req.quantity === undefined) throw Errors.mandatoryParamMissing('quantity');
  if (req.triggerPrice === undefined) throw Errors.mandatoryParamMissing('triggerPrice');
  if (!marketType && req.price === undefined) throw Errors.mandatoryParamMissing('price');
  if (marketType && req.price !== undefined) throw Errors.paramNotRequired('price');
  const quantity = req.quantity !== undefined ? parseUsdmAmount('quantity', req.quantity, rules.quantityPrecision) : ZERO;
  const triggerPrice = parseUsdmAmount('triggerPrice', req.triggerPrice, rules.pricePrecision);
  const price = req.price !== undefined ? parseUsdmAmount('price', req.price, rules.pricePrecision) : ZERO;
  checkTriggerPrice(rules, triggerPrice);
  if (!marketType) checkOrderPrice(rules, price);
  if (!closePosition) checkOrderQty(rules, quantity, marketType);
  const reduceOnly = req.reduceOnly === true;
  if (!reduceOnly && !closePosition) checkMinNotional(rules, (marketType ? triggerPrice : price).times(quantity));
  return {
    side: req.side,
    orderType: req.type,
    timeInForce: req.timeInForce ?? 'GTC',
    quantity,
    price,
    triggerPrice,
    workingType: req.workingType ?? 'CONTRACT_PRICE',
    closePosition,
    reduceOnly,
    priceProtect: req.priceProtect === true,
    clientAlgoId: req.clientAlgoId,
  };
}
