/**
 * Fan-out of replayed market events to stream subscribers.
 *
 * Listens to `replay.on` (synchronous, replay order). For each event of a
 * symbol, every stream of that symbol with at least one subscriber runs its
 * producer (./stream-producers.ts); each payload is serialised ONCE, and the
 * combined wrapper `{"stream":…,"data":…}` is built once by string
 * concatenation, whatever the number of subscribers. A throwing producer is
 * logged and never reaches the replay.
 */
import type { Logger } from 'pino';
import type { Market, MarketEvent, Replay } from '../../market/types.ts';
import type { Producer } from './producer.ts';
import { createProducer } from './stream-producers.ts';
import type { ParsedStream } from './stream-names.ts';

/** One serialised payload of a stream, in both wire forms. */
export interface Frame {
  readonly stream: string;
  /** The raw payload JSON (`/ws` connections). */
  readonly raw: string;
  /** `{"stream":"<name>","data":<raw>}` (`/stream` connections). */
  combined(): string;
}

/** A connection receiving frames. */
export interface StreamSubscriber {
  deliver(frame: Frame): void;
}

interface Channel {
  readonly stream: ParsedStream;
  readonly producer: Producer;
  readonly subscribers: Set<StreamSubscriber>;
}

/** Subscriptions by symbol and stream name, fed by the replay. */
export class StreamHub {
  /** symbol (upper case) → stream name → channel. */
  private readonly bySymbol = new Map<string, Map<string, Channel>>();

  /**
   * @param producerFor builds a stream's producer; default: the spot payloads of ./stream-producers.ts
   *   (the USD-M hub passes its own, see ../usdm/usdm-stream-producers.ts).
   */
  constructor(
    private readonly replay: Replay,
    private readonly market: Market,
    private readonly logger: Logger,
    private readonly producerFor: (stream: ParsedStream) => Producer = (stream) => createProducer(stream, replay, market),
  ) {}

  /** Starts listening to the replay; returns the detach function. */
  attach(): () => void {
    return this.replay.on((event) => this.onEvent(event));
  }

  /** Adds `sub` to `stream` (idempotent). */
  subscribe(sub: StreamSubscriber, stream: ParsedStream): void {
    let streams = this.bySymbol.get(stream.symbol);
    if (!streams) {
      streams = new Map();
      this.bySymbol.set(stream.symbol, streams);
    }
    let channel = streams.get(stream.name);
    if (!channel) {
      channel = { stream, producer: this.producerFor(stream), subscribers: new Set() };
      streams.set(stream.name, channel);
    }
    channel.subscribers.add(sub);
  }

  /** Removes `sub` from `stream`; the stream's state is dropped with its last subscriber. */
  unsubscribe(sub: StreamSubscriber, stream: ParsedStream): void {
    const streams = this.bySymbol.get(stream.symbol);
    const channel = streams?.get(stream.name);
    if (!streams || !channel) return;
    channel.subscribers.delete(sub);
    if (channel.subscribers.size === 0) streams.delete(stream.name);
    if (streams.size === 0) this.bySymbol.delete(stream.symbol);
  }

  /** Number of streams with at least one subscriber. */
  activeStreams(): number {
    let n = 0;
    for (const s of this.bySymbol.values()) n += s.size;
    return n;
  }

  private onEvent(event: MarketEvent): void {
    if (event.market !== this.market) return;
    const streams = this.bySymbol.get(event.symbol);
    if (!streams) return;
    for (const channel of streams.values()) {
      try {
        const payloads = channel.producer(event);
        for (const payload of payloads) this.fanOut(channel, payload);
      } catch (err) {
        this.logger.error({ err, stream: channel.stream.name }, 'stream producer failed');
      }
    }
  }

  private fanOut(channel: Channel, payload: unknown): void {
    const raw = JSON.stringify(payload);
    const name = channel.stream.name;
    let combined: string | undefined;
    const frame: Frame = {
      stream: name,
      raw,
      combined: () => (combined ??= `{"stream":${JSON.stringify(name)},"data":${raw}}`),
    };
    for (const sub of channel.subscribers) sub.deliver(frame);
  }
}
