/**
 * An in-memory EngineApi for the ingress tests: orders in a Map, events through an rxjs
 * Subject. It stands in for the engine only to exercise the socket layer; the real engine is
 * covered end to end elsewhere.
 *
 * Special inputs: instrument `NOPE/USDT` → EngineError unknown_instrument; `BOOM/USDT` → a
 * plain Error (internal); `order("BLOCK")` waits until {@link FakeEngine.release} is called.
 */
import { BehaviorSubject, Observable, Subject } from 'rxjs';
import type { Fill } from '../../src/domain/order.ts';
import type { SignalRequest } from '../../src/domain/signal.ts';
import { EngineError, type EngineApi, type EngineEvent, type EngineStatus, type OrderView, type OrdersPage, type OrdersQuery, type SignalResult } from '../../src/engine/api.ts';

const FINAL = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);

export class FakeEngine implements EngineApi {
  readonly orderMap = new Map<string, OrderView>();
  readonly received: SignalRequest[] = [];
  /** Every event emitted, hot. */
  readonly subject = new Subject<EngineEvent>();
  /** How many subscriptions `events()` currently has. */
  readonly subscribers = new BehaviorSubject(0);
  /** Emits each time `order("BLOCK")` starts waiting. */
  readonly blocked = new Subject<void>();
  private readonly bySignal = new Map<string, string>();
  private releaseBlocked: Array<() => void> = [];
  private seq = 0;
  private generated = 0;
  private inspector: { enabled: boolean; url?: string } = { enabled: false };
  private now = 1_723_161_600_000; // 2024-08-09T00:00:00Z

  async signal(req: SignalRequest): Promise<SignalResult> {
    this.received.push(req);
    if (req.instrument === 'NOPE/USDT') throw new EngineError('unknown_instrument', `unknown instrument ${req.instrument}`, [{ path: ['instrument'], message: 'not traded on the venue' }]);
    if (req.instrument === 'BOOM/USDT') throw new Error('kaboom: secret internals');
    const signalId = req.signalId ?? `gen-${++this.generated}`;
    const existing = this.bySignal.get(signalId);
    if (existing !== undefined) {
      const order = this.must(existing);
      return { signalId, clientOrderId: order.clientOrderId, state: order.state, duplicate: true };
    }
    const clientOrderId = `x-${signalId}`.slice(0, 36);
    this.bySignal.set(signalId, clientOrderId);
    this.orderMap.set(clientOrderId, {
      clientOrderId,
      venueOrderId: null,
      signalId,
      venue: req.venue ?? 'sim',
      instrument: req.instrument,
      side: req.side,
      type: req.type,
      timeInForce: req.type === 'limit' ? (req.timeInForce ?? 'GTC') : null,
      quantity: req.quantity ?? null,
      quoteQuantity: req.quoteQuantity ?? null,
      price: req.price ?? null,
      state: 'NEW',
      outcome: null,
      reason: null,
      filledQuantity: '0',
      averagePrice: null,
      fees: {},
      fills: [],
      transitions: [],
      anomalies: [],
      live: true,
      createdAt: this.tick(),
    });
    this.transition(clientOrderId, 'PENDING_NEW', 'signal');
    return { signalId, clientOrderId, state: 'PENDING_NEW', duplicate: false };
  }

  async cancel(clientOrderId: string): Promise<OrderView> {
    const order = this.must(clientOrderId);
    if (FINAL.has(order.state)) throw new EngineError('conflict', `order ${clientOrderId} is already ${order.state}`);
    this.transition(clientOrderId, 'PENDING_CANCEL', 'cancel');
    return this.must(clientOrderId);
  }

  async order(clientOrderId: string): Promise<OrderView> {
    if (clientOrderId === 'BLOCK') {
      await new Promise<void>((resolve) => {
        this.releaseBlocked.push(resolve);
        this.blocked.next();
      });
      throw new EngineError('not_found', 'no order BLOCK');
    }
    return this.must(clientOrderId);
  }

  async orders(query: OrdersQuery): Promise<OrdersPage> {
    const all = [...this.orderMap.values()]
      .filter((o) => query.states === undefined || query.states.includes(o.state))
      .filter((o) => query.instrument === undefined || o.instrument === query.instrument);
    if (query.newestFirst === true) all.reverse();
    const start = query.cursor !== undefined ? Number(query.cursor) : 0;
    const limit = query.limit ?? 100;
    const page = all.slice(start, start + limit);
    return start + limit < all.length ? { orders: page, nextCursor: String(start + limit) } : { orders: page };
  }

  status(): EngineStatus {
    const byState: Record<string, number> = {};
    for (const o of this.orderMap.values()) byState[o.state] = (byState[o.state] ?? 0) + 1;
    return {
      state: 'running',
      venues: [{ id: 'sim', connected: true, streams: { user: 'up', market: 'up' } }],
      orders: { live: this.orderMap.size, running: this.orderMap.size, byState },
      inspector: this.inspector,
      journalSeq: this.seq,
      uptimeMs: 61_000,
    };
  }

  events(): Observable<EngineEvent> {
    return new Observable<EngineEvent>((subscriber) => {
      const inner = this.subject.subscribe(subscriber);
      this.subscribers.next(this.subscribers.value + 1);
      return () => {
        inner.unsubscribe();
        this.subscribers.next(this.subscribers.value - 1);
      };
    });
  }

  async setInspector(enabled: boolean): Promise<{ enabled: boolean; url?: string }> {
    this.inspector = enabled ? { enabled, url: 'https://stately.ai/inspect?server=ws://127.0.0.1:1234' } : { enabled };
    return this.inspector;
  }

  /** Fills the order completely at `price`: a fill event, then a transition to FILLED. */
  fill(clientOrderId: string, price: string, quantity = '0.001', tradeId = `t${this.seq + 1}`): Fill {
    const order = this.must(clientOrderId);
    const fill: Fill = {
      tradeId,
      venueOrderId: '42',
      clientOrderId,
      price,
      quantity,
      feeAmount: '0.000001',
      feeCurrency: 'BTC',
      liquidity: 'taker',
      time: this.tick(),
    };
    this.orderMap.set(clientOrderId, { ...order, venueOrderId: '42', fills: [...order.fills, fill], filledQuantity: quantity, averagePrice: price, fees: { BTC: '0.000001' } });
    this.subject.next({ type: 'fill', clientOrderId, fill });
    this.transition(clientOrderId, 'FILLED', 'venue.filled');
    return fill;
  }

  /** Lets every `order("BLOCK")` call finish. */
  release(): void {
    const all = this.releaseBlocked;
    this.releaseBlocked = [];
    for (const r of all) r();
  }

  private transition(clientOrderId: string, to: string, event: string): void {
    const order = this.must(clientOrderId);
    const t = { from: order.state, to, event, at: this.tick() };
    this.orderMap.set(clientOrderId, { ...order, state: to, transitions: [...order.transitions, t] });
    this.subject.next({ type: 'transition', clientOrderId, seq: ++this.seq, ...t });
  }

  private must(clientOrderId: string): OrderView {
    const order = this.orderMap.get(clientOrderId);
    if (!order) throw new EngineError('not_found', `no order ${clientOrderId}`);
    return order;
  }

  private tick(): number {
    this.now += 1000;
    return this.now;
  }
}
