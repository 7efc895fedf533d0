import { createStore } from 'zustand/vanilla';
import { MAX_SEARCH_PAGE, type Conversation, type ServerEvent } from '../../shared/contract';
import type { BridgeApi } from '../bridge/bridge-api';
import { NO_FILTER, type ConversationFilter } from './conversation-filter';

/** Conversations normalised by id, the selection, and what went wrong loading them. */
export type ConversationsState = {
  byId: Record<number, Conversation>;
  selectedId: number | null;
  loaded: boolean;
  error: string | null;
  /** Why the conversation that was open is gone (erased, or past the retention setting), until another is opened. */
  removedNotice: string | null;
  /** What the list shows, and the conversations whose messages match the typed text (null: not searched). */
  filter: ConversationFilter;
  textMatches: ReadonlySet<number> | null;
  load(): Promise<void>;
  select(id: number): void;
  /** Back to the list alone (narrow windows show one or the other). */
  close(): void;
  setFilter(change: Partial<ConversationFilter>): void;
  /** Looks the filter text up in the message history: conversations with a matching message join the list. */
  searchText(query: string): Promise<void>;
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
  // ISO times compare as plain strings; localeCompare's collation is far slower over thousands of rows.
  return Object.values(byId).sort((a, b) => {
    const left = a.last_message_at ?? '';
    const right = b.last_message_at ?? '';
    return left === right ? b.id - a.id : left < right ? 1 : -1;
  });
}

/** The conversation list's store; actions call the bridge, never `window`. */
export function createConversationsStore(bridge: BridgeApi) {
  return createStore<ConversationsState>()((set, get) => ({
    byId: {},
    selectedId: null,
    loaded: false,
    error: null,
    removedNotice: null,
    filter: NO_FILTER,
    textMatches: null,
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
    close() {
      set({ selectedId: null });
    },
    setFilter(change) {
      const filter = { ...get().filter, ...change };
      set({ filter, ...(change.query !== undefined && change.query.trim() !== get().filter.query.trim() ? { textMatches: null } : {}) });
    },
    async searchText(query) {
      const q = query.trim();
      if (q.length < 2) return;
      const result = await bridge.searchMessages({ q, limit: MAX_SEARCH_PAGE });
      // Only the answer to the text still typed counts: an older, slower answer is dropped.
      if (get().filter.query.trim() !== q) return;
      set(result.ok ? { textMatches: new Set(result.value.hits.map((hit) => hit.conversation.id)) } : { error: result.error.message });
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
        // The list shows the newest message's ticks: its status changes reach it here, not as conversation updates.
        if (event.type === 'status_update' || event.type === 'message_update') {
          const current = (byId ?? get().byId)[event.conversation_id];
          const messageId = event.type === 'status_update' ? event.message_id : event.message.id;
          const status = event.type === 'status_update' ? event.status : event.message.status;
          if (!current?.last_message || current.last_message.id !== messageId || current.last_message.status === status) continue;
          byId ??= { ...get().byId };
          byId[current.id] = { ...current, last_message: { ...current.last_message, status } };
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
