/**
 * A small typed client of the daemon's socket protocol (`src/ingress/protocol.ts`), used by
 * the CLI and by tests.
 *
 * ```ts
 * const client = await connect('./data/engine.sock');
 * const placed = await client.request('signal', { signal: { instrument: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.001' } });
 * const events = client.events();          // buffer events from now on
 * await client.request('subscribe');
 * for await (const event of events) console.log(event);
 * await client.close();
 * ```
 */
import { connect as netConnect, type Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { EngineEvent } from '../engine/api.ts';
import { LineSplitter } from '../ingress/line-splitter.ts';
import {
  EventLine,
  NoticeLine,
  RESULT_SCHEMAS,
  Reply,
  type ErrorBody,
  type ErrorCode,
  type Issue,
  type Op,
  type ParamsOf,
  type RequestId,
  type ResultOf,
} from '../ingress/protocol.ts';

/** The daemon answered with an error (a reply to a request, or a notice on the event stream). */
export class IngressError extends Error {
  /** Protocol or engine error code (`bad_request`, `not_found`, …). */
  readonly code: ErrorCode;
  /** Where and what was wrong (paths into the request object). */
  readonly issues: ReadonlyArray<Issue>;
  /** The request's id; null for a notice or when the daemon could not read the id. */
  readonly requestId: RequestId | null;
  constructor(error: ErrorBody, requestId: RequestId | null) {
    super(error.message);
    this.name = 'IngressError';
    this.code = error.code;
    this.issues = error.issues;
    this.requestId = requestId;
  }
}

/**
 * Why the client itself failed:
 * - `unreachable`: connecting failed (`errno`: `ENOENT` no socket file, `ECONNREFUSED` nobody
 *   listening on it, `EACCES` not allowed, …);
 * - `closed`: the connection closed before the reply;
 * - `bad_reply`: the daemon sent something this client does not understand;
 * - `overflow`: more unread events than the client buffers (read `events()` faster).
 */
export type ClientErrorCode = 'unreachable' | 'closed' | 'bad_reply' | 'overflow';

/** A client-side failure; see {@link ClientErrorCode}. */
export class ClientError extends Error {
  readonly code: ClientErrorCode;
  /** Absolute socket path the client used. */
  readonly path: string;
  /** System error code when the OS refused (`ENOENT`, `ECONNREFUSED`, …). */
  readonly errno: string | undefined;
  constructor(code: ClientErrorCode, path: string, message: string, errno?: string) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
    this.path = path;
    this.errno = errno;
  }
}

/** Arguments after the op: optional when the op needs no field. */
export type ParamsArgs<O extends Op> = {} extends ParamsOf<O> ? [params?: ParamsOf<O>] : [params: ParamsOf<O>];

/** A connection to the daemon. */
export interface Client {
  /** Absolute socket path. */
  readonly path: string;
  /**
   * Sends one request and resolves with its validated result.
   * @throws IngressError when the daemon answers with an error; ClientError `closed` / `bad_reply`.
   */
  request<O extends Op>(op: O, ...args: ParamsArgs<O>): Promise<ResultOf<O>>;
  /**
   * Engine events received from now on (send `subscribe` to start them). Ends when the
   * connection closes; throws IngressError on a notice (`slow_consumer`, `shutting_down`, …) and
   * ClientError `overflow` when more than `maxBufferedEvents` are unread. Breaking out stops buffering.
   */
  events(): AsyncIterable<EngineEvent>;
  /** Ends the connection; pending requests fail with ClientError `closed`. */
  close(): Promise<void>;
  /** Settles when the connection has closed (either side). */
  readonly closed: Promise<void>;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Longest line accepted from the daemon (an `orders` page can be large); default 64 MiB. */
  readonly maxLineBytes?: number;
  /** Unread events buffered per `events()` iterable; default 100,000. */
  readonly maxBufferedEvents?: number;
}

/**
 * Connects to the daemon's socket.
 * @throws ClientError `unreachable` (see `errno`).
 */
export async function connect(path: string, opts: ConnectOptions = {}): Promise<Client> {
  const absolute = resolvePath(path);
  const socket = await open(absolute);
  return new SocketClient(socket, absolute, opts.maxLineBytes ?? 64 * 1024 * 1024, opts.maxBufferedEvents ?? 100_000);
}

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(path);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.destroy();
      reject(new ClientError('unreachable', path, `cannot connect to ${path}: ${err.message}`, err.code));
    };
    socket.once('error', onError);
  });
}

interface Pending {
  readonly op: Op;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

class SocketClient implements Client {
  readonly closed: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Set<EventStream>();
  private readonly splitter: LineSplitter;
  private nextId = 1;
  private isClosed = false;

