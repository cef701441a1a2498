import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_MAX_LENGTH,
  CLIENT_ORDER_ID_PATTERN,
  DEFAULT_CLIENT_ORDER_ID_PREFIX,
  clientOrderIdFor,
  isValidClientOrderId,
} from '../../src/domain/client-order-id.ts';
import { ClientOrderId } from '../../src/domain/order.ts';

const anyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 80 });

describe('clientOrderIdFor', () => {
  it('is stable across releases for a known input (changing the scheme must change the prefix)', () => {
    expect(clientOrderIdFor('sig-1', 'entry')).toBe(clientOrderIdFor('sig-1', 'entry'));
    expect(clientOrderIdFor('sig-1', 'entry')).toBe('ae1-zeXucDQn8sAxyqV0Ka7LiXYdzDyAojDh');
  });

  it('has the default prefix, exactly 36 characters, Binance alphabet', () => {
    const id = clientOrderIdFor('sig-1', 'tp1');
    expect(id.startsWith(DEFAULT_CLIENT_ORDER_ID_PREFIX)).toBe(true);
    expect(id).toHaveLength(CLIENT_ORDER_ID_MAX_LENGTH);
    expect(isValidClientOrderId(id)).toBe(true);
    expect(ClientOrderId.safeParse(id).success).toBe(true);
  });

  it('property: any inputs give a valid id of length 36, deterministically', () => {
    fc.assert(
      fc.property(anyText, anyText, (signalId, leg) => {
        const id = clientOrderIdFor(signalId, leg);
        expect(id).toMatch(CLIENT_ORDER_ID_PATTERN);
        expect(id).toHaveLength(36);
        expect(clientOrderIdFor(signalId, leg)).toBe(id);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a custom prefix is kept and the id stays within 36 characters', () => {
    const prefix = fc.string({ unit: fc.constantFrom(...'.ABZ:/az09_-'.split('')), maxLength: 14 });
    fc.assert(
      fc.property(prefix, anyText, anyText, (p, signalId, leg) => {
        const id = clientOrderIdFor(signalId, leg, p);
        expect(id.startsWith(p)).toBe(true);
        expect(id).toHaveLength(36);
        expect(id).toMatch(CLIENT_ORDER_ID_PATTERN);
      }),
    );
  });

  it('property: distinct (signal id, leg) pairs give distinct ids in a sample', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(anyText, anyText), { minLength: 2, maxLength: 300, selector: ([s, l]) => JSON.stringify([s, l]) }), (pairs) => {
        const ids = new Set(pairs.map(([s, l]) => clientOrderIdFor(s, l)));
        expect(ids.size).toBe(pairs.length);
      }),
      { numRuns: 200 },
    );
  });

  it('different legs of one signal differ; separator-like content cannot collide', () => {
    const legs = ['entry', 'tp1', 'tp2', 'sl', 'entry ', 'Entry'];
    expect(new Set(legs.map((l) => clientOrderIdFor('sig-1', l))).size).toBe(legs.length);
    expect(clientOrderIdFor('a|b', 'c')).not.toBe(clientOrderIdFor('a', 'b|c'));
    expect(clientOrderIdFor('a","b', 'c')).not.toBe(clientOrderIdFor('a', 'b","c'));
    expect(clientOrderIdFor('sig-1', 'entry')).not.toBe(clientOrderIdFor('entry', 'sig-1'));
  });

  it('many legs of many signals: no collision in 20k ids', () => {
    const ids = new Set<string>();
    for (let s = 0; s < 2000; s++) for (let l = 0; l < 10; l++) ids.add(clientOrderIdFor(`sig-${s}`, `leg-${l}`));
    expect(ids.size).toBe(20_000);
  });

  it('rejects empty inputs and invalid prefixes', () => {
    expect(() => clientOrderIdFor('', 'entry')).toThrow(RangeError);
    expect(() => clientOrderIdFor('sig', '')).toThrow(RangeError);
    expect(() => clientOrderIdFor('sig', 'entry', 'bad prefix')).toThrow(RangeError);
    expect(() => clientOrderIdFor('sig', 'entry', 'p'.repeat(15))).toThrow(RangeError);
    expect(clientOrderIdFor('sig', 'entry', 'p'.repeat(14))).toHaveLength(36);
    expect(clientOrderIdFor('sig', 'entry', '')).toHaveLength(36);
  });
});

describe('isValidClientOrderId', () => {
  it('matches Binance', () => {
    expect(isValidClientOrderId('x-TKT5PX2Fabc')).toBe(true);
    expect(isValidClientOrderId('')).toBe(false);
    expect(isValidClientOrderId('a'.repeat(37))).toBe(false);
    expect(isValidClientOrderId('ä')).toBe(false);
  });
});
