import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_TEXT_LENGTH } from '../../shared/contract';

/** The reply box: Enter sends, Shift+Enter adds a line; refuses empty and over-long text visibly. */
export function Composer(props: { onSend: (text: string) => Promise<boolean>; onTyping?: () => void; error: string | null; disabled?: boolean }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const tooLong = text.length > MAX_TEXT_LENGTH;
  const canSend = text.trim().length > 0 && !tooLong && !sending && !props.disabled;

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    setSending(true);
    const sent = await props.onSend(text);
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
      {tooLong && (
        <p className="composer-error" role="alert">
          {text.length} of {MAX_TEXT_LENGTH} characters: shorten the reply to send it.
        </p>
      )}
      {props.error && (
        <p className="composer-error" role="alert">
          Not sent: {props.error}
        </p>
      )}
    </form>
  );
}
