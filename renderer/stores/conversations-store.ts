import { createStore } from 'zustand/vanilla';
import { MAX_CONVERSATION_PAGE, MAX_SEARCH_PAGE, type Conversation, type MessageStatus, type ServerEvent } from '../../shared/contract';
import type { BridgeApi } from '../bridge/bridge-api';
import { NO_FILTER, type ConversationFilter } from './conversation-filter';
import { orderOf, reorder } from './conversation-order';

/** Conversations normalised by id, the selection, and what went wrong loading them. */
export type ConversationsState = {
  byId: Record<number, Conversation>;
  /** The ids of `byId` in the list's order (newest activity first), kept as events move them. */
  order: readonly number[];
  selectedId: number | null;
  /** The first page is in: the list can show. */
  loaded: boolean;
  /** Every page is in (older conversations follow the first page in the background). */
  complete: boolean;
  error: string | null;
  /** Why the conversation that was open is gone (erased, or past the retention setting), until another is opened. */
  removedNotice: string | null;
  /** What the list shows, and the conversations whose messages match the typed text (null: not searched). */
  filter: ConversationFilter;
  textMatches: ReadonlySet<number> | null;
  /** Loads (or, after a resync, reloads) the whole list, a page at a time: resolves once the first page is in. */
  load(): Promise<void>;
  /** The agent looks for a conversation (a filter, the palette): older pages come in now, not when the page is idle. */
  hurry(): void;
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

/** The first page: enough to fill the list at once, small enough to paint at once. */
export const FIRST_LIST_PAGE = 100;
/** How often the pages that follow are shown (each showing sorts the whole list again). */
const LIST_PUBLISH_MS = 500;
/** A page's cursor can vanish while paging (a conversation erased): paging starts over, this often at most. */
const LIST_RESTARTS = 3;

/** Waits `afterMs`, then for the page to be idle (the browser's idle callback where there is one). */
function whenIdle(afterMs: number): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(() => {
      if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: 1_000 });
      else resolve();
    }, afterMs),
  );
}

/** How long the list stays as its first page showed before older pages come in: what the agent does first (open a thread) goes first. */
const LIST_SETTLE_MS = 1_000;

/** A filter by name, number or text looks through every conversation: the older ones are needed now. */
export function looksForConversation(filter: ConversationFilter): boolean {
  return filter.query.trim() !== '' || filter.phoneNumberId !== null;
}

/** How reading a listing ended: every page in, a newer load took over, or a page failed (why). */
type ListingEnd = { end: 'done' } | { end: 'stale' } | { end: 'failed'; message: string };

/**
 * The conversation list's store; actions call the bridge, never `window`. `idle` paces the pages
 * after the first, so they never take a frame from the agent (opening a thread, typing).
 */
