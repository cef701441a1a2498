/**
 * `OrderStore`: the engine's persistence, one LMDB environment per data
 * directory with these child databases (values msgpack-encoded):
 *
 * | database            | key                          | value                                   |
 * |---------------------|------------------------------|-----------------------------------------|
 * | `meta`              | `'schemaVersion'`, `'nextSeq'`, `'createdAt'` | number                  |
 * | `actors.live`       | client order id              | {@link ActorRecord} (`live: true`)      |
 * | `actors.archive`    | client order id              | {@link ActorRecord} (`live: false`)     |
 * | `journal`           | seq (number, global)         | {@link JournalEntry} (`prevSeq`: the order's previous entry) |
 * | `ids.venueByClient` | client order id              | {@link VenueOrderRef}                   |
 * | `ids.clientByVenue` | `[symbol, orderId]`          | client order id                         |
 * | `signals`           | signal id                    | {@link SignalRecord}                    |
 * | `orders.byFirstSeq` | `[seq, clientOrderId]`: seq of the order's first entry | listing tag or null (schema 3) |
 *
 * An actor record lives in exactly one of `actors.live` / `actors.archive`, so
 * rehydration scans only live orders however many are archived. An order's journal is
 * the chain of `prevSeq` links back from its record's `seq` (schema 2; schema 1 kept an
 * index database instead, and is migrated when opened: `migrations.ts`). `orders.byFirstSeq` lists
 * every order in the order it was first recorded, so a listing pages without reading every record.
 *
 * Durability: every write method resolves only after its transaction has
 * committed (it then survives a process crash); with durability `'flush'` (the
 * default) only after it has also been flushed to disk (it then survives an OS
 * crash or power loss). Reads are synchronous and see committed data only.
 */
import { mkdir } from 'node:fs/promises';
import { type Database, type Key, asBinary, open as openLmdb, type RootDatabase } from 'lmdb';
import {
  DuplicateSignalError,
  IdConflictError,
  StoreClosedError,
  StoreInputError,
} from './errors.ts';
import { META_NEXT_SEQ, META_SCHEMA_VERSION, initMeta, openDbs, readNextSeq, structuredDbs, type Dbs } from './layout.ts';
import { migrateV1ToV2, migrateV2ToV3, openV1Index } from './migrations.ts';
import { encodeValue, invalidateSharedStructures, onWriterProgress } from './lmdb-internals.ts';
import { RecordReader, Reporter, defaultOnProblem } from './records.ts';
import {
  describeIssues,
  idSchema,
  isWellFormedTransition,
  orderListingKeySchema,
  orderListingTagSchema,
  transitionInputSchema,
  venueOrderRefSchema,
} from './schemas.ts';
import type {
  ActorRecord,
  BatchOutcome,
  Durability,
  EpochMs,
  JournalEntry,
  JournalRecord,
  OrderStoreOptions,
  SignalRecord,
  StoredActor,
  TransitionInput,
  VenueOrderRef,
  WriteOptions,
} from './types.ts';

interface Settings {
  readonly durability: Durability;
  readonly clock: () => EpochMs;
}

/** A batch of durability `'commit'` waiting for its transaction to become visible. */
interface VisibilityWaiter {
  /** Sequence number of the batch's last journal entry. */
  readonly lastSeq: number;
  readonly visible: () => void;
}

/** Where an order's actor record is: which database, or none yet. */
type RecordPlace = 'live' | 'archive' | 'none';

/**
 * An order's journal chain and record as issued so far by this process (committed or not): the seq of its
 * latest journal entry (the next one's `prevSeq`) and where its latest record goes. Mutated in place.
 */
interface OrderChain {
  seq: number | null;
  place: RecordPlace;
  /** The seq of the order's first journal entry (its listing place), when known. */
  first: number | null;
}

/** A batch of transitions checked, numbered and encoded, ready to be written. */
interface PreparedBatch {
  readonly outcomes: BatchOutcome[];
  readonly journal: ReadonlyArray<{ readonly seq: number; readonly value: Uint8Array }>;
  /** One per order: its last snapshot of the batch; `removeFrom`: the database its record leaves, if it moves. */
  readonly records: ReadonlyArray<{ readonly cid: string; readonly live: boolean; readonly value: Uint8Array; readonly removeFrom: RecordPlace }>;
  readonly signals: ReadonlyArray<{ readonly id: string; readonly value: Uint8Array }>;
  readonly links: ReadonlyArray<{ readonly cid: string; readonly ref: VenueOrderRef; readonly byClient: Uint8Array; readonly byVenue: Uint8Array }>;
  /** Orders first recorded by this batch: their `orders.byFirstSeq` keys and listing tags. */
  readonly listed: ReadonlyArray<{ readonly seq: number; readonly cid: string; readonly tag: string | null }>;
  /** `meta.nextSeq` once written. */
  readonly nextSeq: number;
  /** Journal entries to write (0: every transition was refused, nothing to write). */
  readonly writes: number;
  /** Forgets the batch's pending signal ids and venue links (once committed, or failed). */
  release(): void;
  /** Once committed: forgets the chains of the orders it archived (unless written again meanwhile). */
  settle(): void;
}

