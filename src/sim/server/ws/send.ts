/**
 * Sending on a websocket without ever blocking the replay: a frame is queued
 * on the socket; a client that lets more than `maxBufferedBytes` pile up
 * (it does not read) is terminated, as Binance drops slow consumers.
 */
import { WebSocket } from 'ws';

/** Default cap of unsent bytes per connection before it is dropped: 32 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** Sends `data` if the socket is open; terminates it when its send buffer exceeds `maxBufferedBytes`. Returns whether it was queued. */
export function safeSend(ws: WebSocket, data: string, maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  if (ws.bufferedAmount > maxBufferedBytes) {
    ws.terminate();
    return false;
  }
  ws.send(data);
  return true;
}
