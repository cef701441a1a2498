/**
 * Shared order-domain schemas: what a strategy asks for (an {@link OrderIntent}),
 * what the venue reports back (a {@link Fill} per trade, a {@link VenueOrderUpdate}
 * per order status change), and the primitive value schemas they are built of.
 *
 * Conventions used throughout:
 * - Money and amounts are **decimal strings** (`"61837.63"`, `"0.00100000"`), as
 *   Binance sends them; compute with `src/domain/decimal.ts`, never with `number`.
 * - Quantities are in the **base currency** of the instrument (BTC for `BTC/USDT`);
 *   prices and notionals are in the **quote currency** (USDT for `BTC/USDT`).
 * - Times are **integer milliseconds since the Unix epoch** (UTC).
 * - Instruments use ccxt's unified symbol: `BASE/QUOTE` for spot (`BTC/USDT`),
 *   `BASE/QUOTE:SETTLE` for perpetual swaps (`BTC/USDT:USDT`).
 * - Enum values are ccxt's lower-case unified spellings, not Binance's wire spellings.
 *
 * Every schema is a zod 4 schema with an inferred type of the same name; parse
 * untrusted input (ingress, journal replay) with the schema, then pass the typed
 * value inward.
 */
import { z } from 'zod';
import { dec } from './decimal.ts';

// ---------------------------------------------------------------------------
// Primitive values
// ---------------------------------------------------------------------------

const UNSIGNED_DECIMAL = /^[0-9]+(?:\.[0-9]+)?$/;
const SIGNED_DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;

/**
 * A non-negative, finite decimal number written without exponent or sign:
 * `"0"`, `"61837.63"`, `"0.00100000"`. Rejects `""`, `"1e-8"`, `"-1"`, `"+1"`,
 * `".5"`, `"1."`, `"NaN"`, `"Infinity"`, and whitespace. At most 64 characters.
 */
export const DecimalString = z
  .string()
  .max(64)
  .regex(UNSIGNED_DECIMAL, { message: 'expected a non-negative decimal string without exponent, e.g. "0.001"', abort: true });
export type DecimalString = z.infer<typeof DecimalString>;

/** A {@link DecimalString} that is strictly greater than zero (quantities, prices). */
export const PositiveDecimalString = DecimalString.refine((s) => dec(s).gt(0), 'expected a decimal greater than zero');
export type PositiveDecimalString = z.infer<typeof PositiveDecimalString>;

/**
 * A finite decimal string that may carry a leading minus sign (`"-0.0001"`), no
 * exponent. Used for fee amounts: a negative fee is a rebate (maker rebates on
 * some futures tiers).
 */
export const SignedDecimalString = z
  .string()
  .max(65)
  .regex(SIGNED_DECIMAL, 'expected a decimal string without exponent, e.g. "-0.001"');
export type SignedDecimalString = z.infer<typeof SignedDecimalString>;

/** Milliseconds since the Unix epoch (UTC), a non-negative safe integer. */
export const TimestampMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export type TimestampMs = z.infer<typeof TimestampMs>;

/**
 * Binance's client order id alphabet and length (`newClientOrderId`,
 * `^[.A-Z:/a-z0-9_-]{1,36}$`). See `src/domain/client-order-id.ts` for how the
 * engine derives one deterministically.
 */
export const ClientOrderId = z.string().regex(/^[.A-Z:/a-z0-9_-]{1,36}$/, 'expected a Binance client order id');
export type ClientOrderId = z.infer<typeof ClientOrderId>;

/** The venue's order id (Binance `orderId`, a number on the wire; kept as a string, as ccxt does). */
export const VenueOrderId = z.string().min(1).max(64);
export type VenueOrderId = z.infer<typeof VenueOrderId>;

/**
 * A ccxt unified symbol: `BASE/QUOTE` (spot, `BTC/USDT`) or `BASE/QUOTE:SETTLE`
 * (swap, `BTC/USDT:USDT`), optionally with a `-suffix` for dated contracts
 * (`BTC/USDT:USDT-250926`).
 */
export const InstrumentSymbol = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9]+\/[A-Za-z0-9]+(?::[A-Za-z0-9]+(?:-[A-Za-z0-9-]+)?)?$/, 'expected a ccxt symbol such as "BTC/USDT"');
export type InstrumentSymbol = z.infer<typeof InstrumentSymbol>;

/** True for a derivative (contract) symbol, i.e. one with a settle currency: `BTC/USDT:USDT`. */
export function isContractSymbol(symbol: string): boolean {
  return symbol.includes(':');
}

/**
 * A machine-readable reason code (`"max_notional_exceeded"`, `"binance.-2010"`):
 * lower-case letters, digits, `_ . : -`, starting with a letter, at most 64 chars.
 */
export const ReasonCode = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'expected a reason code such as "max_notional_exceeded"');
export type ReasonCode = z.infer<typeof ReasonCode>;

// ---------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------

/** Order side. `buy` acquires the base currency, `sell` disposes of it. */
export const Side = z.enum(['buy', 'sell']);
export type Side = z.infer<typeof Side>;

