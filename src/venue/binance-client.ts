/**
 * The engine's ccxt.pro `binance` class: unmodified but for three hooks — Binance's numeric
 * error code kept with the error, USD-M error codes for configured futures hosts, and the
 * spot user-data events handed to listeners without ccxt's caches.
 *
 * Why: ccxt's `binance.handleErrors` first matches the response's `msg` text
 * exactly (e.g. "Account has insufficient balance for requested action." →
 * InsufficientFunds) and then throws with the message `"binance " + msg`, so the
 * code (-2010) is lost from the error (ccxt 4.5.84 `js/src/binance.js`,
 * `handleErrors`). The override lets ccxt classify exactly as before and only
 * records the body's `code` for `venueCodeOf` (`./errors.ts`).
 *
 * Second hook, for USD-M futures: ccxt maps the futures-only error codes (-2019 margin
 * insufficient → InsufficientFunds, -2022 reduce-only rejected → InvalidOrder, -2021,
 * -4164, -5021/-5022 …, `exceptions.linear`) only for responses from Binance's own futures
 * hostnames: `getExceptionsByUrl` keys the table on `https://fapi.binance.com/…` (and the
 * demo/testnet hosts) and answers `{}` for any other URL (ccxt 4.5.84 `js/src/binance.js`,
 * `getExceptionsByUrl`). Against the simulator (or any URL the `fapi*` groups are pointed
 * at), those codes would fall through to the generic `ExchangeError`. The override answers
 * `exceptions.linear` for URLs under the CONFIGURED `fapi*` group prefixes when ccxt's own
 * lookup found nothing, so a local venue's futures errors surface as the classes Binance's
 * hostnames give. Binance's own hostnames are unaffected (ccxt's lookup answers first).
 * An expired listen key needs nothing here: its keep-alive answer, -1125, is in ccxt's
 * global map (AuthenticationError) for every URL.
 *
 * Third hook, the spot user-data stream (see {@link EngineBinance.onSpotUserEvent} and
 * {@link EngineBinance.subscribeSpotUserData}): every `executionReport`,
 * `outboundAccountPosition` and `balanceUpdate` goes straight from ccxt's message handler to
 * the registered listeners, as Binance sent it, bypassing ccxt's caches.
 *
 * Why: ccxt appends each `executionReport` to `this.orders` and (for `x = TRADE`)
 * `this.myTrades`, both `ArrayCacheBySymbolById` bounded by `options.ordersLimit` /
 * `tradesLimit` (1000); once full, every append shifts the whole array in a JS loop
 * (~145 µs per row, twice per trade). And its `WsClient` hands whatever its socket duplex
 * has buffered (high-water mark 1,024 frames) to the handler in one synchronous run
 * (`deliverLoop`), so more than 1000 reports between two `watchMyTrades()` resolutions
 * evict rows before the watcher reads them: lost fills.
 *
 * What the override relies on in ccxt 4.5.84 (`js/src/pro/binance.js`; re-check on upgrade):
 * - `handleMessage(client, message)` unwraps the websocket-API frame
 *   `{"subscriptionId": n, "event": {…}}` to `event` and dispatches on `event.e` through a
 *   table built per message from `this.<method>` (so a subclass override is what it calls):
 *   `executionReport` → `handleOrderUpdate`; `outboundAccountPosition`, `balanceUpdate` →
 *   `handleBalance`; `eventStreamTerminated` → `handleEventStreamTerminated`.
 * - `handleOrderUpdate(client, message)` = `handleMyTrade` (trade cache) + `handleOrder`
 *   (order cache) + `handleMyLiquidation`, each resolving its `watch*` futures;
 *   `handleBalance` updates `this.balance[accountType]` and resolves `<type>:balance`.
 *   Skipping them only means `watchOrders` / `watchMyTrades` / `watchBalance` and the
 *   `orders` / `myTrades` / `balance` caches of this instance see none of these events
 *   while a listener is registered; with no listener, ccxt's own handlers run unchanged.
 * - The spot user-data subscription is `authenticate({ type: 'spot' })` →
 *   `ensureUserDataStreamWsSubscribeSignature('spot')`: on the client of
 *   `urls.api.ws['ws-api'].spot`, `client.subscriptions.spot = true` is raised, then
 *   `userDataStream.subscribe.signature` is sent and the call resolves on the venue's
 *   `{"result": {"subscriptionId": n}}`; a concurrent caller finds the future
 *   `authenticate:signature:spot` in `client.futures`, but only if it gets past the first
 *   check (`spot` already in `client.subscriptions` returns at once, before confirmation);
 *   a refusal deletes `client.subscriptions.spot` and rejects.
 * - ccxt does not reconnect by itself: a dropped socket (`Client.onClose` / `onError`)
 *   rejects every pending future of its client (`Client.reset`) and removes the client from
 *   `this.clients` (`Exchange.onClose` / `onError`), so the next `authenticate` dials a new
 *   client and subscribes again. `exchange.close()` rejects them with `ExchangeClosedByUser`.
 * - `handleEventStreamTerminated` deletes `client.subscriptions.spot` (so the next
 *   `authenticate` subscribes again on the same socket) and rejects only the `spot` hash,
 *   which nothing awaits; the override also rejects the subscriptions' own futures.
 * - Handler exceptions are caught by `Client.onMessage`, which rejects every pending future
 *   of that client.
 */
