/** Public surface of the LMDB persistence layer; see README.md in this folder. */
export { DEFAULT_MAP_SIZE, OrderStore, type SignalPutResult } from './order-store.ts';
export {
  DuplicateSignalError,
  IdConflictError,
  StoreClosedError,
  StoreInputError,
  StoreSchemaError,
} from './errors.ts';
export { MAX_ID_LENGTH, SCHEMA_VERSION } from './schemas.ts';
export type * from './types.ts';
