import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWellFormedTransition, transitionInputSchema } from '../../src/store/schemas.ts';

/** Values that sit on and around each rule's edges, and anything else. */
const edgy = fc.oneof(
  fc.constantFrom(undefined, null, '', 'x', 'x'.repeat(128), 'x'.repeat(129), 0, -0, -1, 1.5, 2 ** 53, Number.NaN, Infinity, -Infinity, true, [], {}),
  fc.anything(),
);

const id = fc.oneof(fc.string({ minLength: 1, maxLength: 128 }), edgy);
const wellFormed = fc.record(
  {
    clientOrderId: fc.string({ minLength: 1, maxLength: 128 }),
    snapshot: fc.anything().filter((v) => v !== undefined),
    version: fc.nat(),
    journalEntry: fc.record(
      { event: fc.anything().filter((v) => v !== undefined), from: fc.string(), to: fc.string(), at: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }) },
      { requiredKeys: ['event', 'from', 'to'] },
    ),
    live: fc.boolean(),
    venueOrder: fc.record({ symbol: fc.string({ minLength: 1, maxLength: 128 }), orderId: fc.string({ minLength: 1, maxLength: 128 }) }),
    signal: fc.record({ id: fc.string({ minLength: 1, maxLength: 128 }), result: fc.anything().filter((v) => v !== undefined) }),
    listingTag: fc.string({ minLength: 1, maxLength: 128 }),
  },
  { requiredKeys: ['clientOrderId', 'snapshot', 'version', 'journalEntry', 'live'] },
);

/** A well-formed input with one field (top level or nested) replaced by an arbitrary value. */
const perturbed = fc
  .tuple(
    wellFormed,
    fc.constantFrom('clientOrderId', 'snapshot', 'version', 'live', 'journalEntry', 'event', 'from', 'to', 'at', 'venueOrder', 'symbol', 'orderId', 'signal', 'id', 'result', 'listingTag'),
    fc.oneof(edgy, id),
  )
  .map(([input, field, value]) => {
    const out: Record<string, unknown> = { ...input, journalEntry: { ...input.journalEntry }, venueOrder: { ...(input.venueOrder ?? { symbol: 'S', orderId: '1' }) }, signal: { ...(input.signal ?? { id: 's', result: 1 }) } };
    const nested: Record<string, string> = { event: 'journalEntry', from: 'journalEntry', to: 'journalEntry', at: 'journalEntry', symbol: 'venueOrder', orderId: 'venueOrder', id: 'signal', result: 'signal' };
    const parent = nested[field];
    if (parent === undefined) out[field] = value;
    else (out[parent] as Record<string, unknown>)[field] = value;
    return out;
  });

/** A well-formed input with itself or one of its objects turned into an array holding the same properties. */
const asArray = fc.tuple(wellFormed, fc.constantFrom('top', 'journalEntry', 'venueOrder', 'signal')).map(([input, which]) => {
  const arrayOf = (o: object): unknown => Object.assign([], o);
  if (which === 'top') return arrayOf(input);
  const inner = input[which as 'journalEntry'] ?? {};
  return { ...input, [which]: arrayOf(inner) };
});

describe('isWellFormedTransition', () => {
  it('accepts exactly what transitionInputSchema accepts', () => {
    fc.assert(
      fc.property(fc.oneof(wellFormed, perturbed, asArray, edgy), (input) => {
        expect(isWellFormedTransition(input)).toBe(transitionInputSchema.safeParse(input).success);
      }),
      { numRuns: 5_000 },
    );
  });
});
