/**
 * One daemon per data directory. LMDB lets several processes open the same store, but the engine
 * assumes it is the store's only writer (sequence numbers reserved in memory, the venue acted on by one
 * engine): a second daemon must stop before it opens anything. The lock is a pid file, `DIR/daemon.pid`,
 * created exclusively (`O_CREAT | O_EXCL`); a file left by a process that no longer runs (killed with
 * SIGKILL, crashed) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when another running process holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`another daemon (pid ${pid}) is running on this data directory (${path}); stop it first, or use another --data-dir`);
    this.name = 'DataDirLockedError';
  }
}

/**
 * Takes `dir`'s lock for this process.
 *
 * @returns a function that releases it (removes the pid file if it is still this process's; never throws).
 * @throws DataDirLockedError when a running process holds it; the file system's error when the file cannot be
 *   created or read (e.g. the directory is not writable).
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, 'daemon.pid');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // gone already: nothing to release
        }
      };
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    let holder: number;
    try {
      holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue; // released meanwhile: try again
      throw err;
    }
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) throw new DataDirLockedError(path, holder);
    try {
      unlinkSync(path); // left by a process that is gone (or unreadable): take it over
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
  throw new Error(`could not take the data directory lock ${path}: it keeps changing hands`);
}

/** True when a process with this pid exists (signal 0 checks without sending anything). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM'); // exists, owned by someone else
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}
