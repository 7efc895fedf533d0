import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhookBody } from '../../main/whatsapp/signature';
import { startReverseProxy } from '../helpers/reverse-proxy';
import { api, startTestGateway, TEST_SECRETS } from '../helpers/test-gateway';
import { inboundText } from '../helpers/webhook-bodies';

// The developer's whole path, with a local reverse proxy standing in for the tunnel (the network is
// not reachable here): the self-test through it, a signed delivery through it as Meta sends one,
// forwarded to the developer's app (down, then up), replayed and re-sent.

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The developer's app on a port chosen now, started when the test says so; it checks Meta's signature. */
async function developerApp(): Promise<{ url: string; start(): Promise<void>; got: { delivery: string; text: string; signed: boolean }[] }> {
  const got: { delivery: string; text: string; signed: boolean }[] = [];
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  let server: Server | null = null;
  closers.push(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  return {
    url: `http://127.0.0.1:${port}/whatsapp`,
    got,
    start: async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          const signed = req.headers['x-hub-signature-256'] === `sha256=${createHmac('sha256', TEST_SECRETS.appSecret).update(raw).digest('hex')}`;
          const text = (JSON.parse(raw.toString('utf8')) as { entry: { changes: { value: { messages: { text: { body: string } }[] } }[] }[] }).entry[0]!.changes[0]!.value.messages[0]!.text.body;
          got.push({ delivery: String(req.headers['x-switchboard-delivery']), text, signed });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
  };
}

/** Meta posting a signed delivery to the public URL. */
async function metaPosts(publicUrl: string, body: unknown): Promise<number> {
  const raw = JSON.stringify(body);
  return (await fetch(`${publicUrl}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, TEST_SECRETS.appSecret) }, body: raw })).status;
}

async function answering(status: number, body: string): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the webhook workbench, end to end through a stand-in tunnel', () => {
  it('checks the public URL, takes Meta’s delivery through it, forwards it once the app is up, replays and re-sends it', async () => {
    const proxy = await startReverseProxy();
    closers.push(() => proxy.close());
    const app = await developerApp();
    const gateway = await startTestGateway({}, { tunnel: { kind: 'url', url: proxy.url }, forwardTo: [{ url: app.url, fields: null }], forwarder: { firstRetryMs: 20, maxRetryMs: 80 } });
    closers.push(() => gateway.stop());
    proxy.upstream.url = gateway.url;
    expect(gateway.publicUrl).toBe(proxy.url);

    expect(await gateway.checkPublicUrl()).toMatchObject({ ok: true, callback_url: `${proxy.url}/webhook` });
    // The self-test stored nothing.
    expect(((await (await api(gateway.url, '/api/webhooks')).json()) as { deliveries: unknown[] }).deliveries).toEqual([]);

    expect(await metaPosts(proxy.url, inboundText({ wamid: 'wamid.path-1', text: 'Through the tunnel 1' }))).toBe(200);
    expect(await metaPosts(proxy.url, inboundText({ wamid: 'wamid.path-2', text: 'Through the tunnel 2' }))).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(app.got).toEqual([]);
    await app.start();
    await expect.poll(() => app.got.length, { timeout: 5_000 }).toBe(2);
    expect(app.got).toEqual([
      { delivery: '1', text: 'Through the tunnel 1', signed: true },
      { delivery: '2', text: 'Through the tunnel 2', signed: true },
    ]);

    const replay = await api(gateway.url, '/api/webhooks/1/replay', { method: 'POST' });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ id: 1, events: 0 });
    const resend = await api(gateway.url, '/api/webhooks/2/forward', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: app.url }) });
    expect(await resend.json()).toMatchObject({ status: 200, resend: true });
    expect(app.got.map((item) => item.delivery)).toEqual(['1', '2', '2']);
  });

  it('says why Meta could not use the URL: tunnel down, a 502, a body rewritten, another app’s token or answer', async () => {
    const proxy = await startReverseProxy();
    closers.push(() => proxy.close());
    const gateway = await startTestGateway({}, { tunnel: { kind: 'url', url: proxy.url } });
    closers.push(() => gateway.stop());
    proxy.upstream.url = gateway.url;

    proxy.mode.value = 'down';
    expect(await gateway.checkPublicUrl()).toMatchObject({ ok: false, reason: 'unreachable', message: expect.stringContaining('is the tunnel up?') as unknown });
    proxy.mode.value = 'bad-gateway';
    expect(await gateway.checkPublicUrl()).toMatchObject({ ok: false, reason: 'http_error', message: `${proxy.url}/webhook answered HTTP 502 to the handshake: does the tunnel point at this gateway's port?` });
    proxy.mode.value = 'rewrite-body';
    expect(await gateway.checkPublicUrl()).toMatchObject({ ok: false, reason: 'body_rewritten' });
    proxy.mode.value = 'pass';
    proxy.upstream.url = await answering(403, 'Forbidden');
    expect(await gateway.checkPublicUrl()).toMatchObject({ ok: false, reason: 'wrong_token' });
    proxy.upstream.url = await answering(200, 'OK');
    expect(await gateway.checkPublicUrl()).toMatchObject({ ok: false, reason: 'not_this_gateway' });
    proxy.upstream.url = gateway.url;
    expect(await gateway.checkPublicUrl()).toMatchObject({ ok: true });
  });
});
