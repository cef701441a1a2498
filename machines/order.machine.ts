/**
 * The order statechart: one live XState v5 actor per order.
 *
 * PURE: no I/O, no timers, no clock reads, no invoked promises, no spawned
 * children. Time enters only through each event's `at` (ms since epoch, set by
 * the engine). Effects are named actions that do nothing by default and that
 * the engine overrides with `orderMachine.provide({ actions: { … } })`:
 *   - `emitSubmit`    send the order to the venue (createOrder with `context.clientOrderId`)
 *   - `emitCancel`    ask the venue to cancel it (cancelOrder by client order id)
 *   - `emitReconcile` ask the engine to look the order up at the venue (fetchOrder /
 *                     fetchMyTrades by client order id) and feed the answers back as
 *                     VENUE_UPDATE / FILL / RECONCILE_NOT_FOUND events.
 * The engine must persist the snapshot produced by a transition before it acts on
 * the effect (write-ahead), and effect actions must not send events back
 * synchronously. Because effects are plain actions (not invoked actors), restoring a
 * persisted snapshot never re-runs them (see ../shared/docs/xstate-lmdb-notes.md).
 *
 * Deadlines are timestamps in context (`submitDeadline`, `cancelDeadline`, ms since
 * epoch); the engine's scheduler sends SUBMIT_TIMEOUT / CANCEL_TIMEOUT with
 * `at >= deadline` (see {@link nextDeadline}). A timeout event whose `at` is before
 * the current deadline is stale and ignored.
 *
 * All decimals in context are decimal strings (snapshots are plain JSON);
 * arithmetic uses decimal.js via src/domain/decimal.ts.
 *
 * ## Transition table
 *
 * Guards are tried top to bottom per (source, event); the first that passes wins.
 * An event not listed for a state is ignored (no change). "(stay)" = targetless
 * transition: context changes, state does not; "(ignore)" = consumed, nothing changes.
 *
 *   W = VALIDATED | SUBMITTED | UNKNOWN | ACCEPTED   (the venue may have the order; nothing executed yet)
 *   P = PARTIAL | PENDING_CANCEL                      (part executed, or a cancel in flight)
 *   T = FILLED | CANCELLED | EXPIRED | REJECTED       (outcome known; settling the accounts)
 *
 * | #  | source         | event               | guard                  | target         | actions                              |
 * |----|----------------|---------------------|------------------------|----------------|--------------------------------------|
 * | 1  | RECEIVED       | RISK_APPROVED       | -                      | VALIDATED      | -                                    |
 * | 2  | RECEIVED       | RISK_DENIED         | -                      | DENIED         | recordDenial                         |
 * | 3  | RECEIVED       | CANCEL              | -                      | CANCELLED      | markNothingAtVenue                   |
 * | 4  | VALIDATED      | SUBMIT              | -                      | SUBMITTED      | startSubmit, emitSubmit              |
 * | 5  | VALIDATED      | CANCEL              | -                      | CANCELLED      | markNothingAtVenue                   |
 * | 6  | SUBMITTED      | SUBMIT_TIMEOUT      | submitDeadlineReached  | UNKNOWN        | emitReconcile                        |
 * | 7  | SUBMITTED      | VENUE_REJECTED      | -                      | REJECTED       | recordVenueRejection                 |
 * | 8  | SUBMITTED      | CANCEL              | -                      | PENDING_CANCEL | startCancel, emitCancel              |
 * | 9  | UNKNOWN        | VENUE_REJECTED      | -                      | REJECTED       | recordVenueRejection                 |
 * | 10 | UNKNOWN        | RECONCILE_NOT_FOUND | neverSeenAtVenue       | VALIDATED      | -                                    |
 * | 11 | UNKNOWN        | CANCEL              | -                      | PENDING_CANCEL | startCancel, emitCancel              |
 * | 12 | ACCEPTED       | CANCEL              | -                      | PENDING_CANCEL | startCancel, emitCancel              |
 * | 13 | PARTIAL        | CANCEL              | -                      | PENDING_CANCEL | startCancel, emitCancel              |
 * | 14 | W              | FILL                | fillCompletesOrder     | FILLED         | applyFill                            |
 * | 15 | W              | FILL                | -                      | PARTIAL        | applyFill                            |
 * | 16 | W              | VENUE_UPDATE        | venueReportsRejected   | REJECTED       | applyVenueUpdate                     |
 * | 17 | W              | VENUE_UPDATE        | venueReportsCanceled   | CANCELLED      | applyVenueUpdate                     |
 * | 18 | W              | VENUE_UPDATE        | venueReportsExpired    | EXPIRED        | applyVenueUpdate                     |
 * | 19 | W              | VENUE_UPDATE        | venueReportsClosed     | FILLED         | applyVenueUpdate                     |
 * | 20 | W              | VENUE_UPDATE        | venueReportsExecution  | PARTIAL        | applyVenueUpdate                     |
 * | 21 | W              | VENUE_UPDATE        | -                      | ACCEPTED       | applyVenueUpdate (in ACCEPTED: self) |
 * | 22 | P              | FILL                | isDuplicateFill        | (ignore)       | -                                    |
 * | 23 | P              | FILL                | fillCompletesOrder     | FILLED         | applyFill                            |
 * | 24 | P              | FILL                | -                      | (stay)         | applyFill                            |
 * | 25 | P              | VENUE_UPDATE        | venueReportsRejected   | REJECTED       | applyVenueUpdate                     |
 * | 26 | P              | VENUE_UPDATE        | venueReportsCanceled   | CANCELLED      | applyVenueUpdate                     |
 * | 27 | P              | VENUE_UPDATE        | venueReportsExpired    | EXPIRED        | applyVenueUpdate                     |
 * | 28 | P              | VENUE_UPDATE        | venueReportsClosed     | FILLED         | applyVenueUpdate                     |
 * | 29 | P              | VENUE_UPDATE        | -                      | (stay)         | applyVenueUpdate                     |
 * | 30 | PENDING_CANCEL | VENUE_REJECTED      | -                      | REJECTED       | recordVenueRejection                 |
 * | 31 | PENDING_CANCEL | RECONCILE_NOT_FOUND | neverSeenAtVenue       | CANCELLED      | markNothingAtVenue                   |
 * | 32 | PENDING_CANCEL | CANCEL_REJECTED     | fullyExecuted          | FILLED         | recordCancelRejection, emitReconcile |
 * | 33 | PENDING_CANCEL | CANCEL_REJECTED     | partiallyExecuted      | PARTIAL        | recordCancelRejection, emitReconcile |
 * | 34 | PENDING_CANCEL | CANCEL_REJECTED     | acknowledgedByVenue    | ACCEPTED       | recordCancelRejection, emitReconcile |
 * | 35 | PENDING_CANCEL | CANCEL_REJECTED     | -                      | UNKNOWN        | recordCancelRejection, emitReconcile |
 * | 36 | PENDING_CANCEL | CANCEL_TIMEOUT      | cancelDeadlinePending  | (ignore)       | -                                    |
 * | 37 | PENDING_CANCEL | CANCEL_TIMEOUT      | fullyExecuted          | FILLED         | emitReconcile                        |
 * | 38 | PENDING_CANCEL | CANCEL_TIMEOUT      | partiallyExecuted      | PARTIAL        | emitReconcile                        |
 * | 39 | PENDING_CANCEL | CANCEL_TIMEOUT      | acknowledgedByVenue    | ACCEPTED       | emitReconcile                        |
 * | 40 | PENDING_CANCEL | CANCEL_TIMEOUT      | -                      | UNKNOWN        | emitReconcile                        |
 * | 41 | T              | FILL                | isDuplicateFill        | (ignore)       | -                                    |
 * | 42 | T              | FILL                | -                      | (stay)         | applyFill                            |
 * | 43 | T              | VENUE_UPDATE        | -                      | (stay)         | applyVenueUpdate                     |
 * | 44 | T              | (always)            | settled                | CLOSED         | -                                    |
 *
 * W states never hold a fill (any fill moves the order to PARTIAL or FILLED), so
 * they need no duplicate check; applyFill is idempotent by trade id regardless.
 * DENIED and CLOSED are final states (the actor's status becomes 'done').
 * Entry of every state except RECEIVED: recordTransition (appends {from, to, event, at});
 * entry of FILLED/CANCELLED/EXPIRED/REJECTED/DENIED also: setOutcome.
 * Exit of SUBMITTED: clearSubmitDeadline; exit of PENDING_CANCEL: clearCancelDeadline.
 *
 * ## Definitions
 *
 * - executed = max(filledQuantity, venueFilledQuantity): what we know has traded,
 *   from our fills or from the venue's cumulative count, whichever is ahead.
 * - isDuplicateFill: the fill's trade id is already in `tradeIds` (fills are idempotent).
 * - fillCompletesOrder: the order has a base `quantity` and executed, counting this
 *   fill, is >= quantity. (Quote-notional orders reach FILLED only when the venue
 *   reports `closed`.)
 * - venueReports<Status>: the VENUE_UPDATE's status is that status;
 *   venueReportsExecution: executed, counting the update, is > 0.
 * - fullyExecuted: quantity known and executed >= quantity, or the venue said `closed`.
 *   partiallyExecuted: executed > 0. acknowledgedByVenue: some venue status was seen.
 * - neverSeenAtVenue: no venue status, no fill, nothing executed.
 * - submitDeadlineReached: `submitDeadline` set and event.at >= it.
 *   cancelDeadlinePending: `cancelDeadline` unset or event.at < it (a stale timer).
 * - settled: the venue's outcome is final (`venueFinal`: it reported closed, canceled,
 *   expired or rejected, or the order never reached it) AND filledQuantity >=
 *   venueFilledQuantity (every fill the venue counted has been applied, with its fee).
 *
 * ## Design decisions
 *
 * - UNKNOWN is not a failure: the submit may or may not have reached the venue.
 *   It is left only by evidence: a venue update or fill (rows 14–21), a definitive
 *   rejection (9), or reconciliation proving the venue never had the order (10 →
 *   VALIDATED, from where the engine may SUBMIT again with the same client order id
 *   or CANCEL locally).
 * - CLOSED means: the venue will do nothing more with the order AND all its fills
 *   and fees are accounted for. Every venue outcome (FILLED, CANCELLED, EXPIRED,
 *   REJECTED) leads to CLOSED once settled; `context.outcome` keeps which one it
 *   was. FILLED by our own fills alone is not CLOSED until the venue confirms
 *   (`closed` update) — the engine gets that from the same executionReport.
 * - Late fills: after CANCEL (PENDING_CANCEL) and in CANCELLED/EXPIRED a fill is
 *   applied, never dropped. The venue's terminal update carries its cumulative
 *   executed quantity, so the actor stays in CANCELLED/EXPIRED until fills add up to it.
 * - Overfill: fills are venue facts and are never clamped or dropped. If the
 *   filled (or venue-reported) quantity exceeds the order quantity, the order is
 *   FILLED (or stays in the terminal state it is in) and an `overfill` anomaly is
 *   recorded once in `context.anomalies` for the engine to alert on. Our fills can only exceed `quantity` if the venue sent
 *   trades adding up to more than it.
 * - Archiving: an actor is final when its snapshot status is 'done' (CLOSED or
 *   DENIED); see {@link isFinal} / {@link isArchivable}. Events sent to a final
 *   actor are ignored by XState, so the engine must route anything that still
 *   arrives for an archived client order id to its anomaly log.
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import { z } from 'zod';
import { type Decimal, ZERO, dec, dmax, plain } from '../src/domain/decimal.ts';
import {
  type Fill,
  Fill as FillSchema,
  type OrderIntent,
  type OrderType,
  ReasonCode,
  type Side,
  type TimeInForce,
  TimestampMs,
  type VenueOrderStatus,
  VenueOrderUpdate,
  isTerminalVenueStatus,
} from '../src/domain/order.ts';

/**
 * Version of this machine's states and context shape. Store it beside every
 * persisted snapshot; a snapshot written by another version must be migrated or
 * replayed, not restored (XState would start it with status 'error').
 */
