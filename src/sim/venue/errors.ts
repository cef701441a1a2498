/**
 * Binance API errors as the simulator raises them. Codes and messages follow
 * Binance's "Error Codes" page (spot REST API docs); the HTTP status follows
 * Binance's "General API Information" (4XX for malformed requests, 401 for an
 * invalid key on some endpoints, 429/418 for rate limits, 5XX for venue trouble).
 * ccxt maps `code`/`msg` to its exception classes (see ../shared/docs/ccxt-binance-wire.md §5).
 */
export class VenueError extends Error {
  /** Binance error code, e.g. -1013. */
  readonly code: number;
  /** HTTP status of the reply. */
  readonly httpStatus: number;

  constructor(code: number, msg: string, httpStatus = 400) {
    super(msg);
    this.name = 'VenueError';
    this.code = code;
    this.httpStatus = httpStatus;
  }

  /** The JSON body Binance sends: `{"code": -1013, "msg": "Filter failure: LOT_SIZE"}`. */
  toJSON(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

/** Factories for the errors the simulator raises, with Binance's exact wording. */
export const Errors = {
  unknown: (msg = 'An unknown error occurred while processing the request.') => new VenueError(-1000, msg, 500),
  disconnected: () => new VenueError(-1001, 'Internal error; unable to process your request. Please try again.', 500),
  unauthorized: () => new VenueError(-1002, 'You are not authorized to execute this request.', 401),
  tooManyRequests: (msg = 'Too many requests; please use the websocket for live updates.') => new VenueError(-1003, msg, 429),
  timeout: () => new VenueError(-1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', 408),
  tooManyOrders: (msg = 'Too many new orders.') => new VenueError(-1015, msg, 429),
  unsupportedOperation: () => new VenueError(-1020, 'This operation is not supported.'),
  invalidTimestamp: (ahead: boolean) =>
    new VenueError(-1021, ahead ? "Timestamp for this request was 1000ms ahead of the server's time." : 'Timestamp for this request is outside of the recvWindow.'),
  invalidSignature: () => new VenueError(-1022, 'Signature for this request is not valid.'),
  illegalChars: (param: string) => new VenueError(-1100, `Illegal characters found in parameter '${param}'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.`),
  illegalCharsIn: (param: string, value: string) => new VenueError(-1100, `Illegal characters found in parameter '${param}'; value '${value}' is not valid.`),
  tooManyParameters: (msg = 'Too many parameters sent for this endpoint.') => new VenueError(-1101, msg),
  mandatoryParamMissing: (param: string) => new VenueError(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  unknownParam: (param: string) => new VenueError(-1104, `Not all sent parameters were read; read 0 parameter(s) but was sent 1 (${param}).`),
  paramEmpty: (param: string) => new VenueError(-1105, `Parameter '${param}' was empty.`),
  paramNotRequired: (param: string) => new VenueError(-1106, `Parameter '${param}' sent when not required.`),
  badPrecision: (param: string) => new VenueError(-1111, `Parameter '${param}' has too much precision.`),
  tifNotRequired: () => new VenueError(-1114, 'TimeInForce parameter sent when not required.'),
  invalidTif: () => new VenueError(-1115, 'Invalid timeInForce.'),
  invalidOrderType: () => new VenueError(-1116, 'Invalid orderType.'),
  invalidSide: () => new VenueError(-1117, 'Invalid side.'),
  emptyNewClOrdId: () => new VenueError(-1118, 'New client order ID was empty.'),
  invalidInterval: () => new VenueError(-1120, 'Invalid interval.'),
  invalidSymbol: () => new VenueError(-1121, 'Invalid symbol.'),
  invalidListenKey: () => new VenueError(-1125, 'This listenKey does not exist.'),
  invalidParameter: (param: string, why = 'is invalid') => new VenueError(-1130, `Invalid data sent for a parameter: '${param}' ${why}.`),
  invalidJson: () => new VenueError(-1135, 'Invalid JSON Request'),
  /** -2010 NEW_ORDER_REJECTED with the given reason; `Account has insufficient balance…` maps to ccxt InsufficientFunds. */
  newOrderRejected: (msg: string) => new VenueError(-2010, msg),
  insufficientBalance: () => new VenueError(-2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => new VenueError(-2010, 'Duplicate order sent.'),
  cancelRejected: (msg = 'Unknown order sent.') => new VenueError(-2011, msg),
  noSuchOrder: () => new VenueError(-2013, 'Order does not exist.'),
  badApiKeyFormat: () => new VenueError(-2014, 'API-key format invalid.', 401),
  rejectedMbxKey: () => new VenueError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
  filterFailure: (filter: string) => new VenueError(-1013, `Filter failure: ${filter}`),
  // --- added for the server layer (src/sim/server/): request-level rejections, Binance "Error Codes" page ---
  /** -1100 for a value outside a parameter's documented pattern, e.g. a decimal: `legal range is '^([0-9]{1,20})(\.[0-9]{1,20})?$'`. */
  illegalCharsRange: (param: string, range: string) =>
    new VenueError(-1100, `Illegal characters found in parameter '${param}'; legal range is '${range}'.`),
  /** -1101 when one parameter name appears twice in the query string or twice in the body. */
  duplicateParam: () => new VenueError(-1101, 'Duplicate values for a parameter detected.'),
  /** -1102 when neither of two alternative parameters (e.g. `orderId` / `origClientOrderId`) was sent. */
  eitherParamMissing: (a: string, b: string) => new VenueError(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  /** -1104 when the request carries parameters the endpoint does not read. */
  unreadParameters: (read: number, sent: number) =>
    new VenueError(-1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`),
  /** -1128 for optional parameters that may not be combined (e.g. `symbol` with `symbols`). */
  badParamCombo: () => new VenueError(-1128, 'Combination of optional parameters invalid.'),
  /** -1131 when `recvWindow` exceeds 60000 ms. */
  badRecvWindow: () => new VenueError(-1131, 'recvWindow must be less than 60000'),
  /** -1135 for a WebSocket API request whose `params` is not a JSON object. */
  invalidJsonParams: () => new VenueError(-1135, "Invalid 'params' in JSON request; expected an object."),
  /** -1158 when `aboveType`/`belowType` names an order type an OCO leg cannot have. */
  ocoOrderTypeRejected: () => new VenueError(-1158, 'Order type not supported in OCO.'),
  /** -1020 with HTTP 404: a path (or method on a path) the simulator does not serve. */
  unknownRoute: () => new VenueError(-1020, 'This operation is not supported.', 404),
} as const;
