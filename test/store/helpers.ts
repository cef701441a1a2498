import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransitionInput } from '../../src/store/index.ts';

/** A fresh directory under the OS temp folder; `remove()` deletes it. */
export async function tempDir(prefix = 'order-store-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A snapshot shaped like XState's `getPersistedSnapshot()` of an order actor. */
export function orderSnapshot(clientOrderId: string, step: number, state = 'working'): Record<string, unknown> {
  return {
    status: 'active',
    value: { open: state },
    context: {
      clientOrderId,
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.015',
      price: '64000.10',
      filled: '0',
      step,
      expiresAt: 1_700_000_000_000 + step,
    },
    children: {},
    historyValue: {},
  };
}

/** A transition for `clientOrderId` at `step` (event `STEP` with `n: step`). */
export function transition(
  clientOrderId: string,
  step: number,
  extra: Partial<TransitionInput> = {},
): TransitionInput {
  return {
    clientOrderId,
    snapshot: orderSnapshot(clientOrderId, step),
    version: 1,
    journalEntry: { event: { type: 'STEP', n: step }, from: `s${step - 1}`, to: `s${step}`, at: 1_000 + step },
    live: true,
    ...extra,
  };
}
