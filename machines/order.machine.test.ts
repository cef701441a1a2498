import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Actor, type AnyTransitionDefinition, type InspectionEvent, type Snapshot, createActor } from 'xstate';
import { Decimal, dec, plain } from '../src/domain/decimal.ts';
import { type Fill, OrderIntent, type OrderIntentInput, type VenueOrderStatus } from '../src/domain/order.ts';
import {
  DEFAULT_CANCEL_TIMEOUT_MS,
  DEFAULT_SUBMIT_TIMEOUT_MS,
  ORDER_MACHINE_VERSION,
  ORDER_STATES,
  type CancelRejectReason,
  type OrderContext,
  type OrderEvent,
  OrderEventSchema,
  type OrderEventType,
  type OrderSnapshot,
  type OrderStateName,
  isArchivable,
  isFinal,
  needsReconciliation,
  nextDeadline,
  orderContextOf,
  orderMachine,
  orderStateOf,
  persistedSnapshotOf,
} from './order.machine.ts';

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

const T0 = 1_754_524_800_000; // 2025-08-07T00:00:00Z
const COID = 'ae1-zeXucDQn8sAxyqV0Ka7LiXYdzDyAojDh';
const VOID = '4242';

const BASE_INTENT: OrderIntentInput = {
  clientOrderId: COID,
  signalId: 'sig-1',
  leg: 'entry',
  venue: 'binance',
  accountId: 'main',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  quantity: '1',
  price: '100',
  createdAt: T0,
};
const INTENT = OrderIntent.parse(BASE_INTENT);

const SUBMIT_AT = T0 + 10;
const CANCEL_AT = T0 + 100;

/** Event builders (all times are ms since epoch). */
const E = {
  approve: (at = T0 + 1): OrderEvent => ({ type: 'RISK_APPROVED', at }),
  deny: (reason = 'max_notional_exceeded', at = T0 + 1): OrderEvent => ({ type: 'RISK_DENIED', at, reason }),
  submit: (at = SUBMIT_AT): OrderEvent => ({ type: 'SUBMIT', at }),
  submitTimeout: (at = SUBMIT_AT + DEFAULT_SUBMIT_TIMEOUT_MS): OrderEvent => ({ type: 'SUBMIT_TIMEOUT', at }),
  update: (status: VenueOrderStatus, filledQuantity = '0', averagePrice: string | null = null, at = T0 + 50): OrderEvent => ({
    type: 'VENUE_UPDATE',
    at,
    update: { clientOrderId: COID, venueOrderId: VOID, status, filledQuantity, averagePrice, time: at },
  }),
  rejectedBy: (reason = 'insufficient_balance', venueCode = -2010, at = T0 + 20): OrderEvent => ({
    type: 'VENUE_REJECTED',
    at,
    reason,
    venueCode,
    message: 'Account has insufficient balance for requested action.',
  }),
  fill: (
    tradeId: string,
    quantity: string,
    price = '100',
    fee: { amount: string; currency: string | null } = { amount: '0', currency: null },
    at = T0 + 60,
  ): OrderEvent => ({ type: 'FILL', at, fill: fillOf(tradeId, quantity, price, fee, at) }),
  cancel: (at = CANCEL_AT): OrderEvent => ({ type: 'CANCEL', at }),
  cancelRejected: (reason: CancelRejectReason, at = CANCEL_AT + 5): OrderEvent => ({ type: 'CANCEL_REJECTED', at, reason, venueCode: -2011 }),
  cancelTimeout: (at = CANCEL_AT + DEFAULT_CANCEL_TIMEOUT_MS): OrderEvent => ({ type: 'CANCEL_TIMEOUT', at }),
  notFound: (at = T0 + 40_000): OrderEvent => ({ type: 'RECONCILE_NOT_FOUND', at }),
};

function fillOf(tradeId: string, quantity: string, price: string, fee: { amount: string; currency: string | null }, time: number): Fill {
  return {
    tradeId,
    venueOrderId: VOID,
    clientOrderId: COID,
    price,
    quantity,
    feeAmount: fee.amount,
    feeCurrency: fee.currency,
    liquidity: 'maker',
    time,
  };
}

// ---------------------------------------------------------------------------
// Harness: an actor whose fired transitions and effect actions are recorded
// ---------------------------------------------------------------------------

const EFFECTS = new Set(['emitSubmit', 'emitCancel', 'emitReconcile']);

/** `source|event|guard|target` of a transition definition; '-' for none, 'always' for eventless. */
function keyOf(t: AnyTransitionDefinition): string {
  const guard = typeof t.guard === 'string' ? t.guard : t.guard === undefined ? '-' : '?';
  const target = t.target?.map((s) => s.key).join(',') ?? '-';
  return `${t.source.key}|${t.eventType === '' ? 'always' : t.eventType}|${guard}|${target}`;
}

class Harness {
  readonly fired: string[] = [];
  readonly effects: string[] = [];
  readonly actor: Actor<typeof orderMachine>;

  constructor(options: { snapshot?: Snapshot<unknown>; intent?: OrderIntent } = {}) {
    const inspect = (ev: InspectionEvent): void => {
      if (ev.type === '@xstate.microstep') {
        for (const t of ev._transitions) this.fired.push(keyOf(t));
      } else if (ev.type === '@xstate.action') {
        if (EFFECTS.has(ev.action.type)) this.effects.push(ev.action.type);
      }
    };
    this.actor =
      options.snapshot === undefined
        ? createActor(orderMachine, { input: { intent: options.intent ?? INTENT }, inspect })
        : createActor(orderMachine, { snapshot: options.snapshot, input: undefined, inspect });
    this.actor.start();
  }

  /** Sends events in order; once the actor is final, further events are dropped here (XState would ignore them and warn). */
  send(...events: OrderEvent[]): this {
    for (const e of events) {
      if (this.actor.getSnapshot().status === 'done') break;
      this.actor.send(e);
    }
    return this;
  }

  /** Sends one event; returns the transitions and effects it caused. */
  step(event: OrderEvent): { fired: string[]; effects: string[] } {
    this.fired.length = 0;
    this.effects.length = 0;
    this.actor.send(event);
    return { fired: [...this.fired], effects: [...this.effects] };
  }

  get snapshot(): OrderSnapshot {
    return this.actor.getSnapshot();
  }
  get state(): OrderStateName {
    return this.snapshot.value;
  }
  get ctx(): OrderContext {
    return this.snapshot.context;
  }
}

function at(path: readonly OrderEvent[]): Harness {
  return new Harness().send(...path);
}

/** Persists the actor's snapshot through JSON (as the store would) and restores it into a new harness. */
function roundTrip(h: Harness): Harness {
  const persisted: unknown = JSON.parse(JSON.stringify(h.actor.getPersistedSnapshot()));
  h.actor.stop();
  return new Harness({ snapshot: persisted as Snapshot<unknown> });
}

// ---------------------------------------------------------------------------
// Paths to each source state
// ---------------------------------------------------------------------------

const ACK = E.update('open', '0');
const P = {
  RECEIVED: [] as OrderEvent[],
  VALIDATED: [E.approve()],
  SUBMITTED: [E.approve(), E.submit()],
  UNKNOWN: [E.approve(), E.submit(), E.submitTimeout()],
  ACCEPTED: [E.approve(), E.submit(), ACK],
  PARTIAL: [E.approve(), E.submit(), ACK, E.fill('t1', '0.4')],
  /** Cancel requested on an acknowledged order with nothing executed. */
  PENDING_CANCEL: [E.approve(), E.submit(), ACK, E.cancel()],
  /** Cancel requested on a partially filled order (t1 = 0.4). */
  PENDING_CANCEL_PARTIAL: [E.approve(), E.submit(), ACK, E.fill('t1', '0.4'), E.cancel()],
  /** Cancel requested while the submit was in flight: the venue has said nothing. */
  PENDING_CANCEL_UNSEEN: [E.approve(), E.submit(), E.cancel()],
  /** Cancel requested; the venue then reports 'open' with everything executed (contradictory, defensive rows). */
  PENDING_CANCEL_FULL: [E.approve(), E.submit(), ACK, E.cancel(), E.update('open', '1')],
  /** T states, unsettled: the venue counted more than the fills received (t1). */
  FILLED: [E.approve(), E.submit(), ACK, E.fill('t1', '0.4'), E.update('closed', '1', '100')],
  CANCELLED: [E.approve(), E.submit(), ACK, E.cancel(), E.update('canceled', '0.6', '100'), E.fill('t1', '0.2')],
  EXPIRED: [E.approve(), E.submit(), ACK, E.update('expired', '0.6', '100'), E.fill('t1', '0.2')],
  REJECTED: [E.approve(), E.submit(), E.update('rejected', '0.6', '100'), E.fill('t1', '0.2')],
} satisfies Record<string, OrderEvent[]>;

