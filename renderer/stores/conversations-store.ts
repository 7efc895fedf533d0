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
  /** Applies a frame's worth of events in one update. */
  applyMany(events: readonly ServerEvent[]): void;
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
      // Read is marked by the open conversation once the agent can see it, not by selecting it.
      set({ selectedId: id, removedNotice: null });
    },
    apply(event) {
      get().applyMany([event]);
    },
    applyMany(events) {
      let byId: Record<number, Conversation> | null = null;
      let selection: Pick<ConversationsState, 'selectedId' | 'removedNotice'> | null = null;
      for (const event of events) {
        if (event.type === 'conversation_removed') {
          byId = withoutKey(byId ?? get().byId, event.conversation_id);
          if ((selection?.selectedId ?? get().selectedId) === event.conversation_id) {
            const why = event.reason === 'erased' ? 'was erased at the customer’s request' : 'passed the history retention setting and was deleted';
            selection = { selectedId: null, removedNotice: `The conversation you had open ${why}.` };
          }
          continue;
        }
        // A new message carries its conversation's new preview, order and unread count.
        const conversation = event.type === 'conversation_update' || event.type === 'new_message' ? event.conversation : undefined;
        if (!conversation) continue;
        byId ??= { ...get().byId };
        byId[conversation.id] = conversation;
      }
      if (byId || selection) set({ ...(byId ? { byId } : {}), ...(selection ?? {}) });
    },
  }));
}

/** The store instance type. */
export type ConversationsStore = ReturnType<typeof createConversationsStore>;