/**
 * How a price/stop price/time in force/quote notional applies to an order type.
 * `required` / `forbidden` / `optional`. Adding an order type means adding one
 * entry here (and to the venue mapping), nothing else in this file.
 */
export interface OrderTypeRule {
  /** Limit price (quote currency per unit of base). */
  readonly price: 'required' | 'forbidden';
  /** Trigger (stop) price (quote currency per unit of base). */
  readonly stopPrice: 'required' | 'forbidden';
  /** Time in force (Binance rejects it on market-style orders). */
  readonly timeInForce: 'required' | 'forbidden';
  /** Whether the size may be given as a quote notional (Binance `quoteOrderQty`, MARKET only). */
  readonly quoteQuantity: 'optional' | 'forbidden';
}

/**
 * Rules per order type, in ccxt's unified lower-case spelling of Binance's types
 * (`stop_loss_limit` is Binance `STOP_LOSS_LIMIT`).
 */
export const ORDER_TYPE_RULES = {
  market: { price: 'forbidden', stopPrice: 'forbidden', timeInForce: 'forbidden', quoteQuantity: 'optional' },
  limit: { price: 'required', stopPrice: 'forbidden', timeInForce: 'required', quoteQuantity: 'forbidden' },
  stop_loss: { price: 'forbidden', stopPrice: 'required', timeInForce: 'forbidden', quoteQuantity: 'forbidden' },
  stop_loss_limit: { price: 'required', stopPrice: 'required', timeInForce: 'required', quoteQuantity: 'forbidden' },
  take_profit: { price: 'forbidden', stopPrice: 'required', timeInForce: 'forbidden', quoteQuantity: 'forbidden' },
  take_profit_limit: { price: 'required', stopPrice: 'required', timeInForce: 'required', quoteQuantity: 'forbidden' },
} as const satisfies Record<string, OrderTypeRule>;

/** Every supported order type (the keys of {@link ORDER_TYPE_RULES}). */
export const ORDER_TYPES = Object.keys(ORDER_TYPE_RULES) as [keyof typeof ORDER_TYPE_RULES, ...(keyof typeof ORDER_TYPE_RULES)[]];

/** Order type: `market`, `limit`, `stop_loss`, `stop_loss_limit`, `take_profit`, `take_profit_limit`. */
export const OrderType = z.enum(ORDER_TYPES);
export type OrderType = z.infer<typeof OrderType>;

/**
 * Time in force: `GTC` good till cancelled, `IOC` immediate or cancel (the
 * unfilled rest expires), `FOK` fill or kill (all or nothing), `GTX` post-only
 * (futures; expires instead of taking liquidity).
 */
export const TimeInForce = z.enum(['GTC', 'IOC', 'FOK', 'GTX']);
export type TimeInForce = z.infer<typeof TimeInForce>;

/** Whether a fill added liquidity (`maker`) or removed it (`taker`). */
export const Liquidity = z.enum(['maker', 'taker']);
export type Liquidity = z.infer<typeof Liquidity>;

/**
 * An order's status as the venue reports it, in ccxt's unified spelling:
 * `open` (Binance NEW, PARTIALLY_FILLED), `closed` (FILLED), `canceled`,
 * `expired`, `rejected`.
 */
export const VenueOrderStatus = z.enum(['open', 'closed', 'canceled', 'expired', 'rejected']);
export type VenueOrderStatus = z.infer<typeof VenueOrderStatus>;

/** True for a status after which the venue will not execute the order any further. */
export function isTerminalVenueStatus(status: VenueOrderStatus): boolean {
  return status !== 'open';
}

// ---------------------------------------------------------------------------
// OrderIntent
// ---------------------------------------------------------------------------

const OrderIntentShape = z.object({
  /** Client order id sent to the venue (Binance `newClientOrderId`); see `clientOrderIdFor`. */
  clientOrderId: ClientOrderId,
  /** Id of the strategy signal the order belongs to. */
  signalId: z.string().min(1).max(128),
  /** Which leg of the signal this order is (`"entry"`, `"tp1"`, `"sl"`, …); unique within the signal. */
  leg: z.string().min(1).max(64),
  /** Venue id (`"binance"`, `"binance-sim"`, …): which connector routes the order. */
  venue: z.string().min(1).max(64),
  /** Account id at that venue (one set of API credentials). */
  accountId: z.string().min(1).max(64),
  /** Instrument, ccxt unified symbol (`BTC/USDT`). */
  symbol: InstrumentSymbol,
  side: Side,
  type: OrderType,
  /** Time in force; required for limit-priced types, absent for market-style types. */
  timeInForce: TimeInForce.optional(),
  /** Order size in base currency. Exactly one of `quantity` and `quoteQuantity` is given. */
  quantity: PositiveDecimalString.optional(),
  /** Order size as a quote-currency notional (Binance `quoteOrderQty`, market orders only). */
  quoteQuantity: PositiveDecimalString.optional(),
  /** Limit price, quote currency per unit of base; required for limit-priced types. */
  price: PositiveDecimalString.optional(),
  /** Trigger price, quote currency per unit of base; required for stop/take-profit types. */
  stopPrice: PositiveDecimalString.optional(),
  /** Only reduce an existing position (derivatives only); default `false`. */
  reduceOnly: z.boolean().default(false),
  /** When the intent was created, ms since epoch. */
  createdAt: TimestampMs,
});

