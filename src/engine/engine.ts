/**
 * The engine: one live XState actor per order, routed by client order id.
 *
 * Data flows one way: a signal (socket) or a venue update (stream, REST answer)
 * becomes an event → the order actor transitions → the transition (snapshot +
 * journal entry) is committed to LMDB → only then do its effects leave the
 * process (the venue call, the events to subscribers). A submit is therefore
 * never made for an order whose intent is not on disk, and a restarted engine
 * rehydrates every live actor and reconciles it with the venue before it
 * accepts new signals; a submit whose outcome is unknown is looked up by its
 * client order id, never blindly re-sent.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type Observable, Subject, type Subscription } from 'rxjs';
import { type Actor, createActor } from 'xstate';
import {
  DEFAULT_CANCEL_TIMEOUT_MS,
  DEFAULT_SUBMIT_TIMEOUT_MS,
  ORDER_MACHINE_VERSION,
  type OrderContext,
  type OrderDeadline,
  type OrderEvent,
  type OrderSnapshot,
  isFinal,
  nextDeadline,
  orderContextOf,
  orderIntentOf,
  orderMachine,
  persistedSnapshotOf,
} from '../../machines/order.machine.ts';
import { registryMachine } from '../../machines/registry.machine.ts';
import { clientOrderIdFor } from '../domain/client-order-id.ts';
import { dec } from '../domain/decimal.ts';
import { type Fill, OrderIntent, type VenueOrderUpdate, isTerminalVenueStatus } from '../domain/order.ts';
import type { SignalRequest } from '../domain/signal.ts';
import type { OrderStore } from '../store/index.ts';
import { DuplicateSignalError } from '../store/index.ts';
import {
  EngineError,
  type EngineApi,
  type EngineEvent,
  type EngineStatus,
  type OrderView,
  type OrdersPage,
  type OrdersQuery,
  type SignalResult,
} from './api.ts';
import { type CommitCallback, CommitBatcher } from './commit-batcher.ts';
import { type CommittedOrder, LiveOrders } from './live-orders.ts';
import type { Inspector } from './inspector.ts';
import { type RiskLimits, checkIntent } from './risk.ts';
import { DeadlineScheduler } from './scheduler.ts';
import type { StreamState, VenuePort } from './venue-port.ts';

type Effect = 'submit' | 'cancel' | 'reconcile';
type OrderActor = Actor<typeof orderMachine>;

export interface EngineOptions {
  readonly store: OrderStore;
  /** Venue accounts; the first is the default for signals that name none. */
  readonly venues: ReadonlyArray<VenuePort>;
  readonly logger: Logger;
  readonly risk: RiskLimits;
  /** ms; default 15 s. */
  readonly submitTimeoutMs?: number;
  /** ms; default 15 s. */
  readonly cancelTimeoutMs?: number;
  /** How long after a submit a lost request could still reach the venue (Binance recvWindow), ms; default 10 s. */
  readonly recvWindowMs?: number;
  /** How many reconciliation look-ups run at once; default 8. */
  readonly reconcileConcurrency?: number;
  /**
   * Every this many ms, every live order is looked up at its venue, so that events a stream
   * never delivered (a silent user-data stream, a gap the venue did not report) are caught up;
   * default 60 s; 0 turns it off.
   */
  readonly reconcileIntervalMs?: number;
  /**
   * Passivation: an order actor that has received no event for this many ms is stopped and
   * only its state name is kept in memory (its snapshot stays in the store, see `LiveOrders`);
   * its next event (a venue update, a deadline, a cancel) restores it from that snapshot first,
   * as after a restart. Never while the inspector is on. Default 10 s; 0 keeps every actor running.
   */
  readonly passivateAfterMs?: number;
  readonly inspector?: Inspector;
  /** Engine clock, ms since epoch; default Date.now. */
  readonly now?: () => number;
}

/** Persisted signal result (what a repeated signal id is answered with). */
interface StoredSignalResult {
  readonly signalId: string;
  readonly clientOrderId: string;
  readonly state: string;
}

