import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake Graph API received. */
export type GraphRequest = { method: string; path: string; authorization: string | undefined; body: unknown };

/** How the fake answers the next request. */
export type GraphAnswer = { status: number; body: unknown } | 'drop' | 'hang';

/** A file the fake serves at `/files/<name>` (Meta's short-lived media URLs): bytes, or a status without them. */
export type GraphFile = { status: number; body: Buffer; contentType: string };

/** Where the fake serves its files. */
export const FAKE_FILES_PATH = '/files/';

/**
 * A loopback stand-in for Meta's Graph API: records each request and answers with what the test
 * queued (default: accept with a fresh wamid).
 */
export async function startFakeGraph(): Promise<{ url: string; requests: GraphRequest[]; answers: GraphAnswer[]; files: Map<string, GraphFile>; close(): Promise<void> }> {
  const requests: GraphRequest[] = [];
  const answers: GraphAnswer[] = [];
  const files = new Map<string, GraphFile>();
  let counter = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body: text ? JSON.parse(text) : null });
      // Like Meta's media host: the bytes only with the bearer token.
      if (req.url?.startsWith(FAKE_FILES_PATH)) {
        const file = files.get(req.url.slice(FAKE_FILES_PATH.length));
        if (!file || !req.headers.authorization?.startsWith('Bearer ')) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(file.status, { 'content-type': file.contentType, 'content-length': file.body.length });
        res.end(file.body);
        return;
      }
      const answer = answers.shift() ?? {
        status: 200,
        body: { messaging_product: 'whatsapp', contacts: [{ input: '+1', wa_id: '1' }], messages: [{ id: `wamid.FAKE${++counter}` }] },
      };
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answers,
    files,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
