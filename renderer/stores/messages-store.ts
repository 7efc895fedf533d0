import { createStore } from 'zustand/vanilla';
import { assertNever, canAdvanceStatus, type Message, type MessageInfo, type Result, type ServerEvent } from '../../shared/contract';
import { withoutKey } from './conversations-store';
import type { BridgeApi } from '../bridge/bridge-api';

/** One conversation's loaded messages, in display order, and its paging state. */
export type Thread = {
  ids: number[];
  byId: Record<number, Message>;
  nextBefore: string | null;
  loading: boolean;
  error: string | null;
  sendError: string | null;
};

/** Messages per conversation, normalised by id. */
export type MessagesState = {
  threads: Record<number, Thread>;
  load(conversationId: number): Promise<void>;
  loadOlder(conversationId: number): Promise<void>;
  send(conversationId: number, text: string, options?: { replyTo: string | null; previewUrl: boolean }): Promise<boolean>;
  sendTemplate(conversationId: number, template: { name: string; language: string; parameters: string[] }): Promise<boolean>;
  retry(conversationId: number, messageId: number): Promise<void>;
  react(conversationId: number, messageId: number, emoji: string): Promise<void>;
  apply(event: ServerEvent): void;
  /** Reloads every open thread (after a resync). */
  reloadAll(): Promise<void>;
  /** The "message info" panel: a message's status history with Meta's timestamps. */
  info: { messageId: number; value: MessageInfo | null; error: string | null } | null;
  showInfo(messageId: number): Promise<void>;
  hideInfo(): void;
};

// getRandomValues, unlike randomUUID, also exists on pages not served from a secure context (a
// team server reached over plain http).
function newClientMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const EMPTY_THREAD: Thread = { ids: [], byId: {}, nextBefore: null, loading: false, error: null, sendError: null };

function byTimeThenId(byId: Record<number, Message>) {
  return (a: number, b: number) => {
    const left = byId[a];
    const right = byId[b];
    if (!left || !right) return a - b;
    return left.timestamp.localeCompare(right.timestamp) || a - b;
  };
}

function withMessages(thread: Thread, messages: Message[]): Thread {
  const byId = { ...thread.byId };
  for (const message of messages) byId[message.id] = message;
  const ids = Object.keys(byId).map(Number).sort(byTimeThenId(byId));
  return { ...thread, byId, ids };
}

/** The message store; a thread only receives live events once it has been loaded. */
export function createMessagesStore(bridge: BridgeApi) {
  return createStore<MessagesState>()((set, get) => {
    const update = (conversationId: number, change: (thread: Thread) => Thread) =>
      set((state) => ({ threads: { ...state.threads, [conversationId]: change(state.threads[conversationId] ?? EMPTY_THREAD) } }));

    const fetchPage = async (conversationId: number, before: string | undefined, replace: boolean) => {
      update(conversationId, (thread) => ({ ...thread, loading: true, error: null }));
      const result = await bridge.listMessages({ conversation_id: conversationId, ...(before ? { before } : {}) });
      if (!result.ok) {
        update(conversationId, (thread) => ({ ...thread, loading: false, error: result.error.message }));
        return;
      }
      update(conversationId, (thread) => ({
        ...withMessages(replace ? { ...EMPTY_THREAD, sendError: thread.sendError } : thread, result.value.messages),
        nextBefore: result.value.next_before,
        loading: false,
      }));
    };

    // The answer to a send: shows the error, or makes sure a new message is on screen. Changes to
    // a message already shown come only from events, so an answer that arrives after a newer
    // status never moves a tick backwards.
    const accept = (conversationId: number, result: Result<Message>): boolean => {
      if (!result.ok) {
        update(conversationId, (thread) => ({ ...thread, sendError: result.error.message }));
        return false;
      }
      const message = result.value;
      update(conversationId, (thread) => ({ ...(thread.byId[message.id] ? thread : withMessages(thread, [message])), sendError: null }));
      return true;
    };

    return {
      threads: {},
      info: null,
      async showInfo(messageId) {
        set({ info: { messageId, value: null, error: null } });
        const result = await bridge.getMessageInfo({ message_id: messageId });
        if (get().info?.messageId !== messageId) return;
        set({ info: result.ok ? { messageId, value: result.value, error: null } : { messageId, value: null, error: result.error.message } });
      },
      hideInfo: () => set({ info: null }),
      load: (conversationId) => fetchPage(conversationId, undefined, true),
      async loadOlder(conversationId) {
        const before = get().threads[conversationId]?.nextBefore;
        if (before) await fetchPage(conversationId, before, false);
      },
      async send(conversationId, text, options) {
        // One id per press of Send: if the request is repeated, the gateway sends it only once.
        const request = {
          conversation_id: conversationId,
          text,
          client_message_id: newClientMessageId(),
          ...(options?.replyTo ? { reply_to: options.replyTo } : {}),
          ...(options?.previewUrl ? { preview_url: true } : {}),
        };
        return accept(conversationId, await bridge.sendMessage(request));
      },
      async sendTemplate(conversationId, template) {
        return accept(conversationId, await bridge.sendTemplate({ conversation_id: conversationId, ...template, client_message_id: newClientMessageId() }));
      },
      async retry(conversationId, messageId) {
        await accept(conversationId, await bridge.retryMessage({ message_id: messageId }));
      },
      async react(conversationId, messageId, emoji) {
        await accept(conversationId, await bridge.reactToMessage({ message_id: messageId, emoji }));
      },
      apply(event) {
        switch (event.type) {
          case 'new_message':
          case 'message_update':
            if (!get().threads[event.conversation_id]) return;
            update(event.conversation_id, (thread) => withMessages(thread, [event.message]));
            return;
          case 'status_update':
            if (!get().threads[event.conversation_id]) return;
            update(event.conversation_id, (thread) => {
              const message = thread.byId[event.message_id];
              // Replays and late events never move a tick backwards, here as in the gateway.
              if (!message || !canAdvanceStatus(message.status, event.status)) return thread;
              const changed: Message = { ...message, status: event.status, wamid: event.wamid ?? message.wamid };
              if (event.error) changed.error = event.error;
              return { ...thread, byId: { ...thread.byId, [message.id]: changed } };
            });
            return;
          case 'conversation_removed':
            set((state) => ({ threads: withoutKey(state.threads, event.conversation_id) }));
            return;
          case 'conversation_update':
          case 'presence':
          case 'typing':
          case 'viewing':
            return;
          default:
            assertNever(event);
        }
      },
      async reloadAll() {
        await Promise.all(Object.keys(get().threads).map((id) => fetchPage(Number(id), undefined, true)));
      },
    };
  });
}

/** The store instance type. */
export type MessagesStore = ReturnType<typeof createMessagesStore>;
