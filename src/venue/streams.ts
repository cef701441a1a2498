/**
 * The venue account's websocket data as RxJS observables, each driven by a
 * ccxt.pro watch loop: call `watch*`, emit what is new, call again — and on a
 * failure report `down` on {@link VenueStreams.connectivity$}, wait (exponential
 * backoff with jitter, `./backoff.ts`) and call again: ccxt reconnects on the
 * next `watch*` call after a dropped socket (it does not by itself:
 * ../shared/docs/ccxt-binance-wire.md §4; ccxt issue #8227).
 *
 * How ccxt.pro 4.5.84 delivers (read from `js/src/base/ws/Cache.js`,
 * `js/src/pro/binance.js`, `js/src/base/ws/Client.js`):
 * - `watchOrders()` resolves, on each `executionReport`, with the tail of an
 *   `ArrayCacheBySymbolById` (one row per order, updated in place and moved to
 *   the end; with `newUpdates` — ccxt's default — the tail holds the orders
 *   updated since the previous call). Two reports of one order between two
 *   calls collapse into the latest row (ccxt issue #27412): the adapter emits
 *   the latest state, which is cumulative (`filledQuantity`), and every trade
 *   still arrives on {@link VenueStreams.fills$}. The adapter emits an order
 *   only when its status or cumulative filled quantity changed since it last
 *   emitted it (key: symbol + order id).
 * - `watchMyTrades()` likewise with one row per trade id (never collapsed);
 *   each trade is emitted once (key: symbol + trade id).
 * - A future resolves only the *pending* watch call; a message arriving while
 *   no call is pending only lands in the cache. The loops therefore re-arm
 *   within the same microtask chain as the resolution (no scheduler between),
 *   so no socket message can fall between two calls.
 * - There is no cancellation of a pending watch: after unsubscribe a loop stops
 *   calling ccxt and ignores late results (RxJS `from(promise)` drops them);
 *   `close()` closes the exchange's sockets, which rejects what is pending.
 *
 * Decimals come from Binance's raw payload in `info` (`./wire.ts`), never from
 * ccxt's floats.
 */
import type { Order, Ticker, Tickers, Trade } from 'ccxt';
import type { Logger } from 'pino';
import { EMPTY, Observable, Subject, concat, defer, finalize, from, mergeMap, repeat, retry, share, takeUntil, timer } from 'rxjs';
import { InstrumentSymbol, type Fill as DomainFill, type VenueOrderUpdate } from '../domain/order.ts';
import { BackoffOptions, backoffDelay } from './backoff.ts';
import type { EngineBinance } from './binance-client.ts';
import { redact } from './errors.ts';
import type { BalanceEvent, ConnectivityEvent, Quote, StreamAnomaly, StreamName } from './types.ts';
import { BookTicker, executionReportKey, executionReportToFill, executionReportToUpdate, toBalanceEvent, tradeExecutionKey } from './wire.ts';

/** How many trade keys the fills loop remembers to avoid re-emitting a cached trade. */
const SEEN_TRADES = 20_000;
/** How many non-terminal orders the orders loop tracks at most (oldest forgotten first). */
const TRACKED_ORDERS = 20_000;

export interface VenueStreamsOptions {
  /** Retry delays of the watch loops (defaults: 100 ms doubling to 5 s, jitter 0.5). */
  readonly backoff?: Partial<BackoffOptions>;
  /** Random source for the jitter, [0, 1) (tests). */
  readonly random?: () => number;
  /** Optional pino logger: `warn` on connectivity changes and anomalies (no secrets). */
  readonly logger?: Logger;
}

/** What one turn of a loop's `arm` produced: ccxt's result, or nothing when the loop was closed meanwhile. */
type Armed<R> = { readonly value: R } | undefined;

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
 * `orderUpdates$`, `fills$` and `balances$` are shared: one watch loop each,
 * started by the first subscriber and stopped with the last.
 */
export class VenueStreams {
  /**
   * Connectivity of each running loop: on subscribe, the current state of every
   * running loop, then each change (`up` ↔ `down`). See {@link ConnectivityEvent}.
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
  /** Balance events (`outboundAccountPosition` absolute, `balanceUpdate` delta). */
  readonly balances$: Observable<BalanceEvent>;