export class Engine implements EngineApi {
  private state: EngineStatus['state'] = 'starting';
  private readonly startedAt: number;
  private readonly actors = new Map<string, OrderActor>();
  /** Every live order and its last committed state: what queries answer with (never a state not yet on disk). */
  private readonly committed: LiveOrders;
  private readonly pendingEffects = new Map<string, Effect[]>();
  /**
   * The validated intent each order was created from, keyed by its context's `intent` object (which
   * no transition replaces): the submit sends it without parsing the context again. An order restored
   * from the store is not in it; its intent is rebuilt and checked by `orderIntentOf`.
   */
  private readonly validatedIntents = new WeakMap<object, OrderIntent>();
  private readonly pendingSignals = new Map<string, Promise<SignalResult>>();
  private readonly events$ = new Subject<EngineEvent>();
  private readonly venues = new Map<string, VenuePort>();
  private readonly streamStates = new Map<string, Map<string, 'up' | 'down'>>();
  private readonly subscriptions: Subscription[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly scheduler: DeadlineScheduler;
  private readonly commits: CommitBatcher;
  private readonly machine;
  /** The parent of every order actor (machines/registry.machine.ts): they share its actor system. */
  private readonly registry: Actor<typeof registryMachine>;
  private readonly now: () => number;
  private readonly submitTimeoutMs: number;
  private readonly cancelTimeoutMs: number;
  private readonly recvWindowMs: number;
  private lastSeq = 0;
  private periodic: NodeJS.Timeout | undefined;
  private periodicRunning = false;
  /** When each running actor last received an event (engine clock, ms); see {@link EngineOptions.passivateAfterMs}. */
  private readonly lastEventAt = new Map<string, number>();
  private passivation: NodeJS.Timeout | undefined;

  constructor(private readonly opts: EngineOptions) {
    if (opts.venues.length === 0) throw new Error('the engine needs at least one venue account');
    for (const v of opts.venues) this.venues.set(v.id, v);
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.submitTimeoutMs = opts.submitTimeoutMs ?? DEFAULT_SUBMIT_TIMEOUT_MS;
    this.cancelTimeoutMs = opts.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS;
    this.recvWindowMs = opts.recvWindowMs ?? 10_000;
    this.lastSeq = opts.store.lastSeq();
    this.committed = new LiveOrders((cid) => {
      const record = opts.store.getActor(cid);
      if (record?.live === true && record.version === ORDER_MACHINE_VERSION) return record.snapshot as CommittedOrder;
      // Only a record that became unreadable (reported by the store) or was changed by another writer gets here.
      opts.logger.error({ clientOrderId: cid, found: record === undefined ? 'none' : { live: record.live, version: record.version } }, 'live order has no readable live record in the store: no longer tracked');
      return undefined;
    });
    this.commits = new CommitBatcher(opts.store);
    this.scheduler = new DeadlineScheduler((cid, d) => this.onDeadline(cid, d), this.now);
    const queue = (effect: Effect) => ({ context }: { context: OrderContext }) => {
      const cid = context.intent.clientOrderId;
      const list = this.pendingEffects.get(cid);
      if (list) list.push(effect);
      else this.pendingEffects.set(cid, [effect]);
    };
    this.registry = createActor(registryMachine, { id: 'orders' });
    this.registry.start();
    this.machine = orderMachine.provide({
      actions: { emitSubmit: queue('submit'), emitCancel: queue('cancel'), emitReconcile: queue('reconcile') },
    });
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Rehydrates every live actor from the store, subscribes to the venues'
   * streams, reconciles every live order with its venue, then accepts signals.
   * @returns counts of what was restored.
   */
  async start(): Promise<{ rehydrated: number; reconciled: number; failed: number }> {
    const log = this.opts.logger;
    let rehydrated = 0;
    let failed = 0;
    const unconfigured = new Map<string, number>();
    for (const { clientOrderId, record } of this.opts.store.listLive()) {
      if (record.version !== ORDER_MACHINE_VERSION) {
        log.error({ clientOrderId, version: record.version }, 'persisted order written by another machine version: left as is, not rehydrated');
        failed++;
        continue;
      }
      // The actor itself is created on the order's first event (see `actorFor`); until then the snapshot stays in the store.
      const snapshot = record.snapshot as CommittedOrder;
      this.committed.setOnDisk(clientOrderId, snapshot.value);
      if (record.firstSeq !== undefined) this.committed.setFirstSeq(clientOrderId, record.firstSeq);
      this.scheduler.set(clientOrderId, nextDeadline(snapshot));
      const venueId = snapshot.context.intent.venue;
      if (!this.venues.has(venueId)) unconfigured.set(venueId, (unconfigured.get(venueId) ?? 0) + 1);
      rehydrated++;
    }
    for (const [venue, orders] of unconfigured) {
      // Live, and nothing can reconcile, cancel or fill them until that venue account is configured again.
      log.error({ venue, orders, configured: [...this.venues.keys()] }, 'live orders of a venue account that is not configured: left as they are');
    }
    for (const venue of this.venues.values()) this.subscribeVenue(venue);
    this.state = 'reconciling';
    log.info({ rehydrated, failed }, 'rehydrated live orders; reconciling with the venues');
    const reconciled = await this.reconcileAll(true);
    this.state = 'running';
    this.startPeriodicReconcile();
    this.startPassivation();
    log.info({ reconciled }, 'engine running');
    return { rehydrated, reconciled, failed };
  }

  /** Stops taking signals, detaches the streams, waits for commits and effects under way, clears timers. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'draining';
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.length = 0;
    this.scheduler.clear();
    if (this.periodic) clearInterval(this.periodic);
    if (this.passivation) clearInterval(this.passivation);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    while (this.inflight.size > 0 || this.commits.busy()) {
      await this.commits.idle();
      await Promise.allSettled([...this.inflight]);
    }
    await this.opts.inspector?.disable();
    for (const a of this.actors.values()) this.registry.send({ type: 'STOP_ORDER', ref: a });
    this.actors.clear();
    this.registry.stop();
    this.state = 'stopped';
    this.events$.complete();
  }

  // ------------------------------------------------------------------ EngineApi

  async signal(req: SignalRequest): Promise<SignalResult> {
    if (this.state !== 'running') throw new EngineError('not_ready', `the engine is ${this.state}: signals are accepted once it is running`);
    const signalId = req.signalId ?? randomUUID();
    const pending = this.pendingSignals.get(signalId);
    if (pending) return pending.then((r) => ({ ...r, duplicate: true }));
    const first = this.opts.store.getSignal(signalId);
    if (first) return { ...(first.result as StoredSignalResult), duplicate: true };
    const p = this.placeSignal(signalId, req).finally(() => this.pendingSignals.delete(signalId));
    this.pendingSignals.set(signalId, p);
    return p;
  }

  async cancel(clientOrderId: string): Promise<OrderView> {
    const snap = this.committed.get(clientOrderId);
    if (!snap) {
      if (this.opts.store.getActor(clientOrderId)) throw new EngineError('conflict', `order ${clientOrderId} is closed: nothing to cancel`);
      throw new EngineError('not_found', `no order ${clientOrderId}`);
    }
    const state = snap.value;
    if (!['RECEIVED', 'VALIDATED', 'SUBMITTED', 'UNKNOWN', 'ACCEPTED', 'PARTIAL'].includes(state)) {
      throw new EngineError('conflict', `order ${clientOrderId} is ${state}: it cannot be cancelled now`);
    }
    await this.dispatch(clientOrderId, { type: 'CANCEL', at: this.now() });
    return this.order(clientOrderId);
  }

  async order(clientOrderId: string): Promise<OrderView> {
    const live = this.committed.get(clientOrderId);
    if (live) return this.view(clientOrderId, live.context, live.value, true);
    const record = this.opts.store.getActor(clientOrderId);
    if (!record) throw new EngineError('not_found', `no order ${clientOrderId}`);
    const snap = record.snapshot as { value: string; context: unknown };
    const ctx = orderContextOf(record.version, snap.context);
    if (!ctx) throw new EngineError('internal', `order ${clientOrderId} was stored by order machine version ${record.version}, which this engine cannot read`);
    return this.view(clientOrderId, ctx, snap.value, record.live);
  }

  /**
   * One page of orders (live and archived), filtered by state and instrument, after `query.cursor`: in the
   * order the store first recorded them (an order's first journal entry, committed when its signal is
   * accepted: creation order), oldest first, or newest first with `query.newestFirst`. It walks the store's
   * listing index (`OrderStore.listOrderIds`) from the cursor and stops once the page is full, so a page costs
   * the orders it looks at, not every order there is: without a filter, `limit + 1` of them. A filter reads on
   * until enough orders match. A filter naming no final state (CLOSED, DENIED), which only live orders can
   * match, walks the live orders in memory in the same order instead (each one's place is kept from its first
   * commit, or read from its record at start). It yields to the event loop every {@link ORDERS_SCAN_SLICE}
   * orders looked at, so that venue events and other requests go on meanwhile.
   *
   * @throws EngineError `bad_request` for a cursor this engine did not issue, or one from a listing in the other direction.
   */
  async orders(query: OrdersQuery): Promise<OrdersPage> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const states = query.states && query.states.length > 0 ? new Set(query.states) : undefined;
    const newestFirst = query.newestFirst === true;
    // Archived orders are final (CLOSED or DENIED): a filter naming neither is answered from the live orders alone,
    // walked in memory in listing order (when each one's place is known, as it is unless the store predates it).
    const archivedMayMatch = states === undefined || [...states].some((s) => FINAL_STATES.has(s));
    const after = query.cursor ? decodeCursor(query.cursor, newestFirst) : undefined;
    const filter: ListingFilter = { states, instrument: query.instrument, archivedMayMatch, after, newestFirst, want: limit + 1 };
    const live = archivedMayMatch ? undefined : this.committed.inListingOrder(newestFirst, after);
    const rows = live !== undefined ? await this.listLiveOrders(live, filter) : await this.listIndexedOrders(filter);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const orders = page.map((r) => this.view(r.cid, r.ctx, r.state, r.live));
    return rows.length > limit && last ? { orders, nextCursor: encodeCursor(last.seq, newestFirst) } : { orders };
  }

  /** Up to `filter.want` matching live orders from `live` (in listing order, from after the cursor). */
  private async listLiveOrders(live: Iterable<{ readonly clientOrderId: string; readonly seq: number }>, filter: ListingFilter): Promise<ListedRow[]> {
    const rows: ListedRow[] = [];
    let looked = 0;
    for (const { clientOrderId: cid, seq } of live) {
      if (++looked % ORDERS_SCAN_SLICE === 0) await nextTurn();
      const row = this.listingRow(cid, filter);
      if (row !== undefined) rows.push({ ...row, seq });
      if (rows.length >= filter.want) break;
    }
    return rows;
  }

  /** Up to `filter.want` matching orders, live or archived, from the store's listing index, after the cursor. */
  private async listIndexedOrders(filter: ListingFilter): Promise<ListedRow[]> {
    const rows: ListedRow[] = [];
    let after = filter.after;
    for (;;) {
      // One slice of the store's listing (keys only), then a turn of the event loop: the engine goes on meanwhile.
      // (A slice shorter than asked is not the end: the store skips a key it cannot read. An empty one is.)
      const slice = this.opts.store.listOrderIds({ ...(after !== undefined && { after }), newestFirst: filter.newestFirst, limit: ORDERS_SCAN_SLICE });
      if (slice.length === 0) return rows;
      for (const { seq, clientOrderId: cid, tag } of slice) {
        after = seq;
        // The listing tag is the order's instrument (see `apply`): a different one rules the order out unread.
        if (filter.instrument !== undefined && tag !== undefined && tag !== filter.instrument) continue;
        const row = this.listingRow(cid, filter);
        if (row !== undefined) rows.push({ ...row, seq });
        if (rows.length >= filter.want) return rows;
      }
      await nextTurn();
    }
  }

  /**
   * An order as `orders()` lists it, or undefined when it does not pass the state filter or cannot be read. A live
   * order is read from memory (or its committed snapshot from the store); any other, from the archive.
   */
  private listingRow(cid: string, filter: ListingFilter): ListingRow | undefined {
    const { states, instrument, archivedMayMatch } = filter;
    const liveState = this.committed.stateOf(cid);
    if (liveState !== undefined) {
      if (states && !states.has(liveState)) return undefined;
      const s = this.committed.get(cid);
      return s && (!instrument || s.context.intent.symbol === instrument) ? { cid, ctx: s.context, state: s.value, live: true } : undefined;
    }
    if (!archivedMayMatch) return undefined;
    const record = this.opts.store.getActor(cid);
    // A live record the engine does not hold (one whose snapshot does not fit the machine) is not listed.
    if (record === undefined || record.live) return undefined;
    const snap = record.snapshot as { value: string; context: unknown };
    if (states && !states.has(snap.value)) return undefined;
    const ctx = orderContextOf(record.version, snap.context);
    if (ctx === undefined) {
      this.opts.logger.warn({ clientOrderId: cid, version: record.version }, 'archived order stored by an unreadable machine version: left out of the listing');
      return undefined;
    }
    return !instrument || ctx.intent.symbol === instrument ? { cid, ctx, state: snap.value, live: false } : undefined;
  }


  status(): EngineStatus {
    const byState = this.committed.countByState();
    return {
      state: this.state,
      venues: [...this.venues.values()].map((v) => {
        const streams = Object.fromEntries(this.streamStates.get(v.id) ?? []);
        return { id: v.id, connected: Object.values(streams).length > 0 && Object.values(streams).every((s) => s === 'up'), streams };
      }),
      orders: { live: this.committed.size, running: this.actors.size, byState },
      inspector: this.opts.inspector?.status() ?? { enabled: false },
      journalSeq: this.lastSeq,
      uptimeMs: this.now() - this.startedAt,
    };
  }

  events(): Observable<EngineEvent> {
    return this.events$.asObservable();
  }

  async setInspector(enabled: boolean): Promise<{ enabled: boolean; url?: string }> {
    const inspector = this.opts.inspector;
    if (!inspector) throw new EngineError('not_ready', 'no inspector is configured');
    if (!enabled) {
      await inspector.disable();
      return inspector.status();
    }
    await inspector.enable();
    // Every live order is shown: orders restored lazily get their actor now.
    for (const cid of this.committed.ids()) this.actorFor(cid);
    for (const a of this.actors.values()) inspector.attach(a);
    return inspector.status();
  }

  // ------------------------------------------------------------------ signals

  private async placeSignal(signalId: string, req: SignalRequest): Promise<SignalResult> {
    const venueId = req.venue ?? this.opts.venues[0]?.id ?? '';
    const venue = this.venues.get(venueId);
    if (!venue) throw new EngineError('unknown_venue', `no venue account ${venueId}`, [{ path: ['venue'], message: `configured: ${[...this.venues.keys()].join(', ')}` }]);
    const clientOrderId = clientOrderIdFor(signalId, 'entry');
    const parsed = OrderIntent.safeParse({
      clientOrderId,
      signalId,
      leg: 'entry',
      venue: venue.id,
      accountId: venue.id,
      symbol: req.instrument,
      side: req.side,
      type: req.type,
      ...(req.type === 'limit' && { timeInForce: req.timeInForce ?? 'GTC' }),
      ...(req.quantity !== undefined && { quantity: req.quantity }),
      ...(req.quoteQuantity !== undefined && { quoteQuantity: req.quoteQuantity }),
      ...(req.price !== undefined && { price: req.price }),
      reduceOnly: false,
      createdAt: this.now(),
    });
    if (!parsed.success) {
      throw new EngineError(
        'bad_request',
        'the signal does not make a valid order',
        parsed.error.issues.map((i) => ({ path: i.path.filter((p): p is string | number => typeof p !== 'symbol'), message: i.message })),
      );
    }
    const intent = parsed.data;
    if (this.committed.has(clientOrderId) || this.actors.has(clientOrderId) || this.opts.store.hasActor(clientOrderId)) {
      // The order of this signal exists although its signal record does not (written by an older version, or a store repaired by hand): never place it twice.
      const existing = await this.order(clientOrderId);
      return { signalId, clientOrderId, state: existing.state, duplicate: true };
    }
    const actor = createActor(this.machine, {
      input: { intent, submitTimeoutMs: this.submitTimeoutMs, cancelTimeoutMs: this.cancelTimeoutMs },
      parent: this.registry,
      id: clientOrderId,
    });
    actor.start();
    this.register(clientOrderId, actor);
    this.validatedIntents.set(actor.getSnapshot().context.intent, intent);
    const decision = checkIntent(intent, venue.limits(intent.symbol), this.opts.risk);
    const at = this.now();
    const first: OrderEvent = decision.approved ? { type: 'RISK_APPROVED', at } : { type: 'RISK_DENIED', at, reason: decision.reason };
    const state = decision.approved ? 'SUBMITTED' : 'DENIED';
    const result: StoredSignalResult = { signalId, clientOrderId, state };
    try {
      const p1 = this.dispatch(clientOrderId, first, { id: signalId, result });
      // Same event-loop turn: the intent and the submit are committed in one LMDB transaction, before any venue call.
      const p2 = decision.approved ? this.dispatch(clientOrderId, { type: 'SUBMIT', at }) : undefined;
      // Both settle (a refused intent refuses its SUBMIT too: the store never writes one without the other).
      await Promise.all([p1, p2]);
    } catch (err) {
      if (err instanceof DuplicateSignalError) {
        this.actors.delete(clientOrderId);
        this.registry.send({ type: 'STOP_ORDER', ref: actor });
        return { ...(err.first.result as StoredSignalResult), duplicate: true };
      }
      throw err;
    }
    if (!decision.approved) this.opts.logger.info({ clientOrderId, reason: decision.reason, detail: decision.detail }, 'signal denied by risk checks');
    return { ...result, duplicate: false };
  }

  // ------------------------------------------------------------------ the actor pipeline

  private register(clientOrderId: string, actor: OrderActor): void {
    this.actors.set(clientOrderId, actor);
    this.scheduler.set(clientOrderId, nextDeadline(actor.getSnapshot()));
    this.opts.inspector?.attachIfEnabled(actor);
  }

  /**
   * The live actor of an order, restored from its last committed snapshot on
   * first use after a restart; undefined when the order is not live (or its
   * snapshot does not fit the machine, which is logged once and left as is).
   */
  private actorFor(clientOrderId: string): OrderActor | undefined {
    const live = this.actors.get(clientOrderId);
    if (live) return live;
    const snapshot = this.committed.get(clientOrderId);
    if (!snapshot) return undefined;
    const actor = createActor(this.machine, { snapshot: snapshot as OrderSnapshot, input: undefined, parent: this.registry, id: clientOrderId });
    actor.start();
    if (actor.getSnapshot().status === 'error') {
      this.opts.logger.error({ clientOrderId }, 'persisted snapshot does not fit the order machine: not rehydrated');
      this.committed.delete(clientOrderId);
      this.scheduler.set(clientOrderId, null);
      return undefined;
    }
    this.register(clientOrderId, actor);
    // Held in memory while its actor runs: the actor's own snapshot, the committed state (passivation compares the two).
    this.committed.set(clientOrderId, actor.getSnapshot());
    return actor;
  }

  /**
   * Sends one event to one order actor. When it changes the actor, the new
   * snapshot and a journal entry are committed; once committed, the events go
   * to subscribers and the effects run. Resolves with the journal sequence
   * number, or undefined when the actor ignored the event (or is not live);
   * rejects with the store's error (DuplicateSignalError for a signal id seen before).
   */
  private dispatch(clientOrderId: string, event: OrderEvent, signal?: { id: string; result: StoredSignalResult }): Promise<number | undefined> {
    return new Promise<number | undefined>((resolve, reject) => {
      const changed = this.apply(clientOrderId, event, signal, (err, seq) => (seq === undefined ? reject(err) : resolve(seq)));
      if (!changed) resolve(undefined);
    });
  }

  /**
   * {@link dispatch} without a promise (the path of every venue stream message):
   * returns false when the actor ignored the event (or is not live); otherwise the
   * transition is queued for commit and `done` (if given) is told its outcome after
   * the post-commit work (events to subscribers, effects) has run.
   */
  private apply(clientOrderId: string, event: OrderEvent, signal?: { id: string; result: StoredSignalResult }, done?: CommitCallback): boolean {
    const actor = this.actorFor(clientOrderId);
    if (!actor) return false;
    this.lastEventAt.set(clientOrderId, this.now());
    const before = actor.getSnapshot();
    actor.send(event);
    const after = actor.getSnapshot();
    const effects = this.pendingEffects.get(clientOrderId);
    if (effects) this.pendingEffects.delete(clientOrderId);
    if (after === before) return false;
    const live = !isFinal(after);
    const ctx = after.context;
    const venueOrderId = ctx.venue.orderId;
    const linkVenue = venueOrderId !== null && before.context.venue.orderId === null && this.venueIdFree(clientOrderId, ctx.intent.symbol, venueOrderId);
    const firstNew = before.context.transitions.length;
    const appliedFill = event.type === 'FILL' && ctx.fills.tradeIds.length > before.context.fills.tradeIds.length ? event.fill : undefined;
    // Write-ahead transitions (those that send something to the venue, and a signal's first one) wait for the
    // flush to disk; facts learnt from the venue wait for the commit only: after a power loss the startup
    // reconciliation learns them again from the venue.
    const writeAhead = signal !== undefined || (effects !== undefined && (effects.includes('submit') || effects.includes('cancel')));
    this.commits.enqueue(
      {
        clientOrderId,
        snapshot: persistedSnapshotOf(after),
        version: ORDER_MACHINE_VERSION,
        journalEntry: { event, from: before.value, to: after.value, at: event.at },
        live,
        ...(linkVenue && { venueOrder: { symbol: ctx.intent.symbol, orderId: venueOrderId } }),
        ...(signal && { signal }),
        // The order's first transition: listings filter on its instrument without reading its record.
        ...(firstNew === 0 && { listingTag: ctx.intent.symbol }),
      },
      writeAhead ? 'flush' : 'commit',
      (err, seq) => {
        if (seq === undefined) {
          if (!(err instanceof DuplicateSignalError)) this.fail(err, clientOrderId);
          done?.(err);
          return;
        }
        this.afterCommit(clientOrderId, event, after, seq, firstNew, appliedFill, effects);
        done?.(undefined, seq);
      },
    );
    this.scheduler.set(clientOrderId, nextDeadline(after));
    return true;
  }

  /**
   * False (logged as an error) when the venue order id is linked to another order already: a venue that
   * reuses ids (a testnet reset, another account on the same data, a paper venue that started afresh). The
   * transition is then committed without the link (the store would refuse it whole, leaving the actor ahead
   * of its committed state), and the order is still found by its client order id.
   */
  private venueIdFree(clientOrderId: string, symbol: string, venueOrderId: string): boolean {
    const holder = this.opts.store.clientIdFor({ symbol, orderId: venueOrderId });
    if (holder === undefined || holder === clientOrderId) return true;
    this.opts.logger.error({ clientOrderId, venueOrderId, symbol, linkedTo: holder }, 'venue order id already belongs to another order: not linked again');
    return false;
  }

  /** Once a transition is committed: the committed view, events to subscribers, archiving, effects. */
  private afterCommit(
    clientOrderId: string,
    event: OrderEvent,
    after: OrderSnapshot,
    seq: number,
    firstNew: number,
    appliedFill: Fill | undefined,
    effects: Effect[] | undefined,
  ): void {
    const live = !isFinal(after);
    const ctx = after.context;
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (live) {
      this.committed.set(clientOrderId, after);
      if (firstNew === 0) this.committed.setFirstSeq(clientOrderId, seq); // the order's first transition: its listing place
    } else this.committed.delete(clientOrderId);
    if (this.events$.observed) {
      for (let i = firstNew; i < ctx.transitions.length; i++) {
        const t = ctx.transitions[i];
        if (t) this.events$.next({ type: 'transition', clientOrderId, seq, ...t });
      }
      if (appliedFill) this.events$.next({ type: 'fill', clientOrderId, fill: appliedFill });
    }
    if (!live) {
      this.actors.delete(clientOrderId);
      this.lastEventAt.delete(clientOrderId);
      this.scheduler.set(clientOrderId, null);
    }
    if (effects) for (const e of effects) this.runEffect(clientOrderId, e, ctx);
    if (event.type === 'RECONCILE_NOT_FOUND' && after.value === 'VALIDATED') {
      // The venue never had it and a late arrival is no longer possible: do not re-send a stale order; close it here.
      this.opts.logger.warn({ clientOrderId }, 'submit never reached the venue: order cancelled locally, not re-sent');
      this.apply(clientOrderId, { type: 'CANCEL', at: this.now() });
    }
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.inflight.delete(q));
    this.inflight.add(q);
  }