export function createConversationsStore(bridge: BridgeApi, now: () => number = () => performance.now(), idle: (afterMs: number) => Promise<void> = whenIdle) {
  // The load under way (a resync starts another, which takes over), and what live events changed
  // meanwhile: the conversations they brought (the store's copy of those is as new as any page's),
  // and the ticks of conversations no page had brought yet (numbered, to tell which pages they postdate).
  let loading = 0;
  let touched: Set<number> | null = null;
  let lateTicks: Map<number, { messageId: number; status: MessageStatus; seq: number }> | null = null;
  let eventSeq = 0;
  // Once the agent looks for a conversation, older pages stop waiting for idle moments.
  let hurried = false;
  let endWait: (() => void) | null = null;
  const paced = (afterMs: number): Promise<void> =>
    hurried ? Promise.resolve() : Promise.race([idle(afterMs), new Promise<void>((resolve) => (endWait = resolve))]);
  return createStore<ConversationsState>()((set, get) => {
    // Pages the list in: `firstPageIn` is called once the first page shows (or the load ends).
    async function pageThrough(firstPageIn: () => void): Promise<void> {
      const generation = ++loading;
      const stale = () => generation !== loading;
      hurried = looksForConversation(get().filter);
      touched = new Set();
      lateTicks = new Map();
      const seen = new Set<number>();
      // Conversations from pages not shown yet, each with the event count when its page was asked for.
      let pending: { conversation: Conversation; askedAt: number }[] = [];
      let publishedAt = Number.NEGATIVE_INFINITY;
      const publish = (complete: boolean) => {
        const byId = { ...get().byId };
        for (const { conversation, askedAt } of pending) if (!touched?.has(conversation.id)) byId[conversation.id] = withLateTick(conversation, askedAt);
        // The whole list is in: what no page had and no event brought was removed meanwhile (a resync).
        if (complete) for (const id of Object.keys(byId).map(Number)) if (!seen.has(id) && !touched?.has(id)) delete byId[id];
        pending = [];
        publishedAt = now();
        set({ byId, order: orderOf(byId), loaded: true, complete, error: null });
        firstPageIn();
      };
      // A tick that moved after the page was asked for: the page shows it as it was.
      const withLateTick = (conversation: Conversation, askedAt: number): Conversation => {
        const late = lateTicks?.get(conversation.id);
        const last = conversation.last_message;
        if (!late || !last || late.seq <= askedAt || last.id !== late.messageId || last.status === late.status) return conversation;
        return { ...conversation, last_message: { ...last, status: late.status } };
      };
      // One listing (all conversations, or the unread ones) from its start or after a conversation,
      // page after page, each asked for once `pace` lets it. A page's cursor can vanish meanwhile
      // (the conversation erased): the listing starts over.
      const readListing = async (listing: { unread?: true; after?: number }, pace: (page: number) => Promise<void>): Promise<ListingEnd> => {
        let afterId = listing.after;
        let restarts = 0;
        for (let page = 0; ; page += 1) {
          await pace(page);
          if (stale()) return { end: 'stale' };
          const askedAt = eventSeq;
          const result = await bridge.listConversations({ limit: MAX_CONVERSATION_PAGE, ...(listing.unread ? { unread: true } : {}), ...(afterId === undefined ? {} : { after_id: afterId }) });
          if (stale()) return { end: 'stale' };
          if (!result.ok) {
            if (result.error.code === 'not_found' && afterId !== undefined && restarts < LIST_RESTARTS) {
              restarts += 1;
              afterId = undefined;
              continue;
            }
            return { end: 'failed', message: result.error.message };
          }
          for (const conversation of result.value) seen.add(conversation.id);
          pending.push(...result.value.map((conversation) => ({ conversation, askedAt })));
          if (result.value.length < MAX_CONVERSATION_PAGE) return { end: 'done' };
          if (now() - publishedAt >= LIST_PUBLISH_MS) publish(false);
          afterId = result.value.at(-1)?.id;
        }
      };
      // Whether paging goes on after a listing; when one failed, what came in shows and the error says why.
      const goesOn = (listing: ListingEnd): boolean => {
        if (listing.end === 'failed') {
          if (pending.length > 0) publish(false);
          set({ error: `Could not load older conversations: ${listing.message}` });
        }
        return listing.end === 'done';
      };

      // The first page paints the list.
      const askedAt = eventSeq;
      const first = await bridge.listConversations({ limit: FIRST_LIST_PAGE });
      if (stale()) return;
      if (!first.ok) {
        set({ error: first.error.message });
        return;
      }
      for (const conversation of first.value) seen.add(conversation.id);
      pending.push(...first.value.map((conversation) => ({ conversation, askedAt })));
      const complete = first.value.length < FIRST_LIST_PAGE;
      publish(complete);
      if (complete) return finished();
      // Then every unread conversation: the unread total, the Unread filter and the badge count
      // them all from here on, however far back they are. Their first page (500) comes at once;
      // an inbox with more waits for idle moments between pages, as older pages do.
      const unreadPace = (page: number): Promise<void> => {
        if (page === 0) return Promise.resolve();
        // Each unread page shows before the wait: they are what the total counts.
        if (pending.length > 0) publish(false);
        return paced(0);
      };
      if (!goesOn(await readListing({ unread: true }, unreadPace))) return;
      if (pending.length > 0) publish(false);
      // Then the rest, once the page is idle: what the agent does first (open a thread) goes first.
      if (!goesOn(await readListing({ after: first.value.at(-1)?.id }, (page) => paced(page === 0 ? LIST_SETTLE_MS : 0)))) return;
      publish(true);
      finished();
    }
    // Live events no longer race a page.
    function finished(): void {
      touched = null;
      lateTicks = null;
    }

    return {
      byId: {},
      order: [],
      selectedId: null,
      loaded: false,
      complete: false,
      error: null,
      removedNotice: null,
      filter: NO_FILTER,
      textMatches: null,
      load() {
        // Years of history are tens of thousands of conversations (10,000: 3.3 MB of JSON in one
        // answer): the first page paints the list, the rest follows in pages behind it.
        return new Promise<void>((firstPageIn) => void pageThrough(firstPageIn).finally(firstPageIn));
      },
      hurry() {
        if (get().complete) return;
        hurried = true;
        endWait?.();
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
        if (looksForConversation(filter)) get().hurry();
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
        const moved = new Set<number>();
        let selection: Pick<ConversationsState, 'selectedId' | 'removedNotice'> | null = null;
        for (const event of events) {
          eventSeq += 1;
          if (event.type === 'conversation_removed') {
            touched?.add(event.conversation_id);
            byId = withoutKey(byId ?? get().byId, event.conversation_id);
            moved.add(event.conversation_id);
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
            // Not in the list yet: the page that brings it may be older than this tick.
            if (!current) lateTicks?.set(event.conversation_id, { messageId, status, seq: eventSeq });
            if (!current?.last_message || current.last_message.id !== messageId || current.last_message.status === status) continue;
            touched?.add(current.id);
            byId ??= { ...get().byId };
            byId[current.id] = { ...current, last_message: { ...current.last_message, status } };
            continue;
          }
          // A new message carries its conversation's new preview, order and unread count.
          const conversation = event.type === 'conversation_update' || event.type === 'new_message' ? event.conversation : undefined;
          if (!conversation) continue;
          touched?.add(conversation.id);
          byId ??= { ...get().byId };
          byId[conversation.id] = conversation;
          moved.add(conversation.id);
        }
        // A tick changes no place in the list; a message, a rename or a removal may.
        const order = moved.size > 0 && byId ? { order: reorder(get().order, byId, moved) } : {};
        if (byId || selection) set({ ...(byId ? { byId } : {}), ...order, ...(selection ?? {}) });
      },
    };
  });
}

/** The store instance type. */
export type ConversationsStore = ReturnType<typeof createConversationsStore>;