export const ORDER_MACHINE_VERSION = 1;

/** Default time allowed for a submit to be answered before the order becomes UNKNOWN (ccxt's 10 s request timeout + 5 s), ms. */
export const DEFAULT_SUBMIT_TIMEOUT_MS = 15_000;
/** Default time allowed for a cancel to be answered before it is treated as unconfirmed, ms. */
export const DEFAULT_CANCEL_TIMEOUT_MS = 15_000;

/** Every state of the order machine. */
export const ORDER_STATES = [
  'RECEIVED',
  'VALIDATED',
  'DENIED',
  'SUBMITTED',
  'UNKNOWN',
  'ACCEPTED',
  'PARTIAL',
  'PENDING_CANCEL',
  'FILLED',
  'CANCELLED',
  'EXPIRED',
  'REJECTED',
  'CLOSED',
] as const;
/** A state of the order machine (its snapshot `value`). */
export type OrderStateName = (typeof ORDER_STATES)[number];

/** Why the venue refused a cancel. `unknown_order` is Binance -2011 (also sent for orders already filled or closed). */
export const CancelRejectReason = z.enum(['unknown_order', 'already_filled', 'rate_limited', 'other']);
export type CancelRejectReason = z.infer<typeof CancelRejectReason>;

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/**
 * Events the order actor accepts. Every event carries `at`: when the engine
 * observed it, ms since epoch (the machine's only source of time).
 *
 * - `RISK_APPROVED {at}` / `RISK_DENIED {at, reason}`: result of the engine's risk/validation check.
 * - `SUBMIT {at}`: send the order now.
 * - `SUBMIT_TIMEOUT {at}`: the scheduler's submit deadline fired.
 * - `VENUE_UPDATE {at, update}`: the venue's view of the order ({@link VenueOrderUpdate}).
 * - `VENUE_REJECTED {at, reason, venueCode?, message?}`: the venue definitively refused
 *   the submit (e.g. Binance -2010 insufficient balance, filter failures). A timeout or
 *   network error is NOT a rejection.
 * - `FILL {at, fill}`: one trade ({@link Fill}).
 * - `CANCEL {at}`: request cancellation.
 * - `CANCEL_REJECTED {at, reason, venueCode?}`: the venue refused the cancel.
 * - `CANCEL_TIMEOUT {at}`: the scheduler's cancel deadline fired.
 * - `RECONCILE_NOT_FOUND {at}`: reconciliation found no such order at the venue,
 *   after the submit could still have arrived (e.g. past Binance's recvWindow).
 */
