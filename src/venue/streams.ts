/**
 * The venue account's websocket data as RxJS observables.
 *
 * User data (`orderUpdates$`, `fills$`, `balances$`): one loop per {@link VenueStreams},
 * shared by the three, holds the spot user-data subscription and takes every event straight
 * from ccxt's message handler, exactly once, bypassing ccxt's caches
 * (`EngineBinance.onSpotUserEvent` / `subscribeSpotUserData`, `./binance-client.ts`, which
 * documents what it relies on in ccxt 4.5.84). Why not `watchOrders()` / `watchMyTrades()`:
 * ccxt keeps every report in 1000-row caches whose appends shift the whole array once full
 * (~145 µs per report, twice per trade), and it delivers up to ~1,024 queued frames
 * synchronously, so a burst of more than 1000 reports between two watch resolutions evicted
 * rows before they were read (lost fills until a REST reconcile).
 * - Each `executionReport` is parsed once (zod, `parseExecutionReport` in `./wire.ts`) into
 *   the order update and, with `x = TRADE`, the fill. `orderUpdates$` emits an order only
 *   when its status or cumulative filled quantity changed since it last emitted it (key:
 *   symbol + order id; terminal orders forgotten once emitted); `fills$` emits each trade
 *   once (key: symbol + trade id); `balances$` emits every balance event.
 * - Events are emitted synchronously from ccxt's handler, in the venue's order.
 * - The loop: register the listener, subscribe (`up` once the venue confirmed the
 *   subscription), then wait until the subscription is lost — its socket dropped (ccxt does
 *   not reconnect by itself: ../shared/docs/ccxt-binance-wire.md §4; ccxt issue #8227) or
 *   the venue ended the stream — then `down`, wait (exponential backoff with jitter,
 *   `./backoff.ts`) and subscribe again on a new socket. Events lost while down are the
 *   engine's to reconcile over REST after the next `up`.
 * - Unsubscribing the last of the three removes the listener and stops watching (the
 *   venue-side subscription stays, as ccxt offers no unsubscribe for it); `close()` closes
 *   the exchange's sockets.
 *
 * Quotes (`quotes$`) keep a ccxt.pro watch loop over `watchBidsAsks`: call, emit, call
 * again — re-armed within the microtask chain of the resolution, so no message falls
 * between two calls — and on failure `down`, backoff, call again (ccxt reconnects on the
 * next call). There is no cancellation of a pending watch: after unsubscribe a loop stops
 * calling ccxt and ignores late results.
 *
 * Decimals come from Binance's raw payloads (`./wire.ts`), never from ccxt's floats.
 */
import type { Ticker, Tickers } from 'ccxt';
import type { Logger } from 'pino';
import { EMPTY, Observable, Subject, type Subscriber, concat, defer, finalize, from, mergeMap, repeat, retry, share, takeUntil, timer } from 'rxjs';
import { InstrumentSymbol, type Fill as DomainFill, type VenueOrderUpdate } from '../domain/order.ts';
import { BackoffOptions, backoffDelay } from './backoff.ts';
import type { EngineBinance, SpotUserDataSubscription, SpotUserEvent } from './binance-client.ts';
import { redact } from './errors.ts';
import type { BalanceEvent, ConnectivityEvent, Quote, StreamAnomaly, StreamName } from './types.ts';
import { BookTicker, parseExecutionReport, toBalanceEvent } from './wire.ts';

/** How many trade keys the user-data loop remembers to never emit a trade twice. */
const SEEN_TRADES = 20_000;
/** How many non-terminal orders the user-data loop tracks at most (oldest forgotten first). */
const TRACKED_ORDERS = 20_000;

export interface VenueStreamsOptions {
  /** Retry delays of the watch loops (defaults: 100 ms doubling to 5 s, jitter 0.5). */
  readonly backoff?: Partial<BackoffOptions>;
  /** Random source for the jitter, [0, 1) (tests). */
  readonly random?: () => number;
  /** Optional pino logger: `warn` on connectivity changes and anomalies (no secrets). */
  readonly logger?: Logger;
}

