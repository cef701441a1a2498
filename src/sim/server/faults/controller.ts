/**
 * Fault injection, in process (`control.faults`) and behind the admin routes:
 * validates specs, holds the active faults, performs the one-shot actions
 * (drop websockets, expire a listenKey, resume the clock), and provides the
 * hooks the server applies them through — the REST stage and the websocket
 * hooks. The venue core is never touched.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Replay } from '../../market/types.ts';
import type { UserEvent } from '../../venue/types.ts';
import type { RestMiddleware } from '../http/context.ts';
import type { WsHooks } from '../ws/hooks.ts';
import { FaultRegistry, type FaultView, viewOf } from './registry.ts';
import { restFaultStage } from './rest-stage.ts';
import { type FaultKind, type FaultSpec, parseFaultSpec } from './schema.ts';
import { WsConnections } from './ws-connections.ts';

/**
 * The USD-M user-stream side's listenKeys, for `expireListenKey`; `startSimulator`
 * connects the futures side's with {@link FaultControl.setListenKeyControl}.
 */
export interface ListenKeyControl {
  /**
   * Expires `accountId`'s listenKey (every live one when undefined) as Binance does after 60 min
   * without keep-alive: its stream gets `listenKeyExpired` and closes. Returns how many expired.
   */
  expire(accountId?: string): number;
}

/** Thrown by `inject` for a fault this simulator cannot apply (e.g. no listenKey streams). */
export class FaultUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultUnsupportedError';
  }
}

/** Counters over the controller's lifetime. */
export interface FaultStats {
  /** User-data events that reached the hub's subscriptions / were held back by a silent stream. */
  readonly userEvents: { readonly delivered: number; readonly suppressed: number };
  /** Websockets terminated by `dropWebsockets`. */
  readonly websocketsDropped: number;
}

/** What `control.faults` offers. */
export interface FaultControl {
  /**
   * Validates and applies one fault; returns its view (`active: false` for one-shot actions).
   * @throws FaultSpecError (invalid spec), FaultUnsupportedError (e.g. `expireListenKey` without listenKey streams).
   */
  inject(spec: unknown): FaultView;
  /** The live faults, in injection order. */
  list(): FaultView[];
  /** Ends the fault `id` (every fault without it); returns how many ended. */
  clear(id?: string): number;
  stats(): FaultStats;
  /** Connects (or with undefined disconnects) the USD-M listenKey side. */
  setListenKeyControl(ctl: ListenKeyControl | undefined): void;
}

/** Options of {@link FaultController}. */
export interface FaultControllerOptions {
  /** The replay whose clock `pauseClock` pauses. */
  readonly replay: Pick<Replay, 'pause' | 'resume' | 'stats'>;
  /** Fault clock, ms (default `Date.now`): `durationMs` is measured on it. */
  readonly now?: () => number;
  readonly listenKeys?: ListenKeyControl;
}

const SILENT: ReadonlySet<FaultKind> = new Set(['silentUserStream']);
const DROP: ReadonlySet<FaultKind> = new Set(['dropWebsockets']);
const PAUSE: ReadonlySet<FaultKind> = new Set(['pauseClock']);

/** See the module comment. */
export class FaultController implements FaultControl {
  private readonly registry: FaultRegistry;
  private readonly sockets = new WsConnections();
  private readonly replay: FaultControllerOptions['replay'];
  private listenKeys: ListenKeyControl | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Whether the replay was running when the first live `pauseClock` paused it. */
  private pausedByFault = false;
  private delivered = 0;
  private suppressed = 0;
  private dropped = 0;

  constructor(opts: FaultControllerOptions) {
    this.registry = new FaultRegistry(opts.now);
    this.replay = opts.replay;
    this.listenKeys = opts.listenKeys;
    this.registry.onEnd((f) => {
      if (f.spec.kind === 'pauseClock') this.maybeResume();
    });
  }

  inject(input: unknown): FaultView {
    const spec = parseFaultSpec(input);
    switch (spec.kind) {
      case 'expireListenKey':
        return this.oneShot(spec, () => {
          if (this.listenKeys === undefined) {
            throw new FaultUnsupportedError('expireListenKey: this simulator has no listenKey user streams (start it with a `usdm` instrument)');
          }
          return this.listenKeys.expire(spec.accountId);
        });
      case 'resumeClock':
        return this.oneShot(spec, () => this.registry.clear(PAUSE).length);
      case 'dropWebsockets': {
        const n = this.dropNow(spec.pathPrefix);
        if (spec.durationMs === undefined) return this.oneShot(spec, () => n);
        const f = this.registry.add(spec);
        f.hits = n;
        return viewOf(f, true);
      }
      case 'pauseClock': {
        if (this.registry.find(PAUSE) === undefined && !this.replay.stats().paused) {
          this.replay.pause();
          this.pausedByFault = true;
        }
        const f = this.registry.add(spec);
        if (spec.durationMs !== undefined) this.after(spec.durationMs, () => this.registry.sweep());
        return viewOf(f, true);
      }
      default:
        return viewOf(this.registry.add(spec), true);
    }
  }

  list(): FaultView[] {
    return this.registry.list().map((f) => viewOf(f, true));
  }

  clear(id?: string): number {
    if (id !== undefined) return this.registry.remove(id) === undefined ? 0 : 1;
    return this.registry.clear().length;
  }

  stats(): FaultStats {
    return { userEvents: { delivered: this.delivered, suppressed: this.suppressed }, websocketsDropped: this.dropped };
  }

  setListenKeyControl(ctl: ListenKeyControl | undefined): void {
    this.listenKeys = ctl;
  }

  /** The REST pipeline stage (install as an `afterRoute` hook). */
  restStage(): RestMiddleware {
    return restFaultStage(this.registry);
  }

  /** The websocket hooks: connection tracking (and dropping while a `dropWebsockets` lasts), the silent-stream gate. */
  wsHooks(): Required<Pick<WsHooks, 'onConnection' | 'deliverUserEvent'>> {
    return {
      onConnection: (ws: WebSocket, req: IncomingMessage) => {
        const path = this.sockets.track(ws, req);
        if (this.registry.size === 0) return;
        const f = this.registry.take(DROP, (x) => x.spec.kind === 'dropWebsockets' && (x.spec.pathPrefix === undefined || path.startsWith(x.spec.pathPrefix)));
        if (f === undefined) return;
        this.dropped += 1;
        setImmediate(() => ws.terminate());
      },
      deliverUserEvent: (event: UserEvent) => {
        const f = this.registry.size === 0 ? undefined : this.registry.take(SILENT, (x) => x.spec.kind === 'silentUserStream' && (x.spec.accountId === undefined || x.spec.accountId === event.accountId));
        if (f === undefined) {
          this.delivered += 1;
          return true;
        }
        this.suppressed += 1;
        return false;
      },
    };
  }

  /** Ends every fault (resuming a clock it paused) and cancels timers. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.registry.clear();
  }

  private oneShot(spec: FaultSpec, apply: () => number): FaultView {
    const id = this.registry.newId();
    const hits = apply();
    return { id, kind: spec.kind, spec, hits, remaining: null, expiresAt: null, active: false };
  }

  private dropNow(pathPrefix: string | undefined): number {
    const n = this.sockets.drop(pathPrefix);
    this.dropped += n;
    return n;
  }

  private maybeResume(): void {
    if (!this.pausedByFault || this.registry.find(PAUSE) !== undefined) return;
    this.pausedByFault = false;
    this.replay.resume();
  }

  private after(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}