export const OrderEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('RISK_APPROVED'), at: TimestampMs }),
  z.object({ type: z.literal('RISK_DENIED'), at: TimestampMs, reason: ReasonCode }),
  z.object({ type: z.literal('SUBMIT'), at: TimestampMs }),
  z.object({ type: z.literal('SUBMIT_TIMEOUT'), at: TimestampMs }),
  z.object({ type: z.literal('VENUE_UPDATE'), at: TimestampMs, update: VenueOrderUpdate }),
  z.object({
    type: z.literal('VENUE_REJECTED'),
    at: TimestampMs,
    reason: ReasonCode,
    venueCode: z.number().int().optional(),
    message: z.string().max(512).optional(),
  }),
  z.object({ type: z.literal('FILL'), at: TimestampMs, fill: FillSchema }),
  z.object({ type: z.literal('CANCEL'), at: TimestampMs }),
  z.object({
    type: z.literal('CANCEL_REJECTED'),
    at: TimestampMs,
    reason: CancelRejectReason,
    venueCode: z.number().int().optional(),
  }),
  z.object({ type: z.literal('CANCEL_TIMEOUT'), at: TimestampMs }),
  z.object({ type: z.literal('RECONCILE_NOT_FOUND'), at: TimestampMs }),
]);
/** An event of the order machine; see {@link OrderEventSchema}. */
export type OrderEvent = z.infer<typeof OrderEventSchema>;
/** The `type` of an {@link OrderEvent}. */
export type OrderEventType = OrderEvent['type'];

// ---------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------

/** One state change: `from` → `to`, caused by event `event` whose `at` was `at` (ms since epoch). */
export interface OrderTransition {
  readonly from: OrderStateName;
  readonly to: OrderStateName;
  readonly event: OrderEventType;
  readonly at: number;
}

/** Something the venue reported that should not happen; kept for alerting, never acted on. */
export interface OrderAnomaly {
  /** `overfill`: executed quantity exceeded the order quantity. */
  readonly code: 'overfill';
  /** ms since epoch (the `at` of the event that revealed it). */
  readonly at: number;
  readonly detail: string;
}

/** How an order ended: set on entering FILLED, CANCELLED, EXPIRED, REJECTED or DENIED. */
export type OrderOutcome = 'filled' | 'cancelled' | 'expired' | 'rejected' | 'denied';

