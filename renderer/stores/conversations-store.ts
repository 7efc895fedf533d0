import { createStore } from 'zustand/vanilla';
import type { Conversation, ServerEvent } from '../../shared/contract';
import type { BridgeApi } from '../bridge/bridge-api';

/** Conversations normalised by id, the selection, and what went wrong loading them. */
export type ConversationsState = {
  byId: Record<number, Conversation>;
  selectedId: number | null;
  loaded: boolean;
  error: string | null;
  /** Why the conversation that was open is gone (erased, or past the retention setting), until another is opened. */
  removedNotice: string | null;
  load(): Promise<void>;
  select(id: number): void;
  apply(event: ServerEvent): void;
};

/** A copy of a record without one key. */
export function withoutKey<T>(record: Record<number, T>, key: number): Record<number, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

/** Newest activity first; conversations without messages last. */
export function sortConversations(byId: Record<number, Conversation>): Conversation[] {
  return Object.values(byId).sort(
    (a, b) => (b.last_message_at ?? '').localeCompare(a.last_message_at ?? '') || b.id - a.id,
  );
}

/** The conversation list's store; actions call the bridge, never `window`. */
export function createConversationsStore(bridge: BridgeApi) {
  return createStore<ConversationsState>()((set, get) => ({
    byId: {},
    selectedId: null,
    loaded: false,
    error: null,
    removedNotice: null,
    async load() {
      const result = await bridge.listConversations({});
      if (!result.ok) {
        set({ error: result.error.message });
        return;
      }
      set({ byId: Object.fromEntries(result.value.map((c) => [c.id, c])), loaded: true, error: null });
    },
    select(id) {
      set({ selectedId: id, removedNotice: null });
      if ((get().byId[id]?.unread_count ?? 0) > 0) void bridge.markRead({ conversation_id: id });
    },
    apply(event) {
      if (event.type === 'conversation_removed') {
        set((state) => {
          const byId = withoutKey(state.byId, event.conversation_id);
          if (state.selectedId !== event.conversation_id) return { byId };
          const why = event.reason === 'erased' ? 'was erased at the customer’s request' : 'passed the history retention setting and was deleted';
          return { byId, selectedId: null, removedNotice: `The conversation you had open ${why}.` };
        });
        return;
      }
      // A new message carries its conversation's new preview, order and unread count.
      const conversation = event.type === 'conversation_update' || event.type === 'new_message' ? event.conversation : undefined;
      if (!conversation) return;
      set((state) => ({ byId: { ...state.byId, [conversation.id]: conversation } }));
    },
  }));
}

/** The store instance type. */
export type ConversationsStore = ReturnType<typeof createConversationsStore>;
