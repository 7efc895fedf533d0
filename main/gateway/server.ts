import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GatewayMode } from '../../shared/contract';
import type { OperationHandlers } from '../services/operations';
import { authenticate, isAllowedHost, presentedToken, type AccessPolicy } from './access';
import { handleApiRequest } from './api-routes';
import { EXPORT_PATH_PATTERN, handleExportRequest, type ExportRouteDeps } from './export-route';
import { handleMediaRequest, MEDIA_PATH_PATTERN, type MediaRouteDeps } from './media-route';
import { sendError, sendJson } from './http-responses';
import { serveStatic } from './static-route';
import { handleWebhookDelivery, handleWebhookVerification, type WebhookRouteDeps } from './webhook-route';
import type { WsHub } from './ws-hub';

/** Everything the HTTP layer adapts: it holds no business rules of its own. */
export type GatewayServerDeps = {
  webhook: WebhookRouteDeps;
  handlers: OperationHandlers;
  hub: WsHub;
  access: AccessPolicy;
  media: MediaRouteDeps;
  exports: ExportRouteDeps;
  rendererDir: string | null;
  health: () => { mode: GatewayMode; version: string };
};

async function route(req: IncomingMessage, res: ServerResponse, url: URL, deps: GatewayServerDeps): Promise<void> {
  const { pathname } = url;
  if (pathname === '/webhook') {
    if (req.method === 'GET') return handleWebhookVerification(req, url, res, deps.webhook);
    if (req.method === 'POST') return handleWebhookDelivery(req, res, deps.webhook);
    return sendError(res, 'method_not_allowed', `${req.method ?? '?'} is not allowed on /webhook (allowed: GET, POST)`, { allow: 'GET, POST' });
  }
  if (pathname === '/api/health') {
    if (req.method !== 'GET') return sendError(res, 'method_not_allowed', 'only GET is allowed on /api/health', { allow: 'GET' });
    return sendJson(res, 200, { status: 'ok', ...deps.health() });
  }
  if (pathname === '/api' || pathname.startsWith('/api/')) {
    if (!isAllowedHost(req, deps.access)) return sendError(res, 'forbidden', "Host is not one of this gateway's names");
    const user = authenticate(presentedToken(req, url, false), deps.access);
    const media = MEDIA_PATH_PATTERN.exec(pathname);
    if (media) return handleMediaRequest(req, res, url, Number(media[1]), user, deps.media);
    const exported = EXPORT_PATH_PATTERN.exec(pathname);
    if (exported) return handleExportRequest(req, res, url, Number(exported[1]), user, deps.exports);
    if (!user) return sendError(res, 'unauthorized', 'a valid token is required: Authorization: Bearer <token>', { 'www-authenticate': 'Bearer' });
    return handleApiRequest(req, res, url, deps.handlers, { user });
  }
  if (pathname === '/ws') return sendError(res, 'bad_request', '/ws expects a WebSocket upgrade');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(res, 'method_not_allowed', `${req.method ?? '?'} is not allowed here`, { allow: 'GET' });
  }
  return serveStatic(deps.rendererDir, pathname, res);
}

function requestUrl(req: IncomingMessage): URL | null {
  try {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return null;
  }
}

/** The one HTTP server of the gateway: /webhook, /api/*, /ws and the renderer, on one port. */
export function createGatewayServer(deps: GatewayServerDeps): Server {
  const server = createServer((req, res) => {
    const url = requestUrl(req);
    if (!url) return sendError(res, 'bad_request', 'malformed request URL');
    route(req, res, url, deps).catch((error: unknown) => {
      deps.webhook.log(`gateway: ${req.method ?? '?'} ${url.pathname} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!res.headersSent) sendError(res, 'internal', 'internal error');
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    if (url?.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    deps.hub.handleUpgrade(req, socket, head, url);
  });
  return server;
}