/** What the shared user-data loop hands to its three views (`orders`, `fills`, `balances`). */
type UserDataItem =
  | { readonly kind: 'state'; readonly state: 'up' | 'down'; readonly error?: string }
  /** A parsed `executionReport`: the update when the order's state changed, the fill when it is a new trade. */
  | { readonly kind: 'report'; readonly update: VenueOrderUpdate | null; readonly fill: DomainFill | null }
  | { readonly kind: 'badReport'; readonly error: unknown; readonly raw: unknown; readonly trade: boolean }
  | { readonly kind: 'balance'; readonly event: BalanceEvent }
  | { readonly kind: 'badBalance'; readonly error: unknown; readonly raw: unknown };

type UserDataView = 'orders' | 'fills' | 'balances';

/** A `Set` that forgets its oldest entries beyond `capacity`. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(key: string): boolean {
    return this.items.has(key);
  }
  add(key: string): void {
    this.items.add(key);
    if (this.items.size > this.capacity) {
      const oldest = this.items.values().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
  }
}

function message(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

/**
 * Observables over one venue account's websockets (spot user-data stream and
 * public book tickers). Create one per account, after `createExchange`.
 *
 * `orderUpdates$`, `fills$` and `balances$` are shared views of one user-data loop,
 * started by the first subscriber of any of them and stopped with the last.
 */
export class VenueStreams {
  /**
   * Connectivity of each running loop: on subscribe, the current state of every
   * running loop, then each change (`up` ↔ `down`). See {@link ConnectivityEvent}.
   * The user-data views report the one user-data loop under their own names.
   */
  readonly connectivity$: Observable<ConnectivityEvent>;
  /** Venue payloads that did not parse (the item was skipped: reconcile over REST). */
  readonly anomalies$: Observable<StreamAnomaly>;
  /**
   * Order state changes of every symbol (Binance `executionReport` → status,
   * cumulative filled `z`, average `Z/z`, time `T`, client order id `C`||`c`).
   */
  readonly orderUpdates$: Observable<VenueOrderUpdate>;
  /** Every trade of the account's orders, once each (`executionReport` with `x = TRADE`). */
  readonly fills$: Observable<DomainFill>;
  /** Every balance event (`outboundAccountPosition` absolute, `balanceUpdate` delta). */
  readonly balances$: Observable<BalanceEvent>;

  private readonly states = new Map<StreamName, ConnectivityEvent>();
  private readonly connectivity = new Subject<ConnectivityEvent>();
  private readonly anomalies = new Subject<StreamAnomaly>();
  private readonly shutdown = new Subject<void>();
  private readonly quoteRefs = new Map<string, number>();
  private readonly backoff: BackoffOptions;
  /** The shared user-data loop (see the module comment). */
  private readonly userData$: Observable<UserDataItem>;
  /** The user-data loop's current state while it runs (for a view that joins later). */
  private userDataState: { readonly state: 'up' | 'down'; readonly error?: string } | undefined;
  private closed = false;

  /**
   * @param exchange the account's client from `createExchange` (markets loaded; for
   *   `ws://` URLs `loadHttpProxyAgent()` done, as `createExchange` does)
   */
  constructor(
    private readonly exchange: EngineBinance,
    private readonly options: VenueStreamsOptions = {},
  ) {
    this.backoff = BackoffOptions.parse(options.backoff ?? {});
    this.connectivity$ = defer(() => concat(from([...this.states.values()]), this.connectivity));
    this.anomalies$ = this.anomalies.asObservable();
    this.userData$ = this.userDataLoop().pipe(share());
    this.orderUpdates$ = this.userView<VenueOrderUpdate>('orders', (item, out) => {
      if (item.kind === 'report') {
        if (item.update !== null) out.next(item.update);
      } else if (item.kind === 'badReport') this.anomaly('orders', item.error, item.raw);
    });
    this.fills$ = this.userView<DomainFill>('fills', (item, out) => {
      if (item.kind === 'report') {
        if (item.fill !== null) out.next(item.fill);
      } else if (item.kind === 'badReport' && item.trade) this.anomaly('fills', item.error, item.raw);
    });
    this.balances$ = this.userView<BalanceEvent>('balances', (item, out) => {
      if (item.kind === 'balance') out.next(item.event);
      else if (item.kind === 'badBalance') this.anomaly('balances', item.error, item.raw);
    });
  }

