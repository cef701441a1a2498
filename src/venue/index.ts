/**
 * The engine's ccxt adapter for one venue account:
 * - `createExchange(cfg)` — the ccxt.pro client (`./exchange.ts`);
 * - `VenueRest` — place/cancel/query as `ok | rejected | unknown` outcomes (`./rest.ts`);
 * - `VenueStreams` — order updates, fills, balances, quotes and connectivity as
 *   RxJS observables over the raw user-data events of ccxt.pro (`./streams.ts`).
 */
export { BackoffOptions, backoffDelay } from './backoff.ts';
export { EngineBinance } from './binance-client.ts';
export { classifyFailure, venueCodeOf } from './errors.ts';
export { VenueAccountConfig, type VenueAccountConfigInput, type VenueExchange, buildCcxtOptions, ccxtUrlsFor, createExchange } from './exchange.ts';
export { type CcxtOrderArgs, VenueRest, type VenueRestOptions, toCcxtOrder } from './rest.ts';
export { VenueStreams, type VenueStreamsOptions } from './streams.ts';
export {
  AssetBalance,
  type BalanceEvent,
  type ConnectivityEvent,
  type Ok,
  type OrderSnapshot,
  type PlacedOrder,
  type Quote,
  RejectReason,
  type Rejected,
  type StreamAnomaly,
  type StreamName,
  type Unknown,
  type VenueFailure,
  type VenueOutcome,
} from './types.ts';
