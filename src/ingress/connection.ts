/**
 * One client connection of the socket server: reads request lines with a bounded buffer,
 * executes them one at a time in arrival order, writes one reply per line, streams engine
 * events while subscribed, and applies backpressure both ways.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import type { EngineApi, EngineEvent } from '../engine/api.ts';
import { execute, type Outcome, type Session } from './execute.ts';
import { LineSplitter, type LineItem } from './line-splitter.ts';
import { parseRequestLine } from './parse.ts';
import { encodeEvent, encodeNotice, encodeReply, errorReply } from './replies.ts';

/** Per-connection bounds. */
export interface ConnectionLimits {
  /** Longest request line, bytes (newline excluded). */
  readonly maxLineBytes: number;
  /** Request lines accepted and not yet answered; reading pauses at this count. */
  readonly maxInFlight: number;
  /** A subscriber whose unsent output exceeds this many bytes is disconnected (`slow_consumer`). */
  readonly maxSubscriberBufferBytes: number;
  /** After asking a connection to end, destroy it when it is still open after this many ms. */
  readonly closeGraceMs: number;
}

/** High-water marks observed across connections (for operators and tests). */
export interface PeakStats {
  /** Most request lines one connection held accepted and unanswered at once. */
  peakInFlight: number;
  /** Most bytes of input one connection's line splitter held at once. */
  peakBufferedBytes: number;
}

const CLIENT_GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Drives one socket. Guarantees:
 * - exactly one reply per complete request line, in arrival order (when the client still reads);
 * - every complete line received is executed, even when the client has gone away meanwhile
 *   (an unfinished last line is dropped, and logged);
 * - at most `maxInFlight` lines accepted and unanswered; reading pauses then, and while the
 *   socket's write buffer is above its high-water mark;
 * - event lines only after `subscribe`'s reply and never after `unsubscribe`'s.
 */
