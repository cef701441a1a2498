/**
 * Notional and leverage brackets (Binance "USDⓈ-M Futures › Account ›
 * Notional and Leverage Brackets", `GET /fapi/v1/leverageBracket`): each bracket
 * caps the position notional allowed at a leverage and sets the maintenance
 * margin ratio; `cum` is the maintenance amount that makes the tiered formula
 * continuous, `maintMargin = notional × maintMarginRatio − cum`.
 *
 * The recordings carry no bracket data, so the simulator serves ONE table for
 * every symbol: the shape of Binance's BTCUSDT tiers (125× up to 50,000 USDT,
 * then falling), stated here as the simulator's own figures, not recorded ones.
 * `cum` is derived from the table (`cum[n] = cum[n-1] + floor[n] × (mmr[n] − mmr[n-1])`).
 */
import { type Decimal, ZERO, dec } from '../../../domain/decimal.ts';

/** One bracket; notional in the margin asset (USDT). */
export interface Bracket {
  readonly bracket: number;
  readonly initialLeverage: number;
  readonly notionalFloor: Decimal;
  readonly notionalCap: Decimal;
  readonly maintMarginRatio: Decimal;
  readonly cum: Decimal;
}

const TABLE: ReadonlyArray<readonly [floor: string, cap: string, leverage: number, mmr: string]> = [
  ['0', '50000', 125, '0.004'],
  ['50000', '500000', 100, '0.005'],
  ['500000', '8000000', 50, '0.01'],
  ['8000000', '50000000', 20, '0.025'],
  ['50000000', '80000000', 10, '0.05'],
  ['80000000', '100000000', 5, '0.1'],
  ['100000000', '200000000', 4, '0.125'],
  ['200000000', '400000000', 3, '0.15'],
  ['400000000', '1000000000', 2, '0.25'],
  ['1000000000', '1500000000', 1, '0.5'],
];

function build(): Bracket[] {
  const out: Bracket[] = [];
  let cum = ZERO;
  let prevMmr = ZERO;
  TABLE.forEach(([floor, cap, leverage, mmr], i) => {
    const f = dec(floor);
    const m = dec(mmr);
    cum = i === 0 ? ZERO : cum.plus(f.times(m.minus(prevMmr)));
    prevMmr = m;
    out.push({ bracket: i + 1, initialLeverage: leverage, notionalFloor: f, notionalCap: dec(cap), maintMarginRatio: m, cum });
  });
  return out;
}

/** The simulator's bracket table (every symbol). */
export const BRACKETS: readonly Bracket[] = build();

/** Highest leverage a symbol allows (bracket 1). */
export const MAX_LEVERAGE = BRACKETS[0]?.initialLeverage ?? 125;

/** The bracket a position notional (absolute, USDT) falls in. */
export function bracketFor(notional: Decimal): Bracket {
  const abs = notional.abs();
  for (const b of BRACKETS) if (abs.lt(b.notionalCap)) return b;
  const last = BRACKETS[BRACKETS.length - 1];
  if (!last) throw new Error('empty bracket table');
  return last;
}

/** Maintenance margin of a position notional (absolute, USDT): `notional × mmr − cum`, never below zero. */
export function maintMargin(notional: Decimal): Decimal {
  const b = bracketFor(notional);
  const m = notional.abs().times(b.maintMarginRatio).minus(b.cum);
  return m.lt(ZERO) ? ZERO : m;
}

/** Largest position notional (USDT) allowed at `leverage`: the cap of the last bracket whose initial leverage is ≥ it. */
export function maxNotionalAt(leverage: number): Decimal {
  let cap = ZERO;
  for (const b of BRACKETS) if (b.initialLeverage >= leverage) cap = b.notionalCap;
  return cap;
}