/**
 * The order actor's context: plain JSON (decimals as strings, times as ms since
 * epoch), so `getPersistedSnapshot()` can be stored as is.
 */
export interface OrderContext {
  // --- the intent (immutable) ---
  readonly clientOrderId: string;
  readonly signalId: string;
  readonly leg: string;
  /** Venue id (`"binance"`). */
  readonly venue: string;
  readonly accountId: string;
  /** ccxt symbol (`BTC/USDT`). */
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce | null;
  /** Order size, base currency; null for quote-notional orders. */
  readonly quantity: string | null;
  /** Order size as quote-currency notional; null unless given instead of `quantity`. */
  readonly quoteQuantity: string | null;
  /** Limit price, quote per base; null for market-style types. */
  readonly price: string | null;
  /** Trigger price, quote per base; null unless a stop/take-profit type. */
  readonly stopPrice: string | null;
  readonly reduceOnly: boolean;
  /** Intent creation time, ms since epoch. */
  readonly receivedAt: number;

  // --- our fills ---
  /** The venue's order id, once any venue message named it. */
  venueOrderId: string | null;
  /** Sum of the quantities of distinct fills, base currency. */
  filledQuantity: string;
  /** Sum of price × quantity of distinct fills, quote currency (exact). */
  filledNotional: string;
  /** Volume-weighted average fill price, quote per base: filledNotional / filledQuantity (40 significant digits, rounded down); null before the first fill. */
  averagePrice: string | null;
  /** Fees per currency (`{ BNB: "0.0001" }`), summed over distinct fills; negative = rebate. */
  fees: Record<string, string>;
  /** Trade ids of the applied fills, in the order they were applied. */
  tradeIds: string[];

  // --- the venue's view ---
  /** Venue's cumulative executed quantity (max seen; updates may arrive out of order), base currency. */
  venueFilledQuantity: string;
  /** Venue's average price at its highest reported executed quantity; null if never reported. */
  venueAveragePrice: string | null;
  /** Last venue status (a terminal status is never overwritten by a later 'open'). */
  lastVenueStatus: VenueOrderStatus | null;
  /** Time of the latest venue update (its `time`), ms since epoch. */
  lastVenueUpdateAt: number | null;
  /** True once the venue can do nothing more with the order (terminal status, definitive rejection, or it never reached the venue). */
  venueFinal: boolean;

  // --- outcome and reasons ---
  outcome: OrderOutcome | null;
  /** Reason code of RISK_DENIED. */
  denyReason: string | null;
  /** Reason code of the venue's rejection (`VENUE_REJECTED.reason`, or `venue_rejected` from a status update). */
  rejectReason: string | null;
  /** Venue error code of the rejection (Binance `code`, e.g. -2010). */
  rejectCode: number | null;
  /** Reason of the last refused cancel. */
  cancelRejectReason: CancelRejectReason | null;

  // --- submit / cancel bookkeeping ---
  /** Number of SUBMITs (a resubmit after RECONCILE_NOT_FOUND reuses the client order id). */
  submitAttempts: number;
  /** Time of the last SUBMIT, ms since epoch. */
  submittedAt: number | null;
  /** While SUBMITTED: when SUBMIT_TIMEOUT is due, ms since epoch; null otherwise. */
  submitDeadline: number | null;
  /** Time of the last CANCEL, ms since epoch. */
  cancelRequestedAt: number | null;
  /** While PENDING_CANCEL: when CANCEL_TIMEOUT is due, ms since epoch; null otherwise. */
  cancelDeadline: number | null;
  /** Submit timeout used to compute `submitDeadline`, ms. */
  readonly submitTimeoutMs: number;
  /** Cancel timeout used to compute `cancelDeadline`, ms. */
  readonly cancelTimeoutMs: number;

  // --- history ---
  anomalies: OrderAnomaly[];
  /** Every state change, oldest first (the initial RECEIVED is implicit, at `receivedAt`). */
  transitions: OrderTransition[];
}

/** Machine input: a validated {@link OrderIntent} (parse it with the `OrderIntent` schema first) and optional timeouts in ms. */
export interface OrderMachineInput {
  readonly intent: OrderIntent;
  /** Default {@link DEFAULT_SUBMIT_TIMEOUT_MS}. */
  readonly submitTimeoutMs?: number;
  /** Default {@link DEFAULT_CANCEL_TIMEOUT_MS}. */
  readonly cancelTimeoutMs?: number;
}

/** Builds the initial context from the input. Pure. */
export function initialOrderContext(input: OrderMachineInput): OrderContext {
  const i = input.intent;
  return {
    clientOrderId: i.clientOrderId,
    signalId: i.signalId,
    leg: i.leg,
    venue: i.venue,
    accountId: i.accountId,
    symbol: i.symbol,
    side: i.side,
    type: i.type,
    timeInForce: i.timeInForce ?? null,
    quantity: i.quantity ?? null,
    quoteQuantity: i.quoteQuantity ?? null,
    price: i.price ?? null,
    stopPrice: i.stopPrice ?? null,
    reduceOnly: i.reduceOnly,
    receivedAt: i.createdAt,
    venueOrderId: null,
    filledQuantity: '0',
    filledNotional: '0',
    averagePrice: null,
    fees: {},
    tradeIds: [],
    venueFilledQuantity: '0',
    venueAveragePrice: null,
    lastVenueStatus: null,
    lastVenueUpdateAt: null,
    venueFinal: false,
    outcome: null,
    denyReason: null,
    rejectReason: null,
    rejectCode: null,
    cancelRejectReason: null,
    submitAttempts: 0,
    submittedAt: null,
    submitDeadline: null,
    cancelRequestedAt: null,
    cancelDeadline: null,
    submitTimeoutMs: input.submitTimeoutMs ?? DEFAULT_SUBMIT_TIMEOUT_MS,
    cancelTimeoutMs: input.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS,
    anomalies: [],
    transitions: [],
  };
}

