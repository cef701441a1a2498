/**
 * The open websockets with their URL paths, so that a `dropWebsockets` fault
 * can terminate them (no close frame: the client sees an abnormal closure,
 * code 1006, as when a connection is cut). Fed by the server's
 * `wsHooks.onConnection`; a socket leaves when it closes.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';

/** Open websockets by path. */
export class WsConnections {
  private readonly open = new Map<WebSocket, string>();

  /** Registers an accepted socket; returns its path (e.g. `/ws-api/v3`, `/stream`). */
  track(ws: WebSocket, req: IncomingMessage): string {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    this.open.set(ws, path);
    ws.once('close', () => this.open.delete(ws));
    return path;
  }

  /** Terminates every open socket whose path starts with `pathPrefix` (all without it); returns how many. */
  drop(pathPrefix?: string): number {
    let n = 0;
    for (const [ws, path] of this.open) {
      if (pathPrefix !== undefined && !path.startsWith(pathPrefix)) continue;
      this.open.delete(ws);
      ws.terminate();
      n++;
    }
    return n;
  }

  /** Number of open sockets. */
  size(): number {
    return this.open.size;
  }
}
