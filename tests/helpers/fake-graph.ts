import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake Graph API received. */
export type GraphRequest = { method: string; path: string; authorization: string | undefined; body: unknown };

/** How the fake answers the next request. */
export type GraphAnswer = { status: number; body: unknown } | 'drop' | 'hang';

/** A file the fake serves at `/files/<name>` (Meta's short-lived media URLs): bytes, or a status without them. */
export type GraphFile = { status: number; body: Buffer; contentType: string };

/** An upload as the fake received it: the form's fields, and the file's name, type, size and sha256 (hex). */
export type GraphUpload = { fields: Record<string, string>; file: { name: string; type: string; size: number; sha256: string } | null };

/** Where the fake serves its files. */
export const FAKE_FILES_PATH = '/files/';

/**
 * A loopback stand-in for Meta's Graph API: records each request and answers with what the test
 * queued (default: accept with a fresh wamid).
 */
export async function startFakeGraph(): Promise<{
  url: string;
  requests: GraphRequest[];
  answers: GraphAnswer[];
  files: Map<string, GraphFile>;
  /** What `GET /<waba>/message_templates` lists (Meta's shape), one page of it per request. */
  templatePages: unknown[][];
  /** Requests this matches are taken and never answered (Meta hanging on one kind of call), whatever is queued. */
  hang: { when: ((request: GraphRequest) => boolean) | null };
  close(): Promise<void>;
}> {
  const requests: GraphRequest[] = [];
  const answers: GraphAnswer[] = [];
  const files = new Map<string, GraphFile>();
  const templatePages: unknown[][] = [];
  const hang: { when: ((request: GraphRequest) => boolean) | null } = { when: null };
  let counter = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer());
    const answer = async () => {
      const raw = Buffer.concat(chunks);
      const contentType = req.headers['content-type'] ?? '';
      // Uploads come as multipart form data, as Meta's media endpoint takes them.
      const body = contentType.startsWith('multipart/form-data') ? await uploadOf(raw, contentType) : raw.length > 0 ? JSON.parse(raw.toString('utf8')) : null;
      requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
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
      if (hang.when?.(requests.at(-1)!)) return;
      const pathname = new URL(req.url ?? '/', 'http://fake').pathname;
      const queued = answers.shift() ?? defaultAnswer(pathname, body);
      if (queued === 'drop') {
        req.socket.destroy();
        return;
      }
      if (queued === 'hang') return;
      res.writeHead(queued.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(queued.body));
    };
  });
  // What Meta answers when all is well: a media id for an upload (which must carry a file and
  // messaging_product), the templates page by page, a fresh wamid for a send.
  const defaultAnswer = (pathname: string, body: unknown): GraphAnswer => {
    if (pathname.endsWith('/media')) {
      const upload = body as GraphUpload | null;
      if (!upload?.file || upload.fields.messaging_product !== 'whatsapp') return { status: 400, body: { error: { code: 100, message: 'Invalid parameter' } } };
      return { status: 200, body: { id: `media.FAKE${++counter}` } };
    }
    if (pathname.endsWith('/message_templates')) {
      const page = templatePages.shift() ?? [];
      const next = templatePages.length > 0 ? { next: `http://127.0.0.1:${(server.address() as AddressInfo).port}${pathname}?after=page` } : {};
      return { status: 200, body: { data: page, paging: { cursors: { before: 'a', after: 'b' }, ...next } } };
    }
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: '+1', wa_id: '1' }], messages: [{ id: `wamid.FAKE${++counter}` }] } };
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answers,
    files,
    templatePages,
    hang,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function uploadOf(raw: Buffer, contentType: string): Promise<GraphUpload> {
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, string> = {};
  let file: GraphUpload['file'] = null;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields[name] = value;
    else {
      const bytes = Buffer.from(await value.arrayBuffer());
      file = { name: value.name, type: value.type, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    }
  }
  return { fields, file };
}
