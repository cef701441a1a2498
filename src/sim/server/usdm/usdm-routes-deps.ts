/** What the USDⓈ-M REST route builders need. */
import type { Replay } from '../../market/types.ts';
import type { UsdmVenueApi } from '../../venue/usdm/types.ts';
import type { SymbolRegistry } from '../symbols.ts';
import type { ListenKeys } from './listen-keys.ts';
import type { UsdmSchemas } from './usdm-schemas.ts';

export interface UsdmRouteDeps {
  readonly venue: UsdmVenueApi;
  readonly replay: Replay;
  /** The futures symbols (from the futures exchangeInfo). */
  readonly registry: SymbolRegistry;
  readonly schemas: UsdmSchemas;
  readonly listenKeys: ListenKeys;
  /** Wall clock for `serverTime` (ms). */
  readonly now: () => number;
}

/** Path prefixes of Binance's USDⓈ-M REST API. */
export const FAPI_V1 = '/fapi/v1';
export const FAPI_V2 = '/fapi/v2';
export const FAPI_V3 = '/fapi/v3';
