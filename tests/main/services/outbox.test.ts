import { describe, expect, it } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { Outbox } from '../../../main/services/outbox';
import type { OutgoingText, SendResult, WhatsAppClient } from '../../../main/whatsapp/client';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { fixture } from '../../helpers/fixtures';
import { memoryStore } from '../../helpers/memory-store';

class ScriptedClient implements WhatsAppClient {
  readonly sent: OutgoingText[] = [];
  constructor(private readonly answer: (message: OutgoingText) => Promise<SendResult>) {}
  sendText(message: OutgoingText): Promise<SendResult> {
    this.sent.push(message);
    return this.answer(message);
  }
}

function setup(answer: (message: OutgoingText) => Promise<SendResult>) {
  const memory = memoryStore();
  const client = new ScriptedClient(answer);
  const outbox = new Outbox(memory.store, memory.bus, client, () => 1_800_000_000_000);
  const inbox = new Inbox(memory.store, memory.bus);
  const ingest = (body: unknown) => inbox.ingest({ delivery: { body: Buffer.from('{}'), signature: 's', headers: {}, receivedAtMs: 1 }, parsed: parseWebhook(body, 1) });
  ingest(fixture('text-message'));
  memory.published.length = 0;
  return { ...memory, client, outbox, ingest };
}

const accept = (wamid: string) => () => Promise.resolve<SendResult>({ ok: true, wamid });

describe('Outbox.send', () => {
  it('stores the reply as pending before WhatsApp answers, then records the wamid', async () => {
    const { store, outbox, client, published } = setup(accept('wamid.SENT1'));
    const result = outbox.send({ conversation_id: 1, text: 'Sí' });
    expect(result).toMatchObject({ ok: true, value: { status: 'pending', wamid: null, direction: 'out', text: 'Sí' } });
    expect(published.map((e) => e.type)).toEqual(['new_message', 'conversation_update']);
    await outbox.settle();
    expect(store.messages.findByWamid('wamid.SENT1')?.status).toBe('pending');
    expect(client.sent[0]).toMatchObject({ phoneNumberId: '200300400500', to: { waId: '34600111222' }, text: 'Sí', replyTo: null });
  });

  it('applies a status webhook that arrived before the send response', async () => {
    let release: (value: SendResult) => void = () => undefined;
    const { store, outbox, ingest, published } = setup(() => new Promise((resolve) => (release = resolve)));
    const sent = outbox.send({ conversation_id: 1, text: 'x' });
    ingest({
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, statuses: [{ id: 'wamid.RACE', status: 'delivered', timestamp: '1764115300' }] } }] }],
    });
    release({ ok: true, wamid: 'wamid.RACE' });
    await outbox.settle();
    expect(sent.ok && store.messages.get(sent.value.id)?.status).toBe('delivered');
    expect(published.at(-1)).toMatchObject({ type: 'status_update', status: 'delivered', wamid: 'wamid.RACE' });
  });

  it('marks the message failed with Meta’s code and text when the send is refused', async () => {
    const { store, outbox, published } = setup(() => Promise.resolve({ ok: false, error: { code: 131047, title: 'Re-engagement message' } }));
    const sent = outbox.send({ conversation_id: 1, text: 'late' });
    await outbox.settle();
    expect(sent.ok && store.messages.get(sent.value.id)).toMatchObject({ status: 'failed', error: { code: 131047, title: 'Re-engagement message' } });
    expect(published.at(-1)).toMatchObject({ type: 'status_update', status: 'failed', error: { code: 131047 } });
  });

  it('marks the message failed when the client throws', async () => {
    const { store, outbox } = setup(() => Promise.reject(new Error('socket hang up')));
    const sent = outbox.send({ conversation_id: 1, text: 'x' });
    await outbox.settle();
    expect(sent.ok && store.messages.get(sent.value.id)).toMatchObject({ status: 'failed', error: { title: 'Sending failed' } });
  });

  it('logs, instead of crashing, when the outcome cannot be recorded', async () => {
    const lines: string[] = [];
    const memory = memoryStore();
    const inbox = new Inbox(memory.store, memory.bus);
    inbox.ingest({ delivery: { body: Buffer.from('{}'), signature: 's', headers: {}, receivedAtMs: 1 }, parsed: parseWebhook(fixture('text-message'), 1) });
    let release: (value: SendResult) => void = () => undefined;
    const client = new ScriptedClient(() => new Promise((resolve) => (release = resolve)));
    const outbox = new Outbox(memory.store, memory.bus, client, () => 1, (line) => lines.push(line));
    expect(outbox.send({ conversation_id: 1, text: 'x' }).ok).toBe(true);
    memory.store.db.close();
    release({ ok: true, wamid: 'wamid.AFTER_CLOSE' });
    await outbox.settle();
    expect(lines).toEqual([expect.stringMatching(/^outbox: could not record the outcome of message 2: /)]);
  });

  it('refuses an unknown conversation and stores nothing, without calling WhatsApp', () => {
    const { store, outbox, client } = setup(accept('w'));
    expect(outbox.send({ conversation_id: 99, text: 'x' })).toEqual({ ok: false, error: { code: 'not_found', message: 'conversation 99 does not exist' } });
    expect(client.sent).toEqual([]);
    expect(store.db.prepare("SELECT count(*) FROM messages WHERE direction = 'out'").pluck().get()).toBe(0);
  });

  it('refuses a reply to a message that is not in the conversation', () => {
    const { outbox, client } = setup(accept('w'));
    expect(outbox.send({ conversation_id: 1, text: 'x', reply_to: 'wamid.NOPE' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(client.sent).toEqual([]);
  });

  it('quotes a known message by wamid', async () => {
    const { outbox, client } = setup(accept('w'));
    expect(outbox.send({ conversation_id: 1, text: 'x', reply_to: 'wamid.TEXT0001' }).ok).toBe(true);
    await outbox.settle();
    expect(client.sent[0]?.replyTo).toBe('wamid.TEXT0001');
  });
});
