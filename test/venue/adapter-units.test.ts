/**
 * The adapter's pure parts: failure classification (real ccxt exception
 * classes), intent → ccxt mapping, URL rebasing, raw payload parsing, backoff.
 */
import {
  AuthenticationError,
  BadRequest,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  NullResponse,
  OnMaintenance,
  OrderImmediatelyFillable,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import { describe, expect, it } from 'vitest';
import { OrderIntent, type OrderIntentInput } from '../../src/domain/order.ts';
import { BackoffOptions, backoffDelay } from '../../src/venue/backoff.ts';
import { EngineBinance } from '../../src/venue/binance-client.ts';
import { classifyFailure, recordVenueCode, redact, venueCodeOf } from '../../src/venue/errors.ts';
import { VenueAccountConfig, buildCcxtOptions, ccxtUrlsFor } from '../../src/venue/exchange.ts';
import { toCcxtOrder } from '../../src/venue/rest.ts';
import { averagePrice, executionReportToFill, executionReportToUpdate, toBalanceEvent, toOrderUpdate } from '../../src/venue/wire.ts';

describe('classifyFailure', () => {
  const body = (code: number, msg: string) => `binance ${JSON.stringify({ code, msg })}`;
  it.each([
    ['InsufficientFunds (msg-matched, code recorded)', new InsufficientFunds('binance Account has insufficient balance for requested action.'), -2010, { kind: 'rejected', reason: 'insufficient_funds', venueCode: -2010 }],
    ['InvalidOrder PRICE_FILTER', new InvalidOrder(`binance order price is invalid ${body(-1013, 'Filter failure: PRICE_FILTER')}`), undefined, { kind: 'rejected', reason: 'filter_failure', venueCode: -1013 }],
    ['BadRequest NOTIONAL', new BadRequest(body(-1013, 'Filter failure: NOTIONAL')), undefined, { kind: 'rejected', reason: 'filter_failure', venueCode: -1013 }],
    ['duplicate client order id', new InvalidOrder(body(-2010, 'Duplicate order sent.')), undefined, { kind: 'rejected', reason: 'duplicate_order', venueCode: -2010 }],
    ['OrderNotFound on cancel', new OrderNotFound(body(-2011, 'Unknown order sent.')), undefined, { kind: 'rejected', reason: 'unknown_order', venueCode: -2011 }],
    ['post-only would take', new OrderImmediatelyFillable('binance Order would immediately match and take.'), undefined, { kind: 'rejected', reason: 'would_match_immediately' }],
    ['AuthenticationError', new AuthenticationError(body(-1022, 'Signature for this request is not valid.')), undefined, { kind: 'rejected', reason: 'authentication', venueCode: -1022 }],
    ['PermissionDenied', new PermissionDenied('binance This symbol is not permitted for this account.'), undefined, { kind: 'rejected', reason: 'permission_denied' }],
    ['-2015 (ccxt: DDoSProtection)', new DDoSProtection(body(-2015, 'Invalid API-key, IP, or permissions for action.')), undefined, { kind: 'rejected', reason: 'authentication', venueCode: -2015 }],
    ['-1021 (ccxt: InvalidNonce)', new InvalidNonce(body(-1021, 'Timestamp for this request is outside of the recvWindow.')), undefined, { kind: 'rejected', reason: 'timestamp_outside_recv_window', venueCode: -1021 }],
    ['other code (ccxt: ExchangeError)', new ExchangeError(body(-1100, 'Illegal characters found in a parameter.')), undefined, { kind: 'rejected', reason: 'venue_error', venueCode: -1100 }],
    ['-1007 (ccxt: RequestTimeout)', new RequestTimeout(body(-1007, 'Timeout waiting for response from backend server.')), undefined, { kind: 'unknown', venueCode: -1007 }],
    ['-1008 (ccxt: ExchangeError)', new ExchangeError(body(-1008, 'Server is currently overloaded with other requests.')), undefined, { kind: 'unknown', venueCode: -1008 }],
    ['-1000 (ccxt: OperationFailed)', new ExchangeError(body(-1000, 'An unknown error occurred while processing the request.')), undefined, { kind: 'unknown', venueCode: -1000 }],
    ['429 rate limit', new DDoSProtection(`binance 429 Too Many Requests ${body(-1003, 'Too much request weight used.')}`), undefined, { kind: 'unknown', venueCode: -1003 }],
    ['RateLimitExceeded -1015', new RateLimitExceeded(body(-1015, 'Too many new orders.')), undefined, { kind: 'unknown', venueCode: -1015 }],
    ['RequestTimeout (transport)', new RequestTimeout('binance POST http://127.0.0.1:1/api/v3/order request timed out (400 ms)'), undefined, { kind: 'unknown' }],
    ['NetworkError (refused)', new NetworkError('binance POST http://127.0.0.1:1/api/v3/order fetch failed'), undefined, { kind: 'unknown' }],
    ['ExchangeNotAvailable (5xx, no code)', new ExchangeNotAvailable('binance 503 Service Unavailable'), undefined, { kind: 'unknown' }],
    ['OnMaintenance', new OnMaintenance('binance System is under maintenance.'), undefined, { kind: 'unknown' }],
    ['NullResponse', new NullResponse('binance parseOrder() returned empty response'), undefined, { kind: 'unknown' }],
    ['not a ccxt error', new TypeError('x is undefined'), undefined, { kind: 'unknown', errorClass: 'TypeError' }],
  ] as const)('%s', (_name, error, recorded, expected) => {
    if (recorded !== undefined) recordVenueCode(error, recorded);
    expect(classifyFailure(error)).toMatchObject(expected);
  });

  it('extracts the code from the JSON ccxt embeds in its message, and redacts signatures', () => {
    expect(venueCodeOf(new ExchangeError('binance {"code":-1121,"msg":"Invalid symbol."}'))).toBe(-1121);
    expect(venueCodeOf(new NetworkError('binance fetch failed'))).toBeUndefined();
    expect(redact('GET http://h/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=abcdef0123&x=1')).toBe(
      'GET http://h/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=<redacted>&x=1',
    );
  });

  it('the engine client records the body code of a msg-matched error', () => {
    const ex = new EngineBinance();
    let thrown: unknown;
    try {
      const text = '{"code":-2010,"msg":"Account has insufficient balance for requested action."}';
      ex.handleErrors(400, 'Bad Request', 'http://127.0.0.1/api/v3/order', 'POST', {}, text, JSON.parse(text), {}, '');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InsufficientFunds);
    expect((thrown as Error).message).not.toContain('-2010');
    expect(venueCodeOf(thrown)).toBe(-2010);
  });
});

describe('toCcxtOrder', () => {
  const base: OrderIntentInput = {
    clientOrderId: 'ae1-abc',
    signalId: 's',
    leg: 'entry',
    venue: 'binance',
    accountId: 'a',
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'market',
    createdAt: 0,
  };
  const map = (over: Partial<OrderIntentInput>) => toCcxtOrder(OrderIntent.parse({ ...base, ...over }));

  it('passes the intent decimals as params so that they reach the wire unchanged', () => {
    expect(map({ type: 'limit', quantity: '0.00100000', price: '61837.63', timeInForce: 'IOC' })).toEqual({
      symbol: 'BTC/USDT',
      type: 'limit',
      side: 'buy',
      amount: 0.001,
      price: 61837.63,
      params: { newClientOrderId: 'ae1-abc', quantity: '0.00100000', price: '61837.63', timeInForce: 'IOC' },
    });
  });
  it('market by quote notional → quoteOrderQty', () => {
    expect(map({ quoteQuantity: '25.5' })).toMatchObject({ type: 'market', params: { newClientOrderId: 'ae1-abc', quoteOrderQty: '25.5' } });
  });
  it.each([
    ['stop_loss', 'market', 'stopLossPrice'],
    ['take_profit', 'market', 'takeProfitPrice'],
  ] as const)('%s → ccxt %s with %s', (type, ccxtType, param) => {
    expect(map({ type, side: 'sell', quantity: '1', stopPrice: '50000' })).toMatchObject({ type: ccxtType, price: undefined, params: { [param]: '50000', quantity: '1' } });
  });
  it.each([
    ['stop_loss_limit', 'stopLossPrice'],
    ['take_profit_limit', 'takeProfitPrice'],
  ] as const)('%s → ccxt limit with %s', (type, param) => {
    expect(map({ type, side: 'sell', quantity: '1', stopPrice: '50000', price: '49990', timeInForce: 'GTC' })).toMatchObject({
      type: 'limit',
      params: { [param]: '50000', price: '49990', timeInForce: 'GTC' },
    });
  });
});

describe('exchange configuration', () => {
  it('rebases every ccxt URL on the configured hosts; spot websockets carry /stream', () => {
    const api = ccxtUrlsFor(new EngineBinance().urls['api'], 'http://127.0.0.1:9/', 'ws://127.0.0.1:9');
    const leaves = JSON.stringify(api).match(/"(?:https?|wss?):\/\/[^"]+"/g) ?? [];
    expect(leaves.length).toBeGreaterThan(20);
    expect(leaves.every((u) => u.includes('127.0.0.1:9'))).toBe(true);
    expect(api).toMatchObject({
      public: 'http://127.0.0.1:9/api/v3',
      private: 'http://127.0.0.1:9/api/v3',
      sapi: 'http://127.0.0.1:9/sapi/v1',
      ws: { spot: 'ws://127.0.0.1:9/stream', 'ws-api': { spot: 'ws://127.0.0.1:9/ws-api/v3' } },
    });
  });

  it('applies credentials, timeout and rate limiting over a raw ccxt object', () => {
    const cfg = VenueAccountConfig.parse({
      id: 'x',
      exchange: 'binance',
      apiKey: 'k',
      secret: 's',
      ccxtOptions: { apiKey: 'other', options: { recvWindow: 5000 } },
      timeoutMs: 1234,
    });
    expect(buildCcxtOptions(cfg)).toMatchObject({
      apiKey: 'k',
      secret: 's',
      timeout: 1234,
      enableRateLimit: true,
      options: { recvWindow: 5000, defaultType: 'spot', fetchCurrencies: false, fetchOpenOrders: { warnWithoutSymbol: false } },
    });
  });

  it('refuses a configuration without credentials, without echoing values', () => {
    const r = VenueAccountConfig.safeParse({ id: 'x', exchange: 'binance', apiKey: 'visible-key', secret: '' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).not.toContain('visible-key');
  });
});

describe('raw payloads', () => {
  const report = {
    e: 'executionReport',
    E: 1723161600001,
    s: 'BTCUSDT',
    c: 'ae1-own',
    S: 'BUY',
    o: 'LIMIT',
    q: '1.50000000',
    p: '61000.00000000',
    C: '',
    x: 'TRADE',
    X: 'PARTIALLY_FILLED',
    i: 42,
    l: '0.10000000',
    z: '0.30000000',
    L: '61000.00000000',
    n: '0.00010000',
    N: 'BTC',
    T: 1723161600000,
    t: 7,
    m: true,
    Z: '18300.00000000',
  };
  it('executionReport → VenueOrderUpdate (cumulative z, average Z/z) and Fill', () => {
    expect(executionReportToUpdate(report)).toEqual({
      clientOrderId: 'ae1-own',
      venueOrderId: '42',
      status: 'open',
      filledQuantity: '0.30000000',
      averagePrice: '61000',
      time: 1723161600000,
    });
    expect(executionReportToFill(report)).toEqual({
      tradeId: '7',
      venueOrderId: '42',
      clientOrderId: 'ae1-own',
      price: '61000.00000000',
      quantity: '0.10000000',
      feeAmount: '0.00010000',
      feeCurrency: 'BTC',
      liquidity: 'maker',
      time: 1723161600000,
    });
  });
  it('a cancel report names the order by C, not by the cancel request id c', () => {
    expect(executionReportToUpdate({ ...report, x: 'CANCELED', X: 'CANCELED', c: 'cancel-req', C: 'ae1-own' })).toMatchObject({ clientOrderId: 'ae1-own', status: 'canceled' });
  });
  it('refuses an unknown status, a non-trade as a fill, a float amount', () => {
    expect(() => executionReportToUpdate({ ...report, X: 'WHATEVER' })).toThrow(/unknown Binance order status/);
    expect(() => executionReportToFill({ ...report, x: 'NEW' })).toThrow();
    expect(() => executionReportToFill({ ...report, l: 0.1 })).toThrow();
  });
  it('REST cancel answer: origClientOrderId is the order', () => {
    const update = toOrderUpdate({
      symbol: 'BTCUSDT',
      orderId: 9,
      clientOrderId: 'cancel-req',
      origClientOrderId: 'ae1-own',
      executedQty: '0.00000000',
      cummulativeQuoteQty: '0.00000000',
      status: 'CANCELED',
      transactTime: 5,
    });
    expect(update).toEqual({ clientOrderId: 'ae1-own', venueOrderId: '9', status: 'canceled', filledQuantity: '0.00000000', averagePrice: null, time: 5 });
  });
  it('balance events keep Binance decimals', () => {
    expect(toBalanceEvent({ e: 'balanceUpdate', E: 3, a: 'USDT', d: '-10.50000000', T: 3 })).toEqual({ kind: 'delta', time: 3, asset: 'USDT', delta: '-10.50000000' });
    expect(toBalanceEvent({ e: 'outboundAccountPosition', E: 4, u: 4, B: [{ a: 'BTC', f: '1.00100000', l: '0.00000000' }] })).toEqual({
      kind: 'position',
      time: 4,
      balances: [{ asset: 'BTC', free: '1.00100000', locked: '0.00000000' }],
    });
  });
  it('average price is exact to 16 places and null without executions', () => {
    expect(averagePrice('100', '3')).toBe('33.3333333333333333');
    expect(averagePrice('0', '0')).toBeNull();
  });
});

describe('backoffDelay', () => {
  const o = BackoffOptions.parse({});
  it('doubles from 100 ms to a 5 s ceiling, jitter removing at most half', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, o, () => 0))).toEqual([100, 200, 400, 800, 5000]);
    expect(backoffDelay(0, o, () => 0.999)).toBe(50);
    expect(backoffDelay(1000, o, () => 0)).toBe(5000);
  });
});
