import { open as openLmdb } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onWriterProgress } from '../../src/store/lmdb-internals.ts';
import { tempDir } from './helpers.ts';

let dir: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await dir.remove();
});

describe('onWriterProgress', () => {
  // That the first wake-up comes before the fsync is a matter of timing, shown by the engine bench's 'commit' figures.
  it("wakes the listener before a write's promise resolves, with what it wrote readable by then", async () => {
    const root = openLmdb<unknown, string>({ path: dir.path, overlappingSync: true, compression: false, cache: false });
    const db = root.openDB<unknown, string>('x', { compression: false, cache: false });
    const seen: unknown[] = [];
    let resolved = false;
    expect(onWriterProgress(root, () => {
      root.resetReadTxn();
      if (!resolved) seen.push(db.get('k'));
    })).toBe(true);
    for (let i = 0; i < 20; i++) {
      seen.length = 0;
      resolved = false;
      const put = db.put('k', `v${i}`).then(() => {
        resolved = true;
      });
      await put;
      // Woken at least once before lmdb-js resolved the write, and the value could be read back then.
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)).toBe(`v${i}`);
    }
    await root.close();
  });

  it('installs nothing on an object without an lmdb environment', () => {
    expect(onWriterProgress({}, () => undefined)).toBe(false);
    expect(onWriterProgress({ env: {} }, () => undefined)).toBe(false);
  });
});
