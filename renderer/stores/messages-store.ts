import { createStore } from 'zustand/vanilla';
import { assertNever, canAdvanceStatus, type Message, type MessageInfo, type MessagePage, type Result, type ServerEvent } from '../../shared/contract';
import { withoutKey } from './conversations-store';
import type { BridgeApi } from '../bridge/bridge-api';

/**
 * One conversation's loaded window of messages, in display order, and its paging state. The window
 * is either at the live tail (`nextAfter` null: new messages join it) or detached around an older
 * message (a search result, a date): then new messages only count in `missed` until the agent
 * returns to the latest, so nothing is ever inserted into a window it does not belong to.
 */
export type Thread = {
  ids: number[];
  byId: Record<number, Message>;
  /**
   * wamid → id of the messages this window has loaded: a reply finds its quoted message without a
   * scan. Shared by the versions of one window and only ever added to (a wamid names one message
   * for good): copying it for each page of 50 was most of a long scroll's garbage. A lookup still
   * goes through `byId`, so an older version never shows what it did not load.
   */
  wamidIndex: Map<string, number>;
  nextBefore: string | null;
  nextAfter: string | null;
  loading: boolean;
  error: string | null;
  sendError: string | null;
  /** The first unread message when the thread was opened (its divider); fixed, not chasing reads. */
  unreadFromId: number | null;
  /** Where the view goes when `focus.seq` changes: a message centred, or the bottom (null). */
  focus: { messageId: number | null; seq: number };
  /** New messages that arrived while the window was detached from the tail. */
  missed: number;
  /** Customer messages that arrived live since the thread was loaded (a "new messages" count starts from it). */
  arrivals: number;
};

/** Messages per conversation, normalised by id. */
export type MessagesState = {
  threads: Record<number, Thread>;
  /** Opens a conversation: the window kept from last time, or the newest page with the unread divider. */
  open(conversationId: number, unreadCount: number): Promise<void>;
  /**
   * A press on a conversation that is not open yet: the page its opening needs is asked for now,
   * and the click that follows (the release) opens with it. Dropped if no opening takes it soon.
   */
  prepare(conversationId: number, unreadCount: number): void;
  /** Reloads the newest page (after a resync, or "jump to latest"). */
  load(conversationId: number): Promise<void>;
  loadOlder(conversationId: number): Promise<void>;
  loadNewer(conversationId: number): Promise<void>;
  /** The newest message: the view goes to the bottom (a detached window loads the newest page instead). */
  showLatest(conversationId: number): Promise<void>;
  /** A window centred on one message (a search result, a quote), detached from the tail when it is older. */
  jumpTo(conversationId: number, messageId: number): Promise<void>;
  send(conversationId: number, text: string, options?: { replyTo: string | null; previewUrl: boolean }): Promise<boolean>;
  sendTemplate(conversationId: number, template: { name: string; language: string; parameters: string[] }): Promise<boolean>;
  /** Sends files in order, each uploaded then sent; stops at the first refusal. Answers how many were sent. */
  sendAttachments(conversationId: number, files: readonly { file: Blob & { name: string }; mimeType: string; caption?: string }[], replyTo: string | null): Promise<number>;
  retry(conversationId: number, messageId: number): Promise<void>;
  react(conversationId: number, messageId: number, emoji: string): Promise<void>;
  apply(event: ServerEvent): void;
  /** Applies a frame's worth of events in one update. */
  applyMany(events: readonly ServerEvent[]): void;
  /**
   * The conversations in the list's view (in order; with their unread counts): their opening pages
   * are loaded ahead, one at a time, so that a click on any of them shows it without waiting.
   */
  warm(conversations: readonly WarmConversation[]): void;
  /** Reloads every open thread (after a resync). */
  reloadAll(): Promise<void>;
  /** The "message info" panel: a message's status history with Meta's timestamps. */
  info: { messageId: number; value: MessageInfo | null; error: string | null } | null;
  showInfo(messageId: number): Promise<void>;
  hideInfo(): void;
};

/** A conversation whose opening page may be loaded ahead: its id and unread count. */
export type WarmConversation = { id: number; unreadCount: number };

/** How many conversations in view are warmed at most (a tall window shows about this many rows). */
export const WARM_LIMIT = 16;

/** How many messages a page holds. */
export const PAGE_SIZE = 50;

/** How long a page asked for on a press waits for the opening that takes it (a press held longer, or dragged away, is not a click). */
export const PRESS_AHEAD_MS = 1_500;

