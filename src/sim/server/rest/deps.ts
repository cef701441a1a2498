/** What the spot REST handlers need. */
import type { Market, Replay } from '../../market/types.ts';
import type { SpotVenueApi } from '../../venue/types.ts';
import type { SpotSchemas } from '../params/spot-schemas.ts';
import type { SymbolRegistry } from '../symbols.ts';

/** Dependencies of the spot route builders. */
export interface SpotRouteDeps {
  readonly venue: SpotVenueApi;
  readonly replay: Replay;
  readonly registry: SymbolRegistry;
  readonly schemas: SpotSchemas;
  /** Which recording the market-data endpoints read ('spot' here; 'usdm' for a later /fapi table). */
  readonly market: Market;
  /** Wall clock for `serverTime` (ms). */
  readonly now: () => number;
}
