/**
 * One market-stream connection (`/ws…` raw, `/stream…` combined), Binance
 * WebSocket Streams docs "Live Subscribing/Unsubscribing to streams".
 *
 * Requests `{"method": "SUBSCRIBE"|"UNSUBSCRIBE"|"LIST_SUBSCRIPTIONS"|"SET_PROPERTY"|"GET_PROPERTY", "params": […], "id": …}`
 * are answered `{"result": null|[…]|bool, "id": …}`. Malformed requests get an error
 * frame `{"error": {"code", "msg"}, "id"}` and the connection stays open:
 * code 0 unknown property, 1 invalid value type, 2 invalid request, 3 invalid JSON.
 * `id` may be a 64-bit signed integer, an alphanumeric string of at most 36 chars, or null.
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { safeSend } from './send.ts';
import type { Frame, StreamHub, StreamSubscriber } from './stream-hub.ts';
import { type ParsedStream, parseStreamName } from './stream-names.ts';

/** A connection listens to at most this many streams (Binance: 1024). */
export const MAX_STREAMS_PER_CONNECTION = 1024;

const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'] as const;
type Method = (typeof METHODS)[number];
type RequestId = number | string | null;

class RequestError extends Error {
  constructor(
    readonly code: 0 | 1 | 2 | 3,
    msg: string,
    readonly id: RequestId,
  ) {
    super(msg);
  }
}

/** Request handling and delivery for one stream connection; unsubscribes everything when the socket closes. */
export class StreamSession implements StreamSubscriber {
  private readonly streams = new Map<string, ParsedStream>();
  private combined: boolean;
  private readonly parse: (raw: string) => ParsedStream | undefined;

  /** `opts.parse` resolves stream names (default: the spot names of ./stream-names.ts; USD-M passes its own). */
  constructor(
    private readonly ws: WebSocket,
    private readonly hub: StreamHub,
    private readonly logger: Logger,
    opts: { readonly combined: boolean; readonly initial: readonly ParsedStream[]; readonly parse?: (raw: string) => ParsedStream | undefined },
  ) {
    this.combined = opts.combined;
    this.parse = opts.parse ?? parseStreamName;
    for (const s of opts.initial) this.add(s);
    ws.on('message', (data, isBinary) => this.onMessage(isBinary ? null : String(data)));
    ws.on('close', () => this.dispose());
  }

  deliver(frame: Frame): void {
    safeSend(this.ws, this.combined ? frame.combined() : frame.raw);
  }

  private add(s: ParsedStream): void {
    if (this.streams.has(s.name)) return;
    this.streams.set(s.name, s);
    this.hub.subscribe(this, s);
  }

  private remove(name: string): void {
    const s = this.streams.get(name);
    if (!s) return;
    this.streams.delete(name);
    this.hub.unsubscribe(this, s);
  }

  private dispose(): void {
    for (const name of [...this.streams.keys()]) this.remove(name);
  }

  private onMessage(text: string | null): void {
    try {
      const reply = this.handle(text);
      safeSend(this.ws, JSON.stringify(reply));
    } catch (err) {
      if (err instanceof RequestError) {
        safeSend(this.ws, JSON.stringify({ error: { code: err.code, msg: err.message }, id: err.id }));
      } else {
        this.logger.error({ err }, 'stream request failed');
        safeSend(this.ws, JSON.stringify({ error: { code: 2, msg: 'Invalid request: internal error' }, id: null }));
      }
    }
  }

  private handle(text: string | null): { result: unknown; id: RequestId } {
    if (text === null) throw new RequestError(3, 'Invalid JSON: binary frames are not supported', null);
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (err) {
      throw new RequestError(3, `Invalid JSON: ${err instanceof Error ? err.message : 'expected value'}`, null);
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new RequestError(2, 'Invalid request: expected a JSON object', null);
    const req = msg as Record<string, unknown>;
    const id = requestId(req['id']);
    if (id === undefined) throw new RequestError(2, 'Invalid request: request ID must be an unsigned integer', null);
    const method = req['method'];
    if (method === undefined) throw new RequestError(2, 'Invalid request: missing field `method`', id);
    if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
      throw new RequestError(2, `Invalid request: unknown variant ${JSON.stringify(method)}, expected one of ${METHODS.map((m) => `\`${m}\``).join(', ')}`, id);
    }
    for (const key of Object.keys(req)) {
      if (key !== 'id' && key !== 'method' && key !== 'params') throw new RequestError(2, 'Invalid request: too many parameters', id);
    }
    return { result: this.run(method as Method, req['params'], id), id };
  }

  private run(method: Method, params: unknown, id: RequestId): unknown {
    switch (method) {
      case 'SUBSCRIBE': {
        const streams = this.streamParams(params, id);
        if (this.streams.size + streams.filter((s) => !this.streams.has(s.name)).length > MAX_STREAMS_PER_CONNECTION) {
          throw new RequestError(2, `Invalid request: a connection can listen to at most ${MAX_STREAMS_PER_CONNECTION} streams`, id);
        }
        for (const s of streams) this.add(s);
        return null;
      }
      case 'UNSUBSCRIBE':
        for (const s of this.streamParams(params, id)) this.remove(s.name);
        return null;
      case 'LIST_SUBSCRIPTIONS':
        if (params !== undefined && !(Array.isArray(params) && params.length === 0)) throw new RequestError(2, 'Invalid request: too many parameters', id);
        return [...this.streams.keys()];
      case 'SET_PROPERTY': {
        const [name, value, ...rest] = this.propertyParams(params, id);
        if (rest.length > 0) throw new RequestError(2, 'Invalid request: too many parameters', id);
        if (name !== 'combined') throw new RequestError(0, 'Unknown property', id);
        if (typeof value !== 'boolean') throw new RequestError(1, 'Invalid value type: expected Boolean', id);
        this.combined = value;
        return null;
      }
      case 'GET_PROPERTY': {
        const [name, ...rest] = this.propertyParams(params, id);
        if (rest.length > 0) throw new RequestError(2, 'Invalid request: too many parameters', id);
        if (name !== 'combined') throw new RequestError(0, 'Unknown property', id);
        return this.combined;
      }
    }
  }

  private streamParams(params: unknown, id: RequestId): ParsedStream[] {
    if (!Array.isArray(params) || params.length === 0) throw new RequestError(2, 'Invalid request: params must be a non-empty array of stream names', id);
    return params.map((p) => {
      const parsed = typeof p === 'string' ? this.parse(p) : undefined;
      if (!parsed) throw new RequestError(2, `Invalid request: invalid stream ${JSON.stringify(p)}`, id);
      return parsed;
    });
  }

  private propertyParams(params: unknown, id: RequestId): unknown[] {
    if (!Array.isArray(params) || typeof params[0] !== 'string') throw new RequestError(2, 'Invalid request: property name must be a string', id);
    return params;
  }
}

/** A valid request id, or undefined. */
function requestId(v: unknown): RequestId | undefined {
  if (v === null) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string') return /^[A-Za-z0-9-]{1,36}$/.test(v) ? v : undefined;
  return undefined;
}
