/**
 * Runs an endpoint's zod schema over the parameter bag and converts the first
 * failure into the Binance error it stands for:
 * - a field's own rejection (see ./fields.ts) → that error, with the parameter name;
 * - a mandatory parameter not sent → -1102;
 * - parameters the endpoint does not read → -1104 "Not all sent parameters were read".
 */
import type { z } from 'zod';
import { Errors, type VenueError } from '../../venue/errors.ts';
import type { ParamBag } from '../http/context.ts';
import { Rejection } from './fields.ts';

/**
 * Parses `bag` with `schema` (a `z.strictObject` of fields from ./fields.ts).
 * @param alreadyRead parameters consumed before this parse (e.g. `timestamp`), counted in -1104's message.
 * @throws VenueError on the first invalid parameter.
 */
export function parseParams<S extends z.ZodType>(schema: S, bag: ParamBag, alreadyRead = 0): z.output<S> {
  const result = schema.safeParse(bag);
  if (result.success) return result.data;
  throw toVenueError(result.error.issues, Object.keys(bag).length + alreadyRead);
}

function toVenueError(issues: readonly z.core.$ZodIssue[], sent: number): VenueError {
  const first = issues.find((i) => i.code !== 'unrecognized_keys') ?? issues[0];
  if (first === undefined) return Errors.unknown();
  const param = first.path.length > 0 ? String(first.path[0]) : '';
  if (first.code === 'custom') {
    const rejection: unknown = first.params?.['rejection'];
    if (rejection instanceof Rejection) return rejection.errorFor(param);
    return Errors.invalidParameter(param);
  }
  if (first.code === 'invalid_type') return Errors.mandatoryParamMissing(param);
  if (first.code === 'unrecognized_keys') return Errors.unreadParameters(sent - first.keys.length, sent);
  return Errors.invalidParameter(param);
}
