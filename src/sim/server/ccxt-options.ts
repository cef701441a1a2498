/**
 * Constructor options that point the unmodified ccxt `binance` / `pro.binance`
 * class at the simulator (see ../shared/docs/ccxt-binance-wire.md §1).
 *
 * Every REST group and every websocket URL is overridden, so no request can
 * leave for Binance's real hosts, even for groups the simulator does not serve
 * (those get a 404 from the simulator instead).
 *
 * Callers must `await exchange.loadHttpProxyAgent()` before any `watch*` call:
 * ccxt refuses non-TLS `ws://` URLs in Node until it has its HTTP agent
 * (it throws `NotSupported`). Never call `setSandboxMode`: it replaces the URLs.
 */

/** The options object for `new ccxt.pro.binance(options)` (or `new ccxt.binance(options)`). */
export interface CcxtBinanceOptions {
  readonly apiKey: string;
  readonly secret: string;
  readonly urls: { readonly api: Record<string, unknown> };
  readonly options: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/**
 * @param httpBase REST base, e.g. `http://127.0.0.1:40123` (no trailing slash needed).
 * @param wsBase websocket base, e.g. `ws://127.0.0.1:40123`.
 * @param markets `linear: true` when the simulator serves USD-M futures: `loadMarkets` then also
 *   asks `GET /fapi/v1/exchangeInfo` (ccxt `fetchMarkets.types` gets `'linear'`).
 */
export function ccxtOptions(httpBase: string, wsBase: string, apiKey: string, secret: string, markets: { readonly linear?: boolean } = {}): CcxtBinanceOptions {
  const http = httpBase.replace(/\/+$/, '');
  const ws = wsBase.replace(/\/+$/, '');
  return {
    apiKey,
    secret,
    urls: {
      api: {
        public: `${http}/api/v3`,
        private: `${http}/api/v3`,
        v1: `${http}/api/v1`,
        sapi: `${http}/sapi/v1`,
        sapiV2: `${http}/sapi/v2`,
        sapiV3: `${http}/sapi/v3`,
        sapiV4: `${http}/sapi/v4`,
        fapiPublic: `${http}/fapi/v1`,
        fapiPrivate: `${http}/fapi/v1`,
        fapiPublicV2: `${http}/fapi/v2`,
        fapiPrivateV2: `${http}/fapi/v2`,
        fapiPublicV3: `${http}/fapi/v3`,
        fapiPrivateV3: `${http}/fapi/v3`,
        fapiData: `${http}/futures/data`,
        dapiPublic: `${http}/dapi/v1`,
        dapiPrivate: `${http}/dapi/v1`,
        dapiPrivateV2: `${http}/dapi/v2`,
        dapiData: `${http}/dapi/futures/data`,
        eapiPublic: `${http}/eapi/v1`,
        eapiPrivate: `${http}/eapi/v1`,
        papi: `${http}/papi/v1`,
        papiV2: `${http}/papi/v2`,
        ws: {
          // spot must contain `/stream`: ccxt tells spot connections by it (isSpotUrl)
          spot: `${ws}/stream`,
          margin: `${ws}/stream`,
          // ends in /ws: ccxt rewrites it to /public/ws or /market/ws per channel
          future: `${ws}/ws`,
          delivery: `${ws}/dapi/ws`,
          stock: `${ws}/equity/ws`,
          option: `${ws}/eoptions/public/ws`,
          optionMarket: `${ws}/eoptions/market/ws`,
          optionPrivate: `${ws}/eoptions/private/ws`,
          papi: `${ws}/pm/ws`,
          'ws-api': {
            spot: `${ws}/ws-api/v3`,
            future: `${ws}/ws-fapi/v1`,
            delivery: `${ws}/ws-dapi/v1`,
          },
        },
      },
    },
    options: {
      defaultType: 'spot',
      fetchCurrencies: false,
      fetchMargins: false,
      fetchMarkets: { types: markets.linear === true ? ['spot', 'linear'] : ['spot'] },
    },
  };
}
