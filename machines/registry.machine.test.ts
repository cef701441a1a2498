import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { registryMachine } from './registry.machine.ts';

const child = createMachine({
  initial: 'idle',
  states: {
    idle: {
      on: {
        GO: 'busy',
        BOOM: {
          actions: () => {
            throw new Error('a faulty order');
          },
        },
      },
    },
    busy: {},
  },
});

describe('order registry', () => {
  it('row 1: STOP_ORDER stops that child only; the children share the registry system', () => {
    const registry = createActor(registryMachine);
    registry.start();
    const a = createActor(child, { parent: registry });
    const b = createActor(child, { parent: registry });
    a.start();
    b.start();
    expect(a.system).toBe(registry.system);
    expect(b.system).toBe(registry.system);
    registry.send({ type: 'STOP_ORDER', ref: a });
    expect(a.getSnapshot().status).toBe('stopped');
    b.send({ type: 'GO' });
    expect(b.getSnapshot().value).toBe('busy');
    expect(registry.getSnapshot().status).toBe('active');
  });

  it('row 2: a child that fails does not take the registry (or its other children) down', () => {
    const registry = createActor(registryMachine);
    registry.start();
    const faulty = createActor(child, { parent: registry });
    const other = createActor(child, { parent: registry });
    faulty.start();
    other.start();
    faulty.send({ type: 'BOOM' });
    expect(faulty.getSnapshot().status).toBe('error');
    expect(registry.getSnapshot().status).toBe('active');
    other.send({ type: 'GO' });
    expect(other.getSnapshot().value).toBe('busy');
  });

  it('ignores the done event of a child that reached its final state', () => {
    const registry = createActor(registryMachine);
    registry.start();
    const done = createActor(createMachine({ initial: 'a', states: { a: { on: { END: 'z' } }, z: { type: 'final' } } }), { parent: registry });
    done.start();
    done.send({ type: 'END' });
    expect(done.getSnapshot().status).toBe('done');
    expect(registry.getSnapshot().status).toBe('active');
  });
});
