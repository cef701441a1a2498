import { describe, expect, it } from 'vitest';
import {
  ClientOrderId,
  DecimalString,
  Fill,
  InstrumentSymbol,
  ORDER_TYPES,
  ORDER_TYPE_RULES,
  OrderIntent,
  type OrderIntentInput,
  OrderType,
  PositiveDecimalString,
  ReasonCode,
  Side,
  SignedDecimalString,
  TimeInForce,
  TimestampMs,
  VenueOrderUpdate,
  isContractSymbol,
  isTerminalVenueStatus,
} from '../../src/domain/order.ts';

const T0 = 1_754_524_800_000; // 2025-08-07T00:00:00Z

function limitIntent(over: Partial<OrderIntentInput> = {}): OrderIntentInput {
  return {
    clientOrderId: 'ae1-abcdefghijklmnopqrstuvwxyz012345',
    signalId: 'sig-1',
    leg: 'entry',
    venue: 'binance',
    accountId: 'main',
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    quantity: '0.00100000',
    price: '61837.63',
    createdAt: T0,
    ...over,
  };
}

/** Removes keys whose value is undefined (so an override can delete a field). */
function compact(o: OrderIntentInput): OrderIntentInput {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as OrderIntentInput;
}

function issuesOf(input: unknown): string[] {
  const r = OrderIntent.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('DecimalString', () => {
  it.each(['0', '1', '61837.63', '0.00100000', '000.5', '123456789012345678901234567890.123456789'])('accepts %s', (s) => {
    expect(DecimalString.safeParse(s).success).toBe(true);
  });
  it.each(['', '-1', '+1', '1e-8', '1E8', '.5', '1.', 'NaN', 'Infinity', ' 1', '1 ', '1,5', '0x10', '1.2.3'])('rejects %j', (s) => {
    expect(DecimalString.safeParse(s).success).toBe(false);
  });
  it('rejects non-strings and overlong strings', () => {
    expect(DecimalString.safeParse(1).success).toBe(false);
    expect(DecimalString.safeParse('1'.repeat(65)).success).toBe(false);
  });
  it('PositiveDecimalString rejects zero in any spelling', () => {
    for (const z of ['0', '0.0', '0.00000000', '000']) expect(PositiveDecimalString.safeParse(z).success).toBe(false);
    expect(PositiveDecimalString.safeParse('0.00000001').success).toBe(true);
  });
  it('SignedDecimalString accepts a leading minus only', () => {
    expect(SignedDecimalString.safeParse('-0.0001').success).toBe(true);
    expect(SignedDecimalString.safeParse('0.0001').success).toBe(true);
    expect(SignedDecimalString.safeParse('+0.0001').success).toBe(false);
    expect(SignedDecimalString.safeParse('-1e-3').success).toBe(false);
  });
});

describe('primitives and enums', () => {
  it('Side, OrderType, TimeInForce', () => {
    expect(Side.options).toEqual(['buy', 'sell']);
    expect(OrderType.options).toEqual(['market', 'limit', 'stop_loss', 'stop_loss_limit', 'take_profit', 'take_profit_limit']);
    expect(ORDER_TYPES).toEqual(Object.keys(ORDER_TYPE_RULES));
    expect(TimeInForce.options).toEqual(['GTC', 'IOC', 'FOK', 'GTX']);
    expect(OrderType.safeParse('LIMIT').success).toBe(false);
  });
  it('TimestampMs is a non-negative integer', () => {
    expect(TimestampMs.safeParse(T0).success).toBe(true);
    expect(TimestampMs.safeParse(-1).success).toBe(false);
    expect(TimestampMs.safeParse(1.5).success).toBe(false);
  });
  it('InstrumentSymbol takes ccxt unified symbols', () => {
    for (const s of ['BTC/USDT', 'BTC/USDT:USDT', '1000PEPE/USDT:USDT', 'BTC/USDT:USDT-250926']) {
      expect(InstrumentSymbol.safeParse(s).success, s).toBe(true);
    }
    for (const s of ['BTCUSDT', 'btcusdt', 'BTC-USDT', 'BTC/', '/USDT', 'BTC/USDT:']) {
      expect(InstrumentSymbol.safeParse(s).success, s).toBe(false);
    }
    expect(isContractSymbol('BTC/USDT:USDT')).toBe(true);
    expect(isContractSymbol('BTC/USDT')).toBe(false);
  });
  it('ClientOrderId follows Binance', () => {
    expect(ClientOrderId.safeParse('x-TKT5PX2F.abc:/_-Z9').success).toBe(true);
    expect(ClientOrderId.safeParse('a'.repeat(36)).success).toBe(true);
    expect(ClientOrderId.safeParse('a'.repeat(37)).success).toBe(false);
    expect(ClientOrderId.safeParse('').success).toBe(false);
    expect(ClientOrderId.safeParse('has space').success).toBe(false);
    expect(ClientOrderId.safeParse('plus+').success).toBe(false);
  });
  it('ReasonCode', () => {
    expect(ReasonCode.safeParse('max_notional_exceeded').success).toBe(true);
    expect(ReasonCode.safeParse('binance.-2010').success).toBe(true);
    expect(ReasonCode.safeParse('Max Notional').success).toBe(false);
    expect(ReasonCode.safeParse('').success).toBe(false);
  });
  it('isTerminalVenueStatus', () => {
    expect(isTerminalVenueStatus('open')).toBe(false);
    for (const s of ['closed', 'canceled', 'expired', 'rejected'] as const) expect(isTerminalVenueStatus(s)).toBe(true);
  });
});

describe('OrderIntent', () => {
  it('parses a limit order and defaults reduceOnly to false', () => {
    const parsed = OrderIntent.parse(limitIntent());
    expect(parsed.reduceOnly).toBe(false);
    expect(parsed.quantity).toBe('0.00100000');
  });

  it('accepts every order type with the fields its rule requires', () => {
    const cases: OrderIntentInput[] = [
      compact(limitIntent({ type: 'market', price: undefined, timeInForce: undefined })),
      compact(limitIntent({ type: 'market', price: undefined, timeInForce: undefined, quantity: undefined, quoteQuantity: '100' })),
      limitIntent({ type: 'limit' }),
      compact(limitIntent({ type: 'stop_loss', price: undefined, timeInForce: undefined, stopPrice: '60000' })),
      limitIntent({ type: 'stop_loss_limit', stopPrice: '60000' }),
      compact(limitIntent({ type: 'take_profit', price: undefined, timeInForce: undefined, stopPrice: '65000' })),
      limitIntent({ type: 'take_profit_limit', stopPrice: '65000' }),
      limitIntent({ symbol: 'BTC/USDT:USDT', reduceOnly: true, timeInForce: 'GTX' }),
    ];
    for (const c of cases) expect(issuesOf(c), JSON.stringify(c)).toEqual([]);
  });

  it('requires exactly one of quantity and quoteQuantity', () => {
    expect(issuesOf(compact(limitIntent({ quantity: undefined })))).toEqual(['quantity: exactly one of quantity and quoteQuantity is required']);
    const both = compact(limitIntent({ type: 'market', price: undefined, timeInForce: undefined, quoteQuantity: '10' }));
    expect(issuesOf(both)).toEqual(['quantity: exactly one of quantity and quoteQuantity is required']);
  });

  it('allows quoteQuantity only on market orders', () => {
    const r = issuesOf(compact(limitIntent({ quantity: undefined, quoteQuantity: '10' })));
    expect(r).toEqual(['quoteQuantity: quoteQuantity is not allowed for limit orders']);
  });

  it('enforces price / stopPrice / timeInForce per type', () => {
    expect(issuesOf(compact(limitIntent({ price: undefined })))).toEqual(['price: price is required for limit orders']);
    expect(issuesOf(compact(limitIntent({ timeInForce: undefined })))).toEqual(['timeInForce: timeInForce is required for limit orders']);
    expect(issuesOf(limitIntent({ stopPrice: '1' }))).toEqual(['stopPrice: stopPrice is not allowed for limit orders']);
    expect(issuesOf(limitIntent({ type: 'market' }))).toEqual([
      'price: price is not allowed for market orders',
      'timeInForce: timeInForce is not allowed for market orders',
    ]);
    expect(issuesOf(limitIntent({ type: 'stop_loss_limit' }))).toEqual(['stopPrice: stopPrice is required for stop_loss_limit orders']);
  });

  it('allows reduceOnly only on contract symbols', () => {
    expect(issuesOf(limitIntent({ reduceOnly: true }))).toEqual([
      'reduceOnly: reduceOnly is only valid on contract symbols (BASE/QUOTE:SETTLE)',
    ]);
  });

  it('rejects zero or malformed amounts and bad ids', () => {
    expect(issuesOf(limitIntent({ quantity: '0' })).length).toBeGreaterThan(0);
    expect(issuesOf(limitIntent({ price: '1e3' })).length).toBeGreaterThan(0);
    expect(issuesOf(limitIntent({ clientOrderId: 'bad id' })).length).toBeGreaterThan(0);
    expect(issuesOf(limitIntent({ signalId: '' })).length).toBeGreaterThan(0);
    expect(issuesOf(limitIntent({ side: 'BUY' as never })).length).toBeGreaterThan(0);
  });
});

describe('Fill', () => {
  const fill = {
    tradeId: '12345',
    venueOrderId: '987',
    clientOrderId: 'ae1-x',
    price: '61837.63',
    quantity: '0.0005',
    feeAmount: '0.00000050',
    feeCurrency: 'BTC',
    liquidity: 'taker',
    time: T0,
  } as const;
  it('parses a fill', () => {
    expect(Fill.parse(fill)).toEqual(fill);
  });
  it('allows a null fee currency only with a zero fee', () => {
    expect(Fill.safeParse({ ...fill, feeAmount: '0', feeCurrency: null }).success).toBe(true);
    expect(Fill.safeParse({ ...fill, feeCurrency: null }).success).toBe(false);
  });
  it('accepts a rebate (negative fee)', () => {
    expect(Fill.safeParse({ ...fill, feeAmount: '-0.0001', feeCurrency: 'USDT' }).success).toBe(true);
  });
  it('rejects a zero quantity or a bad liquidity flag', () => {
    expect(Fill.safeParse({ ...fill, quantity: '0' }).success).toBe(false);
    expect(Fill.safeParse({ ...fill, liquidity: 'MAKER' }).success).toBe(false);
  });
});

describe('VenueOrderUpdate', () => {
  const update = {
    clientOrderId: 'ae1-x',
    venueOrderId: '987',
    status: 'open',
    filledQuantity: '0',
    averagePrice: null,
    time: T0,
  } as const;
  it('parses each unified status', () => {
    for (const status of ['open', 'closed', 'canceled', 'expired', 'rejected'] as const) {
      expect(VenueOrderUpdate.safeParse({ ...update, status }).success).toBe(true);
    }
  });
  it("rejects Binance's wire spellings and bad amounts", () => {
    expect(VenueOrderUpdate.safeParse({ ...update, status: 'NEW' }).success).toBe(false);
    expect(VenueOrderUpdate.safeParse({ ...update, status: 'cancelled' }).success).toBe(false);
    expect(VenueOrderUpdate.safeParse({ ...update, filledQuantity: '-1' }).success).toBe(false);
    expect(VenueOrderUpdate.safeParse({ ...update, averagePrice: '0' }).success).toBe(false);
  });
});
