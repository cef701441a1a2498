/**
 * The USD-M futures side of `startSimulator` (./index.ts): the venue is created
 * when the configuration lists a `usdm` instrument, with the recorded futures
 * exchangeInfo (`usdm.exchangeInfoPath`) and one USDT futures wallet per
 * configured account (same API key and secret as spot; `usdmWallet`, else
 * `usdm.wallet`, default 100,000 USDT).
 */
import type { SimulatorConfig } from './config.ts';
import type { Replay } from './market/types.ts';
import type { UsdmServerControl } from './server/usdm/mount.ts';
import { loadUsdmExchangeInfo } from './venue/usdm/instruments.ts';
import { type UsdmGroundTruth, UsdmVenue } from './venue/usdm/usdm-venue.ts';

/** In-process control of the USD-M side (`SimulatorHandle.usdm`). */
export interface UsdmHandle extends UsdmServerControl {
  readonly venue: UsdmVenue;
  /** Every futures order, algo order, fill, wallet and position as the venue holds them. */
  groundTruth(): UsdmGroundTruth;
  /** Credits (negative: debits) an account's futures wallet, with an `ACCOUNT_UPDATE`. */
  adjustWallet(accountId: string, delta: string): void;
}

/** True when the configuration replays a USD-M instrument. */
export function wantsUsdm(config: SimulatorConfig): boolean {
  return config.instruments.some((i) => i.market === 'usdm');
}

/**
 * The USD-M venue for `config`, or undefined without `usdm` instruments.
 * @throws Error naming the file when the futures exchangeInfo is missing or does not parse.
 */
export function createUsdmVenue(config: SimulatorConfig, replay: Replay): UsdmVenue | undefined {
  if (!wantsUsdm(config)) return undefined;
  return new UsdmVenue({
    exchangeInfo: loadUsdmExchangeInfo(config.usdm.exchangeInfoPath),
    accounts: config.accounts.map((a) => ({ id: a.id, apiKey: a.apiKey, secret: a.secret, wallet: a.usdmWallet ?? config.usdm.wallet })),
    replay,
    fees: config.usdm.fees,
    defaultLeverage: config.usdm.defaultLeverage,
    firstOrderId: config.firstOrderId,
    firstTradeId: config.firstTradeId,
  });
}

/** The handle over the venue and the server's USD-M controls. */
export function usdmHandle(venue: UsdmVenue, server: UsdmServerControl): UsdmHandle {
  return {
    venue,
    groundTruth: () => venue.groundTruth(),
    adjustWallet: (accountId, delta) => venue.adjustWallet(accountId, delta),
    expireListenKey: (accountId) => server.expireListenKey(accountId),
    listenKeyOf: (accountId) => server.listenKeyOf(accountId),
    userStreamSubscribers: () => server.userStreamSubscribers(),
    activeMarketStreams: () => server.activeMarketStreams(),
  };
}
