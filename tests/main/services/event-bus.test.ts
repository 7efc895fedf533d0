import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/services/event-bus';
import type { ServerEvent } from '../../../shared/contract';

// The bus never looks inside an event: any shape with a seq will do.
const event = (seq: number) => ({ seq, type: 'presence', user: 'ana', state: 'online' }) as unknown as ServerEvent;

describe('EventBus', () => {
  it('delivers a commit to every listener, batch listeners first, in seq order', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(`one ${e.seq}`));
    bus.subscribeBatch((events) => seen.push(`batch ${events.map((e) => e.seq).join(',')}`));
    bus.publish([event(1), event(2)]);
    expect(seen).toEqual(['batch 1,2', 'one 1', 'one 2']);
  });

  it('reports a listener that throws, and still delivers to the others without failing the publisher', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((error) => errors.push(error));
    const seen: number[] = [];
    bus.subscribeBatch(() => {
      throw new Error('socket gone');
    });
    bus.subscribe((e) => {
      if (e.seq === 1) throw new Error('window gone');
    });
    bus.subscribe((e) => seen.push(e.seq));
    expect(() => bus.publish([event(1), event(2)])).not.toThrow();
    expect(seen).toEqual([1, 2]);
    expect(errors.map((error) => (error as Error).message)).toEqual(['socket gone', 'window gone']);
  });

  it('publishes nothing for an empty commit, and stops delivering after unsubscribe', () => {
    const bus = new EventBus();
    const seen: number[] = [];
    const unsubscribe = bus.subscribe((e) => seen.push(e.seq));
    bus.publish([]);
    unsubscribe();
    bus.publish([event(1)]);
    expect(seen).toEqual([]);
    expect(bus.listenerCount).toBe(0);
  });
});
