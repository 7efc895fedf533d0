import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageSchema, WebhookReceiptSchema } from '../../../shared/contract';
import { api, postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';
import { inboundText } from '../../helpers/webhook-bodies';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
beforeEach(async () => {
  gateway = await startTestGateway();
});
afterEach(() => gateway.stop());

const storedWamids = () => gateway.store.db.prepare('SELECT wamid FROM messages ORDER BY wamid').pluck().all() as string[];

async function postAll(bodies: unknown[]): Promise<{ status: number; receipt: unknown }[]> {
  return Promise.all(
    bodies.map(async (body) => {
      const response = await postSignedWebhook(gateway.url, body);
      return { status: response.status, receipt: await response.json() };
    }),
  );
}

describe('a poisoned delivery fails alone', () => {
  it('stores a message whose timestamp no Date can hold at arrival time, beside 80 valid ones posted at once, all answered 200', async () => {
    const valid = Array.from({ length: 80 }, (_, n) => inboundText({ wamid: `wamid.OK${String(n).padStart(3, '0')}`, from: `3460000${1000 + n}` }));
    const poisoned = [inboundText({ wamid: 'wamid.HUGE_NUMBER', timestamp: 1e308 }), inboundText({ wamid: 'wamid.HUGE_STRING', timestamp: '99999999999999999' })];
    const answers = await postAll([...valid.slice(0, 40), ...poisoned, ...valid.slice(40)]);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    for (const answer of answers) expect(WebhookReceiptSchema.parse(answer.receipt)).toHaveProperty('received');
    await gateway.processed();
    expect(storedWamids()).toHaveLength(82);
    for (const wamid of ['wamid.HUGE_NUMBER', 'wamid.HUGE_STRING']) {
      const message = MessageSchema.parse(gateway.store.messages.findByWamid(wamid));
      expect(message.timestamp_source).toBe('received');
      expect(Math.abs(Date.parse(message.timestamp) - Date.now())).toBeLessThan(60_000);
    }
    expect(gateway.store.messages.findByWamid('wamid.OK000')?.timestamp_source).toBeUndefined();
  });

  it('answers 200 for a delivery whose processing throws, keeps it as failed with the error, stores the others of its group, and stores it on replay after the fix', async () => {
    const insert = gateway.store.messages.insert.bind(gateway.store.messages);
    let broken = true;
    // Stands in for a bug no test has found yet: storing this one message throws.
    gateway.store.messages.insert = (message, receivedAtMs) => {
      if (broken && message.wamid === 'wamid.POISON') throw new TypeError('simulated parser bug');
      return insert(message, receivedAtMs);
    };
    const valid = Array.from({ length: 40 }, (_, n) => inboundText({ wamid: `wamid.FINE${n}`, from: `3461000${1000 + n}` }));
    const answers = await postAll([...valid.slice(0, 20), inboundText({ wamid: 'wamid.POISON' }), ...valid.slice(20)]);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    expect(WebhookReceiptSchema.parse(answers[20]?.receipt)).toEqual({ failed: { error: 'TypeError: simulated parser bug' } });
    await gateway.processed();
    expect(storedWamids()).toHaveLength(40);
    expect(storedWamids()).not.toContain('wamid.POISON');

    const listed = (await (await api(gateway.url, '/api/webhooks?limit=100')).json()) as { deliveries: { id: number; outcome: string; detail: string }[] };
    const failed = listed.deliveries.filter((delivery) => delivery.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.detail).toBe('TypeError: simulated parser bug');
    expect(gateway.logs.some((line) => line.includes('simulated parser bug'))).toBe(true);

    const stillBroken = (await (await api(gateway.url, `/api/webhooks/${failed[0]?.id}/replay`, { method: 'POST' })).json()) as { failed?: string };
    expect(stillBroken.failed).toBe('TypeError: simulated parser bug');
    broken = false;
    const replayed = await api(gateway.url, `/api/webhooks/${failed[0]?.id}/replay`, { method: 'POST' });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({ events: 1 });
    expect(storedWamids()).toContain('wamid.POISON');
    expect(gateway.store.db.prepare('SELECT outcome FROM webhook_log WHERE id = ?').pluck().get(failed[0]?.id)).toBe('replayed');
  });

  it('processes a logged backlog around a poisoned delivery: the one fails, the rest of its chunk is stored', async () => {
    const insert = gateway.store.messages.insert.bind(gateway.store.messages);
    gateway.store.messages.insert = (message, receivedAtMs) => {
      if (message.wamid === 'wamid.BACKLOG_POISON') throw new RangeError('Invalid time value');
      return insert(message, receivedAtMs);
    };
    // Over the inline limit: logged first, processed by the processor in chunks.
    const messages = Array.from({ length: 1200 }, (_, n) => ({ from: '34600111222', id: n === 600 ? 'wamid.BACKLOG_POISON' : `wamid.B${n}`, timestamp: '1764115200', type: 'text', text: { body: `m${n}` } }));
    const big = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, messages } }] }] };
    const answers = await postAll([big, inboundText({ wamid: 'wamid.AFTER' })]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await gateway.processed();
    // The 1,200-message delivery is one unit: it failed whole, and the next delivery was stored.
    expect(gateway.store.db.prepare('SELECT outcome FROM webhook_log ORDER BY id').pluck().all()).toEqual(['failed', 'processed']);
    expect(storedWamids()).toEqual(['wamid.AFTER']);
  });
});
