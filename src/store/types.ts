/**
 * Public shapes of the order store (`src/store/`). Everything here is plain data:
 * what goes in with a transition and what comes back from a read.
 *
 * Units: every time is {@link EpochMs}. Every sequence number is a positive
 * safe integer, allocated by the store, strictly increasing across the whole
 * store (all orders) and across restarts; gaps never occur inside one store,
 * but callers must not rely on that.
 */

/** Milliseconds since the Unix epoch (UTC), as returned by `Date.now()`. */
export type EpochMs = number;

/**
 * When a write's promise resolves.
 * - `'commit'`: after the LMDB transaction has committed. The data then survives
 *   a crash of this process (SIGKILL, uncaught exception), but an OS crash or a
 *   power loss may roll the store back to the last transaction flushed to disk
 *   (with `overlappingSync` that flush normally follows the commit within
 *   about one fsync, i.e. well under 10 ms on a healthy disk).
 * - `'flush'`: additionally waits until that transaction is flushed (fsync'd);
 *   then it also survives an OS crash or a power loss.
 */
export type Durability = 'commit' | 'flush';

/**
 * Identifies an order at the venue. Binance order ids are unique per symbol
 * only, so the symbol is part of the identity. `orderId` is the venue's id as a
 * decimal string (Binance sends an int64 number; ccxt already uses strings).
 */
export interface VenueOrderRef {
  /** Venue symbol, e.g. `"BTCUSDT"`; 1–128 characters. */
  readonly symbol: string;
  /** Venue order id as a string, e.g. `"28457"`; 1–128 characters. */
  readonly orderId: string;
}

/**
 * The persisted state of one order actor (value of the `actors.live` and
 * `actors.archive` databases, keyed by client order id).
 */
export interface ActorRecord {
  /** Version of the machine definition that produced `snapshot` (non-negative integer). */
  readonly version: number;
  /** `actor.getPersistedSnapshot()`; opaque to the store, must be msgpack-encodable plain data. */
  readonly snapshot: unknown;
  /** Sequence number of the journal entry written with this snapshot. */
  readonly seq: number;
  /**
   * Sequence number of the order's first journal entry: its place in {@link OrderStore.listOrderIds} (schema 3).
   * Absent from archived records written before schema 3 (the upgrade dates live records only), and from a
   * record written when its order's previous record did not read back.
   */
  readonly firstSeq?: number;
  /** `true` while the actor must be rehydrated on start; `false` once archived. */
  readonly live: boolean;
  /** When the store wrote this record (store clock), ms since epoch. */
  readonly updatedAt: EpochMs;
}

/** An actor record together with its key, as yielded by {@link OrderStore.listLive}. */
export interface StoredActor {
  readonly clientOrderId: string;
  readonly record: ActorRecord;
}

/** The journal part of a transition, as given to `commitTransition`. */
export interface JournalEntryInput {
  /** The event that caused the transition: its `type` and payload; opaque, msgpack-encodable. */
  readonly event: unknown;
  /** State before the transition, serialised by the caller (e.g. `"working.partiallyFilled"`). */
  readonly from: string;
  /** State after the transition, serialised the same way. */
  readonly to: string;
  /** When the event happened (engine clock), ms since epoch; defaults to the store clock. */
  readonly at?: EpochMs;
}

/** One journal entry as stored (value of the `journal` database, keyed by sequence number). */
export interface JournalEntry {
  readonly clientOrderId: string;
  readonly event: unknown;
  readonly from: string;
  readonly to: string;
  /** When the event happened, ms since epoch. */
  readonly at: EpochMs;
  /**
   * Sequence number of the same order's previous journal entry; `null` for its first. An order's
   * journal is this chain, walked back from its actor record's `seq` (see `OrderStore.journalFor`).
   */
  readonly prevSeq: number | null;
}

/** A journal entry with its sequence number, as returned by journal reads. */
export interface JournalRecord extends JournalEntry {
  readonly seq: number;
}

/** The idempotency record of one signal (value of the `signals` database, keyed by signal id). */
export interface SignalRecord {
  readonly signalId: string;
  /** The order the signal created, or `null` when it created none (e.g. it was rejected). */
  readonly clientOrderId: string | null;
  /** What was answered the first time; returned again for every repeat. Opaque, msgpack-encodable. */
  readonly result: unknown;
  /** When the store recorded it (store clock), ms since epoch. */
  readonly at: EpochMs;
}