  private fail(err: unknown, clientOrderId: string): void {
    // A commit that fails leaves the journal behind the actor: stop taking work rather than act on unpersisted state.
    this.opts.logger.fatal({ err, clientOrderId }, 'LMDB commit failed: the engine stops accepting signals');
    this.state = 'draining';
  }

  private venueOf(ctx: OrderContext): VenuePort | undefined {
    return this.venues.get(ctx.intent.venue);
  }

  private runEffect(clientOrderId: string, effect: Effect, ctx: OrderContext): void {
    const venue = this.venueOf(ctx);
    if (!venue) {
      this.opts.logger.error({ clientOrderId, venue: ctx.intent.venue }, 'order names a venue that is not configured');
      return;
    }
    const task = (async () => {
      switch (effect) {
        case 'submit':
          return this.submit(venue, ctx);
        case 'cancel':
          return this.cancelAtVenue(venue, ctx);
        case 'reconcile':
          return this.reconcileOne(clientOrderId);
      }
    })().catch((err: unknown) => this.opts.logger.error({ err, clientOrderId, effect }, 'effect failed'));
    this.track(task);
  }

  private async submit(venue: VenuePort, ctx: OrderContext): Promise<void> {
    const intent = this.validatedIntents.get(ctx.intent) ?? orderIntentOf(ctx);
    const outcome = await venue.submit(intent);
    const at = this.now();
    const cid = intent.clientOrderId;
    switch (outcome.kind) {
      case 'ok':
        await this.applyVenueFacts(cid, outcome.update, outcome.fills, at);
        return;
      case 'rejected':
        await this.dispatch(cid, {
          type: 'VENUE_REJECTED',
          at,
          reason: reasonCode(outcome.reason),
          ...(outcome.venueCode !== undefined && { venueCode: outcome.venueCode }),
          message: outcome.message.slice(0, 512),
        });
        return;
      case 'unknown':
        // Not a failure: the order may exist. The submit deadline moves it to UNKNOWN, which reconciles by client order id.
        this.opts.logger.warn({ clientOrderId: cid, message: outcome.message }, 'submit outcome unknown; will reconcile');
        return;
    }
  }