// ---------------------------------------------------------------------------
// Pure helpers used by guards and actions
// ---------------------------------------------------------------------------

/** max(our filled quantity, the venue's cumulative filled quantity), base currency. */
function executedOf(ctx: OrderContext): Decimal {
  return dmax(dec(ctx.filledQuantity), dec(ctx.venueFilledQuantity));
}

function reachesQuantity(ctx: OrderContext, executed: Decimal): boolean {
  return ctx.quantity !== null && executed.gte(dec(ctx.quantity));
}

/** Appends an `overfill` anomaly the first time executed exceeds the order quantity. */
function withOverfill(ctx: OrderContext, executed: Decimal, at: number): OrderAnomaly[] {
  if (ctx.quantity === null || executed.lte(dec(ctx.quantity))) return ctx.anomalies;
  if (ctx.anomalies.some((a) => a.code === 'overfill')) return ctx.anomalies;
  return [...ctx.anomalies, { code: 'overfill', at, detail: `executed ${plain(executed)} > quantity ${ctx.quantity}` }];
}

/** The context after applying one fill (idempotent: a known trade id changes nothing). */
function applyFillTo(ctx: OrderContext, fill: Fill, at: number): Partial<OrderContext> {
  if (ctx.tradeIds.includes(fill.tradeId)) return {};
  const qty = dec(fill.quantity);
  const filled = dec(ctx.filledQuantity).plus(qty);
  const notional = dec(ctx.filledNotional).plus(qty.times(dec(fill.price)));
  const fees = { ...ctx.fees };
  if (fill.feeCurrency !== null) {
    fees[fill.feeCurrency] = plain(dec(fees[fill.feeCurrency] ?? '0').plus(dec(fill.feeAmount)));
  }
  return {
    venueOrderId: ctx.venueOrderId ?? fill.venueOrderId,
    filledQuantity: plain(filled),
    filledNotional: plain(notional),
    averagePrice: plain(notional.div(filled)),
    fees,
    tradeIds: [...ctx.tradeIds, fill.tradeId],
    anomalies: withOverfill(ctx, dmax(filled, dec(ctx.venueFilledQuantity)), at),
  };
}

/** The context after a venue update: quantities only grow, a terminal status is never replaced by 'open'. */
function applyVenueUpdateTo(ctx: OrderContext, update: VenueOrderUpdate, at: number): Partial<OrderContext> {
  const prior = dec(ctx.venueFilledQuantity);
  const reported = dec(update.filledQuantity);
  const ahead = reported.gt(prior);
  const venueFilled = ahead ? reported : prior;
  const terminal = isTerminalVenueStatus(update.status);
  return {
    venueOrderId: ctx.venueOrderId ?? update.venueOrderId,
    venueFilledQuantity: plain(venueFilled),
    venueAveragePrice: ahead || ctx.venueAveragePrice === null ? (update.averagePrice ?? ctx.venueAveragePrice) : ctx.venueAveragePrice,
    lastVenueStatus: ctx.venueFinal && !terminal ? ctx.lastVenueStatus : update.status,
    lastVenueUpdateAt: ctx.lastVenueUpdateAt === null ? update.time : Math.max(ctx.lastVenueUpdateAt, update.time),
    venueFinal: ctx.venueFinal || terminal,
    rejectReason: update.status === 'rejected' && ctx.rejectReason === null ? 'venue_rejected' : ctx.rejectReason,
    anomalies: withOverfill(ctx, dmax(dec(ctx.filledQuantity), venueFilled), at),
  };
}

function venueStatusIs(event: OrderEvent, status: VenueOrderStatus): boolean {
  return event.type === 'VENUE_UPDATE' && event.update.status === status;
}

function transitionFrom(ctx: OrderContext): OrderStateName {
  return ctx.transitions.at(-1)?.to ?? 'RECEIVED';
}

// ---------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------

/**
 * The order machine. Create an actor with
 * `createActor(orderMachine, { input: { intent } })` (fresh) or
 * `createActor(orderMachine, { snapshot, input: undefined })` (restored from
 * `getPersistedSnapshot()`, after checking the stored {@link ORDER_MACHINE_VERSION};
 * XState's types require the `input` key even when restoring, and ignore it), then
 * check `getSnapshot().status !== 'error'` after `start()`. Override the effect
 * actions with `orderMachine.provide({ actions: { emitSubmit, emitCancel, emitReconcile } })`;
 * each receives `{ context, event }` with the context already updated by the transition.
 */
