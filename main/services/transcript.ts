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

/** A conversation as plain text: a header, then one line per message, times in UTC. */
export function transcriptText(conversation: Conversation, messages: Iterable<Message>, exportedAt: string): string {
  const lines = [`Conversation with ${conversation.name} (${conversation.wa_id ?? 'no number'}) on ${conversation.phone_number_id}`, `Exported ${exportedAt}; times in UTC`, ''];
  for (const message of messages) lines.push(`[${stamp(message.timestamp)}] ${author(message, conversation)}: ${body(message)}${extras(message)}`);
  return `${lines.join('\n')}\n`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/**
 * A conversation as a printable HTML transcript: self-contained (no script, no outside resource),
 * a day heading whenever the date changes, each message with its time, author, content, ticks and
 * reactions; every piece of text escaped.
 */
export function transcriptHtml(conversation: Conversation, messages: Iterable<Message>, exportedAt: string): string {
  const title = `Conversation with ${conversation.name}`;
  const rows: string[] = [];
  let day = '';
  for (const message of messages) {
    const date = message.timestamp.slice(0, 10);
    if (date !== day) {
      day = date;
      rows.push(`<h2>${date}</h2>`);
    }
    rows.push(
      `<div class="message ${message.direction}"><span class="time">${message.timestamp.slice(11, 16)}</span> <span class="author">${escapeHtml(author(message, conversation))}</span>` +
        `<p>${escapeHtml(body(message)).replaceAll('\n', '<br>')}</p>${extras(message) ? `<span class="meta">${escapeHtml(extras(message).trim())}</span>` : ''}</div>`,
    );
  }
  return `<!doctype html>
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
${rows.join('\n')}
</body></html>
`;
}