// Whether opening a conversation loads its newest page: not for a window being loaded or just
// opened on a search result or a quote, nor for a kept one (its place stays) with nothing unread.
function needsNewestPage(kept: Thread | undefined, unreadCount: number): boolean {
  if (kept && (kept.loading || kept.focus.messageId !== null)) return false;
  return !(kept && kept.ids.length > 0 && !kept.error && unreadCount === 0);
}

// Enough of the newest history to reach the first unread message, up to a page's limit.
const newestLimit = (unreadCount: number): number => Math.min(200, Math.max(PAGE_SIZE, unreadCount + 10));

// getRandomValues, unlike randomUUID, also exists on pages not served from a secure context (a
// team server reached over plain http).
function newClientMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A window with nothing loaded (its own index: windows never share one). */
const emptyThread = (): Thread => ({
  ids: [],
  byId: {},
  wamidIndex: new Map(),
  nextBefore: null,
  nextAfter: null,
  loading: false,
  error: null,
  sendError: null,
  unreadFromId: null,
  focus: { messageId: null, seq: 0 },
  missed: 0,
  arrivals: 0,
});

// The first of the newest `unread` inbound messages: where the "unread messages" divider goes.
function firstUnread(messages: readonly Message[], unread: number): number | null {
  if (unread <= 0) return null;
  let seen = 0;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.direction !== 'in') continue;
    seen += 1;
    if (seen === unread) return message.id;
  }
  // More unread than loaded: the divider sits at the top of what is loaded.
  return messages.find((message) => message.direction === 'in')?.id ?? null;
}

// ISO-8601 UTC times of one format order as plain strings: a code-unit comparison, not the
// collation of localeCompare, which took a long task to sort two thousand messages.
function byTimeThenId(byId: Record<number, Message>) {
  return (a: number, b: number) => {
    const left = byId[a]?.timestamp;
    const right = byId[b]?.timestamp;
    if (left === undefined || right === undefined || left === right) return a - b;
    return left < right ? -1 : 1;
  };
}

/** Two id lists, each in order, merged in order: a page joins the window in linear time. */
function mergeInOrder(current: readonly number[], joining: readonly number[], compare: (a: number, b: number) => number): number[] {
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < current.length && j < joining.length) merged.push(compare(current[i] ?? 0, joining[j] ?? 0) <= 0 ? (current[i++] ?? 0) : (joining[j++] ?? 0));
  while (i < current.length) merged.push(current[i++] ?? 0);
  while (j < joining.length) merged.push(joining[j++] ?? 0);
  return merged;
}

function withMessages(thread: Thread, messages: Message[]): Thread {
  const byId = { ...thread.byId };
  const wamidIndex = thread.wamidIndex;
  const joining = new Set<number>();
  for (const message of messages) {
    if (!byId[message.id]) joining.add(message.id);
    byId[message.id] = message;
    if (message.wamid) wamidIndex.set(message.wamid, message.id);
  }
  // The order only changes when a message joins: an edit or a reaction keeps the same ids array.
  // A message's time never changes, so the window stays in order and only the newcomers are sorted.
  const compare = byTimeThenId(byId);
  const ids = joining.size > 0 ? mergeInOrder(thread.ids, [...joining].sort(compare), compare) : thread.ids;
  return { ...thread, byId, wamidIndex, ids };
}

/** A new window from one page: `replace.focus` centred (or the bottom), the unread divider placed by `replace.unread`. */
function windowOf(page: MessagePage, thread: Thread, replace: { focus: number | null; unread?: number }): Thread {
  return {
    ...withMessages({ ...emptyThread(), sendError: thread.sendError, arrivals: thread.arrivals }, page.messages),
    nextBefore: page.next_before,
    nextAfter: page.next_after,
    unreadFromId: firstUnread(page.messages, replace.unread ?? 0),
    focus: { messageId: replace.focus, seq: thread.focus.seq + 1 },
  };
}

type PageRequest = { before?: string; after?: string; around?: number; limit?: number };
/** The message events that land while a conversation's pages are on their way. */
type PageWait = { requests: number; landed: ServerEvent[] };
/** A page asked for, and the wait that keeps what lands until it is in. */
type PageAsk = { conversationId: number; wait: PageWait; answer: ReturnType<BridgeApi['listMessages']> };

