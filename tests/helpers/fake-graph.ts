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
  /** Webhook routing as Meta keeps it for one business account and number (subscribed apps, callback overrides). */
  wiring: FakeWiring;
  close(): Promise<void>;
}> {
  const requests: GraphRequest[] = [];
  const answers: GraphAnswer[] = [];
  const files = new Map<string, GraphFile>();
  const templatePages: unknown[][] = [];
  const hang: { when: ((request: GraphRequest) => boolean) | null } = { when: null };
  const wiring: FakeWiring = { wabaId: '880011223344', phoneNumberId: '200300400500', accessToken: null, appCallback: 'https://shared-app.example.com/webhook', subscribed: false, phoneOverride: null };
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
      const wired = await answerWiring(wiring, req.method ?? 'GET', new URL(req.url ?? '/', 'http://fake'), req.headers.authorization, body);
      if (wired) {
        res.writeHead(wired.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(wired.body));
        return;
      }
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
    wiring,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function uploadOf(raw: Buffer, contentType: string): Promise<GraphUpload> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
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

/** Meta's webhook routing for the fake's business account and number. */
export type FakeWiring = {
  wabaId: string;
  phoneNumberId: string;
  /** The token the wiring endpoints accept (any when null). */
  accessToken: string | null;
  appCallback: string;
  subscribed: boolean;
  phoneOverride: string | null;
};

/**
 * The wiring endpoints as Meta documents them: subscribing the app to the business account, the
 * phone number's callback override (refused before the subscription, with Meta's #100; Meta checks
 * the new URL with the verify-token handshake first, #2200 when it fails), and reading both back.
 */
async function answerWiring(wiring: FakeWiring, method: string, url: URL, authorization: string | undefined, body: unknown): Promise<{ status: number; body: unknown } | null> {
  const [, , node, edge] = url.pathname.split('/');
  const onAccount = node === wiring.wabaId && edge === 'subscribed_apps';
  const onNumber = node === wiring.phoneNumberId && edge === undefined && (method === 'POST' || url.searchParams.get('fields') === 'webhook_configuration');
  if (!onAccount && !onNumber) return null;
  if (wiring.accessToken !== null && authorization !== `Bearer ${wiring.accessToken}`) {
    return { status: 401, body: { error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' } } };
  }
  if (onAccount && method === 'POST') {
    wiring.subscribed = true;
    return { status: 200, body: { success: true } };
  }
  if (onAccount) {
    return { status: 200, body: { data: wiring.subscribed ? [{ whatsapp_business_api_data: { id: '670843887433847', link: 'https://www.facebook.com/games/?app_id=670843887433847', name: 'Switchboard test app' } }] : [] } };
  }
  if (method === 'GET') {
    return { status: 200, body: { webhook_configuration: { application: wiring.appCallback, ...(wiring.phoneOverride ? { phone_number: wiring.phoneOverride } : {}) }, id: wiring.phoneNumberId } };
  }
  const config = (body as { webhook_configuration?: { override_callback_uri?: unknown; verify_token?: unknown } } | null)?.webhook_configuration;
  if (typeof config?.override_callback_uri !== 'string' || typeof config.verify_token !== 'string') {
    return { status: 400, body: { error: { code: 100, message: '(#100) The parameter webhook_configuration is required, with override_callback_uri and verify_token' } } };
  }
  if (!wiring.subscribed) {
    return { status: 400, body: { error: { code: 100, message: '(#100) Before override the current callback uri, your app must be subscribed to receive messages for WhatsApp Business Account' } } };
  }
  const challenge = String(Math.floor(Math.random() * 1e9));
  const check = new URL(config.override_callback_uri);
  check.search = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': config.verify_token, 'hub.challenge': challenge }).toString();
  const verified = await fetch(check)
    .then(async (response) => response.status === 200 && (await response.text()) === challenge)
    .catch(() => false);
  if (!verified) return { status: 400, body: { error: { code: 2200, message: '(#2200) Callback verification failed with the following errors: HTTP Status Code = 403' } } };
  wiring.phoneOverride = config.override_callback_uri;
  return { status: 200, body: { success: true } };
}