  /**
   * Best bid/ask of `symbols` (ccxt `watchBidsAsks` → Binance `<id>@bookTicker`),
   * one {@link Quote} per update. Each call runs its own loop; the ccxt
   * subscription of a symbol list is dropped (`unWatchBidsAsks`) when the last
   * subscriber of that list unsubscribes.
   * @param symbols ccxt unified symbols (`BTC/USDT`), at least one
   */
  quotes$(symbols: readonly string[]): Observable<Quote> {
    const list = [...symbols];
    if (list.length === 0) return EMPTY;
    const key = list.join(',');
    const loop = this.watchLoop<Tickers, Quote>(
      `quotes:${key}`,
      () => this.exchange.watchBidsAsks(list),
      (tickers) => Object.values(tickers).flatMap((t) => this.toQuote(`quotes:${key}`, t)),
    );
    return defer(() => {
      this.quoteRefs.set(key, (this.quoteRefs.get(key) ?? 0) + 1);
      return loop.pipe(
        finalize(() => {
          const left = (this.quoteRefs.get(key) ?? 1) - 1;
          if (left > 0) {
            this.quoteRefs.set(key, left);
            return;
          }
          this.quoteRefs.delete(key);
          if (!this.closed) this.exchange.unWatchBidsAsks(list).catch(() => undefined);
        }),
      );
    });
  }