import { BinancePro, ccxtErrors } from './ccxt-modules.ts';
import { binanceErrorBody, recordVenueCode } from './errors.ts';

/** The ccxt URL groups of Binance's USD-M REST API (`urls.api.<group>`). */
const FAPI_GROUPS = ['fapiPublic', 'fapiPrivate', 'fapiPublicV2', 'fapiPrivateV2', 'fapiPublicV3', 'fapiPrivateV3', 'fapiData'] as const;

/** ccxt's websocket client, as its handlers receive it. */
type WsClient = Parameters<InstanceType<typeof BinancePro>['handleOrderUpdate']>[0];

/** The spot user-data events handed to {@link EngineBinance.onSpotUserEvent} listeners (Binance's `e`). */
export type SpotUserEventType = 'executionReport' | 'outboundAccountPosition' | 'balanceUpdate';

/**
 * One spot user-data event exactly as ccxt parsed it from the frame
 * `{"subscriptionId": n, "event": {…}}` (the `event`): Binance's field letters, decimals as
 * strings, 15+ digit integers as strings (ccxt's JSON pre-pass). Listeners must not mutate it.
 */
export interface SpotUserEvent {
  readonly e: SpotUserEventType;
  readonly [field: string]: unknown;
}

/** Called synchronously from ccxt's message handler, once per event. Must not throw (see {@link EngineBinance.onSpotUserEvent}). */
export type SpotUserEventListener = (event: SpotUserEvent) => void;

/** A standing spot user-data subscription, from {@link EngineBinance.subscribeSpotUserData}. */
export interface SpotUserDataSubscription {
  /**
   * Rejects when the subscription is lost: its socket closed or failed (ccxt's
   * `NetworkError` …), the exchange was closed (`ExchangeClosedByUser`), or the venue ended
   * the stream (`eventStreamTerminated`). Resolves only after {@link release}.
   */
  readonly closed: Promise<void>;
  /** Stops watching (resolves `closed`); the venue-side subscription stays for other users. Idempotent. */
  release(): void;
}

/** ccxt's future of an in-flight spot subscribe request (`ensureUserDataStreamWsSubscribeSignature`). */
const SUBSCRIBING = 'authenticate:signature:spot';
/** Prefix of the client futures that stand for {@link SpotUserDataSubscription}s. */
const WATCH_PREFIX = 'engine:spot-user-data:';

const isSpotUserEvent = (message: unknown, types: readonly string[]): message is SpotUserEvent =>
  typeof message === 'object' && message !== null && types.includes((message as { e?: unknown }).e as string);

const EXECUTION_REPORT: readonly SpotUserEventType[] = ['executionReport'];
const BALANCE_EVENTS: readonly SpotUserEventType[] = ['outboundAccountPosition', 'balanceUpdate'];

export class EngineBinance extends BinancePro {
  private readonly spotUserListeners = new Set<SpotUserEventListener>();
  private spotUserWatchSeq = 0;

  // ---------------------------------------------------------------------------
  // Spot user-data events (see the class comment)
  // ---------------------------------------------------------------------------

  /**
   * Registers `listener` for every spot `executionReport`, `outboundAccountPosition` and
   * `balanceUpdate` this instance receives, from now until the returned function is called.
   * While at least one listener is registered, ccxt's own handling of these events is
   * skipped (no order/trade/balance cache, no `watchOrders` / `watchMyTrades` /
   * `watchBalance` resolution on this instance); with none, ccxt behaves as it always does.
   *
   * Listeners run synchronously inside ccxt's message handler, in registration order. A
   * listener that throws does not keep the others from the event; the first error is then
   * rethrown to ccxt, which rejects every pending future of that socket (a
   * {@link SpotUserDataSubscription} included), so it surfaces as a lost subscription.
   * Registering does not subscribe: see {@link subscribeSpotUserData}.
   * @returns a function removing this registration (idempotent)
   */
  onSpotUserEvent(listener: SpotUserEventListener): () => void {
    const registration: SpotUserEventListener = (event) => listener(event); // distinct per call: one listener may be registered twice
    this.spotUserListeners.add(registration);
    return () => {
      this.spotUserListeners.delete(registration);
    };
  }

  /**
   * How many {@link onSpotUserEvent} registrations stand (diagnostics, tests). A method, not a
   * getter: ccxt's constructor reads every prototype property before subclass fields exist.
   */
  spotUserEventListenerCount(): number {
    return this.spotUserListeners.size;
  }

