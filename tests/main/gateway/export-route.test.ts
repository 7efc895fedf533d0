import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/contract';
import { api, postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let conversationId: number;

beforeEach(async () => {
  gateway = await startTestGateway();
  const now = Math.floor(Date.now() / 1000) - 2_000;
  // A long thread: the export streams it a page at a time.
  const batch = Array.from({ length: 1_200 }, (_, n) => inboundText({ wamid: `wamid.EX${n}`, from: '34600111222', text: `línea ${n} <b>& más</b>`, timestamp: String(now + n) }));
  for (let n = 0; n < batch.length; n += 100) await Promise.all(batch.slice(n, n + 100).map((body) => postSignedWebhook(gateway.url, body)));
  await gateway.processed();
  conversationId = gateway.store.conversations.list()[0]?.id ?? 0;
});
afterEach(() => gateway.stop());

describe('exporting one conversation over HTTP (the UI’s export)', () => {
  it('streams every message as JSON a program reads back, as a download named after the customer', async () => {
    const response = await api(gateway.url, `/api/conversations/${conversationId}/export?format=json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(decodeURIComponent(response.headers.get('content-disposition') ?? '')).toMatch(/^attachment; filename\*=UTF-8''Lucía-Gómez-\d{4}-\d{2}-\d{2}\.json$/);
    const body = (await response.json()) as { format: string; conversation: { id: number }; messages: Message[] };
    expect(body.format).toBe('switchboard-conversation');
    expect(body.conversation.id).toBe(conversationId);
    expect(body.messages.map((m) => m.text)).toEqual(Array.from({ length: 1_200 }, (_, n) => `línea ${n} <b>& más</b>`));
  });

  it('writes a printable HTML transcript with every text escaped, and plain text', async () => {
    const html = await (await api(gateway.url, `/api/conversations/${conversationId}/export?format=html`)).text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('línea 1199 &lt;b&gt;&amp; más&lt;/b&gt;');
    expect(html).not.toContain('<b>');
    expect(html.trimEnd().endsWith('</body></html>')).toBe(true);
    const text = await (await api(gateway.url, `/api/conversations/${conversationId}/export?format=text`)).text();
    expect(text.split('\n').filter((line) => line.includes('Lucía Gómez: línea'))).toHaveLength(1_200);
  });

  it('opens to an export link without a token, only for its conversation and format, until it expires', async () => {
    const link = (await (await api(gateway.url, `/api/conversations/${conversationId}/export-link?format=html`)).json()) as { url: string; expires_at: string };
    expect(link.url).toMatch(new RegExp(`^/api/conversations/${conversationId}/export\\?format=html&expires=\\d+&signature=`));
    const opened = await fetch(`${gateway.url}${link.url}`);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('text/html; charset=utf-8');
    await opened.text();
    const otherFormat = await fetch(`${gateway.url}${link.url.replace('format=html', 'format=json')}`);
    expect(otherFormat.status).toBe(403);
    const expired = new URL(link.url, gateway.url);
    expired.searchParams.set('expires', String(Date.now() - 1));
    expect((await fetch(expired)).status).toBe(403);
  });

  it('answers bad requests with the reason, in the API’s error shape', async () => {
    const anonymous = await fetch(`${gateway.url}/api/conversations/${conversationId}/export`);
    expect(anonymous.status).toBe(401);
    const format = await api(gateway.url, `/api/conversations/${conversationId}/export?format=pdf`);
    expect(format.status).toBe(400);
    expect(await format.json()).toEqual({ error: { code: 'bad_request', message: 'format must be one of json, text, html, not pdf' } });
    const missing = await api(gateway.url, '/api/conversations/9999/export?format=text');
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'conversation 9999 does not exist' } });
    const linkForNothing = await api(gateway.url, '/api/conversations/9999/export-link?format=text');
    expect(linkForNothing.status).toBe(404);
    const linkWithoutFormat = await api(gateway.url, `/api/conversations/${conversationId}/export-link`);
    expect(linkWithoutFormat.status).toBe(400);
    expect((await api(gateway.url, `/api/conversations/${conversationId}/export`, { method: 'POST' })).status).toBe(405);
  });
});
