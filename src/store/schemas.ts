/**
 * Zod schemas at the store's boundary: inputs are checked before a transaction
 * is queued, records are checked when read back. Deliberately cheap: opaque
 * payloads (snapshot, event, signal result) are only checked for presence.
 */
import { z } from 'zod';
import type {
  ActorRecord,
  JournalEntry,
  SignalRecord,
  TransitionInput,
  VenueOrderRef,
} from './types.ts';

/** Longest id accepted as (part of) a key: 128 characters ≤ 512 bytes of UTF-8, far below LMDB's 1,978-byte key limit. */
export const MAX_ID_LENGTH = 128;

/**
 * Current on-disk layout; stored in `meta` under `META_SCHEMA_VERSION` (`layout.ts`).
 * - 1: an order's journal found through the index database `journal.byOrder` (`[clientOrderId, seq]` → null).
 * - 2: no index: each journal entry names the order's previous one (`prevSeq`). A version-1 store is
 *   migrated when opened (`migrations.ts`, `migrateV1ToV2`).
 * - 3: adds `orders.byFirstSeq` (`[seq of the order's first journal entry, clientOrderId]` → its listing tag
 *   or null): every order in the order the store first recorded it, for listings that page without reading
 *   every record; actor records carry `firstSeq`.
 *   Built from the journal when a version-1 or -2 store is opened (`migrateV2ToV3`).
 */
export const SCHEMA_VERSION = 3;

export const idSchema = z.string().min(1).max(MAX_ID_LENGTH);
/** ms since epoch (finite, non-negative). */
export const epochMsSchema = z.number().nonnegative();
export const seqSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const versionSchema = z.number().int().nonnegative();
/** An opaque payload that must be present (`undefined` means a lost or truncated record). */
const present = z.unknown().refine((v) => v !== undefined, { message: 'required' });

export const venueOrderRefSchema: z.ZodType<VenueOrderRef> = z.object({
  symbol: idSchema,
  orderId: idSchema,
});

export const actorRecordSchema: z.ZodType<ActorRecord> = z.object({
  version: versionSchema,
  snapshot: present,
  seq: seqSchema,
  firstSeq: seqSchema.optional(),
  live: z.boolean(),
  updatedAt: epochMsSchema,
});

export const journalEntrySchema: z.ZodType<JournalEntry> = z.object({
  clientOrderId: idSchema,
  event: present,
  from: z.string(),
  to: z.string(),
  at: epochMsSchema,
  prevSeq: seqSchema.nullable(),
});

export const signalRecordSchema: z.ZodType<SignalRecord> = z.object({
  signalId: idSchema,
  clientOrderId: idSchema.nullable(),
  result: present,
  at: epochMsSchema,
});

export const transitionInputSchema: z.ZodType<TransitionInput> = z.object({
  clientOrderId: idSchema,
  snapshot: present,
  version: versionSchema,
  journalEntry: z.object({
    event: present,
    from: z.string(),
    to: z.string(),
    at: epochMsSchema.optional(),
  }),
  live: z.boolean(),
  venueOrder: venueOrderRefSchema.optional(),
  signal: z.object({ id: idSchema, result: present }).optional(),
  listingTag: idSchema.optional(),
});

/**
 * True exactly when {@link transitionInputSchema} accepts `input` (the same rules, checked in place):
 * the store's hot path takes a well-formed transition as it is, with no parse copy, and runs the
 * schema only for one that is not, for its issues. Kept equal to the schema by a property test
 * (`test/store/schemas.test.ts`); change both together.
 */
export function isWellFormedTransition(input: unknown): input is TransitionInput {
  if (!isRecord(input)) return false;
  const { journalEntry: j, venueOrder: v, signal: g } = input;
  return (
    isId(input['clientOrderId']) &&
    input['snapshot'] !== undefined &&
    typeof input['version'] === 'number' &&
    Number.isSafeInteger(input['version']) &&
    input['version'] >= 0 &&
    typeof input['live'] === 'boolean' &&
    isRecord(j) &&
    j['event'] !== undefined &&
    typeof j['from'] === 'string' &&
    typeof j['to'] === 'string' &&
    (j['at'] === undefined || isEpochMs(j['at'])) &&
    (v === undefined || (isRecord(v) && isId(v['symbol']) && isId(v['orderId']))) &&
    (g === undefined || (isRecord(g) && isId(g['id']) && g['result'] !== undefined)) &&
    (input['listingTag'] === undefined || isId(input['listingTag']))
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= MAX_ID_LENGTH;
}

function isEpochMs(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Key of `journal.byOrder` (schema version 1 only; read by the migration): `[clientOrderId, seq]`. */
export const journalIndexKeySchema = z.tuple([idSchema, seqSchema]);
/** A key of `orders.byFirstSeq` (schema 3). */
export const orderListingKeySchema = z.tuple([seqSchema, idSchema]);
/** A value of `orders.byFirstSeq`: the order's listing tag, or null. */
export const orderListingTagSchema = idSchema.nullable();

/** One line per issue, e.g. `seq: Too small: expected number to be >0`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