  /**
   * Establishes (or joins) this account's spot user-data subscription and resolves once the
   * venue has confirmed it: ccxt's `authenticate({ type: 'spot' })`, which connects the
   * websocket-API client when needed and sends `userDataStream.subscribe.signature` once
   * per connection; if another caller's subscribe request is still in flight, waits for
   * its confirmation (ccxt returns early in that case, see the class comment).
   *
   * ccxt never re-subscribes by itself: after `closed` rejects, call this again (it dials a
   * new socket and subscribes on it).
   * @throws what `authenticate` throws (ccxt `NetworkError`, `AuthenticationError` …);
   *   `NetworkError` when the socket was lost before the subscription could be watched
   */
  async subscribeSpotUserData(): Promise<SpotUserDataSubscription> {
    await this.authenticate({ type: 'spot' });
    const url = this.spotWsApiUrl();
    const inFlight: unknown = this.clients[url]?.futures[SUBSCRIBING];
    if (inFlight !== undefined) await inFlight;
    const client = this.clients[url];
    if (client === undefined || client.subscriptions['spot'] === undefined) {
      throw new ccxtErrors.NetworkError(`${this.id} spot user-data subscription lost before it could be watched`);
    }
    const hash = `${WATCH_PREFIX}${++this.spotUserWatchSeq}`;
    // ccxt rejects every future of a client whose socket closes or fails (Client.reset).
    const closed = client.future(hash) as Promise<void>;
    closed.catch(() => undefined); // the caller observes it; never an unhandled rejection
    return {
      closed,
      release: () => {
        if (hash in client.futures) client.resolve(undefined, hash);
      },
    };
  }

  /** ccxt's handler of `executionReport` (and futures/stock order events); see the class comment. */
  override handleOrderUpdate(client: WsClient, message: unknown): void {
    if (this.spotUserListeners.size > 0 && isSpotUserEvent(message, EXECUTION_REPORT)) {
      this.emitSpotUserEvent(message);
      return;
    }
    super.handleOrderUpdate(client, message);
  }

  /** ccxt's handler of balance events; see the class comment. */
  override handleBalance(client: WsClient, message: unknown): void {
    if (this.spotUserListeners.size > 0 && isSpotUserEvent(message, BALANCE_EVENTS)) {
      this.emitSpotUserEvent(message);
      return;
    }
    super.handleBalance(client, message);
  }

  /** ccxt's handler of `eventStreamTerminated`: ccxt's own, then every subscription watched on that socket is lost. */
  override handleEventStreamTerminated(client: WsClient, message: unknown): void {
    super.handleEventStreamTerminated(client, message);
    const lost = new ccxtErrors.NetworkError(`${this.id} the venue terminated the user-data stream (eventStreamTerminated)`);
    for (const hash of Object.keys(client.futures)) {
      if (hash.startsWith(WATCH_PREFIX)) client.reject(lost, hash);
    }
  }

  private emitSpotUserEvent(event: SpotUserEvent): void {
    let failure: { error: unknown } | undefined;
    for (const listener of this.spotUserListeners) {
      try {
        listener(event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  /** `urls.api.ws['ws-api'].spot`: the socket of the spot user-data subscription. */
  private spotWsApiUrl(): string {
    const url: unknown = this.urls?.api?.ws?.['ws-api']?.spot;
    if (typeof url !== 'string') throw new ccxtErrors.NotSupported(`${this.id} has no spot websocket API URL (urls.api.ws['ws-api'].spot)`);
    return url;
  }

  // ---------------------------------------------------------------------------
  // Error handling
  // ---------------------------------------------------------------------------

  /**
   * ccxt's per-URL error table (`exact` or `broad`); see the class comment. Answers
   * `exceptions.linear[exactOrBroad]` for a URL under a configured `fapi*` prefix that
   * ccxt itself does not recognise, else exactly what ccxt answers.
   */
  override getExceptionsByUrl(url: string | undefined, exactOrBroad: string): Record<string, unknown> {
    const own = super.getExceptionsByUrl(url, exactOrBroad);
    if (url === undefined || Object.keys(own).length > 0 || !this.isConfiguredFuturesUrl(url)) return own;
    return this.safeDict(this.safeDict(this.exceptions, 'linear', {}), exactOrBroad, {});
  }

  /** True when `url` starts with one of the configured USD-M REST bases (`urls.api.fapi*` + '/'). */
  private isConfiguredFuturesUrl(url: string): boolean {
    const api: Record<string, unknown> = this.urls.api;
    return FAPI_GROUPS.some((group) => {
      const base = api[group];
      return typeof base === 'string' && base !== '' && url.startsWith(`${base.replace(/\/+$/, '')}/`);
    });
  }

  /** ccxt's hook for every HTTP response; see the class comment. Rethrows ccxt's own exception unchanged. */
  override handleErrors(
    code: number,
    reason: string,
    url: string,
    method: string,
    headers: Record<string, unknown>,
    body: string,
    response: unknown,
    requestHeaders: unknown,
    requestBody: unknown,
  ): undefined {
    try {
      return super.handleErrors(code, reason, url, method, headers, body, response, requestHeaders, requestBody);
    } catch (error) {
      const parsed = binanceErrorBody(response);
      if (parsed !== undefined) recordVenueCode(error, parsed.code);
      throw error;
    }
  }
}

/** An instance of the engine's Binance client. */
export type BinanceClient = EngineBinance;
