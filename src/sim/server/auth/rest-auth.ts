/**
 * Authentication stage of the REST pipeline (Binance "Endpoint security type").
 *
 * - Every endpoint other than `NONE` needs the `X-MBX-APIKEY` header:
 *   missing or empty → -2014 "API-key format invalid." (HTTP 401);
 *   not an account's key → -2015 "Invalid API-key, IP, or permissions for action." (HTTP 401).
 * - `TRADE` / `USER_DATA` are SIGNED: `timestamp` is mandatory, `recvWindow` optional
 *   (see ./timing-window.ts, -1021 / -1131), and `signature` must be the hex HMAC-SHA256
 *   of the raw `totalParams` (see ../http/raw-params.ts) under the account's secret:
 *   missing → -1102, mismatch → -1022.
 *
 * On success the account is put on the context and `timestamp`/`recvWindow` are removed
 * from the parameter bag (the endpoint parsers read only their own parameters).
 */
import { Errors } from '../../venue/errors.ts';
import type { SpotVenueApi } from '../../venue/types.ts';
import type { RestMiddleware } from '../http/context.ts';
import { signatureMatches } from './signature.ts';
import { checkTimingWindow } from './timing-window.ts';

/** Header carrying the API key (Node lower-cases header names). */
export const API_KEY_HEADER = 'x-mbx-apikey';

/** Builds the auth stage; `now` is the wall clock (injectable for tests). */
export function restAuth(venue: Pick<SpotVenueApi, 'accountByApiKey'>, now: () => number = Date.now): RestMiddleware {
  return (ctx, next) => {
    const route = ctx.route;
    if (route === undefined || route.security === 'NONE') return next();
    const header = ctx.request.headers[API_KEY_HEADER];
    const apiKey = Array.isArray(header) ? header[0] : header;
    if (apiKey === undefined || apiKey === '') throw Errors.badApiKeyFormat();
    const account = venue.accountByApiKey(apiKey);
    if (account === undefined) throw Errors.rejectedMbxKey();
    ctx.account = account;
    if (route.security === 'TRADE' || route.security === 'USER_DATA') {
      const params = ctx.params ?? {};
      checkTimingWindow(params['timestamp'], params['recvWindow'], now());
      const signature = ctx.signature;
      if (signature === undefined || signature === '') throw Errors.mandatoryParamMissing('signature');
      if (!signatureMatches(account.secret, ctx.signedPayload ?? '', signature)) throw Errors.invalidSignature();
      const rest: Record<string, string> = {};
      let read = 1; // signature
      for (const k in params) {
        if (k === 'timestamp' || k === 'recvWindow') read++;
        else rest[k] = params[k] as string;
      }
      ctx.params = rest;
      ctx.readByAuth = read;
    }
    return next();
  };
}
