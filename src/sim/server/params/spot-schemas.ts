/**
 * zod schemas of the spot REST endpoints' parameters (Binance spot REST API
 * docs, one section per endpoint), producing the typed requests of
 * `SpotVenueApi`. Signature parameters (`timestamp`, `recvWindow`,
 * `signature`) are consumed by the auth stage before these run.
 *
 * Rules left to the venue core: type-dependent mandatory parameters (e.g.
 * `price` for LIMIT), filters, precision (-1111) and balance checks.
 * Parameters Binance defines but the simulator does not model
 * (`icebergQty`, `trailingDelta`, pegged orders, `cancelRestrictions`, …) are
 * rejected with -1020; pure tags (`strategyId`, `strategyType`,
 * `selfTradePreventionMode`, `newClientOrderId` of a cancel) are validated
 * and ignored.
 */
import { z } from 'zod';
import { Errors } from '../../venue/errors.ts';
import type {
  HistoryQuery,
  LegacyOcoRequest,
  NewOrderRequest,
  OcoRequest,
  OrderListRef,
  OrderRef,
} from '../../venue/types.ts';
import type { SymbolRegistry } from '../symbols.ts';
import { compact } from './compact.ts';
import {
  bool,
  clientId,
  decimal,
  ignored,
  intIn,
  long,
  oneOf,
  optional,
  required,
  side,
  symbol,
  symbolList,
  unsupported,
} from './fields.ts';

