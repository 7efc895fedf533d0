import { useState } from 'react';
import { isValidShortcut, normaliseShortcut, type CannedReply } from '../features/use-canned-replies';

/**
 * Add, replace (same shortcut) and delete canned replies; Esc closes. It opens inside the
 * composer's form, so it has no form of its own (a nested form's submit would also send the
 * draft in the reply box): Save, or Enter in the shortcut field, saves.
 */
export function CannedRepliesPanel(props: { replies: readonly CannedReply[]; onSave: (reply: CannedReply) => void; onRemove: (shortcut: string) => void; onClose: () => void }) {
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = () => {
    const key = normaliseShortcut(shortcut);
    if (!isValidShortcut(key)) return setError('A shortcut is 1 to 32 letters, digits, - or _.');
    if (!text.trim()) return setError('Write the reply the shortcut inserts.');
    props.onSave({ shortcut: key, text: text.trim() });
    setShortcut('');
    setText('');
    setError(null);
  };
  return (
    <div
      className="canned-panel"
      role="dialog"
      aria-label="Canned replies"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          props.onClose();
        }
      }}
    >
      <header>
        <h3>Canned replies</h3>
        <button type="button" aria-label="Close canned replies" onClick={props.onClose}>
          ×
        </button>
      </header>
      <p className="canned-hint">Type / and the shortcut in the reply box, then Enter or Tab.</p>
      <ul>
        {props.replies.map((reply) => (
          <li key={reply.shortcut}>
            <code>/{reply.shortcut}</code> <span>{reply.text}</span>
            <button type="button" aria-label={`Delete /${reply.shortcut}`} onClick={() => props.onRemove(reply.shortcut)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <div className="canned-new" role="group" aria-label="New canned reply">
        <label>
          Shortcut
          <input
            value={shortcut}
            onChange={(event) => setShortcut(event.target.value)}
            onKeyDown={(event) => {
              if (event.key !== 'Enter') return;
              event.preventDefault();
              save();
            }}
            placeholder="refund"
            autoFocus
          />
        </label>
        <label>
          Text it inserts
          <textarea value={text} rows={2} onChange={(event) => setText(event.target.value)} />
        </label>
        <button type="button" onClick={save}>
          Save
        </button>
        {error && (
          <p className="composer-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
