import { fail, ok, type Conversation, type MessageInfo, type MessagePage, type Result, type ServerEvent, type ValidOperationRequest } from '../../shared/contract';
import { decodeCursor, encodeCursor } from '../store/message-repo';
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

  listConversations(): Conversation[] {
    return this.store.conversations.list();
  }

  listMessages(request: ValidOperationRequest<'listMessages'>): Result<MessagePage> {
    if (!this.store.conversations.get(request.conversation_id)) {
      return fail('not_found', `conversation ${request.conversation_id} does not exist`);
    }
    const cursor = request.before === undefined ? null : decodeCursor(request.before);
    if (request.before !== undefined && !cursor) return fail('bad_request', 'before: not a cursor from this gateway');
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const messages = this.store.messages.page(request.conversation_id, cursor, limit);
    const oldest = messages[0];
    return ok({ messages, next_before: messages.length === limit && oldest ? encodeCursor(oldest) : null });
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