export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as OrderMachineInput,
  },
  guards: {
    isDuplicateFill: ({ context, event }) => event.type === 'FILL' && context.tradeIds.includes(event.fill.tradeId),
    fillCompletesOrder: ({ context, event }) =>
      event.type === 'FILL' &&
      reachesQuantity(context, dmax(dec(context.filledQuantity).plus(dec(event.fill.quantity)), dec(context.venueFilledQuantity))),
    venueReportsRejected: ({ event }) => venueStatusIs(event, 'rejected'),
    venueReportsCanceled: ({ event }) => venueStatusIs(event, 'canceled'),
    venueReportsExpired: ({ event }) => venueStatusIs(event, 'expired'),
    venueReportsClosed: ({ event }) => venueStatusIs(event, 'closed'),
    venueReportsExecution: ({ context, event }) =>
      event.type === 'VENUE_UPDATE' && dmax(executedOf(context), dec(event.update.filledQuantity)).gt(ZERO),
    fullyExecuted: ({ context }) => context.lastVenueStatus === 'closed' || reachesQuantity(context, executedOf(context)),
    partiallyExecuted: ({ context }) => executedOf(context).gt(ZERO),
    acknowledgedByVenue: ({ context }) => context.lastVenueStatus !== null,
    neverSeenAtVenue: ({ context }) =>
      context.lastVenueStatus === null && context.tradeIds.length === 0 && executedOf(context).isZero(),
    submitDeadlineReached: ({ context, event }) => context.submitDeadline !== null && event.at >= context.submitDeadline,
    cancelDeadlinePending: ({ context, event }) => context.cancelDeadline === null || event.at < context.cancelDeadline,
    settled: ({ context }) => context.venueFinal && dec(context.filledQuantity).gte(dec(context.venueFilledQuantity)),
  },
  actions: {
    // ----- effects: no-ops here, provided by the engine -----
    emitSubmit: () => {},
    emitCancel: () => {},
    emitReconcile: () => {},

    // ----- context updates -----
    applyFill: assign(({ context, event }) => (event.type === 'FILL' ? applyFillTo(context, event.fill, event.at) : {})),
    applyVenueUpdate: assign(({ context, event }) =>
      event.type === 'VENUE_UPDATE' ? applyVenueUpdateTo(context, event.update, event.at) : {},
    ),
    recordDenial: assign(({ event }) => (event.type === 'RISK_DENIED' ? { denyReason: event.reason } : {})),
    recordVenueRejection: assign(({ event }) =>
      event.type === 'VENUE_REJECTED'
        ? {
            rejectReason: event.reason,
            rejectCode: event.venueCode ?? null,
            lastVenueStatus: 'rejected' as const,
            venueFinal: true,
          }
        : {},
    ),
    recordCancelRejection: assign(({ event }) =>
      event.type === 'CANCEL_REJECTED' ? { cancelRejectReason: event.reason } : {},
    ),
    markNothingAtVenue: assign({ venueFinal: true }),
    startSubmit: assign(({ context, event }) => ({
      submitAttempts: context.submitAttempts + 1,
      submittedAt: event.at,
      submitDeadline: event.at + context.submitTimeoutMs,
    })),
    startCancel: assign(({ context, event }) => ({
      cancelRequestedAt: event.at,
      cancelDeadline: event.at + context.cancelTimeoutMs,
      cancelRejectReason: null,
    })),
    clearSubmitDeadline: assign({ submitDeadline: null }),
    clearCancelDeadline: assign({ cancelDeadline: null }),
    recordTransition: assign(({ context, event }, params: { to: OrderStateName }) => ({
      transitions: [...context.transitions, { from: transitionFrom(context), to: params.to, event: event.type, at: event.at }],
    })),
    setOutcome: assign((_, params: { outcome: OrderOutcome }) => ({ outcome: params.outcome })),
  },
}).createMachine({
  id: 'order',
  version: String(ORDER_MACHINE_VERSION),
  context: ({ input }) => initialOrderContext(input),
  initial: 'RECEIVED',
  states: {
    RECEIVED: {
      on: {
        RISK_APPROVED: { target: 'VALIDATED' }, // 1
        RISK_DENIED: { target: 'DENIED', actions: 'recordDenial' }, // 2
        CANCEL: { target: 'CANCELLED', actions: 'markNothingAtVenue' }, // 3
      },
    },

    VALIDATED: {
      entry: { type: 'recordTransition', params: { to: 'VALIDATED' } },
      on: {
        SUBMIT: { target: 'SUBMITTED', actions: ['startSubmit', 'emitSubmit'] }, // 4
        CANCEL: { target: 'CANCELLED', actions: 'markNothingAtVenue' }, // 5
        FILL: [
          { guard: 'fillCompletesOrder', target: 'FILLED', actions: 'applyFill' }, // 14
          { target: 'PARTIAL', actions: 'applyFill' }, // 15
        ],
        VENUE_UPDATE: [
          { guard: 'venueReportsRejected', target: 'REJECTED', actions: 'applyVenueUpdate' }, // 16
          { guard: 'venueReportsCanceled', target: 'CANCELLED', actions: 'applyVenueUpdate' }, // 17
          { guard: 'venueReportsExpired', target: 'EXPIRED', actions: 'applyVenueUpdate' }, // 18
          { guard: 'venueReportsClosed', target: 'FILLED', actions: 'applyVenueUpdate' }, // 19
          { guard: 'venueReportsExecution', target: 'PARTIAL', actions: 'applyVenueUpdate' }, // 20
          { target: 'ACCEPTED', actions: 'applyVenueUpdate' }, // 21
        ],
      },
    },

    DENIED: {
      type: 'final',
      entry: [
        { type: 'recordTransition', params: { to: 'DENIED' } },
        { type: 'setOutcome', params: { outcome: 'denied' } },
      ],
    },

    SUBMITTED: {
      entry: { type: 'recordTransition', params: { to: 'SUBMITTED' } },
      exit: 'clearSubmitDeadline',
      on: {
        SUBMIT_TIMEOUT: { guard: 'submitDeadlineReached', target: 'UNKNOWN', actions: 'emitReconcile' }, // 6
        VENUE_REJECTED: { target: 'REJECTED', actions: 'recordVenueRejection' }, // 7
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 8
        FILL: [
          { guard: 'fillCompletesOrder', target: 'FILLED', actions: 'applyFill' }, // 14
          { target: 'PARTIAL', actions: 'applyFill' }, // 15
        ],
        VENUE_UPDATE: [
          { guard: 'venueReportsRejected', target: 'REJECTED', actions: 'applyVenueUpdate' }, // 16
          { guard: 'venueReportsCanceled', target: 'CANCELLED', actions: 'applyVenueUpdate' }, // 17
          { guard: 'venueReportsExpired', target: 'EXPIRED', actions: 'applyVenueUpdate' }, // 18
          { guard: 'venueReportsClosed', target: 'FILLED', actions: 'applyVenueUpdate' }, // 19
          { guard: 'venueReportsExecution', target: 'PARTIAL', actions: 'applyVenueUpdate' }, // 20
          { target: 'ACCEPTED', actions: 'applyVenueUpdate' }, // 21
        ],
      },
    },

    UNKNOWN: {
      entry: { type: 'recordTransition', params: { to: 'UNKNOWN' } },
      on: {
        VENUE_REJECTED: { target: 'REJECTED', actions: 'recordVenueRejection' }, // 9
        RECONCILE_NOT_FOUND: { guard: 'neverSeenAtVenue', target: 'VALIDATED' }, // 10
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 11
        FILL: [
          { guard: 'fillCompletesOrder', target: 'FILLED', actions: 'applyFill' }, // 14
          { target: 'PARTIAL', actions: 'applyFill' }, // 15
        ],
        VENUE_UPDATE: [
          { guard: 'venueReportsRejected', target: 'REJECTED', actions: 'applyVenueUpdate' }, // 16
          { guard: 'venueReportsCanceled', target: 'CANCELLED', actions: 'applyVenueUpdate' }, // 17
          { guard: 'venueReportsExpired', target: 'EXPIRED', actions: 'applyVenueUpdate' }, // 18
          { guard: 'venueReportsClosed', target: 'FILLED', actions: 'applyVenueUpdate' }, // 19
          { guard: 'venueReportsExecution', target: 'PARTIAL', actions: 'applyVenueUpdate' }, // 20
          { target: 'ACCEPTED', actions: 'applyVenueUpdate' }, // 21
        ],
      },
    },

    ACCEPTED: {
      entry: { type: 'recordTransition', params: { to: 'ACCEPTED' } },
      on: {
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 12
        FILL: [
          { guard: 'fillCompletesOrder', target: 'FILLED', actions: 'applyFill' }, // 14
          { target: 'PARTIAL', actions: 'applyFill' }, // 15
        ],
        VENUE_UPDATE: [
          { guard: 'venueReportsRejected', target: 'REJECTED', actions: 'applyVenueUpdate' }, // 16
          { guard: 'venueReportsCanceled', target: 'CANCELLED', actions: 'applyVenueUpdate' }, // 17
          { guard: 'venueReportsExpired', target: 'EXPIRED', actions: 'applyVenueUpdate' }, // 18
          { guard: 'venueReportsClosed', target: 'FILLED', actions: 'applyVenueUpdate' }, // 19
          { guard: 'venueReportsExecution', target: 'PARTIAL', actions: 'applyVenueUpdate' }, // 20
          { target: 'ACCEPTED', actions: 'applyVenueUpdate' }, // 21 (self: no re-entry, no new record)
        ],
      },
    },

    PARTIAL: {
      entry: { type: 'recordTransition', params: { to: 'PARTIAL' } },
      on: {
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 13
        FILL: [
          { guard: 'isDuplicateFill' }, // 22
          { guard: 'fillCompletesOrder', target: 'FILLED', actions: 'applyFill' }, // 23
          { actions: 'applyFill' }, // 24
        ],
        VENUE_UPDATE: [
          { guard: 'venueReportsRejected', target: 'REJECTED', actions: 'applyVenueUpdate' }, // 25
          { guard: 'venueReportsCanceled', target: 'CANCELLED', actions: 'applyVenueUpdate' }, // 26
          { guard: 'venueReportsExpired', target: 'EXPIRED', actions: 'applyVenueUpdate' }, // 27
          { guard: 'venueReportsClosed', target: 'FILLED', actions: 'applyVenueUpdate' }, // 28
          { actions: 'applyVenueUpdate' }, // 29
        ],
      },
    },

    PENDING_CANCEL: {
      entry: { type: 'recordTransition', params: { to: 'PENDING_CANCEL' } },
      exit: 'clearCancelDeadline',
      on: {
        FILL: [
          { guard: 'isDuplicateFill' }, // 22
          { guard: 'fillCompletesOrder', target: 'FILLED', actions: 'applyFill' }, // 23
          { actions: 'applyFill' }, // 24
        ],
        VENUE_UPDATE: [
          { guard: 'venueReportsRejected', target: 'REJECTED', actions: 'applyVenueUpdate' }, // 25
          { guard: 'venueReportsCanceled', target: 'CANCELLED', actions: 'applyVenueUpdate' }, // 26
          { guard: 'venueReportsExpired', target: 'EXPIRED', actions: 'applyVenueUpdate' }, // 27
          { guard: 'venueReportsClosed', target: 'FILLED', actions: 'applyVenueUpdate' }, // 28
          { actions: 'applyVenueUpdate' }, // 29
        ],
        VENUE_REJECTED: { target: 'REJECTED', actions: 'recordVenueRejection' }, // 30
        RECONCILE_NOT_FOUND: { guard: 'neverSeenAtVenue', target: 'CANCELLED', actions: 'markNothingAtVenue' }, // 31
        CANCEL_REJECTED: [
          { guard: 'fullyExecuted', target: 'FILLED', actions: ['recordCancelRejection', 'emitReconcile'] }, // 32
          { guard: 'partiallyExecuted', target: 'PARTIAL', actions: ['recordCancelRejection', 'emitReconcile'] }, // 33
          { guard: 'acknowledgedByVenue', target: 'ACCEPTED', actions: ['recordCancelRejection', 'emitReconcile'] }, // 34
          { target: 'UNKNOWN', actions: ['recordCancelRejection', 'emitReconcile'] }, // 35
        ],
        CANCEL_TIMEOUT: [
          { guard: 'cancelDeadlinePending' }, // 36
          { guard: 'fullyExecuted', target: 'FILLED', actions: 'emitReconcile' }, // 37
          { guard: 'partiallyExecuted', target: 'PARTIAL', actions: 'emitReconcile' }, // 38
          { guard: 'acknowledgedByVenue', target: 'ACCEPTED', actions: 'emitReconcile' }, // 39
          { target: 'UNKNOWN', actions: 'emitReconcile' }, // 40
        ],
      },
    },

    FILLED: {
      entry: [
        { type: 'recordTransition', params: { to: 'FILLED' } },
        { type: 'setOutcome', params: { outcome: 'filled' } },
      ],
      always: { guard: 'settled', target: 'CLOSED' }, // 44
      on: {
        FILL: [
          { guard: 'isDuplicateFill' }, // 41
          { actions: 'applyFill' }, // 42
        ],
        VENUE_UPDATE: { actions: 'applyVenueUpdate' }, // 43
      },
    },

    CANCELLED: {
      entry: [
        { type: 'recordTransition', params: { to: 'CANCELLED' } },
        { type: 'setOutcome', params: { outcome: 'cancelled' } },
      ],
      always: { guard: 'settled', target: 'CLOSED' }, // 44
      on: {
        FILL: [
          { guard: 'isDuplicateFill' }, // 41
          { actions: 'applyFill' }, // 42
        ],
        VENUE_UPDATE: { actions: 'applyVenueUpdate' }, // 43
      },
    },

    EXPIRED: {
      entry: [
        { type: 'recordTransition', params: { to: 'EXPIRED' } },
        { type: 'setOutcome', params: { outcome: 'expired' } },
      ],
      always: { guard: 'settled', target: 'CLOSED' }, // 44
      on: {
        FILL: [
          { guard: 'isDuplicateFill' }, // 41
          { actions: 'applyFill' }, // 42
        ],
        VENUE_UPDATE: { actions: 'applyVenueUpdate' }, // 43
      },
    },

    REJECTED: {
      entry: [
        { type: 'recordTransition', params: { to: 'REJECTED' } },
        { type: 'setOutcome', params: { outcome: 'rejected' } },
      ],
      always: { guard: 'settled', target: 'CLOSED' }, // 44
      on: {
        FILL: [
          { guard: 'isDuplicateFill' }, // 41
          { actions: 'applyFill' }, // 42
        ],
        VENUE_UPDATE: { actions: 'applyVenueUpdate' }, // 43
      },
    },

    CLOSED: {
      type: 'final',
      entry: { type: 'recordTransition', params: { to: 'CLOSED' } },
    },
  },
});

