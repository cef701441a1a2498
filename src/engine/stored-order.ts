/**
 * How the engine stores an order's snapshot in `OrderStore` records (`TransitionInput.snapshot`,
 * `ActorRecord.snapshot`), and reads it back.
 *
 * Stored form: the persisted snapshot ({@link persistedSnapshotOf}) with its context's `intent` group —
 * set when the order is created and never changed — as msgpack bytes, packed once per order (cached by
 * the group's identity, which every later snapshot of the order shares) and reused by each of its
 * transitions. Every transition rewrites the order's record; encoding the unchanged intent was ~40 % of
 * encoding a record (~2.5 of ~6.2 µs per transition, `msgpackr` with the store's shared structures).
 * Records written with the intent as a plain object (before this form) read back alike.
 *
 * Pure computation; no I/O.
 */
import { Packr } from 'msgpackr';
import {
  type OrderContext,
  type OrderIntentFields,
  type OrderSnapshot,
  type PersistedOrderSnapshot,
  persistedSnapshotOf,
} from '../../machines/order.machine.ts';

/** Plain msgpack (no shared structures): the bytes decode on their own, wherever the record is read. */
const intentPackr = new Packr({ useRecords: false, moreTypes: false });

/** Packed intents by group identity: each order's is packed once; dropped with the order's last snapshot. */
const packedIntents = new WeakMap<OrderIntentFields, Uint8Array>();

/** An order snapshot as stored: {@link PersistedOrderSnapshot} with `context.intent` packed. */
export interface StoredOrderSnapshot extends Omit<PersistedOrderSnapshot, 'context'> {
  readonly context: Omit<OrderContext, 'intent'> & { readonly intent: Uint8Array };
}

/** The stored form of an order actor's snapshot (see the module comment). */
export function storedSnapshotOf(snapshot: OrderSnapshot): StoredOrderSnapshot {
  const persisted = persistedSnapshotOf(snapshot);
  const intent = persisted.context.intent;
  let packed = packedIntents.get(intent);
  if (packed === undefined) {
    packed = intentPackr.pack(intent);
    packedIntents.set(intent, packed);
  }
  return { ...persisted, context: { ...persisted.context, intent: packed } };
}

/**
 * The persisted snapshot of a stored record (`ActorRecord.snapshot` written by this engine, in either
 * form), for `createActor(orderMachine, { snapshot })` and for views. Only a record of the current
 * `ORDER_MACHINE_VERSION` has this shape: check the record's version first.
 * @throws Error when the packed intent does not decode (msgpackr's error).
 */
export function snapshotFromStore(stored: unknown): PersistedOrderSnapshot {
  const s = stored as PersistedOrderSnapshot | StoredOrderSnapshot;
  const intent: unknown = s.context.intent;
  if (!(intent instanceof Uint8Array)) return s as PersistedOrderSnapshot;
  const decoded = unpackIntent(intent);
  packedIntents.set(decoded, intent);
  return { ...s, context: { ...s.context, intent: decoded } };
}

/** @throws Error when the bytes are not msgpack of an object. */
function unpackIntent(bytes: Uint8Array): OrderIntentFields {
  const decoded: unknown = intentPackr.unpack(bytes);
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw new Error('stored order intent is not an object');
  return decoded as OrderIntentFields;
}

/**
 * The context of a stored snapshot of any machine version, for `orderContextOf` (which converts older
 * versions' contexts): the packed intent decoded, anything else as stored; undefined when there is no
 * context or its packed intent does not decode (never throws: venue stream handlers call it).
 */
export function storedContextOf(stored: unknown): unknown {
  const context: unknown = typeof stored === 'object' && stored !== null ? (stored as { context?: unknown }).context : undefined;
  if (typeof context !== 'object' || context === null) return undefined;
  const intent: unknown = (context as { intent?: unknown }).intent;
  if (!(intent instanceof Uint8Array)) return context;
  try {
    return { ...context, intent: unpackIntent(intent) };
  } catch {
    return undefined;
  }
}
