/**
 * The one place that touches lmdb-js/msgpackr internals.
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
