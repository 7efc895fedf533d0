import { useState } from 'react';
import type { Message } from '../../shared/contract';
import { formatClock } from './format-time';
import { MessageContentView } from './MessageContentView';
import { Ticks } from './Ticks';

// The text under a message's content, when it adds something: a file's caption (the stored text
// of a captionless file is a label), nothing for a place or a tapped button (their card says it
// once, and so does a contact card), the text otherwise.
function shownText(message: Message): string | undefined {
  const { content } = message;
  if (content.media) return content.media.caption;
  if (content.location || content.interactive || content.button || content.contacts) return undefined;
  return message.text;
}

/** What sent an outgoing message that no agent sent from Switchboard (echoes, synced history). */
export const BUSINESS_APP = 'WhatsApp Business app';

/** Who sent an outgoing message: "You", another agent by name, or the WhatsApp Business app. */
export function senderLabel(message: Pick<Message, 'direction' | 'sent_by'>, me: string | null): string | null {
  if (message.direction === 'in') return null;
  if (message.sent_by === undefined) return BUSINESS_APP;
  if (message.sent_by === '') return null;
  return message.sent_by === me ? 'You' : message.sent_by;
}

function FailureReason({ error }: { error: NonNullable<Message['error']> }) {
  return (
    <p className="bubble-error" role="alert">
      {error.title}
      {error.code !== null ? ` (${error.code})` : ''}
      {error.details ? `: ${error.details}` : ''}
    </p>
  );
}

/**
 * One message: its text and content, labels (forwarded, edited, deleted, ad referral), reactions,
 * time, and for outgoing messages the ticks (click them for the status history) and any failure.
 */
const QUICK_REACTIONS = ['👍', '❤️', '😂', '🙏'];

export function MessageBubble({
  message,
  onShowInfo,
  onRetry,
  onReact,
  onQuote,
  quoted,
  onOpenQuote,
  me = null,
  target = false,
}: {
  message: Message;
  /** The signed-in agent, so their own messages say "You". */
  me?: string | null;
  /** Shows the quoted message in the thread (when it is stored). */
  onOpenQuote?: (messageId: number) => void;
  /** The message a search result or a quote opened. */
  target?: boolean;
  /** Quote this message in the reply (it needs a wamid). */
  onQuote?: (message: Message) => void;
  /** The text of the message this one replies to, when it is loaded. */
  quoted?: string | null;
  onShowInfo?: (messageId: number) => void;
  onRetry?: (messageId: number) => void;
  /** Absent outside the 24-hour window, when reactions cannot be sent. */
  onReact?: (messageId: number, emoji: string) => void;
}) {
  const outgoing = message.direction === 'out';
  const unsupported = message.content.unsupported_type !== undefined;
  const text = shownText(message);
  const sender = senderLabel(message, me);
  // Reply and the quick reactions exist only while the bubble is pointed at or focused (they were
  // hidden otherwise): a row scrolled into view mounts a third fewer elements, and scrolling leaves
  // less for the garbage collector to sweep.
  const [engaged, setEngaged] = useState(false);
  return (
    <div
      className={`bubble bubble-${message.direction}${message.revoked ? ' bubble-revoked' : ''}${target ? ' bubble-target' : ''}`}
      data-message-id={message.id}
      data-testid="message"
      // Reached with the arrow keys inside the timeline (one Tab stop), never by Tab.
      tabIndex={-1}
      onMouseEnter={() => setEngaged(true)}
      onMouseLeave={(event) => setEngaged(event.currentTarget.matches(':focus-within'))}
      onFocus={() => setEngaged(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null) && !event.currentTarget.matches(':hover')) setEngaged(false);
      }}
    >
      {message.content.forwarded && (
        <span className="bubble-label">{message.content.forwarded === 'frequently_forwarded' ? 'Forwarded many times' : 'Forwarded'}</span>
      )}
      {message.content.referral && <span className="bubble-label">From ad: {message.content.referral.headline ?? message.content.referral.source_url ?? 'click-to-WhatsApp'}</span>}
      {message.content.referred_product && (
        <span className="bubble-label" data-kind="referred-product">
          Asking about product {message.content.referred_product.product_retailer_id}
          {message.content.referred_product.catalog_id ? ` (catalog ${message.content.referred_product.catalog_id})` : ''}
        </span>
      )}
      {message.reply_to &&
        (message.reply_to_id !== undefined && onOpenQuote ? (
          <button tabIndex={-1} type="button" className="bubble-quote quote-jump" aria-label={`Show the quoted message: ${quoted ?? 'an earlier message'}`} onClick={() => onOpenQuote(message.reply_to_id ?? 0)}>
            {quoted ?? 'an earlier message'}
          </button>
        ) : (
          <blockquote className="bubble-quote">{quoted ?? 'an earlier message'}</blockquote>
        ))}
      {message.revoked ? (
        <p className="bubble-text bubble-deleted">This message was deleted</p>
      ) : (
        <>
          <MessageContentView message={message} />
          {/* A file's card names it: only its caption is text (the stored text of a captionless file is a label). */}
          {text && <p className={`bubble-text${unsupported ? ' bubble-unsupported' : ''}`}>{text}</p>}
        </>
      )}
      {message.reactions.length > 0 && (
        <span className="bubble-reactions" aria-label="Reactions">
          {message.reactions.map((reaction) => {
            const who = reaction.from === 'business' ? 'You' : 'The customer';
            return (
              <span key={reaction.from} className="reaction" title={`${who} reacted ${reaction.emoji}`} aria-label={`${who} reacted ${reaction.emoji}`}>
                {reaction.emoji}
              </span>
            );
          })}
        </span>
      )}
      <span className="bubble-meta">
        {sender && <span className="bubble-sender">{sender}</span>}
        {message.edited_at && <span className="bubble-edited">edited</span>}
        {message.timestamp_source === 'received' ? (
          <time dateTime={message.timestamp} title="WhatsApp sent no usable time for this message: this is when it arrived">
            ≈ {formatClock(message.timestamp)}
          </time>
        ) : (
          <time dateTime={message.timestamp}>{formatClock(message.timestamp)}</time>
        )}
        {outgoing &&
          (onShowInfo ? (
            <button tabIndex={-1} type="button" className="ticks-button" aria-label="Message info" onClick={() => onShowInfo(message.id)}>
              <Ticks status={message.status} />
            </button>
          ) : (
            <Ticks status={message.status} />
          ))}
      </span>
      {message.error && (outgoing ? message.status === 'failed' : unsupported) && <FailureReason error={message.error} />}
      {outgoing && message.status === 'failed' && onRetry && (
        <button tabIndex={-1} type="button" className="retry-button" onClick={() => onRetry(message.id)}>
          Retry
        </button>
      )}
      {engaged && message.wamid && !message.revoked && onQuote && (
        <button tabIndex={-1} type="button" className="quote-button" onClick={() => onQuote(message)}>
          Reply
        </button>
      )}
      {engaged && !outgoing && message.wamid && !message.revoked && onReact && (
        <span className="react-buttons" aria-label="React">
          {QUICK_REACTIONS.map((emoji) => {
            const mine = message.reactions.some((r) => r.from === 'business' && r.emoji === emoji);
            return (
              <button tabIndex={-1} key={emoji} type="button" aria-pressed={mine} aria-label={`React ${emoji}`} onClick={() => onReact(message.id, mine ? '' : emoji)}>
                {emoji}
              </button>
            );
          })}
        </span>
      )}
    </div>
  );
}
