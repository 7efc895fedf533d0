import { memo, useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import { VList, type VListHandle } from 'virtua';
import type { Conversation } from '../../shared/contract';
import { formatTime } from './format-time';
import { BUSINESS_APP, senderLabel } from './MessageBubble';
import { Ticks } from './Ticks';

/** The DOM id of a conversation's row: what the list names as its active option. */
export function conversationRowId(id: number): string {
  return `conversation-${id}`;
}

/** Who wrote the newest message, as the list's preview prefix ("You: …"); empty for the customer. */
export function previewAuthor(last: Conversation['last_message'], me: string | null): string {
  const sender = last ? senderLabel(last, me) : null;
  if (!sender) return '';
  // The list is narrow: the app by its short name.
  return `${sender === BUSINESS_APP ? 'Business app' : sender}: `;
}

type RowProps = { conversation: Conversation; selected: boolean; me: string | null; onSelect: (id: number) => void; onPress?: (id: number) => void };

// One row, re-rendered only when its own conversation (or whether it is selected) changes.
const ConversationRow = memo(function ConversationRow({ conversation, selected, me, onSelect, onPress }: RowProps) {
  const last = conversation.last_message;
  const failed = last?.direction === 'out' && last.status === 'failed';
  const unread = conversation.unread_count > 0;
  return (
    <div
      id={conversationRowId(conversation.id)}
      role="option"
      aria-selected={selected}
      className={`conversation${selected ? ' selected' : ''}${unread ? ' has-unread' : ''}${failed ? ' has-failed' : ''}`}
      data-testid="conversation"
      onClick={() => onSelect(conversation.id)}
      // The main button going down: the click it may become is the release, tens of milliseconds later.
      onPointerDown={(event) => {
        if (event.button === 0 && event.isPrimary) onPress?.(conversation.id);
      }}
    >
      <span className="conversation-name">{conversation.name}</span>
      {conversation.last_message_at && <time className="conversation-time">{formatTime(conversation.last_message_at)}</time>}
      <span className="conversation-preview">
        {last?.direction === 'out' && <Ticks status={last.status} />}
        {failed && <span className="preview-failed">Not sent · </span>}
        {previewAuthor(last, me)}
        {conversation.preview}
      </span>
      {unread && (
        <span className="unread" aria-label={`${conversation.unread_count} unread`}>
          {conversation.unread_count}
        </span>
      )}
    </div>
  );
});

/**
 * The inbox list, newest first, virtualised: only the rows in view exist, so two thousand
 * conversations cost what twenty do. One Tab stop (a listbox); arrow keys, Home and End move the
 * selection, which opens the conversation.
 */
export function ConversationList(props: {
  conversations: readonly Conversation[];
  selectedId: number | null;
  me: string | null;
  onSelect: (id: number) => void;
  /** A row pressed (the main button down), before its click: to get ready to open it. */
  onPress?: (id: number) => void;
  /** The conversations whose rows are in view, in order: after each change of the list, scroll or size. */
  onInView?: (ids: number[]) => void;
  emptyText: string;
}) {
  const { conversations, selectedId, onSelect, onPress, onInView } = props;
  const list = useRef<VListHandle>(null);
  const selectedIndex = selectedId === null ? -1 : conversations.findIndex((c) => c.id === selectedId);

  // The rows in view, from the list's own measurements (read when they change, not per frame).
  const shown = useRef(conversations);
  shown.current = conversations;
  const reportInView = useCallback(() => {
    const handle = list.current;
    if (!handle || !onInView) return;
    const first = handle.findItemIndex(handle.scrollOffset);
    const last = handle.findItemIndex(handle.scrollOffset + Math.max(0, handle.viewportSize - 1));
    onInView(shown.current.slice(first, last + 1).map((conversation) => conversation.id));
  }, [onInView]);
  useEffect(reportInView, [conversations, reportInView]);

  // The selection stays in view when it moves by keyboard, shortcut or search.
  useEffect(() => {
    if (selectedIndex >= 0) list.current?.scrollToIndex(selectedIndex, { align: 'nearest' });
  }, [selectedIndex]);

  if (conversations.length === 0) return <p className="empty">{props.emptyText}</p>;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const last = conversations.length - 1;
    const target = { ArrowDown: Math.min(last, selectedIndex + 1), ArrowUp: Math.max(0, selectedIndex - 1), Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const conversation = conversations[target];
    if (conversation) onSelect(conversation.id);
  };

  return (
    <VList
      ref={list}
      className="conversation-list"
      role="listbox"
      aria-label="Conversations"
      tabIndex={0}
      aria-activedescendant={selectedIndex >= 0 ? conversationRowId(selectedId ?? 0) : undefined}
      onKeyDown={onKeyDown}
      onScrollEnd={reportInView}
      onResize={reportInView}
      data={conversations}
    >
      {(conversation) => (
        <ConversationRow key={conversation.id} conversation={conversation} selected={conversation.id === selectedId} me={props.me} onSelect={onSelect} onPress={onPress} />
      )}
    </VList>
  );
}