// ---------------------------------------------------------------------------
// The edge table (mirrors the table at the top of order.machine.ts)
// ---------------------------------------------------------------------------

interface Edge {
  row: number;
  source: OrderStateName;
  event: OrderEventType | 'always';
  guard: string;
  /** '-' for a targetless transition (stay / ignore). */
  target: OrderStateName | '-';
  path: readonly OrderEvent[];
  act: OrderEvent;
  /** State at rest after the event (differs from `target` when an eventless transition follows). */
  expectState: OrderStateName;
  effects?: string[];
  check?: (ctx: OrderContext, before: OrderContext, h: Harness) => void;
}

const unchanged = (ctx: OrderContext, before: OrderContext): void => {
  expect(ctx).toEqual(before);
};
const closedAs =
  (outcome: OrderContext['result']['outcome']) =>
  (ctx: OrderContext, _before: OrderContext, h: Harness): void => {
    expect(h.snapshot.status).toBe('done');
    expect(ctx.result.outcome).toBe(outcome);
    expect(ctx.venue.final).toBe(true);
    expect(ctx.transitions.at(-1)?.to).toBe('CLOSED');
  };

/** Rows 45–47: closed as cancelled with a `vanished_at_venue` anomaly; what was filled stays. */
const vanished =
  (filled: string) =>
  (ctx: OrderContext, before: OrderContext, h: Harness): void => {
    closedAs('cancelled')(ctx, before, h);
    expect(ctx.fills.filledQuantity).toBe(filled);
    expect(ctx.anomalies.map((a) => [a.code, a.at])).toEqual([['vanished_at_venue', T0 + 40_000]]);
  };

const edges: Edge[] = [
  // RECEIVED
  { row: 1, source: 'RECEIVED', event: 'RISK_APPROVED', guard: '-', target: 'VALIDATED', path: P.RECEIVED, act: E.approve(), expectState: 'VALIDATED' },
  {
    row: 2, source: 'RECEIVED', event: 'RISK_DENIED', guard: '-', target: 'DENIED', path: P.RECEIVED, act: E.deny('max_notional_exceeded'), expectState: 'DENIED',
    check: (ctx, _b, h) => {
      expect(ctx.result.denyReason).toBe('max_notional_exceeded');
      expect(ctx.result.outcome).toBe('denied');
      expect(h.snapshot.status).toBe('done');
    },
  },
  { row: 3, source: 'RECEIVED', event: 'CANCEL', guard: '-', target: 'CANCELLED', path: P.RECEIVED, act: E.cancel(), expectState: 'CLOSED', check: closedAs('cancelled') },
  // VALIDATED
  {
    row: 4, source: 'VALIDATED', event: 'SUBMIT', guard: '-', target: 'SUBMITTED', path: P.VALIDATED, act: E.submit(), expectState: 'SUBMITTED', effects: ['emitSubmit'],
    check: (ctx) => {
      expect(ctx.timing.submitAttempts).toBe(1);
      expect(ctx.timing.submittedAt).toBe(SUBMIT_AT);
      expect(ctx.timing.submitDeadline).toBe(SUBMIT_AT + DEFAULT_SUBMIT_TIMEOUT_MS);
    },
  },
  { row: 5, source: 'VALIDATED', event: 'CANCEL', guard: '-', target: 'CANCELLED', path: P.VALIDATED, act: E.cancel(), expectState: 'CLOSED', check: closedAs('cancelled') },
  // SUBMITTED
  {
    row: 6, source: 'SUBMITTED', event: 'SUBMIT_TIMEOUT', guard: 'submitDeadlineReached', target: 'UNKNOWN', path: P.SUBMITTED, act: E.submitTimeout(), expectState: 'UNKNOWN', effects: ['emitReconcile'],
    check: (ctx) => {
      expect(ctx.timing.submitDeadline).toBeNull();
      expect(ctx.result.outcome).toBeNull();
    },
  },
  {
    row: 7, source: 'SUBMITTED', event: 'VENUE_REJECTED', guard: '-', target: 'REJECTED', path: P.SUBMITTED, act: E.rejectedBy(), expectState: 'CLOSED',
    check: (ctx, b, h) => {
      closedAs('rejected')(ctx, b, h);
      expect(ctx.result.rejectReason).toBe('insufficient_balance');
      expect(ctx.result.rejectCode).toBe(-2010);
      expect(ctx.venue.status).toBe('rejected');
    },
  },
  {
    row: 8, source: 'SUBMITTED', event: 'CANCEL', guard: '-', target: 'PENDING_CANCEL', path: P.SUBMITTED, act: E.cancel(), expectState: 'PENDING_CANCEL', effects: ['emitCancel'],
    check: (ctx) => {
      expect(ctx.timing.submitDeadline).toBeNull();
      expect(ctx.timing.cancelRequestedAt).toBe(CANCEL_AT);
      expect(ctx.timing.cancelDeadline).toBe(CANCEL_AT + DEFAULT_CANCEL_TIMEOUT_MS);
    },
  },
  // UNKNOWN
  { row: 9, source: 'UNKNOWN', event: 'VENUE_REJECTED', guard: '-', target: 'REJECTED', path: P.UNKNOWN, act: E.rejectedBy(), expectState: 'CLOSED', check: closedAs('rejected') },
  {
    row: 10, source: 'UNKNOWN', event: 'RECONCILE_NOT_FOUND', guard: 'neverSeenAtVenue', target: 'VALIDATED', path: P.UNKNOWN, act: E.notFound(), expectState: 'VALIDATED',
    check: (ctx) => expect(ctx.timing.submitAttempts).toBe(1),
  },
  { row: 11, source: 'UNKNOWN', event: 'CANCEL', guard: '-', target: 'PENDING_CANCEL', path: P.UNKNOWN, act: E.cancel(), expectState: 'PENDING_CANCEL', effects: ['emitCancel'] },
  // ACCEPTED / PARTIAL cancel
  { row: 12, source: 'ACCEPTED', event: 'CANCEL', guard: '-', target: 'PENDING_CANCEL', path: P.ACCEPTED, act: E.cancel(), expectState: 'PENDING_CANCEL', effects: ['emitCancel'] },
  { row: 13, source: 'PARTIAL', event: 'CANCEL', guard: '-', target: 'PENDING_CANCEL', path: P.PARTIAL, act: E.cancel(), expectState: 'PENDING_CANCEL', effects: ['emitCancel'] },
  { row: 45, source: 'ACCEPTED', event: 'RECONCILE_NOT_FOUND', guard: '-', target: 'CANCELLED', path: P.ACCEPTED, act: E.notFound(), expectState: 'CLOSED', check: vanished('0') },
  { row: 46, source: 'PARTIAL', event: 'RECONCILE_NOT_FOUND', guard: '-', target: 'CANCELLED', path: P.PARTIAL, act: E.notFound(), expectState: 'CLOSED', check: vanished('0.4') },
];

