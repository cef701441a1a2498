/**
 * Reference prices of a USDⓈ-M contract on the replay.
 *
 * - Last price (CONTRACT_PRICE): the recorded last trade.
 * - Mark price: Binance derives it from the index of spot venues plus a funding
 *   basis (Binance "Mark Price"), which the recordings do not carry. The simulator's
 *   STAND-IN is the MID of the recorded book (best bid + best ask) / 2 after the
 *   bookTicker overlay, falling back to the last trade before the book has both
 *   sides. It is used for unrealized PnL, margin, PERCENT_PRICE, `MARK_PRICE`
 *   triggers, `premiumIndex` and the `markPrice` stream; the index price is the
 *   same value, and funding is not simulated (rate 0).
 */
import { type Decimal, dec } from '../../../domain/decimal.ts';
import type { Replay } from '../../market/types.ts';

const TWO = dec('2');

/** The recorded last trade price, or undefined before the first trade. */
export function lastPrice(replay: Replay, symbol: string): Decimal | undefined {
  const t = replay.lastTrade('usdm', symbol);
  return t ? dec(t.price) : undefined;
}

/** The mark stand-in: mid of the recorded book, else the last trade; undefined when neither exists. */
export function markPrice(replay: Replay, symbol: string): Decimal | undefined {
  const book = replay.book('usdm', symbol);
  const bid = book?.bestBid();
  const ask = book?.bestAsk();
  if (bid && ask) return dec(bid.price).plus(ask.price).div(TWO);
  return lastPrice(replay, symbol);
}

/** Next funding time (Binance: every 8 h at 00:00, 08:00, 16:00 UTC), ms, after `now` (replay clock). */
export function nextFundingTime(now: number): number {
  const period = 8 * 3_600_000;
  return Math.floor(now / period) * period + period;
}
