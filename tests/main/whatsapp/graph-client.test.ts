import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../../main/whatsapp/graph-client';
import { startFakeGraph } from '../../helpers/fake-graph';

let graph: Awaited<ReturnType<typeof startFakeGraph>>;
let client: GraphClient;

beforeEach(async () => {
  graph = await startFakeGraph();
  client = new GraphClient({ graphUrl: `${graph.url}/`, apiVersion: 'v26.0', accessToken: 'EAAG-test' });
});
afterEach(() => graph.close());

describe('GraphClient.sendText', () => {
  it('posts Meta’s documented text body to /<version>/<phone_number_id>/messages with the bearer token', async () => {
    const result = await client.sendText({ phoneNumberId: '200300400500', to: { waId: '34600111222', userId: null }, text: 'Hola', replyTo: 'wamid.Q' });
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
        },
      },
    ]);
  });

  it('addresses a username-only customer by business-scoped id', async () => {
    await client.sendText({ phoneNumberId: '1', to: { waId: null, userId: 'DE.555' }, text: 'Hallo', replyTo: null });
    expect(graph.requests[0]?.body).toMatchObject({ recipient: 'DE.555' });
    expect(graph.requests[0]?.body).not.toHaveProperty('to');
    expect(graph.requests[0]?.body).not.toHaveProperty('context');
  });

  it('returns Meta’s error code, message and details as data', async () => {
    graph.answers.push({
      status: 400,
      body: { error: { message: '(#131030) Recipient phone number not in allowed list', code: 131030, error_data: { details: 'add it to the list' } } },
    });
    const result = await client.sendText({ phoneNumberId: '1', to: { waId: '2', userId: null }, text: 'x', replyTo: null });
    expect(result).toEqual({ ok: false, error: { code: 131030, title: '(#131030) Recipient phone number not in allowed list', details: 'add it to the list' } });
  });

  it('reports a dropped connection as an error, not a crash', async () => {
    graph.answers.push('drop');
    const result = await client.sendText({ phoneNumberId: '1', to: { waId: '2', userId: null }, text: 'x', replyTo: null });
    expect(result).toMatchObject({ ok: false, error: { code: null, title: 'Could not reach the WhatsApp Graph API' } });
  });

  it('gives up on a request Meta never answers, saying it may still have been accepted', async () => {
    graph.answers.push('hang');
    const impatient = new GraphClient({ graphUrl: graph.url, apiVersion: 'v26.0', accessToken: 't', timeoutMs: 100 });
    const result = await impatient.sendText({ phoneNumberId: '1', to: { waId: '2', userId: null }, text: 'x', replyTo: null });
    expect(result).toEqual({ ok: false, error: { code: null, title: 'No answer from the WhatsApp Graph API in time', details: 'the message may still have been accepted' } });
  });

  it('reports a non-JSON 5xx answer with its HTTP status', async () => {
    graph.answers.push({ status: 503, body: 'oops' });
    const result = await client.sendText({ phoneNumberId: '1', to: { waId: '2', userId: null }, text: 'x', replyTo: null });
    expect(result).toEqual({ ok: false, error: { code: null, title: 'Graph API answered HTTP 503' } });
  });
});
