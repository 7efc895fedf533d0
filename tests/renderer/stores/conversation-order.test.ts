import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../shared/contract';
import { orderOf, reorder } from '../../../renderer/stores/conversation-order';
import { createConversationsStore } from '../../../renderer/stores/conversations-store';
import { conversation, FakeBridge, message } from '../fake-bridge';

/** A seeded random source, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1) + minute * 60_000).toISOString();

describe('the list order, kept as conversations change', () => {
  it('moves changed, new and removed conversations to the same order a full sort gives, a few or many at a time', () => {
    const next = random(11);
    let byId: Record<number, Conversation> = {};
    // Ties on time and conversations without messages too: the order falls back to the id.
    for (let id = 1; id <= 300; id += 1) byId[id] = conversation({ id, last_message_at: id % 17 === 0 ? null : at(Math.floor(next() * 200)) });
    let order = orderOf(byId);
    for (const batch of [1, 1, 3, 10, 64, 65, 200, 2, 1]) {
      const changed = new Set<number>();
      const copy = { ...byId };
      for (let n = 0; n < batch; n += 1) {
        const id = 1 + Math.floor(next() * 320);
        changed.add(id);
        if (next() < 0.15) delete copy[id];
        else copy[id] = conversation({ id, last_message_at: next() < 0.1 ? null : at(Math.floor(next() * 400)) });
      }
      byId = copy;
      order = reorder(order, byId, changed);
      expect(order).toEqual(orderOf(byId));
    }
  });

  it('puts a conversation whose customer just wrote first, and takes an erased one out, in the store', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [3, 2, 1].map((id) => conversation({ id, last_message_at: at(id), unread_count: 0 }));
    const store = createConversationsStore(bridge, () => 0, () => Promise.resolve());
    await store.getState().load();
    expect(store.getState().order).toEqual([3, 2, 1]);
    store.getState().applyMany([
      { type: 'new_message', seq: 11, conversation_id: 1, message: message({ id: 50, conversation_id: 1 }), conversation: conversation({ id: 1, last_message_at: at(10) }) },
      { type: 'conversation_removed', seq: 12, conversation_id: 2, reason: 'erased' },
    ]);
    expect(store.getState().order).toEqual([1, 3]);
    // A tick moves nothing.
    store.getState().apply({ type: 'status_update', seq: 13, conversation_id: 3, message_id: 1, wamid: 'wamid.1', status: 'read' });
    expect(store.getState().order).toEqual([1, 3]);
  });
});
