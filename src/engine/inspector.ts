/**
 * The Stately inspector for a headless daemon, switched on and off at run time.
 *
 * `@statelyai/inspect/server` serves a bridge page and a websocket relay on one
 * port; the engine's actors report to it through `createWebSocketInspector`. A
 * user opens `http://127.0.0.1:<port>` in a browser: the page embeds Stately's
 * hosted inspector, so the browser needs the internet, the daemon does not.
 *
 * The library's server takes no host option and would listen on every
 * interface; this module binds it to loopback (see `listenOnLoopback`). The
 * engine's order actors share one actor system (children of the registry actor),
 * so attaching subscribes that system once and announces each live actor;
 * detaching unsubscribes it. Inspection costs about
 * 5× an event's normal cost (../shared/docs/xstate-lmdb-notes.md), so it is off
 * unless asked for.
 */
import http from 'node:http';
import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import type { Logger } from 'pino';
import type { AnyActorRef } from 'xstate';

export interface InspectorOptions {
  /** TCP port on 127.0.0.1 for the bridge page and relay. */
  readonly port: number;
  readonly logger: Logger;
}

type WsInspector = ReturnType<typeof createWebSocketInspector>;

export class Inspector {
  private server: { stop(): void } | undefined;
  private client: WsInspector | undefined;
  /** Inspection subscriptions, one per actor system (the engine's order actors share one). */
  private readonly systems = new Map<AnyActorRef['system'], { unsubscribe(): void }>();
  /** Actors announced to the inspector since it was switched on. */
  private announced = new WeakSet<AnyActorRef>();

  constructor(private readonly opts: InspectorOptions) {}

  /** Where a browser opens the inspector, while it is on. */
  status(): { enabled: boolean; url?: string } {
    return this.server ? { enabled: true, url: `http://127.0.0.1:${this.opts.port}` } : { enabled: false };
  }

  /** Starts the bridge server on loopback. @throws Error when the port cannot be bound. */
  async enable(): Promise<void> {
    if (this.server) return;
    this.server = await listenOnLoopback(() => createInspectorServer({ port: this.opts.port, autoOpen: false }));
    this.client = createWebSocketInspector({ url: `ws://127.0.0.1:${this.opts.port}`, autoStart: true });
    this.opts.logger.info({ url: this.status().url }, 'Stately inspector on: open this address in a browser');
  }

  /** Detaches every actor and stops the server. */
  async disable(): Promise<void> {
    for (const sub of this.systems.values()) sub.unsubscribe();
    this.systems.clear();
    this.announced = new WeakSet();
    this.client?.stop();
    this.client = undefined;
    this.server?.stop();
    this.server = undefined;
  }

  /**
   * Reports an actor's lifecycle to the inspector (no-op when off): subscribes its actor
   * system (once per system: actors created in it later are reported by the system itself)
   * and announces the actor with its current snapshot (once).
   */
  attach(actor: AnyActorRef): void {
    const client = this.client;
    if (!client) return;
    if (!this.systems.has(actor.system)) this.systems.set(actor.system, actor.system.inspect(client.inspect));
    if (this.announced.has(actor)) return;
    client.actor(actor, actor.getSnapshot());
    this.announced.add(actor);
  }

  attachIfEnabled(actor: AnyActorRef): void {
    if (this.client) this.attach(actor);
  }
}

/**
 * Runs `start` (which creates and listens an http.Server synchronously) with
 * `listen` redirected to 127.0.0.1, and resolves once it listens.
 * @throws Error when listening fails (port in use).
 */
async function listenOnLoopback<T>(start: () => T): Promise<T> {
  const proto = http.Server.prototype;
  const original = proto.listen;
  let server: http.Server | undefined;
  const bound = original as (this: http.Server, port: number, host: string, cb?: () => void) => http.Server;
  proto.listen = function patched(this: http.Server, ...args: unknown[]) {
    server = this;
    const [port, cb] = args;
    return bound.call(this, port as number, '127.0.0.1', cb as () => void);
  } as typeof proto.listen;
  let result: T;
  try {
    result = start();
  } finally {
    proto.listen = original;
  }
  const s = server;
  if (!s) return result;
  await new Promise<void>((resolve, reject) => {
    if (s.listening) return resolve();
    s.once('listening', () => resolve());
    s.once('error', reject);
  });
  return result;
}