  /**
   * Stops every loop (their observables complete) and closes the exchange's
   * websockets (ccxt `close()`; pending watches reject and are ignored). REST
   * calls on the exchange keep working. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.shutdown.next();
    this.shutdown.complete();
    await this.exchange.close();
    this.connectivity.complete();
    this.anomalies.complete();
  }

  // -------------------------------------------------------------------------
  // Loops
  // -------------------------------------------------------------------------

  /**
   * The user-data loop (shared by the three views; see the module comment): registers the
   * listener, then `subscribeSpotUserData` → `up` → wait for `closed` to reject → `down`,
   * backoff, subscribe again. Emits the parsed events and the state changes.
   */
  private userDataLoop(): Observable<UserDataItem> {
    return new Observable<UserDataItem>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      let stopped = false;
      let retries = 0;
      let current: SpotUserDataSubscription | undefined;
      const project = this.userEventProjector();
      const removeListener = this.exchange.onSpotUserEvent((event) => subscriber.next(project(event)));
      const report = (state: 'up' | 'down', error?: string): void => {
        this.userDataState = error === undefined ? { state } : { state, error };
        subscriber.next(error === undefined ? { kind: 'state', state } : { kind: 'state', state, error });
      };
      const sub = defer(async () => {
        const subscription = await this.exchange.subscribeSpotUserData();
        if (stopped || this.closed) {
          subscription.release();
          return;
        }
        current = subscription;
        retries = 0;
        report('up');
        try {
          await subscription.closed; // rejects when the subscription is lost; resolves only on release
        } finally {
          current = undefined;
        }
      })
        .pipe(
          repeat(),
          retry({
            delay: (error: unknown) => {
              report('down', message(error));
              return timer(backoffDelay(retries++, this.backoff, this.options.random));
            },
          }),
          takeUntil(this.shutdown),
        )
        .subscribe({ error: (error: unknown) => subscriber.error(error), complete: () => subscriber.complete() });
      return () => {
        stopped = true;
        removeListener();
        current?.release();
        sub.unsubscribe();
        this.userDataState = undefined;
      };
    });
  }

  /**
   * One view of the user-data loop: reports the loop's state as `stream` (the current one
   * when joining a running loop) and hands every item to `handle`. Shared.
   */
  private userView<T>(stream: UserDataView, handle: (item: UserDataItem, out: Subscriber<T>) => void): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      const sub = this.userData$.subscribe({
        next: (item) => {
          if (item.kind === 'state') this.setState(stream, item.state, item.error);
          else handle(item, subscriber);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      const now = this.userDataState;
      if (now !== undefined && !sub.closed) this.setState(stream, now.state, now.error);
      return () => {
        sub.unsubscribe();
        this.states.delete(stream);
      };
    }).pipe(share());
  }

  /**
   * A ccxt.pro watch loop (public data): `defer(watch) + repeat`, each result marks the
   * stream `up`; failures → `down` + backoff + retry. Results arriving after unsubscribe
   * are dropped.
   */
  private watchLoop<R, T>(stream: StreamName, watch: () => Promise<R>, project: (r: R) => T[]): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      let retries = 0;
      const sub = defer(() => from(watch()))
        .pipe(
          mergeMap((result) => {
            retries = 0;
            this.setState(stream, 'up');
            return project(result);
          }),
          repeat(),
          retry({
            delay: (error: unknown) => {
              this.setState(stream, 'down', message(error));
              return timer(backoffDelay(retries++, this.backoff, this.options.random));
            },
          }),
          takeUntil(this.shutdown),
        )
        .subscribe(subscriber);
      return () => {
        sub.unsubscribe();
        this.states.delete(stream);
      };
    });
  }

  private setState(stream: StreamName, state: 'up' | 'down', error?: string): void {
    if (this.closed) return;
    const previous = this.states.get(stream);
    if (previous?.state === state) return;
    const event: ConnectivityEvent = error === undefined ? { stream, state, at: Date.now() } : { stream, state, error, at: Date.now() };
    this.states.set(stream, event);
    if (state === 'down') this.options.logger?.warn({ stream, error }, 'venue stream down');
    else this.options.logger?.info({ stream }, 'venue stream up');
    this.connectivity.next(event);
  }

  private anomaly(stream: StreamName, error: unknown, raw: unknown): void {
    const text = message(error);
    this.options.logger?.warn({ stream, error: text }, 'venue stream payload did not parse; skipped');
    this.anomalies.next({ stream, message: text, raw });
  }

  // -------------------------------------------------------------------------
  // Projection (one per user-data loop run: it holds the change-detection state)
  // -------------------------------------------------------------------------

  /**
   * One user event → one item: an `executionReport` parsed once into the update (only when
   * the order's `status|filled` changed since last emitted; terminal orders forgotten once
   * emitted) and the fill (each trade key once); a balance message into its event.
   */
  private userEventProjector(): (event: SpotUserEvent) => UserDataItem {
    const lastState = new Map<string, string>();
    const seen = new BoundedSet(SEEN_TRADES);
    return (event) => {
      if (event.e !== 'executionReport') {
        try {
          return { kind: 'balance', event: toBalanceEvent(event) };
        } catch (error) {
          return { kind: 'badBalance', error, raw: event };
        }
      }
      let parsed;
      try {
        parsed = parseExecutionReport(event);
      } catch (error) {
        return { kind: 'badReport', error, raw: event, trade: event['x'] === 'TRADE' };
      }
      let update: VenueOrderUpdate | null = null;
      if (lastState.get(parsed.key) !== parsed.state) {
        update = parsed.update;
        lastState.delete(parsed.key);
        if (!parsed.terminal) {
          lastState.set(parsed.key, parsed.state);
          if (lastState.size > TRACKED_ORDERS) {
            const oldest = lastState.keys().next();
            if (!oldest.done) lastState.delete(oldest.value);
          }
        }
      }
      let fill: DomainFill | null = null;
      if (parsed.fill !== null && parsed.tradeKey !== null && !seen.has(parsed.tradeKey)) {
        fill = parsed.fill;
        seen.add(parsed.tradeKey);
      }
      return { kind: 'report', update, fill };
    };
  }

  private toQuote(stream: StreamName, ticker: Ticker): Quote[] {
    try {
      const raw = BookTicker.parse(ticker.info);
      return [
        {
          symbol: InstrumentSymbol.parse(ticker.symbol),
          bid: raw.b,
          bidSize: raw.B,
          ask: raw.a,
          askSize: raw.A,
          updateId: raw.u ?? null,
          receivedAt: Date.now(),
        },
      ];
    } catch (error) {
      this.anomaly(stream, error, ticker.info);
      return [];
    }
  }
}
