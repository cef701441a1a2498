/** The socket file and the server's lifecycle: mode, stale files, a live daemon on the path, close. */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSocketServer, SocketStartError } from '../../src/ingress/server.ts';
import { FakeEngine } from './fake-engine.ts';
import { deadline, LineProbe, memoryLogger, startHarness, tempDir, type Harness } from './helpers.ts';

/** Leaves a socket file nobody listens on: a process listens on it and is killed with SIGKILL. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await deadline(new Promise<void>((resolve) => child.stdout.once('data', () => resolve())), 5000, 'the helper process to listen');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await deadline(exited, 5000, 'the helper process to die');
}

function refused(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}

describe('socket server lifecycle', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const harness = async (): Promise<Harness> => {
    const h = await startHarness();
    cleanups.push(() => h.stop());
    return h;
  };

  it('creates the parent folder and listens with an owner-only (0600) socket file', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'run', 'deep', 'e.sock');
    const { logger } = memoryLogger();
    const server = await startSocketServer({ path, engine: new FakeEngine(), logger });
    cleanups.push(() => server.close());
    expect(server.path).toBe(path);
    const st = lstatSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
  });

  it('replaces a stale socket file that nobody answers on', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'e.sock');
    await staleSocket(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(await refused(path)).toBe('ECONNREFUSED');
    const { logger, records } = memoryLogger();
    const server = await startSocketServer({ path, engine: new FakeEngine(), logger });
    cleanups.push(() => server.close());
    const probe = await LineProbe.open(path);
    probe.request({ id: 1, op: 'ping' });
    expect(await probe.next()).toMatchObject({ id: 1, ok: true });
    probe.close();
    expect(records.some((r) => String(r['msg']).startsWith('removed a stale socket file'))).toBe(true);
  });

  it('refuses to start on a path where another daemon is listening, and leaves it running', async () => {
    const first = await harness();
    const { logger } = memoryLogger();
    const second = startSocketServer({ path: first.server.path, engine: new FakeEngine(), logger });
    await expect(second).rejects.toBeInstanceOf(SocketStartError);
    await expect(second).rejects.toMatchObject({ code: 'in_use', message: expect.stringContaining(first.server.path) });
    const probe = await LineProbe.open(first.server.path);
    probe.request({ id: 1, op: 'ping' });
    expect(await probe.next()).toMatchObject({ id: 1, ok: true });
    probe.close();
  });

  it('refuses to replace a path that is not a socket', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'e.sock');
    writeFileSync(path, 'precious');
    const { logger } = memoryLogger();
    await expect(startSocketServer({ path, engine: new FakeEngine(), logger })).rejects.toMatchObject({ code: 'not_a_socket' });
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });

  it('close() answers queued requests with shutting_down, tells subscribers, ends connections and removes the socket file', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = new FakeEngine();
    const { logger } = memoryLogger();
    const server = await startSocketServer({ path: join(dir, 'e.sock'), engine, logger });
    const watcher = await LineProbe.open(server.path);
    watcher.request({ id: 's', op: 'subscribe' });
    await watcher.next();
    const busy = await LineProbe.open(server.path);
    const blocked = new Promise<void>((resolve) => engine.blocked.subscribe(() => resolve()));
    busy.send('{"id":1,"op":"order","clientOrderId":"BLOCK"}\n{"id":2,"op":"ping"}\n{"id":3,"op":"status"}\n');
    await deadline(blocked, 5000, 'the engine call to start');

    const closing = server.close();
    engine.release();
    await deadline(closing, 5000, 'close()');
    await deadline(Promise.all([watcher.closed, busy.closed]), 5000, 'connections to end');
    expect(await watcher.next()).toMatchObject({ error: { code: 'shutting_down' } });
    const replies = (await busy.take(3)) as Array<Record<string, unknown>>;
    expect(replies).toMatchObject([
      { id: 1, ok: false, error: { code: 'not_found' } },
      { id: 2, ok: false, error: { code: 'shutting_down' } },
      { id: 3, ok: false, error: { code: 'shutting_down' } },
    ]);
    expect(existsSync(server.path)).toBe(false);
    expect(await refused(server.path)).toBe('ENOENT');
    await server.close(); // idempotent
  });
});
