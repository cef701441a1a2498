/**
 * The order registry: the parent of every order actor of an engine.
 *
 * PURE: no I/O. Order actors are created by the engine with `parent: registry`, so
 * they all belong to the registry's actor system (one system for the engine instead
 * of one per order: less memory per live order, and an inspector attached to the
 * system sees every order actor, present and future). The registry keeps no list
 * of its children; the engine does (by client order id).
 *
 * XState v5 does not let anyone but its parent stop a child actor; the engine
 * stops an order actor (to passivate it, or when it shuts down) by sending the
 * registry `STOP_ORDER` with the actor's reference.
 *
 * ## Transition table
 *
 * | # | source  | event                          | guard | target  | actions                     |
 * |---|---------|--------------------------------|-------|---------|-----------------------------|
 * | 1 | running | STOP_ORDER {ref}               | -     | (stay)  | stopChild(ref)              |
 * | 2 | running | xstate.error.actor.*           | -     | (stay)  | - (the engine sees the child's error status itself) |
 * | - | running | xstate.done.actor.* (and any other event) | - | -   | ignored                     |
 *
 * Row 2 exists because a machine that receives a child's error event and has no
 * transition for it goes to error status itself, which would take every other
 * order actor's parent down with one faulty order.
 */
import { type AnyActorRef, type ErrorActorEvent, setup, stopChild } from 'xstate';

/** Events of the registry. */
export type RegistryEvent = { readonly type: 'STOP_ORDER'; readonly ref: AnyActorRef };

export const registryMachine = setup({
  types: { events: {} as RegistryEvent | ErrorActorEvent },
}).createMachine({
  id: 'orders',
  initial: 'running',
  states: {
    running: {
      on: {
        STOP_ORDER: { actions: stopChild(({ event }) => event.ref) },
        'xstate.error.actor.*': {},
      },
    },
  },
});
