import type { Conversation } from '../../shared/contract';
import { formatTime } from './format-time';

/** The inbox list: name, last message, time and unread count, newest first. */
export function ConversationList(props: { conversations: Conversation[]; selectedId: number | null; onSelect: (id: number) => void }) {
  if (props.conversations.length === 0) {
    return <p className="empty">No conversations yet. Messages customers send appear here.</p>;
  }
  return (
    <ul className="conversation-list" aria-label="Conversations">
      {props.conversations.map((conversation) => (
        <li key={conversation.id}>
          <button
            type="button"
            className={`conversation${conversation.id === props.selectedId ? ' selected' : ''}`}
            aria-current={conversation.id === props.selectedId}
            data-testid="conversation"
            onClick={() => props.onSelect(conversation.id)}
          >
            <span className="conversation-name">{conversation.name}</span>
            {conversation.last_message_at && <time className="conversation-time">{formatTime(conversation.last_message_at)}</time>}
            <span className="conversation-preview">{conversation.preview}</span>
            {conversation.unread_count > 0 && (
              <span className="unread" aria-label={`${conversation.unread_count} unread`}>
                {conversation.unread_count}
              </span>
            )}
          </button>
        </li>
      ))}
    </ul>
  );
}
