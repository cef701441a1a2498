/**
 * Binance's raw payloads (as ccxt keeps them in `info`) parsed with zod into
 * the engine's domain shapes. Every amount comes from Binance's own decimal
 * strings; ccxt's parsed floats (`order.filled`, `trade.price`…) are never read.
 *
 * Sources: Binance spot REST "New order (TRADE)" FULL response, "Query order",
 * "Cancel order", "Account information", "Account trade list"; user data stream
 * `executionReport`, `outboundAccountPosition`, `balanceUpdate`; market stream
 * `bookTicker` (developers.binance.com/docs/binance-spot-api-docs). Field lists
 * as ccxt reads them: ../shared/docs/ccxt-binance-wire.md §3–4.
 */
import { z } from 'zod';
import { dec, plain } from '../domain/decimal.ts';
import {
  ClientOrderId,
  DecimalString,
  Fill,
  PositiveDecimalString,
  SignedDecimalString,
  TimestampMs,
  VenueOrderStatus,
  VenueOrderUpdate,
} from '../domain/order.ts';
import { AssetBalance, type BalanceEvent } from './types.ts';

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

/** Binance ids are JSON numbers; ccxt's websocket parser turns 15+ digit numbers into strings. Either way: a decimal integer string. */
const NumericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((v) => String(v));

/**
 * Binance order status → ccxt's unified status (`parseOrderStatus` in
 * `js/src/binance.js`): NEW, PARTIALLY_FILLED, PENDING_NEW (OCO leg not yet
 * working), PENDING_CANCEL → `open`; FILLED → `closed`; CANCELED → `canceled`;
 * EXPIRED, EXPIRED_IN_MATCH (self-trade prevention) → `expired`; REJECTED → `rejected`.
 */
