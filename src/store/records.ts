/**
 * Validated reads: every value read back goes through its zod schema; a value
 * that does not decode or parse is reported (never thrown) and read as absent
 * or skipped. Works in read transactions and inside write transactions alike.
 */
import type { Database, Key } from 'lmdb';
import type { Dbs } from './layout.ts';
import { getDecoded, scanRange } from './scan.ts';
import {
  actorRecordSchema,
  describeIssues,
  idSchema,
  journalEntrySchema,
  seqSchema,
  signalRecordSchema,
  venueOrderRefSchema,
} from './schemas.ts';
import type {
  ActorRecord,
  JournalEntry,
  JournalRecord,
  SignalRecord,
  StoreDbName,
  StoreReadProblem,
  StoredActor,
  VenueOrderRef,
} from './types.ts';

/** Forwards problems to the user's `onProblem`; never throws (a failing callback must not abort a transaction). */
export class Reporter {
  constructor(private readonly onProblem: (problem: StoreReadProblem) => void) {}

  report(db: StoreDbName, key: unknown, kind: StoreReadProblem['kind'], detail: string): void {
    try {
      this.onProblem({ db, key: renderKey(key), kind, detail });
    } catch {
      // ignored on purpose
    }
  }

  decode(db: StoreDbName, key: unknown, error: unknown): void {
    this.report(db, key, 'decode', error instanceof Error ? error.message : String(error));
  }
}

/** Default `onProblem`: a process warning with code `ORDER_STORE_UNREADABLE_RECORD`. */
export function defaultOnProblem(problem: StoreReadProblem): void {
  process.emitWarning(
    `order store: unreadable record in ${problem.db} at ${problem.key} (${problem.kind}): ${problem.detail}`,
    { code: 'ORDER_STORE_UNREADABLE_RECORD' },
  );
}

export class RecordReader {
  constructor(
    private readonly dbs: Dbs,
    private readonly reporter: Reporter,
  ) {}

  actor(which: 'live' | 'archive', cid: string): ActorRecord | undefined {
    const name: StoreDbName = which === 'live' ? 'actors.live' : 'actors.archive';
    return this.one(this.dbs[which], name, cid, (raw) => actorRecordSchema.safeParse(raw));
  }

  journal(seq: number): JournalEntry | undefined {
    return this.one(this.dbs.journal, 'journal', seq, (raw) => journalEntrySchema.safeParse(raw));
  }

  signal(signalId: string): SignalRecord | undefined {
    return this.one(this.dbs.signals, 'signals', signalId, (raw) => signalRecordSchema.safeParse(raw));
  }

  venueRef(cid: string): VenueOrderRef | undefined {
    return this.one(this.dbs.venueByClient, 'ids.venueByClient', cid, (raw) => venueOrderRefSchema.safeParse(raw));
  }

  clientId(ref: VenueOrderRef): string | undefined {
    const key: [string, string] = [ref.symbol, ref.orderId];
    return this.one(this.dbs.clientByVenue, 'ids.clientByVenue', key, (raw) => idSchema.safeParse(raw));
  }

  /** Live actors in key order, lazily; bad records reported and skipped. */
  liveActors(): Generator<StoredActor, void, undefined> {
    return this.actorsIn('live');
  }

  archivedActors(): Generator<StoredActor, void, undefined> {
    return this.actorsIn('archive');
  }

  private *actorsIn(which: 'live' | 'archive'): Generator<StoredActor, void, undefined> {
    const name = which === 'live' ? 'actors.live' : 'actors.archive';
    const onUndecodable = (key: Key, error: unknown): void => this.reporter.decode(name, key, error);
    for (const { key, value } of scanRange(which === 'live' ? this.dbs.live : this.dbs.archive, {}, onUndecodable)) {
      if (typeof key !== 'string') {
        this.reporter.report(name, key, 'schema', 'key is not a string');
        continue;
      }
      const parsed = actorRecordSchema.safeParse(value);
      if (!parsed.success) {
        this.reporter.report(name, key, 'schema', describeIssues(parsed.error));
        continue;
      }
      yield { clientOrderId: key, record: parsed.data };
    }
  }

  /** Journal entries with `seq > afterSeq`, lazily, in seq order. */
  *journalSince(afterSeq: number, limit: number | undefined): Generator<JournalRecord, void, undefined> {
    const onUndecodable = (key: Key, error: unknown): void => this.reporter.decode('journal', key, error);
    const range = { start: afterSeq, exclusiveStart: true, ...(limit === undefined ? {} : { limit }) };
    for (const { key, value } of scanRange(this.dbs.journal, range, onUndecodable)) {
      const seq = seqSchema.safeParse(key);
      if (!seq.success) {
        this.reporter.report('journal', key, 'schema', describeIssues(seq.error));
        continue;
      }
      const entry = journalEntrySchema.safeParse(value);
      if (!entry.success) {
        this.reporter.report('journal', key, 'schema', describeIssues(entry.error));
        continue;
      }
      yield { seq: seq.data, ...entry.data };
    }
  }

  /**
   * One order's journal, oldest first: the chain of `prevSeq` links back from `lastSeq` (its actor record's
   * `seq`). A link to a missing entry, to another order's, or not below its own entry is reported and ends the chain.
   */
  journalFor(cid: string, lastSeq: number): JournalRecord[] {
    const out: JournalRecord[] = [];
    let seq: number | null = lastSeq;
    while (seq !== null) {
      const entry = this.journal(seq);
      if (entry === undefined || entry.clientOrderId !== cid) {
        this.reporter.report('journal', seq, 'dangling-index', `the journal of ${cid} leads to entry ${seq}, missing or of another order`);
        break;
      }
      out.push({ seq, ...entry });
      if (entry.prevSeq !== null && entry.prevSeq >= seq) {
        this.reporter.report('journal', seq, 'schema', `prevSeq ${entry.prevSeq} is not below its own seq`);
        break;
      }
      seq = entry.prevSeq;
    }
    return out.reverse();
  }

  private one<K extends Key, T>(
    db: Database<unknown, K>,
    name: StoreDbName,
    key: K,
    parse: (raw: unknown) => { success: true; data: T } | { success: false; error: Parameters<typeof describeIssues>[0] },
  ): T | undefined {
    const raw = getDecoded(db, key, (k, error) => this.reporter.decode(name, k, error));
    if (raw === undefined) return undefined;
    const parsed = parse(raw);
    if (parsed.success) return parsed.data;
    this.reporter.report(name, key, 'schema', describeIssues(parsed.error));
    return undefined;
  }
}

function renderKey(key: unknown): string {
  if (typeof key === 'symbol') return key.toString();
  try {
    return JSON.stringify(key) ?? String(key);
  } catch {
    return String(key);
  }
}
