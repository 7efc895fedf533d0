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
