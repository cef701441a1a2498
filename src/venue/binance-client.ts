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
 */
import ccxt from 'ccxt';
import { binanceErrorBody, recordVenueCode } from './errors.ts';

export class EngineBinance extends ccxt.pro.binance {
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
