import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { sendError } from './http-responses';

/** The content types of the renderer's built files (also what the desktop app's app:// scheme serves them with). */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Serves the built renderer (browser mode); unknown paths get index.html so reloads of app routes work. */
export function serveStatic(rendererDir: string | null, pathname: string, res: ServerResponse): void {
  if (!rendererDir || !existsSync(path.join(rendererDir, 'index.html'))) {
    sendError(res, 'not_found', 'the renderer is not built: run npm run build');
    return;
  }
  const requested = path.normalize(path.join(rendererDir, decodeURIComponent(pathname)));
  // Never serve outside the renderer folder (../ in the path).
  const inside = requested.startsWith(rendererDir + path.sep);
  const file = inside && existsSync(requested) && statSync(requested).isFile() ? requested : path.join(rendererDir, 'index.html');
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
  };
  if (file.endsWith('index.html')) {
    headers['cache-control'] = 'no-cache';
    headers['content-security-policy'] =
      "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
  }
  res.writeHead(200, headers);
  createReadStream(file).pipe(res);
}