  private async cancelAtVenue(venue: VenuePort, ctx: OrderContext): Promise<void> {
    const cid = ctx.intent.clientOrderId;
    const outcome = await venue.cancel(cid, ctx.intent.symbol);
    const at = this.now();
    switch (outcome.kind) {
      case 'ok':
        await this.dispatch(cid, { type: 'VENUE_UPDATE', at, update: outcome.update });
        return;
      case 'rejected':
        await this.dispatch(cid, {
          type: 'CANCEL_REJECTED',
          at,
          reason: outcome.reason === 'unknown_order' ? 'unknown_order' : 'other',
          ...(outcome.venueCode !== undefined && { venueCode: outcome.venueCode }),
        });
        return;
      case 'unknown':
        this.opts.logger.warn({ clientOrderId: cid, message: outcome.message }, 'cancel outcome unknown; the cancel deadline will reconcile');
        return;
    }
  }

  /** Applies the venue's view of an order: its status, then each fill (idempotent by trade id). */
  /** @param current the order's state now, when the caller has it (else it is read) */
  private async applyVenueFacts(cid: string, update: VenueOrderUpdate, fills: ReadonlyArray<Fill>, at: number, current?: CommittedOrder): Promise<void> {
    const ps: Array<Promise<unknown>> = [];
    const events: OrderEvent[] = [{ type: 'VENUE_UPDATE', at, update }, ...fills.map((fill): OrderEvent => ({ type: 'FILL', at, fill }))];
    for (const e of events) if (!(current !== undefined && ps.length === 0 ? holds(current.context, e) : this.knows(cid, e))) ps.push(this.dispatch(cid, e));
    await Promise.all(ps);
  }

