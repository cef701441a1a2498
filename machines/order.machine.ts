/**
 * The order statechart: one live XState v5 actor per order.
 *
 * PURE: no I/O, no timers, no clock reads, no invoked promises, no spawned
 * children. Time enters only through each event's `at` (ms since epoch, set by
 * the engine). Effects are named actions that do nothing by default and that
 * the engine overrides with `orderMachine.provide({ actions: { … } })`:
 *   - `emitSubmit`    send the order to the venue (createOrder with `context.intent.clientOrderId`)
 *   - `emitCancel`    ask the venue to cancel it (cancelOrder by client order id)
 *   - `emitReconcile` ask the engine to look the order up at the venue (fetchOrder /
 *                     fetchMyTrades by client order id) and feed the answers back as
 *                     VENUE_UPDATE / FILL / RECONCILE_NOT_FOUND events.
 * The engine must persist the snapshot produced by a transition before it acts on
 * the effect (write-ahead), and effect actions must not send events back
 * synchronously. Because effects are plain actions (not invoked actors), restoring a
 * persisted snapshot never re-runs them (see ../shared/docs/xstate-lmdb-notes.md).
 *
 * Deadlines are timestamps in context (`timing.submitDeadline`, `timing.cancelDeadline`,
 * ms since epoch); the engine's scheduler sends SUBMIT_TIMEOUT / CANCEL_TIMEOUT with
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
 * | 45 | ACCEPTED       | RECONCILE_NOT_FOUND | -                      | CANCELLED      | markVanished                         |
 * | 46 | PARTIAL        | RECONCILE_NOT_FOUND | -                      | CANCELLED      | markVanished                         |
 * | 47 | PENDING_CANCEL | RECONCILE_NOT_FOUND | - (after row 31)       | CANCELLED      | markVanished                         |
 *
 * W states never hold a fill (any fill moves the order to PARTIAL or FILLED), so
 * they need no duplicate check; applyFill is idempotent by trade id regardless.
 * DENIED and CLOSED are final states (the actor's status becomes 'done').
 * Entry of every state except RECEIVED: recordTransition (appends {from, to, event, at};
 * entering FILLED/CANCELLED/EXPIRED/REJECTED/DENIED it also sets `result.outcome`, in
 * the same assign). Exit of SUBMITTED: clearSubmitDeadline; exit of PENDING_CANCEL:
 * clearCancelDeadline. A microstep therefore runs at most three assigns (exit,
 * transition action, entry): e.g. SUBMITTED → FILLED on FILL runs clearSubmitDeadline,
 * applyFill, recordTransition (and row 44, if it follows, one more recordTransition).
 *
 * ## Definitions
 *
 * Context paths below are those of {@link OrderContext} (grouped: `intent`, `fills`,
 * `venue`, `result`, `timing`, `anomalies`, `transitions`).
 *
 * - executed = max(fills.filledQuantity, venue.filledQuantity): what we know has traded,
 *   from our fills or from the venue's cumulative count, whichever is ahead.
 * - isDuplicateFill: the fill's trade id is already in `fills.tradeIds` (fills are idempotent).
 * - fillCompletesOrder: the order has a base `intent.quantity` and executed, counting this
 *   fill, is >= quantity. (Quote-notional orders reach FILLED only when the venue
 *   reports `closed`.)
 * - venueReports<Status>: the VENUE_UPDATE's status is that status;
 *   venueReportsExecution: executed, counting the update, is > 0.
 * - fullyExecuted: quantity known and executed >= quantity, or the venue said `closed`.
 *   partiallyExecuted: executed > 0. acknowledgedByVenue: some venue status was seen
 *   (`venue.status` set).
 * - neverSeenAtVenue: no venue status, no fill, nothing executed.
 * - submitDeadlineReached: `timing.submitDeadline` set and event.at >= it.
 *   cancelDeadlinePending: `timing.cancelDeadline` unset or event.at < it (a stale timer).
 * - settled: the venue's outcome is final (`venue.final`: it reported closed, canceled,
 *   expired or rejected, or the order never reached it) AND fills.filledQuantity >=
 *   venue.filledQuantity (every fill the venue counted has been applied, with its fee).
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
 *   REJECTED) leads to CLOSED once settled; `context.result.outcome` keeps which one it
 *   was. FILLED by our own fills alone is not CLOSED until the venue confirms
 *   (`closed` update) — the engine gets that from the same executionReport.
 * - Vanished orders (rows 45–47): an order the venue acknowledged (or was asked to cancel) and no
 *   longer knows is closed as CANCELLED with a `vanished_at_venue` anomaly: nothing more can happen to
 *   it there, and leaving it working would have reconciliation look it up forever. One whose venue
 *   count exceeds its fills stays CANCELLED, not CLOSED (`settled` fails): those fills are missing.
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
  OrderIntent,
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
 * replayed, never restored into this machine: XState starts a snapshot naming an
 * unknown state with status 'error', but a snapshot whose states exist and whose
 * context has another shape starts normally and fails at its next event. The
 * stored version is the only guard.
 *
 * - 1: flat context of 40 keys.
 * - 2: the same data grouped into `intent`, `fills`, `venue`, `result`, `timing`,
 *   `anomalies`, `transitions` (see {@link OrderContext}); states, events and
 *   transitions unchanged. Version-1 snapshots are NOT restored (the engine logs
 *   an error and leaves such a live order as it is): drain a version-1 store before
 *   upgrading (let every live order close under the old code, or cancel them there).
 *   Closed version-1 orders stay readable: {@link orderContextOf} converts their
 *   context for views.
 */
