/**
 * Builds and encodes the daemon's lines (replies, events, notices) of the socket protocol.
 */
import type { z } from 'zod';
import type { EngineEvent } from '../engine/api.ts';
import type { ErrorBody, ErrorCode, ErrorReply, Issue, OkReply, RequestId } from './protocol.ts';

/** An issue as callers may hold it (the engine's are readonly). */
export interface IssueLike {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** A successful reply. */
export function okReply(id: RequestId, result: unknown): OkReply {
  return { id, ok: true, result };
}

/** A failed reply; `id` null when the request's id could not be read. */
export function errorReply(id: RequestId | null, code: ErrorCode, message: string, issues: ReadonlyArray<IssueLike> = []): ErrorReply {
  return { id, ok: false, error: errorBody(code, message, issues) };
}

/** An error body (`issues` copied so the wire object owns them). */
export function errorBody(code: ErrorCode, message: string, issues: ReadonlyArray<IssueLike> = []): ErrorBody {
  return { code, message, issues: issues.map((i) => ({ path: [...i.path], message: i.message })) };
}

/**
 * zod issues as wire issues. Paths keep strings and numbers; an unrecognized-keys issue becomes
 * one issue per key, pointing at the key (`["signal", "qty"]`: "unknown field").
 */
export function wireIssues(issues: ReadonlyArray<z.core.$ZodIssue>): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: 'unknown field' });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/**
 * One reply as a line (with its newline). A result that cannot be serialised (a cycle, a
 * bigint) becomes an `internal` error reply for the same id.
 */
export function encodeReply(reply: OkReply | ErrorReply): string {
  try {
    return `${JSON.stringify(reply)}\n`;
  } catch {
    return `${JSON.stringify(errorReply(reply.id, 'internal', 'the result could not be serialised'))}\n`;
  }
}

/** One event line `{"event": …}` with its newline, or `undefined` when it cannot be serialised. */
export function encodeEvent(event: EngineEvent): string | undefined {
  try {
    return `${JSON.stringify({ event })}\n`;
  } catch {
    return undefined;
  }
}

/** One notice line `{"error": …}` with its newline. */
export function encodeNotice(code: ErrorCode, message: string): string {
  return `${JSON.stringify({ error: errorBody(code, message) })}\n`;
}