const STATUS: Readonly<Record<string, VenueOrderStatus>> = {
  NEW: 'open',
  PARTIALLY_FILLED: 'open',
  PENDING_NEW: 'open',
  PENDING_CANCEL: 'open',
  FILLED: 'closed',
  CANCELED: 'canceled',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
  REJECTED: 'rejected',
};
const BinanceStatus = z.string().transform((s, ctx) => {
  const status = STATUS[s];
  if (status === undefined) {
    ctx.addIssue({ code: 'custom', message: `unknown Binance order status ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return status;
});

/**
 * Average execution price = cumulative quote / cumulative base, truncated to
 * 16 decimal places (trailing zeros removed); `null` when nothing executed.
 */
export function averagePrice(cumulativeQuote: string, filled: string): string | null {
  const q = dec(filled);
  if (q.isZero()) return null;
  const avg = dec(cumulativeQuote).div(q).toDecimalPlaces(16);
  return avg.isZero() ? null : plain(avg);
}

// ---------------------------------------------------------------------------
// REST orders
// ---------------------------------------------------------------------------

/** One entry of a FULL new-order response's `fills`. */
const RestFill = z.object({
  price: PositiveDecimalString,
  qty: PositiveDecimalString,
  commission: SignedDecimalString,
  commissionAsset: z.string().min(1).nullable(),
  tradeId: NumericId,
});

/**
 * An order in a REST answer (new order FULL/RESULT, query, cancel, open orders).
 * In a cancel answer `clientOrderId` is the *cancel request's* id and
 * `origClientOrderId` the order's own, so the latter wins when present.
 */
export const RestOrder = z.object({
  symbol: z.string().min(1),
  orderId: NumericId,
  clientOrderId: z.string(),
  origClientOrderId: z.string().optional(),
  executedQty: DecimalString,
  cummulativeQuoteQty: DecimalString,
  status: BinanceStatus,
  transactTime: TimestampMs.optional(),
  updateTime: TimestampMs.optional(),
  time: TimestampMs.optional(),
  fills: z.array(RestFill).optional(),
});
export type RestOrder = z.infer<typeof RestOrder>;

/** The order's own client order id in a REST order answer (see {@link RestOrder}). */
export function restClientOrderId(o: RestOrder): string {
  return o.origClientOrderId !== undefined && o.origClientOrderId !== '' ? o.origClientOrderId : o.clientOrderId;
}

/** The time of a REST order answer: `transactTime` (new, cancel), else `updateTime`, else `time` (query). */
function restOrderTime(o: RestOrder): number {
  const t = o.transactTime ?? o.updateTime ?? o.time;
  if (t === undefined) throw new Error(`order ${o.orderId}: no transactTime, updateTime or time`);
  return t;
}

/**
 * A REST order answer as a {@link VenueOrderUpdate}.
 * @throws ZodError / Error when the answer lacks a field or a value is malformed
 */
export function toOrderUpdate(raw: unknown): VenueOrderUpdate {
  const o = RestOrder.parse(raw);
  return VenueOrderUpdate.parse({
    clientOrderId: restClientOrderId(o),
    venueOrderId: o.orderId,
    status: o.status,
    filledQuantity: o.executedQty,
    averagePrice: averagePrice(o.cummulativeQuoteQty, o.executedQty),
    time: restOrderTime(o),
  });
}

/**
 * The `fills[]` of a FULL new-order answer as domain fills. These trades
 * happened while the order was placed, so the order took liquidity: `taker`;
 * their time is the answer's `transactTime` (Binance sends no per-fill time).
 * @throws ZodError / Error when malformed
 */
export function toPlacementFills(raw: unknown): Fill[] {
  const o = RestOrder.parse(raw);
  const time = restOrderTime(o);
  const clientOrderId = restClientOrderId(o);
  return (o.fills ?? []).map((f) =>
    Fill.parse({
      tradeId: f.tradeId,
      venueOrderId: o.orderId,
      clientOrderId,
      price: f.price,
      quantity: f.qty,
      feeAmount: f.commission,
      feeCurrency: f.commissionAsset,
      liquidity: 'taker',
      time,
    }),
  );
}

// ---------------------------------------------------------------------------
// REST trades and balances
// ---------------------------------------------------------------------------

/** One entry of `GET /api/v3/myTrades` (no client order id: Binance does not send one). */
export const RestTrade = z.object({
  id: NumericId,
  orderId: NumericId,
  price: PositiveDecimalString,
  qty: PositiveDecimalString,
  commission: SignedDecimalString,
  commissionAsset: z.string().min(1).nullable(),
  time: TimestampMs,
  isMaker: z.boolean(),
});
export type RestTrade = z.infer<typeof RestTrade>;

/** A `myTrades` entry as a domain fill, given its order's client order id. */
export function restTradeToFill(t: RestTrade, clientOrderId: string): Fill {
  return Fill.parse({
    tradeId: t.id,
    venueOrderId: t.orderId,
    clientOrderId,
    price: t.price,
    quantity: t.qty,
    feeAmount: t.commission,
    feeCurrency: t.commissionAsset,
    liquidity: t.isMaker ? 'maker' : 'taker',
    time: t.time,
  });
}

/** `GET /api/v3/account`: `balances[].{asset, free, locked}`. */
const RestAccount = z.object({
  balances: z.array(z.object({ asset: z.string().min(1), free: DecimalString, locked: DecimalString })),
});

/** The spot account answer as per-asset balances. @throws ZodError when malformed */
export function toAssetBalances(raw: unknown): AssetBalance[] {
  return RestAccount.parse(raw).balances.map((b) => AssetBalance.parse(b));
}

// ---------------------------------------------------------------------------
// User data stream
// ---------------------------------------------------------------------------

/** `C` when non-empty (the order's own id on a cancel), else `c`. */
function executionClientOrderId(r: { c: string; C?: string | null | undefined }): string {
  return r.C !== undefined && r.C !== null && r.C !== '' ? r.C : r.c;
}

/** A decimal string without trailing fractional zeros (`"1.50000000"` → `"1.5"`, `"0.00"` → `"0"`). */
const canonical = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

/** What one `executionReport` is to the adapter: see {@link parseExecutionReport}. */
export interface ParsedExecutionReport {
  /** The order's key for change detection: `<s>|<i>`. */
  readonly key: string;
  /** The state the adapter tracks per order: status and cumulative filled quantity (`open|0.5`). */
  readonly state: string;
  /** Whether the status is terminal (nothing follows). */
  readonly terminal: boolean;
  readonly update: VenueOrderUpdate;
  /** The trade (`x = TRADE`), else null. */
  readonly fill: Fill | null;
  /** The trade's key for de-duplication: `<s>|<t>`, with {@link fill}. */
  readonly tradeKey: string | null;
}

/** The trade part of an `executionReport` with `x = TRADE` (other reports carry `t = -1`, `L = l = "0"`: not read). */
const TradeFields = z
  .object({
    t: NumericId,
    L: PositiveDecimalString,
    l: PositiveDecimalString,
    n: SignedDecimalString,
    N: z.string().min(1).max(32).nullable(),
    m: z.boolean(),
  })
  .refine((f) => f.N !== null || dec(f.n).isZero(), { path: ['N'], message: 'feeCurrency is required when feeAmount is not zero' });

/**
 * A spot `executionReport`, checked and projected in one zod pass (USD-M
 * `ORDER_TRADE_UPDATE.o` uses the same letters, with `ap` instead of `Z`):
 * - the order: symbol `s`, order id `i`, status `X`, execution type `x`, cumulative filled
 *   `z`, cumulative quote `Z` (or average `ap`), time `T` (else event time `E`), client
 *   order id `C` if non-empty else `c` — on a cancel `c` is the cancel request's id and `C`
 *   the order's own, as in ccxt's `parseWsOrder` — which must be a Binance client order id;
 * - with `x = TRADE` also the trade ({@link TradeFields}): id `t`, price `L` > 0, quantity
 *   `l` > 0, fee `n` in `N` (null only with a zero fee), maker flag `m`. These fields are
 *   not read (nor checked) on other reports.
 */
const ExecutionReport = z
  .object({
    s: z.string().min(1),
    c: z.string(),
    C: z.string().nullish(),
    x: z.string(),
    X: BinanceStatus,
    i: NumericId,
    z: DecimalString,
    Z: DecimalString.optional(),
    ap: DecimalString.optional(),
    T: TimestampMs.optional(),
    E: TimestampMs.optional(),
    t: z.unknown().optional(),
    L: z.unknown().optional(),
    l: z.unknown().optional(),
    n: z.unknown().optional(),
    N: z.unknown().optional(),
    m: z.unknown().optional(),
  })
  .transform((r, ctx): ParsedExecutionReport => {
    const clientOrderId = executionClientOrderId(r);
    if (!ClientOrderId.safeParse(clientOrderId).success) {
      ctx.addIssue({ code: 'custom', path: [r.C ? 'C' : 'c'], message: 'expected a Binance client order id' });
    }
    const time = r.T ?? r.E;
    if (time === undefined) ctx.addIssue({ code: 'custom', path: ['T'], message: 'executionReport without T or E' });
    let trade: z.output<typeof TradeFields> | null = null;
    if (r.x === 'TRADE') {
      const parsed = TradeFields.safeParse(r);
      if (parsed.success) trade = parsed.data;
      else for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
    if (time === undefined || (r.x === 'TRADE' && trade === null)) return z.NEVER;
    const update: VenueOrderUpdate = {
      clientOrderId,
      venueOrderId: r.i,
      status: r.X,
      filledQuantity: r.z,
      averagePrice: r.Z !== undefined ? averagePrice(r.Z, r.z) : r.ap !== undefined && !dec(r.ap).isZero() ? r.ap : null,
      time,
    };
    const fill: Fill | null =
      trade === null
        ? null
        : {
            tradeId: trade.t,
            venueOrderId: r.i,
            clientOrderId,
            price: trade.L,
            quantity: trade.l,
            feeAmount: trade.n,
            feeCurrency: trade.N,
            liquidity: trade.m ? 'maker' : 'taker',
            time,
          };
    return {
      key: `${r.s}|${r.i}`,
      state: `${r.X}|${canonical(r.z)}`,
      terminal: r.X !== 'open',
      update,
      fill,
      tradeKey: trade === null ? null : `${r.s}|${trade.t}`,
    };
  });

/**
 * An `executionReport`, parsed once (zod) into the order update, and the fill when
 * `x = TRADE`: update = `z` cumulative filled, average `Z / z` (spot; `ap` futures; null
 * while nothing executed), time `T`; fill = trade id `t`, price `L`, quantity `l`, fee `n` in
 * `N`, `maker` when `m`, time `T`, order `i` (see {@link ExecutionReport} for the rules).
 * @throws ZodError when a field the adapter reads is missing or malformed (the whole report:
 *   a trade report with a bad trade part yields neither update nor fill)
 */
export function parseExecutionReport(raw: unknown): ParsedExecutionReport {
  return ExecutionReport.parse(raw);
}

/**
 * An `executionReport` as a {@link VenueOrderUpdate} (see {@link parseExecutionReport}).
 * @throws ZodError when malformed
 */
export function executionReportToUpdate(raw: unknown): VenueOrderUpdate {
  return parseExecutionReport(raw).update;
}

/**
 * An `executionReport` with `x = TRADE` as a domain {@link Fill} (see {@link parseExecutionReport}).
 * @throws ZodError / Error when malformed or not a trade
 */
export function executionReportToFill(raw: unknown): Fill {
  const { fill } = parseExecutionReport(raw);
  if (fill === null) throw new Error('executionReport is not a trade (x != TRADE)');
  return fill;
}

const OutboundAccountPosition = z.object({
  e: z.literal('outboundAccountPosition'),
  E: TimestampMs,
  B: z.array(z.object({ a: z.string().min(1), f: DecimalString, l: DecimalString })),
});
const BalanceUpdate = z.object({ e: z.literal('balanceUpdate'), E: TimestampMs, a: z.string().min(1), d: SignedDecimalString });
const BalanceMessage = z.discriminatedUnion('e', [OutboundAccountPosition, BalanceUpdate]);

/** An `outboundAccountPosition` / `balanceUpdate` event as a {@link BalanceEvent}. @throws ZodError otherwise */
export function toBalanceEvent(raw: unknown): BalanceEvent {
  const m = BalanceMessage.parse(raw);
  if (m.e === 'balanceUpdate') return { kind: 'delta', time: m.E, asset: m.a, delta: m.d };
  return { kind: 'position', time: m.E, balances: m.B.map((b) => ({ asset: b.a, free: b.f, locked: b.l })) };
}

// ---------------------------------------------------------------------------
// Market data
// ---------------------------------------------------------------------------

/** Spot `bookTicker`: `{u, s, b, B, a, A}` (no event time). */
export const BookTicker = z.object({
  u: z.number().int().nullish(),
  s: z.string().min(1),
  b: DecimalString,
  B: DecimalString,
  a: DecimalString,
  A: DecimalString,
});
export type BookTicker = z.infer<typeof BookTicker>;