export const ORDER_MACHINE_VERSION = 2;

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
 *   after the submit could still have arrived (e.g. past Binance's recvWindow); for an order the
 *   venue had acknowledged, that it is neither among its open orders nor found by client order id.
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
  /**
   * `overfill`: executed quantity exceeded the order quantity. `vanished_at_venue`: the venue had
   * acknowledged the order and no longer knows it (reconciliation found it neither open nor by its client
   * order id: Binance drops cancelled or expired orders with nothing executed after a while; a testnet
   * reset, or a paper venue started afresh, drops everything); the order is closed as cancelled.
   */
  readonly code: 'overfill' | 'vanished_at_venue';
  /** ms since epoch (the `at` of the event that revealed it). */
  readonly at: number;
  readonly detail: string;
}

/** How an order ended: set on entering FILLED, CANCELLED, EXPIRED, REJECTED or DENIED. */
export type OrderOutcome = 'filled' | 'cancelled' | 'expired' | 'rejected' | 'denied';

/**
 * The order as the client asked for it: copied from the {@link OrderIntent} when
 * the actor is created, never changed afterwards. Optional intent fields are null here.
 */
export interface OrderIntentFields {
  readonly clientOrderId: string;
  readonly signalId: string;
  readonly leg: string;
  /** Venue account id (`"binance"`). Not to be confused with the context's `venue` group (the venue's view of the order). */
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
}

/** What our own fills add up to (distinct trade ids only). */
export interface OrderFills {
  /** Sum of the quantities of distinct fills, base currency. */
  readonly filledQuantity: string;
  /** Sum of price × quantity of distinct fills, quote currency (exact). */
  readonly filledNotional: string;
  /** Volume-weighted average fill price, quote per base: filledNotional / filledQuantity (40 significant digits, rounded down); null before the first fill. */
  readonly averagePrice: string | null;
  /** Fees per currency (`{ BNB: "0.0001" }`), summed over distinct fills; negative = rebate. */
  readonly fees: Readonly<Record<string, string>>;
  /** Trade ids of the applied fills, in the order they were applied. */
  readonly tradeIds: readonly string[];
}

/** The venue's own view of the order, from its updates (and the venue order id, from any venue message). */
export interface OrderVenueView {
  /** The venue's order id, once any venue message (update or fill) named it. */
  readonly orderId: string | null;
  /** Venue's cumulative executed quantity (max seen; updates may arrive out of order), base currency. */
  readonly filledQuantity: string;
  /** Venue's average price at its highest reported executed quantity; null if never reported. */
  readonly averagePrice: string | null;
  /** Last venue status (a terminal status is never overwritten by a later 'open'). */
  readonly status: VenueOrderStatus | null;
  /** Time of the latest venue update (its `time`), ms since epoch. */
  readonly updatedAt: number | null;
  /** True once the venue can do nothing more with the order (terminal status, definitive rejection, or it never reached the venue). */
  readonly final: boolean;
}