// W = VALIDATED | SUBMITTED | UNKNOWN | ACCEPTED (rows 14–21)
for (const source of ['VALIDATED', 'SUBMITTED', 'UNKNOWN', 'ACCEPTED'] as const) {
  const path = P[source];
  edges.push(
    {
      row: 14, source, event: 'FILL', guard: 'fillCompletesOrder', target: 'FILLED', path, act: E.fill('t9', '1', '100.5'), expectState: 'FILLED',
      check: (ctx) => {
        expect(ctx.fills.filledQuantity).toBe('1');
        expect(ctx.fills.averagePrice).toBe('100.5');
        expect(ctx.fills.tradeIds).toEqual(['t9']);
        expect(ctx.venue.orderId).toBe(VOID);
        expect(ctx.result.outcome).toBe('filled');
      },
    },
    {
      row: 15, source, event: 'FILL', guard: '-', target: 'PARTIAL', path, act: E.fill('t9', '0.25', '101'), expectState: 'PARTIAL',
      check: (ctx) => {
        expect(ctx.fills.filledQuantity).toBe('0.25');
        expect(ctx.fills.averagePrice).toBe('101');
      },
    },
    { row: 16, source, event: 'VENUE_UPDATE', guard: 'venueReportsRejected', target: 'REJECTED', path, act: E.update('rejected'), expectState: 'CLOSED', check: closedAs('rejected') },
    { row: 17, source, event: 'VENUE_UPDATE', guard: 'venueReportsCanceled', target: 'CANCELLED', path, act: E.update('canceled'), expectState: 'CLOSED', check: closedAs('cancelled') },
    { row: 18, source, event: 'VENUE_UPDATE', guard: 'venueReportsExpired', target: 'EXPIRED', path, act: E.update('expired'), expectState: 'CLOSED', check: closedAs('expired') },
    {
      row: 19, source, event: 'VENUE_UPDATE', guard: 'venueReportsClosed', target: 'FILLED', path, act: E.update('closed', '1', '100'), expectState: 'FILLED',
      check: (ctx, _b, h) => {
        expect(ctx.venue.filledQuantity).toBe('1');
        expect(ctx.fills.filledQuantity).toBe('0');
        expect(ctx.venue.final).toBe(true);
        expect(needsReconciliation(h.snapshot)).toBe(true);
      },
    },
    {
      row: 20, source, event: 'VENUE_UPDATE', guard: 'venueReportsExecution', target: 'PARTIAL', path, act: E.update('open', '0.3', '100'), expectState: 'PARTIAL',
      check: (ctx) => {
        expect(ctx.venue.filledQuantity).toBe('0.3');
        expect(ctx.fills.filledQuantity).toBe('0');
        expect(ctx.venue.status).toBe('open');
      },
    },
    {
      row: 21, source, event: 'VENUE_UPDATE', guard: '-', target: 'ACCEPTED', path, act: E.update('open', '0', null, T0 + 55), expectState: 'ACCEPTED',
      check: (ctx) => {
        expect(ctx.venue.orderId).toBe(VOID);
        expect(ctx.venue.status).toBe('open');
        expect(ctx.venue.updatedAt).toBe(T0 + 55);
      },
    },
  );
}

// P = PARTIAL | PENDING_CANCEL (rows 22–29), both holding fill t1 = 0.4 @ 100
for (const [source, path] of [
  ['PARTIAL', P.PARTIAL],
  ['PENDING_CANCEL', P.PENDING_CANCEL_PARTIAL],
] as const) {
  edges.push(
    { row: 22, source, event: 'FILL', guard: 'isDuplicateFill', target: '-', path, act: E.fill('t1', '0.4'), expectState: source, check: unchanged },
    {
      row: 23, source, event: 'FILL', guard: 'fillCompletesOrder', target: 'FILLED', path, act: E.fill('t2', '0.6', '110'), expectState: 'FILLED',
      check: (ctx) => {
        expect(ctx.fills.filledQuantity).toBe('1');
        expect(ctx.fills.averagePrice).toBe('106'); // (0.4×100 + 0.6×110) / 1
        expect(ctx.fills.tradeIds).toEqual(['t1', 't2']);
      },
    },
    {
      row: 24, source, event: 'FILL', guard: '-', target: '-', path, act: E.fill('t2', '0.1', '90'), expectState: source,
      check: (ctx) => {
        expect(ctx.fills.filledQuantity).toBe('0.5');
        expect(ctx.fills.averagePrice).toBe('98'); // (40 + 9) / 0.5
      },
    },
    { row: 25, source, event: 'VENUE_UPDATE', guard: 'venueReportsRejected', target: 'REJECTED', path, act: E.update('rejected', '0.4'), expectState: 'CLOSED', check: closedAs('rejected') },
    { row: 26, source, event: 'VENUE_UPDATE', guard: 'venueReportsCanceled', target: 'CANCELLED', path, act: E.update('canceled', '0.4', '100'), expectState: 'CLOSED', check: closedAs('cancelled') },
    { row: 27, source, event: 'VENUE_UPDATE', guard: 'venueReportsExpired', target: 'EXPIRED', path, act: E.update('expired', '0.4', '100'), expectState: 'CLOSED', check: closedAs('expired') },
    {
      row: 28, source, event: 'VENUE_UPDATE', guard: 'venueReportsClosed', target: 'FILLED', path, act: E.update('closed', '1', '104'), expectState: 'FILLED',
      check: (ctx) => {
        expect(ctx.venue.filledQuantity).toBe('1');
        expect(ctx.venue.averagePrice).toBe('104');
        expect(ctx.fills.filledQuantity).toBe('0.4');
      },
    },
    {
      row: 29, source, event: 'VENUE_UPDATE', guard: '-', target: '-', path, act: E.update('open', '0.5', '100'), expectState: source,
      check: (ctx) => {
        expect(ctx.venue.filledQuantity).toBe('0.5');
        expect(ctx.venue.status).toBe('open');
      },
    },
  );
}

