import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, Message, MessagePage } from '../../../shared/contract';
import { freshFixtureBytes } from '../../helpers/fixtures';
import { api, postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
beforeEach(async () => {
  gateway = await startTestGateway();
  await postSignedWebhook(gateway.url, freshFixtureBytes('text-message', NOW_SECONDS));
  await gateway.processed();
});

const NOW_SECONDS = Math.floor(Date.now() / 1000);
const NOW_ISO = new Date(NOW_SECONDS * 1000).toISOString();
afterEach(() => gateway.stop());

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('GET /api/health', () => {
  it('answers without a token', async () => {
    const response = await fetch(`${gateway.url}/api/health`);
    expect(await response.json()).toMatchObject({ status: 'ok', mode: 'sandbox' });
  });
});

describe('authentication', () => {
  it('answers 401 without a token, with a wrong token, and to ?token= on /api', async () => {
    expect((await fetch(`${gateway.url}/api/conversations`)).status).toBe(401);
    const wrong = await fetch(`${gateway.url}/api/conversations`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await fetch(`${gateway.url}/api/conversations?token=test-api-token`)).status).toBe(401);
  });

  it('answers 403 to a Host that is not ours (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request(`${gateway.url}/api/conversations`, { headers: { host: 'evil.example', authorization: 'Bearer test-api-token' } }, (res) => resolve(res.statusCode ?? 0)).end();
    });
    expect(status).toBe(403);
  });
});