/** The message store; a thread only receives live events once it has been loaded. */
export function createMessagesStore(bridge: BridgeApi) {
  return createStore<MessagesState>()((set, get) => {
    const update = (conversationId: number, change: (thread: Thread) => Thread) =>
      set((state) => ({ threads: { ...state.threads, [conversationId]: change(state.threads[conversationId] ?? emptyThread()) } }));

    // The message events that land while a conversation's page is on its way. The gateway may have
    // read the page before them: a new window would drop what they brought (it starts from the page
    // alone), and a tick for a message the page brings had nothing to move yet. Those after the
    // page's `seq` are applied again once the page is in.
    const pageWaits = new Map<number, PageWait>();
    // A page asked for: its answer, and the events landing meanwhile. `settle` ends the wait.
    const ask = (conversationId: number, request: PageRequest): PageAsk => {
      const wait = pageWaits.get(conversationId) ?? { requests: 0, landed: [] };
      wait.requests += 1;
      pageWaits.set(conversationId, wait);
      return { conversationId, wait, answer: bridge.listMessages({ conversation_id: conversationId, ...request }) };
    };
    const settle = ({ conversationId, wait }: PageAsk) => {
      wait.requests -= 1;
      if (wait.requests === 0) pageWaits.delete(conversationId);
    };

    // The newest page asked for on the latest press of a conversation not open yet, for the
    // opening its click makes: the network works while the button is held (tens of milliseconds).
    let pressed: (PageAsk & { unreadCount: number; expiry: ReturnType<typeof setTimeout> }) | null = null;
    const dropPressed = () => {
      if (!pressed) return;
      clearTimeout(pressed.expiry);
      settle(pressed);
      pressed = null;
    };
    // The pressed page, if it is for this opening. One asked for with another unread count (a
    // message came in between) would put the unread divider in the wrong place: it is dropped.
    const takePressed = (conversationId: number, unreadCount: number): PageAsk | null => {
      if (!pressed || pressed.conversationId !== conversationId || pressed.unreadCount !== unreadCount) {
        dropPressed();
        return null;
      }
      clearTimeout(pressed.expiry);
      const taken = pressed;
      pressed = null;
      return taken;
    };

    // Applies events to the loaded threads. `replaying`: events applied once already, again on top of
    // a page read before them (an inbound message is not counted as a new arrival twice).
    const applyEvents = (events: readonly ServerEvent[], replaying: boolean) => {
      const threads = get().threads;
      let next: Record<number, Thread> | null = null;
      // Threads whose `byId` this batch has already copied: later ticks in the batch write into
      // that copy instead of copying 2,000 records again for each (500 ticks/s cost 60-90 ms a frame).
      const ownById = new Set<number>();
      const change = (conversationId: number, changeThread: (thread: Thread) => Thread) => {
        const current = (next ?? threads)[conversationId];
        if (!current) return;
        next ??= { ...threads };
        next[conversationId] = changeThread(current);
      };
      for (const event of events) {
        switch (event.type) {
          case 'new_message':
            change(event.conversation_id, (thread) => {
              if (thread.byId[event.message.id]) return withMessages(thread, [event.message]);
              const arrivals = thread.arrivals + (event.message.direction === 'in' && !replaying ? 1 : 0);
              // A detached window (an older page) never takes live messages: they are counted.
              return thread.nextAfter === null ? { ...withMessages(thread, [event.message]), arrivals } : { ...thread, missed: thread.missed + 1, arrivals };
            });
            break;
          case 'message_update':
            change(event.conversation_id, (thread) => (thread.byId[event.message.id] ? withMessages(thread, [event.message]) : thread));
            break;
          case 'status_update':
            change(event.conversation_id, (thread) => {
              const message = thread.byId[event.message_id];
              // Replays and late events never move a tick backwards, here as in the gateway.
              if (!message || !canAdvanceStatus(message.status, event.status)) return thread;
              const changed: Message = { ...message, status: event.status, wamid: event.wamid ?? message.wamid };
              if (event.error) changed.error = event.error;
              // Only this message's record changes: its row re-renders, no other.
              if (ownById.has(event.conversation_id)) {
                thread.byId[message.id] = changed;
                return thread;
              }
              ownById.add(event.conversation_id);
              return { ...thread, byId: { ...thread.byId, [message.id]: changed } };
            });
            break;
          case 'conversation_removed':
            if ((next ?? threads)[event.conversation_id]) next = withoutKey(next ?? threads, event.conversation_id);
            break;
          case 'conversation_update':
          case 'presence':
          case 'typing':
          case 'viewing':
          case 'gateway_update':
          case 'webhook_log_update':
          case 'tunnel_update':
            break;
          default:
            assertNever(event);
        }
      }
      if (next) set({ threads: next });
    };

    // One page into the window: `replace` starts a new window (open, jump, latest), otherwise it
    // extends the current one at one end. The answer is dropped if the window changed meanwhile.
    // `asked`: the page, if it was asked for already (on a press).
    const fetchPage = async (conversationId: number, request: PageRequest, replace: { focus: number | null; unread?: number } | null, asked: PageAsk = ask(conversationId, request)) => {
      const before = get().threads[conversationId];
      update(conversationId, (thread) => ({ ...thread, loading: true, error: null }));
      let result: Awaited<PageAsk['answer']>;
      try {
        result = await asked.answer;
      } finally {
        settle(asked);
      }
      if (!result.ok) {
        update(conversationId, (thread) => ({ ...thread, loading: false, error: result.error.message }));
        return;
      }
      const page = result.value;
      update(conversationId, (thread) => {
        if (replace) return windowOf(page, thread, replace);
        // Another window replaced this one while the page was on its way.
        if (before && thread.ids[0] !== before.ids[0] && thread.ids.at(-1) !== before.ids.at(-1)) return { ...thread, loading: false };
        const extended = withMessages(thread, page.messages);
        return request.before
          ? { ...extended, nextBefore: page.next_before, loading: false }
          : { ...extended, nextAfter: page.next_after, loading: false, missed: page.next_after === null ? 0 : thread.missed };
      });
      replayOnto(page, asked, replace !== null);
    };

    // What is newer than a page goes again on top of it. A window that only grew has the messages
    // that landed already (or counted them), so only their changes and ticks go again.
    const replayOnto = (page: MessagePage, asked: PageAsk, newWindow: boolean) => {
      const newer = asked.wait.landed.filter((event) => event.seq > page.seq && (newWindow || event.type !== 'new_message'));
      if (newer.length > 0) applyEvents(newer, true);
    };

    // The conversations in view, ahead of a click: each one's opening page, loaded one at a time
    // into a window of its own that live events keep current, so a click on any of them renders
    // at once, with no network in between. `warmed`: the unread count each was loaded with (its
    // divider's place), until the conversation opens. A warmed window never opened goes when its
    // row leaves the view, so what is kept stays bounded by what the list shows.
    const warmed = new Map<number, number>();
    // The conversations in view, in order, with the unread count each is wanted with.
    let warmWanted = new Map<number, number>();
    let warmQueue: WarmConversation[] = [];
    // The page being warmed now; an opening of that conversation waits for it instead of asking again.
    let warming: { id: number; done: Promise<void> } | null = null;
    // Bumped when a resync makes any page asked before it stale: a warm page from before is not kept.
    let warmEpoch = 0;
    const dropWarmed = (keep: (id: number) => boolean) => {
      let threads: Record<number, Thread> | null = null;
      for (const id of [...warmed.keys()]) {
        if (keep(id)) continue;
        warmed.delete(id);
        threads = withoutKey(threads ?? get().threads, id);
      }
      if (threads) set({ threads });
    };
    const warmOne = async (id: number, unreadCount: number) => {
      const epoch = warmEpoch;
      const asked = ask(id, { limit: newestLimit(unreadCount) });
      let result: Awaited<PageAsk['answer']>;
      try {
        result = await asked.answer;
      } finally {
        settle(asked);
      }
      // Not kept: a failure (the opening asks again and shows it), a page from before a resync, a
      // row gone from view, or a window that an opening made meanwhile.
      if (!result.ok || epoch !== warmEpoch || !warmWanted.has(id) || get().threads[id]) return;
      const page = result.value;
      warmed.set(id, unreadCount);
      set((state) => ({ threads: { ...state.threads, [id]: windowOf(page, emptyThread(), { focus: null, unread: unreadCount }) } }));
      replayOnto(page, asked, true);
    };
    const warmNext = () => {
      if (warming) return;
      const next = warmQueue.shift();
      if (!next) return;
      if (get().threads[next.id] || !warmWanted.has(next.id)) return warmNext();
      const done = warmOne(next.id, next.unreadCount).finally(() => {
        warming = null;
        warmNext();
      });
      warming = { id: next.id, done };
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
      async open(conversationId, unreadCount) {
        // Its page is being warmed: that answer comes sooner than a new question's would.
        if (warming?.id === conversationId) await warming.done;
        const asked = takePressed(conversationId, unreadCount);
        const warmedWith = warmed.get(conversationId);
        warmed.delete(conversationId);
        const kept = get().threads[conversationId];
        // Loaded ahead with this unread count, it opens as it is. With another (a message came in,
        // or someone read it), the divider would be misplaced: the opening page is asked again.
        const keep = warmedWith !== undefined && kept ? warmedWith === unreadCount : !needsNewestPage(kept, unreadCount);
        if (keep) {
          if (asked) settle(asked);
          return;
        }
        await fetchPage(conversationId, { limit: newestLimit(unreadCount) }, { focus: null, unread: unreadCount }, asked ?? undefined);
      },
      prepare(conversationId, unreadCount) {
        if (pressed?.conversationId === conversationId && pressed.unreadCount === unreadCount) return;
        dropPressed();
        if (warmed.get(conversationId) === unreadCount || warming?.id === conversationId) return;
        if (!needsNewestPage(get().threads[conversationId], unreadCount)) return;
        const asked = ask(conversationId, { limit: newestLimit(unreadCount) });
        pressed = { ...asked, unreadCount, expiry: setTimeout(dropPressed, PRESS_AHEAD_MS) };
      },
      load: (conversationId) => fetchPage(conversationId, {}, { focus: null }),
      async loadOlder(conversationId) {
        const thread = get().threads[conversationId];
        if (thread?.nextBefore && !thread.loading) await fetchPage(conversationId, { before: thread.nextBefore }, null);
      },
      async loadNewer(conversationId) {
        const thread = get().threads[conversationId];
        if (thread?.nextAfter && !thread.loading) await fetchPage(conversationId, { after: thread.nextAfter }, null);
      },
      async showLatest(conversationId) {
        const thread = get().threads[conversationId];
        if (!thread || thread.nextAfter !== null) return fetchPage(conversationId, {}, { focus: null });
        // Already the tail: only a new focus, at the bottom (the divider has done its work).
        update(conversationId, (current) => ({ ...current, unreadFromId: null, focus: { messageId: null, seq: current.focus.seq + 1 } }));
      },
      jumpTo: (conversationId, messageId) => fetchPage(conversationId, { around: messageId }, { focus: messageId }),
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
      async sendAttachments(conversationId, files, replyTo) {
        let sent = 0;
        for (const { file, mimeType, caption } of files) {
          const data = new Uint8Array(await file.arrayBuffer());
          const request = {
            conversation_id: conversationId,
            filename: file.name,
            mime_type: mimeType,
            data,
            client_message_id: newClientMessageId(),
            ...(caption ? { caption } : {}),
            // The quote goes with the first file only.
            ...(replyTo && sent === 0 ? { reply_to: replyTo } : {}),
          };
          if (!accept(conversationId, await bridge.sendAttachment(request))) break;
          sent += 1;
        }
        return sent;
      },
      async retry(conversationId, messageId) {
        await accept(conversationId, await bridge.retryMessage({ message_id: messageId }));
      },
      async react(conversationId, messageId, emoji) {
        await accept(conversationId, await bridge.reactToMessage({ message_id: messageId, emoji }));
      },
      apply(event) {
        get().applyMany([event]);
      },
      applyMany(events) {
        for (const event of events) {
          if (event.type === 'new_message' || event.type === 'message_update' || event.type === 'status_update') pageWaits.get(event.conversation_id)?.landed.push(event);
        }
        applyEvents(events, false);
      },
      warm(conversations) {
        warmQueue = conversations.slice(0, WARM_LIMIT);
        warmWanted = new Map(warmQueue.map(({ id, unreadCount }) => [id, unreadCount]));
        // A warmed window whose unread count moved since is loaded again, with its divider in place.
        dropWarmed((id) => warmWanted.get(id) === warmed.get(id));
        warmNext();
      },
      async reloadAll() {
        // A page asked for before the resync may lack what the lost events brought. Windows only
        // warmed go (they are warmed again from the rows in view); the open ones load again.
        dropPressed();
        warmEpoch += 1;
        dropWarmed(() => false);
        warmQueue = [...warmWanted].map(([id, unreadCount]) => ({ id, unreadCount }));
        warmNext();
        await Promise.all(Object.keys(get().threads).map((id) => fetchPage(Number(id), {}, { focus: null })));
      },
    };
  });
}

/** The store instance type. */
export type MessagesStore = ReturnType<typeof createMessagesStore>;
