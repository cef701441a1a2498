/**
 * The Unix socket file: preparing its path (parent folder, stale file from a crashed daemon,
 * another daemon already listening) and listening on it owner-only.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/** Why the socket server could not start. */
export type SocketStartErrorCode = 'in_use' | 'not_a_socket' | 'path_too_long' | 'listen_failed';

/** The socket server could not start on its path; `message` says what to do. */
export class SocketStartError extends Error {
  readonly code: SocketStartErrorCode;
  readonly path: string;
  constructor(code: SocketStartErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SocketStartError';
    this.code = code;
    this.path = path;
  }
}

/** sun_path: 108 bytes on Linux, 104 on macOS and the BSDs, including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/** How long a connect probe on an existing socket file may take before it counts as alive. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * Makes `path` ready to listen on: creates its parent folder (mode 0700 when created),
 * and removes an existing socket file nobody answers on (a crashed daemon's).
 *
 * @throws SocketStartError `in_use` when a process answers on the path, `not_a_socket` when
 * the path is something else than a socket, `path_too_long` beyond the OS limit.
 */
export async function prepareSocketPath(path: string, logger: Logger): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new SocketStartError('path_too_long', path, `socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes, the OS limit; choose a shorter path`);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  if (!isSocket) {
    throw new SocketStartError('not_a_socket', path, `${path} exists and is not a socket; refusing to replace it (move it away or choose another --socket path)`);
  }
  if (await answers(path)) {
    throw new SocketStartError('in_use', path, `another process (a running daemon?) is already listening on ${path}; stop it first or choose another socket path`);
  }
  try {
    unlinkSync(path);
    logger.info({ path }, 'removed a stale socket file (nothing was listening on it)');
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

/** True when something accepts a connection on the socket file at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(path);
    const timer = setTimeout(() => {
      probe.destroy();
      resolve(true); // a full backlog: something is there
    }, PROBE_TIMEOUT_MS);
    probe.once('connect', () => {
      clearTimeout(timer);
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err) => {
      clearTimeout(timer);
      probe.destroy();
      if (isErrno(err, 'ECONNREFUSED') || isErrno(err, 'ENOENT')) resolve(false);
      else reject(err);
    });
  });
}

/**
 * Listens on `path` with the socket file owner-only (0600): the process umask is 0177 while
 * the file is created (bind is synchronous inside `listen`), and the mode is set again after.
 *
 * @throws SocketStartError `in_use` (EADDRINUSE: another daemon won the race) or `listen_failed`.
 */
export async function listenOwnerOnly(server: Server, path: string, logger: Logger): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      if (isErrno(err, 'EADDRINUSE')) reject(new SocketStartError('in_use', path, `${path} is already in use by another process`, { cause: err }));
      else reject(new SocketStartError('listen_failed', path, `cannot listen on ${path}: ${err.message}`, { cause: err }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    const previous = setUmask(0o177, logger);
    try {
      server.listen(path);
    } finally {
      if (previous !== undefined) setUmask(previous, logger);
    }
  });
  chmodSync(path, 0o600);
}

function setUmask(mask: number, logger: Logger): number | undefined {
  try {
    return process.umask(mask);
  } catch (err) {
    // Worker threads cannot change the umask; the chmod right after listen still applies.
    logger.debug({ err }, 'cannot set the umask here');
    return undefined;
  }
}

/** True when `err` is a Node system error with this `code`. */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
