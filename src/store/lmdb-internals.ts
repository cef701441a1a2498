/**
 * The one place that touches lmdb-js/msgpackr internals (the `encoder` of a database, and the
 * writer thread's progress callback: see {@link onWriterProgress}).
 *
 * Why: with `sharedStructuresKey`, msgpackr records each new object layout in
 * memory and saves it into the CURRENT write transaction. If that transaction
 * (a child transaction here) is then aborted, the layout is gone from disk but
 * still known in memory; records written afterwards refer to it and cannot be
 * decoded after a restart ("Data read, but end of buffer not reached").
 * Verified on lmdb 3.5.6 / msgpackr; see test "an aborted write does not poison
 * shared structures". Marking the in-memory structures `uninitialized` makes
 * msgpackr reload them from the transaction's view before its next encode
 * (the same recovery msgpackr itself uses when a save is declined).
 */

/** Makes the database's msgpack encoder reload its shared structures before the next encode. Never throws. */
export function invalidateSharedStructures(db: object): void {
  const encoder: unknown = Reflect.get(db, 'encoder');
  if (typeof encoder !== 'object' || encoder === null) return;
  const structures: unknown = Reflect.get(encoder, 'structures');
  if (Array.isArray(structures)) Reflect.set(structures, 'uninitialized', true);
}

/**
 * Encodes `value` as the database would on `put` (its msgpack encoder, shared structures
 * included), into a buffer that stays valid (msgpackr never rewrites what it returned).
 * Outside a write transaction, a new shared structure is saved at once by lmdb-js's own
 * synchronous transaction, so the buffer never refers to an unsaved layout.
 * @throws whatever the encoder throws for a value it cannot encode (e.g. a Symbol);
 *   call {@link invalidateSharedStructures} afterwards.
 */
export function encodeValue(db: object, value: unknown): Uint8Array {
  const encoder: unknown = Reflect.get(db, 'encoder');
  const encode: unknown = typeof encoder === 'object' && encoder !== null ? Reflect.get(encoder, 'encode') : undefined;
  if (typeof encode !== 'function') throw new Error('lmdb database without an encoder');
  const out: unknown = Reflect.apply(encode, encoder, [value]);
  if (!(out instanceof Uint8Array)) throw new Error('lmdb encoder returned no buffer');
  return out;
}

/**
 * Calls `listener` after each progress callback of lmdb's writer thread (lmdb-js's native
 * `env.startWriting(address, callback)`): with `overlappingSync`, the writer thread sends one as
 * soon as a transaction is visible to readers (before its fsync, which lmdb-js waits for before it
 * resolves its promises), and others when it is done. The callback's status is not read (the
 * native side reports the status current when the callback runs, not when it was sent): the
 * listener is only a wake-up, and must check for itself what is committed.
 * Verified on lmdb 3.5.6 (`src/writer.cpp`: `txn_callback` → `SendUpdate`).
 *
 * @returns false (nothing installed) when the environment does not have that shape: callers then
 *   find out another way (lmdb-js still resolves its promises after the fsync).
 */
export function onWriterProgress(root: object, listener: () => void): boolean {
  const env: unknown = Reflect.get(root, 'env');
  if (typeof env !== 'object' || env === null) return false;
  const startWriting: unknown = Reflect.get(env, 'startWriting');
  if (typeof startWriting !== 'function') return false;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const callback = args[1];
    if (typeof callback === 'function') {
      args[1] = function (this: unknown, ...cbArgs: unknown[]): unknown {
        const result: unknown = Reflect.apply(callback, this, cbArgs);
        listener();
        return result;
      };
    }
    return Reflect.apply(startWriting, this, args);
  };
  // The native method is a read-only property of the prototype: shadow it on this instance.
  return Reflect.defineProperty(env, 'startWriting', { value: wrapped, writable: true, configurable: true });
}
