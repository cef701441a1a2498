/**
 * The replay engine: merges the recordings of several instruments into one
 * timeline, drives the books, trade tapes and listeners from a clock (real time,
 * N× speed, as fast as possible, or stepped by hand) and can loop forever with
 * ids and times that keep increasing.
 *
 * Time model: each event's replay-clock time is its receive time (ms) plus its
 * recording's clock offset (median `E - receive ms`, about 1.27 s here); events
 * are merged across instruments by that time (stable, ties broken by sub-ms
 * receive time, then instrument order), so within a recording they stay in
 * receive order and the clock is monotonic. Events keep their own `E`/`T`.
 *
 * Looping: the k-th pass shifts every time by k × (recording span + 1 s), trade
 * ids by k × (trade-id span) and update ids by k × (update-id span); the book is
 * restored to its state right after the recording's snapshot, and one synthetic
 * depth diff per instrument bridges the old book to the restored one (`U` = old
 * `u` + 1, `pu` = old `u`), so a consumer maintaining a book from the stream stays
 * consistent. The diffs the restored state already covers are not replayed again.
 */
import { resolve } from 'node:path';
import { L2Book, type BookState } from './book.ts';
import { loadRecording, type LoadStats, type Recording } from './recording.ts';
import { TradeRing, TradeTape } from './stats.ts';
import type {
  BookTickerEvent,
  BookView,
  ClockMode,
  DepthEvent,
  DepthSnapshot,
  InstrumentRef,
  Kline,
  Market,
  MarketEvent,
  MarketListener,
  Replay,
  ReplayOptions,
  ReplayStats,
  TickerSnapshot,
  TradeEvent,
} from './types.ts';

/** Pause between the end of one pass and the start of the next, ms of replay time. */
export const LOOP_GAP_MS = 1_000;
/** Wall-time budget of one synchronous batch in timer-driven modes, ms (keeps servers responsive). */
const BATCH_BUDGET_MS = 8;
const RECENT_TRADES = 1_000;

/** A snapshot entry of the merged timeline (applied to the book, not emitted). */
interface SnapshotEntry {
  readonly kind: 'snapshot';
  readonly snapshot: DepthSnapshot;
  /** True for the recording's first snapshot, whose effect the loop restart restores directly. */
  readonly first: boolean;
}

type Entry = MarketEvent | SnapshotEntry;

/** Loop facts of one instrument, computed at load. */
interface LoopPlan {
  /** Book state right after the first snapshot (and the diffs buffered before it), or undefined without snapshot. */
  readonly state: BookState | undefined;
  /** Update id the restored state is labelled with (unshifted). */
  readonly bridgeId: number;
  readonly updateIdStep: number;
  readonly tradeIdStep: number;
}

/** The merged, memoised timeline of a set of instruments. */
interface Timeline {
  readonly refs: readonly InstrumentRef[];
  readonly recordings: readonly Recording[];
  readonly entries: readonly Entry[];
  /** Replay-clock time of each entry, ms (pass 0). */
  readonly times: Float64Array;
  readonly inst: Uint8Array;
  /** 1 for depth diffs that a loop restart's restored book already covers (skipped on passes ≥ 1). */
  readonly covered: Uint8Array;
  readonly plans: readonly LoopPlan[];
  /** Earliest time of the data (clock or E/T), ms. */
  readonly minTime: number;
  /** Shift of each pass, ms. */
  readonly loopShiftMs: number;
}

function instKey(market: Market, symbol: string): string {
  return `${market}:${symbol.toUpperCase()}`;
}

