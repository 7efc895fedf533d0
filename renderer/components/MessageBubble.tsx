import type { Message } from '../../shared/contract';
import { formatTime } from './format-time';
import { Ticks } from './Ticks';

/** One message: its text, time, and for outgoing messages the ticks and any failure reason. */
export function MessageBubble({ message }: { message: Message }) {
  const outgoing = message.direction === 'out';
  return (
    <li className={`bubble bubble-${message.direction}`} data-message-id={message.id} data-testid="message">
      {message.type !== 'text' && <span className="bubble-type">{message.type}</span>}
      <p className="bubble-text">{message.text}</p>
      <span className="bubble-meta">
        <time dateTime={message.timestamp}>{formatTime(message.timestamp)}</time>
        {outgoing && <Ticks status={message.status} />}
      </span>
      {message.status === 'failed' && message.error && (
        <p className="bubble-error" role="alert">
          {message.error.title}
          {message.error.code !== null ? ` (${message.error.code})` : ''}
          {message.error.details ? `: ${message.error.details}` : ''}
        </p>
      )}
    </li>
  );
}