/** How the order ended, and why things were refused. */
export interface OrderResult {
  readonly outcome: OrderOutcome | null;
  /** Reason code of RISK_DENIED. */
  readonly denyReason: string | null;
  /** Reason code of the venue's rejection (`VENUE_REJECTED.reason`, or `venue_rejected` from a status update). */
  readonly rejectReason: string | null;
  /** Venue error code of the rejection (Binance `code`, e.g. -2010). */
  readonly rejectCode: number | null;
  /** Reason of the last refused cancel. */
  readonly cancelRejectReason: CancelRejectReason | null;
}

/** Submit / cancel bookkeeping: attempts, request times, deadlines and the timeouts they are computed from. */
export interface OrderTiming {
  /** Number of SUBMITs (a resubmit after RECONCILE_NOT_FOUND reuses the client order id). */
  readonly submitAttempts: number;
  /** Time of the last SUBMIT, ms since epoch. */
  readonly submittedAt: number | null;
  /** While SUBMITTED: when SUBMIT_TIMEOUT is due, ms since epoch; null otherwise. */
  readonly submitDeadline: number | null;
  /** Time of the last CANCEL, ms since epoch. */
  readonly cancelRequestedAt: number | null;
  /** While PENDING_CANCEL: when CANCEL_TIMEOUT is due, ms since epoch; null otherwise. */
  readonly cancelDeadline: number | null;
  /** Submit timeout used to compute `submitDeadline`, ms (fixed at creation). */
  readonly submitTimeoutMs: number;
  /** Cancel timeout used to compute `cancelDeadline`, ms (fixed at creation). */
  readonly cancelTimeoutMs: number;
}

/**
 * The order actor's context: plain JSON (decimals as strings, times as ms since
 * epoch), so `getPersistedSnapshot()` can be stored as is.
 *
 * ## Layout (version 2)
 *
 * Seven top-level keys, each group a small object (at most 15 keys) that is
 * replaced as a whole, never mutated:
 *
 * | key           | type                   | changed by                                                        |
 * |---------------|------------------------|-------------------------------------------------------------------|
 * | `intent`      | {@link OrderIntentFields} | never (set at creation)                                        |
 * | `fills`       | {@link OrderFills}     | applyFill                                                         |
 * | `venue`       | {@link OrderVenueView} | applyVenueUpdate, recordVenueRejection, markNothingAtVenue; applyFill (first `orderId`) |
 * | `result`      | {@link OrderResult}    | recordTransition (outcome), recordDenial, recordVenueRejection, recordCancelRejection, applyVenueUpdate (`rejectReason`) |
 * | `timing`      | {@link OrderTiming}    | startSubmit, startCancel, clearSubmitDeadline, clearCancelDeadline |
 * | `anomalies`   | {@link OrderAnomaly}[] | applyFill, applyVenueUpdate (append only)                         |
 * | `transitions` | {@link OrderTransition}[] | recordTransition (append only)                                 |
 *
 * Why nested: XState's `assign` builds a new context with
 * `Object.assign({}, context, partial)` for every assign action (up to three per
 * transition: exit, transition, entry). V8 gives an object built that way (from
 * `{}`, property by property) 4 in-object fields and at most 12 more fast ones;
 * past ~16 keys it switches to a dictionary ("slow") layout. The version-1
 * context had 40 flat keys: one copy took ~10 µs (0.14 µs now), and the dictionary
 * objects were also slower to read, to persist and to msgpack-encode, and larger
 * in memory (see scripts/bench/order-actor.ts). Now each assign copies 7
 * references and rebuilds only the small group(s) it changes (literal or spread);
 * unchanged groups are shared between successive snapshots. Keep it that way: add
 * a field to the group it belongs to, and keep every group at or below ~15 keys
 * (`intent`, the largest, is built once as a literal and never copied).
 */
export interface OrderContext {
  readonly intent: OrderIntentFields;
  readonly fills: OrderFills;
  readonly venue: OrderVenueView;
  readonly result: OrderResult;
  readonly timing: OrderTiming;
  readonly anomalies: readonly OrderAnomaly[];
  /** Every state change, oldest first (the initial RECEIVED is implicit, at `intent.receivedAt`). */
  readonly transitions: readonly OrderTransition[];
}

