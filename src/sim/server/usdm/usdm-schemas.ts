/**
 * zod schemas of the USDⓈ-M REST endpoints' parameters (Binance "Derivatives ›
 * USDⓈ-M Futures", one section per endpoint), producing the typed requests of
 * `UsdmVenueApi`. Field rules and error codes come from ../params/fields.ts
 * (-1100 malformed, -1102 mandatory, -1105 empty, -1104 unread, -1121 unlisted
 * symbol, -1115 time in force, -1116 order type, -1117 side, -1130 other enums).
 *
 * Parameters Binance defines but the simulator does not model are rejected with
 * -1020 (`activationPrice`/`callbackRate`/`activatePrice` trailing stops,
 * `goodTillDate`, `priceMatch` other than NONE); pure tags (`selfTradePreventionMode`,
 * `priceProtect`, `workingType` on a plain order) are validated and ignored where
 * the venue has no use for them.
 */
import { z } from 'zod';
import { Errors } from '../../venue/errors.ts';
import type {
  AlgoOrderRef,
  AlgoOrderRequest,
  UsdmHistoryQuery,
  UsdmOrderRef,
  UsdmOrderRequest,
} from '../../venue/usdm/types.ts';
import { compact } from '../params/compact.ts';
import { bool, clientId, decimal, ignored, intIn, long, oneOf, optional, required, side, symbol, unsupported } from '../params/fields.ts';
import type { SymbolRegistry } from '../symbols.ts';

const POSITION_SIDES = ['BOTH', 'LONG', 'SHORT'] as const;
const ORDER_TYPES = ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'] as const;
const ALGO_TYPES = ['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'STOP', 'TAKE_PROFIT'] as const;
const TIFS = ['GTC', 'IOC', 'FOK', 'GTX'] as const;
const WORKING_TYPES = ['MARK_PRICE', 'CONTRACT_PRICE'] as const;
const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const;
const KLINE_INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] as const;

const positionSide = oneOf(POSITION_SIDES, (p) => Errors.invalidParameter(p));
const tif = (raw: string) => (raw === 'GTD' ? unsupported(raw) : oneOf(TIFS, () => Errors.invalidTif())(raw));
const workingType = oneOf(WORKING_TYPES, (p) => Errors.invalidParameter(p));
const respType = oneOf(['ACK', 'RESULT'] as const, (p) => Errors.invalidParameter(p));
const stpMode = oneOf(STP_MODES, (p) => Errors.invalidParameter(p));
/** `priceMatch`: only NONE (no price match) is simulated. */
const priceMatch = (raw: string) => (raw === 'NONE' ? undefined : unsupported(raw));
/** The algo service's `type`: a trailing stop is a valid Binance type the simulator does not model (-1020). */
const algoType = (raw: string) => {
  if (raw === 'TRAILING_STOP_MARKET') return unsupported(raw);
  return oneOf(ALGO_TYPES, () => Errors.invalidOrderType())(raw);
};

