/**
 * Lazy range scans that survive undecodable records: a record whose bytes do
 * not decode is reported and skipped; the scan goes on after it.
 */
import type { Database, Key } from 'lmdb';

/** A range over one database (same meaning as lmdb-js `RangeOptions`). */
export interface ScanRange<K extends Key> {
  readonly start?: K;
  readonly end?: K;
  readonly exclusiveStart?: boolean;
  readonly inclusiveEnd?: boolean;
  /** Most entries to yield (undecodable ones do not count). */
  readonly limit?: number;
}

/** One raw entry: the key as stored and the decoded (not yet validated) value. */
export interface RawEntry<K extends Key> {
  readonly key: K;
  readonly value: unknown;
}

/**
 * Iterates `db` over `range` lazily, in key order, inside one read snapshot per
 * resumption. When lmdb-js throws while decoding an entry, the entry's key is
 * looked up (keys are decoded without values), `onUndecodable(key, error)` is
 * called and the scan resumes after that key. Breaking out of the loop closes
 * the cursor.
 */
export function* scanRange<K extends Key>(
  db: Database<unknown, K>,
  range: ScanRange<K>,
  onUndecodable: (key: K, error: unknown) => void,
): Generator<RawEntry<K>, void, undefined> {
  let start = range.start;
  let exclusiveStart = range.exclusiveStart ?? false;
  let remaining = range.limit ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const iterator = db
      .getRange({
        ...(start === undefined ? {} : { start }),
        ...(range.end === undefined ? {} : { end: range.end }),
        exclusiveStart,
        inclusiveEnd: range.inclusiveEnd ?? false,
      })
      [Symbol.iterator]();
    let lastKey: K | undefined;
    let failure: { error: unknown } | undefined;
    try {
      while (remaining > 0) {
        let step: IteratorResult<{ key: K; value: unknown }>;
        try {
          step = iterator.next();
        } catch (error) {
          failure = { error };
          break;
        }
        if (step.done === true) return;
        lastKey = step.value.key;
        remaining -= 1;
        yield { key: step.value.key, value: step.value.value };
      }
    } finally {
      iterator.return?.();
    }
    if (failure === undefined) return;
    // The entry after `lastKey` (or at the range start) failed to decode: find its key.
    const from = lastKey ?? start;
    const fromExclusive = lastKey !== undefined ? true : exclusiveStart;
    let badKey: K | undefined;
    for (const key of db.getKeys({
      ...(from === undefined ? {} : { start: from }),
      ...(range.end === undefined ? {} : { end: range.end }),
      exclusiveStart: fromExclusive,
      inclusiveEnd: range.inclusiveEnd ?? false,
      limit: 1,
    })) {
      badKey = key;
    }
    if (badKey === undefined) throw failure.error; // not an entry's fault (e.g. the store was closed)
    onUndecodable(badKey, failure.error);
    start = badKey;
    exclusiveStart = true;
  }
}

/** Reads one value; a decoding failure is reported and read as absent. */
export function getDecoded<K extends Key>(
  db: Database<unknown, K>,
  key: K,
  onUndecodable: (key: K, error: unknown) => void,
): unknown {
  try {
    return db.get(key);
  } catch (error) {
    onUndecodable(key, error);
    return undefined;
  }
}
