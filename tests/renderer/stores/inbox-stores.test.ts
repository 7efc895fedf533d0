import { describe, expect, it } from 'vitest';
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
});