  /** True when the order already holds what a venue event says (a repeated update, a fill applied before). */
  private knows(clientOrderId: string, event: OrderEvent): boolean {
    // The running actor's state, which may be ahead of the committed one by transitions being committed.
    const snap = this.actors.get(clientOrderId)?.getSnapshot() ?? this.committed.get(clientOrderId);
    return snap !== undefined && holds(snap.context, event);
  }

  private onDeadline(clientOrderId: string, deadline: OrderDeadline): void {
    this.apply(clientOrderId, { type: deadline.type, at: Math.max(this.now(), deadline.at) });
  }

  // ------------------------------------------------------------------ venue streams

  private subscribeVenue(venue: VenuePort): void {
    const log = this.opts.logger;
    const states = new Map<string, 'up' | 'down'>();
    this.streamStates.set(venue.id, states);
    this.subscriptions.push(
      // Fills first: of one execution report, the trade is routed before the order's cumulative update
      // (which then usually repeats what the fill taught the order; see `repeatsVenueView`).
      venue.fills$.subscribe({
        next: (f) => this.route(f.clientOrderId, { type: 'FILL', at: this.now(), fill: f }),
        error: (err: unknown) => log.error({ err, venue: venue.id }, 'fill stream ended with an error'),
      }),
      venue.orderUpdates$.subscribe({
        next: (u) => this.route(u.clientOrderId, { type: 'VENUE_UPDATE', at: this.now(), update: u }),
        error: (err: unknown) => log.error({ err, venue: venue.id }, 'order update stream ended with an error'),
      }),
      venue.connectivity$.subscribe((s: StreamState) => {
        const was = states.get(s.stream);
        states.set(s.stream, s.state);
        if (s.state === 'down') {
          log.warn({ venue: venue.id, stream: s.stream, error: s.error }, 'venue stream down');
          return;
        }
        log.info({ venue: venue.id, stream: s.stream }, 'venue stream up');
        if (was === 'down' && (s.stream === 'orders' || s.stream === 'fills') && this.state === 'running') {
          // Events may have been missed while the stream was down: catch up over REST.
          this.track(this.reconcileAll(false).catch((err: unknown) => log.error({ err }, 'reconcile after reconnect failed')));
        }
      }),
    );
  }