describe('conversations and messages', () => {
  it('lists conversations and pages messages oldest first', async () => {
    const conversations = (await (await api(gateway.url, '/api/conversations')).json()) as Conversation[];
    expect(conversations).toEqual([
      {
        id: 1,
        phone_number_id: '200300400500',
        wa_id: '34600111222',
        name: 'Lucía Gómez',
        last_message_at: NOW_ISO,
        preview: '¿Tenéis envío a Canarias? 🚚 @tienda',
        unread_count: 1,
        last_message: { id: 1, direction: 'in', status: 'delivered' },
        window_expires_at: new Date(NOW_SECONDS * 1000 + 24 * 3600 * 1000).toISOString(),
      },
    ]);
    const page = (await (await api(gateway.url, '/api/conversations/1/messages')).json()) as MessagePage;
    expect(page.messages.map((m) => m.wamid)).toEqual(['wamid.TEXT0001']);
    expect(page.next_before).toBeNull();
  });

  it('pages backwards with before cursors until the start', async () => {
    for (const text of ['one', 'two', 'three']) await api(gateway.url, '/api/conversations/1/messages', json({ text }));
    const first = (await (await api(gateway.url, '/api/conversations/1/messages?limit=2')).json()) as MessagePage;
    expect(first.messages.map((m) => m.text)).toEqual(['two', 'three']);
    const second = (await (await api(gateway.url, `/api/conversations/1/messages?limit=2&before=${first.next_before}`)).json()) as MessagePage;
    expect(second.messages.map((m) => m.text)).toEqual(['¿Tenéis envío a Canarias? 🚚 @tienda', 'one']);
  });

  it('opens a page centred on a message and pages newer with after, over HTTP', async () => {
    for (const text of ['one', 'two', 'three', 'four']) await api(gateway.url, '/api/conversations/1/messages', json({ text }));
    const whole = (await (await api(gateway.url, '/api/conversations/1/messages')).json()) as MessagePage;
    const two = whole.messages.find((m) => m.text === 'two');
    const centred = (await (await api(gateway.url, `/api/conversations/1/messages?around=${two?.id}&limit=3`)).json()) as MessagePage;
    expect(centred.messages.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    const newer = (await (await api(gateway.url, `/api/conversations/1/messages?after=${centred.next_after}&limit=3`)).json()) as MessagePage;
    expect(newer.messages.map((m) => m.text)).toEqual(['four']);
    expect(newer.next_after).toBeNull();
    const both = await api(gateway.url, `/api/conversations/1/messages?around=${two?.id}&before=${centred.next_before}`);
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('searches over HTTP with filters in the query string, and refuses a bad one with 400', async () => {
    await gateway.indexed();
    const found = await api(gateway.url, `/api/search?${new URLSearchParams({ q: 'canarias', direction: 'in', unread: 'true', limit: '5' })}`);
    expect(found.status).toBe(200);
    const page = (await found.json()) as { hits: { message: { wamid: string }; snippet: { text: string; highlights: number[][] } }[]; next_before: string | null };
    expect(page.hits.map((hit) => hit.message.wamid)).toEqual(['wamid.TEXT0001']);
    const snippet = page.hits[0]?.snippet;
    expect(snippet?.highlights.map(([from, to]) => snippet.text.slice(from, to))).toEqual(['Canarias']);
    expect(page.next_before).toBeNull();
    const empty = await api(gateway.url, '/api/search?q=%20');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string; message: string } }).error.message).toContain('must not be empty');
  });

  it('pages the conversation list with limit and after_id', async () => {
    const first = await api(gateway.url, '/api/conversations?limit=1');
    expect(((await first.json()) as { id: number }[]).map((c) => c.id)).toEqual([1]);
    const next = await api(gateway.url, '/api/conversations?limit=1&after_id=1');
    expect(await next.json()).toEqual([]);
    const unknown = await api(gateway.url, '/api/conversations?limit=1&after_id=77');
    expect(unknown.status).toBe(404);
  });

  it('lists the unread conversations alone with unread=true, and refuses another value with a 400', async () => {
    const unread = await api(gateway.url, '/api/conversations?limit=5&unread=true');
    const listed = (await unread.json()) as { id: number; unread_count: number }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((c) => c.unread_count > 0)).toBe(true);
    const all = await api(gateway.url, '/api/conversations?unread=false');
    expect(((await all.json()) as unknown[]).length).toBeGreaterThanOrEqual(listed.length);
    const refused = await api(gateway.url, '/api/conversations?unread=yes');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('unread') });
  });

  it('sends a reply: 201 with the pending message', async () => {
    const response = await api(gateway.url, '/api/conversations/1/messages', json({ text: 'Sí', reply_to: 'wamid.TEXT0001' }));
    expect(response.status).toBe(201);
    expect((await response.json()) as Message).toMatchObject({ direction: 'out', status: 'pending', text: 'Sí', reply_to: 'wamid.TEXT0001' });
  });

  it('marks a conversation read', async () => {
    const response = await api(gateway.url, '/api/conversations/1/read', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 1, unread_count: 0 });
  });

  it('returns the event log after a seq', async () => {
    await api(gateway.url, '/api/conversations/1/messages', json({ text: 'Sí' }));
    const body = (await (await api(gateway.url, '/api/events?since=1')).json()) as { events: { seq: number; type: string }[]; resync: boolean };
    expect(body.resync).toBe(false);
    // The setup's webhook committed a new_message and the webhook log's notice; the send, one new_message.
    expect(body.events.map((e) => [e.seq, e.type])).toEqual([
      [2, 'webhook_log_update'],
      [3, 'new_message'],
    ]);
    expect(await (await api(gateway.url, '/api/events?since=999')).json()).toEqual({ events: [], resync: true });
  });
});

