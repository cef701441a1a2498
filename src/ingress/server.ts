/**
 * The daemon's local socket server: newline-delimited JSON (see `protocol.ts`) over a Unix
 * domain socket, owner-only, one {@link Connection} per client.
 */
import { statSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { EngineApi } from '../engine/api.ts';
import { Connection, type ConnectionLimits, type PeakStats } from './connection.ts';
import { DEFAULT_MAX_LINE_BYTES } from './protocol.ts';
import { isErrno, listenOwnerOnly, prepareSocketPath } from './socket-file.ts';

export { SocketStartError, type SocketStartErrorCode } from './socket-file.ts';

/** Options of {@link startSocketServer}. */
export interface SocketServerOptions {
  /** Socket file path (relative paths are resolved against the working directory). */
  readonly path: string;
  readonly engine: EngineApi;
  readonly logger: Logger;
  /** Longest request line in bytes, newline excluded; default 64 KiB. */
  readonly maxLineBytes?: number;
  /** Request lines a connection may have accepted and unanswered before reading pauses; default 128. */
  readonly maxInFlightPerConnection?: number;
  /** Unsent bytes after which a subscriber that does not read is disconnected; default 4 MiB. */
  readonly maxSubscriberBufferBytes?: number;
  /** How long `close()` (or a slow-consumer disconnect) waits for a connection to end before destroying it; default 2000 ms. */
  readonly closeGraceMs?: number;
}

/** Counters of a running server. */
export interface SocketServerStats extends PeakStats {
  /** Open connections. */
  readonly connections: number;
  /** Connections accepted since start. */
  readonly accepted: number;
}

/** A running socket server. */
export interface SocketServer {
  /** Absolute path of the socket file. */
  readonly path: string;
  /** Stops accepting, ends every connection (unstarted requests get `shutting_down`), removes the socket file. Idempotent. */
  close(): Promise<void>;
  stats(): SocketServerStats;
}

/**
 * Starts the socket server on `opts.path`: creates the parent folder, replaces a stale socket
 * file (only when nothing answers on it), listens with the file at mode 0600.
 *
 * @throws SocketStartError `in_use` when another process listens on the path, `not_a_socket`,
 * `path_too_long`, `listen_failed`.
 */
export async function startSocketServer(opts: SocketServerOptions): Promise<SocketServer> {
  const path = resolve(opts.path);
  const logger = opts.logger.child({ component: 'ingress' });
  const limits: ConnectionLimits = {
    maxLineBytes: positiveInt(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, 'maxLineBytes'),
    maxInFlight: positiveInt(opts.maxInFlightPerConnection ?? 128, 'maxInFlightPerConnection'),
    maxSubscriberBufferBytes: positiveInt(opts.maxSubscriberBufferBytes ?? 4 * 1024 * 1024, 'maxSubscriberBufferBytes'),
    closeGraceMs: positiveInt(opts.closeGraceMs ?? 2000, 'closeGraceMs'),
  };
  const peaks: PeakStats = { peakInFlight: 0, peakBufferedBytes: 0 };
  const connections = new Set<Connection>();
  let accepted = 0;

  await prepareSocketPath(path, logger);

  const server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket: Socket) => {
    accepted += 1;
    const connection = new Connection(socket, opts.engine, logger.child({ conn: accepted }), limits, peaks);
    connections.add(connection);
    logger.debug({ conn: accepted, open: connections.size }, 'connection opened');
    void connection.closed.then(() => {
      connections.delete(connection);
      logger.debug({ open: connections.size }, 'connection closed');
    });
  });
  server.on('error', (err) => logger.error({ err }, 'socket server error'));

  await listenOwnerOnly(server, path, logger);
  const inode = statSync(path).ino;
  logger.info({ path }, 'socket server listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((done) => server.close(() => done()));
      for (const connection of connections) connection.shutdown();
      await Promise.all([...connections].map((c) => c.closed));
      await stopped;
      removeSocketFile(path, inode, logger);
      logger.info({ path }, 'socket server closed');
    })();
    return closing;
  };

  return {
    path,
    close,
    stats: () => ({ connections: connections.size, accepted, ...peaks }),
  };
}

/** Removes the socket file unless another process has put its own there meanwhile. */
function removeSocketFile(path: string, inode: number, logger: Logger): void {
  try {
    if (statSync(path).ino !== inode) return;
    unlinkSync(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) logger.warn({ err, path }, 'could not remove the socket file');
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
