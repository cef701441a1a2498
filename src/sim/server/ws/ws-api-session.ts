/**
 * One WebSocket API connection (`/ws-api/v3`), Binance WebSocket API docs:
 * requests `{"id", "method", "params"}`, replies
 * `{"id", "status": 200, "result", "rateLimits"}` or `{"id", "status": 4xx/5xx, "error": {"code", "msg"}, "rateLimits"}`.
 * `rateLimits` is `[]` unless a limiter is given (`deps.limiter`, which may also refuse a
 * request with 429/418), and omitted with `returnRateLimits=false`
 * (request param or connection URL). Method names may carry a `v3/` prefix.
 *
 * Methods: `ping`, `time`, `session.status`, `session.subscriptions`,
 * `userDataStream.subscribe.signature` (apiKey + timestamp [+ recvWindow] + HMAC
 * signature over the alphabetically sorted `key=value&…` of the other params),
 * `userDataStream.unsubscribe` (one `subscriptionId`, or all). Subscriptions receive
 * `{"subscriptionId": N, "event": {…}}` for every venue user event of their account;
 * an unsubscribed subscription gets a final `eventStreamTerminated` event.
 * Other methods (order placement over ws-api, `session.logon`, …) → -1020.
 */
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { Errors, VenueError } from '../../venue/errors.ts';
import type { SpotVenueApi } from '../../venue/types.ts';
import { signatureMatches, wsApiSignaturePayload } from '../auth/signature.ts';
import { checkTimingWindow } from '../auth/timing-window.ts';
import { optional, required } from '../params/fields.ts';
import { parseParams } from '../params/parse.ts';
import type { WsApiLimiter } from './hooks.ts';
import { safeSend } from './send.ts';
import type { UserHub, UserSubscription } from './user-hub.ts';
import { z } from 'zod';

type RequestId = number | string | null;

const anyText = (raw: string) => raw;
const subscribeSchema = z.strictObject({
  apiKey: required(anyText),
  timestamp: required(anyText),
  recvWindow: optional(anyText),
  signature: required(anyText),
  returnRateLimits: optional(anyText),
});
const unsubscribeSchema = z.strictObject({
  subscriptionId: optional((raw: string) => raw),
  returnRateLimits: optional(anyText),
});
const noParamsSchema = z.strictObject({ returnRateLimits: optional(anyText) });

/** What a WebSocket API session needs. */
export interface WsApiDeps {
  readonly venue: Pick<SpotVenueApi, 'accountByApiKey'>;
  readonly userHub: UserHub;
  readonly logger: Logger;
  /** Wall clock (serverTime, signature windows), ms. */
  readonly now: () => number;
  /** Replay clock (event times of pushed events), ms. */
  readonly eventClock: () => number;
  /** Charges each request against the rate limits (optional). */
  readonly limiter?: WsApiLimiter;
}

/** Where a connection comes from: for per-IP rate limits. */
export interface WsApiPeer {
  readonly remoteAddress: string;
  /** The connection's URL path, e.g. `/ws-api/v3`. */
  readonly path: string;
}

interface ActiveSubscription extends UserSubscription {
  readonly accountId: string;
}

