/**
 * The USDⓈ-M user data stream by listen key (Binance "USDⓈ-M Futures › User Data
 * Streams"): a client connects to `<ws base>/private/ws?listenKey=K` (also
 * `/private/ws/K`) and receives, raw (no wrapper, no subscribe message), every
 * `ORDER_TRADE_UPDATE`, `ALGO_UPDATE` and `ACCOUNT_UPDATE` of the key's account,
 * each serialised once for all its sockets.
 *
 * When the key expires (no keep-alive within its validity) every socket on it
 * receives `{"e":"listenKeyExpired","E":…,"listenKey":K}` and is then closed;
 * `DELETE /fapi/v1/listenKey` closes them without the event. A connection with an
 * unknown or expired key is closed at once (close code 1008, reason = Binance's
 * -1125 message).
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { Errors } from '../../venue/errors.ts';
import type { UserEvent, UsdmVenueApi } from '../../venue/usdm/types.ts';
import { safeSend } from '../ws/send.ts';
import type { ListenKeyEnd, ListenKeys } from './listen-keys.ts';

interface Connection {
  readonly ws: WebSocket;
  readonly key: string;
  readonly accountId: string;
}

export interface UsdmUserStreamsOptions {
  readonly listenKeys: ListenKeys;
  readonly logger: Logger;
  /** Replay clock, ms (`E` of `listenKeyExpired`, as of every other event). */
  readonly eventClock: () => number;
  /** When given and false for an event, that event reaches no socket (fault injection: a silent stream). */
  readonly deliver?: (event: UserEvent) => boolean;
}

/** Listen-key websocket connections by account, fed by the venue's user events. */
export class UsdmUserStreams {
  private readonly byAccount = new Map<string, Set<Connection>>();

  constructor(private readonly opts: UsdmUserStreamsOptions) {}

  /** Starts listening to the venue and to key ends; returns the detach function. */
  attach(venue: Pick<UsdmVenueApi, 'onUserEvent'>): () => void {
    const offEvents = venue.onUserEvent(
      (event) => this.onEvent(event),
      (accountId) => this.byAccount.has(accountId),
    );
    const offKeys = this.opts.listenKeys.onEnd((key, accountId, why) => this.onKeyEnd(key, accountId, why));
    return () => {
      offEvents();
      offKeys();
    };
  }

  /** Takes over an accepted `/private/ws` connection. */
  accept(ws: WebSocket, url: URL): void {
    const fromPath = url.pathname.startsWith('/private/ws/') ? url.pathname.slice('/private/ws/'.length) : '';
    const key = url.searchParams.get('listenKey') ?? fromPath;
    const accountId = key === '' ? undefined : this.opts.listenKeys.accountOf(key);
    if (accountId === undefined) {
      ws.close(1008, Errors.invalidListenKey().message);
      return;
    }
    const conn: Connection = { ws, key, accountId };
    let set = this.byAccount.get(accountId);
    if (!set) this.byAccount.set(accountId, (set = new Set()));
    set.add(conn);
    ws.on('close', () => this.remove(conn));
  }

  /** Open listen-key connections (all accounts). */
  connectionCount(): number {
    let n = 0;
    for (const s of this.byAccount.values()) n += s.size;
    return n;
  }

  private remove(conn: Connection): void {
    const set = this.byAccount.get(conn.accountId);
    if (!set) return;
    set.delete(conn);
    if (set.size === 0) this.byAccount.delete(conn.accountId);
  }

  private onEvent(event: UserEvent): void {
    const set = this.byAccount.get(event.accountId);
    if (!set || set.size === 0) return;
    if (this.opts.deliver && !this.opts.deliver(event)) return;
    try {
      const frame = JSON.stringify(event.payload);
      for (const c of set) safeSend(c.ws, frame);
    } catch (err) {
      this.opts.logger.error({ err, accountId: event.accountId }, 'futures user event fan-out failed');
    }
  }

  private onKeyEnd(key: string, accountId: string, why: ListenKeyEnd): void {
    const set = this.byAccount.get(accountId);
    if (!set) return;
    for (const c of [...set]) {
      if (c.key !== key) continue;
      if (why === 'expired') safeSend(c.ws, JSON.stringify({ e: 'listenKeyExpired', E: this.opts.eventClock(), listenKey: key }));
      this.remove(c);
      c.ws.close(1000, why === 'expired' ? 'listenKeyExpired' : 'listenKey closed');
    }
  }
}
