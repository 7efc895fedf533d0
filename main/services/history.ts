import { fail, ok, type Conversation, type Message, type MessageInfo, type MessagePage, type Result, type ServerEvent, type ValidOperationRequest } from '../../shared/contract';
import { cursorOf, decodeCursor, encodeCursor } from '../store/message-repo';
import type { Store } from '../store';
import type { EventBus } from './event-bus';

const DEFAULT_PAGE_SIZE = 50;

/** Reading what is stored: conversations, pages of messages, the event log; and marking as read. */
export class History {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The conversation list (or its unread conversations), newest activity first: whole, or a page of
   * `limit` after `after_id`.
   */
  listConversations(request: ValidOperationRequest<'listConversations'>): Result<Conversation[]> {
    const listing = { unread: request.unread === true };
    if (request.limit === undefined) {
      if (request.after_id !== undefined) return fail('bad_request', 'after_id pages the list: give limit too');
      return ok(this.store.conversations.list(listing));
    }
    const page = this.store.conversations.page(request.limit, request.after_id, listing);
    return page ? ok(page) : fail('not_found', `conversation ${request.after_id} does not exist`);
  }

  /**
   * A page of a conversation: the newest, the one before or after a cursor, or one centred on a
   * message (half older, the message, the rest newer). Every page carries the cursors to page on
   * both ways, so a thread opened anywhere scrolls to both ends.
   */
  listMessages(request: ValidOperationRequest<'listMessages'>): Result<MessagePage> {
    const conversationId = request.conversation_id;
    if (!this.store.conversations.get(conversationId)) return fail('not_found', `conversation ${conversationId} does not exist`);
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const { messages } = this.store;
    if (request.around !== undefined || request.at !== undefined) {
      // A date is the first message at or after it; past the newest, the newest page.
      const target =
        request.around !== undefined
          ? messages.position(conversationId, request.around)
          : (messages.pageAfter(conversationId, { timestampMs: Date.parse(request.at ?? '') - 1, id: Number.MAX_SAFE_INTEGER }, 1).map(cursorOf)[0] ?? null);
      if (target === null) return ok(this.pageOf(conversationId, messages.page(conversationId, null, limit)));
      if (!target) return fail('not_found', `message ${request.around} is not in conversation ${conversationId}`);
      const olderCount = Math.floor((limit - 1) / 2);
      const older = messages.page(conversationId, target, olderCount);
      const rest = messages.pageAfter(conversationId, { timestampMs: target.timestampMs, id: target.id - 1 }, limit - older.length);
      return ok(this.pageOf(conversationId, [...older, ...rest]));
    }
    if (request.after !== undefined) {
      const cursor = decodeCursor(request.after);
      if (!cursor) return fail('bad_request', 'after: not a cursor from this gateway');
      return ok(this.pageOf(conversationId, messages.pageAfter(conversationId, cursor, limit)));
    }
    const cursor = request.before === undefined ? null : decodeCursor(request.before);
    if (request.before !== undefined && !cursor) return fail('bad_request', 'before: not a cursor from this gateway');
    return ok(this.pageOf(conversationId, messages.page(conversationId, cursor, limit)));
  }

  // Cursors on both ends of a page, each null when nothing lies beyond it (one indexed probe each).
  private pageOf(conversationId: number, page: Message[]): MessagePage {
    const oldest = page[0];
    const newest = page.at(-1);
    const { messages } = this.store;
    return {
      messages: page,
      // Read in the same synchronous step as the page: events are logged in the commit that makes
      // the change and published right after it, so no change can fall between the two.
      seq: this.store.events.head(),
      next_before: oldest && messages.hasBeyond(conversationId, cursorOf(oldest), true) ? encodeCursor(oldest) : null,
      next_after: newest && messages.hasBeyond(conversationId, cursorOf(newest), false) ? encodeCursor(newest) : null,
    };
  }

  /** One conversation, or why there is none. */
  conversation(conversationId: number): Result<Conversation> {
    const found = this.store.conversations.get(conversationId);
    return found ? ok(found) : fail('not_found', `conversation ${conversationId} does not exist`);
  }

  /**
   * A conversation's messages, oldest first, a page at a time, yielding to the event loop between
   * pages: an export of a long thread never holds up ingest or the window for long.
   */
  async *allMessages(conversationId: number, pageSize = 500): AsyncGenerator<Message[]> {
    let cursor = { timestampMs: -1, id: -1 };
    for (;;) {
      const page = this.store.messages.pageAfter(conversationId, cursor, pageSize);
      if (page.length > 0) yield page;
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      cursor = cursorOf(last);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  getMessageInfo(request: ValidOperationRequest<'getMessageInfo'>): Result<MessageInfo> {
    const message = this.store.messages.get(request.message_id);
    if (!message) return fail('not_found', `message ${request.message_id} does not exist`);
    const history = this.store.messages.history(message.id).map((entry) => ({
      status: entry.status,
      timestamp: new Date(entry.timestampMs).toISOString(),
      ...(entry.error ? { error: entry.error } : {}),
    }));
    return ok({ message, history });
  }

  /** Clears the unread count (what the agent has seen); Meta's read receipt is the sending issue's. */
  markRead(request: ValidOperationRequest<'markRead'>): Result<Conversation> {
    const { store } = this;
    const existing = store.conversations.get(request.conversation_id);
    if (!existing) return fail('not_found', `conversation ${request.conversation_id} does not exist`);
    if (existing.unread_count === 0) return ok(existing);
    const { conversation, event } = store.transaction(() => {
      const updated = store.conversations.markRead(existing.id);
      const appended: ServerEvent = store.events.append(
        { type: 'conversation_update', conversation_id: existing.id, conversation: updated },
        this.now(),
      );
      return { conversation: updated, event: appended };
    });
    this.bus.publish([event]);
    return ok(conversation);
  }

  listEvents(request: ValidOperationRequest<'listEvents'>): { events: ServerEvent[]; resync: boolean } {
    if (!this.store.events.canResumeFrom(request.since)) return { events: [], resync: true };
    return { events: this.store.events.after(request.since, request.limit ?? 200), resync: false };
  }
}