/** The order machine's type. */
export type OrderMachine = typeof orderMachine;
/** A live snapshot of an order actor. */
export type OrderSnapshot = SnapshotFrom<OrderMachine>;

// ---------------------------------------------------------------------------
// Pure helpers for the engine
// ---------------------------------------------------------------------------

/** The snapshot's state name. */
export function orderStateOf(snapshot: OrderSnapshot): OrderStateName {
  return snapshot.value;
}

/**
 * True when the order actor has finished: CLOSED (the venue's outcome is final
 * and every fill/fee is accounted for) or DENIED (never sent). Its snapshot
 * status is then 'done' and it accepts no more events.
 */
export function isFinal(snapshot: Pick<OrderSnapshot, 'status'>): boolean {
  return snapshot.status === 'done';
}

/**
 * True when the actor can be moved out of the live registry into the archive:
 * it {@link isFinal | is final} and its last transition is at least `graceMs`
 * old at `nowMs` (both ms; the grace keeps recently closed orders addressable
 * so that stray venue messages are attributed rather than orphaned).
 */
export function isArchivable(snapshot: OrderSnapshot, nowMs: number, graceMs = 0): boolean {
  if (!isFinal(snapshot)) return false;
  const lastAt = snapshot.context.transitions.at(-1)?.at ?? snapshot.context.receivedAt;
  return nowMs - lastAt >= graceMs;
}

