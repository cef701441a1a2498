/**
 * Turns one request line into a typed request or the error reply it deserves.
 */
import type { Logger } from 'pino';
import { OPS, REQUEST_SCHEMAS, RequestId, isOp, type ErrorReply, type Request } from './protocol.ts';
import { errorReply, wireIssues } from './replies.ts';

/** A parsed line: the request, or the error reply to send instead. */
export type ParsedLine = { readonly ok: true; readonly request: Request } | { readonly ok: false; readonly reply: ErrorReply };

/**
 * Parses one line, in this order:
 * 1. not JSON → `bad_json` (id null);
 * 2. not an object, or `id` missing / not a string of 1–128 chars / not a number → `bad_request` (id null);
 * 3. `op` missing or not a string → `bad_request` (issue at `["op"]`);
 * 4. `op` not an op → `unknown_op`;
 * 5. the op's schema fails → `bad_request` with its issues (paths into the request object).
 */
export function parseRequestLine(text: string, logger?: Logger): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return fail(errorReply(null, 'bad_json', 'the line is not valid JSON'));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(errorReply(null, 'bad_request', 'a request is a JSON object {"id", "op", …}'));
  }
  const fields = value as Record<string, unknown>;
  const id = RequestId.safeParse(fields['id']);
  if (!id.success) {
    const message = 'id' in fields ? 'id must be a string of 1–128 characters or a number' : 'id is required';
    return fail(errorReply(null, 'bad_request', message, [{ path: ['id'], message }]));
  }
  const op = fields['op'];
  if (typeof op !== 'string') {
    const message = `op is required: one of ${OPS.join(', ')}`;
    return fail(errorReply(id.data, 'bad_request', message, [{ path: ['op'], message }]));
  }
  if (!isOp(op)) {
    return fail(errorReply(id.data, 'unknown_op', `unknown op "${op.slice(0, 64)}": expected one of ${OPS.join(', ')}`, [{ path: ['op'], message: 'unknown op' }]));
  }
  let parsed: ReturnType<(typeof REQUEST_SCHEMAS)[typeof op]['safeParse']>;
  try {
    parsed = REQUEST_SCHEMAS[op].safeParse(value);
  } catch (err) {
    // A schema that throws instead of reporting an issue: the request is still invalid.
    logger?.error({ err, op }, 'request validation threw');
    return fail(errorReply(id.data, 'bad_request', `invalid ${op} request (a field could not be validated)`));
  }
  if (!parsed.success) {
    const issues = wireIssues(parsed.error.issues);
    const first = issues[0];
    const summary = first ? `${first.path.length > 0 ? first.path.join('.') : '(request)'}: ${first.message}` : 'invalid request';
    return fail(errorReply(id.data, 'bad_request', `invalid ${op} request: ${summary}`, issues));
  }
  return { ok: true, request: parsed.data };
}

function fail(reply: ErrorReply): ParsedLine {
  return { ok: false, reply };
}
