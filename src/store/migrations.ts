/**
 * Upgrades of the on-disk layout (see `SCHEMA_VERSION` in `schemas.ts`). Each runs inside the
 * synchronous write transaction that opens the store, so an upgrade is all or nothing: a crash
 * midway leaves the old version, which is upgraded again at the next open.
 */
import type { Database, RootDatabase } from 'lmdb';
import { z } from 'zod';
import type { Dbs } from './layout.ts';
import { RecordReader, type Reporter } from './records.ts';
import { scanRange } from './scan.ts';
import { describeIssues, journalIndexKeySchema } from './schemas.ts';

/** Name of the schema-1 index database `[clientOrderId, seq]` → null, dropped by {@link migrateV1ToV2}. */
export const V1_JOURNAL_INDEX = 'journal.byOrder';

/** A schema-1 journal entry (no `prevSeq`). */
const v1EntrySchema = z.object({ clientOrderId: z.string(), event: z.unknown(), from: z.string(), to: z.string(), at: z.number() }).loose();

/** What an upgrade did, for the log. */
export interface MigrationReport {
  readonly from: number;
  readonly to: number;
  /** Journal entries rewritten (1 → 2), or orders listed (2 → 3). */
  readonly entries: number;
}

/**
 * Opens the schema-1 index database when `version` says the store still has one (call before the
 * opening transaction: lmdb-js opens databases outside write transactions). `undefined` otherwise.
 */
export function openV1Index(root: RootDatabase<unknown, string>, version: unknown): Database<unknown, [string, number]> | undefined {
  return version === 1 ? root.openDB<unknown, [string, number]>(V1_JOURNAL_INDEX, { compression: false, cache: false }) : undefined;
}

/**
 * Schema 1 → 2: gives every journal entry its `prevSeq` (the same order's previous entry, from the
 * `journal.byOrder` index, whose keys sort by order then seq), then drops the index. An entry the
 * index does not name gets `prevSeq: null`; index keys or entries that do not read back are reported
 * (as at any read) and left out of the chains. Call inside the opening write transaction.
 */
export function migrateV1ToV2(dbs: Dbs, index: Database<unknown, [string, number]>, reporter: Reporter): MigrationReport {
  let entries = 0;
  let chainOf: string | undefined;
  let prevSeq: number | null = null;
  const v1Entry = (seq: number): z.infer<typeof v1EntrySchema> | undefined => {
    const parsed = v1EntrySchema.safeParse(dbs.journal.get(seq));
    if (parsed.success) return parsed.data;
    reporter.report('journal', seq, 'schema', describeIssues(parsed.error));
    return undefined;
  };
  for (const key of index.getKeys()) {
    const parsedKey = journalIndexKeySchema.safeParse(key);
    if (!parsedKey.success) {
      reporter.report('journal.byOrder', key, 'schema', describeIssues(parsedKey.error));
      continue;
    }
    const [cid, seq] = parsedKey.data;
    if (cid !== chainOf) {
      chainOf = cid;
      prevSeq = null;
    }
    const entry = v1Entry(seq);
    if (entry === undefined || entry.clientOrderId !== cid) {
      if (entry !== undefined) reporter.report('journal.byOrder', key, 'dangling-index', `journal ${seq} belongs to another order`);
      continue;
    }
    dbs.journal.putSync(seq, { ...entry, prevSeq });
    prevSeq = seq;
    entries++;
  }
  // Entries the index did not name (none in a consistent store): the first of their chain.
  const unchained: number[] = [];
  for (const { key, value } of scanRange<number>(dbs.journal, {}, (k, error) => reporter.decode('journal', k, error))) {
    if (typeof value === 'object' && value !== null && !('prevSeq' in value)) unchained.push(key);
  }
  for (const seq of unchained) {
    const entry = v1Entry(seq);
    if (entry === undefined) continue;
    dbs.journal.putSync(seq, { ...entry, prevSeq: null });
    entries++;
  }
  index.dropSync();
  return { from: 1, to: 2, entries };
}


/**
 * Schema 2 → 3: builds `orders.byFirstSeq` from the journal, one pass in seq order: each order's first
 * entry lists the order at its seq, if the store holds a record of the order (an orphan entry lists nothing).
 * Live records are given their `firstSeq` (archived ones keep their bytes: they are final, and listed by the index).
 * A record whose order has no readable journal entry is listed at its own `seq`. Entries and records that do
 * not read back are reported (as at any read) and skipped. Call inside the opening write transaction.
 */
export function migrateV2ToV3(dbs: Dbs, reporter: Reporter): MigrationReport {
  const read = new RecordReader(dbs, reporter);
  let entries = 0;
  const listed = new Map<string, number>();
  for (const entry of read.journalSince(0, undefined)) {
    const cid = entry.clientOrderId;
    if (listed.has(cid)) continue; // seq order: the order's first entry came first
    if (!dbs.live.doesExist(cid) && !dbs.archive.doesExist(cid)) continue;
    dbs.ordersByFirstSeq.putSync([entry.seq, cid], null);
    listed.set(cid, entry.seq);
    entries++;
  }
  // Live records get their place; a record whose order has no readable journal entry is listed at its own seq
  // (its latest entry, the earliest known), so that no order drops out of listings.
  for (const which of ['live', 'archive'] as const) {
    const db = dbs[which];
    // Live keys are read first (live records are rewritten below); archived ones are only read.
    const keys = which === 'live' ? [...db.getKeys()] : db.getKeys();
    for (const cid of keys) {
      if (typeof cid !== 'string') continue; // reported by the store's own scans
      const known = listed.get(cid);
      if (known !== undefined && which === 'archive') continue;
      const record = read.actor(which, cid);
      if (record === undefined) continue;
      const firstSeq = known ?? record.seq;
      if (known === undefined) {
        dbs.ordersByFirstSeq.putSync([firstSeq, cid], null);
        entries++;
      }
      if (which === 'live') dbs.live.putSync(cid, { ...record, firstSeq });
    }
  }
  return { from: 2, to: 3, entries };
}