const ORDER_TYPES = ['MARKET', 'LIMIT', 'LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
const OCO_LEG_TYPES = ['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
const TIFS = ['GTC', 'IOC', 'FOK'] as const;
const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'] as const;
const TICKER_TYPES = ['FULL', 'MINI'] as const;
const KLINE_INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] as const;

const orderType = oneOf(ORDER_TYPES, () => Errors.invalidOrderType());
const tif = oneOf(TIFS, () => Errors.invalidTif());
const respType = oneOf(RESP_TYPES, (p) => Errors.invalidParameter(p));
const stpMode = oneOf(STP_MODES, (p) => Errors.invalidParameter(p));
/** An OCO leg type: an unknown type is -1116, a known type an OCO leg cannot have is -1158. */
const ocoLegType = (raw: string) => {
  const known = orderType(raw);
  if (typeof known !== 'string') return known;
  return oneOf(OCO_LEG_TYPES, () => Errors.ocoOrderTypeRejected())(raw);
};

/** Builds every spot endpoint schema against the listed symbols. */
export function spotSchemas(registry: SymbolRegistry) {
  const sym = symbol(registry);
  const symbols = symbolList(registry);

  const newOrderShape = {
    symbol: required(sym),
    side: required(side),
    type: required(orderType),
    timeInForce: optional(tif),
    quantity: optional(decimal),
    quoteOrderQty: optional(decimal),
    price: optional(decimal),
    newClientOrderId: optional(clientId, () => Errors.emptyNewClOrdId()),
    stopPrice: optional(decimal),
    newOrderRespType: optional(respType),
    strategyId: optional(ignored(long)),
    strategyType: optional(ignored(long)),
    selfTradePreventionMode: optional(ignored(stpMode)),
    trailingDelta: optional(unsupported),
    icebergQty: optional(unsupported),
    pegPriceType: optional(unsupported),
    pegOffsetValue: optional(unsupported),
    pegOffsetType: optional(unsupported),
  };
  const toNewOrder = (p: z.output<z.ZodObject<typeof newOrderShape>>): NewOrderRequest =>
    compact({
      symbol: p.symbol,
      side: p.side,
      type: p.type,
      timeInForce: p.timeInForce,
      quantity: p.quantity,
      quoteOrderQty: p.quoteOrderQty,
      price: p.price,
      stopPrice: p.stopPrice,
      newClientOrderId: p.newClientOrderId,
      newOrderRespType: p.newOrderRespType,
    });

  const orderRefShape = {
    symbol: required(sym),
    orderId: optional(long),
    origClientOrderId: optional(clientId),
  };
  const toOrderRef = (p: { symbol: string; orderId?: number | undefined; origClientOrderId?: string | undefined }): OrderRef => {
    if (p.orderId === undefined && p.origClientOrderId === undefined) throw Errors.eitherParamMissing('origClientOrderId', 'orderId');
    return compact({ symbol: p.symbol, orderId: p.orderId, origClientOrderId: p.origClientOrderId });
  };

  const ocoLeg = (prefix: 'above' | 'below') => ({
    [`${prefix}Type`]: required(ocoLegType),
    [`${prefix}ClientOrderId`]: optional(clientId),
    [`${prefix}Price`]: optional(decimal),
    [`${prefix}StopPrice`]: optional(decimal),
    [`${prefix}TimeInForce`]: optional(tif),
    [`${prefix}IcebergQty`]: optional(unsupported),
    [`${prefix}TrailingDelta`]: optional(unsupported),
    [`${prefix}StrategyId`]: optional(ignored(long)),
    [`${prefix}StrategyType`]: optional(ignored(long)),
    [`${prefix}PegPriceType`]: optional(unsupported),
    [`${prefix}PegOffsetType`]: optional(unsupported),
    [`${prefix}PegOffsetValue`]: optional(unsupported),
  });

  return {
    /** `GET /api/v3/exchangeInfo` */
    exchangeInfo: z.strictObject({
      symbol: optional(sym),
      symbols: optional(symbols),
      permissions: optional(ignored((raw: string) => raw)),
      showPermissionSets: optional(ignored(bool)),
      symbolStatus: optional(ignored((raw: string) => raw)),
    }),
    /** `GET /api/v3/depth`: limit default 100, above 5000 truncated to 5000. */
    depth: z.strictObject({ symbol: required(sym), limit: optional(intIn(1, 5000, true)) }),
    /** `GET /api/v3/trades`: limit default 500, max 1000. */
    trades: z.strictObject({ symbol: required(sym), limit: optional(intIn(1, 1000, true)) }),
    /** `GET /api/v3/aggTrades` */
    aggTrades: z.strictObject({
      symbol: required(sym),
      fromId: optional(long),
      startTime: optional(long),
      endTime: optional(long),
      limit: optional(intIn(1, 1000, true)),
    }),
    /** `GET /api/v3/klines` (and `uiKlines`): only `1m` is built by the replay; other valid intervals → -1120. */
    klines: z.strictObject({
      symbol: required(sym),
      interval: required(oneOf(KLINE_INTERVALS, () => Errors.invalidInterval())),
      startTime: optional(long),
      endTime: optional(long),
      timeZone: optional((raw: string) => (raw === '0' || raw === '+00:00' || raw === '0:00' ? raw : unsupported(raw))),
      limit: optional(intIn(1, 1000, true)),
    }),
    /** `GET /api/v3/ticker/24hr` */
    ticker24hr: z.strictObject({
      symbol: optional(sym),
      symbols: optional(symbols),
      type: optional(oneOf(TICKER_TYPES, (p) => Errors.invalidParameter(p))),
    }),
    /** `GET /api/v3/ticker/price`, `GET /api/v3/ticker/bookTicker` */
    tickerBySymbol: z.strictObject({ symbol: optional(sym), symbols: optional(symbols) }),
    /** `GET /api/v3/account` */
    account: z.strictObject({ omitZeroBalances: optional(bool) }),
    /** `POST /api/v3/order` */
    newOrder: z.strictObject(newOrderShape).transform(toNewOrder),
    /** `POST /api/v3/order/test` */
    testOrder: z
      .strictObject({ ...newOrderShape, computeCommissionRates: optional((raw: string) => (bool(raw) === false ? false : unsupported(raw))) })
      .transform(toNewOrder),
    /** `GET /api/v3/order` */
    queryOrder: z.strictObject(orderRefShape).transform(toOrderRef),
    /** `DELETE /api/v3/order` */
    cancelOrder: z
      .strictObject({ ...orderRefShape, newClientOrderId: optional(ignored(clientId)), cancelRestrictions: optional(unsupported) })
      .transform(toOrderRef),
    /** `DELETE /api/v3/openOrders` */
    cancelOpenOrders: z.strictObject({ symbol: required(sym) }),
    /** `GET /api/v3/openOrders` */
    openOrders: z.strictObject({ symbol: optional(sym) }),
    /** `GET /api/v3/allOrders` */
    allOrders: z
      .strictObject({
        symbol: required(sym),
        orderId: optional(long),
        startTime: optional(long),
        endTime: optional(long),
        limit: optional(intIn(1, 1000)),
      })
      .transform((p): HistoryQuery => compact(p)),
    /** `GET /api/v3/myTrades` */
    myTrades: z
      .strictObject({
        symbol: required(sym),
        orderId: optional(long),
        startTime: optional(long),
        endTime: optional(long),
        fromId: optional(long),
        limit: optional(intIn(1, 1000)),
      })
      .transform((p): HistoryQuery => compact(p)),
    /** `POST /api/v3/orderList/oco` */
    oco: z
      .strictObject({
        symbol: required(sym),
        listClientOrderId: optional(clientId),
        side: required(side),
        quantity: required(decimal),
        ...ocoLeg('above'),
        ...ocoLeg('below'),
        newOrderRespType: optional(respType),
        selfTradePreventionMode: optional(ignored(stpMode)),
      })
      .transform((p): OcoRequest => {
        const leg = (k: string) => (p as Record<string, unknown>)[k];
        return compact({
          symbol: p.symbol,
          side: p.side,
          quantity: p.quantity,
          listClientOrderId: p.listClientOrderId,
          aboveType: leg('aboveType') as OcoRequest['aboveType'],
          aboveClientOrderId: leg('aboveClientOrderId') as string | undefined,
          abovePrice: leg('abovePrice') as string | undefined,
          aboveStopPrice: leg('aboveStopPrice') as string | undefined,
          aboveTimeInForce: leg('aboveTimeInForce') as OcoRequest['aboveTimeInForce'],
          belowType: leg('belowType') as OcoRequest['belowType'],
          belowClientOrderId: leg('belowClientOrderId') as string | undefined,
          belowPrice: leg('belowPrice') as string | undefined,
          belowStopPrice: leg('belowStopPrice') as string | undefined,
          belowTimeInForce: leg('belowTimeInForce') as OcoRequest['belowTimeInForce'],
          newOrderRespType: p.newOrderRespType,
        });
      }),
    /** `POST /api/v3/order/oco` (deprecated by Binance, still served) */
    legacyOco: z
      .strictObject({
        symbol: required(sym),
        listClientOrderId: optional(clientId),
        side: required(side),
        quantity: required(decimal),
        limitClientOrderId: optional(clientId),
        limitStrategyId: optional(ignored(long)),
        limitStrategyType: optional(ignored(long)),
        price: required(decimal),
        limitIcebergQty: optional(unsupported),
        trailingDelta: optional(unsupported),
        stopClientOrderId: optional(clientId),
        stopPrice: required(decimal),
        stopStrategyId: optional(ignored(long)),
        stopStrategyType: optional(ignored(long)),
        stopLimitPrice: optional(decimal),
        stopIcebergQty: optional(unsupported),
        stopLimitTimeInForce: optional(tif),
        newOrderRespType: optional(respType),
        selfTradePreventionMode: optional(ignored(stpMode)),
      })
      .transform(
        (p): LegacyOcoRequest =>
          compact({
            symbol: p.symbol,
            side: p.side,
            quantity: p.quantity,
            price: p.price,
            stopPrice: p.stopPrice,
            stopLimitPrice: p.stopLimitPrice,
            stopLimitTimeInForce: p.stopLimitTimeInForce,
            listClientOrderId: p.listClientOrderId,
            limitClientOrderId: p.limitClientOrderId,
            stopClientOrderId: p.stopClientOrderId,
            newOrderRespType: p.newOrderRespType,
          }),
      ),
    /** `GET /api/v3/orderList`: by `orderListId` or by `origClientOrderId` (the list's client id). */
    queryOrderList: z
      .strictObject({ orderListId: optional(long), origClientOrderId: optional(clientId) })
      .transform((p): OrderListRef => {
        if (p.orderListId === undefined && p.origClientOrderId === undefined) throw Errors.eitherParamMissing('origClientOrderId', 'orderListId');
        return compact({ orderListId: p.orderListId, listClientOrderId: p.origClientOrderId });
      }),
    /** `DELETE /api/v3/orderList` */
    cancelOrderList: z
      .strictObject({
        symbol: required(sym),
        orderListId: optional(long),
        listClientOrderId: optional(clientId),
        newClientOrderId: optional(ignored(clientId)),
      })
      .transform((p): OrderListRef => {
        if (p.orderListId === undefined && p.listClientOrderId === undefined) throw Errors.eitherParamMissing('listClientOrderId', 'orderListId');
        return compact({ symbol: p.symbol, orderListId: p.orderListId, listClientOrderId: p.listClientOrderId });
      }),
    /** Endpoints without parameters (`ping`, `time`, `openOrderList`). */
    none: z.strictObject({}),
  };
}

/** The schema set returned by {@link spotSchemas}. */
export type SpotSchemas = ReturnType<typeof spotSchemas>;
