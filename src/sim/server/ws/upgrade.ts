/**
 * Websocket routing on the HTTP server's `upgrade` event: a table of
 * path matchers, each accepting its connections (streams, WebSocket API; a
 * later issue adds the USD-M `/public/ws`, `/market/ws`, `/private/ws?listenKey=`).
 * An unknown path is refused with a 404 before the handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import { Errors } from '../../venue/errors.ts';

/** One row of the websocket route table. */
export interface WsRoute {
  /** For logs. */
  readonly name: string;
  /** True when this route serves `pathname`. */
  match(pathname: string): boolean;
  /** Takes over an accepted connection. */
  accept(ws: WebSocket, url: URL, req: IncomingMessage): void;
}

/** Builds the `upgrade` listener. `onConnection` sees every accepted socket first (keep-alive tracking), with its upgrade request. */
export function createUpgradeHandler(
  wss: WebSocketServer,
  routes: readonly WsRoute[],
  onConnection: (ws: WebSocket, req: IncomingMessage) => void,
  logger: Logger,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      refuse(socket, 400, { code: -1000, msg: 'Malformed request URL.' });
      return;
    }
    const route = routes.find((r) => r.match(url.pathname));
    if (!route) {
      refuse(socket, 404, Errors.unknownRoute().toJSON());
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (err) => logger.debug({ err, route: route.name }, 'websocket error'));
      onConnection(ws, req);
      try {
        route.accept(ws, url, req);
      } catch (err) {
        logger.error({ err, route: route.name }, 'websocket route failed to accept a connection');
        ws.terminate();
      }
    });
  };
}

function refuse(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const reason = status === 404 ? 'Not Found' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
