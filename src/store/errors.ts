/**
 * Errors thrown (as promise rejections) by the order store. A rejected write
 * has written nothing.
 */
import type { SignalRecord, VenueOrderRef } from './types.ts';

/** The store was closed; no further reads or writes. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor() {
    super('order store is closed');
  }
}

/** An input did not pass validation (see `schemas.ts`); nothing was queued. */
export class StoreInputError extends Error {
  override readonly name = 'StoreInputError';
}

/** The data directory holds a layout this code does not understand (or none, while holding data). */
export class StoreSchemaError extends Error {
  override readonly name = 'StoreSchemaError';
}

/** The signal id was already recorded: `first` is the first result; nothing was written. */
export class DuplicateSignalError extends Error {
  override readonly name = 'DuplicateSignalError';
  constructor(readonly first: SignalRecord) {
    super(`signal ${JSON.stringify(first.signalId)} was already handled`);
  }
}

/** A venue id is already linked to another client order id, or the order to another venue id; nothing was written. */
export class IdConflictError extends Error {
  override readonly name = 'IdConflictError';
  constructor(
    readonly clientOrderId: string,
    readonly venueOrder: VenueOrderRef,
    readonly existing: { readonly clientOrderId?: string; readonly venueOrder?: VenueOrderRef },
  ) {
    super(
      `cannot link ${JSON.stringify(clientOrderId)} to ${JSON.stringify(venueOrder)}: ` +
        `already linked (${JSON.stringify(existing)})`,
    );
  }
}
