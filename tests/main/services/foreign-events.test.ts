import { describe, expect, it } from 'vitest';
import { ForeignEventRelay } from '../../../main/services/foreign-events';
import { memoryStore } from '../../helpers/memory-store';

describe('ForeignEventRelay', () => {
  it('publishes the events another process appended, once each, in order, around those published here', () => {
    const { store, bus, published } = memoryStore();
    const relay = new ForeignEventRelay(store.events, bus);
    const own = (id: number) => bus.publish([store.events.append({ type: 'conversation_removed', conversation_id: id, reason: 'erased' }, 0)]);
    const foreign = (id: number) => store.events.append({ type: 'conversation_removed', conversation_id: id, reason: 'erased' }, 0);
    own(1);
    foreign(2);
    own(3);
    foreign(4);
    foreign(5);
    relay.relay();
    relay.relay();
    own(6);
    relay.relay();
    expect(published.map((event) => event.seq)).toEqual([1, 3, 2, 4, 5, 6]);
    relay.stop();
  });
});
