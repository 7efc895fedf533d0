import type { MessageInfo, MessageStatus } from '../../shared/contract';

const STATUS_NAMES: Record<MessageStatus, string> = {
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Failed',
  read: 'Read',
  played: 'Played',
};

/** When each status of a sent message happened, by Meta's clock. */
export function MessageInfoPanel(props: { info: MessageInfo | null; error: string | null; onClose: () => void }) {
  return (
    <aside className="message-info" aria-label="Message info">
      <header>
        <h3>Message info</h3>
        <button type="button" onClick={props.onClose} aria-label="Close message info">
          ×
        </button>
      </header>
      {props.error && <p role="alert">{props.error}</p>}
      {!props.info && !props.error && <p>Loading…</p>}
      {props.info && props.info.history.length === 0 && <p>No status from WhatsApp yet.</p>}
      {props.info && (
        <ol>
          {props.info.history.map((entry) => (
            <li key={entry.status}>
              <strong>{STATUS_NAMES[entry.status]}</strong> <time dateTime={entry.timestamp}>{new Date(entry.timestamp).toLocaleString()}</time>
              {entry.error && <span className="bubble-error"> {entry.error.title}</span>}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