type VenueLinkState =
  | { readonly kind: 'new' | 'same' }
  | {
      readonly kind: 'conflict';
      readonly existing: { readonly clientOrderId?: string; readonly venueOrder?: VenueOrderRef };
    };

/** Result of {@link OrderStore.putSignal}. */
export interface SignalPutResult {
  /** `false` when the signal id was already recorded; `record` is then the first one. */
  readonly created: boolean;
  readonly record: SignalRecord;
}

/** Default initial LMDB map size, bytes: 4 GiB of address space, not of disk (see {@link OrderStoreOptions.mapSize}). */
export const DEFAULT_MAP_SIZE = 4 * 1024 ** 3;

export class OrderStore {
  private closed = false;
  private readonly read: RecordReader;
  /**
   * The next journal sequence number to hand out. This process is the store's only writer (one
   * daemon per data directory), so numbers are allocated here rather than read inside each
   * transaction; `meta.nextSeq` is written in the same transaction as the entries that use them.
   * A refused item takes no number; a batch that fails to commit leaves a gap, never a reuse.
   */
  private nextSeq: number;
  /** Writes of archive / linkVenueOrder / putSignal (transaction callbacks, see {@link write}) not yet settled. */
  private readonly checkedWrites = new Set<Promise<unknown>>();
  /** `commitTransitions` calls waiting for {@link checkedWrites}, and the chain they wait on, in call order. */
  private waitingCalls = 0;
  private waitQueue: Promise<void> = Promise.resolve();
  /** Batches of durability `'commit'` not yet seen committed, oldest first (see {@link visibleOrSettled}). */
  private readonly visibilityWaiters: VisibilityWaiter[] = [];
  /** True when lmdb's writer thread wakes this one as each transaction becomes visible (see `onWriterProgress`). */
  private readonly writerWakeups: boolean;
  /** Signals of transitions issued and not yet committed (the check of a later signal sees them). */
  private readonly pendingSignals = new Map<string, SignalRecord>();
  /** Venue links of transitions issued and not yet committed, both ways (key of the second: {@link venueKey}). */
  private readonly pendingVenueByClient = new Map<string, VenueOrderRef>();
  private readonly pendingClientByVenue = new Map<string, string>();
  /**
   * The chains of the orders written by this process (see {@link OrderChain}): each new journal entry gets
   * its `prevSeq` from here, and a record write learns whether the order's record leaves the other database,
   * without a read. An order not here is looked up once (its record). Entries of archived orders are dropped
   * once that write is committed; all of them when a batch fails (they may name entries never written).
   */
  private readonly chains = new Map<string, OrderChain>();

  private constructor(
    private readonly root: RootDatabase<unknown, string>,
    private readonly dbs: Dbs,
    private readonly settings: Settings,
    private readonly reporter: Reporter,
  ) {
    this.read = new RecordReader(dbs, reporter);
    this.nextSeq = readNextSeq(dbs.meta);
    this.writerWakeups = onWriterProgress(root, () => this.checkVisibility());
  }

