/**
 * Executes one parsed request against the engine and builds its reply. Engine errors become
 * error replies with the engine's code; anything else becomes `internal` (and is logged).
 */
import type { Logger } from 'pino';
import { EngineError, type EngineApi } from '../engine/api.ts';
import type { ErrorReply, OkReply, Request, ResultOf } from './protocol.ts';
import { errorReply, okReply } from './replies.ts';

/** What a connection offers the executor: its event subscription. */
export interface Session {
  /** Starts streaming events to the connection (no-op when already subscribed). */
  subscribe(): void;
  /** Stops streaming events; nothing is sent after it returns. */
  unsubscribe(): void;
}

/** A reply, and what to do right after it is written (start streaming events after `subscribe`'s reply). */
export interface Outcome {
  readonly reply: OkReply | ErrorReply;
  readonly afterReply?: () => void;
}

/** Runs `request`; never throws. */
export async function execute(request: Request, engine: EngineApi, session: Session, logger: Logger): Promise<Outcome> {
  try {
    return await run(request, engine, session);
  } catch (err) {
    if (err instanceof EngineError) {
      logger.info({ op: request.op, id: request.id, code: err.code, msg: err.message }, 'request failed');
      return { reply: errorReply(request.id, err.code, err.message, err.issues) };
    }
    logger.error({ op: request.op, id: request.id, err }, 'request failed with an unexpected error');
    return { reply: errorReply(request.id, 'internal', 'internal error (see the daemon log)') };
  }
}

async function run(request: Request, engine: EngineApi, session: Session): Promise<Outcome> {
  switch (request.op) {
    case 'signal':
      return ok(request.id, await engine.signal(request.signal));
    case 'cancel':
      return ok(request.id, await engine.cancel(request.clientOrderId));
    case 'order':
      return ok(request.id, await engine.order(request.clientOrderId));
    case 'orders': {
      const { id: _id, op: _op, ...query } = request;
      return ok(request.id, await engine.orders(query));
    }
    case 'status':
      return ok(request.id, engine.status());
    case 'inspect':
      return ok(request.id, await engine.setInspector(request.enabled));
    case 'subscribe': {
      const result: ResultOf<'subscribe'> = { subscribed: true };
      return { reply: okReply(request.id, result), afterReply: () => session.subscribe() };
    }
    case 'unsubscribe': {
      session.unsubscribe();
      const result: ResultOf<'unsubscribe'> = { subscribed: false };
      return ok(request.id, result);
    }
    case 'ping': {
      const result: ResultOf<'ping'> = { pong: true };
      return ok(request.id, result);
    }
  }
}

function ok(id: OkReply['id'], result: unknown): Outcome {
  return { reply: okReply(id, result) };
}