  private readonly states = new Map<StreamName, ConnectivityEvent>();
  private readonly connectivity = new Subject<ConnectivityEvent>();
  private readonly anomalies = new Subject<StreamAnomaly>();
  private readonly shutdown = new Subject<void>();
  private readonly quoteRefs = new Map<string, number>();
  private readonly backoff: BackoffOptions;
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
    this.orderUpdates$ = this.privateLoop('orders', () => this.exchange.watchOrders(), () => this.orderProjector()).pipe(share());
    this.fills$ = this.privateLoop('fills', () => this.exchange.watchMyTrades(), () => this.fillProjector()).pipe(share());
    this.balances$ = this.privateLoop('balances', () => this.exchange.watchBalance(), () => this.balanceProjector()).pipe(share());
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
    const loop = this.loop<Tickers, Quote>(
      `quotes:${key}`,
      async () => ({ value: await this.exchange.watchBidsAsks(list) }),
      () => (tickers) => Object.values(tickers).flatMap((t) => this.toQuote(`quotes:${key}`, t)),
      true,
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
   * A user-data loop: before each watch call, `authenticate` (which returns at
   * once while the user-data subscription stands, and otherwise connects and
   * sends `userDataStream.subscribe.signature`, resolving on the venue's
   * confirmation) — so `up` means "subscribed".
   */
  private privateLoop<R, T>(stream: StreamName, watch: () => Promise<R>, projector: () => (r: R) => T[]): Observable<T> {
    return this.loop<R, T>(
      stream,
      async (isClosed, up) => {
        await this.exchange.authenticate({ type: 'spot' });
        if (isClosed()) return undefined;
        up();
        return { value: await watch() };
      },
      projector,
      false,
    );
  }

  /**
   * The watch loop: `defer(arm) + repeat`, failures → `down` + backoff + retry.
   * @param arm one turn; calls `up()` once the subscription is known to stand
   * @param projector makes the per-run projection (per-run change-detection state)
   * @param upOnData whether receiving data marks the stream `up` (public streams)
   */
  private loop<R, T>(
    stream: StreamName,
    arm: (isClosed: () => boolean, up: () => void) => Promise<Armed<R>>,
    projector: () => (r: R) => T[],
    upOnData: boolean,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      let closed = false;
      let retries = 0;
      const isClosed = (): boolean => closed || this.closed;
      const up = (): void => {
        retries = 0;
        this.setState(stream, 'up');
      };
      const project = projector();
      const sub = defer(() => from(arm(isClosed, up)))
        .pipe(
          mergeMap((armed) => {
            if (armed === undefined) return [];
            if (upOnData) up();
            return project(armed.value);
          }),
          repeat(),
          retry({
            delay: (error: unknown) => {
              this.setState(stream, 'down', message(error));
              const wait = backoffDelay(retries++, this.backoff, this.options.random);
              return timer(wait);
            },
          }),
          takeUntil(this.shutdown),
        )
        .subscribe(subscriber);
      return () => {
        closed = true;
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
  // Projections (one per loop run: they hold the change-detection state)
  // -------------------------------------------------------------------------

  /** New/changed orders: tracked by symbol + order id → `status|filled`; terminal orders are forgotten once emitted. */
  private orderProjector(): (orders: Order[]) => VenueOrderUpdate[] {
    const lastState = new Map<string, string>();
    return (orders) => {
      const out: VenueOrderUpdate[] = [];
      for (const order of orders) {
        try {
          const { key, state, terminal } = executionReportKey(order.info);
          if (lastState.get(key) === state) continue;
          out.push(executionReportToUpdate(order.info));
          lastState.delete(key);
          if (!terminal) lastState.set(key, state);
          if (lastState.size > TRACKED_ORDERS) {
            const oldest = lastState.keys().next();
            if (!oldest.done) lastState.delete(oldest.value);
          }
        } catch (error) {
          this.anomaly('orders', error, order.info);
        }
      }
      return out;
    };
  }

  /** New trades, each once (symbol + trade id). */
  private fillProjector(): (trades: Trade[]) => DomainFill[] {
    const seen = new BoundedSet(SEEN_TRADES);
    return (trades) => {
      const out: DomainFill[] = [];
      for (const trade of trades) {
        try {
          const key = tradeExecutionKey(trade.info);
          if (seen.has(key)) continue;
          out.push(executionReportToFill(trade.info));
          seen.add(key);
        } catch (error) {
          this.anomaly('fills', error, trade.info);
        }
      }
      return out;
    };
  }

  /** One event per resolution, from the raw message ccxt keeps in `info` (skipped when it is the message already emitted). */
  private balanceProjector(): (balances: { info?: unknown }) => BalanceEvent[] {
    let last: unknown;
    return (balances) => {
      const raw = balances.info;
      if (raw === last) return [];
      last = raw;
      try {
        return [toBalanceEvent(raw)];
      } catch (error) {
        this.anomaly('balances', error, raw);
        return [];
      }
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
