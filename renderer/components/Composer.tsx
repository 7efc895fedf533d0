import { NotSentAlert } from './NotSentAlert';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_TEXT_LENGTH } from '../../shared/contract';

/** A message the reply will quote. */
export type Quote = { wamid: string; text: string };

/**
 * The reply box: Enter sends, Shift+Enter adds a line; refuses empty and over-long text visibly.
 * Can quote a message (reply-to) and ask WhatsApp to preview the first link.
 */
export function Composer(props: {
  onSend: (text: string, options: { replyTo: string | null; previewUrl: boolean }) => Promise<boolean>;
  onTyping?: () => void;
  quote?: Quote | null;
  onCancelQuote?: () => void;
  error: string | null;
  disabled?: boolean;
}) {
  const [text, setText] = useState('');
  const [previewUrl, setPreviewUrl] = useState(false);
  const [sending, setSending] = useState(false);
  const tooLong = text.length > MAX_TEXT_LENGTH;
  const canSend = text.trim().length > 0 && !tooLong && !sending && !props.disabled;

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    setSending(true);
    const sent = await props.onSend(text, { replyTo: props.quote?.wamid ?? null, previewUrl });
    setSending(false);
    if (sent) setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <form className="composer" onSubmit={(event) => void submit(event)}>
      {props.quote && (
        <p className="composer-quote">
          Replying to: <q>{props.quote.text}</q>
          <button type="button" aria-label="Cancel reply" onClick={props.onCancelQuote}>
            ×
          </button>
        </p>
      )}
      <textarea
        aria-label="Reply"
        placeholder="Type a reply…"
        value={text}
        rows={2}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim()) props.onTyping?.();
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit" disabled={!canSend}>
        Send
      </button>
      <label className="composer-option">
        <input type="checkbox" checked={previewUrl} onChange={(event) => setPreviewUrl(event.target.checked)} /> Link preview
      </label>
      {tooLong && (
        <p className="composer-error" role="alert">
          {text.length} of {MAX_TEXT_LENGTH} characters: shorten the reply to send it.
        </p>
      )}
      <NotSentAlert error={props.error} />
    </form>
  );
}
