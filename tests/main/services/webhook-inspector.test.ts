import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../../main/store/migrations';
import { signWebhookBody } from '../../../main/whatsapp/signature';
import type { ServerEvent, WebhookDelivery, WebhookDetail, WebhookRejection } from '../../../shared/contract';
import { api, postSignedWebhook, startTestGateway, TEST_SECRETS } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function gateway() {
  const started = await startTestGateway();
  stops.push(() => started.stop());
  return started;
}

function statusUpdate(wamid: string, status: string, phoneNumberId = '200300400500'): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '880011223344', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId }, statuses: [{ id: wamid, status, timestamp: '1764115200', recipient_id: '34600111222' }] } }] }],
  };
}

function accountUpdate(): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: [{ id: '880011223344', changes: [{ field: 'account_update', value: { phone_number: '15550001111', event: 'VERIFIED_ACCOUNT' } }] }] };
}

type Listing = { deliveries: WebhookDelivery[]; rejected: Record<string, number>; rejections: WebhookRejection[] };

async function list(url: string, query = ''): Promise<Listing> {
  return (await (await api(url, `/api/webhooks${query}`)).json()) as Listing;
}

describe('the webhook inspector', () => {
  it('lists what each delivery carries and for which number, and filters by outcome, field, number, text and time', async () => {
    const { url } = await gateway();
    expect((await postSignedWebhook(url, inboundText({ wamid: 'wamid.insp-1', text: 'Where is order 4411?' }))).status).toBe(200);
    expect((await postSignedWebhook(url, statusUpdate('wamid.unknown-out', 'delivered', '900800700600'))).status).toBe(200);
    expect((await postSignedWebhook(url, accountUpdate())).status).toBe(200);
    const all = await list(url);
    expect(all.deliveries.map((delivery) => [delivery.id, delivery.fields, delivery.phone_number_ids])).toEqual([
      [3, ['account_update'], []],
      [2, ['statuses'], ['900800700600']],
      [1, ['messages'], ['200300400500']],
    ]);
    const ids = async (query: string) => (await list(url, query)).deliveries.map((delivery) => delivery.id);
    expect(await ids('?field=statuses')).toEqual([2]);
    expect(await ids('?field=account_update')).toEqual([3]);
    expect(await ids('?phone_number_id=200300400500')).toEqual([1]);
    expect(await ids('?q=order%204411')).toEqual([1]);
    expect(await ids('?outcome=processed&field=messages')).toEqual([1]);
    expect(await ids(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await ids('?before=3&limit=1')).toEqual([2]);
    const bad = await api(url, '/api/webhooks?field=Messages!');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'bad_request', message: 'field: a webhook field such as messages, statuses or account_update' } });
  });

  it('opens a delivery: headers, raw body, the signature checked again, and what it became in the inbox', async () => {
    const { url } = await gateway();
    const body = inboundText({ wamid: 'wamid.insp-open', text: 'Open me' });
    expect((await postSignedWebhook(url, body)).status).toBe(200);
    const detail = (await (await api(url, '/api/webhooks/1')).json()) as WebhookDetail;
    expect(detail.body).toBe(JSON.stringify(body));
    expect(detail.headers).toMatchObject({ 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(JSON.stringify(body), TEST_SECRETS.appSecret) });
    expect(detail.signature).toEqual({ header: signWebhookBody(JSON.stringify(body), TEST_SECRETS.appSecret), valid: true });
    expect(detail.became).toEqual([{ kind: 'message', wamid: 'wamid.insp-open', status: 'delivered', message_id: expect.any(Number) as unknown, conversation_id: expect.any(Number) as unknown }]);
    const missing = await api(url, '/api/webhooks/99');
    expect(missing.status).toBe(404);
  });

  it('lists refused requests with what they looked like; a signature mismatch shows the digests’ start, never the secret, and no body is kept', async () => {
    const { url } = await gateway();
    const raw = JSON.stringify(inboundText({ wamid: 'wamid.forged' }));
    const forged = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, 'not-the-app-secret'), 'user-agent': 'facebookexternalua' }, body: raw });
    expect(forged.status).toBe(401);
    expect((await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })).status).toBe(415);
    const listing = await list(url);
    expect(listing.deliveries).toEqual([]);
    expect(listing.rejected).toEqual({ signature: 1, 'content-type': 1 });
    const [textPlain, signature] = listing.rejections;
    expect(textPlain).toMatchObject({ reason: 'content-type', method: 'POST', content_type: 'text/plain', signature: null });
    const expected = signWebhookBody(raw, TEST_SECRETS.appSecret);
    expect(signature).toMatchObject({
      reason: 'signature',
      user_agent: 'facebookexternalua',
      bytes: Buffer.byteLength(raw),
      signature: { received: signWebhookBody(raw, 'not-the-app-secret').slice(0, 16), received_length: 71, expected: expected.slice(0, 16), expected_length: 71 },
    });
    expect(JSON.stringify(listing)).not.toContain(TEST_SECRETS.appSecret);
    expect(JSON.stringify(listing)).not.toContain(expected.slice(16));
  });

  it('tells clients once per commit that the log changed, with its newest id', async () => {
    const started = await gateway();
    const seen: ServerEvent[] = [];
    started.bus.subscribe((event) => seen.push(event));
    expect((await postSignedWebhook(started.url, inboundText({ wamid: 'wamid.insp-live' }))).status).toBe(200);
    const updates = seen.filter((event) => event.type === 'webhook_log_update');
    expect(updates).toEqual([expect.objectContaining({ type: 'webhook_log_update', last_id: 1 })]);
    // It comes after the events of what the delivery became.
    expect(seen.at(-1)?.type).toBe('webhook_log_update');
  });
});

describe('migration 14', () => {
  it('gives deliveries logged before it their fields and numbers', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.slice(0, 13));
    const insert = db.prepare('INSERT INTO webhook_log (received_at, signature, headers_json, body, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(1, 'sha256=x', '{}', Buffer.from(JSON.stringify(statusUpdate('wamid.old', 'read'))), 'processed', '');
    insert.run(2, 'sha256=x', '{}', Buffer.from('not json'), 'failed', 'bad');
    migrate(db);
    expect(db.prepare('SELECT id, fields, phone_number_ids FROM webhook_log ORDER BY id').all()).toEqual([
      { id: 1, fields: ',statuses,', phone_number_ids: ',200300400500,' },
      { id: 2, fields: '', phone_number_ids: '' },
    ]);
    db.close();
  });
});
