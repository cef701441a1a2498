/** Test helpers for the socket ingress: temp socket paths, a server on the fake engine, a raw line probe. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { firstValueFrom, filter, type Observable } from 'rxjs';
import { startSocketServer, type SocketServer, type SocketServerOptions } from '../../src/ingress/server.ts';
import { FakeEngine } from './fake-engine.ts';

/** A temp folder (short path: Unix socket paths are limited to ~107 bytes) and its cleanup. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ingress-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A pino logger that keeps its records in memory. */
export function memoryLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

export interface Harness {
  readonly server: SocketServer;
  readonly engine: FakeEngine;
  readonly records: Array<Record<string, unknown>>;
  readonly dir: string;
  stop(): Promise<void>;
}

/** A socket server on a fresh FakeEngine in a fresh temp folder. */
export async function startHarness(opts: Partial<Omit<SocketServerOptions, 'engine' | 'logger'>> = {}): Promise<Harness> {
  const { dir, cleanup } = tempDir();
  const engine = new FakeEngine();
  const { logger, records } = memoryLogger();
  const server = await startSocketServer({ path: join(dir, 'engine.sock'), engine, logger, ...opts });
  return {
    server,
    engine,
    records,
    dir,
    stop: async () => {
      await server.close();
      cleanup();
    },
  };
}

/** Rejects after `ms` unless `p` settles first. */
export function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The first value of `source` that satisfies `pred`, within `ms`. */
export function waitFor<T>(source: Observable<T>, pred: (v: T) => boolean, what: string, ms = 5000): Promise<T> {
  return deadline(firstValueFrom(source.pipe(filter(pred))), ms, what);
}

/** A raw client: writes bytes, reads JSON lines (parsed), waits on them with deadlines. */
export class LineProbe {
  private readonly lines: unknown[] = [];
  private waiter: (() => void) | undefined;
  private buffer = '';
  private ended = false;
  /** Settles when the socket has closed. */
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl = this.buffer.indexOf('\n');
      while (nl !== -1) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)) as unknown);
        this.buffer = this.buffer.slice(nl + 1);
        nl = this.buffer.indexOf('\n');
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(path: string): Promise<LineProbe> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new LineProbe(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes raw text (no newline added). */
  send(raw: string): void {
    this.socket.write(raw);
  }

  /** Writes one request line. */
  request(req: Record<string, unknown>): void {
    this.socket.write(`${JSON.stringify(req)}\n`);
  }

  /** The next line, parsed; rejects at the deadline or when the socket closed first. */
  async next(ms = 5000): Promise<Record<string, unknown>> {
    const [line] = await this.take(1, ms);
    return line as Record<string, unknown>;
  }

  /** The next `n` lines, parsed. */
  async take(n: number, ms = 5000): Promise<unknown[]> {
    await deadline(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (this.lines.length >= n) resolve();
          else if (this.ended) reject(new Error(`socket closed after ${this.lines.length} of ${n} lines`));
          else this.waiter = check;
        };
        check();
      }),
      ms,
      `${n} line(s)`,
    );
    return this.lines.splice(0, n);
  }

  /** Lines received and not yet taken. */
  get pending(): number {
    return this.lines.length;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
