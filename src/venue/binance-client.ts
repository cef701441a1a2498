/**
 * The engine's ccxt.pro `binance` class: unmodified but for one hook that keeps
 * Binance's numeric error code with the error.
 *
 * Why: ccxt's `binance.handleErrors` first matches the response's `msg` text
 * exactly (e.g. "Account has insufficient balance for requested action." →
 * InsufficientFunds) and then throws with the message `"binance " + msg`, so the
 * code (-2010) is lost from the error (ccxt 4.5.84 `js/src/binance.js`,
 * `handleErrors`). The override lets ccxt classify exactly as before and only
 * records the body's `code` for `venueCodeOf` (`./errors.ts`).
 *
 * Second hook, for USD-M futures: ccxt maps the futures-only error codes (-2019 margin
 * insufficient → InsufficientFunds, -2022 reduce-only rejected → InvalidOrder, -2021,
 * -4164, -5021/-5022 …, `exceptions.linear`) only for responses from Binance's own futures
 * hostnames: `getExceptionsByUrl` keys the table on `https://fapi.binance.com/…` (and the
 * demo/testnet hosts) and answers `{}` for any other URL (ccxt 4.5.84 `js/src/binance.js`,
 * `getExceptionsByUrl`). Against the simulator (or any URL the `fapi*` groups are pointed
 * at), those codes would fall through to the generic `ExchangeError`. The override answers
 * `exceptions.linear` for URLs under the CONFIGURED `fapi*` group prefixes when ccxt's own
 * lookup found nothing, so a local venue's futures errors surface as the classes Binance's
 * hostnames give. Binance's own hostnames are unaffected (ccxt's lookup answers first).
 * An expired listen key needs nothing here: its keep-alive answer, -1125, is in ccxt's
 * global map (AuthenticationError) for every URL.
 */
import ccxt from 'ccxt';
import { binanceErrorBody, recordVenueCode } from './errors.ts';

/** The ccxt URL groups of Binance's USD-M REST API (`urls.api.<group>`). */
const FAPI_GROUPS = ['fapiPublic', 'fapiPrivate', 'fapiPublicV2', 'fapiPrivateV2', 'fapiPublicV3', 'fapiPrivateV3', 'fapiData'] as const;

export class EngineBinance extends ccxt.pro.binance {
  /**
   * ccxt's per-URL error table (`exact` or `broad`); see the class comment. Answers
   * `exceptions.linear[exactOrBroad]` for a URL under a configured `fapi*` prefix that
   * ccxt itself does not recognise, else exactly what ccxt answers.
   */
  override getExceptionsByUrl(url: string | undefined, exactOrBroad: string): Record<string, unknown> {
    const own = super.getExceptionsByUrl(url, exactOrBroad);
    if (url === undefined || Object.keys(own).length > 0 || !this.isConfiguredFuturesUrl(url)) return own;
    return this.safeDict(this.safeDict(this.exceptions, 'linear', {}), exactOrBroad, {});
  }

  /** True when `url` starts with one of the configured USD-M REST bases (`urls.api.fapi*` + '/'). */
  private isConfiguredFuturesUrl(url: string): boolean {
    const api: Record<string, unknown> = this.urls.api;
    return FAPI_GROUPS.some((group) => {
      const base = api[group];
      return typeof base === 'string' && base !== '' && url.startsWith(`${base.replace(/\/+$/, '')}/`);
    });
  }

  /** ccxt's hook for every HTTP response; see the class comment. Rethrows ccxt's own exception unchanged. */
  override handleErrors(
    code: number,
    reason: string,
    url: string,
    method: string,
    headers: Record<string, unknown>,
    body: string,
    response: unknown,
    requestHeaders: unknown,
    requestBody: unknown,
  ): undefined {
    try {
      return super.handleErrors(code, reason, url, method, headers, body, response, requestHeaders, requestBody);
    } catch (error) {
      const parsed = binanceErrorBody(response);
      if (parsed !== undefined) recordVenueCode(error, parsed.code);
      throw error;
    }
  }
}

/** An instance of the engine's Binance client. */
export type BinanceClient = EngineBinance;