/** Request handling and user-data subscriptions of one WebSocket API connection; drops them when the socket closes. */
export class WsApiSession {
  private readonly subs = new Map<number, ActiveSubscription>();
  private nextSubscriptionId = 0;
  private readonly connectedSince: number;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: WsApiDeps,
    private readonly returnRateLimitsDefault: boolean,
    private readonly peer: WsApiPeer = { remoteAddress: '', path: '/ws-api/v3' },
  ) {
    this.connectedSince = deps.now();
    ws.on('message', (data, isBinary) => this.onMessage(isBinary ? null : String(data)));
    ws.on('close', () => this.dropAll());
  }

  private onMessage(text: string | null): void {
    let id: RequestId = null;
    let withLimits = this.returnRateLimitsDefault;
    const after: Array<() => void> = [];
    let rateLimits: readonly unknown[] = [];
    let reply: Record<string, unknown>;
    try {
      const req = this.parseRequest(text);
      id = req.id;
      const params = stringify(req.params);
      if (params['returnRateLimits'] !== undefined) withLimits = params['returnRateLimits'] !== 'false';
      const charge = this.deps.limiter?.charge(this.peer.remoteAddress, this.peer.path, req.method);
      if (charge !== undefined) rateLimits = charge.rateLimits;
      if (charge?.rejection !== undefined) throw charge.rejection;
      reply = { id, status: 200, result: this.run(req.method, params, after) };
    } catch (err) {
      const e = err instanceof VenueError ? err : this.unexpected(err);
      reply = { id, status: e.httpStatus, error: e.toJSON() };
    }
    if (withLimits) reply['rateLimits'] = rateLimits;
    safeSend(this.ws, JSON.stringify(reply));
    for (const f of after) f();
  }

  private unexpected(err: unknown): VenueError {
    this.deps.logger.error({ err }, 'ws-api request failed');
    return Errors.unknown();
  }

  private parseRequest(text: string | null): { id: RequestId; method: string; params: unknown } {
    if (text === null) throw Errors.invalidJson();
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw Errors.invalidJson();
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw Errors.invalidJson();
    const req = msg as Record<string, unknown>;
    const id = req['id'];
    if (!(id === null || typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)))) throw Errors.invalidJson();
    const method = req['method'];
    if (typeof method !== 'string' || method === '') throw Errors.mandatoryParamMissing('method');
    return { id, method: method.startsWith('v3/') ? method.slice(3) : method, params: req['params'] };
  }

  private run(method: string, params: Record<string, string>, after: Array<() => void>): unknown {
    switch (method) {
      case 'ping':
        parseParams(noParamsSchema, params);
        return {};
      case 'time':
        parseParams(noParamsSchema, params);
        return { serverTime: this.deps.now() };
      case 'session.status':
        parseParams(noParamsSchema, params);
        return {
          apiKey: null,
          authorizedSince: null,
          connectedSince: this.connectedSince,
          returnRateLimits: this.returnRateLimitsDefault,
          serverTime: this.deps.now(),
          userDataStream: this.subs.size > 0,
        };
      case 'session.subscriptions':
        parseParams(noParamsSchema, params);
        return [...this.subs.keys()].map((subscriptionId) => ({ subscriptionId }));
      case 'userDataStream.subscribe.signature':
        return { subscriptionId: this.subscribe(params) };
      case 'userDataStream.unsubscribe': {
        const p = parseParams(unsubscribeSchema, params);
        const ids = p.subscriptionId === undefined ? [...this.subs.keys()] : [this.subscriptionIdOf(p.subscriptionId)];
        const ended = ids.map((sid) => this.drop(sid));
        after.push(() => {
          for (const sub of ended) if (sub) sub.deliver(`{"subscriptionId":${sub.subscriptionId},"event":{"e":"eventStreamTerminated","E":${this.deps.eventClock()}}}`);
        });
        return {};
      }
      default:
        throw Errors.unsupportedOperation();
    }
  }

  /** Verifies the signature subscription and registers it; returns its id. */
  private subscribe(params: Record<string, string>): number {
    const p = parseParams(subscribeSchema, params);
    const account = this.deps.venue.accountByApiKey(p.apiKey);
    if (account === undefined) throw Errors.rejectedMbxKey();
    checkTimingWindow(p.timestamp, p.recvWindow, this.deps.now());
    if (!signatureMatches(account.secret, wsApiSignaturePayload(params), p.signature)) throw Errors.invalidSignature();
    for (const s of this.subs.values()) if (s.accountId === account.id) return s.subscriptionId;
    const subscriptionId = this.nextSubscriptionId++;
    const sub: ActiveSubscription = {
      subscriptionId,
      accountId: account.id,
      deliver: (frame) => safeSend(this.ws, frame),
    };
    this.subs.set(subscriptionId, sub);
    this.deps.userHub.add(account.id, sub);
    return subscriptionId;
  }

  private subscriptionIdOf(raw: string): number {
    const n = Number(raw);
    if (!Number.isInteger(n) || !this.subs.has(n)) throw Errors.invalidParameter('subscriptionId', 'does not match an active subscription');
    return n;
  }

  private drop(subscriptionId: number): ActiveSubscription | undefined {
    const sub = this.subs.get(subscriptionId);
    if (!sub) return undefined;
    this.subs.delete(subscriptionId);
    this.deps.userHub.remove(sub.accountId, sub);
    return sub;
  }

  private dropAll(): void {
    for (const id of [...this.subs.keys()]) this.drop(id);
  }
}

/** WebSocket API params as strings (JSON numbers/booleans as their text); a non-object → -1135. */
function stringify(params: unknown): Record<string, string> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw Errors.invalidJsonParams();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw Errors.invalidParameter(k, 'must be a string, number or boolean');
  }
  return out;
}
