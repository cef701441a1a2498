/**
 * The one place that touches lmdb-js/msgpackr internals (the `encoder` of a database).
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
