import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/cli/data-dir-lock.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'data-dir-lock-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (a child that ran and ended). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('lockDataDir', () => {
  it('takes a free directory, writes this pid, and releases it', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'daemon.pid'), 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, 'daemon.pid'))).toBe(false);
  });

  it('refuses a directory held by a running process, and leaves its lock alone', () => {
    writeFileSync(join(dir, 'daemon.pid'), `${process.ppid}\n`); // a running process that is not this one
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(readFileSync(join(dir, 'daemon.pid'), 'utf8').trim()).toBe(String(process.ppid));
  });

  it('takes over a lock left by a process that is gone (killed, crashed) or unreadable', () => {
    writeFileSync(join(dir, 'daemon.pid'), `${deadPid()}\n`);
    lockDataDir(dir)();
    writeFileSync(join(dir, 'daemon.pid'), 'garbage');
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'daemon.pid'), 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  it('a release does not remove a lock another process took since', () => {
    const release = lockDataDir(dir);
    writeFileSync(join(dir, 'daemon.pid'), `${process.ppid}\n`);
    release();
    expect(readFileSync(join(dir, 'daemon.pid'), 'utf8').trim()).toBe(String(process.ppid));
  });
});