function planLoop(rec: Recording): { plan: LoopPlan; covered: Uint8Array } {
  const events = rec.events;
  let minId = Infinity;
  let maxId = -Infinity;
  let minTrade = Infinity;
  let maxTrade = -Infinity;
  for (const ev of events) {
    if (ev.kind === 'trade') {
      if (ev.tradeId < minTrade) minTrade = ev.tradeId;
      if (ev.tradeId > maxTrade) maxTrade = ev.tradeId;
    } else if (ev.kind === 'bookTicker') {
      if (ev.updateId < minId) minId = ev.updateId;
      if (ev.updateId > maxId) maxId = ev.updateId;
    } else {
      const lo = Math.min(ev.firstUpdateId, ev.prevFinalUpdateId ?? ev.firstUpdateId);
      if (lo < minId) minId = lo;
      if (ev.finalUpdateId > maxId) maxId = ev.finalUpdateId;
    }
  }
  for (const s of rec.snapshots) {
    minId = Math.min(minId, s.snapshot.lastUpdateId);
    maxId = Math.max(maxId, s.snapshot.lastUpdateId);
  }
  const covered = new Uint8Array(events.length);
  const first = rec.snapshots[0];
  let state: BookState | undefined;
  let bridgeId = 0;
  if (first !== undefined) {
    const book = new L2Book(rec.market, rec.symbol);
    for (let i = 0; i < first.index; i++) {
      const ev = events[i];
      if (ev?.kind === 'depth') book.applyDepth(ev);
    }
    book.applySnapshot(first.snapshot);
    state = book.capture();
    bridgeId = book.lastUpdateId;
    if (!book.synced) {
      // Snapshot newer than every buffered diff: label the state just before the first diff to apply.
      const S = first.snapshot.lastUpdateId;
      for (let i = first.index; i < events.length; i++) {
        const ev = events[i];
        if (ev?.kind === 'depth' && (rec.market === 'usdm' ? ev.finalUpdateId >= S : ev.finalUpdateId > S)) {
          bridgeId = rec.market === 'usdm' ? (ev.prevFinalUpdateId ?? ev.firstUpdateId - 1) : ev.firstUpdateId - 1;
          break;
        }
      }
    }
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      if (ev?.kind === 'depth' && (i < first.index || ev.finalUpdateId <= bridgeId)) covered[i] = 1;
    }
  }
  return {
    plan: {
      state,
      bridgeId,
      updateIdStep: Number.isFinite(minId) ? maxId - minId + 1 : 0,
      tradeIdStep: Number.isFinite(minTrade) ? maxTrade - minTrade + 1 : 0,
    },
    covered,
  };
}

function buildTimeline(refs: readonly InstrumentRef[], recordings: readonly Recording[]): Timeline {
  let total = 0;
  for (const r of recordings) total += r.events.length + r.snapshots.length;
  const entries = new Array<Entry>(total);
  const times = new Float64Array(total);
  const inst = new Uint8Array(total);
  const covered = new Uint8Array(total);
  const plans: LoopPlan[] = [];
  const coveredPer: Uint8Array[] = [];
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (const r of recordings) {
    const { plan, covered: c } = planLoop(r);
    plans.push(plan);
    coveredPer.push(c);
    for (let i = 0; i < r.events.length; i++) {
      const ev = r.events[i] as MarketEvent;
      const t = r.times[i] as number;
      let lo = Math.min(t, ev.eventTime);
      let hi = Math.max(t, ev.eventTime);
      if (ev.kind === 'trade') {
        lo = Math.min(lo, ev.tradeTime);
        hi = Math.max(hi, ev.tradeTime);
      } else if (ev.transactionTime !== undefined) {
        lo = Math.min(lo, ev.transactionTime);
        hi = Math.max(hi, ev.transactionTime);
      }
      if (lo < minTime) minTime = lo;
      if (hi > maxTime) maxTime = hi;
    }
  }
  // k-way merge by key; cursors: event index and snapshot index per recording.
  const ev = recordings.map(() => 0);
  const sn = recordings.map(() => 0);
  for (let n = 0; n < total; n++) {
    let best = -1;
    let bestKey = Infinity;
    let bestIsSnap = false;
    for (let k = 0; k < recordings.length; k++) {
      const r = recordings[k] as Recording;
      const ei = ev[k] as number;
      const si = sn[k] as number;
      const snap = r.snapshots[si];
      // A snapshot goes before the events received after it.
      const snapFirst = snap !== undefined && snap.index <= ei;
      let key: number;
      if (snapFirst) key = snap.key;
      else if (ei < r.events.length) key = r.keys[ei] as number;
      else continue;
      if (key < bestKey) {
        bestKey = key;
        best = k;
        bestIsSnap = snapFirst;
      }
    }
    const r = recordings[best] as Recording;
    inst[n] = best;
    if (bestIsSnap) {
      const si = sn[best] as number;
      const s = r.snapshots[si] as Recording['snapshots'][number];
      entries[n] = { kind: 'snapshot', snapshot: s.snapshot, first: si === 0 };
      times[n] = Math.max(s.time, n > 0 ? (times[n - 1] as number) : 0);
      sn[best] = si + 1;
    } else {
      const ei = ev[best] as number;
      entries[n] = r.events[ei] as MarketEvent;
      // Non-decreasing even if two recordings' keys interleave within a millisecond.
      times[n] = Math.max(r.times[ei] as number, n > 0 ? (times[n - 1] as number) : 0);
      covered[n] = (coveredPer[best] as Uint8Array)[ei] as number;
      ev[best] = ei + 1;
    }
  }
  return {
    refs,
    recordings,
    entries,
    times,
    inst,
    covered,
    plans,
    minTime,
    loopShiftMs: maxTime - minTime + LOOP_GAP_MS,
  };
}

