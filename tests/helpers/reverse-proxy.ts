import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local reverse proxy standing in for a tunnel (ngrok, cloudflared, a proxy in front of the
 * gateway): passes requests to `upstream` byte for byte, or misbehaves as real ones do.
 * - `rewrite-body`: re-serialises JSON bodies (as smee.io does), which breaks Meta's HMAC;
 * - `down`: drops every connection (the tunnel process died);
 * - `bad-gateway`: answers 502 (the tunnel points at a port nothing listens on), as it does before
 *   `upstream` is set.
 */
export type ProxyMode = 'pass' | 'rewrite-body' | 'down' | 'bad-gateway';

export async function startReverseProxy(): Promise<{ url: string; upstream: { url: string }; mode: { value: ProxyMode }; close(): Promise<void> }> {
  const upstream = { url: '' };
  const mode: { value: ProxyMode } = { value: 'pass' };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (mode.value === 'down') {
      req.socket.destroy();
      return;
    }
    if (mode.value === 'bad-gateway' || upstream.url === '') {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (mode.value === 'rewrite-body' && body.length > 0) body = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
      const target = new URL(req.url ?? '/', upstream.url);
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length), 'x-forwarded-for': '203.0.113.9' };
      const forwarded = request(target, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.writeHead(502).end());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upstream,
    mode,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
