/**
 * On-disk layout: the child databases of the store's LMDB environment and the
 * `meta` records (schema version, next sequence number).
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import { StoreSchemaError } from './errors.ts';
import { SCHEMA_VERSION, describeIssues, seqSchema } from './schemas.ts';
import type { EpochMs } from './types.ts';

export const META_SCHEMA_VERSION = 'schemaVersion';
/** The next sequence number to allocate (positive integer). */
export const META_NEXT_SEQ = 'nextSeq';
/** When the store was created, ms since epoch. */
export const META_CREATED_AT = 'createdAt';
/** Where each structured database keeps its msgpack object layouts (excluded from range scans by lmdb-js). */
const STRUCTURES_KEY = Symbol.for('order-store.structures');

/** The child databases; names on disk are given in {@link openDbs}. */
export interface Dbs {
  readonly meta: Database<unknown, string>;
  readonly live: Database<unknown, string>;
  readonly archive: Database<unknown, string>;
  readonly journal: Database<unknown, number>;
  readonly venueByClient: Database<unknown, string>;
  readonly clientByVenue: Database<unknown, [string, string]>;
  readonly signals: Database<unknown, string>;
  /** `[first journal seq, clientOrderId]` → listing tag or null (schema 3): every order, in the order it was first recorded. */
  readonly ordersByFirstSeq: Database<string | null, [number, string]>;
}

/** Opens (creating if needed) every child database. Record databases share msgpack structures. */
export function openDbs(root: RootDatabase<unknown, string>): Dbs {
  const structured = { sharedStructuresKey: STRUCTURES_KEY, compression: false, cache: false };
  const plain = { compression: false, cache: false };
  return {
    meta: root.openDB<unknown, string>('meta', plain),
    live: root.openDB<unknown, string>('actors.live', structured),
    archive: root.openDB<unknown, string>('actors.archive', structured),
    journal: root.openDB<unknown, number>('journal', structured),
    venueByClient: root.openDB<unknown, string>('ids.venueByClient', structured),
    clientByVenue: root.openDB<unknown, [string, string]>('ids.clientByVenue', plain),
    signals: root.openDB<unknown, string>('signals', structured),
    ordersByFirstSeq: root.openDB<string | null, [number, string]>('orders.byFirstSeq', plain),
  };
}

/** The databases whose values use shared msgpack structures. */
export function structuredDbs(dbs: Dbs): readonly object[] {
  return [dbs.live, dbs.archive, dbs.journal, dbs.venueByClient, dbs.signals];
}

/**
 * Creates or checks `meta`; call inside a synchronous write transaction at open.
 *
 * @param onRepair called when `nextSeq` lagged the journal and was repaired.
 * @param upgrades by stored schema version: what brings a store of that version to {@link SCHEMA_VERSION}
 *   (run here, in the same transaction, before the version is rewritten).
 * @throws StoreSchemaError for another schema version (without an upgrade), unreadable meta, or data without meta.
 */
export function initMeta(
  dbs: Dbs,
  now: EpochMs,
  onRepair: (detail: string) => void,
  upgrades: ReadonlyMap<number, () => void> = new Map(),
): void {
  const { meta, live, archive, journal } = dbs;
  const version: unknown = meta.get(META_SCHEMA_VERSION);
  if (version === undefined) {
    if (hasAnyKey(live) || hasAnyKey(archive) || hasAnyKey(journal)) {
      throw new StoreSchemaError('store holds data but no schema version');
    }
    meta.putSync(META_SCHEMA_VERSION, SCHEMA_VERSION);
    meta.putSync(META_NEXT_SEQ, 1);
    meta.putSync(META_CREATED_AT, now);
    return;
  }
  if (version !== SCHEMA_VERSION) {
    const upgrade = typeof version === 'number' ? upgrades.get(version) : undefined;
    if (upgrade === undefined) throw new StoreSchemaError(`store schema version ${String(version)}, this code reads ${SCHEMA_VERSION}`);
    upgrade();
    meta.putSync(META_SCHEMA_VERSION, SCHEMA_VERSION);
  }
  const next = readNextSeq(meta);
  let lastJournalSeq: number | undefined;
  for (const key of journal.getKeys({ reverse: true, limit: 1 })) lastJournalSeq = key;
  if (lastJournalSeq !== undefined && lastJournalSeq >= next) {
    // Cannot happen while both are written in one transaction; repair rather than reuse a seq.
    onRepair(`nextSeq ${next} <= last journal seq ${lastJournalSeq}; repaired`);
    meta.putSync(META_NEXT_SEQ, lastJournalSeq + 1);
  }
}

/** `meta.nextSeq`, in whatever transaction is current. @throws StoreSchemaError when unreadable. */
export function readNextSeq(meta: Database<unknown, string>): number {
  const next = seqSchema.safeParse(meta.get(META_NEXT_SEQ));
  if (!next.success) throw new StoreSchemaError(`meta.nextSeq unreadable: ${describeIssues(next.error)}`);
  return next.data;
}

function hasAnyKey<K extends Key>(db: Database<unknown, K>): boolean {
  for (const _key of db.getKeys({ limit: 1 })) return true;
  return false;
}