export class Connection implements Session {
  /** Settles once the socket has closed. */
  readonly closed: Promise<void>;
  private readonly splitter: LineSplitter;
  private readonly queue: LineItem[] = [];
  private readonly lowWater: number;
  private pumping = false;
  private readEnded = false;
  private stopping = false;
  private unfinishedLogged = false;
  private subscription: Subscription | null = null;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly engine: EngineApi,
    private readonly logger: Logger,
    private readonly limits: ConnectionLimits,
    private readonly peaks: PeakStats,
  ) {
    this.splitter = new LineSplitter(limits.maxLineBytes);
    this.lowWater = Math.max(0, Math.floor(limits.maxInFlight / 2));
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.onClose();
        resolve();
      });
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => void this.pump());
    socket.on('error', (err: NodeJS.ErrnoException) => this.onError(err));
  }

  /** Session: start streaming events (idempotent). */
  subscribe(): void {
    if (this.subscription || this.stopping || !this.socket.writable) return;
    try {
      const sub = this.engine.events().subscribe({
        next: (event) => this.onEvent(event),
        error: (err: unknown) => {
          this.logger.error({ err }, 'engine event stream failed');
          this.subscription = null;
          this.write(encodeNotice('internal', 'the engine event stream failed; subscribe again'));
          this.maybeFinish();
        },
        complete: () => {
          this.subscription = null;
          this.write(encodeNotice('shutting_down', 'the engine event stream ended'));
          this.maybeFinish();
        },
      });
      this.subscription = sub.closed ? null : sub;
    } catch (err) {
      this.logger.error({ err }, 'could not subscribe to engine events');
      this.write(encodeNotice('internal', 'could not subscribe to engine events'));
    }
  }

  /** Session: stop streaming events (idempotent). */
  unsubscribe(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  /**
   * Server shutdown: stop reading, answer accepted-but-unstarted lines with `shutting_down`
   * (after the one running, in order), then end the socket; destroy it after the grace period.
   */
  shutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.socket.pause();
    if (this.subscription) {
      this.unsubscribe();
      this.write(encodeNotice('shutting_down', 'the daemon is stopping'));
    }
    this.armGraceTimer();
    void this.pump();
    this.maybeFinish();
  }

  private onData(chunk: Buffer): void {
    this.splitter.push(chunk);
    this.peaks.peakBufferedBytes = Math.max(this.peaks.peakBufferedBytes, this.splitter.bufferedBytes);
    this.fill();
    if (!this.splitter.drained || this.socket.writableNeedDrain) this.socket.pause();
    void this.pump();
  }

  /** Moves complete lines from the splitter into the queue, up to the in-flight bound. */
  private fill(): void {
    while (!this.stopping && this.queue.length < this.limits.maxInFlight) {
      const item = this.splitter.next();
      if (!item) break;
      this.queue.push(item);
    }
    this.peaks.peakInFlight = Math.max(this.peaks.peakInFlight, this.queue.length);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        this.fill();
        const item = this.queue[0];
        if (item === undefined) break;
        if (!this.socket.destroyed && this.socket.writable && this.socket.writableNeedDrain) break; // 'drain' resumes
        const outcome = this.stopping ? this.refuse(item) : await this.process(item);
        this.queue.shift();
        this.write(encodeReply(outcome.reply));
        outcome.afterReply?.();
        this.maybeResume();
      }
    } catch (err) {
      this.logger.error({ err }, 'connection pump failed');
      this.socket.destroy();
    } finally {
      this.pumping = false;
    }
    this.maybeResume();
    this.maybeFinish();
  }

  private async process(item: LineItem): Promise<Outcome> {
    if (item.kind === 'too_long') {
      this.logger.warn({ maxLineBytes: this.limits.maxLineBytes }, 'request line too long; discarded');
      return { reply: errorReply(null, 'line_too_long', `request line longer than ${this.limits.maxLineBytes} bytes; discarded up to the next newline`) };
    }
    const parsed = parseRequestLine(item.text, this.logger);
    if (!parsed.ok) {
      const { id, error } = parsed.reply;
      this.logger.warn({ id, code: error.code, issues: error.issues }, 'bad request line');
      return { reply: parsed.reply };
    }
    return execute(parsed.request, this.engine, this, this.logger);
  }

  /** During shutdown: the reply a not-yet-started line gets instead of being executed. */
  private refuse(item: LineItem): Outcome {
    if (item.kind === 'too_long') return { reply: errorReply(null, 'line_too_long', `request line longer than ${this.limits.maxLineBytes} bytes`) };
    const parsed = parseRequestLine(item.text, this.logger);
    if (!parsed.ok) return { reply: parsed.reply };
    return { reply: errorReply(parsed.request.id, 'shutting_down', 'the daemon is stopping; the request was not executed') };
  }

  private onEvent(event: EngineEvent): void {
    if (!this.subscription) return;
    if (!this.socket.writable) {
      this.unsubscribe();
      return;
    }
    const line = encodeEvent(event);
    if (line === undefined) {
      this.logger.error({ type: event.type, clientOrderId: event.clientOrderId }, 'engine event could not be serialised; skipped');
      return;
    }
    if (this.socket.writableLength + Buffer.byteLength(line) > this.limits.maxSubscriberBufferBytes) {
      this.disconnectSlowConsumer();
      return;
    }
    this.socket.write(line);
  }

  private disconnectSlowConsumer(): void {
    this.unsubscribe();
    this.logger.warn({ bufferedBytes: this.socket.writableLength, limit: this.limits.maxSubscriberBufferBytes }, 'subscriber too slow; disconnecting');
    this.socket.pause();
    this.readEnded = true;
    this.write(encodeNotice('slow_consumer', `more than ${this.limits.maxSubscriberBufferBytes} bytes of events unread; disconnecting`));
    this.socket.end();
    this.armGraceTimer();
  }

  private onEnd(): void {
    this.readEnded = true;
    this.maybeFinish();
  }

  private onError(err: NodeJS.ErrnoException): void {
    if (err.code !== undefined && CLIENT_GONE.has(err.code)) this.logger.debug({ code: err.code }, 'client went away');
    else this.logger.warn({ err }, 'connection error');
  }

  private onClose(): void {
    this.unsubscribe();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.noteUnfinishedLine();
    // Lines already received keep being executed by the pump; their replies are dropped.
    void this.pump();
  }

  private write(text: string): void {
    if (!this.socket.writable) return;
    if (!this.socket.write(text)) this.socket.pause();
  }

  private maybeResume(): void {
    if (this.stopping || this.readEnded || this.socket.destroyed || !this.socket.isPaused()) return;
    if (!this.splitter.drained || this.queue.length > this.lowWater || this.socket.writableNeedDrain) return;
    this.socket.resume();
  }

  /** Ends our side once the client has ended its side (or we are stopping) and everything is answered. */
  private maybeFinish(): void {
    if (this.pumping || this.queue.length > 0 || this.socket.destroyed || this.socket.writableEnded) return;
    if (this.stopping) {
      this.socket.end();
      return;
    }
    if (!this.readEnded || !this.splitter.drained) return;
    // The client has finished sending: a half-closed socket cannot be told from a closed one,
    // so a subscriber must keep its side open; we stop the events and end ours.
    this.noteUnfinishedLine();
    this.unsubscribe();
    this.socket.end();
  }

  private noteUnfinishedLine(): void {
    if (this.unfinishedLogged || this.splitter.unfinishedBytes === 0 || !this.splitter.drained) return;
    this.unfinishedLogged = true;
    this.logger.info({ bytes: this.splitter.unfinishedBytes }, 'connection ended inside a line; the unfinished line was dropped');
  }

  private armGraceTimer(): void {
    if (this.graceTimer || this.socket.destroyed) return;
    this.graceTimer = setTimeout(() => this.socket.destroy(), this.limits.closeGraceMs);
    this.graceTimer.unref();
  }
}
