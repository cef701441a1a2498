/** Parses a route's own parameters from the pipeline context. */
import type { z } from 'zod';
import type { RestContext } from '../http/context.ts';
import { parseParams } from '../params/parse.ts';

/** `parseParams` over the context's bag, counting what the auth stage already read. */
export function parseFor<S extends z.ZodType>(ctx: RestContext, schema: S): z.output<S> {
  return parseParams(schema, ctx.params ?? {}, ctx.readByAuth ?? 0);
}