/**
 * What a strategy wants executed: one order on one venue account.
 *
 * Shape (decimals as strings, times in ms since epoch):
 * `{ clientOrderId, signalId, leg, venue, accountId, symbol, side, type,
 *    timeInForce?, quantity? (base) | quoteQuantity? (quote), price? (quote/base),
 *    stopPrice? (quote/base), reduceOnly (default false), createdAt }`.
 *
 * Cross-field rules (from {@link ORDER_TYPE_RULES}): exactly one of `quantity`
 * and `quoteQuantity`; `quoteQuantity` only where the type allows it;
 * `price`, `stopPrice`, `timeInForce` present exactly when the type requires
 * them; `reduceOnly: true` only on contract symbols (`BTC/USDT:USDT`).
 */
export const OrderIntent = OrderIntentShape.superRefine((intent, ctx) => {
  const rule: OrderTypeRule = ORDER_TYPE_RULES[intent.type];
  const hasQty = intent.quantity !== undefined;
  const hasQuote = intent.quoteQuantity !== undefined;
  if (hasQty === hasQuote) {
    ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'exactly one of quantity and quoteQuantity is required' });
  }
  if (hasQuote && rule.quoteQuantity === 'forbidden') {
    ctx.addIssue({ code: 'custom', path: ['quoteQuantity'], message: `quoteQuantity is not allowed for ${intent.type} orders` });
  }
  const presence: Array<['price' | 'stopPrice' | 'timeInForce', boolean]> = [
    ['price', intent.price !== undefined],
    ['stopPrice', intent.stopPrice !== undefined],
    ['timeInForce', intent.timeInForce !== undefined],
  ];
  for (const [field, present] of presence) {
    const need = rule[field];
    if (need === 'required' && !present) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${field} is required for ${intent.type} orders` });
    } else if (need === 'forbidden' && present) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${field} is not allowed for ${intent.type} orders` });
    }
  }
  if (intent.reduceOnly && !isContractSymbol(intent.symbol)) {
    ctx.addIssue({ code: 'custom', path: ['reduceOnly'], message: 'reduceOnly is only valid on contract symbols (BASE/QUOTE:SETTLE)' });
  }
});
/** Parsed (output) type of {@link OrderIntent}: `reduceOnly` is always present. */
export type OrderIntent = z.infer<typeof OrderIntent>;
/** Input type of {@link OrderIntent}: `reduceOnly` may be omitted. */
export type OrderIntentInput = z.input<typeof OrderIntent>;

// ---------------------------------------------------------------------------
// Fill
// ---------------------------------------------------------------------------

/**
 * One execution (trade) of an order at the venue.
 *
 * Shape: `{ tradeId, venueOrderId, clientOrderId, price (quote/base),
 *   quantity (base, > 0), feeAmount (signed, in feeCurrency), feeCurrency | null,
 *   liquidity: 'maker'|'taker', time (ms since epoch) }`.
 *
 * `tradeId` is unique per instrument at the venue, so a fill is identified by
 * it: receiving the same trade id twice (websocket + REST reconciliation) is one
 * fill. `feeCurrency` may be `null` only when `feeAmount` is zero (Binance sends
 * `N: null` with `n: "0"`).
 */
export const Fill = z
  .object({
    tradeId: z.string().min(1).max(64),
    venueOrderId: VenueOrderId,
    clientOrderId: ClientOrderId,
    price: PositiveDecimalString,
    quantity: PositiveDecimalString,
    feeAmount: SignedDecimalString,
    feeCurrency: z.string().min(1).max(32).nullable(),
    liquidity: Liquidity,
    time: TimestampMs,
  })
  .refine((f) => f.feeCurrency !== null || dec(f.feeAmount).isZero(), {
    path: ['feeCurrency'],
    message: 'feeCurrency is required when feeAmount is not zero',
  });
export type Fill = z.infer<typeof Fill>;

// ---------------------------------------------------------------------------
// VenueOrderUpdate
// ---------------------------------------------------------------------------

/**
 * The venue's view of an order at one moment (websocket `executionReport` /
 * `ORDER_TRADE_UPDATE`, or a REST `fetchOrder` during reconciliation).
 *
 * Shape: `{ clientOrderId, venueOrderId, status, filledQuantity (base, cumulative),
 *   averagePrice (quote/base) | null, time (ms since epoch) }`.
 *
 * `filledQuantity` is the venue's **cumulative** executed quantity (Binance `z`
 * / `executedQty`), not the last trade's; `averagePrice` is `null` when nothing
 * has been executed.
 */
export const VenueOrderUpdate = z.object({
  clientOrderId: ClientOrderId,
  venueOrderId: VenueOrderId,
  status: VenueOrderStatus,
  filledQuantity: DecimalString,
  averagePrice: PositiveDecimalString.nullable(),
  time: TimestampMs,
});
export type VenueOrderUpdate = z.infer<typeof VenueOrderUpdate>;
