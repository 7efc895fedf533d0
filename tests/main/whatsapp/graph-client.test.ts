import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../../main/whatsapp/graph-client';
import { startFakeGraph } from '../../helpers/fake-graph';

let graph: Awaited<ReturnType<typeof startFakeGraph>>;
const TEXT = { phoneNumberId: '1', to: { waId: '2', userId: null }, body: { type: 'text', text: 'x', previewUrl: false }, replyTo: null, callbackData: null } as const;
let client: GraphClient;

beforeEach(async () => {
  graph = await startFakeGraph();
  client = new GraphClient({ graphUrl: `${graph.url}/`, apiVersion: 'v26.0', accessToken: 'EAAG-test' });
});
afterEach(() => graph.close());

describe('GraphClient.sendText', () => {
  it('posts Meta’s documented text body to /<version>/<phone_number_id>/messages with the bearer token', async () => {
    const result = await client.send({
      phoneNumberId: '200300400500',
      to: { waId: '34600111222', userId: null },
      body: { type: 'text', text: 'Hola', previewUrl: false },
      replyTo: 'wamid.Q',
      callbackData: 'cm-1234567',
    });
    expect(result).toEqual({ ok: true, wamid: 'wamid.FAKE1' });
    expect(graph.requests).toEqual([
      {
        method: 'POST',
        path: '/v26.0/200300400500/messages',
        authorization: 'Bearer EAAG-test',
        body: {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: '+34600111222',
          type: 'text',
          text: { preview_url: false, body: 'Hola' },
          context: { message_id: 'wamid.Q' },
          biz_opaque_callback_data: 'cm-1234567',
        },
      },
    ]);
  });

  it('addresses a username-only customer by business-scoped id', async () => {
    await client.send({ phoneNumberId: '1', to: { waId: null, userId: 'DE.555' }, body: { type: 'text', text: 'Hallo', previewUrl: true }, replyTo: null, callbackData: null });
    expect(graph.requests[0]?.body).toMatchObject({ recipient: 'DE.555' });
    expect(graph.requests[0]?.body).not.toHaveProperty('to');
    expect(graph.requests[0]?.body).not.toHaveProperty('context');
    expect(graph.requests[0]?.body).toMatchObject({ text: { preview_url: true } });
  });

  it('returns Meta’s error code, message and details as data', async () => {
    graph.answers.push({
      status: 400,
      body: { error: { message: '(#131030) Recipient phone number not in allowed list', code: 131030, error_data: { details: 'add it to the list' } } },
    });
    const result = await client.send(TEXT);
    expect(result).toEqual({ ok: false, retry: 'never', error: { code: 131030, title: '(#131030) Recipient phone number not in allowed list', details: 'add it to the list' } });
  });

  it('reports a dropped connection as an error, not a crash', async () => {
    graph.answers.push('drop');
    const result = await client.send(TEXT);
    // The request left before the connection broke: WhatsApp may have it.
    expect(result).toMatchObject({ ok: false, retry: 'unknown_outcome', error: { code: null, title: 'Could not reach the WhatsApp Graph API' } });
  });

  it('gives up on a request Meta never answers, saying it may still have been accepted', async () => {
    graph.answers.push('hang');
    const impatient = new GraphClient({ graphUrl: graph.url, apiVersion: 'v26.0', accessToken: 't', timeoutMs: 100 });
    const result = await impatient.send(TEXT);
    expect(result).toEqual({ ok: false, retry: 'unknown_outcome', error: { code: null, title: 'No answer from the WhatsApp Graph API in time', details: 'the message may still have been accepted' } });
  });

  it('reports a non-JSON 5xx answer with its HTTP status', async () => {
    graph.answers.push({ status: 503, body: 'oops' });
    const result = await client.send(TEXT);
    expect(result).toEqual({ ok: false, retry: 'backoff', error: { code: null, title: 'Graph API answered HTTP 503' } });
  });

  it.each([
    [130429, 'backoff'],
    [131056, 'pair_limit'],
    [131057, 'maintenance'],
    [131000, 'backoff'],
    [131047, 'never'],
    [100, 'never'],
    [131008, 'never'],
    [131009, 'never'],
    [190, 'never'],
    [132000, 'never'],
    [132015, 'never'],
  ])('classifies Meta error %i as %s', async (code, retry) => {
    graph.answers.push({ status: 400, body: { error: { message: `(#${code}) x`, code } } });
    expect(await client.send(TEXT)).toMatchObject({ ok: false, retry, error: { code } });
  });

  it('treats a 200 that names no message as an unknown outcome, never repeated', async () => {
    graph.answers.push({ status: 200, body: { messaging_product: 'whatsapp' } });
    expect(await client.send(TEXT)).toMatchObject({ ok: false, retry: 'unknown_outcome', error: { title: 'The Graph API accepted the request but named no message' } });
  });

  it('classifies a refused connection as safe to retry (nothing was sent)', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const closed = new GraphClient({ graphUrl: `http://127.0.0.1:${port}`, apiVersion: 'v26.0', accessToken: 't' });
    expect(await closed.send(TEXT)).toMatchObject({ ok: false, retry: 'backoff' });
  });

  it('sends templates, reactions and read receipts in Meta’s documented shapes', async () => {
    await client.send({ ...TEXT, body: { type: 'template', name: 'order_update', language: 'en_US', parameters: ['Ana', '#1042'] } });
    await client.send({ ...TEXT, body: { type: 'reaction', targetWamid: 'wamid.T', emoji: '👍' }, replyTo: 'wamid.ignored' });
    graph.answers.push({ status: 200, body: { success: true } });
    expect(await client.markRead({ phoneNumberId: '1', wamid: 'wamid.IN', typing: true })).toEqual({ ok: true });
    expect(graph.requests.map((r) => r.body)).toEqual([
      expect.objectContaining({
        type: 'template',
        template: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '#1042' }] }] },
      }),
      { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+2', type: 'reaction', reaction: { message_id: 'wamid.T', emoji: '👍' } },
      { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN', typing_indicator: { type: 'text' } },
    ]);
  });
});