  /**
   * Opens (creating if needed) the store in directory `dir`.
   *
   * LMDB options: `overlappingSync: true` (a transaction is visible, and survives a crash of
   * this process, before its fsync, which overlaps the next transaction; `flushed` tells when it is on disk),
   * `noSync`/`noMetaSync: false` (never trade durability for speed), event-turn
   * batching on (all writes issued in one event-loop turn share a transaction),
   * `sharedStructuresKey` on the record databases (smaller records, faster
   * decoding), no compression, no lmdb-js value cache, a 4 GiB initial map ({@link DEFAULT_MAP_SIZE}).
   *
   * @throws StoreSchemaError when the directory holds another schema version.
   */
  static async open(dir: string, options: OrderStoreOptions = {}): Promise<OrderStore> {
    const settings: Settings = { durability: options.durability ?? 'flush', clock: options.clock ?? Date.now };
    const reporter = new Reporter(options.onProblem ?? defaultOnProblem);
    await mkdir(dir, { recursive: true });
    const root = openLmdb<unknown, string>({
      path: dir,
      maxDbs: 16,
      overlappingSync: true,
      noSync: false,
      noMetaSync: false,
      eventTurnBatching: true,
      compression: false,
      cache: false,
      mapSize: options.mapSize ?? DEFAULT_MAP_SIZE,
    });
    const dbs = openDbs(root);
    try {
      const v1Index = openV1Index(root, dbs.meta.get(META_SCHEMA_VERSION));
      const upgrades = new Map<number, () => void>();
      if (v1Index !== undefined) {
        upgrades.set(1, () => {
          migrateV1ToV2(dbs, v1Index, reporter);
          migrateV2ToV3(dbs, reporter);
        });
      }
      upgrades.set(2, () => void migrateV2ToV3(dbs, reporter));
      root.transactionSync(() =>
        initMeta(dbs, settings.clock(), (detail) => reporter.report('meta', META_NEXT_SEQ, 'schema', detail), upgrades),
      );
    } catch (error) {
      await root.close();
      throw error;
    }
    return new OrderStore(root, dbs, settings, reporter);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Persists one transition in ONE transaction: the actor record (moved to the
   * archive when `live` is false), the journal entry (linked to the order's previous one), and
   * optionally the venue id link and the signal's first result.
   *
   * Inputs are encoded when the transaction runs (this or a later event-loop
   * turn): do not mutate them after the call. Calls made in the same turn share
   * one LMDB transaction (each in its own child transaction, so a failing one
   * writes nothing and does not affect the others).
   *
   * @returns the transition's sequence number, once committed (and flushed, per durability).
   * @throws StoreInputError, DuplicateSignalError (signal already recorded), IdConflictError — nothing written.
   */
  async commitTransition(input: TransitionInput, options: WriteOptions = {}): Promise<number> {
    const [outcome] = await this.commitTransitions([input], options);
    if (outcome === undefined) throw new Error('order store: empty batch outcome');
    switch (outcome.status) {
      case 'committed':
        return outcome.seq;
      case 'duplicate-signal':
        throw new DuplicateSignalError(outcome.first);
      case 'id-conflict':
        throw new IdConflictError(outcome.clientOrderId, outcome.venueOrder, outcome.existing);
    }
  }

  /**
   * Persists many transitions in ONE transaction (for throughput), in order;
   * sequence numbers are allocated in array order. An item refused for a
   * duplicate signal or an id conflict writes nothing, takes no sequence number
   * and does not affect the other orders' items; the same order's later items in
   * the batch are refused with the same outcome (each builds on the refused one,
   * e.g. a signal's SUBMIT on its intent). Any other failure (e.g. a payload msgpack
   * cannot encode, a failed commit) fails the whole batch: nothing of it is
   * written and the promise rejects.
   *
   * The checks (signal recorded before, venue ids linked otherwise) are made when
   * the call is made, against what is committed and what earlier calls have
   * issued but not yet committed (this process is the store's only writer); the
   * values are encoded at once and queued as lmdb-js asynchronous writes, which
   * join this event turn's transaction and are carried out by lmdb's writer
   * thread, beside this one.
   *
   * @returns one outcome per input, once committed (and flushed, per durability).
   * @throws StoreInputError (nothing queued) when any input is invalid.
   */
  async commitTransitions(
    inputs: readonly TransitionInput[],
    options: WriteOptions = {},
  ): Promise<BatchOutcome[]> {
    this.assertOpen();
    const transitions = inputs.map((input, index) => parseTransition(input, index));
    if (transitions.length === 0) return [];
    // archive / linkVenueOrder / putSignal run as transaction callbacks, which lmdb-js runs after the plain
    // writes queued in their turn: transitions wait for them, to be checked against them and to land after them.
    if (this.checkedWrites.size > 0 || this.waitingCalls > 0) {
      // Calls that wait resume in the order they were made (one promise chain).
      this.waitingCalls++;
      const turn = (this.waitQueue = this.waitQueue.then(async () => {
        while (this.checkedWrites.size > 0) await Promise.allSettled([...this.checkedWrites]);
      }));
      try {
        await turn;
      } finally {
        this.waitingCalls--;
      }
    }
    const batch = this.prepare(transitions);
    if (batch.writes === 0) return batch.outcomes;
    let written: Promise<boolean>;
    try {
      this.writeBatch(batch);
      // Every write queued above is unconditional: they share this one promise of the turn's transaction.
      written = this.dbs.meta.put(META_NEXT_SEQ, batch.nextSeq);
    } catch (error) {
      this.forgetUnsavedStructures();
      this.chains.clear();
      batch.release();
      throw error;
    }
    const settled = written
      .then(
        () => batch.settle(),
        (error: unknown) => {
          this.forgetUnsavedStructures(); // the whole LMDB transaction may have failed to commit
          this.chains.clear();
          throw error;
        },
      )
      .finally(() => batch.release());
    if ((options.durability ?? this.settings.durability) === 'flush') {
      await settled;
      await this.root.flushed;
    } else {
      await this.visibleOrSettled(batch.nextSeq - 1, settled);
    }
    return batch.outcomes;
  }

  /**
   * Resolves once journal entry `lastSeq` (the last of a batch) is readable, i.e. the batch's
   * transaction has committed, or when `settled` resolves, whichever is first; rejects with
   * `settled`'s error when that comes first.
   *
   * Why: with `overlappingSync`, lmdb's writer thread makes a transaction visible (data and meta
   * page written to the file: it survives a crash of this process) and then fsyncs it before
   * lmdb-js resolves its promise, so that promise means "flushed". Durability `'commit'` needs
   * only the first. The batch is read back (one read-transaction renewal, and a key look-up per
   * batch, oldest first, up to the first one not yet visible) each time lmdb's writer thread reports
   * progress (`onWriterProgress`: it does as soon as a transaction is visible). Where that hook cannot
   * be installed (another lmdb-js), `settled` answers, after the fsync.
   */
  private visibleOrSettled(lastSeq: number, settled: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let open = true;
      const waiter: VisibilityWaiter = {
        lastSeq,
        visible: () => {
          if (!open) return;
          open = false;
          resolve();
        },
      };
      settled.then(
        () => {
          this.dropWaiter(waiter);
          waiter.visible();
        },
        (error: unknown) => {
          this.dropWaiter(waiter);
          if (open) {
            open = false;
            reject(error);
            return;
          }
          // Seen committed, then the fsync that follows failed: committed, but not on disk.
          process.emitWarning(`order store: a committed batch failed to flush: ${error instanceof Error ? error.message : String(error)}`, {
            code: 'ORDER_STORE_FLUSH_FAILED',
          });
        },
      );
      // Without the writer's wake-ups (see `onWriterProgress`) nobody reads it back: `settled` answers it, after the fsync.
      if (this.writerWakeups) this.visibilityWaiters.push(waiter);
    });
  }

