import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { BridgeApi } from '../bridge/bridge-api';
import { createConnectionStore, type ConnectionStoreState } from './connection-store';
import { createConversationsStore, type ConversationsState } from './conversations-store';
import { createEventChannel } from './event-channel';
import { createMessagesStore, type MessagesState } from './messages-store';
import { createTeamStore, type TeamState } from './team-store';
import { createTemplatesStore, type TemplatesState } from './templates-store';

/** How long rows stay in view before their conversations are warmed (scrolling past warms nothing). */
export const WARM_AFTER_MS = 300;

/** Every store of one signed-in session, over one bridge. */
export function createInboxStores(bridge: BridgeApi) {
  const conversations = createConversationsStore(bridge);
  const messages = createMessagesStore(bridge);
  // A selected conversation opens (its page is asked for) at once, in the task of the click that
  // chose it: the gateway answers while its view renders. Opening decides the window once; later
  // unread counts are read marks, not reasons to reload.
  conversations.subscribe((state, previous) => {
    const id = state.selectedId;
    if (id !== null && id !== previous.selectedId) void messages.getState().open(id, state.byId[id]?.unread_count ?? 0);
  });
  // A press on a conversation's row, before the click (its release) selects it: the page the
  // opening needs is asked for now, so the click waits for no network.
  const pressConversation = (id: number) => {
    const state = conversations.getState();
    if (id !== state.selectedId) messages.getState().prepare(id, state.byId[id]?.unread_count ?? 0);
  };
  // The rows in view, once they stay a moment (the agent is looking, not scrolling through): their
  // conversations' opening pages load ahead. Their unread counts are part of what is in view: a
  // message coming in moves its row's divider, and its page is loaded again.
  let inView = '';
  let inViewTimer: ReturnType<typeof setTimeout> | undefined;
  const seeConversations = (ids: readonly number[]) => {
    const state = conversations.getState();
    const shown = ids.filter((id) => id !== state.selectedId).map((id) => ({ id, unreadCount: state.byId[id]?.unread_count ?? 0 }));
    const key = shown.map(({ id, unreadCount }) => `${id}:${unreadCount}`).join(',');
    if (key === inView) return;
    inView = key;
    clearTimeout(inViewTimer);
    inViewTimer = setTimeout(() => messages.getState().warm(shown), WARM_AFTER_MS);
  };
  return {
    bridge,
    conversations,
    messages,
    pressConversation,
    seeConversations,
    connection: createConnectionStore(),
    team: createTeamStore(),
    templates: createTemplatesStore(bridge),
    applied: createEventChannel(),
  };
}

/** The stores of one session. */
export type InboxStores = ReturnType<typeof createInboxStores>;

/** Provides the session's stores to components. */
export const InboxStoresContext = createContext<InboxStores | null>(null);

function useInboxStores(): InboxStores {
  const stores = useContext(InboxStoresContext);
  if (!stores) throw new Error('InboxStoresContext is missing');
  return stores;
}

/** Selects from the conversations store. */
export function useConversations<T>(select: (state: ConversationsState) => T): T {
  return useStore(useInboxStores().conversations, select);
}

/** The conversations store itself, for actions called outside rendering (stable: they never change). */
export function useConversationsStore() {
  return useInboxStores().conversations;
}

/** Selects from the messages store. */
export function useMessages<T>(select: (state: MessagesState) => T): T {
  return useStore(useInboxStores().messages, select);
}

/** The messages store itself, for its actions (stable: they never change). */
export function useMessagesStore() {
  return useInboxStores().messages;
}

/** What a press on a conversation's row does ahead of its click (stable). */
export function usePressConversation() {
  return useInboxStores().pressConversation;
}

/** What the list reports as in view (stable): those conversations are warmed for a click. */
export function useSeeConversations() {
  return useInboxStores().seeConversations;
}

/** Selects from the team store. */
export function useTeam<T>(select: (state: TeamState) => T): T {
  return useStore(useInboxStores().team, select);
}

/** The bridge of the session, for fire-and-forget signals (typing, viewing). */
export function useBridge() {
  return useInboxStores().bridge;
}

/** Selects from the connection store. */
export function useConnection<T>(select: (state: ConnectionStoreState) => T): T {
  return useStore(useInboxStores().connection, select);
}

/** Selects from the templates store. */
export function useTemplates<T>(select: (state: TemplatesState) => T): T {
  return useStore(useInboxStores().templates, select);
}

/** Live events after the stores applied them. */
export function useAppliedEvents() {
  return useInboxStores().applied;
}