describe('GraphClient: attachments', () => {
  it('uploads a file as multipart form data to /<phone_number_id>/media, then sends it by media id', async () => {
    const bytes = new Uint8Array([37, 80, 68, 70, 45, 49]);
    expect(await client.uploadMedia({ phoneNumberId: '1', bytes, mimeType: 'application/pdf', filename: 'Factura café.pdf' })).toEqual({ ok: true, mediaId: 'media.FAKE1' });
    const upload = graph.requests[0];
    expect(upload).toMatchObject({ method: 'POST', path: '/v26.0/1/media', authorization: 'Bearer EAAG-test' });
    expect(upload?.body).toEqual({
      fields: { messaging_product: 'whatsapp', type: 'application/pdf' },
      file: { name: 'Factura café.pdf', type: 'application/pdf', size: 6, sha256: createHash('sha256').update(bytes).digest('hex') },
    });
    await client.send({ ...TEXT, body: { type: 'media', kind: 'document', mediaId: 'media.FAKE1', caption: 'Your invoice', filename: 'Factura café.pdf' } });
    await client.send({ ...TEXT, body: { type: 'media', kind: 'audio', mediaId: 'media.A', caption: 'ignored', filename: 'note.ogg' } });
    await client.send({ ...TEXT, body: { type: 'media', kind: 'image', mediaId: 'media.I', caption: 'The label', filename: 'label.jpg' } });
    expect(graph.requests.slice(1).map((r) => r.body)).toEqual([
      expect.objectContaining({ type: 'document', document: { id: 'media.FAKE1', caption: 'Your invoice', filename: 'Factura café.pdf' } }),
      expect.objectContaining({ type: 'audio', audio: { id: 'media.A' } }),
      expect.objectContaining({ type: 'image', image: { id: 'media.I', caption: 'The label' } }),
    ]);
  });

  it('returns a refused upload as data, and a dropped one as safe to try again (an upload delivers nothing)', async () => {
    graph.answers.push({ status: 400, body: { error: { code: 131053, message: 'Media upload error', error_data: { details: 'Unsupported file type' } } } }, 'drop');
    const file = { phoneNumberId: '1', bytes: new Uint8Array([1]), mimeType: 'image/jpeg', filename: 'x.jpg' };
    expect(await client.uploadMedia(file)).toEqual({ ok: false, retry: 'never', error: { code: 131053, title: 'Media upload error', details: 'Unsupported file type' } });
    expect(await client.uploadMedia(file)).toMatchObject({ ok: false, retry: 'backoff' });
  });
});

describe('GraphClient: approved templates', () => {
  it('lists a business account’s approved templates across pages, as the picker shows them', async () => {
    graph.templatePages.push(
      [
        { name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'TEXT', text: 'Your order' }, { type: 'BODY', text: 'Hi {{1}}, order {{2}} ships today. {{1}}, thanks!' }, { type: 'FOOTER', text: 'Reply STOP to opt out' }, { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Track' }] }] },
        { name: 'draft_one', language: 'en_US', status: 'PENDING', category: 'MARKETING', components: [{ type: 'BODY', text: 'x' }] },
      ],
      [{ name: 'factura', language: 'es', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'HEADER', format: 'DOCUMENT' }, { type: 'BODY', text: 'Hola {{nombre}}, adjuntamos tu factura.' }] }],
    );
    expect(await client.listTemplates('WABA1')).toEqual({
      ok: true,
      templates: [
        { name: 'order_update', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}, order {{2}} ships today. {{1}}, thanks!', parameter_count: 2, header: 'Your order', footer: 'Reply STOP to opt out', buttons: ['Track'] },
        { name: 'factura', language: 'es', category: 'UTILITY', body: 'Hola {{nombre}}, adjuntamos tu factura.', parameter_count: 1, header: '[document]', buttons: [] },
      ],
    });
    expect(graph.requests[0]).toMatchObject({ method: 'GET', path: '/v26.0/WABA1/message_templates?status=APPROVED&limit=100&fields=name,language,status,category,components', authorization: 'Bearer EAAG-test' });
    expect(graph.requests).toHaveLength(2);
  });

  it('says why Meta refused to list them', async () => {
    graph.answers.push({ status: 400, body: { error: { code: 100, message: 'Unsupported get request. Object with ID WABA1 does not exist' } } });
    expect(await client.listTemplates('WABA1')).toEqual({ ok: false, reason: 'Unsupported get request. Object with ID WABA1 does not exist (100)' });
  });
});

describe('GraphClient: its HTTP client', () => {
  it('calls Meta through the fetch it is given (the desktop app passes Electron’s net.fetch)', async () => {
    const seen: string[] = [];
    const viaNet = new GraphClient({ graphUrl: graph.url, apiVersion: 'v26.0', accessToken: 'EAAG-test', fetch: (input, init) => (seen.push(String(input)), fetch(input, init)) });
    expect(await viaNet.send(TEXT)).toMatchObject({ ok: true });
    expect(seen).toEqual([`${graph.url}/v26.0/1/messages`]);
  });
});
