import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { EXPORT_FORMATS, type Conversation, type Message, type Result } from '../../shared/contract';
import { transcriptWriter } from '../services/transcript';
import { sendError } from './http-responses';

/** What the export route reads: the conversation, its messages page by page, and whether a signed link opens it. */
export type ExportRouteDeps = {
  conversation: (id: number) => Result<Conversation>;
  messages: (id: number) => AsyncIterable<Message[]>;
  linkOpens: (conversationId: number, format: string, query: URLSearchParams) => boolean;
  now: () => number;
};

/** `/api/conversations/<id>/export`, the one path this route answers. */
export const EXPORT_PATH_PATTERN = /^\/api\/conversations\/(\d{1,15})\/export$/;

// A file name people recognise, safe on every system: the customer's name, the date, the format.
function fileName(conversation: Conversation, exportedAt: string, extension: string): string {
  const name = conversation.name.normalize('NFC').replace(/[^\p{L}\p{M}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 40) || `conversation-${conversation.id}`;
  return `${name}-${exportedAt.slice(0, 10)}.${extension}`;
}

/**
 * Streams one conversation's export (GET) as a download, to a bearer token or a signed export
 * link: a page of messages at a time, waiting for the socket to drain, so a 100,000-message
 * thread neither fills memory nor holds the event loop.
 */
export async function handleExportRequest(req: IncomingMessage, res: ServerResponse, url: URL, conversationId: number, user: string | null, deps: ExportRouteDeps): Promise<void> {
  if (req.method !== 'GET') return sendError(res, 'method_not_allowed', `${req.method ?? '?'} is not allowed on ${url.pathname} (allowed: GET)`, { allow: 'GET' });
  const format = url.searchParams.get('format') ?? 'json';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) return sendError(res, 'bad_request', `format must be one of ${EXPORT_FORMATS.join(', ')}, not ${format}`);
  const signed = url.searchParams.has('signature');
  if (signed ? !deps.linkOpens(conversationId, format, url.searchParams) : user === null) {
    return signed
      ? sendError(res, 'forbidden', 'this export link is expired or not valid: ask for a new one (getExportLink)')
      : sendError(res, 'unauthorized', 'a valid token is required: Authorization: Bearer <token>, or an export link', { 'www-authenticate': 'Bearer' });
  }
  const found = deps.conversation(conversationId);
  if (!found.ok) return sendError(res, found.error.code, found.error.message);
  const exportedAt = new Date(deps.now()).toISOString();
  const writer = transcriptWriter(format as (typeof EXPORT_FORMATS)[number], found.value, exportedAt);
  res.writeHead(200, {
    'content-type': writer.contentType,
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(fileName(found.value, exportedAt, writer.extension))}`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  });
  const write = async (text: string) => {
    if (!res.write(text)) await once(res, 'drain');
  };
  await write(writer.head);
  for await (const page of deps.messages(conversationId)) {
    if (res.destroyed) return;
    await write(page.map((message) => writer.piece(message)).join(''));
  }
  res.end(writer.tail);
}