  private dropWaiter(waiter: VisibilityWaiter): void {
    const i = this.visibilityWaiters.indexOf(waiter);
    if (i >= 0) this.visibilityWaiters.splice(i, 1);
  }

  /** Answers the waiting batches that read back now (called on each progress report of lmdb's writer thread). */
  private checkVisibility(): void {
    if (this.closed || this.visibilityWaiters.length === 0) return;
    try {
      this.root.resetReadTxn(); // read what is committed now
      // Batches commit in the order they were queued: the oldest waiting is the first to become visible.
      let w = this.visibilityWaiters[0];
      while (w !== undefined && this.dbs.journal.doesExist(w.lastSeq)) {
        this.visibilityWaiters.shift();
        w.visible();
        w = this.visibilityWaiters[0];
      }
    } catch {
      // A read that fails here (e.g. the environment is closing) answers nobody: the waiting batches are
      // answered when lmdb-js settles their writes.
    }
  }

  /**
   * Checks every transition, reserves sequence numbers and pending signal ids / venue links for
   * the admitted ones, and encodes everything they write. Nothing is reserved when it throws
   * (a value that cannot be encoded).
   */
  private prepare(transitions: readonly TransitionInput[]): PreparedBatch {
    const now = this.settings.clock();
    const first = this.nextSeq;
    let next = first;
    const outcomes: BatchOutcome[] = [];
    const journal: Array<{ seq: number; value: Uint8Array }> = [];
    /**
     * One per order: its last record of the batch, its chain, and the chain as it was before the batch (`origin`,
     * `prevSeq`, `prevFirst`; `existed: false` when the batch made it), to put back if the batch fails here.
     */
    const records = new Map<
      string,
      { record: ActorRecord; chain: OrderChain; origin: RecordPlace; prevSeq: number | null; prevFirst: number | null; existed: boolean }
    >();
    const signals: SignalRecord[] = [];
    const links: Array<{ cid: string; ref: VenueOrderRef }> = [];
    const listed: Array<{ seq: number; cid: string; tag: string | null }> = [];
    const release = (): void => {
      for (const r of signals) if (this.pendingSignals.get(r.signalId) === r) this.pendingSignals.delete(r.signalId);
      for (const { cid, ref } of links) {
        if (this.pendingVenueByClient.get(cid) === ref) this.pendingVenueByClient.delete(cid);
        if (this.pendingClientByVenue.get(venueKey(ref)) === cid) this.pendingClientByVenue.delete(venueKey(ref));
      }
    };
    try {
      /** Orders with a refused item in this batch, and why: their later items are refused the same way. */
      let refused: Map<string, BatchOutcome> | undefined;
      const refuse = (cid: string, outcome: BatchOutcome): void => {
        (refused ??= new Map()).set(cid, outcome);
        outcomes.push(outcome);
      };
      for (const t of transitions) {
        const cid = t.clientOrderId;
        const earlier = refused?.get(cid);
        if (earlier !== undefined) {
          outcomes.push(earlier);
          continue;
        }
        if (t.signal !== undefined) {
          const firstRecord = this.pendingSignals.get(t.signal.id) ?? this.read.signal(t.signal.id);
          if (firstRecord !== undefined) {
            refuse(cid, { status: 'duplicate-signal', first: firstRecord });
            continue;
          }
        }
        let ref: VenueOrderRef | undefined;
        if (t.venueOrder !== undefined) {
          const link = this.venueLinkState(cid, t.venueOrder);
          if (link.kind === 'conflict') {
            refuse(cid, { status: 'id-conflict', clientOrderId: cid, venueOrder: t.venueOrder, existing: link.existing });
            continue;
          }
          if (link.kind === 'new') ref = { symbol: t.venueOrder.symbol, orderId: t.venueOrder.orderId };
        }
        if (t.signal !== undefined) {
          const record: SignalRecord = { signalId: t.signal.id, clientOrderId: cid, result: t.signal.result, at: now };
          this.pendingSignals.set(record.signalId, record);
          signals.push(record);
        }
        if (ref !== undefined) {
          this.pendingVenueByClient.set(cid, ref);
          this.pendingClientByVenue.set(venueKey(ref), cid);
          links.push({ cid, ref });
        }
        const seq = next++;
        const prior = records.get(cid);
        const existed = prior !== undefined ? prior.existed : this.chains.has(cid);
        const chain = this.chainOf(cid);
        const isFirst = chain.place === 'none' && chain.seq === null; // the order's first entry and record
        const firstSeq = isFirst ? seq : chain.first;
        const e = t.journalEntry;
        const entry: JournalEntry = { clientOrderId: cid, event: e.event, from: e.from, to: e.to, at: e.at ?? now, prevSeq: chain.seq };
        journal.push({ seq, value: encodeValue(this.dbs.journal, entry) });
        const record: ActorRecord =
          firstSeq === null
            ? { version: t.version, snapshot: t.snapshot, seq, live: t.live, updatedAt: now }
            : { version: t.version, snapshot: t.snapshot, seq, firstSeq, live: t.live, updatedAt: now };
        records.set(cid, {
          record,
          chain,
          origin: prior !== undefined ? prior.origin : chain.place,
          prevSeq: prior !== undefined ? prior.prevSeq : chain.seq,
          prevFirst: prior !== undefined ? prior.prevFirst : chain.first,
          existed,
        });
        // The chain moves on only now, its previous state kept above.
        if (isFirst) listed.push({ seq, cid, tag: t.listingTag ?? null });
        chain.first = firstSeq;
        chain.seq = seq;
        chain.place = t.live ? 'live' : 'archive';
        outcomes.push({ status: 'committed', seq });
      }
      // One snapshot per order per batch: the last one (its journal entries are all written).
      const recordValues = [...records].map(([cid, { record: r, origin }]) => ({
        cid,
        live: r.live,
        value: encodeValue(r.live ? this.dbs.live : this.dbs.archive, r),
        removeFrom: origin === (r.live ? 'archive' : 'live') ? origin : ('none' as const),
      }));
      const signalValues = signals.map((r) => ({ id: r.signalId, value: encodeValue(this.dbs.signals, r) }));
      const linkValues = links.map(({ cid, ref }) => ({
        cid,
        ref,
        byClient: encodeValue(this.dbs.venueByClient, { symbol: ref.symbol, orderId: ref.orderId }),
        byVenue: encodeValue(this.dbs.clientByVenue, cid),
      }));
      this.nextSeq = next;
      const settle = (): void => {
        for (const [cid, { record, chain }] of records) {
          if (!record.live && chain.seq === record.seq && this.chains.get(cid) === chain) this.chains.delete(cid);
        }
      };
      return { outcomes, journal, records: recordValues, signals: signalValues, links: linkValues, listed, nextSeq: next, writes: journal.length, release, settle };
    } catch (error) {
      release();
      // Chains already advanced for this batch's transitions name entries that will not be written: put them back
      // (those of other orders, and of this batch's orders before it, stand: their entries are queued).
      for (const [cid, r] of records) {
        if (!r.existed) {
          if (this.chains.get(cid) === r.chain) this.chains.delete(cid);
          continue;
        }
        r.chain.seq = r.prevSeq;
        r.chain.place = r.origin;
        r.chain.first = r.prevFirst;
      }
      this.forgetUnsavedStructures();
      throw error;
    }
  }

