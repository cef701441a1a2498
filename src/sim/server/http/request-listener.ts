/**
 * The node:http request listener: reads the body, runs the pipeline, writes
 * the JSON reply and records the server-side handling time.
 *
 * Handling time = `process.hrtime.bigint()` from the end of the request body
 * to the moment the reply was handed to the socket (`res.end`).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Errors } from '../../venue/errors.ts';
import type { TimingRing } from '../timings.ts';
import type { Reply, RestContext } from './context.ts';
import { errorReply, type Pipeline } from './pipeline.ts';

/** Bodies larger than this are refused with -1101 (Binance bodies are a few hundred bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The `request` listener of the HTTP server: body → pipeline → JSON reply, timed into `timings`. Never throws. */
export function createRequestListener(pipeline: Pipeline, timings: TimingRing, logger: Logger): RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', (err) => logger.debug({ err }, 'request stream error'));
    req.on('end', () => {
      const start = process.hrtime.bigint();
      const ctx = makeContext(req, tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), start);
      let out: Reply | Promise<Reply>;
      try {
        out = tooLarge ? errorReply(Errors.tooManyParameters(), logger) : pipeline(ctx);
      } catch (err) {
        out = errorReply(err, logger, ctx);
      }
      if (out instanceof Promise) {
        out.then(
          (reply) => finish(res, reply, start, timings, logger),
          (err: unknown) => finish(res, errorReply(err, logger, ctx), start, timings, logger),
        );
      } else {
        finish(res, out, start, timings, logger);
      }
    });
  };
}

function makeContext(req: IncomingMessage, rawBody: string, receivedAtNs: bigint): RestContext {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    request: {
      method: (req.method ?? 'GET').toUpperCase(),
      path: q < 0 ? url : url.slice(0, q),
      rawQuery: q < 0 ? '' : url.slice(q + 1),
      rawBody,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
      receivedAtNs,
    },
    state: new Map(),
  };
}

function finish(res: ServerResponse, reply: Reply, start: bigint, timings: TimingRing, logger: Logger): void {
  if (reply.transport === 'reset') {
    res.socket?.destroy();
    return;
  }
  if (reply.transport === 'hang') return;
  let payload: string;
  try {
    payload = reply.rawBody ?? JSON.stringify(reply.body) ?? 'null';
  } catch (err) {
    const fallback = errorReply(err, logger);
    reply = fallback;
    payload = JSON.stringify(fallback.body);
  }
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(payload) };
  if (reply.headers !== undefined) Object.assign(headers, reply.headers);
  res.writeHead(reply.status, headers);
  res.end(payload);
  timings.record(start, process.hrtime.bigint());
}
