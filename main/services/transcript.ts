import type { Conversation, Message } from '../../shared/contract';

/** Who wrote a message, as a transcript names them. */
function author(message: Message, conversation: Conversation): string {
  return message.direction === 'in' ? conversation.name || conversation.wa_id || 'Customer' : 'Business';
}

const MEDIA_LABELS: Record<string, string> = { image: 'Photo', video: 'Video', audio: 'Audio', document: 'Document', sticker: 'Sticker' };

/** A message's content as one line of text: its text, with what it carries named. */
function body(message: Message): string {
  if (message.revoked) return '(deleted by the sender)';
  const media = message.content.media;
  if (media) {
    const label = media.voice ? 'Voice message' : (MEDIA_LABELS[message.type] ?? 'Attachment');
    const name = media.filename ? ` ${media.filename}` : '';
    return `[${label}${name}]${media.caption ? ` ${media.caption}` : ''}`;
  }
  const location = message.content.location;
  if (location) return `[Location ${location.latitude}, ${location.longitude}${location.name ? ` ${location.name}` : ''}]`;
  return message.text;
}

function extras(message: Message): string {
  const parts: string[] = [];
  if (message.edited_at) parts.push('edited');
  if (message.direction === 'out') parts.push(message.status);
  if (message.error) parts.push(`error ${message.error.code ?? ''} ${message.error.title}`.replace('  ', ' '));
  if (message.reactions.length > 0) parts.push(`reactions ${message.reactions.map((r) => r.emoji).join(' ')}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** `YYYY-MM-DD HH:MM` in UTC, so a transcript reads the same wherever it is opened. */
function stamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/**
 * A conversation's export written a piece at a time: `head`, then `piece` for each message in
 * order, then `tail`. A long thread streams without ever being held whole in memory.
 */
export type TranscriptWriter = { contentType: string; extension: string; head: string; piece(message: Message): string; tail: string };

/** Plain text: a header, then one line per message, times in UTC. */
function textWriter(conversation: Conversation, exportedAt: string): TranscriptWriter {
  return {
    contentType: 'text/plain; charset=utf-8',
    extension: 'txt',
    head: `Conversation with ${conversation.name} (${conversation.wa_id ?? 'no number'}) on ${conversation.phone_number_id}\nExported ${exportedAt}; times in UTC\n\n`,
    piece: (message) => `[${stamp(message.timestamp)}] ${author(message, conversation)}: ${body(message)}${extras(message)}\n`,
    tail: '',
  };
}

/**
 * A printable HTML transcript: self-contained (no script, no outside resource), a day heading
 * whenever the date changes, each message with its time, author, content, ticks and reactions;
 * every piece of text escaped.
 */
function htmlWriter(conversation: Conversation, exportedAt: string): TranscriptWriter {
  const title = `Conversation with ${conversation.name}`;
  let day = '';
  return {
    contentType: 'text/html; charset=utf-8',
    extension: 'html',
    head: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body { font: 14px/1.45 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; color: #111; }
h1 { font-size: 1.3rem; margin-bottom: 0; } .sub { color: #555; margin-top: 0.2rem; }
h2 { font-size: 0.9rem; color: #555; border-bottom: 1px solid #ccc; margin-top: 1.5rem; }
.message { margin: 0.4rem 0; padding: 0.3rem 0.6rem; border-left: 3px solid #9ab; break-inside: avoid; }
.message.out { border-left-color: #5a5; background: #f4faf4; }
.message p { margin: 0.1rem 0; white-space: pre-wrap; } .time, .meta { color: #555; font-size: 0.85em; } .author { font-weight: 600; }
@media print { body { margin: 0; max-width: none; } }
</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(conversation.wa_id ?? 'no number')} on business number ${escapeHtml(conversation.phone_number_id)} · exported ${escapeHtml(exportedAt)} · times in UTC</p>
`,
    piece: (message) => {
      const date = message.timestamp.slice(0, 10);
      const heading = date !== day ? `<h2>${date}</h2>\n` : '';
      day = date;
      const meta = extras(message) ? `<span class="meta">${escapeHtml(extras(message).trim())}</span>` : '';
      return (
        `${heading}<div class="message ${message.direction}"><span class="time">${message.timestamp.slice(11, 16)}</span> <span class="author">${escapeHtml(author(message, conversation))}</span>` +
        `<p>${escapeHtml(body(message)).replaceAll('\n', '<br>')}</p>${meta}</div>\n`
      );
    },
    tail: '</body></html>\n',
  };
}

/** JSON a program can read back: the conversation and every message in the API's shape. */
function jsonWriter(conversation: Conversation, exportedAt: string): TranscriptWriter {
  let first = true;
  return {
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
    head: `{"format":"switchboard-conversation","version":1,"exported_at":${JSON.stringify(exportedAt)},"conversation":${JSON.stringify(conversation)},"messages":[\n`,
    piece: (message) => {
      const separator = first ? '' : ',\n';
      first = false;
      return `${separator}${JSON.stringify(message)}`;
    },
    tail: '\n]}\n',
  };
}

/** The writer of one export format. */
export function transcriptWriter(format: 'json' | 'text' | 'html', conversation: Conversation, exportedAt: string): TranscriptWriter {
  return format === 'html' ? htmlWriter(conversation, exportedAt) : format === 'text' ? textWriter(conversation, exportedAt) : jsonWriter(conversation, exportedAt);
}

/** A whole export as one string (a command writing a file). */
export function transcript(format: 'json' | 'text' | 'html', conversation: Conversation, messages: Iterable<Message>, exportedAt: string): string {
  const writer = transcriptWriter(format, conversation, exportedAt);
  let text = writer.head;
  for (const message of messages) text += writer.piece(message);
  return text + writer.tail;
}