  /** Queues a prepared batch as lmdb-js asynchronous writes, joining this event turn's transaction. */
  private writeBatch(b: PreparedBatch): void {
    const put = <K extends Key>(db: Database<unknown, K>, key: K, value: unknown): void => void db.put(key, value);
    const remove = <K extends Key>(db: Database<unknown, K>, key: K): void => void db.remove(key);
    for (const j of b.journal) put(this.dbs.journal, j.seq, asBinary(j.value));
    for (const r of b.records) {
      put(r.live ? this.dbs.live : this.dbs.archive, r.cid, asBinary(r.value));
      if (r.removeFrom !== 'none') remove(r.removeFrom === 'live' ? this.dbs.live : this.dbs.archive, r.cid);
    }
    for (const sig of b.signals) put(this.dbs.signals, sig.id, asBinary(sig.value));
    for (const l of b.listed) put(this.dbs.ordersByFirstSeq, [l.seq, l.cid], l.tag);
    for (const l of b.links) {
      put(this.dbs.venueByClient, l.cid, asBinary(l.byClient));
      put(this.dbs.clientByVenue, [l.ref.symbol, l.ref.orderId], asBinary(l.byVenue));
    }
  }

  /**
   * Moves a live actor to the archive (`live: false`, `updatedAt` now); it stays
   * readable through {@link getActor} and its journal. No journal entry is written.
   *
   * @returns `false` when the order is not live (unknown, already archived, or unreadable).
   */
  async archive(clientOrderId: string, options: WriteOptions = {}): Promise<boolean> {
    this.assertOpen();
    const cid = parseId(clientOrderId, 'clientOrderId');
    return this.write(options, () => {
      const record = this.read.actor('live', cid);
      if (record === undefined) return false;
      this.dbs.archive.putSync(cid, { ...record, live: false, updatedAt: this.settings.clock() });
      this.dbs.live.removeSync(cid);
      this.chains.delete(cid); // its record moved: looked up again at its next transition
      return true;
    });
  }