const timelines = new Map<string, Timeline>();

async function timelineFor(dataDir: string, refs: readonly InstrumentRef[]): Promise<Timeline> {
  const recordings = await Promise.all(refs.map((r) => loadRecording(dataDir, r.market, r.symbol)));
  const key = recordings.map((r) => r.files.join('|')).join('||');
  let tl = timelines.get(key);
  if (tl === undefined || tl.recordings.some((r, i) => r !== recordings[i])) {
    tl = buildTimeline(refs, recordings);
    timelines.set(key, tl);
  }
  return tl;
}

/** Per-instrument live state. */
interface InstState {
  readonly ref: InstrumentRef;
  readonly book: L2Book;
  readonly tape: TradeTape;
  readonly recent: TradeRing;
  lastTrade: TradeEvent | undefined;
}

function shifted(ev: MarketEvent, dt: number, dId: number, dTrade: number): MarketEvent {
  switch (ev.kind) {
    case 'trade':
      return {
        kind: 'trade',
        market: ev.market,
        symbol: ev.symbol,
        tradeId: ev.tradeId + dTrade,
        price: ev.price,
        qty: ev.qty,
        buyerIsMaker: ev.buyerIsMaker,
        tradeTime: ev.tradeTime + dt,
        eventTime: ev.eventTime + dt,
      };
    case 'bookTicker': {
      const q: BookTickerEvent = {
        kind: 'bookTicker',
        market: ev.market,
        symbol: ev.symbol,
        updateId: ev.updateId + dId,
        bidPrice: ev.bidPrice,
        bidQty: ev.bidQty,
        askPrice: ev.askPrice,
        askQty: ev.askQty,
        eventTime: ev.eventTime + dt,
      };
      return ev.transactionTime === undefined ? q : { ...q, transactionTime: ev.transactionTime + dt };
    }
    case 'depth': {
      const d: DepthEvent = {
        kind: 'depth',
        market: ev.market,
        symbol: ev.symbol,
        firstUpdateId: ev.firstUpdateId + dId,
        finalUpdateId: ev.finalUpdateId + dId,
        bids: ev.bids,
        asks: ev.asks,
        eventTime: ev.eventTime + dt,
      };
      if (ev.prevFinalUpdateId === undefined && ev.transactionTime === undefined) return d;
      return {
        ...d,
        ...(ev.prevFinalUpdateId === undefined ? {} : { prevFinalUpdateId: ev.prevFinalUpdateId + dId }),
        ...(ev.transactionTime === undefined ? {} : { transactionTime: ev.transactionTime + dt }),
      };
    }
  }
}

/**
 * The {@link Replay} implementation. Create it with {@link loadReplay}.
 *
 * Listener errors do not stop the replay: in timer-driven modes they are reported
 * with `process.emitWarning`; inside `step`/`advanceTo` the first one is rethrown
 * after the call has processed its events.
 */
export class MarketReplay implements Replay {
  readonly instruments: readonly InstrumentRef[];
  readonly ended: Promise<void>;
  /** Load statistics of each instrument's recording, in `instruments` order. */
  readonly loadStats: readonly LoadStats[];

  private readonly tl: Timeline;
  private readonly insts: InstState[];
  private readonly byKey = new Map<string, InstState>();
  private listeners: MarketListener[] = [];
  private resolveEnded: () => void = () => undefined;

  private idx = 0;
  private loop = 0;
  private clock: number;
  private processed = 0;
  private mode: ClockMode;
  private started = false;
  private paused = false;
  private finished = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Real-time anchor: replay time `anchorReplay` at wall time `anchorWall` (performance.now()). */
  private anchorReplay = 0;
  private anchorWall = 0;
  private listenerError: unknown;
  private inRun = false;

