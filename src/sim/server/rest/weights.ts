/** Request weights that depend on the parameters, shared by the spot and USDⓈ-M route tables. */
import type { ParamBag } from '../http/context.ts';

/** Weight by symbol count: `one` when `symbol` is sent, `all` otherwise. */
export const bySymbol =
  (one: number, all: number) =>
  (p: ParamBag): number =>
    p['symbol'] !== undefined ? one : all;
