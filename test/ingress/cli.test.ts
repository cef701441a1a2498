/** The CLI as a person runs it: `npx tsx src/cli/cli.ts --socket …`, as a child process. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline, startHarness, tempDir, type Harness } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI; `onOutput` sees the output so far after every chunk and may act on the child
 * (its own process group, so a signal reaches npx, tsx and node as Ctrl-C in a terminal would).
 */
function runCli(args: string[], opts: { env?: Record<string, string>; onOutput?: (out: { stdout: string; stderr: string }, interrupt: () => void) => void } = {}): Promise<Run> {
  const child = spawn('npx', ['tsx', 'src/cli/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out = { stdout: '', stderr: '' };
  const interrupt = (): void => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
  };
  child.stdout.on('data', (d: Buffer) => {
    out.stdout += d.toString();
    opts.onOutput?.(out, interrupt);
  });
  child.stderr.on('data', (d: Buffer) => {
    out.stderr += d.toString();
    opts.onOutput?.(out, interrupt);
  });
  const done = new Promise<Run>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, ...out })));
  return deadline(done, 20_000, `cli ${args.join(' ')}`).catch((err: unknown) => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    throw err;
  });
}

describe('cli', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('sends a signal, prints the result, exits 0; --json prints the raw result', async () => {
    const run = await runCli(['--socket', h.server.path, 'signal', 'buy', 'BTC/USDT', '0.001', '--limit', '60000', '--tif', 'IOC', '--id', 'cli-1']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('order x-cli-1  state PENDING_NEW  signal cli-1');
    expect(h.engine.received.at(-1)).toEqual({ instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '60000', timeInForce: 'IOC', signalId: 'cli-1' });

    const json = await runCli(['order', 'x-cli-1', '--json'], { env: { ENGINE_SOCKET: h.server.path } });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ clientOrderId: 'x-cli-1', state: 'PENDING_NEW' });
  });

  it('lists orders newest first, and says how to list the next page of the same listing', async () => {
    await h.engine.signal({ signalId: 'cli-older', instrument: 'ETH/USDT', side: 'sell', type: 'market', quantity: '0.01' });
    await h.engine.signal({ signalId: 'cli-newer', instrument: 'ETH/USDT', side: 'buy', type: 'market', quantity: '0.02' });
    const run = await runCli(['--socket', h.server.path, 'orders', '--instrument', 'ETH/USDT', '--newest-first', '--limit', '1']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^x-cli-newer +ETH\/USDT +buy /);
    expect(lines[2]).toMatch(/^more: --cursor \S+ --instrument ETH\/USDT --limit 1 --newest-first$/);
  });

  it('exits non-zero with the error code and the offending field on a bad request', async () => {
    const run = await runCli(['--socket', h.server.path, 'signal', 'buy', 'BTC/USDT', 'lots']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: bad_request: invalid signal request');
    expect(run.stderr).toContain('signal.quantity (<quantity>):');
  });

  it('says which socket it tried and how to start the daemon when nothing listens', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'nobody.sock');
      const run = await runCli(['--socket', path, 'status']);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(path);
      expect(run.stderr).toContain('npm start');
    } finally {
      cleanup();
    }
  });

  it('watch prints each event as a readable line until interrupted', async () => {
    let triggered = false;
    const run = await runCli(['--socket', h.server.path, 'watch'], {
      onOutput: ({ stdout, stderr }, interrupt) => {
        if (!triggered && stderr.includes('watching')) {
          triggered = true;
          void h.engine.signal({ signalId: 'watched', instrument: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.001' }).then((r) => h.engine.fill(r.clientOrderId, '61837.63'));
        }
        if (stdout.includes('→ FILLED')) interrupt();
      },
    });
    // npx re-raises the SIGINT it got with the terminal's process group; the CLI itself prints no error.
    expect(run.code === 0 || run.signal === 'SIGINT').toBe(true);
    expect(run.stderr).not.toContain('error');
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^2024-08-09T\S+Z {2}x-watched {2}NEW → PENDING_NEW {2}\(signal\)$/);
    expect(lines[1]).toMatch(/^2024-08-09T\S+Z {2}x-watched {2}fill 0\.001 @ 61837\.63 {2}fee 0\.000001 BTC {2}taker {2}trade t\d+$/);
    expect(lines[2]).toMatch(/x-watched {2}PENDING_NEW → FILLED {2}\(venue\.filled\)$/);
  });
});
