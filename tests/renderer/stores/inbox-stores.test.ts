import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInboxStores, WARM_AFTER_MS } from '../../../renderer/stores/inbox-stores';
import { conversation, FakeBridge, message } from '../fake-bridge';

describe('the inbox stores together', () => {
  it('asks for a selected conversation’s page in the task that selected it, once, with its unread count', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation({ id: 1, unread_count: 3 })];
    bridge.messages[1] = [message({ id: 1 })];
    const stores = createInboxStores(bridge);
    await stores.conversations.getState().load();
    stores.conversations.getState().select(1);
    // Before any rendering: the request is on its way.
    expect(bridge.calls.filter((call) => call.name === 'listMessages').map((call) => call.request)).toEqual([{ conversation_id: 1, limit: 50 }]);
    // Opening it again while its page loads asks nothing more.
    await stores.messages.getState().open(1, 3);
    expect(bridge.calls.filter((call) => call.name === 'listMessages')).toHaveLength(1);
    expect(stores.messages.getState().threads[1]?.ids).toEqual([1]);
  });

  it('asks for a pressed conversation’s page on the press, which its click then opens with; a press on the open one asks nothing', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = [conversation({ id: 1 }), conversation({ id: 2, unread_count: 2 })];
    bridge.messages[1] = [message({ id: 1 })];
    bridge.messages[2] = [message({ id: 2, conversation_id: 2 })];
    const stores = createInboxStores(bridge);
    await stores.conversations.getState().load();
    const pages = () => bridge.calls.filter((call) => call.name === 'listMessages').map((call) => call.request);
    stores.pressConversation(2);
    expect(pages()).toEqual([{ conversation_id: 2, limit: 50 }]);
    stores.conversations.getState().select(2);
    await vi.waitFor(() => expect(stores.messages.getState().threads[2]?.ids).toEqual([2]));
    stores.pressConversation(2);
    expect(pages()).toHaveLength(1);
  });
  describe('rows in view', () => {
    afterEach(() => vi.useRealTimers());

    it('warms the conversations whose rows stay in view a moment, with their unread counts, not the open one, and not rows scrolled past', async () => {
      vi.useFakeTimers();
      const bridge = new FakeBridge();
      bridge.conversations = [conversation({ id: 1 }), conversation({ id: 2, unread_count: 3 }), conversation({ id: 3 }), conversation({ id: 4 })];
      for (const id of [1, 2, 3, 4]) bridge.messages[id] = [message({ id: 10 + id, conversation_id: id })];
      const stores = createInboxStores(bridge);
      await stores.conversations.getState().load();
      stores.conversations.getState().select(1);
      await vi.waitFor(() => expect(stores.messages.getState().threads[1]?.ids).toEqual([11]));
      const pages = () => bridge.calls.filter((call) => call.name === 'listMessages').map((call) => call.request);
      // Scrolled past: in view for less than the moment.
      stores.seeConversations([3, 4]);
      vi.advanceTimersByTime(WARM_AFTER_MS - 1);
      stores.seeConversations([1, 2, 3]);
      vi.advanceTimersByTime(WARM_AFTER_MS - 1);
      // The same rows reported again (the list re-rendered) do not start the wait again.
      stores.seeConversations([1, 2, 3]);
      expect(pages()).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(stores.messages.getState().threads[3]?.ids).toEqual([13]));
      expect(pages()).toEqual([
        { conversation_id: 1, limit: 50 },
        { conversation_id: 2, limit: 50 },
        { conversation_id: 3, limit: 50 },
      ]);
      // Warmed with its unread count: the divider is in place for when it opens.
      expect(stores.messages.getState().threads[2]?.unreadFromId).toBe(12);
      // The warmed conversation opens with what it has: nothing more is asked.
      stores.conversations.getState().select(3);
      await vi.advanceTimersByTimeAsync(0);
      expect(pages()).toHaveLength(3);
    });
  });
});
