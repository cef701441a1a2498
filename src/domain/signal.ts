/**
 * A trading signal as a strategy sends it to the daemon (socket op `signal`),
 * and the result the daemon answers with. zod schemas are the one source of
 * these shapes; the socket protocol and the README document them from here.
 *
 * Amounts are decimal strings: `quantity` in the base currency, `quoteQuantity`
 * and `price` in the quote currency. Times are ms since the Unix epoch.
 */
import { z } from 'zod';
import { InstrumentSymbol, PositiveDecimalString, Side } from './order.ts';

/** Signal ids: what a strategy uses for idempotency (a repeated id places nothing new). */
export const SignalId = z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
export type SignalId = z.infer<typeof SignalId>;

/**
 * `{ signalId?, instrument, side, type: 'market'|'limit', quantity? | quoteQuantity?, price?, timeInForce?, venue? }`
 *
 * - market: exactly one of `quantity` (base) and `quoteQuantity` (quote notional); no price, no timeInForce.
 * - limit: `quantity` and `price`; `timeInForce` GTC (default), IOC or FOK.
 * - `signalId` omitted: the daemon makes one (and the signal is then not idempotent across retries).
 */
export const SignalRequest = z
  .object({
    signalId: SignalId.optional(),
    instrument: InstrumentSymbol,
    side: Side,
    type: z.enum(['market', 'limit']),
    quantity: PositiveDecimalString.optional(),
    quoteQuantity: PositiveDecimalString.optional(),
    price: PositiveDecimalString.optional(),
    timeInForce: z.enum(['GTC', 'IOC', 'FOK']).optional(),
    /** Venue account id from the configuration; default: the first one. */
    venue: z.string().min(1).max(64).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const hasQty = s.quantity !== undefined;
    const hasQuote = s.quoteQuantity !== undefined;
    if (s.type === 'market') {
      if (hasQty === hasQuote) ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'a market signal needs exactly one of quantity and quoteQuantity' });
      if (s.price !== undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a market signal takes no price' });
      if (s.timeInForce !== undefined) ctx.addIssue({ code: 'custom', path: ['timeInForce'], message: 'a market signal takes no timeInForce' });
    } else {
      if (!hasQty) ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'a limit signal needs quantity' });
      if (hasQuote) ctx.addIssue({ code: 'custom', path: ['quoteQuantity'], message: 'a limit signal takes quantity, not quoteQuantity' });
      if (s.price === undefined) ctx.addIssue({ code: 'custom', path: ['price'], message: 'a limit signal needs price' });
    }
  });
export type SignalRequest = z.infer<typeof SignalRequest>;