  /** Routes a venue message to its order actor by client order id. */
  private route(clientOrderId: string, event: OrderEvent): void {
    if (this.committed.has(clientOrderId) || this.actors.has(clientOrderId)) {
      if (this.knows(clientOrderId, event)) return;
      this.apply(clientOrderId, event);
      return;
    }
    const record = this.opts.store.getActor(clientOrderId);
    if (record && !record.live) {
      // The venue's own report of what closed the order often arrives after its REST answer did: nothing new then.
      const ctx = orderContextOf(record.version, (record.snapshot as { context?: unknown }).context);
      if (ctx !== undefined && holds(ctx, event)) this.opts.logger.debug({ clientOrderId, event: event.type }, 'venue message for an archived order repeats what it holds');
      else this.opts.logger.warn({ clientOrderId, event: event.type }, 'venue message for an archived order: recorded as an anomaly, not applied');
    }
    // Otherwise: an order this engine did not place (a manual order on the same account): not ours to track.
  }

  // ------------------------------------------------------------------ reconciliation

  /** Reconciles every live order (`atStartup`: also submits still waiting for their answer). Returns how many were looked at. */
  private async reconcileAll(atStartup: boolean): Promise<number> {
    const all = this.committed.ids();
    const ids = await this.changedAtVenue(all);
    const concurrency = this.opts.reconcileConcurrency ?? 8;
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < ids.length) {
        const cid = ids[next++];
        if (cid === undefined) break;
        await this.reconcileOne(cid, atStartup);
        done++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    return all.length - ids.length + done;
  }