  constructor(
    private readonly socket: Socket,
    readonly path: string,
    maxLineBytes: number,
    private readonly maxBufferedEvents: number,
  ) {
    this.splitter = new LineSplitter(maxLineBytes);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {}); // 'close' follows and fails what is pending
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.onClose();
        resolve();
      });
    });
  }

  request<O extends Op>(op: O, ...args: ParamsArgs<O>): Promise<ResultOf<O>> {
    if (this.isClosed || !this.socket.writable) return Promise.reject(new ClientError('closed', this.path, 'the connection is closed'));
    const id = this.nextId++;
    const line = `${JSON.stringify({ id, op, ...args[0] })}\n`;
    return new Promise<ResultOf<O>>((resolve, reject) => {
      this.pending.set(id, { op, resolve: (result) => resolve(result as ResultOf<O>), reject });
      this.socket.write(line);
    });
  }

  events(): AsyncIterable<EngineEvent> {
    const stream = new EventStream(this.maxBufferedEvents, this.path, () => this.streams.delete(stream));
    if (this.isClosed) stream.end();
    else this.streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    if (!this.socket.destroyed) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      await this.closed;
      clearTimeout(timer);
    }
  }

  private onData(chunk: Buffer): void {
    this.splitter.push(chunk);
    for (let item = this.splitter.next(); item; item = this.splitter.next()) {
      if (item.kind === 'too_long') {
        this.failAll(new ClientError('bad_reply', this.path, 'the daemon sent a line longer than the client accepts'));
        this.socket.destroy();
        return;
      }
      this.onLine(item.text);
    }
  }

  private onLine(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return; // not ours to understand; nothing can be matched to it
    }
    if (typeof value !== 'object' || value === null) return;
    if ('ok' in value) this.onReply(value);
    else if ('event' in value) {
      const line = EventLine.safeParse(value);
      if (line.success) for (const stream of this.streams) stream.push(line.data.event);
    } else if ('error' in value) {
      const notice = NoticeLine.safeParse(value);
      if (notice.success) for (const stream of [...this.streams]) stream.fail(new IngressError(notice.data.error, null));
    }
  }

  private onReply(value: object): void {
    const reply = Reply.safeParse(value);
    if (!reply.success) {
      const id = (value as { id?: unknown }).id;
      const pending = typeof id === 'number' ? this.take(id) : undefined;
      pending?.reject(new ClientError('bad_reply', this.path, 'the daemon sent a malformed reply'));
      return;
    }
    const r = reply.data;
    // Replies come in request order: a reply with id null answers the oldest pending request.
    const pending = typeof r.id === 'number' ? this.take(r.id) : r.id === null ? this.takeOldest() : undefined;
    if (!pending) return;
    if (!r.ok) {
      pending.reject(new IngressError(r.error, r.id));
      return;
    }
    const result = RESULT_SCHEMAS[pending.op].safeParse(r.result);
    if (!result.success) {
      const first = result.error.issues[0];
      const where = first ? `${first.path.join('.') || '(result)'}: ${first.message}` : '';
      pending.reject(new ClientError('bad_reply', this.path, `unexpected ${pending.op} result from the daemon ${where}`.trim()));
      return;
    }
    pending.resolve(result.data);
  }

  private take(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  private takeOldest(): Pending | undefined {
    const first = this.pending.keys().next();
    return first.done ? undefined : this.take(first.value);
  }

  private onClose(): void {
    this.isClosed = true;
    this.failAll(new ClientError('closed', this.path, 'the connection to the daemon closed before the reply'));
    for (const stream of [...this.streams]) stream.end();
  }

  private failAll(err: ClientError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}

/** One `events()` iterable: a bounded buffer with a single reader. */
class EventStream implements AsyncIterableIterator<EngineEvent> {
  private readonly items: EngineEvent[] = [];
  private waiter: { resolve(r: IteratorResult<EngineEvent>): void; reject(err: Error): void } | undefined;
  private finished = false;
  private failure: Error | undefined;

  constructor(
    private readonly max: number,
    private readonly path: string,
    private readonly detach: () => void,
  ) {}

  push(event: EngineEvent): void {
    if (this.finished) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: event, done: false });
    } else if (this.items.length >= this.max) {
      this.fail(new ClientError('overflow', this.path, `more than ${this.max} unread events`));
    } else {
      this.items.push(event);
    }
  }

  fail(err: Error): void {
    if (this.finished) return;
    this.failure = err;
    this.finish();
  }

  end(): void {
    if (!this.finished) this.finish();
  }

  next(): Promise<IteratorResult<EngineEvent>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure) {
      const err = this.failure;
      this.failure = undefined;
      return Promise.reject(err);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<EngineEvent>> {
    this.items.length = 0;
    this.failure = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<EngineEvent> {
    return this;
  }

  private finish(): void {
    this.finished = true;
    this.detach();
    const w = this.waiter;
    this.waiter = undefined;
    if (!w) return;
    if (this.failure) {
      const err = this.failure;
      this.failure = undefined;
      w.reject(err);
    } else {
      w.resolve({ value: undefined, done: true });
    }
  }
}
