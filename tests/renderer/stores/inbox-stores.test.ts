import { describe, expect, it, vi } from 'vitest';
import { createInboxStores } from '../../../renderer/stores/inbox-stores';
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
});
