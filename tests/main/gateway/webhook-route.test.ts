import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookReceiptSchema } from '../../../shared/contract';
import { fixture, fixtureBytes } from '../../helpers/fixtures';
import { api, postSignedWebhook, startTestGateway, TEST_SECRETS } from '../../helpers/test-gateway';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
beforeEach(async () => {
  gateway = await startTestGateway();
});
afterEach(() => gateway.stop());

const messageCount = () => gateway.store.db.prepare('SELECT count(*) FROM messages').pluck().get();

describe('GET /webhook (Meta’s verification handshake)', () => {
  it('answers 200 with the raw challenge when mode and verify token match', async () => {
    const response = await fetch(`${gateway.url}/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${TEST_SECRETS.verifyToken}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('1158201444');
  });

  it('answers 403 with a JSON error for a wrong token or mode, and checks no signature', async () => {
    const wrongToken = await fetch(`${gateway.url}/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`);
    expect(wrongToken.status).toBe(403);
    expect(await wrongToken.json()).toMatchObject({ error: { code: 'forbidden' } });
    const wrongMode = await fetch(`${gateway.url}/webhook?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${TEST_SECRETS.verifyToken}`);
    expect(wrongMode.status).toBe(403);
  });
});

describe('POST /webhook', () => {
  it('stores a signed delivery and answers 200 after the commit', async () => {
    const response = await postSignedWebhook(gateway.url, fixtureBytes('text-message'));
    expect(response.status).toBe(200);
    const receipt: unknown = await response.json();
    expect(WebhookReceiptSchema.parse(receipt)).toEqual({ received: { messages: 1, statuses: 0, reactions: 0, changes: 0 } });
    expect(gateway.store.db.prepare('SELECT count(*) FROM webhook_log').pluck().get()).toBe(1);
    await gateway.processed();
    expect(messageCount()).toBe(1);
  });

  it('answers a delivery too large to process in its own commit as queued, then processes it', async () => {
    const messages = Array.from({ length: 1001 }, (_, n) => ({ from: '15550001234', id: `wamid.Q${n}`, timestamp: '1764115200', type: 'text', text: { body: `m${n}` } }));
    const body = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, messages } }] }] };
    const response = await postSignedWebhook(gateway.url, body);
    expect(response.status).toBe(200);
    const receipt: unknown = await response.json();
    expect(WebhookReceiptSchema.parse(receipt)).toEqual({ queued: { updates: 1001 } });
    expect(gateway.store.db.prepare('SELECT outcome FROM webhook_log').pluck().all()).toEqual(['received']);
    await gateway.processed();
    expect(messageCount()).toBe(1001);
    expect(gateway.store.db.prepare('SELECT outcome FROM webhook_log').pluck().all()).toEqual(['processed']);
  });

  it('answers 401 for a missing signature and stores nothing', async () => {
    const response = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fixture('text-message')) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: 'X-Hub-Signature-256 is missing' } });
    expect(messageCount()).toBe(0);
    expect(gateway.store.db.prepare('SELECT count(*) FROM webhook_log').pluck().get()).toBe(0);
  });

  it('answers 401 for a wrong signature', async () => {
    const response = await postSignedWebhook(gateway.url, fixture('text-message'), { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
    expect(response.status).toBe(401);
    expect(messageCount()).toBe(0);
  });

  it('answers 400 for malformed JSON, signed', async () => {
    const response = await postSignedWebhook(gateway.url, Buffer.from('{"object":'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_request', message: 'webhook body is not valid JSON' } });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('answers 405 for other methods', async () => {
    const response = await fetch(`${gateway.url}/webhook`, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
  });

  it('answers 413 for a declared body over 3 MB without reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gateway.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024 + 1) },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.write('{"object":"whatsapp_business_account"');
    });
    expect(status).toBe(413);
  });

  it('answers 413 for a chunked body that grows past 3 MB, then keeps serving', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 10, 0x20);
    const response = await fetch(`${gateway.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await postSignedWebhook(gateway.url, fixtureBytes('text-message'))).status).toBe(200);
  });

  it('answers 200 to valid JSON of an unexpected shape, and logs it', async () => {
    const response = await postSignedWebhook(gateway.url, { hello: 'world' });
    expect(response.status).toBe(200);
    await gateway.processed();
    expect(gateway.logs.some((line) => line.includes('ignored object'))).toBe(true);
    expect(gateway.store.db.prepare('SELECT outcome FROM webhook_log').pluck().all()).toEqual(['ignored']);
  });

  it('keeps what was stored before a bad request', async () => {
    await postSignedWebhook(gateway.url, fixtureBytes('text-message'));
    await postSignedWebhook(gateway.url, Buffer.from('not json'));
    await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await gateway.processed();
    const conversations = (await (await api(gateway.url, '/api/conversations')).json()) as unknown[];
    expect(conversations).toHaveLength(1);
    expect(messageCount()).toBe(1);
  });
});