// PENDING_CANCEL (rows 30–40)
edges.push(
  {
    row: 30, source: 'PENDING_CANCEL', event: 'VENUE_REJECTED', guard: '-', target: 'REJECTED', path: P.PENDING_CANCEL_UNSEEN, act: E.rejectedBy(), expectState: 'CLOSED',
    check: (ctx, b, h) => {
      closedAs('rejected')(ctx, b, h);
      expect(ctx.timing.cancelDeadline).toBeNull();
    },
  },
  { row: 31, source: 'PENDING_CANCEL', event: 'RECONCILE_NOT_FOUND', guard: 'neverSeenAtVenue', target: 'CANCELLED', path: P.PENDING_CANCEL_UNSEEN, act: E.notFound(), expectState: 'CLOSED', check: closedAs('cancelled') },
  {
    row: 47, source: 'PENDING_CANCEL', event: 'RECONCILE_NOT_FOUND', guard: '-', target: 'CANCELLED', path: P.PENDING_CANCEL_PARTIAL, act: E.notFound(), expectState: 'CLOSED',
    check: (ctx, b, h) => {
      vanished('0.4')(ctx, b, h);
      expect(ctx.timing.cancelDeadline).toBeNull();
    },
  },
  {
    row: 32, source: 'PENDING_CANCEL', event: 'CANCEL_REJECTED', guard: 'fullyExecuted', target: 'FILLED', path: P.PENDING_CANCEL_FULL, act: E.cancelRejected('already_filled'), expectState: 'FILLED', effects: ['emitReconcile'],
    check: (ctx) => {
      expect(ctx.result.cancelRejectReason).toBe('already_filled');
      expect(ctx.timing.cancelDeadline).toBeNull();
    },
  },
  {
    row: 33, source: 'PENDING_CANCEL', event: 'CANCEL_REJECTED', guard: 'partiallyExecuted', target: 'PARTIAL', path: P.PENDING_CANCEL_PARTIAL, act: E.cancelRejected('unknown_order'), expectState: 'PARTIAL', effects: ['emitReconcile'],
    check: (ctx) => expect(ctx.result.cancelRejectReason).toBe('unknown_order'),
  },
  { row: 34, source: 'PENDING_CANCEL', event: 'CANCEL_REJECTED', guard: 'acknowledgedByVenue', target: 'ACCEPTED', path: P.PENDING_CANCEL, act: E.cancelRejected('rate_limited'), expectState: 'ACCEPTED', effects: ['emitReconcile'] },
  { row: 35, source: 'PENDING_CANCEL', event: 'CANCEL_REJECTED', guard: '-', target: 'UNKNOWN', path: P.PENDING_CANCEL_UNSEEN, act: E.cancelRejected('unknown_order'), expectState: 'UNKNOWN', effects: ['emitReconcile'] },
  {
    row: 36, source: 'PENDING_CANCEL', event: 'CANCEL_TIMEOUT', guard: 'cancelDeadlinePending', target: '-', path: P.PENDING_CANCEL, act: E.cancelTimeout(CANCEL_AT + DEFAULT_CANCEL_TIMEOUT_MS - 1), expectState: 'PENDING_CANCEL',
    check: unchanged,
  },
  { row: 37, source: 'PENDING_CANCEL', event: 'CANCEL_TIMEOUT', guard: 'fullyExecuted', target: 'FILLED', path: P.PENDING_CANCEL_FULL, act: E.cancelTimeout(), expectState: 'FILLED', effects: ['emitReconcile'] },
  { row: 38, source: 'PENDING_CANCEL', event: 'CANCEL_TIMEOUT', guard: 'partiallyExecuted', target: 'PARTIAL', path: P.PENDING_CANCEL_PARTIAL, act: E.cancelTimeout(), expectState: 'PARTIAL', effects: ['emitReconcile'] },
  {
    row: 39, source: 'PENDING_CANCEL', event: 'CANCEL_TIMEOUT', guard: 'acknowledgedByVenue', target: 'ACCEPTED', path: P.PENDING_CANCEL, act: E.cancelTimeout(), expectState: 'ACCEPTED', effects: ['emitReconcile'],
    check: (ctx) => expect(ctx.timing.cancelDeadline).toBeNull(),
  },
  { row: 40, source: 'PENDING_CANCEL', event: 'CANCEL_TIMEOUT', guard: '-', target: 'UNKNOWN', path: P.PENDING_CANCEL_UNSEEN, act: E.cancelTimeout(), expectState: 'UNKNOWN', effects: ['emitReconcile'] },
);

// T = FILLED | CANCELLED | EXPIRED | REJECTED (rows 41–44), each unsettled holding fill t1
for (const [source, outcome, held, venue] of [
  ['FILLED', 'filled', '0.4', '1'],
  ['CANCELLED', 'cancelled', '0.2', '0.6'],
  ['EXPIRED', 'expired', '0.2', '0.6'],
  ['REJECTED', 'rejected', '0.2', '0.6'],
] as const) {
  const path = P[source];
  const status = ({ FILLED: 'closed', CANCELLED: 'canceled', EXPIRED: 'expired', REJECTED: 'rejected' } as const)[source];
  const missing = plain(dec(venue).minus(dec(held)));
  edges.push(
    { row: 41, source, event: 'FILL', guard: 'isDuplicateFill', target: '-', path, act: E.fill('t1', held), expectState: source, check: unchanged },
    {
      row: 42, source, event: 'FILL', guard: '-', target: '-', path, act: E.fill('t2', '0.1', '100', { amount: '0.01', currency: 'USDT' }), expectState: source,
      check: (ctx) => {
        expect(ctx.fills.filledQuantity).toBe(plain(dec(held).plus('0.1')));
        expect(ctx.fills.fees).toEqual({ USDT: '0.01' });
        expect(ctx.result.outcome).toBe(outcome);
      },
    },
    {
      row: 43, source, event: 'VENUE_UPDATE', guard: '-', target: '-', path, act: E.update(status, venue, '100', T0 + 70), expectState: source,
      check: (ctx) => {
        expect(ctx.venue.updatedAt).toBe(T0 + 70);
        expect(ctx.venue.filledQuantity).toBe(venue);
      },
    },
    {
      row: 44, source, event: 'always', guard: 'settled', target: 'CLOSED', path, act: E.fill('t2', missing, '100', { amount: '0.02', currency: 'BNB' }), expectState: 'CLOSED',
      check: (ctx, b, h) => {
        closedAs(outcome)(ctx, b, h);
        expect(ctx.fills.filledQuantity).toBe(venue);
        expect(ctx.fills.fees).toEqual({ BNB: '0.02' });
      },
    },
  );
}

function edgeKey(e: Edge): string {
  return `${e.source}|${e.event}|${e.guard}|${e.target}`;
}

/** Every transition defined in the machine, as `source|event|guard|target`. */
function machineEdges(): string[] {
  const keys: string[] = [];
  for (const node of Object.values(orderMachine.root.states)) {
    for (const defs of node.transitions.values()) for (const t of defs) keys.push(keyOf(t));
    for (const t of node.always ?? []) keys.push(keyOf(t));
  }
  return keys;
}

