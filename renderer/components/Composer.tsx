import { useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { attachmentCheck, formatFileSize, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, mimeTypeOf, type AttachmentKind } from '../../shared/contract';
import { Icon, type IconName } from './Icon';
import { cannedMatches, type CannedReply } from '../features/use-canned-replies';
import { CannedRepliesPanel } from './CannedRepliesPanel';
import { EmojiPicker } from './EmojiPicker';
import { NotSentAlert } from './NotSentAlert';

/** A message the reply will quote. */
export type Quote = { wamid: string; text: string };

/** A file waiting in the composer, checked against WhatsApp's limits when it was added. */
export type PendingFile = { id: number; file: File; mimeType: string; kind: AttachmentKind };

/** What Send does with files: each is sent in order; the text rides as the first photo, video or document's caption when it fits. */
export type AttachmentSend = { file: File; mimeType: string; caption?: string };

const KIND_ICON: Record<AttachmentKind, IconName> = { image: 'image', video: 'video', audio: 'audio', document: 'document' };

/** The files of a send, and whether the text still goes as a message of its own (no file takes it as a caption). */
export function planAttachmentSend(files: readonly PendingFile[], text: string): { sends: AttachmentSend[]; textAlone: boolean } {
  const caption = text.trim();
  const carrier = caption && caption.length <= MAX_CAPTION_LENGTH ? files.findIndex((pending) => pending.kind !== 'audio') : -1;
  return {
    sends: files.map((pending, index) => ({ file: pending.file, mimeType: pending.mimeType, ...(index === carrier ? { caption } : {}) })),
    textAlone: caption.length > 0 && carrier < 0,
  };
}

let nextFileId = 1;

/**
 * The reply box: Enter sends, Shift+Enter adds a line, Esc cancels a quote. Files come by the
 * paperclip, drag and drop or paste, each checked against WhatsApp's types and limits before any
 * upload; an emoji picker; canned replies with `/shortcut`. Refuses empty and over-long text visibly.
 */
export function Composer(props: {
  onSend: (text: string, options: { replyTo: string | null; previewUrl: boolean }) => Promise<boolean>;
  /** Sends the files in order; answers how many were sent (the rest stay, with the error shown). */
  onAttach: (files: AttachmentSend[], replyTo: string | null) => Promise<number>;
  onTyping?: () => void;
  quote?: Quote | null;
  onCancelQuote?: () => void;
  error: string | null;
  disabled?: boolean;
  canned: { replies: CannedReply[]; save(reply: CannedReply): void; remove(shortcut: string): void };
  /** Switches to the template picker. */
  onChooseTemplate?: () => void;
}) {
  const [text, setText] = useState('');
  const [previewUrl, setPreviewUrl] = useState(false);
  const [sending, setSending] = useState(false);
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [refused, setRefused] = useState<string[]>([]);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [managingCanned, setManagingCanned] = useState(false);
  const [cannedIndex, setCannedIndex] = useState(0);
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const tooLong = text.length > MAX_TEXT_LENGTH;
  const canSend = (text.trim().length > 0 || files.length > 0) && !tooLong && !sending && !props.disabled;
  const suggestions = cannedMatches(text, props.canned.replies);

  const addFiles = (list: Iterable<File>) => {
    const accepted: PendingFile[] = [];
    const problems: string[] = [];
    for (const file of list) {
      const mimeType = mimeTypeOf(file);
      const check = attachmentCheck({ mimeType, size: file.size });
      if (check.ok) accepted.push({ id: nextFileId++, file, mimeType, kind: check.kind });
      else problems.push(`${file.name}: ${check.reason}`);
    }
    setFiles((current) => [...current, ...accepted]);
    setRefused(problems);
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    setSending(true);
    const replyTo = props.quote?.wamid ?? null;
    let sent: boolean;
    if (files.length > 0) {
      const plan = planAttachmentSend(files, text);
      const count = await props.onAttach(plan.sends, replyTo);
      const sentFiles = new Set(files.slice(0, count).map((pending) => pending.id));
      setFiles((current) => current.filter((pending) => !sentFiles.has(pending.id)));
      sent = count === files.length;
      // A caption went with the first file; text no file could carry goes after, as its own message.
      if (sent && plan.textAlone) sent = await props.onSend(text, { replyTo: null, previewUrl });
    } else {
      sent = await props.onSend(text, { replyTo, previewUrl });
    }
    setSending(false);
    if (sent) {
      setText('');
      setRefused([]);
    }
  };

  const insert = (inserted: string) => {
    const element = box.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + inserted + text.slice(end));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + inserted.length, start + inserted.length);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions && suggestions.length > 0) {
      const chosen = suggestions[Math.min(cannedIndex, suggestions.length - 1)];
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setCannedIndex((index) => (index + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        event.preventDefault();
        if (chosen) setText(chosen.text);
        setCannedIndex(0);
        return;
      }
    }
    if (event.key === 'Escape' && props.quote) {
      event.preventDefault();
      props.onCancelQuote?.();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void submit();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    if (event.clipboardData.files.length === 0) return;
    event.preventDefault();
    addFiles(event.clipboardData.files);
  };

  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  };

  return (
    <form
      className={`composer${dragging ? ' composer-dragging' : ''}`}
      onSubmit={(event) => void submit(event)}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {props.quote && (
        <p className="composer-quote">
          Replying to: <q>{props.quote.text}</q>
          <button type="button" aria-label="Cancel reply" onClick={props.onCancelQuote}>
            ×
          </button>
        </p>
      )}
      {files.length > 0 && (
        <ul className="composer-files" aria-label="Attachments">
          {files.map((pending) => (
            <li key={pending.id} className="composer-file">
              <Icon name={KIND_ICON[pending.kind]} />
              <span className="composer-file-name">{pending.file.name}</span>
              <span className="composer-file-size">{formatFileSize(pending.file.size)}</span>
              <button type="button" aria-label={`Remove ${pending.file.name}`} onClick={() => setFiles((current) => current.filter((item) => item.id !== pending.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {refused.length > 0 && (
        <ul className="composer-error composer-refused" role="alert" aria-label="Files not attached">
          {refused.map((problem) => (
            <li key={problem}>Not attached: {problem}</li>
          ))}
        </ul>
      )}
      {suggestions && (
        <ul className="canned-suggestions" role="listbox" aria-label="Canned replies">
          {suggestions.length === 0 ? (
            <li className="canned-none">No canned reply starts with “{text.slice(1)}”.</li>
          ) : (
            suggestions.map((reply, index) => (
              <li
                key={reply.shortcut}
                role="option"
                aria-selected={index === Math.min(cannedIndex, suggestions.length - 1)}
                onMouseDown={(event) => {
                  event.preventDefault();
                  setText(reply.text);
                }}
              >
                <code>/{reply.shortcut}</code> {reply.text}
              </li>
            ))
          )}
        </ul>
      )}
      <div className="composer-row">
        <div className="composer-tools">
          <button type="button" className="tool-button" aria-label="Emoji" aria-expanded={emojiOpen} onClick={() => setEmojiOpen((open) => !open)}>
            <Icon name="emoji" />
          </button>
          <button type="button" className="tool-button" aria-label="Attach files" onClick={() => picker.current?.click()}>
            <Icon name="attach" />
          </button>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            accept="image/jpeg,image/png,video/mp4,video/3gpp,audio/*,.pdf,.txt,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
            onChange={(event) => {
              if (event.target.files) addFiles(event.target.files);
              event.target.value = '';
            }}
          />
        </div>
        <textarea
          ref={box}
          aria-label="Reply"
          placeholder={files.length > 0 ? 'Add a caption…' : 'Type a reply… (/ for canned replies)'}
          value={text}
          rows={2}
          onChange={(event) => {
            setText(event.target.value);
            setCannedIndex(0);
            if (event.target.value.trim()) props.onTyping?.();
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <button type="submit" className="send-button" disabled={!canSend}>
          Send
        </button>
      </div>
      {emojiOpen && (
        <EmojiPicker
          onPick={(emoji) => {
            insert(emoji);
            setEmojiOpen(false);
          }}
          onClose={() => {
            setEmojiOpen(false);
            box.current?.focus();
          }}
        />
      )}
      <div className="composer-options">
        <label className="composer-option">
          <input type="checkbox" checked={previewUrl} onChange={(event) => setPreviewUrl(event.target.checked)} /> Link preview
        </label>
        <button type="button" className="link-button" onClick={() => setManagingCanned(true)}>
          Canned replies…
        </button>
        {props.onChooseTemplate && (
          <button type="button" className="link-button" onClick={props.onChooseTemplate}>
            Send a template…
          </button>
        )}
      </div>
      {managingCanned && <CannedRepliesPanel replies={props.canned.replies} onSave={props.canned.save} onRemove={props.canned.remove} onClose={() => setManagingCanned(false)} />}
      {tooLong && (
        <p className="composer-error" role="alert">
          {text.length} of {MAX_TEXT_LENGTH} characters: shorten the reply to send it.
        </p>
      )}
      {dragging && <p className="composer-drop">Drop files to attach them</p>}
      <NotSentAlert error={props.error} />
    </form>
  );
}