/** Machine input: a validated {@link OrderIntent} (parse it with the `OrderIntent` schema first) and optional timeouts in ms. */
export interface OrderMachineInput {
  readonly intent: OrderIntent;
  /** Default {@link DEFAULT_SUBMIT_TIMEOUT_MS}. */
  readonly submitTimeoutMs?: number;
  /** Default {@link DEFAULT_CANCEL_TIMEOUT_MS}. */
  readonly cancelTimeoutMs?: number;
}

/** The fields an intent and the context's `intent` group hold alike (the rest differ by null vs absent, or by name). */
type IntentIdentity = Pick<OrderIntentFields, 'clientOrderId' | 'signalId' | 'leg' | 'venue' | 'accountId' | 'symbol' | 'side' | 'type'>;

/** Copies {@link IntentIdentity} (both directions: intent → context, context → intent). Pure. */
function identityOf(i: IntentIdentity): IntentIdentity {
  return { clientOrderId: i.clientOrderId, signalId: i.signalId, leg: i.leg, venue: i.venue, accountId: i.accountId, symbol: i.symbol, side: i.side, type: i.type };
}

/** The intent an order actor was created from (the inverse of {@link initialOrderContext}), for the venue call. Pure. */
export function orderIntentOf(ctx: OrderContext): OrderIntent {
  const i = ctx.intent;
  return OrderIntent.parse({
    ...identityOf(i),
    ...(i.timeInForce !== null && { timeInForce: i.timeInForce }),
    ...(i.quantity !== null && { quantity: i.quantity }),
    ...(i.quoteQuantity !== null && { quoteQuantity: i.quoteQuantity }),
    ...(i.price !== null && { price: i.price }),
    ...(i.stopPrice !== null && { stopPrice: i.stopPrice }),
    reduceOnly: i.reduceOnly,
    createdAt: i.receivedAt,
  });
}

/** Builds the initial context from the input. Pure. */
export function initialOrderContext(input: OrderMachineInput): OrderContext {
  const i = input.intent;
  return {
    intent: {
      ...identityOf(i),
      timeInForce: i.timeInForce ?? null,
      quantity: i.quantity ?? null,
      quoteQuantity: i.quoteQuantity ?? null,
      price: i.price ?? null,
      stopPrice: i.stopPrice ?? null,
      reduceOnly: i.reduceOnly,
      receivedAt: i.createdAt,
    },
    fills: { filledQuantity: '0', filledNotional: '0', averagePrice: null, fees: {}, tradeIds: [] },
    venue: { orderId: null, filledQuantity: '0', averagePrice: null, status: null, updatedAt: null, final: false },
    result: { outcome: null, denyReason: null, rejectReason: null, rejectCode: null, cancelRejectReason: null },
    timing: {
      submitAttempts: 0,
      submittedAt: null,
      submitDeadline: null,
      cancelRequestedAt: null,
      cancelDeadline: null,
      submitTimeoutMs: input.submitTimeoutMs ?? DEFAULT_SUBMIT_TIMEOUT_MS,
      cancelTimeoutMs: input.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS,
    },
    anomalies: [],
    transitions: [],
  };
}

// ---------------------------------------------------------------------------
// Pure helpers used by guards and actions
// ---------------------------------------------------------------------------

/** max(our filled quantity, the venue's cumulative filled quantity), base currency. */
function executedOf(ctx: OrderContext): Decimal {
  return dmax(dec(ctx.fills.filledQuantity), dec(ctx.venue.filledQuantity));
}

function reachesQuantity(ctx: OrderContext, executed: Decimal): boolean {
  return ctx.intent.quantity !== null && executed.gte(dec(ctx.intent.quantity));
}

/** True when a fill with this trade id was applied already. A linear scan: an order has a handful of fills. */
function hasTrade(ctx: OrderContext, tradeId: string): boolean {
  return ctx.fills.tradeIds.includes(tradeId);
}

