import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Result } from '../../shared/contract';
import { sendError } from './http-responses';

/** A stored file as the archive hands it out for serving. */
export type ServedFile = { file: string; mimeType: string; size: number; sha256: string; filename?: string };

/** What the media route reads: the archive's file of a message, and whether a signed link opens it. */
export type MediaRouteDeps = {
  fileOf: (messageId: number) => Result<ServedFile>;
  linkOpens: (messageId: number, query: URLSearchParams) => boolean;
};

/** `/api/media/<message_id>`, the one path this route answers. */
export const MEDIA_PATH_PATTERN = /^\/api\/media\/(\d{1,15})$/;

// Only what a browser shows without running anything is served inline; any other file (an HTML
// "document" a customer sent, an SVG) is a download, so it can never run script on our origin.
function shownInline(mimeType: string): boolean {
  return /^(image\/(jpeg|png|gif|webp)|audio\/|video\/)/i.test(mimeType);
}

/** A single `bytes=` range of a file of `size` bytes; null when there is none, 'unsatisfiable' when it cannot be met. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: answered whole, as RFC 9110 allows.
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Serves a message's archived file (GET and HEAD), to a bearer token or a signed media link, with
 * its content type, an ETag (its sha256: the bytes never change) and single byte ranges, which
 * audio and video players use to seek.
 */
export function handleMediaRequest(req: IncomingMessage, res: ServerResponse, url: URL, messageId: number, user: string | null, deps: MediaRouteDeps): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(res, 'method_not_allowed', `${req.method ?? '?'} is not allowed on ${url.pathname} (allowed: GET, HEAD)`, { allow: 'GET, HEAD' });
  }
  const signed = url.searchParams.has('signature');
  if (signed ? !deps.linkOpens(messageId, url.searchParams) : user === null) {
    return signed
      ? sendError(res, 'forbidden', 'this media link is expired or not valid: ask for a new one (getMediaLink)')
      : sendError(res, 'unauthorized', 'a valid token is required: Authorization: Bearer <token>, or a media link', { 'www-authenticate': 'Bearer' });
  }
  const found = deps.fileOf(messageId);
  if (!found.ok) return sendError(res, found.error.code, found.error.message);
  const { file, mimeType, size, sha256, filename } = found.value;
  const disposition = shownInline(mimeType) ? 'inline' : 'attachment';
  const etag = `"${sha256}"`;
  const headers: Record<string, string | number> = {
    'content-type': mimeType,
    'accept-ranges': 'bytes',
    etag,
    'cache-control': 'private, max-age=3600',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'content-disposition': filename ? `${disposition}; filename*=UTF-8''${encodeURIComponent(filename)}` : disposition,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') return sendError(res, 'range_not_satisfiable', `the file has ${size} bytes`, { 'content-range': `bytes */${size}` });
  const status = range ? 206 : 200;
  const length = range ? range.end - range.start + 1 : size;
  res.writeHead(status, { ...headers, 'content-length': length, ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}) });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file, range ?? undefined);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