describe('bad input (clear error, nothing stored changes)', () => {
  const outgoing = () => gateway.store.db.prepare("SELECT count(*) FROM messages WHERE direction = 'out'").pluck().get();

  it.each([
    ['empty text', { text: '' }, 400, 'text: must not be empty'],
    ['text over 4,096 characters', { text: 'a'.repeat(4097) }, 400, 'text: must be at most 4096 characters'],
    ['a reply to an unknown message', { text: 'x', reply_to: 'wamid.UNKNOWN' }, 400, 'reply_to: message wamid.UNKNOWN is not in this conversation'],
    ['an unknown field', { text: 'x', user_id: 1 }, 400, undefined],
  ])('refuses %s with %i', async (_name, body, status, message) => {
    const response = await api(gateway.url, '/api/conversations/1/messages', json(body));
    expect(response.status).toBe(status);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('bad_request');
    if (message) expect(error.message).toBe(message);
    expect(outgoing()).toBe(0);
  });

  it('answers 404 for an unknown conversation and an unknown route', async () => {
    const unknown = await api(gateway.url, '/api/conversations/42/messages', json({ text: 'x' }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'conversation 42 does not exist' } });
    expect((await api(gateway.url, '/api/nothing')).status).toBe(404);
    expect(outgoing()).toBe(0);
  });

  it('answers 400 for a non-numeric conversation id and a forged cursor', async () => {
    expect((await api(gateway.url, '/api/conversations/abc/messages')).status).toBe(400);
    const forged = await api(gateway.url, '/api/conversations/1/messages?before=zzz');
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { message: 'before: not a cursor from this gateway' } });
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const response = await api(gateway.url, '/api/conversations', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('answers 415 for a non-JSON body and 400 for malformed JSON', async () => {
    const text = await api(gateway.url, '/api/conversations/1/messages', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(415);
    const malformed = await api(gateway.url, '/api/conversations/1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(malformed.status).toBe(400);
    const array = await api(gateway.url, '/api/conversations/1/messages', json([1]));
    expect(array.status).toBe(400);
  });

  it('answers 413 for an API body over 64 KB', async () => {
    const response = await api(gateway.url, '/api/conversations/1/messages', json({ text: 'a'.repeat(70_000) }));
    expect(response.status).toBe(413);
  });
});

describe('attachments and templates over HTTP', () => {
  const attachment = (query: string, body: Uint8Array): Promise<Response> =>
    api(gateway.url, `/api/conversations/1/attachments?${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: body as Uint8Array<ArrayBuffer> });

  it('takes the file as the raw body and the rest in the query; the message is served back as the agent sent it', async () => {
    const pdf = new TextEncoder().encode('%PDF-1.4 invoice');
    const response = await attachment('filename=Factura%20caf%C3%A9.pdf&mime_type=application%2Fpdf&caption=Your%20invoice&client_message_id=upload-123456', pdf);
    expect(response.status).toBe(201);
    const message = (await response.json()) as Message;
    expect(message).toMatchObject({ type: 'document', text: 'Your invoice', content: { media: { filename: 'Factura café.pdf' } }, media_file: { state: 'stored', size: pdf.length } });
    const served = await api(gateway.url, `/api/media/${message.id}`);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(Buffer.from(pdf));
    // The same client message id is the same send.
    expect(((await (await attachment('filename=Factura.pdf&mime_type=application%2Fpdf&client_message_id=upload-123456', pdf)).json()) as Message).id).toBe(message.id);
  });

  it('answers 415 for a type WhatsApp refuses, 413 past its limit, 400 without a name, each as JSON', async () => {
    const zip = await attachment('filename=a.zip&mime_type=application%2Fzip', new Uint8Array([80, 75]));
    expect(zip.status).toBe(415);
    expect(await zip.json()).toMatchObject({ error: { code: 'unsupported_media_type', message: expect.stringContaining('WhatsApp does not accept application/zip') } });
    const big = await attachment('filename=a.jpg&mime_type=image%2Fjpeg', new Uint8Array(5 * 1024 * 1024 + 10));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const nameless = await attachment('mime_type=image%2Fjpeg', new Uint8Array([1]));
    expect(nameless.status).toBe(400);
    expect(await nameless.json()).toMatchObject({ error: { code: 'bad_request', message: expect.stringContaining('filename') } });
  });

  it('lists the sandbox’s approved templates, and a template sent from the list shows its text', async () => {
    const listed = (await (await api(gateway.url, '/api/templates')).json()) as { templates: { name: string; parameter_count: number }[] };
    expect(listed.templates.find((t) => t.name === 'order_update')).toMatchObject({ parameter_count: 2 });
    const sent = (await (await api(gateway.url, '/api/conversations/1/templates', json({ name: 'order_update', language: 'en_US', parameters: ['Lucía', '#1042'] }))).json()) as Message;
    expect(sent.text).toBe('Hi Lucía, your order #1042 is on its way and should arrive within 3 working days.');
  });
});
