import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { api, postSignedWebhook, startTestGateway, TEST_SECRETS } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

/** What the developer's app received: each delivery's id header, body and whether its signature checked out. */
type Received = { delivery: string; body: string; signatureValid: boolean };

/** The developer's app: verifies Meta's signature with the app secret, as their own code would. */
async function startTarget(answer: (received: Received) => number | 'hang' = () => 200, port = 0): Promise<{ url: string; port: number; received: Received[]; server: Server; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac('sha256', TEST_SECRETS.appSecret).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      const item = { delivery: String(req.headers['x-switchboard-delivery']), body: raw.toString('utf8'), signatureValid: given.length === expected.length && timingSafeEqual(given, expected) };
      received.push(item);
      const status = answer(item);
      if (status === 'hang') return;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/webhook`,
    port: actual,
    received,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on (taken, then given back). */
async function freePort(): Promise<number> {
  const target = await startTarget();
  await target.close();
  return target.port;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FAST = { firstRetryMs: 20, maxRetryMs: 80, timeoutMs: 2_000 };

async function gatewayForwardingTo(targets: { url: string; fields: string[] | null }[]) {
  const gateway = await startTestGateway({}, { forwardTo: targets, forwarder: FAST });
  cleanups.push(() => gateway.stop());
  return gateway;
}

function accountUpdate(): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: [{ id: '880011223344', changes: [{ field: 'account_update', value: { phone_number: '15550001111', event: 'VERIFIED_ACCOUNT' } }] }] };
}

describe('forwarding verified deliveries to the developer’s endpoints', () => {
  it('relays each delivery in order with its original bytes and Meta’s signature, and lists the attempt', async () => {
    const target = await startTarget();
    cleanups.push(() => target.close());
    const gateway = await gatewayForwardingTo([{ url: target.url, fields: null }]);
    const bodies = [1, 2, 3].map((n) => inboundText({ wamid: `wamid.fwd-${n}`, text: `Forwarded ${n}` }));
    for (const body of bodies) expect((await postSignedWebhook(gateway.url, body)).status).toBe(200);
    await gateway.forwarded();
    expect(target.received.map((item) => item.body)).toEqual(bodies.map((body) => JSON.stringify(body)));
    expect(target.received.every((item) => item.signatureValid)).toBe(true);
    const list = (await (await api(gateway.url, '/api/webhooks')).json()) as { deliveries: { id: number; forwards: { target_url: string; status: number; resend: boolean }[] }[]; forward_targets: unknown[] };
    expect(list.forward_targets).toEqual([{ url: target.url, fields: null }]);
    expect(target.received.map((item) => Number(item.delivery))).toEqual(list.deliveries.map((delivery) => delivery.id).reverse());
    expect(list.deliveries[0]?.forwards).toEqual([expect.objectContaining({ target_url: target.url, status: 200, resend: false })]);
  });

  it('holds deliveries in order while the target is down, and hands each over once when it is back', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhook`;
    const gateway = await gatewayForwardingTo([{ url, fields: null }]);
    for (const n of [1, 2, 3]) expect((await postSignedWebhook(gateway.url, inboundText({ wamid: `wamid.down-${n}`, text: `While down ${n}` }))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const target = await startTarget(() => 200, port);
    cleanups.push(() => target.close());
    await expect.poll(() => target.received.length, { timeout: 5_000 }).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.received.map((item) => (JSON.parse(item.body) as { entry: { changes: { value: { messages: { text: { body: string } }[] } }[] }[] }).entry[0]!.changes[0]!.value.messages[0]!.text.body)).toEqual([
      'While down 1',
      'While down 2',
      'While down 3',
    ]);
    expect(gateway.logs.some((line) => line.includes(`forward: ${url} did not take delivery 1 (connection refused (is it running?))`))).toBe(true);
    expect(gateway.logs.some((line) => line.startsWith(`forward: ${url} answers again`))).toBe(true);
  });

  it('retries a 5xx, records a 4xx refusal and goes on to the next', async () => {
    const answers = [503, 200, 400, 200];
    const target = await startTarget(() => answers.shift() ?? 200);
    cleanups.push(() => target.close());
    const gateway = await gatewayForwardingTo([{ url: target.url, fields: null }]);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.retry-1' }))).status).toBe(200);
    await expect.poll(() => target.received.length, { timeout: 5_000 }).toBe(2);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.refused-2' }))).status).toBe(200);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.next-3' }))).status).toBe(200);
    await expect.poll(() => target.received.length, { timeout: 5_000 }).toBe(4);
    expect(target.received.map((item) => Number(item.delivery))).toEqual([1, 1, 2, 3]);
    const list = (await (await api(gateway.url, '/api/webhooks')).json()) as { deliveries: { id: number; forwards: { status: number; error: string | null }[] }[] };
    const byId = new Map(list.deliveries.map((delivery) => [delivery.id, delivery.forwards.map((attempt) => attempt.status)]));
    expect(Object.fromEntries(byId)).toEqual({ 1: [503, 200], 2: [400], 3: [200] });
  });

  it('relays only the fields a target asked for', async () => {
    const everything = await startTarget();
    const accounts = await startTarget();
    cleanups.push(() => everything.close(), () => accounts.close());
    const gateway = await gatewayForwardingTo([
      { url: everything.url, fields: null },
      { url: accounts.url, fields: ['account_update'] },
    ]);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.field-1' }))).status).toBe(200);
    expect((await postSignedWebhook(gateway.url, accountUpdate())).status).toBe(200);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.field-3' }))).status).toBe(200);
    await gateway.forwarded();
    expect(everything.received.map((item) => item.delivery)).toEqual(['1', '2', '3']);
    expect(accounts.received.map((item) => item.delivery)).toEqual(['2']);
  });

  it('never makes ingest wait: a target that hangs holds its lane, not the acknowledgements', async () => {
    const target = await startTarget(() => 'hang');
    cleanups.push(() => target.close());
    const gateway = await gatewayForwardingTo([{ url: target.url, fields: null }]);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.hang-1' }))).status).toBe(200);
    await expect.poll(() => target.received.length, { timeout: 5_000 }).toBe(1);
    // The lane waits on delivery 1; these are acknowledged and stored all the same.
    for (const n of [2, 3, 4]) expect((await postSignedWebhook(gateway.url, inboundText({ wamid: `wamid.hang-${n}`, text: `During the hang ${n}` }))).status).toBe(200);
    await gateway.processed();
    const conversations = (await (await api(gateway.url, '/api/conversations')).json()) as { preview: string }[];
    expect(conversations[0]?.preview).toBe('During the hang 4');
    expect(target.received).toHaveLength(1);
  });

  it('re-sends one delivery to a target on request, and says what is wrong with a bad one', async () => {
    const target = await startTarget();
    cleanups.push(() => target.close());
    const gateway = await gatewayForwardingTo([{ url: target.url, fields: null }]);
    expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.resend-1' }))).status).toBe(200);
    await gateway.forwarded();
    const post = (body: unknown, id = 1) => api(gateway.url, `/api/webhooks/${id}/forward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const resent = await post({ target: target.url });
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ target_url: target.url, status: 200, resend: true });
    expect(target.received.map((item) => item.delivery)).toEqual(['1', '1']);
    expect(target.received.every((item) => item.signatureValid)).toBe(true);
    const unknownTarget = await post({ target: 'http://127.0.0.1:1/elsewhere' });
    expect(unknownTarget.status).toBe(400);
    expect(await unknownTarget.json()).toEqual({ error: { code: 'bad_request', message: `target: http://127.0.0.1:1/elsewhere is not a forward target (${target.url})` } });
    const unknownDelivery = await post({ target: target.url }, 999);
    expect(unknownDelivery.status).toBe(404);
    expect(((await unknownDelivery.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('answers a re-send with a clear error when the gateway forwards nowhere', async () => {
    const gateway = await startTestGateway();
    cleanups.push(() => gateway.stop());
    const response = await api(gateway.url, '/api/webhooks/1/forward', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: 'http://127.0.0.1:3000/webhook' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'bad_request', message: 'no forward target is configured (add one in Settings → Developer, or start the gateway with --forward-to <url>)' } });
    expect((await (await api(gateway.url, '/api/webhooks')).json()) as { forward_targets: unknown[] }).toMatchObject({ forward_targets: [] });
  });
});