/** A timeout the engine's scheduler should deliver: send `{ type, at }` once the clock reaches `at` (ms since epoch). */
export interface OrderDeadline {
  readonly type: 'SUBMIT_TIMEOUT' | 'CANCEL_TIMEOUT';
  readonly at: number;
}

/** The next deadline of this order, or null. Recompute after every transition (deadlines are cleared when their state is left). */
export function nextDeadline(snapshot: OrderSnapshot): OrderDeadline | null {
  if (isFinal(snapshot)) return null;
  const ctx = snapshot.context;
  if (ctx.submitDeadline !== null) return { type: 'SUBMIT_TIMEOUT', at: ctx.submitDeadline };
  if (ctx.cancelDeadline !== null) return { type: 'CANCEL_TIMEOUT', at: ctx.cancelDeadline };
  return null;
}

/**
 * True when the engine should reconcile the order against the venue: its submit
 * outcome is UNKNOWN, or the venue reported a terminal status counting more
 * executed quantity than the fills received so far (fills are missing).
 */
export function needsReconciliation(snapshot: OrderSnapshot): boolean {
  if (isFinal(snapshot)) return false;
  if (snapshot.value === 'UNKNOWN') return true;
  const ctx = snapshot.context;
  return ctx.venueFinal && dec(ctx.filledQuantity).lt(dec(ctx.venueFilledQuantity));
}