/** Appends an `overfill` anomaly the first time executed exceeds the order quantity (else returns the same array). */
function withOverfill(ctx: OrderContext, executed: Decimal, at: number): readonly OrderAnomaly[] {
  const quantity = ctx.intent.quantity;
  if (quantity === null || executed.lte(dec(quantity))) return ctx.anomalies;
  if (ctx.anomalies.some((a) => a.code === 'overfill')) return ctx.anomalies;
  return [...ctx.anomalies, { code: 'overfill', at, detail: `executed ${plain(executed)} > quantity ${quantity}` }];
}

/** The groups a fill changes (idempotent: a known trade id changes nothing). Unchanged groups are returned as they were. */
function applyFillTo(ctx: OrderContext, fill: Fill, at: number): Partial<OrderContext> {
  const f = ctx.fills;
  if (hasTrade(ctx, fill.tradeId)) return {};
  const qty = dec(fill.quantity);
  const filled = dec(f.filledQuantity).plus(qty);
  const notional = dec(f.filledNotional).plus(qty.times(dec(fill.price)));
  let fees = f.fees;
  if (fill.feeCurrency !== null) {
    fees = { ...fees, [fill.feeCurrency]: plain(dec(fees[fill.feeCurrency] ?? '0').plus(dec(fill.feeAmount))) };
  }
  const v = ctx.venue;
  return {
    fills: {
      filledQuantity: plain(filled),
      filledNotional: plain(notional),
      averagePrice: plain(notional.div(filled)),
      fees,
      tradeIds: [...f.tradeIds, fill.tradeId],
    },
    venue: v.orderId !== null ? v : { ...v, orderId: fill.venueOrderId },
    anomalies: withOverfill(ctx, dmax(filled, dec(v.filledQuantity)), at),
  };
}