  /**
   * Links a client order id and a venue order id in both directions (idempotent).
   *
   * @throws IdConflictError when either side is already linked to something else (nothing written).
   */
  async linkVenueOrder(
    clientOrderId: string,
    venueOrder: VenueOrderRef,
    options: WriteOptions = {},
  ): Promise<void> {
    this.assertOpen();
    const cid = parseId(clientOrderId, 'clientOrderId');
    const ref = parseVenueRef(venueOrder);
    const state = await this.write(options, () => {
      const found = this.venueLinkState(cid, ref);
      if (found.kind === 'new') this.writeVenueLink(cid, ref);
      return found;
    });
    if (state.kind === 'conflict') throw new IdConflictError(cid, ref, state.existing);
  }

  /**
   * Records a signal's first result unless the id is already recorded (use it
   * for signals that create no order, e.g. rejected ones; a signal that creates
   * an order goes with the order's first transition instead).
   *
   * @returns the stored record: the new one (`created: true`) or the first one.
   */
  async putSignal(
    input: { readonly signalId: string; readonly result: unknown; readonly clientOrderId?: string | null },
    options: WriteOptions = {},
  ): Promise<SignalPutResult> {
    this.assertOpen();
    const signalId = parseId(input.signalId, 'signalId');
    const clientOrderId =
      input.clientOrderId === undefined || input.clientOrderId === null
        ? null
        : parseId(input.clientOrderId, 'clientOrderId');
    if (input.result === undefined) throw new StoreInputError('result: required');
    return this.write(options, () => {
      const first = this.read.signal(signalId);
      if (first !== undefined) return { created: false, record: first };
      const record: SignalRecord = { signalId, clientOrderId, result: input.result, at: this.settings.clock() };
      this.dbs.signals.putSync(signalId, record);
      return { created: true, record };
    });
  }

  /** Resolves when every write issued so far is committed and flushed to disk. */
  async flush(): Promise<void> {
    this.assertOpen();
    await this.root.flushed;
  }

  /** Waits for pending writes to commit and flush, then closes the environment. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.flushed;
    await this.root.close();
  }

  // ---------------------------------------------------------------- reads

  /** The actor's record, live or archived; `undefined` when unknown or unreadable (reported). */
  getActor(clientOrderId: string): ActorRecord | undefined {
    this.assertOpen();
    if (!idSchema.safeParse(clientOrderId).success) return undefined;
    return (
      this.read.actor('live', clientOrderId) ??
      this.read.actor('archive', clientOrderId)
    );
  }

  /** True when the store holds a record of the order, live or archived, readable or not (no decoding). */
  hasActor(clientOrderId: string): boolean {
    this.assertOpen();
    if (!idSchema.safeParse(clientOrderId).success) return false;
    return this.dbs.live.doesExist(clientOrderId) || this.dbs.archive.doesExist(clientOrderId);
  }