  constructor(
    tl: Timeline,
    private readonly atEnd: 'stop' | 'loop',
    clock: ClockMode,
  ) {
    this.tl = tl;
    this.instruments = tl.refs;
    this.loadStats = tl.recordings.map((r) => r.stats);
    this.mode = clock;
    this.clock = tl.times.length > 0 ? (tl.times[0] as number) : 0;
    this.insts = tl.refs.map((ref) => {
      const st: InstState = {
        ref,
        book: new L2Book(ref.market, ref.symbol),
        tape: new TradeTape(ref.symbol),
        recent: new TradeRing(RECENT_TRADES),
        lastTrade: undefined,
      };
      this.byKey.set(instKey(ref.market, ref.symbol), st);
      return st;
    });
    this.ended = new Promise<void>((res) => {
      this.resolveEnded = res;
    });
  }

  // ------------------------------------------------------------ queries

  /** Replay-clock time, ms. Inside a listener: the time of the event being delivered. */
  now(): number {
    if (!this.inRun && this.running() && this.mode.kind !== 'fast' && this.mode.kind !== 'stepped') {
      const factor = this.mode.kind === 'speed' ? this.mode.factor : 1;
      const wall = this.anchorReplay + (performance.now() - this.anchorWall) * factor;
      const next = this.nextTime();
      return Math.max(this.clock, Math.floor(Math.min(wall, next)));
    }
    return this.clock;
  }

  book(market: Market, symbol: string): BookView | undefined {
    return this.byKey.get(instKey(market, symbol))?.book;
  }

  /** The concrete book (with stats and raw accessors). */
  l2Book(market: Market, symbol: string): L2Book | undefined {
    return this.byKey.get(instKey(market, symbol))?.book;
  }

  lastTrade(market: Market, symbol: string): TradeEvent | undefined {
    return this.byKey.get(instKey(market, symbol))?.lastTrade;
  }

  ticker(market: Market, symbol: string): TickerSnapshot | undefined {
    return this.byKey.get(instKey(market, symbol))?.tape.ticker();
  }

  klines(market: Market, symbol: string, limit = 500): Kline[] {
    return this.byKey.get(instKey(market, symbol))?.tape.klines(limit, this.now()) ?? [];
  }

  recentTrades(market: Market, symbol: string, limit = 500): TradeEvent[] {
    return this.byKey.get(instKey(market, symbol))?.recent.latest(limit) ?? [];
  }

  stats(): ReplayStats {
    return {
      eventsProcessed: this.processed,
      loops: this.loop,
      finished: this.finished,
      paused: this.paused,
      now: this.now(),
    };
  }

  /** Shift of each loop pass, ms (recording span + {@link LOOP_GAP_MS}). */
  get loopShiftMs(): number {
    return this.tl.loopShiftMs;
  }

  on(listener: MarketListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  // ------------------------------------------------------------ clock control

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.anchor();
    this.schedule();
  }

  pause(): void {
    if (this.paused || this.stopped) return;
    this.clock = this.now();
    this.paused = true;
    this.clearTimers();
  }

  resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    this.anchor();
    this.schedule();
  }

  /** Stops for good (`stats().finished` becomes true), releases timers and resolves `ended`. */
  stop(): void {
    if (this.stopped) return;
    this.clock = this.now();
    this.stopped = true;
    this.finished = true;
    this.clearTimers();
    this.resolveEnded();
  }

  setClock(mode: ClockMode): void {
    if (mode.kind === 'speed' && !(mode.factor > 0)) throw new RangeError(`Clock speed factor must be > 0, got ${mode.factor}`);
    this.clock = this.now();
    this.clearTimers();
    this.mode = mode;
    this.anchor();
    this.schedule();
  }

  /**
   * With `events`: processes that many events (default 1 when neither option is given);
   * with `ms`: every event up to `now() + ms`, then sets the clock there; with both, whichever limit comes first.
   * @throws Error when called from inside a listener; RangeError for an unbounded step of a looping replay;
   *   rethrows the first listener error of the call.
   */
  step(opts: { readonly events?: number; readonly ms?: number }): number {
    const maxEvents = opts.events ?? (opts.ms === undefined ? 1 : Infinity);
    const maxTime = opts.ms === undefined ? Infinity : this.now() + opts.ms;
    return this.syncRun(maxTime, maxEvents, opts.ms !== undefined && opts.events === undefined);
  }

  /**
   * Processes every event with time ≤ `time` (ms) and moves the clock to `time`.
   * @throws Error when called from inside a listener; RangeError for `Infinity` on a looping replay;
   *   rethrows the first listener error of the call.
   */
  advanceTo(time: number): number {
    return this.syncRun(time, Infinity, true);
  }

  // ------------------------------------------------------------ engine

  private running(): boolean {
    return this.started && !this.paused && !this.stopped && !this.finished;
  }

  private anchor(): void {
    this.anchorReplay = this.clock;
    this.anchorWall = performance.now();
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private schedule(): void {
    this.clearTimers();
    if (!this.running() || this.mode.kind === 'stepped') return;
    if (this.mode.kind === 'fast') {
      this.immediate = setImmediate(this.fastTick);
      return;
    }
    const next = this.nextTime();
    if (next === Infinity) return;
    const factor = this.mode.kind === 'speed' ? this.mode.factor : 1;
    const wall = this.anchorReplay + (performance.now() - this.anchorWall) * factor;
    const delay = Math.max(0, (next - wall) / factor);
    if (delay <= 0) this.immediate = setImmediate(this.timedTick);
    else this.timer = setTimeout(this.timedTick, Math.min(delay, 2_147_483_647));
  }

  private readonly fastTick = (): void => {
    this.immediate = undefined;
    if (!this.running()) return;
    this.run(Infinity, Infinity, performance.now() + BATCH_BUDGET_MS);
    this.reportListenerError();
    this.schedule();
  };

  private readonly timedTick = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (!this.running()) return;
    const factor = this.mode.kind === 'speed' ? this.mode.factor : 1;
    const target = this.anchorReplay + (performance.now() - this.anchorWall) * factor;
    this.run(target, Infinity, performance.now() + BATCH_BUDGET_MS);
    this.reportListenerError();
    this.schedule();
  };

  private syncRun(maxTime: number, maxEvents: number, setClock: boolean): number {
    if (this.inRun) throw new Error('Replay step()/advanceTo() cannot be called from a market listener');
    if (this.atEnd === 'loop' && maxTime === Infinity && maxEvents === Infinity) {
      throw new RangeError('A looping replay never ends: step()/advanceTo() need a finite time or event count');
    }
    if (this.stopped) return 0;
    const n = this.run(maxTime, maxEvents, Infinity);
    if (setClock && !this.stopped && maxTime !== Infinity && maxTime > this.clock) this.clock = maxTime;
    this.anchor();
    if (this.running()) this.schedule();
    this.rethrow();
    return n;
  }

  private rethrow(): void {
    const err = this.listenerError;
    if (err !== undefined) {
      this.listenerError = undefined;
      throw err;
    }
  }

  private reportListenerError(): void {
    const err = this.listenerError;
    if (err === undefined) return;
    this.listenerError = undefined;
    process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'MarketListenerError');
  }

  /** Replay-clock time of the next thing to process (an event or a loop restart), Infinity when done. */
  private nextTime(): number {
    if (this.finished || this.stopped) return Infinity;
    const tl = this.tl;
    if (this.idx < tl.times.length) return (tl.times[this.idx] as number) + this.loop * tl.loopShiftMs;
    return this.atEnd === 'loop' ? tl.minTime + (this.loop + 1) * tl.loopShiftMs : Infinity;
  }

  private emit(ev: MarketEvent): void {
    const ls = this.listeners;
    for (let j = 0; j < ls.length; j++) {
      try {
        (ls[j] as MarketListener)(ev);
      } catch (err) {
        if (this.listenerError === undefined) this.listenerError = err;
      }
    }
  }

  /**
   * The hot loop: processes entries with time ≤ `maxTime`, at most `maxEvents`
   * emitted events, until wall time `deadline`. Returns the events emitted.
   */
  private run(maxTime: number, maxEvents: number, deadline: number): number {
    this.inRun = true;
    try {
      const n = this.runLoop(maxTime, maxEvents, deadline);
      if (this.idx >= this.tl.entries.length && this.atEnd === 'stop') this.finish();
      return n;
    } finally {
      this.inRun = false;
    }
  }

  private runLoop(maxTime: number, maxEvents: number, deadline: number): number {
    const tl = this.tl;
    const entries = tl.entries;
    const times = tl.times;
    const instOf = tl.inst;
    const insts = this.insts;
    const len = entries.length;
    let n = 0;
    let spins = 0;
    while (n < maxEvents && !this.stopped && !this.finished) {
      if (this.idx >= len) {
        if (this.atEnd === 'stop') {
          this.finish();
          break;
        }
        const restartAt = tl.minTime + (this.loop + 1) * tl.loopShiftMs;
        if (restartAt > maxTime) break;
        n += this.restart(restartAt);
        continue;
      }
      const i = this.idx;
      const shift = this.loop * tl.loopShiftMs;
      const t = (times[i] as number) + shift;
      if (t > maxTime) break;
      this.idx = i + 1;
      const entry = entries[i] as Entry;
      const st = insts[instOf[i] as number] as InstState;
      let ev: MarketEvent;
      if (this.loop === 0) {
        if (entry.kind === 'snapshot') {
          st.book.applySnapshot(entry.snapshot);
          continue;
        }
        ev = entry;
      } else {
        if (entry.kind === 'snapshot') {
          if (!entry.first) {
            const plan = tl.plans[instOf[i] as number] as LoopPlan;
            const s = entry.snapshot;
            st.book.applySnapshot({ lastUpdateId: s.lastUpdateId + this.loop * plan.updateIdStep, bids: s.bids, asks: s.asks });
          }
          continue;
        }
        if (tl.covered[i] === 1) continue;
        const plan = tl.plans[instOf[i] as number] as LoopPlan;
        ev = shifted(entry, shift, this.loop * plan.updateIdStep, this.loop * plan.tradeIdStep);
      }
      this.clock = t;
      switch (ev.kind) {
        case 'bookTicker':
          st.book.applyBookTicker(ev);
          break;
        case 'depth':
          st.book.applyDepth(ev);
          break;
        case 'trade':
          st.lastTrade = ev;
          st.recent.push(ev);
          st.tape.add(ev);
          break;
      }
      this.processed++;
      n++;
      if (this.listeners.length > 0) this.emit(ev);
      if ((++spins & 511) === 0 && deadline !== Infinity && performance.now() >= deadline) break;
    }
    return n;
  }

  /** Starts the next pass at `time`: restores each book and emits its bridging diff. */
  private restart(time: number): number {
    const tl = this.tl;
    this.loop++;
    this.idx = 0;
    this.clock = Math.max(this.clock, time);
    let n = 0;
    for (let k = 0; k < this.insts.length; k++) {
      const st = this.insts[k] as InstState;
      const plan = tl.plans[k] as LoopPlan;
      if (plan.state === undefined) continue;
      const book = st.book;
      const prevId = book.lastUpdateId;
      const newId = plan.bridgeId + this.loop * plan.updateIdStep;
      const changes = book.changesTo(plan.state);
      const bridge: DepthEvent = {
        kind: 'depth',
        market: st.ref.market,
        symbol: st.ref.symbol,
        firstUpdateId: prevId + 1,
        finalUpdateId: newId,
        ...(st.ref.market === 'usdm' ? { prevFinalUpdateId: prevId, transactionTime: this.clock } : {}),
        bids: changes.bids,
        asks: changes.asks,
        eventTime: this.clock,
      };
      book.restore(plan.state, newId);
      this.processed++;
      n++;
      if (this.listeners.length > 0) this.emit(bridge);
    }
    return n;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.clearTimers();
    this.resolveEnded();
  }
}

/**
 * Loads the recordings of `options.instruments` (memoised per process) and returns
 * a replay positioned before the first event, clock not started.
 *
 * @throws MarketDataError (rejects) naming the path looked at when a recording is
 *   missing (`dataDir` / `--data-dir` sets another folder); RangeError for an empty
 *   instrument list, more than 255 instruments or a speed factor ≤ 0.
 */
export async function loadReplay(options: ReplayOptions): Promise<MarketReplay> {
  const seen = new Set<string>();
  const refs: InstrumentRef[] = [];
  for (const r of options.instruments) {
    const key = instKey(r.market, r.symbol);
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push({ market: r.market, symbol: r.symbol.toUpperCase() });
  }
  if (refs.length === 0) throw new RangeError('loadReplay: no instruments to replay');
  if (refs.length > 255) throw new RangeError('loadReplay: at most 255 instruments');
  if (options.clock.kind === 'speed' && !(options.clock.factor > 0)) {
    throw new RangeError(`Clock speed factor must be > 0, got ${options.clock.factor}`);
  }
  const tl = await timelineFor(resolve(options.dataDir), refs);
  return new MarketReplay(tl, options.atEnd, options.clock);
}