/** The signal that caused an order's first transition; recorded in the same transaction. */
export interface SignalInput {
  /** 1–128 characters. */
  readonly id: string;
  readonly result: unknown;
}

/**
 * One actor transition to persist: snapshot, journal entry and index updates
 * are written in ONE transaction.
 */
export interface TransitionInput {
  /** 1–128 characters. */
  readonly clientOrderId: string;
  /** `actor.getPersistedSnapshot()` after the transition. */
  readonly snapshot: unknown;
  /** Machine version (non-negative integer). */
  readonly version: number;
  readonly journalEntry: JournalEntryInput;
  /** `false` once the actor reached a final state: the record moves to the archive. */
  readonly live: boolean;
  /** Links the order to its venue id (idempotent; a different existing link is a conflict). */
  readonly venueOrder?: VenueOrderRef;
  /** Records the signal's first result in the same transaction (a repeat is refused). */
  readonly signal?: SignalInput;
  /**
   * A label kept beside the order in the listing index (`orders.byFirstSeq`) when this is the order's first
   * transition (ignored afterwards), so that listings can filter on it without reading the record; the engine
   * gives the order's instrument. 1–128 characters.
   */
  readonly listingTag?: string;
}

/** Per-item result of {@link OrderStore.commitTransitions}. Nothing is written for a refused item. */
export type BatchOutcome =
  | { readonly status: 'committed'; readonly seq: number }
  | { readonly status: 'duplicate-signal'; readonly first: SignalRecord }
  | {
      readonly status: 'id-conflict';
      readonly clientOrderId: string;
      readonly venueOrder: VenueOrderRef;
      /** The mapping that already exists and disagrees. */
      readonly existing: { readonly clientOrderId?: string; readonly venueOrder?: VenueOrderRef };
    };

/** Names of the child databases, as used in problem reports. */
export type StoreDbName =
  | 'meta'
  | 'actors.live'
  | 'actors.archive'
  | 'journal'
  | 'journal.byOrder'
  | 'orders.byFirstSeq'
  | 'ids.venueByClient'
  | 'ids.clientByVenue'
  | 'signals';

/**
 * A record that could not be read back: it is skipped (or read as absent) and
 * reported through {@link OrderStoreOptions.onProblem}; the store keeps working.
 */
export interface StoreReadProblem {
  readonly db: StoreDbName;
  /** The key, rendered for logs (`JSON.stringify`). */
  readonly key: string;
  /**
   * `decode`: bytes are not valid msgpack; `schema`: decoded value has the wrong shape; `dangling-index`: a
   * reference points at nothing (an order's journal chain at a missing entry, or at another order's).
   */
  readonly kind: 'decode' | 'schema' | 'dangling-index';
  readonly detail: string;
}

/** Options of {@link OrderStore.open}. */
export interface OrderStoreOptions {
  /** Default durability of every write; per-call override possible. Default `'flush'`. */
  readonly durability?: Durability;
  /** Called for every record that does not decode or parse. Default: `process.emitWarning`. */
  readonly onProblem?: (problem: StoreReadProblem) => void;
  /** Store clock for `updatedAt`/`at` defaults, ms since epoch. Default `Date.now`. */
  readonly clock?: () => EpochMs;
  /**
   * Initial LMDB map size in bytes: address space reserved for the data file, not disk space (on Linux and
   * macOS the file grows only as pages are used). lmdb-js doubles the map when the file outgrows it, and keeps
   * every earlier mapping (readers may still point into it), so each growth step leaves the pages read so far
   * resident twice. Default `DEFAULT_MAP_SIZE` (4 GiB): no remapping below that. lmdb-js's own default
   * (128 KiB, grown on demand) held ~21 MiB of extra RSS at 10,000 orders.
   */
  readonly mapSize?: number;
}

/** Per-call options of write methods. */
export interface WriteOptions {
  /** Overrides {@link OrderStoreOptions.durability} for this write. */
  readonly durability?: Durability;
}