  /**
   * Every live actor, lazily, in client-order-id order, from one read snapshot
   * (keep the iteration short: an open iteration pins old pages). Records that
   * do not decode or parse are reported and skipped. Archived actors are in
   * another database and cost nothing here.
   */
  listLive(): Iterable<StoredActor> {
    this.assertOpen();
    return this.read.liveActors();
  }

  /** Every archived actor record (final orders, kept for queries), lazily, in client order id order; unreadable records are reported and skipped. */
  listArchived(): Iterable<StoredActor> {
    this.assertOpen();
    return this.read.archivedActors();
  }

  /**
   * Client order ids of every order the store has recorded (live or archived), in the order it first recorded
   * them: by the seq of the order's first journal entry, ascending, or descending with `newestFirst` (schema 3;
   * an order from an older store whose journal did not read back is listed at the seq of its record), each with
   * the `listingTag` its first transition gave (`tag`; absent when it gave none, e.g. orders from before
   * schema 3). No record is decoded. A key of another shape is reported and skipped, so a page can be shorter
   * than `limit` with more to come: only an empty page is the end; a tag that does not read back is reported
   * and read as absent.
   *
   * @param options.after exclusive bound: entries after this seq in the chosen direction (a previous page's last `seq`).
   * @param options.limit most entries to return (default 1,000).
   * @throws StoreInputError when `after` is not an integer ≥ 0 or `limit` not a positive integer.
   */
  listOrderIds(
    options: { readonly after?: number; readonly newestFirst?: boolean; readonly limit?: number } = {},
  ): Array<{ readonly seq: number; readonly clientOrderId: string; readonly tag?: string }> {
    this.assertOpen();
    const { after, newestFirst = false, limit = 1_000 } = options;
    if (after !== undefined && (!Number.isSafeInteger(after) || after < 0)) throw new StoreInputError(`after: expected an integer >= 0, got ${after}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreInputError(`limit: expected a positive integer, got ${limit}`);
    // Keys sort by seq, then id: [n] sorts before every [n, id], so [after + 1] is the first key after `after`
    // going up, and going down from [after] the first key is the last one below it.
    const start = after === undefined ? undefined : ((newestFirst ? [after] : [after + 1]) as unknown as [number, string]);
    const range = { ...(start === undefined ? {} : { start }), reverse: newestFirst, limit };
    const db = this.dbs.ordersByFirstSeq;
    let entries: Array<{ key: unknown; value: unknown }>;
    try {
      entries = [...db.getRange(range)].map(({ key, value }) => ({ key, value }));
    } catch (error) {
      // A value that does not decode: this page's keys without their tags.
      this.reporter.decode('orders.byFirstSeq', start ?? 'start', error);
      entries = [...db.getKeys(range)].map((key) => ({ key, value: null }));
    }
    const out: Array<{ seq: number; clientOrderId: string; tag?: string }> = [];
    for (const { key, value } of entries) {
      const parsed = orderListingKeySchema.safeParse(key);
      if (!parsed.success) {
        this.reporter.report('orders.byFirstSeq', key, 'schema', describeIssues(parsed.error));
        continue;
      }
      const tag = orderListingTagSchema.safeParse(value);
      if (!tag.success) this.reporter.report('orders.byFirstSeq', key, 'schema', describeIssues(tag.error));
      const entry = { seq: parsed.data[0], clientOrderId: parsed.data[1] };
      out.push(tag.success && tag.data !== null ? { ...entry, tag: tag.data } : entry);
    }
    return out;
  }

  /** Number of live actors (walks the live database's keys; no values decoded). */
  countLive(): number {
    this.assertOpen();
    return this.dbs.live.getCount();
  }

  /**
   * The order's journal, oldest first: its record's `seq`, then each entry's `prevSeq` (one lookup per entry).
   * A chain that reaches a missing entry, or another order's, is reported (`dangling-index`) and cut there.
   */
  journalFor(clientOrderId: string): JournalRecord[] {
    this.assertOpen();
    if (!idSchema.safeParse(clientOrderId).success) return [];
    const record = this.getActor(clientOrderId);
    return record === undefined ? [] : this.read.journalFor(clientOrderId, record.seq);
  }

  /**
   * Journal entries with `seq > afterSeq`, lazily, in sequence order (all
   * orders). `journalSince(0)` reads the whole journal.
   *
   * @param afterSeq exclusive lower bound (integer ≥ 0).
   * @param limit most entries to read.
   */
  journalSince(afterSeq: number, limit?: number): Iterable<JournalRecord> {
    this.assertOpen();
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
      throw new StoreInputError(`afterSeq: expected an integer >= 0, got ${afterSeq}`);
    }
    return this.read.journalSince(afterSeq, limit);
  }

  /** The highest sequence number committed so far (0 for an empty store). */
  lastSeq(): number {
    this.assertOpen();
    return readNextSeq(this.dbs.meta) - 1;
  }

  /** The venue id linked to a client order id. */
  venueIdFor(clientOrderId: string): VenueOrderRef | undefined {
    this.assertOpen();
    if (!idSchema.safeParse(clientOrderId).success) return undefined;
    return this.read.venueRef(clientOrderId);
  }

  /** The client order id linked to a venue id. */
  clientIdFor(venueOrder: VenueOrderRef): string | undefined {
    this.assertOpen();
    if (!venueOrderRefSchema.safeParse(venueOrder).success) return undefined;
    return this.read.clientId(venueOrder);
  }

  /** The first result recorded for a signal id. */
  getSignal(signalId: string): SignalRecord | undefined {
    this.assertOpen();
    if (!idSchema.safeParse(signalId).success) return undefined;
    return this.read.signal(signalId);
  }

  // ---------------------------------------------------------------- internals

  /**
   * Runs `work` as a child transaction of the current event-turn batch; a throw
   * aborts only this child (nothing of it is written). Resolves after commit,
   * and after the flush when durability is `'flush'`.
   */
  private async write<T>(options: WriteOptions, work: () => T): Promise<T> {
    const pending = this.root
      .childTransaction(() => {
        try {
          return work();
        } catch (error) {
          this.forgetUnsavedStructures(); // before the next callback of this batch encodes anything
          throw error;
        }
      })
      .catch((error: unknown) => {
        this.forgetUnsavedStructures(); // the whole LMDB transaction may have failed to commit
        throw error;
      });
    this.checkedWrites.add(pending);
    let result: T;
    try {
      result = await pending;
    } finally {
      this.checkedWrites.delete(pending);
    }
    if ((options.durability ?? this.settings.durability) === 'flush') await this.root.flushed;
    return result;
  }

  /** See `lmdb-internals.ts`: an aborted child may have taken new msgpack layouts with it. */
  private forgetUnsavedStructures(): void {
    for (const db of structuredDbs(this.dbs)) invalidateSharedStructures(db);
  }

  /**
   * The order's chain as issued so far; an order not written since open is looked up: where its record is
   * (even an unreadable one, which must not stay behind when the order's record moves) and its `seq`.
   */
  private chainOf(cid: string): OrderChain {
    let chain = this.chains.get(cid);
    if (chain === undefined) {
      const place: RecordPlace = this.dbs.live.doesExist(cid) ? 'live' : this.dbs.archive.doesExist(cid) ? 'archive' : 'none';
      const record = place === 'none' ? undefined : this.read.actor(place, cid);
      chain = { seq: record?.seq ?? null, place, first: record?.firstSeq ?? null };
      this.chains.set(cid, chain);
    }
    return chain;
  }

  /** How `cid` ↔ `ref` stands against what is committed and what is issued but not yet committed. */
  private venueLinkState(cid: string, ref: VenueOrderRef): VenueLinkState {
    const venueOrder = this.pendingVenueByClient.get(cid) ?? this.read.venueRef(cid);
    const clientOrderId = this.pendingClientByVenue.get(venueKey(ref)) ?? this.read.clientId(ref);
    const sameRef = venueOrder !== undefined && venueOrder.symbol === ref.symbol && venueOrder.orderId === ref.orderId;
    if ((venueOrder !== undefined && !sameRef) || (clientOrderId !== undefined && clientOrderId !== cid)) {
      return {
        kind: 'conflict',
        existing: {
          ...(clientOrderId === undefined ? {} : { clientOrderId }),
          ...(venueOrder === undefined ? {} : { venueOrder }),
        },
      };
    }
    return sameRef && clientOrderId === cid ? { kind: 'same' } : { kind: 'new' };
  }

  private writeVenueLink(cid: string, ref: VenueOrderRef): void {
    this.dbs.venueByClient.putSync(cid, { symbol: ref.symbol, orderId: ref.orderId });
    this.dbs.clientByVenue.putSync([ref.symbol, ref.orderId], cid);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

/** Key of a venue order id in the pending-link map. */
function venueKey(ref: VenueOrderRef): string {
  return `${ref.symbol}\u0000${ref.orderId}`;
}

function parseTransition(input: TransitionInput, index: number): TransitionInput {
  if (isWellFormedTransition(input)) return input;
  const parsed = transitionInputSchema.safeParse(input);
  if (!parsed.success) throw new StoreInputError(`transition ${index}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function parseId(value: string, name: string): string {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new StoreInputError(`${name}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function parseVenueRef(value: VenueOrderRef): VenueOrderRef {
  const parsed = venueOrderRefSchema.safeParse(value);
  if (!parsed.success) throw new StoreInputError(`venueOrder: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