  /**
   * Of `ids`, those that need a look-up of their own. An order resting at the venue (ACCEPTED or
   * PARTIAL) whose entry in the venue's open orders of its instrument tells nothing new (same
   * status and venue order id, no more executed than its fills count) needs none: one request per
   * instrument (Binance `GET /api/v3/openOrders`) answers for all of them, instead of two per order
   * (the order, then its trades). Any other order, one missing from the list (it closed or was
   * cancelled meanwhile), one the list says more about, or every order of an instrument whose list
   * could not be fetched, is looked up by itself.
   */
  private async changedAtVenue(ids: readonly string[]): Promise<string[]> {
    if (![...this.venues.values()].some((v) => v.openOrders !== undefined)) return [...ids];
    const lookUp: string[] = [];
    const groups = new Map<string, { venue: VenuePort; symbol: string; ids: string[] }>();
    for (const cid of ids) {
      // The state name first: an order that is not resting needs its own look-up, and no store read here.
      const running = this.actors.get(cid)?.getSnapshot();
      const state = running?.value ?? this.committed.stateOf(cid);
      if (state !== 'ACCEPTED' && state !== 'PARTIAL') {
        lookUp.push(cid);
        continue;
      }
      const snap = running ?? this.committed.get(cid);
      const venue = snap ? this.venueOf(snap.context) : undefined;
      if (!snap || !venue?.openOrders) {
        lookUp.push(cid);
        continue;
      }
      const key = `${venue.id}\u0000${snap.context.intent.symbol}`;
      const group = groups.get(key);
      if (group) group.ids.push(cid);
      else groups.set(key, { venue, symbol: snap.context.intent.symbol, ids: [cid] });
    }
    for (const { venue, symbol, ids: resting } of groups.values()) {
      const outcome = resting.length > 1 && venue.openOrders ? await venue.openOrders(symbol) : undefined;
      if (outcome?.kind !== 'ok') {
        lookUp.push(...resting);
        continue;
      }
      const open = new Map(outcome.orders.map((u) => [u.clientOrderId, u]));
      const at = this.now();
      // Checked against the order's state now (the request took a while: its stream may have moved it on).
      for (const cid of resting) {
        const update = open.get(cid);
        if (update === undefined || !this.knows(cid, { type: 'VENUE_UPDATE', at, update })) lookUp.push(cid);
      }
    }
    return lookUp;
  }

  /**
   * Looks one order up at its venue by client order id and applies what the
   * venue did: status and every fill. An order the venue does not know is
   * declared not found only once a lost submit can no longer arrive (its submit
   * time + the recvWindow); until then the look-up is repeated. One the venue had
   * acknowledged (ACCEPTED, PARTIAL) and no longer knows is declared not found a recvWindow
   * after its last transition (the machine closes it as cancelled, with a `vanished_at_venue`
   * anomaly); before that the look-up is repeated then.
   */
  private async reconcileOne(clientOrderId: string, atStartup = false, attempt = 0): Promise<void> {
    const snap = this.actors.get(clientOrderId)?.getSnapshot() ?? this.committed.get(clientOrderId);
    if (!snap || isFinal(snap)) return;
    const ctx = snap.context;
    const state = snap.value;
    const venue = this.venueOf(ctx);
    if (!venue) return;
    if (state === 'RECEIVED') {
      // Never committed past RECEIVED: the risk check never ran, nothing was sent.
      await this.dispatch(clientOrderId, { type: 'CANCEL', at: this.now() });
      return;
    }
    // A submit still waiting for its answer is left to its deadline (SUBMITTED → UNKNOWN → look-up); only at start-up is it looked up at once.
    if (state === 'SUBMITTED' && !atStartup) return;
    const seen = this.committed.version;
    const outcome = await venue.lookup(clientOrderId, ctx.intent.symbol);
    const at = this.now();
    if (outcome.kind === 'found') {
      // Unchanged meanwhile (nothing recorded, no actor running): what it holds is still `snap`, no need to read it again.
      const current = this.committed.version === seen && !this.actors.has(clientOrderId) ? snap : undefined;
      await this.applyVenueFacts(clientOrderId, outcome.update, outcome.fills, at, current);
      return;
    }
    if (outcome.kind === 'unknown') {
      this.retryLater(clientOrderId, Math.min(30_000, 500 * 2 ** attempt), attempt + 1);
      return;
    }
    // Not found at the venue.
    if (state === 'VALIDATED') {
      // The submit was committed only together with SUBMITTED: from VALIDATED nothing was ever sent. Send it now.
      if (atStartup) await this.dispatch(clientOrderId, { type: 'SUBMIT', at });
      return;
    }
    // SUBMITTED: its submit deadline moves it to UNKNOWN, which reconciles again.
    const acknowledged = state === 'ACCEPTED' || state === 'PARTIAL';
    if (!acknowledged && state !== 'UNKNOWN' && state !== 'PENDING_CANCEL') return;
    // "Not found" is trusted only a recvWindow after the venue could last have heard of the order: for one it
    // acknowledged, its last transition (the venue's order queries can lag its matching engine); otherwise the
    // submit (a lost submit can still arrive until then). Before that, it is looked up again then.
    const since = acknowledged ? (ctx.transitions.at(-1)?.at ?? ctx.intent.receivedAt) : (ctx.timing.submittedAt ?? ctx.intent.receivedAt);
    const trustFrom = since + this.recvWindowMs + 1_000;
    if (at < trustFrom) {
      this.retryLater(clientOrderId, trustFrom - at, attempt);
      return;
    }
    if (acknowledged) {
      // Acknowledged and no longer known (purged when cancelled or expired with nothing executed, a testnet reset, a
      // paper venue started afresh): nothing more can happen to it there.
      this.opts.logger.warn({ clientOrderId, state }, 'order acknowledged by the venue is no longer known to it: closed as cancelled (anomaly vanished_at_venue)');
    }
    await this.dispatch(clientOrderId, { type: 'RECONCILE_NOT_FOUND', at });
  }

  private startPeriodicReconcile(): void {
    const every = this.opts.reconcileIntervalMs ?? 60_000;
    if (every <= 0) return;
    this.periodic = setInterval(() => {
      if (this.periodicRunning || this.state !== 'running' || this.committed.size === 0) return;
      this.periodicRunning = true;
      const run = this.reconcileAll(false)
        .catch((err: unknown) => this.opts.logger.error({ err }, 'periodic reconciliation failed'))
        .finally(() => {
          this.periodicRunning = false;
        });
      this.track(run);
    }, every);
    this.periodic.unref();
  }

  private startPassivation(): void {
    const after = this.opts.passivateAfterMs ?? 10_000;
    if (after <= 0) return;
    this.passivation = setInterval(() => this.passivateIdle(after), Math.max(250, Math.floor(after / 4)));
    this.passivation.unref();
  }

