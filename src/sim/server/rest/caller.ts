/** The signed caller of a route, as the auth stage left it on the context (spot and USDⓈ-M routes alike). */
import { Errors } from '../../venue/errors.ts';
import type { AccountCredentials } from '../../venue/types.ts';
import type { RestContext } from '../http/context.ts';

/**
 * The account the auth stage resolved from the API key.
 * @throws VenueError -1002 (unauthorized) when there is none.
 */
export function callerAccount(ctx: RestContext): AccountCredentials {
  if (ctx.account === undefined) throw Errors.unauthorized();
  return ctx.account;
}