describe('transition table', () => {
  it('the tested edges are exactly the machine edges (every edge tested, no edge untested)', () => {
    const machine = machineEdges();
    expect(new Set(machine).size).toBe(machine.length);
    expect(new Set(edges.map(edgeKey))).toEqual(new Set(machine));
  });

  it('has every state of ORDER_STATES and no other', () => {
    expect(Object.keys(orderMachine.root.states).sort()).toEqual([...ORDER_STATES].sort());
  });

  it.each(edges.map((e) => [`#${e.row} ${edgeKey(e)}`, e] as const))('%s', (_name, e) => {
    const h = at(e.path);
    expect(h.state).toBe(e.source);
    const before = h.ctx;
    const { fired, effects } = h.step(e.act);

    if (e.event === 'always') {
      expect(fired).toContain(edgeKey(e));
    } else {
      expect(fired[0]).toBe(edgeKey(e));
    }
    expect(h.state).toBe(e.expectState);
    expect(h.snapshot.status).not.toBe('error');
    expect(effects).toEqual(e.effects ?? []);

    // The transition record: a state change appends {from, to, event, at}; a stay appends nothing.
    const added = h.ctx.transitions.slice(before.transitions.length);
    if (e.target === '-' || e.target === e.source) {
      expect(added).toEqual([]);
    } else if (e.event === 'always') {
      expect(added.at(-1)).toEqual({ from: e.source, to: 'CLOSED', event: e.act.type, at: e.act.at });
    } else {
      expect(added[0]).toEqual({ from: e.source, to: e.target, event: e.act.type, at: e.act.at });
    }
    e.check?.(h.ctx, before, h);
  });

  it('events not in the table are ignored', () => {
    const ignored: Array<[readonly OrderEvent[], OrderEvent]> = [
      [P.RECEIVED, E.submit()],
      [P.RECEIVED, E.fill('t1', '0.1')],
      [P.VALIDATED, E.approve()],
      [P.SUBMITTED, E.submitTimeout(SUBMIT_AT + DEFAULT_SUBMIT_TIMEOUT_MS - 1)], // stale timer
      [P.FILLED, E.notFound()],
      [P.PENDING_CANCEL, E.cancel(CANCEL_AT + 1)], // already pending
      [P.CANCELLED, E.notFound()], // settling: nothing left at the venue to lose
      [P.FILLED, E.cancelRejected('already_filled')],
      [P.FILLED, E.cancel()],
    ];
    for (const [path, event] of ignored) {
      const h = at(path);
      const before = h.snapshot;
      const { effects } = h.step(event);
      expect(h.state).toBe(before.value);
      expect(h.ctx).toEqual(before.context);
      expect(effects).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------
// Behaviour
// ---------------------------------------------------------------------------

describe('fills', () => {
  it('partial fills accumulate exactly (decimal, not binary float)', () => {
    const h = at(P.ACCEPTED);
    h.send(E.fill('a', '0.1', '100'), E.fill('b', '0.2', '101'));
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(h.ctx.fills.filledQuantity).toBe('0.3');
    expect(h.state).toBe('PARTIAL');
    h.send(E.fill('c', '0.3', '102.5'));
    expect(h.ctx.fills.filledQuantity).toBe('0.6');
    h.send(E.fill('d', '0.4', '99.99'));
    expect(h.ctx.fills.filledQuantity).toBe('1');
    expect(h.state).toBe('FILLED');
    // notional = 10 + 20.2 + 30.75 + 39.996 = 100.946
    expect(h.ctx.fills.filledNotional).toBe('100.946');
    expect(h.ctx.fills.averagePrice).toBe('100.946');
  });

  it('average price is the exact volume-weighted price (40 significant digits, rounded down)', () => {
    const h = new Harness({ intent: OrderIntent.parse({ ...BASE_INTENT, quantity: '3' }) }).send(E.approve(), E.submit(), ACK);
    h.send(E.fill('a', '1', '100'), E.fill('b', '2', '200'));
    expect(h.ctx.fills.filledNotional).toBe('500');
    expect(h.ctx.fills.averagePrice).toBe('166.6666666666666666666666666666666666666');
    expect(dec(h.ctx.fills.averagePrice ?? '0').times(3).lte(500)).toBe(true);
    const tiny = at(P.ACCEPTED).send(E.fill('a', '0.00000001', '61837.63'), E.fill('b', '0.00000002', '61837.64'));
    expect(tiny.ctx.fills.filledNotional).toBe('0.0018551291');
    expect(tiny.ctx.fills.averagePrice).toBe(plain(new Decimal('0.0018551291').div('0.00000003')));
  });

  it('fees accumulate per currency, rebates subtract, a zero fee without currency is skipped', () => {
    const h = at(P.ACCEPTED).send(
      E.fill('a', '0.1', '100', { amount: '0.0001', currency: 'BNB' }),
      E.fill('b', '0.1', '100', { amount: '0.01', currency: 'USDT' }),
      E.fill('c', '0.1', '100', { amount: '0.0002', currency: 'BNB' }),
      E.fill('d', '0.1', '100', { amount: '-0.004', currency: 'USDT' }),
      E.fill('e', '0.1', '100', { amount: '0', currency: null }),
    );
    expect(h.ctx.fills.fees).toEqual({ BNB: '0.0003', USDT: '0.006' });
  });

  it('a duplicate trade id changes nothing, even with a different payload', () => {
    const h = at(P.ACCEPTED).send(E.fill('t1', '0.3', '100', { amount: '0.1', currency: 'USDT' }));
    const before = h.ctx;
    h.send(E.fill('t1', '0.3', '100', { amount: '0.1', currency: 'USDT' }), E.fill('t1', '0.5', '999', { amount: '9', currency: 'BNB' }));
    expect(h.ctx).toEqual(before);
    expect(h.ctx.fills.tradeIds).toEqual(['t1']);
  });

  it('a fill after a cancel request is applied', () => {
    const h = at(P.PENDING_CANCEL).send(E.fill('t1', '0.3'));
    expect(h.state).toBe('PENDING_CANCEL');
    expect(h.ctx.fills.filledQuantity).toBe('0.3');
    h.send(E.update('canceled', '0.3', '100'));
    expect(h.state).toBe('CLOSED');
    expect(h.ctx.result.outcome).toBe('cancelled');
    expect(h.ctx.fills.filledQuantity).toBe('0.3');
  });

  it('a late fill after CANCELLED is applied, then the order closes', () => {
    const h = at(P.PENDING_CANCEL).send(E.update('canceled', '0.5', '100'));
    expect(h.state).toBe('CANCELLED');
    expect(needsReconciliation(h.snapshot)).toBe(true);
    h.send(E.fill('late-1', '0.2'));
    expect(h.state).toBe('CANCELLED');
    expect(h.ctx.fills.filledQuantity).toBe('0.2');
    h.send(E.fill('late-2', '0.3', '102'));
    expect(h.state).toBe('CLOSED');
    expect(h.ctx.result.outcome).toBe('cancelled');
    expect(h.ctx.fills.filledQuantity).toBe('0.5');
    expect(h.ctx.fills.averagePrice).toBe('101.2');
    expect(h.ctx.transitions.map((t) => t.to)).toEqual(['VALIDATED', 'SUBMITTED', 'ACCEPTED', 'PENDING_CANCEL', 'CANCELLED', 'CLOSED']);
  });

  it('a late fill after EXPIRED (IOC remainder) is applied', () => {
    const h = at(P.ACCEPTED).send(E.update('expired', '0.7', '100'), E.fill('t1', '0.7'));
    expect(h.state).toBe('CLOSED');
    expect(h.ctx.result.outcome).toBe('expired');
    expect(h.ctx.fills.filledQuantity).toBe('0.7');
  });

  it('fills may arrive before the venue acknowledges the order', () => {
    const submitted = at(P.SUBMITTED).send(E.fill('t1', '0.4'));
    expect(submitted.state).toBe('PARTIAL');
    expect(submitted.ctx.venue.orderId).toBe(VOID);
    expect(submitted.ctx.timing.submitDeadline).toBeNull();
    submitted.send(ACK); // the late ack does not move a partially filled order back
    expect(submitted.state).toBe('PARTIAL');

    const unknown = at(P.UNKNOWN).send(E.fill('t1', '1'));
    expect(unknown.state).toBe('FILLED');
    unknown.send(E.update('closed', '1', '100'));
    expect(unknown.state).toBe('CLOSED');
  });

  it('overfill: fills beyond the order quantity are applied (never clamped) and flagged once', () => {
    const h = at(P.ACCEPTED).send(E.fill('t1', '0.8'), E.fill('t2', '0.3', '100', { amount: '0', currency: null }, T0 + 61));
    expect(h.state).toBe('FILLED');
    expect(h.ctx.fills.filledQuantity).toBe('1.1');
    expect(h.ctx.anomalies).toEqual([{ code: 'overfill', at: T0 + 61, detail: 'executed 1.1 > quantity 1' }]);
    h.send(E.fill('t3', '0.1'));
    expect(h.ctx.fills.filledQuantity).toBe('1.2');
    expect(h.ctx.anomalies).toHaveLength(1);
    h.send(E.update('closed', '1.2', '100'));
    expect(h.state).toBe('CLOSED');
  });

  it('a venue report of more than the order quantity is also flagged', () => {
    const h = at(P.ACCEPTED).send(E.update('closed', '1.5', '100'));
    expect(h.state).toBe('FILLED');
    expect(h.ctx.anomalies.map((a) => a.code)).toEqual(['overfill']);
  });

  it('a quote-notional market order is FILLED only when the venue says closed', () => {
    const intent = OrderIntent.parse({ ...BASE_INTENT, type: 'market', price: undefined, timeInForce: undefined, quantity: undefined, quoteQuantity: '100' });
    const h = new Harness({ intent }).send(E.approve(), E.submit(), E.fill('t1', '0.5', '100'), E.fill('t2', '0.4999', '100.02'));
    expect(h.ctx.intent.quantity).toBeNull();
    expect(h.state).toBe('PARTIAL');
    h.send(E.update('closed', '0.9999', '100.0099'));
    expect(h.state).toBe('CLOSED');
    expect(h.ctx.result.outcome).toBe('filled');
  });
});

describe('venue updates, cancels and unknown outcomes', () => {
  it('venue quantities never go backwards and a terminal status is not replaced by a stale open', () => {
    const h = at(P.PENDING_CANCEL).send(E.update('canceled', '0.6', '100'), E.update('open', '0.2', '99'));
    expect(h.state).toBe('CANCELLED');
    expect(h.ctx.venue.status).toBe('canceled');
    expect(h.ctx.venue.filledQuantity).toBe('0.6');
    expect(h.ctx.venue.averagePrice).toBe('100');
  });

  it('a cancel rejected because the order already filled returns to the right state', () => {
    // fills complete the order while the cancel is in flight: FILLED, and the rejection changes nothing
    const a = at(P.PENDING_CANCEL_PARTIAL).send(E.fill('t2', '0.6'));
    expect(a.state).toBe('FILLED');
    a.send(E.cancelRejected('already_filled'));
    expect(a.state).toBe('FILLED');
    a.send(E.update('closed', '1', '100'));
    expect(a.state).toBe('CLOSED');

    // the rejection arrives before the fills: back to PARTIAL (reconcile requested), then fills finish it
    const b = at(P.PENDING_CANCEL_PARTIAL);
    expect(b.step(E.cancelRejected('unknown_order')).effects).toEqual(['emitReconcile']);
    expect(b.state).toBe('PARTIAL');
    b.send(E.update('closed', '1', '100'), E.fill('t2', '0.6'));
    expect(b.state).toBe('CLOSED');
    expect(b.ctx.result.outcome).toBe('filled');
  });

  it('UNKNOWN → not found → VALIDATED → SUBMIT again with the same client order id', () => {
    const calls: Array<{ coid: string; attempts: number }> = [];
    const machine = orderMachine.provide({
      actions: { emitSubmit: ({ context }) => void calls.push({ coid: context.intent.clientOrderId, attempts: context.timing.submitAttempts }) },
    });
    const actor = createActor(machine, { input: { intent: INTENT } }).start();
    for (const e of [...P.UNKNOWN, E.notFound(), E.submit(T0 + 50_000)]) actor.send(e);
    const s = actor.getSnapshot();
    expect(s.value).toBe('SUBMITTED');
    expect(s.context.timing.submitAttempts).toBe(2);
    expect(s.context.timing.submitDeadline).toBe(T0 + 50_000 + DEFAULT_SUBMIT_TIMEOUT_MS);
    expect(calls).toEqual([
      { coid: COID, attempts: 1 },
      { coid: COID, attempts: 2 },
    ]);
  });

  it('UNKNOWN resolved by reconciliation finding the order', () => {
    const h = at(P.UNKNOWN).send(E.update('open', '0'));
    expect(h.state).toBe('ACCEPTED');
    expect(h.ctx.transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      'RECEIVED>VALIDATED',
      'VALIDATED>SUBMITTED',
      'SUBMITTED>UNKNOWN',
      'UNKNOWN>ACCEPTED',
    ]);
  });

  it('timeouts honour custom durations from the input', () => {
    const actor = createActor(orderMachine, { input: { intent: INTENT, submitTimeoutMs: 500, cancelTimeoutMs: 700 } }).start();
    actor.send(E.approve());
    actor.send(E.submit(T0 + 1_000));
    expect(actor.getSnapshot().context.timing.submitDeadline).toBe(T0 + 1_500);
    actor.send(E.update('open'));
    actor.send(E.cancel(T0 + 2_000));
    expect(nextDeadline(actor.getSnapshot())).toEqual({ type: 'CANCEL_TIMEOUT', at: T0 + 2_700 });
  });

  it('events sent after the actor is final change nothing', () => {
    const h = at([...P.ACCEPTED, E.update('canceled', '0')]);
    expect(h.state).toBe('CLOSED');
    const before = h.snapshot;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    h.actor.send(E.fill('late', '0.1'));
    warn.mockRestore();
    expect(h.snapshot).toBe(before);
  });
});

describe('effects are supplied by the engine via provide()', () => {
  it('emitSubmit / emitCancel / emitReconcile receive the updated context; defaults do nothing', () => {
    const seen: string[] = [];
    const machine = orderMachine.provide({
      actions: {
        emitSubmit: ({ context }) => void seen.push(`submit ${context.intent.clientOrderId} deadline=${String(context.timing.submitDeadline)}`),
        emitCancel: ({ context }) => void seen.push(`cancel ${context.intent.clientOrderId} deadline=${String(context.timing.cancelDeadline)}`),
        emitReconcile: ({ context, event }) => void seen.push(`reconcile ${context.intent.clientOrderId} on ${event.type}`),
      },
    });
    const actor = createActor(machine, { input: { intent: INTENT } }).start();
    for (const e of [E.approve(), E.submit(), E.submitTimeout(), E.cancel()]) actor.send(e);
    expect(seen).toEqual([
      `submit ${COID} deadline=${SUBMIT_AT + DEFAULT_SUBMIT_TIMEOUT_MS}`,
      `reconcile ${COID} on SUBMIT_TIMEOUT`,
      `cancel ${COID} deadline=${CANCEL_AT + DEFAULT_CANCEL_TIMEOUT_MS}`,
    ]);
  });
});

describe('purity', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('never reads the clock: the same events give the same snapshot whatever the time', () => {
    const run = (): unknown => at([...P.PENDING_CANCEL_PARTIAL, E.update('canceled', '0.7', '100'), E.fill('t2', '0.3')]).actor.getPersistedSnapshot();
    const first = run();
    vi.spyOn(Date, 'now').mockReturnValue(0);
    vi.spyOn(performance, 'now').mockReturnValue(0);
    expect(run()).toEqual(first);
    expect(Date.now).not.toHaveBeenCalled();
  });
});

// ---------------------------------------------------------------------------
// Persistence
// ---------------------------------------------------------------------------

describe('persisted snapshot round-trip', () => {
  it('restores state and context and keeps working', () => {
    const h = at([...P.PARTIAL, E.fill('t2', '0.1', '110', { amount: '0.01', currency: 'USDT' })]);
    const persisted = h.actor.getPersistedSnapshot();
    const json = JSON.stringify(persisted);
    expect(JSON.parse(json)).toEqual(persisted); // plain JSON: nothing lost in serialisation

    const r = roundTrip(h);
    expect(r.snapshot.status).toBe('active');
    expect(r.state).toBe('PARTIAL');
    expect(r.ctx).toEqual(h.ctx);
    expect(r.effects).toEqual([]); // restoring re-runs no effect

    r.send(E.fill('t2', '0.1', '110')); // still idempotent after restore
    expect(r.ctx.fills.filledQuantity).toBe('0.5');
    r.send(E.cancel());
    expect(r.state).toBe('PENDING_CANCEL');
    const r2 = roundTrip(r);
    expect(nextDeadline(r2.snapshot)).toEqual({ type: 'CANCEL_TIMEOUT', at: CANCEL_AT + DEFAULT_CANCEL_TIMEOUT_MS });
    r2.send(E.fill('t3', '0.5', '100'));
    expect(r2.state).toBe('FILLED');
    r2.send(E.update('closed', '1', '102'));
    expect(r2.state).toBe('CLOSED');
    expect(r2.ctx.fills.averagePrice).toBe('101'); // (0.4×100 + 0.1×110 + 0.5×100) / 1
  });

  it('persistedSnapshotOf equals getPersistedSnapshot in every state, and restores the same way', () => {
    const paths = [P.ACCEPTED, P.PARTIAL, P.SUBMITTED, P.PENDING_CANCEL_PARTIAL, [...P.PARTIAL, E.fill('t2', '0.1', '110')]];
    for (const path of paths) {
      const h = at(path);
      const ours = persistedSnapshotOf(h.actor.getSnapshot());
      expect(ours).toEqual(h.actor.getPersistedSnapshot());
      const restored = createActor(orderMachine, { snapshot: ours as unknown as Snapshot<unknown>, input: undefined });
      restored.start();
      expect(restored.getSnapshot().value).toBe(h.state);
      expect(restored.getSnapshot().context).toEqual(h.ctx);
      restored.stop();
    }
    const closed = at([...P.PARTIAL, E.fill('t2', '0.6'), E.update('closed', '1', '100')]);
    expect(closed.state).toBe('CLOSED');
    expect(persistedSnapshotOf(closed.actor.getSnapshot())).toEqual(closed.actor.getPersistedSnapshot());
  });

  it('a restored SUBMITTED order does not submit again and its deadline is still in context', () => {
    const h = at(P.SUBMITTED);
    const calls: string[] = [];
    const machine = orderMachine.provide({ actions: { emitSubmit: () => void calls.push('submit') } });
    const snapshot = JSON.parse(JSON.stringify(h.actor.getPersistedSnapshot())) as Snapshot<unknown>;
    const restored = createActor(machine, { snapshot, input: undefined }).start();
    expect(calls).toEqual([]);
    expect(restored.getSnapshot().value).toBe('SUBMITTED');
    expect(nextDeadline(restored.getSnapshot())).toEqual({ type: 'SUBMIT_TIMEOUT', at: SUBMIT_AT + DEFAULT_SUBMIT_TIMEOUT_MS });
    restored.send(E.submitTimeout());
    expect(restored.getSnapshot().value).toBe('UNKNOWN');
  });

  it('a final snapshot restores as final', () => {
    const h = at([...P.ACCEPTED, E.fill('t1', '1'), E.update('closed', '1', '100')]);
    const r = roundTrip(h);
    expect(r.state).toBe('CLOSED');
    expect(isFinal(r.snapshot)).toBe(true);
  });

  it('a snapshot from an incompatible machine starts with status error (check the version)', () => {
    const persisted = { ...(at(P.ACCEPTED).actor.getPersistedSnapshot() as object), value: 'NO_SUCH_STATE' } as unknown as Snapshot<unknown>;
    const a = createActor(orderMachine, { snapshot: persisted, input: undefined });
    const errors: unknown[] = [];
    a.subscribe({ error: (err) => void errors.push(err) });
    a.start();
    const status = a.getSnapshot().status;
    expect(errors).toHaveLength(1);
    expect(status).toBe('error');
    expect(ORDER_MACHINE_VERSION).toBe(2);
    expect(orderMachine.version).toBe(String(ORDER_MACHINE_VERSION));
  });

  it('a version-1 context (flat) is converted for reading; other versions are not', () => {
    // Persisted by ORDER_MACHINE_VERSION 1 after: approve, submit, ack, fill t1 (0.4, fee 0.01 USDT), cancel, cancel rejected.
    const v1 = {
      clientOrderId: COID, signalId: 'sig-1', leg: 'entry', venue: 'binance', accountId: 'main', symbol: 'BTC/USDT', side: 'buy', type: 'limit',
      timeInForce: 'GTC', quantity: '1', quoteQuantity: null, price: '100', stopPrice: null, reduceOnly: false, receivedAt: T0,
      venueOrderId: VOID, filledQuantity: '0.4', filledNotional: '40', averagePrice: '100', fees: { USDT: '0.01' }, tradeIds: ['t1'],
      venueFilledQuantity: '0', venueAveragePrice: null, lastVenueStatus: 'open', lastVenueUpdateAt: T0 + 50, venueFinal: false,
      outcome: null, denyReason: null, rejectReason: null, rejectCode: null, cancelRejectReason: 'rate_limited',
      submitAttempts: 1, submittedAt: SUBMIT_AT, submitDeadline: null, cancelRequestedAt: CANCEL_AT, cancelDeadline: null,
      submitTimeoutMs: DEFAULT_SUBMIT_TIMEOUT_MS, cancelTimeoutMs: DEFAULT_CANCEL_TIMEOUT_MS,
      anomalies: [],
      transitions: [
        { from: 'RECEIVED', to: 'VALIDATED', event: 'RISK_APPROVED', at: T0 + 1 },
        { from: 'VALIDATED', to: 'SUBMITTED', event: 'SUBMIT', at: SUBMIT_AT },
        { from: 'SUBMITTED', to: 'ACCEPTED', event: 'VENUE_UPDATE', at: T0 + 50 },
        { from: 'ACCEPTED', to: 'PARTIAL', event: 'FILL', at: T0 + 60 },
        { from: 'PARTIAL', to: 'PENDING_CANCEL', event: 'CANCEL', at: CANCEL_AT },
        { from: 'PENDING_CANCEL', to: 'PARTIAL', event: 'CANCEL_REJECTED', at: CANCEL_AT + 5 },
      ],
    };
    const h = at([...P.ACCEPTED, E.fill('t1', '0.4', '100', { amount: '0.01', currency: 'USDT' }), E.cancel(), E.cancelRejected('rate_limited')]);
    expect(h.state).toBe('PARTIAL');
    expect(orderContextOf(1, v1)).toEqual(h.ctx);
    expect(orderContextOf(ORDER_MACHINE_VERSION, h.ctx)).toBe(h.ctx);
    expect(orderContextOf(0, v1)).toBeUndefined();
    expect(orderContextOf(ORDER_MACHINE_VERSION + 1, h.ctx)).toBeUndefined();
  });

  it('every object of the context stays small (XState copies the top level on each assign)', () => {
    const sizes = (v: unknown, path: string, out: Array<[string, number]>): Array<[string, number]> => {
      if (v === null || typeof v !== 'object') return out;
      if (!Array.isArray(v)) out.push([path, Object.keys(v).length]);
      for (const [k, x] of Object.entries(v)) sizes(x, `${path}.${k}`, out);
      return out;
    };
    const h = at([...P.PENDING_CANCEL_PARTIAL, E.update('canceled', '0.7', '100'), E.fill('t2', '0.3', '100', { amount: '0.01', currency: 'BNB' })]);
    const objects = sizes(h.ctx, 'context', []);
    expect(objects.filter(([, n]) => n > 15)).toEqual([]);
    expect(Object.keys(h.ctx)).toHaveLength(7);
  });
});

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

describe('helpers', () => {
  it('orderStateOf, isFinal, isArchivable', () => {
    const live = at(P.ACCEPTED);
    expect(orderStateOf(live.snapshot)).toBe('ACCEPTED');
    expect(isFinal(live.snapshot)).toBe(false);
    expect(isArchivable(live.snapshot, T0 + 1e9)).toBe(false);

    const closedAt = T0 + 80;
    const done = at([...P.ACCEPTED, E.update('canceled', '0', null, closedAt)]);
    expect(isFinal(done.snapshot)).toBe(true);
    expect(isArchivable(done.snapshot, closedAt)).toBe(true);
    expect(isArchivable(done.snapshot, closedAt + 59_999, 60_000)).toBe(false);
    expect(isArchivable(done.snapshot, closedAt + 60_000, 60_000)).toBe(true);

    const denied = at([E.deny()]);
    expect(isFinal(denied.snapshot)).toBe(true);
    expect(orderStateOf(denied.snapshot)).toBe('DENIED');
  });

  it('nextDeadline', () => {
    expect(nextDeadline(at(P.VALIDATED).snapshot)).toBeNull();
    expect(nextDeadline(at(P.SUBMITTED).snapshot)).toEqual({ type: 'SUBMIT_TIMEOUT', at: SUBMIT_AT + DEFAULT_SUBMIT_TIMEOUT_MS });
    expect(nextDeadline(at(P.ACCEPTED).snapshot)).toBeNull();
    expect(nextDeadline(at(P.PENDING_CANCEL).snapshot)).toEqual({ type: 'CANCEL_TIMEOUT', at: CANCEL_AT + DEFAULT_CANCEL_TIMEOUT_MS });
    expect(nextDeadline(at([...P.PENDING_CANCEL, E.update('canceled', '0')]).snapshot)).toBeNull();
  });

  it('needsReconciliation', () => {
    expect(needsReconciliation(at(P.UNKNOWN).snapshot)).toBe(true);
    expect(needsReconciliation(at(P.ACCEPTED).snapshot)).toBe(false);
    expect(needsReconciliation(at(P.CANCELLED).snapshot)).toBe(true);
    expect(needsReconciliation(at([...P.ACCEPTED, E.update('canceled', '0')]).snapshot)).toBe(false);
  });

  it('OrderEventSchema validates events at ingress', () => {
    for (const e of [E.approve(), E.deny(), E.submit(), E.update('open'), E.fill('t', '1'), E.cancelRejected('other'), E.notFound(), E.rejectedBy()]) {
      expect(OrderEventSchema.parse(e)).toEqual(e);
    }
    expect(OrderEventSchema.safeParse({ type: 'FILL', at: T0, fill: { ...fillOf('t', '0', '1', { amount: '0', currency: null }, T0) } }).success).toBe(false);
    expect(OrderEventSchema.safeParse({ type: 'SUBMIT' }).success).toBe(false);
    expect(OrderEventSchema.safeParse({ type: 'NOPE', at: T0 }).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Property: random fill sequences
// ---------------------------------------------------------------------------

interface Trade {
  id: string;
  qty: string;
  price: string;
}

type Step =
  | { kind: 'fill'; trade: Trade }
  | { kind: 'event'; event: OrderEvent }
  | { kind: 'restore' };

/** A venue model: `trades` executed in order; `quantity` ≥ their sum (or < it for overfill); delivery order random. */
function scenario(overfill: boolean) {
  return fc
    .record({
      units: fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 0, maxLength: 8 }),
      cents: fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 8, maxLength: 8 }),
      slack: fc.integer({ min: overfill ? 1 : 0, max: 500 }),
      copies: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 8, maxLength: 8 }),
      terminal: fc.constantFrom<'canceled' | 'expired'>('canceled', 'expired'),
      deliverTerminal: fc.boolean(),
      ackPrefix: fc.nat(),
      controls: fc.array(
        fc.constantFrom('ack', 'cancel', 'cancelRejected', 'submitTimeout', 'cancelTimeout', 'restore', 'staleOpen'),
        { maxLength: 8 },
      ),
    })
    .filter((m) => {
      const totalUnits = m.units.reduce((a, b) => a + b, 0);
      return overfill ? totalUnits > m.slack : totalUnits + m.slack > 0;
    })
    .chain((m) => {
      const trades: Trade[] = m.units.map((u, i) => ({
        id: `T${i}`,
        qty: plain(new Decimal(u).div(1000)),
        price: plain(new Decimal(m.cents[i] ?? 1).div(100)),
      }));
      const totalUnits = m.units.reduce((a, b) => a + b, 0);
      const total = plain(new Decimal(totalUnits).div(1000));
      // normal: quantity = total + slack (slack 0 → fully filled); overfill: quantity = total − slack
      const quantity = plain(new Decimal(overfill ? totalUnits - m.slack : totalUnits + m.slack).div(1000));
      const full = overfill || m.slack === 0;
      // An 'open' report counts a prefix of the trades, never the whole order.
      const prefixes = trades.map((_, j) => trades.slice(0, j).reduce((s, t) => s.plus(t.qty), new Decimal(0)));
      if (!full) prefixes.push(new Decimal(total));
      const openFilled = plain(prefixes[m.ackPrefix % Math.max(prefixes.length, 1)] ?? new Decimal(0));
      let clock = T0 + 100;
      const items: Step[] = [];
      trades.forEach((t, i) => {
        for (let c = 0; c < (m.copies[i] ?? 1); c++) items.push({ kind: 'fill', trade: t });
      });
      for (const c of m.controls) {
        clock += 1;
        if (c === 'ack') items.push({ kind: 'event', event: E.update('open', openFilled, null, clock) });
        else if (c === 'staleOpen') items.push({ kind: 'event', event: E.update('open', '0', null, clock) });
        else if (c === 'cancel') items.push({ kind: 'event', event: E.cancel(clock) });
        else if (c === 'cancelRejected') items.push({ kind: 'event', event: E.cancelRejected('unknown_order', clock) });
        else if (c === 'submitTimeout') items.push({ kind: 'event', event: E.submitTimeout(T0 + 1e9) });
        else if (c === 'cancelTimeout') items.push({ kind: 'event', event: E.cancelTimeout(T0 + 1e9) });
        else items.push({ kind: 'restore' });
      }
      const terminalEvent = full ? E.update('closed', total, null, T0 + 5e8) : E.update(m.terminal, total, null, T0 + 5e8);
      if (m.deliverTerminal) items.push({ kind: 'event', event: terminalEvent });
      return fc
        .shuffledSubarray(items, { minLength: items.length, maxLength: items.length })
        .map((order) => ({ trades, quantity, total, full, order, deliverTerminal: m.deliverTerminal, terminal: full ? 'filled' : m.terminal }));
    });
}

function runScenario(quantity: string, order: readonly Step[], onStep: (h: Harness, delivered: Map<string, Trade>) => void): { h: Harness; delivered: Map<string, Trade> } {
  let h = new Harness({ intent: OrderIntent.parse({ ...BASE_INTENT, quantity }) }).send(E.approve(), E.submit());
  const delivered = new Map<string, Trade>();
  for (const step of order) {
    if (step.kind === 'restore') {
      h = roundTrip(h);
    } else if (step.kind === 'fill') {
      h.send(E.fill(step.trade.id, step.trade.qty, step.trade.price));
      if (!delivered.has(step.trade.id)) delivered.set(step.trade.id, step.trade);
    } else {
      h.send(step.event);
    }
    expect(h.snapshot.status).not.toBe('error');
    onStep(h, delivered);
  }
  return { h, delivered };
}

describe('property: random fill sequences', () => {
  it('filled quantity = sum of distinct trade quantities, never above the order quantity; closes only when all fills are in', () => {
    fc.assert(
      fc.property(scenario(false), (s) => {
        const { h, delivered } = runScenario(s.quantity, s.order, (actor, got) => {
          const sum = [...got.values()].reduce((acc, t) => acc.plus(t.qty), new Decimal(0));
          const notional = [...got.values()].reduce((acc, t) => acc.plus(dec(t.qty).times(t.price)), new Decimal(0));
          expect(actor.ctx.fills.filledQuantity).toBe(plain(sum));
          expect(actor.ctx.fills.filledNotional).toBe(plain(notional));
          expect(actor.ctx.fills.tradeIds).toEqual([...got.keys()]);
          expect(dec(actor.ctx.fills.filledQuantity).lte(s.quantity)).toBe(true);
          expect(actor.ctx.fills.averagePrice).toBe(sum.isZero() ? null : plain(notional.div(sum)));
          expect(actor.ctx.anomalies).toEqual([]);
          if (actor.state === 'CLOSED') expect(got.size).toBe(s.trades.length);
        });
        // every fill was delivered at least once: all of them count, exactly once
        expect(delivered.size).toBe(s.trades.length);
        expect(h.ctx.fills.filledQuantity).toBe(s.total);
        if (s.deliverTerminal) {
          expect(h.state).toBe('CLOSED');
          expect(h.ctx.result.outcome).toBe(s.terminal === 'canceled' ? 'cancelled' : s.terminal);
        } else {
          expect(h.state).not.toBe('CLOSED');
          if (s.full) expect(h.state).toBe('FILLED');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('overfill: fills adding up to more than the order quantity are all counted and flagged once', () => {
    fc.assert(
      fc.property(scenario(true), (s) => {
        const { h } = runScenario(s.quantity, s.order, (actor, got) => {
          const sum = [...got.values()].reduce((acc, t) => acc.plus(t.qty), new Decimal(0));
          expect(actor.ctx.fills.filledQuantity).toBe(plain(sum));
          expect(actor.ctx.anomalies.filter((a) => a.code === 'overfill').length).toBeLessThanOrEqual(1);
        });
        expect(h.ctx.fills.filledQuantity).toBe(s.total);
        expect(h.ctx.anomalies.map((a) => a.code)).toEqual(['overfill']);
        expect(h.state).toBe(s.deliverTerminal ? 'CLOSED' : 'FILLED');
      }),
      { numRuns: 200 },
    );
  });
});