  /**
   * Stops every actor idle for `idleMs` or more whose state is all committed (nothing of it
   * waits for LMDB or an effect); its committed snapshot is dropped from memory (it is in the
   * store), and `actorFor` restores the actor from it on the order's next event. Nothing happens while the inspector is on (it shows every live actor).
   */
  private passivateIdle(idleMs: number): void {
    if (this.state !== 'running' || this.opts.inspector?.status().enabled) return;
    const now = this.now();
    for (const [cid, actor] of this.actors) {
      if (now - (this.lastEventAt.get(cid) ?? 0) < idleMs) continue;
      const committed = this.committed.peek(cid);
      if (!committed || committed !== actor.getSnapshot() || this.pendingEffects.has(cid)) continue;
      this.registry.send({ type: 'STOP_ORDER', ref: actor });
      this.actors.delete(cid);
      this.lastEventAt.delete(cid);
      this.committed.evict(cid);
    }
  }

  private retryLater(clientOrderId: string, delayMs: number, attempt: number): void {
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.track(this.reconcileOne(clientOrderId, false, attempt).catch((err: unknown) => this.opts.logger.error({ err, clientOrderId }, 'reconcile failed')));
    }, delayMs);
    t.unref();
    this.retryTimers.add(t);
  }

  // ------------------------------------------------------------------ views

  private view(clientOrderId: string, ctx: OrderContext, state: string, live: boolean): OrderView {
    const fills: Fill[] = [];
    let rejectMessage: string | undefined;
    for (const j of this.opts.store.journalFor(clientOrderId)) {
      const e = j.event as OrderEvent;
      if (e.type === 'FILL') fills.push(e.fill);
      if (e.type === 'VENUE_REJECTED' && e.message !== undefined) rejectMessage = e.message;
    }
    const { intent: i, fills: f, result: r } = ctx;
    const reason =
      r.denyReason ??
      (r.rejectReason !== null ? [r.rejectReason, r.rejectCode !== null ? `(${r.rejectCode})` : '', rejectMessage ?? ''].filter(Boolean).join(' ') : null);
    return {
      clientOrderId,
      venueOrderId: ctx.venue.orderId,
      signalId: i.signalId,
      venue: i.venue,
      instrument: i.symbol,
      side: i.side,
      type: i.type,
      timeInForce: i.timeInForce,
      quantity: i.quantity,
      quoteQuantity: i.quoteQuantity,
      price: i.price,
      state,
      outcome: r.outcome,
      reason,
      filledQuantity: f.filledQuantity,
      averagePrice: f.averagePrice,
      fees: f.fees,
      fills,
      transitions: ctx.transitions,
      anomalies: ctx.anomalies,
      live,
      createdAt: i.receivedAt,
    };
  }
}

/** True when the order already holds what a venue event says: a repeated update (see {@link repeatsVenueView}), a fill applied before. */
function holds(ctx: OrderContext, event: OrderEvent): boolean {
  if (event.type === 'VENUE_UPDATE') return repeatsVenueView(ctx, event.update);
  if (event.type === 'FILL') return ctx.fills.tradeIds.includes(event.fill.tradeId);
  return false;
}

/**
 * True when a venue update tells the order nothing it does not know: the same venue order id, an
 * executed quantity that neither the venue's last update nor the fills already applied fall short
 * of, and the same status — or a non-final one after the venue already gave its final status.
 * (Binance reports each trade once as a trade and once in the order's cumulative quantity: with
 * fills routed first, the update that follows a fill repeats it.)
 */
function repeatsVenueView(ctx: OrderContext, u: VenueOrderUpdate): boolean {
  const v = ctx.venue;
  if (u.venueOrderId !== v.orderId) return false;
  const executed = dec(u.filledQuantity);
  const counted = executed.lte(v.filledQuantity) || executed.lte(ctx.fills.filledQuantity);
  if (u.status === v.status) return counted;
  // An older report arriving late (a market order's NEW after its REST answer closed it): the venue already
  // gave the order its final status, and this report counts nothing more.
  return v.final && !isTerminalVenueStatus(u.status) && counted;
}


/** A venue's reason in the machine's reason-code alphabet. */
function reasonCode(reason: string): string {
  const r = reason.toLowerCase().replace(/[^a-z0-9_.:-]+/g, '_').replace(/^[^a-z]+/, '');
  return (r || 'venue_rejected').slice(0, 64);
}

/** How many orders `orders()` looks at between two yields to the event loop. */
const ORDERS_SCAN_SLICE = 1_000;

/** The order machine's final states ({@link isFinal}): the only states of an archived order. */
const FINAL_STATES: ReadonlySet<string> = new Set(['CLOSED', 'DENIED']);

/** One order as `orders()` lists it. */
interface ListingRow {
  readonly cid: string;
  readonly ctx: OrderContext;
  readonly state: string;
  readonly live: boolean;
}

/** A listed order and its listing place (the seq of its first journal entry). */
type ListedRow = ListingRow & { readonly seq: number };

/** What `orders()` looks for: states and instrument (any when undefined), after which place, in which direction, how many. */
interface ListingFilter {
  readonly states: ReadonlySet<string> | undefined;
  readonly instrument: string | undefined;
  /** False when the states name no final state: no archived order can match (they are all CLOSED or DENIED). */
  readonly archivedMayMatch: boolean;
  readonly after: number | undefined;
  readonly newestFirst: boolean;
  /** Rows to find: the page size + 1 (to know whether another page follows). */
  readonly want: number;
}

/** Resolves on the next turn of the event loop (after pending I/O callbacks). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A cursor: the seq at which the page's last order was first recorded, and the listing's direction. */
function encodeCursor(seq: number, newestFirst: boolean): string {
  return Buffer.from(JSON.stringify([seq, newestFirst ? 'newest' : 'oldest'])).toString('base64url');
}

/** A decoded cursor: the listing place (seq) of the page's last order, and the listing's direction. */
const CursorSchema = z.tuple([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.enum(['oldest', 'newest'])]);

/** @throws EngineError `bad_request` for a cursor this engine did not issue, or one issued for the other direction. */
function decodeCursor(cursor: string, newestFirst: boolean): number {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = CursorSchema.safeParse(json);
  if (!parsed.success) throw new EngineError('bad_request', 'the cursor is not one this engine issued', [{ path: ['cursor'], message: 'invalid cursor' }]);
  const [seq, direction] = parsed.data;
  if ((direction === 'newest') !== newestFirst) {
    throw new EngineError('bad_request', 'the cursor belongs to a listing in the other direction', [{ path: ['cursor'], message: `issued for ${direction} first` }]);
  }
  return seq;
}
