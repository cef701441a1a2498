/**
 * Deadlines of order actors (submit and cancel timeouts) as timers: XState does
 * not persist delayed events, so each deadline lives as a timestamp in the
 * actor's context and this scheduler delivers the timeout event when it is due
 * (ms since epoch, by the engine clock). One timer per order, re-armed after
 * every transition; timers do not keep the process alive.
 */
import type { OrderDeadline } from '../../machines/order.machine.ts';

export class DeadlineScheduler {
  private readonly timers = new Map<string, { deadline: OrderDeadline; timer: NodeJS.Timeout }>();

  constructor(
    private readonly fire: (clientOrderId: string, deadline: OrderDeadline) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Arms (or clears, with null) the deadline of one order. */
  set(clientOrderId: string, deadline: OrderDeadline | null): void {
    const current = this.timers.get(clientOrderId);
    if (current && deadline && current.deadline.type === deadline.type && current.deadline.at === deadline.at) return;
    if (current) {
      clearTimeout(current.timer);
      this.timers.delete(clientOrderId);
    }
    if (!deadline) return;
    const delay = Math.max(0, deadline.at - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(clientOrderId);
      this.fire(clientOrderId, deadline);
    }, delay);
    timer.unref();
    this.timers.set(clientOrderId, { deadline, timer });
  }

  size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