/** Builds every USDⓈ-M endpoint schema against the listed futures symbols. */
export function usdmSchemas(registry: SymbolRegistry) {
  const sym = symbol(registry);

  const orderRefShape = { symbol: required(sym), orderId: optional(long), origClientOrderId: optional(clientId) };
  const toOrderRef = (p: { symbol: string; orderId?: number | undefined; origClientOrderId?: string | undefined }): UsdmOrderRef => {
    if (p.orderId === undefined && p.origClientOrderId === undefined) throw Errors.eitherParamMissing('orderId', 'origClientOrderId');
    return compact({ symbol: p.symbol, orderId: p.orderId, origClientOrderId: p.origClientOrderId });
  };
  const algoRefShape = { symbol: optional(sym), algoId: optional(long), clientAlgoId: optional(clientId) };
  const toAlgoRef = (p: { algoId?: number | undefined; clientAlgoId?: string | undefined }): AlgoOrderRef => {
    if (p.algoId === undefined && p.clientAlgoId === undefined) throw Errors.eitherParamMissing('algoId', 'clientAlgoId');
    return compact({ algoId: p.algoId, clientAlgoId: p.clientAlgoId });
  };
  const window = {
    symbol: required(sym),
    startTime: optional(long),
    endTime: optional(long),
    limit: optional(intIn(1, 1000, true)),
  };

  return {
    /** Endpoints without parameters. */
    none: z.strictObject({}),
    /** The listen-key endpoints: they take no parameters and ignore what a client adds (ccxt may forward its own leftovers). */
    ignoreAll: z.looseObject({}),
    /** `GET /fapi/v1/depth`: limit default 500, valid 5…1000 (larger truncated). */
    depth: z.strictObject({ symbol: required(sym), limit: optional(intIn(1, 1000, true)) }),
    /** `GET /fapi/v1/trades`: limit default 500, max 1000. */
    trades: z.strictObject({ symbol: required(sym), limit: optional(intIn(1, 1000, true)) }),
    /** `GET /fapi/v1/aggTrades` */
    aggTrades: z.strictObject({
      symbol: required(sym),
      fromId: optional(long),
      startTime: optional(long),
      endTime: optional(long),
      limit: optional(intIn(1, 1000, true)),
    }),
    /** `GET /fapi/v1/klines`: only `1m` is built by the replay; other valid intervals → -1120. Limit max 1500. */
    klines: z.strictObject({
      symbol: required(sym),
      interval: required(oneOf(KLINE_INTERVALS, () => Errors.invalidInterval())),
      startTime: optional(long),
      endTime: optional(long),
      limit: optional(intIn(1, 1500, true)),
    }),
    /** `GET /fapi/v1/ticker/24hr`, `/ticker/price`, `/ticker/bookTicker`, `/premiumIndex`: one symbol or all. */
    bySymbol: z.strictObject({ symbol: optional(sym) }),
    /** `POST /fapi/v1/order` ("New Order (TRADE)"). */
    newOrder: z
      .strictObject({
        symbol: required(sym),
        side: required(side),
        positionSide: optional(positionSide),
        type: required(oneOf(ORDER_TYPES, () => Errors.invalidOrderType())),
        timeInForce: optional(tif),
        quantity: optional(decimal),
        reduceOnly: optional(bool),
        price: optional(decimal),
        newClientOrderId: optional(clientId, () => Errors.emptyNewClOrdId()),
        stopPrice: optional(ignored(decimal)),
        closePosition: optional(bool),
        activationPrice: optional(unsupported),
        callbackRate: optional(unsupported),
        workingType: optional(ignored(workingType)),
        priceProtect: optional(ignored(bool)),
        newOrderRespType: optional(respType),
        priceMatch: optional(priceMatch),
        selfTradePreventionMode: optional(ignored(stpMode)),
        goodTillDate: optional(unsupported),
      })
      .transform(
        (p): UsdmOrderRequest =>
          compact({
            symbol: p.symbol,
            side: p.side,
            type: p.type,
            positionSide: p.positionSide,
            timeInForce: p.timeInForce,
            quantity: p.quantity,
            price: p.price,
            reduceOnly: p.reduceOnly,
            closePosition: p.closePosition,
            newClientOrderId: p.newClientOrderId,
            newOrderRespType: p.newOrderRespType,
          }),
      ),
    /** `GET /fapi/v1/order`, `GET /fapi/v1/openOrder` */
    queryOrder: z.strictObject(orderRefShape).transform(toOrderRef),
    /** `DELETE /fapi/v1/order` */
    cancelOrder: z.strictObject(orderRefShape).transform(toOrderRef),
    /** `DELETE /fapi/v1/allOpenOrders`, `DELETE /fapi/v1/algoOpenOrders`, `GET /fapi/v1/commissionRate` */
    symbolOnly: z.strictObject({ symbol: required(sym) }),
    /** `GET /fapi/v1/openOrders`, `GET /fapi/v1/openAlgoOrders`, `GET /fapi/v3/positionRisk`, … */
    optionalSymbol: z.strictObject({ symbol: optional(sym) }),
    /** `GET /fapi/v1/openAlgoOrders`: `algoType` may be sent (only CONDITIONAL exists). */
    openAlgoOrders: z.strictObject({ symbol: optional(sym), algoType: optional(ignored(oneOf(['CONDITIONAL'] as const, (p) => Errors.invalidParameter(p)))), algoId: optional(ignored(long)) }),
    /** `GET /fapi/v1/allOrders` */
    allOrders: z
      .strictObject({ ...window, orderId: optional(long) })
      .transform((p): UsdmHistoryQuery => compact({ symbol: p.symbol, orderId: p.orderId, startTime: p.startTime, endTime: p.endTime, limit: p.limit })),
    /** `GET /fapi/v1/userTrades` */
    userTrades: z
      .strictObject({ ...window, orderId: optional(long), fromId: optional(long) })
      .transform(
        (p): UsdmHistoryQuery =>
          compact({ symbol: p.symbol, orderId: p.orderId, fromId: p.fromId, startTime: p.startTime, endTime: p.endTime, limit: p.limit }),
      ),
    /** `GET /fapi/v1/allAlgoOrders` (`algoId`: from that id on). */
    allAlgoOrders: z
      .strictObject({
        symbol: required(sym),
        algoId: optional(long),
        startTime: optional(long),
        endTime: optional(long),
        page: optional(ignored(long)),
        limit: optional(intIn(1, 100, true)),
      })
      .transform((p): UsdmHistoryQuery => compact({ symbol: p.symbol, fromId: p.algoId, startTime: p.startTime, endTime: p.endTime, limit: p.limit })),
    /** `POST /fapi/v1/algoOrder` ("New Algo Order (TRADE)", `algoType=CONDITIONAL`). */
    newAlgoOrder: z
      .strictObject({
        algoType: required(oneOf(['CONDITIONAL'] as const, (p) => Errors.invalidParameter(p))),
        symbol: required(sym),
        side: required(side),
        positionSide: optional(positionSide),
        type: required(algoType),
        timeInForce: optional(tif),
        quantity: optional(decimal),
        price: optional(decimal),
        triggerPrice: optional(decimal),
        workingType: optional(workingType),
        priceMatch: optional(priceMatch),
        closePosition: optional(bool),
        priceProtect: optional(bool),
        reduceOnly: optional(bool),
        activatePrice: optional(unsupported),
        callbackRate: optional(unsupported),
        clientAlgoId: optional(clientId),
        selfTradePreventionMode: optional(ignored(stpMode)),
        goodTillDate: optional(unsupported),
        newOrderRespType: optional(ignored(respType)),
      })
      .transform(
        (p): AlgoOrderRequest =>
          compact({
            symbol: p.symbol,
            side: p.side,
            type: p.type,
            positionSide: p.positionSide,
            timeInForce: p.timeInForce,
            quantity: p.quantity,
            price: p.price,
            triggerPrice: p.triggerPrice,
            workingType: p.workingType,
            closePosition: p.closePosition,
            priceProtect: p.priceProtect,
            reduceOnly: p.reduceOnly,
            clientAlgoId: p.clientAlgoId,
          }),
      ),
    /** `GET|DELETE /fapi/v1/algoOrder` */
    algoRef: z.strictObject(algoRefShape).transform(toAlgoRef),
    /** `POST /fapi/v1/leverage`: the venue checks the range (-4028). */
    leverage: z.strictObject({ symbol: required(sym), leverage: required(long) }),
    /** `POST /fapi/v1/marginType` */
    marginType: z.strictObject({ symbol: required(sym), marginType: required(oneOf(['ISOLATED', 'CROSSED'] as const, (p) => Errors.invalidParameter(p))) }),
    /** `POST /fapi/v1/positionSide/dual` */
    dualSide: z.strictObject({ dualSidePosition: required(bool) }),
  };
}

/** The schema set returned by {@link usdmSchemas}. */
export type UsdmSchemas = ReturnType<typeof usdmSchemas>;