/** The groups a venue update changes: quantities only grow, a terminal status is never replaced by 'open'. */
function applyVenueUpdateTo(ctx: OrderContext, update: VenueOrderUpdate, at: number): Pick<OrderContext, 'venue' | 'result' | 'anomalies'> {
  const v = ctx.venue;
  const prior = dec(v.filledQuantity);
  const reported = dec(update.filledQuantity);
  const ahead = reported.gt(prior);
  const venueFilled = ahead ? reported : prior;
  const terminal = isTerminalVenueStatus(update.status);
  const r = ctx.result;
  return {
    venue: {
      orderId: v.orderId ?? update.venueOrderId,
      filledQuantity: ahead ? plain(reported) : v.filledQuantity,
      averagePrice: ahead || v.averagePrice === null ? (update.averagePrice ?? v.averagePrice) : v.averagePrice,
      status: v.final && !terminal ? v.status : update.status,
      updatedAt: v.updatedAt === null ? update.time : Math.max(v.updatedAt, update.time),
      final: v.final || terminal,
    },
    result: update.status === 'rejected' && r.rejectReason === null ? { ...r, rejectReason: 'venue_rejected' } : r,
    anomalies: withOverfill(ctx, dmax(dec(ctx.fills.filledQuantity), venueFilled), at),
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
/** Rows 14–21 of the table, shared by the W states (VALIDATED, SUBMITTED, UNKNOWN, ACCEPTED). */
const WORKING = {
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
} as const;

/** Rows 22–29 of the table, shared by the P states (PARTIAL, PENDING_CANCEL). */
const PART_DONE = {
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
} as const;

/** Rows 41–44 of the table, shared by the T states (FILLED, CANCELLED, EXPIRED, REJECTED). */
const SETTLING = {
  always: { guard: 'settled', target: 'CLOSED' }, // 44
  on: {
    FILL: [
      { guard: 'isDuplicateFill' }, // 41
      { actions: 'applyFill' }, // 42
    ],
    VENUE_UPDATE: { actions: 'applyVenueUpdate' }, // 43
  },
} as const;

export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as OrderMachineInput,
  },
  guards: {
    isDuplicateFill: ({ context, event }) => event.type === 'FILL' && hasTrade(context, event.fill.tradeId),
    fillCompletesOrder: ({ context, event }) =>
      event.type === 'FILL' &&
      reachesQuantity(context, dmax(dec(context.fills.filledQuantity).plus(dec(event.fill.quantity)), dec(context.venue.filledQuantity))),
    venueReportsRejected: ({ event }) => venueStatusIs(event, 'rejected'),
    venueReportsCanceled: ({ event }) => venueStatusIs(event, 'canceled'),
    venueReportsExpired: ({ event }) => venueStatusIs(event, 'expired'),
    venueReportsClosed: ({ event }) => venueStatusIs(event, 'closed'),
    venueReportsExecution: ({ context, event }) =>
      event.type === 'VENUE_UPDATE' && dmax(executedOf(context), dec(event.update.filledQuantity)).gt(ZERO),
    fullyExecuted: ({ context }) => context.venue.status === 'closed' || reachesQuantity(context, executedOf(context)),
    partiallyExecuted: ({ context }) => executedOf(context).gt(ZERO),
    acknowledgedByVenue: ({ context }) => context.venue.status !== null,
    neverSeenAtVenue: ({ context }) =>
      context.venue.status === null && context.fills.tradeIds.length === 0 && executedOf(context).isZero(),
    submitDeadlineReached: ({ context, event }) => context.timing.submitDeadline !== null && event.at >= context.timing.submitDeadline,
    cancelDeadlinePending: ({ context, event }) => context.timing.cancelDeadline === null || event.at < context.timing.cancelDeadline,
    settled: ({ context }) => context.venue.final && dec(context.fills.filledQuantity).gte(dec(context.venue.filledQuantity)),
  },
  actions: {
    // ----- effects: no-ops here, provided by the engine -----
    emitSubmit: () => {},
    emitCancel: () => {},
    emitReconcile: () => {},

    // ----- context updates: each replaces only the groups it changes -----
    applyFill: assign(({ context, event }) => (event.type === 'FILL' ? applyFillTo(context, event.fill, event.at) : {})),
    applyVenueUpdate: assign(({ context, event }) =>
      event.type === 'VENUE_UPDATE' ? applyVenueUpdateTo(context, event.update, event.at) : {},
    ),
    recordDenial: assign(({ context, event }) =>
      event.type === 'RISK_DENIED' ? { result: { ...context.result, denyReason: event.reason } } : {},
    ),
    recordVenueRejection: assign(({ context, event }) =>
      event.type === 'VENUE_REJECTED'
        ? {
            result: { ...context.result, rejectReason: event.reason, rejectCode: event.venueCode ?? null },
            venue: { ...context.venue, status: 'rejected' as const, final: true },
          }
        : {},
    ),
    recordCancelRejection: assign(({ context, event }) =>
      event.type === 'CANCEL_REJECTED' ? { result: { ...context.result, cancelRejectReason: event.reason } } : {},
    ),
    markNothingAtVenue: assign(({ context }) => ({ venue: { ...context.venue, final: true } })),
    markVanished: assign(({ context, event }) => ({
      venue: { ...context.venue, final: true },
      anomalies: [
        ...context.anomalies,
        { code: 'vanished_at_venue' as const, at: event.at, detail: 'acknowledged by the venue, which no longer knows it: closed as cancelled' },
      ],
    })),
    startSubmit: assign(({ context, event }) => ({
      timing: {
        ...context.timing,
        submitAttempts: context.timing.submitAttempts + 1,
        submittedAt: event.at,
        submitDeadline: event.at + context.timing.submitTimeoutMs,
      },
    })),
    startCancel: assign(({ context, event }) => ({
      timing: { ...context.timing, cancelRequestedAt: event.at, cancelDeadline: event.at + context.timing.cancelTimeoutMs },
      result: context.result.cancelRejectReason === null ? context.result : { ...context.result, cancelRejectReason: null },
    })),
    clearSubmitDeadline: assign(({ context }) => ({ timing: { ...context.timing, submitDeadline: null } })),
    clearCancelDeadline: assign(({ context }) => ({ timing: { ...context.timing, cancelDeadline: null } })),
    /** Entry of every state but RECEIVED: appends the transition record and, entering an outcome state, sets `result.outcome` (one assign, one context copy). */
    recordTransition: assign(({ context, event }, params: { to: OrderStateName; outcome?: OrderOutcome }) => {
      const transitions = [...context.transitions, { from: transitionFrom(context), to: params.to, event: event.type, at: event.at }];
      return params.outcome === undefined ? { transitions } : { transitions, result: { ...context.result, outcome: params.outcome } };
    }),
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
        ...WORKING, // rows 14–21
      },
    },

    DENIED: {
      type: 'final',
      entry: { type: 'recordTransition', params: { to: 'DENIED', outcome: 'denied' } },
    },

    SUBMITTED: {
      entry: { type: 'recordTransition', params: { to: 'SUBMITTED' } },
      exit: 'clearSubmitDeadline',
      on: {
        SUBMIT_TIMEOUT: { guard: 'submitDeadlineReached', target: 'UNKNOWN', actions: 'emitReconcile' }, // 6
        VENUE_REJECTED: { target: 'REJECTED', actions: 'recordVenueRejection' }, // 7
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 8
        ...WORKING, // rows 14–21
      },
    },

    UNKNOWN: {
      entry: { type: 'recordTransition', params: { to: 'UNKNOWN' } },
      on: {
        VENUE_REJECTED: { target: 'REJECTED', actions: 'recordVenueRejection' }, // 9
        RECONCILE_NOT_FOUND: { guard: 'neverSeenAtVenue', target: 'VALIDATED' }, // 10
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 11
        ...WORKING, // rows 14–21
      },
    },

    ACCEPTED: {
      entry: { type: 'recordTransition', params: { to: 'ACCEPTED' } },
      on: {
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 12
        ...WORKING, // rows 14–21 (in ACCEPTED, row 21 is a self-transition: no re-entry, no new record)
        RECONCILE_NOT_FOUND: { target: 'CANCELLED', actions: 'markVanished' }, // 45
      },
    },

    PARTIAL: {
      entry: { type: 'recordTransition', params: { to: 'PARTIAL' } },
      on: {
        CANCEL: { target: 'PENDING_CANCEL', actions: ['startCancel', 'emitCancel'] }, // 13
        ...PART_DONE, // rows 22–29
        RECONCILE_NOT_FOUND: { target: 'CANCELLED', actions: 'markVanished' }, // 46
      },
    },

    PENDING_CANCEL: {
      entry: { type: 'recordTransition', params: { to: 'PENDING_CANCEL' } },
      exit: 'clearCancelDeadline',
      on: {
        ...PART_DONE, // rows 22–29
        VENUE_REJECTED: { target: 'REJECTED', actions: 'recordVenueRejection' }, // 30
        RECONCILE_NOT_FOUND: [
          { guard: 'neverSeenAtVenue', target: 'CANCELLED', actions: 'markNothingAtVenue' }, // 31
          { target: 'CANCELLED', actions: 'markVanished' }, // 47
        ],
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
      entry: { type: 'recordTransition', params: { to: 'FILLED', outcome: 'filled' } },
      ...SETTLING, // rows 41–44
    },

    CANCELLED: {
      entry: { type: 'recordTransition', params: { to: 'CANCELLED', outcome: 'cancelled' } },
      ...SETTLING, // rows 41–44
    },

    EXPIRED: {
      entry: { type: 'recordTransition', params: { to: 'EXPIRED', outcome: 'expired' } },
      ...SETTLING, // rows 41–44
    },

    REJECTED: {
      entry: { type: 'recordTransition', params: { to: 'REJECTED', outcome: 'rejected' } },
      ...SETTLING, // rows 41–44
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

/**
 * The persisted form of an order snapshot: the object `actor.getPersistedSnapshot()`
 * returns for this machine (`status`, `output`, `error`, `value`, `context`,
 * `children: {}`, `historyValue: {}`), built without XState's walk of the whole
 * context in search of actor references. Valid because this machine spawns no
 * children, invokes nothing and has no history states, and its context is plain
 * data that every `assign` replaces rather than mutates (so the context object
 * can be shared, not copied). Restore it with `createActor(orderMachine, { snapshot })`.
 */
export function persistedSnapshotOf(snapshot: OrderSnapshot): PersistedOrderSnapshot {
  return {
    status: snapshot.status,
    output: snapshot.output,
    error: snapshot.error,
    value: snapshot.value,
    context: snapshot.context,
    children: {},
    historyValue: {},
  };
}

/** What {@link persistedSnapshotOf} returns: plain data, msgpack/JSON-encodable. */
export interface PersistedOrderSnapshot {
  readonly status: OrderSnapshot['status'];
  readonly output: unknown;
  readonly error: unknown;
  readonly value: OrderStateName;
  readonly context: OrderContext;
  readonly children: Record<string, never>;
  readonly historyValue: Record<string, never>;
}

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
  const lastAt = snapshot.context.transitions.at(-1)?.at ?? snapshot.context.intent.receivedAt;
  return nowMs - lastAt >= graceMs;
}

/** A timeout the engine's scheduler should deliver: send `{ type, at }` once the clock reaches `at` (ms since epoch). */
export interface OrderDeadline {
  readonly type: 'SUBMIT_TIMEOUT' | 'CANCEL_TIMEOUT';
  readonly at: number;
}

/** The next deadline of this order, or null. Recompute after every transition (deadlines are cleared when their state is left). */
export function nextDeadline(snapshot: Pick<OrderSnapshot, 'status' | 'context'>): OrderDeadline | null {
  if (isFinal(snapshot)) return null;
  const t = snapshot.context.timing;
  if (t.submitDeadline !== null) return { type: 'SUBMIT_TIMEOUT', at: t.submitDeadline };
  if (t.cancelDeadline !== null) return { type: 'CANCEL_TIMEOUT', at: t.cancelDeadline };
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
  return ctx.venue.final && dec(ctx.fills.filledQuantity).lt(dec(ctx.venue.filledQuantity));
}

/** The version-1 context (flat), as stored by ORDER_MACHINE_VERSION 1; read by {@link orderContextOf} only. */
interface OrderContextV1 extends OrderIntentFields, OrderFills, OrderResult, OrderTiming {
  readonly venueOrderId: string | null;
  readonly venueFilledQuantity: string;
  readonly venueAveragePrice: string | null;
  readonly lastVenueStatus: VenueOrderStatus | null;
  readonly lastVenueUpdateAt: number | null;
  readonly venueFinal: boolean;
  readonly anomalies: readonly OrderAnomaly[];
  readonly transitions: readonly OrderTransition[];
}

/**
 * The context of a stored snapshot in this version's shape, for reading (views,
 * listings): version 2 as is, version 1 converted; undefined for any other version.
 * Never restore an actor from a converted context (see {@link ORDER_MACHINE_VERSION}).
 */
export function orderContextOf(version: number, context: unknown): OrderContext | undefined {
  if (version === ORDER_MACHINE_VERSION) return context as OrderContext;
  if (version !== 1) return undefined;
  const c = context as OrderContextV1;
  return {
    intent: {
      clientOrderId: c.clientOrderId,
      signalId: c.signalId,
      leg: c.leg,
      venue: c.venue,
      accountId: c.accountId,
      symbol: c.symbol,
      side: c.side,
      type: c.type,
      timeInForce: c.timeInForce,
      quantity: c.quantity,
      quoteQuantity: c.quoteQuantity,
      price: c.price,
      stopPrice: c.stopPrice,
      reduceOnly: c.reduceOnly,
      receivedAt: c.receivedAt,
    },
    fills: { filledQuantity: c.filledQuantity, filledNotional: c.filledNotional, averagePrice: c.averagePrice, fees: c.fees, tradeIds: c.tradeIds },
    venue: {
      orderId: c.venueOrderId,
      filledQuantity: c.venueFilledQuantity,
      averagePrice: c.venueAveragePrice,
      status: c.lastVenueStatus,
      updatedAt: c.lastVenueUpdateAt,
      final: c.venueFinal,
    },
    result: { outcome: c.outcome, denyReason: c.denyReason, rejectReason: c.rejectReason, rejectCode: c.rejectCode, cancelRejectReason: c.cancelRejectReason },
    timing: {
      submitAttempts: c.submitAttempts,
      submittedAt: c.submittedAt,
      submitDeadline: c.submitDeadline,
      cancelRequestedAt: c.cancelRequestedAt,
      cancelDeadline: c.cancelDeadline,
      submitTimeoutMs: c.submitTimeoutMs,
      cancelTimeoutMs: c.cancelTimeoutMs,
    },
    anomalies: c.anomalies,
    transitions: c.transitions,
  };
}
