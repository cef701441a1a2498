import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrderStore, type JournalRecord, type StoreReadProblem } from '../../src/store/index.ts';
import { orderSnapshot, tempDir } from './helpers.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/commit-writer.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KILL_AFTER_LINES = 400;
const DEADLINE_MS = 20_000;

interface Printed {
  readonly seq: number;
  readonly cid: string;
  readonly step: number;
}

/** Collects complete stdout lines; `waitFor` resolves when `predicate` holds, rejects at the deadline or on exit. */
class LineCollector {
  readonly lines: string[] = [];
  private partial = '';
  private waiters: Array<() => void> = [];
  private ended = false;
  readonly closed: Promise<void>;

  constructor(child: ChildProcess) {
    if (child.stdout === null) throw new Error('child has no stdout');
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? ''; // an unterminated tail is not a printed line (yet)
      this.lines.push(...parts);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      child.stdout?.on('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      });
    });
  }

  waitFor(predicate: (lines: readonly string[]) => boolean, deadlineMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`deadline: ${this.lines.length} lines so far: ${this.lines.slice(-3).join(' | ')}`));
      }, deadlineMs);
      const check = (): void => {
        if (predicate(this.lines)) {
          clearTimeout(timer);
          resolve();
        } else if (this.ended) {
          clearTimeout(timer);
          reject(new Error(`child stdout closed after ${this.lines.length} lines`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

function parsePrinted(lines: readonly string[]): Printed[] {
  const out: Printed[] = [];
  for (const line of lines) {
    const m = /^C (\d+) (\S+) (\d+)$/.exec(line);
    if (m !== null) out.push({ seq: Number(m[1]), cid: m[2] ?? '', step: Number(m[3]) });
  }
  return out;
}

let dir: { path: string; remove: () => Promise<void> };
let child: ChildProcess | undefined;

beforeEach(async () => {
  dir = await tempDir('order-store-crash-');
});

afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await dir.remove();
});

describe('process crash (kill -9 mid-stream)', () => {
  it.each(['commit', 'flush'] as const)(
    'keeps every transition whose %s promise resolved, snapshot and journal together',
    async (durability) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir.path, durability], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let stderr = '';
      proc.stderr?.setEncoding('utf8');
      proc.stderr?.on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
      const out = new LineCollector(proc);

      await out.waitFor((lines) => lines.length > KILL_AFTER_LINES, DEADLINE_MS).catch((error: unknown) => {
        throw new Error(`${String(error)}\nstderr: ${stderr}`);
      });
      proc.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await out.closed; // every line written before the kill is now read

      const printed = parsePrinted(out.lines);
      expect(printed.length).toBeGreaterThan(KILL_AFTER_LINES - 1);

      const problems: StoreReadProblem[] = [];
      const store = await OrderStore.open(dir.path, { onProblem: (p) => problems.push(p) });
      try {
        const journal = [...store.journalSince(0)];
        const bySeq = new Map<number, JournalRecord>(journal.map((e) => [e.seq, e]));

        // 1. Everything acknowledged before the kill is there.
        for (const p of printed) {
          const entry = bySeq.get(p.seq);
          expect(entry, `journal ${p.seq}`).toMatchObject({ clientOrderId: p.cid, event: { type: 'STEP', n: p.step } });
          expect(store.getActor(p.cid)?.seq, `actor ${p.cid}`).toBeGreaterThanOrEqual(p.seq);
        }

        // 2. The whole store is consistent (acknowledged or not): never a journal entry without its
        //    snapshot or the reverse, the chains match the journal, live/archive match the last step.
        for (let i = 1; i < journal.length; i++) expect(journal[i]?.seq).toBeGreaterThan(journal[i - 1]?.seq ?? 0);
        const lastByOrder = new Map<string, JournalRecord>();
        for (const e of journal) lastByOrder.set(e.clientOrderId, e);
        for (const [cid, last] of lastByOrder) {
          const record = store.getActor(cid);
          const n = (last.event as { n: number }).n;
          expect(record, cid).toMatchObject({ seq: last.seq, live: n < 5, snapshot: orderSnapshot(cid, n) });
          expect(store.journalFor(cid).map((e) => e.seq)).toEqual(
            journal.filter((e) => e.clientOrderId === cid).map((e) => e.seq),
          );
        }
        const live = [...store.listLive()];
        expect(live.every(({ clientOrderId }) => lastByOrder.has(clientOrderId))).toBe(true);
        expect(live.length).toBe([...lastByOrder.values()].filter((e) => (e.event as { n: number }).n < 5).length);
        expect(store.lastSeq()).toBe(journal.at(-1)?.seq);
        // The listing index names every order once, at its first journal entry, and nothing else.
        const firstByOrder = new Map<string, number>();
        for (const e of journal) if (!firstByOrder.has(e.clientOrderId)) firstByOrder.set(e.clientOrderId, e.seq);
        expect(store.listOrderIds({ limit: 1_000_000 }).map((o) => [o.seq, o.clientOrderId])).toEqual(
          [...firstByOrder].map(([cid, seq]) => [seq, cid]),
        );
        expect(problems).toEqual([]);

        // 3. Sequence numbers continue after the crash.
        const next = await store.commitTransition({
          clientOrderId: 'after-crash',
          snapshot: orderSnapshot('after-crash', 1),
          version: 1,
          journalEntry: { event: { type: 'STEP', n: 1 }, from: 's0', to: 's1' },
          live: true,
        });
        expect(next).toBeGreaterThan(Math.max(...printed.map((p) => p.seq)));
        expect(next).toBe((journal.at(-1)?.seq ?? 0) + 1);
      } finally {
        await store.close();
      }
    },
  );
});
