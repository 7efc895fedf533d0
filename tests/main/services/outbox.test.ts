import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { Outbox, type OutboxOptions } from '../../../main/services/outbox';
import type { MediaUpload, OutgoingMessage, ReadReceipt, SendResult, UploadResult, WhatsAppClient } from '../../../main/whatsapp/client';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { freshFixtureBytes } from '../../helpers/fixtures';
import { memoryStore } from '../../helpers/memory-store';

class ScriptedClient implements WhatsAppClient {
  readonly sent: OutgoingMessage[] = [];
  readonly receipts: ReadReceipt[] = [];
  answers: ((message: OutgoingMessage) => Promise<SendResult>)[] = [];
  private counter = 0;
  send(message: OutgoingMessage): Promise<SendResult> {
    this.sent.push(message);
    const next = this.answers.shift();
    return next ? next(message) : Promise.resolve({ ok: true, wamid: `wamid.S${++this.counter}` });
  }
  readonly uploads: MediaUpload[] = [];
  uploadAnswers: (() => Promise<UploadResult>)[] = [];
  uploadMedia(upload: MediaUpload): Promise<UploadResult> {
    this.uploads.push(upload);
    const next = this.uploadAnswers.shift();
    return next ? next() : Promise.resolve({ ok: true, mediaId: `media.${this.uploads.length}` });
  }
  markRead(receipt: ReadReceipt): Promise<{ ok: true }> {
    this.receipts.push(receipt);
    return Promise.resolve({ ok: true });
  }
}

const refuse = (code: number, retry: SendResult extends infer R ? (R extends { ok: false; retry: infer A } ? A : never) : never) => () =>
  Promise.resolve<SendResult>({ ok: false, retry, error: { code, title: `error ${code}` } });

function setup(options: Partial<OutboxOptions> = {}, inboundAtSeconds = Math.floor(Date.now() / 1000)) {
  const memory = memoryStore();
  const client = new ScriptedClient();
  const lines: string[] = [];
  const outbox = new Outbox(memory.store, memory.bus, client, Date.now, (line) => lines.push(line), {
    backoff: { baseMs: 5, maxMs: 20 },
    random: () => 0.5,
    readReceipts: 'never',
    // Pacing per number is tested on its own below; elsewhere sends leave at once.
    perNumber: { capacity: 1_000, perSecond: 1_000 },
    ...options,
  });
  const inbox = new Inbox(memory.store, memory.bus);
  const ingest = (bytes: Buffer) =>
    inbox.ingest({ delivery: { body: bytes, signature: 's', headers: {}, receivedAtMs: Date.now() }, parsed: parseWebhook(JSON.parse(bytes.toString('utf8')), Date.now()) });
  ingest(freshFixtureBytes('text-message', inboundAtSeconds));
  memory.published.length = 0;
  const message = (id: number) => memory.store.messages.get(id);
  return { ...memory, client, outbox, ingest, lines, message };
}

describe('Outbox: sending', () => {
  it('stores the reply as pending before WhatsApp answers, then records the wamid', async () => {
    const { outbox, client, published, message } = setup();
    const result = outbox.sendText({ conversation_id: 1, text: 'Sí' }, 'ana');
    expect(result).toMatchObject({ ok: true, value: { status: 'pending', wamid: null, direction: 'out', text: 'Sí', sent_by: 'ana' } });
    expect(published.map((e) => e.type)).toEqual(['new_message']);
    // The list says who wrote last and shows its ticks.
    expect(published[0]).toMatchObject({ conversation: { id: 1, preview: 'Sí', unread_count: 1, last_message: { id: 2, direction: 'out', status: 'pending', sent_by: 'ana' } } });
    await outbox.settle();
    expect(message(2)).toMatchObject({ wamid: 'wamid.S1', status: 'pending', sent_by: 'ana' });
    expect(message(1)?.sent_by).toBeUndefined();
    expect(client.sent[0]).toMatchObject({ phoneNumberId: '200300400500', to: { waId: '34600111222' }, body: { type: 'text', text: 'Sí', previewUrl: false }, replyTo: null });
    expect(client.sent[0]?.callbackData).toMatch(/^[\w-]{8,}$/);
  });

  it('sends the same client message id once, however often it is submitted (double click)', async () => {
    const { outbox, client, store } = setup();
    const first = outbox.sendText({ conversation_id: 1, text: 'once', client_message_id: 'click-123456' }, 'ana');
    const second = outbox.sendText({ conversation_id: 1, text: 'once', client_message_id: 'click-123456' }, 'ana');
    await outbox.settle();
    expect(second.ok && first.ok && second.value.id).toBe(first.ok && first.value.id);
    expect(client.sent).toHaveLength(1);
    expect(store.db.prepare("SELECT count(*) FROM messages WHERE direction = 'out'").pluck().get()).toBe(1);
  });

  it('applies a status webhook that arrived before the send response', async () => {
    const { outbox, client, ingest, message } = setup();
    let release: (value: SendResult) => void = () => undefined;
    client.answers.push(() => new Promise((resolve) => (release = resolve)));
    outbox.sendText({ conversation_id: 1, text: 'x' }, 'ana');
    await vi.waitFor(() => expect(client.sent).toHaveLength(1));
    ingest(Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, statuses: [{ id: 'wamid.RACE', status: 'delivered', timestamp: '1764115300' }] } }] }] })));
    release({ ok: true, wamid: 'wamid.RACE' });
    await outbox.settle();
    expect(message(2)?.status).toBe('delivered');
  });

  it('links a status to its send by callback data when the send response never came', async () => {
    const { outbox, client, ingest, message } = setup();
    client.answers.push(refuse(0, 'unknown_outcome'));
    outbox.sendText({ conversation_id: 1, text: 'x' }, 'ana');
    await outbox.settle();
    expect(message(2)?.status).toBe('failed');
    const callback = client.sent[0]?.callbackData;
    ingest(Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, statuses: [{ id: 'wamid.LOST', status: 'sent', timestamp: '1764115300', biz_opaque_callback_data: callback }] } }] }] })));
    expect(message(2)?.wamid).toBe('wamid.LOST');
  });
});

describe('Outbox: failures and retries', () => {
  it('marks a refused send failed with Meta’s code and text, and never retries it', async () => {
    const { outbox, client, published, message } = setup();
    client.answers.push(refuse(131047, 'never'));
    outbox.sendText({ conversation_id: 1, text: 'late' }, 'ana');
    await outbox.settle();
    expect(message(2)).toMatchObject({ status: 'failed', error: { code: 131047, title: 'error 131047' } });
    expect(published.at(-1)).toMatchObject({ type: 'status_update', status: 'failed' });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(client.sent).toHaveLength(1);
  });

  it('retries rate limits and outages with backoff until WhatsApp accepts', async () => {
    const { outbox, client, message } = setup();
    client.answers.push(refuse(130429, 'backoff'), refuse(131000, 'backoff'));
    outbox.sendText({ conversation_id: 1, text: 'eventually' }, 'ana');
    await vi.waitFor(() => expect(message(2)?.wamid).toBe('wamid.S1'));
    expect(client.sent).toHaveLength(3);
  });

  it('gives up after the maximum attempts and shows the last error', async () => {
    const { outbox, client, message } = setup({ maxAttempts: 3 });
    client.answers.push(refuse(130429, 'backoff'), refuse(130429, 'backoff'), refuse(130429, 'backoff'), refuse(130429, 'backoff'));
    outbox.sendText({ conversation_id: 1, text: 'never' }, 'ana');
    await vi.waitFor(() => expect(message(2)?.status).toBe('failed'));
    expect(client.sent).toHaveLength(3);
    expect(message(2)?.error?.code).toBe(130429);
  });

  it('does not repeat a send whose outcome is unknown, and says so', async () => {
    const { outbox, client, message } = setup();
    client.answers.push(() => Promise.resolve({ ok: false, retry: 'unknown_outcome', error: { code: null, title: 'No answer from the WhatsApp Graph API in time' } }));
    outbox.sendText({ conversation_id: 1, text: 'maybe' }, 'ana');
    await outbox.settle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(client.sent).toHaveLength(1);
    expect(message(2)?.error?.details).toContain('WhatsApp may have received it; Retry sends it again.');
  });

  it('Retry really sends a failed message again, and only a failed one', async () => {
    const { outbox, client, published, message } = setup();
    client.answers.push(refuse(131026, 'never'));
    outbox.sendText({ conversation_id: 1, text: 'again' }, 'ana');
    await outbox.settle();
    expect(outbox.retry({ message_id: 1 })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(outbox.retry({ message_id: 2 })).toMatchObject({ ok: true, value: { status: 'pending', wamid: null } });
    expect(published.at(-1)).toMatchObject({ type: 'message_update', message: { status: 'pending' } });
    await outbox.settle();
    expect(client.sent).toHaveLength(2);
    expect(message(2)).toMatchObject({ status: 'pending', wamid: 'wamid.S1' });
    expect(client.sent[1]?.callbackData).toBe(client.sent[0]?.callbackData);
    expect(outbox.retry({ message_id: 2 })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('after a failed status webhook, Retry sends again and follows the new attempt’s statuses', async () => {
    const { outbox, ingest, message } = setup();
    const status = (wamid: string, value: string, extra: Record<string, unknown> = {}) =>
      Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, statuses: [{ id: wamid, status: value, timestamp: String(Math.floor(Date.now() / 1000)), ...extra }] } }] }] }));
    outbox.sendText({ conversation_id: 1, text: 'first try' }, 'ana');
    await outbox.settle();
    ingest(status('wamid.S1', 'failed', { errors: [{ code: 131049, title: 'Not delivered' }] }));
    expect(message(2)?.status).toBe('failed');
    outbox.retry({ message_id: 2 });
    await outbox.settle();
    expect(message(2)?.wamid).toBe('wamid.S2');
    ingest(status('wamid.S1', 'delivered'));
    ingest(status('wamid.S2', 'read'));
    expect(message(2)?.status).toBe('read');
  });

  it('logs, instead of crashing, when the outcome cannot be recorded', async () => {
    const { outbox, client, store, lines } = setup();
    let release: (value: SendResult) => void = () => undefined;
    client.answers.push(() => new Promise((resolve) => (release = resolve)));
    outbox.sendText({ conversation_id: 1, text: 'x' }, 'ana');
    await vi.waitFor(() => expect(client.sent).toHaveLength(1));
    outbox.stop();
    store.db.close();
    release({ ok: true, wamid: 'wamid.AFTER_CLOSE' });
    await outbox.settle();
    expect(lines).toEqual([expect.stringMatching(/^outbox: could not record the outcome of send 1: /)]);
  });
});

describe('Outbox: after a restart', () => {
  it('sends what was queued, and marks what was in flight as interrupted instead of sending it twice', async () => {
    const { store, bus, client, message } = setup();
    const first = new Outbox(store, bus, { send: () => new Promise(() => undefined), uploadMedia: () => new Promise(() => undefined), markRead: () => Promise.resolve({ ok: true }) }, Date.now, () => undefined);
    first.sendText({ conversation_id: 1, text: 'was in flight' }, 'ana');
    first.stop();
    const queued = store.outbox.enqueue({ messageId: 1, kind: 'reaction', request: { body: { type: 'reaction', targetWamid: 'wamid.TEXT0001', emoji: '👍' }, replyTo: null, to: { waId: '34600111222', userId: null }, callbackData: null }, phoneNumberId: '200300400500', recipient: '34600111222', atMs: Date.now() });
    const restarted = new Outbox(store, bus, client, Date.now, () => undefined, { readReceipts: 'never' });
    restarted.start();
    await restarted.settle();
    expect(message(2)).toMatchObject({ status: 'failed', error: { title: 'Sending was interrupted' } });
    expect(client.sent.map((m) => m.body.type)).toEqual(['reaction']);
    expect(store.outbox.get(queued)?.state).toBe('done');
  });
});

describe('Outbox: the 24-hour window, templates and reactions', () => {
  it('refuses a free-form reply outside the window before calling Meta, and accepts a template', async () => {
    const { outbox, client, store } = setup({}, Math.floor(Date.now() / 1000) - 25 * 3600);
    expect(outbox.sendText({ conversation_id: 1, text: 'hello?' }, 'ana')).toMatchObject({ ok: false, error: { code: 'outside_window', message: expect.stringContaining('send a template instead') } });
    expect(store.conversations.get(1)?.window_expires_at).toBe(new Date(store.conversations.routing(1)!.last_inbound_at! + 24 * 3600 * 1000).toISOString());
    const template = outbox.sendTemplate({ conversation_id: 1, name: 'order_update', language: 'es_ES', parameters: ['1042'] }, 'ana');
    expect(template).toMatchObject({ ok: true, value: { type: 'template', text: '📋 order_update: 1042' } });
    await outbox.settle();
    expect(client.sent.map((m) => m.body)).toEqual([{ type: 'template', name: 'order_update', language: 'es_ES', parameters: ['1042'] }]);
  });

  it('reacts to a customer’s message, shows it at once, and takes it back if WhatsApp refuses', async () => {
    const { outbox, client, message } = setup();
    expect(outbox.react({ message_id: 1, emoji: '❤️' })).toMatchObject({ ok: true, value: { reactions: [{ emoji: '❤️', from: 'business' }] } });
    await outbox.settle();
    expect(client.sent[0]?.body).toEqual({ type: 'reaction', targetWamid: 'wamid.TEXT0001', emoji: '❤️' });
    client.answers.push(refuse(131009, 'never'));
    outbox.react({ message_id: 1, emoji: '😂' });
    await outbox.settle();
    expect(message(1)?.reactions).toEqual([]);
  });

  it('refuses a reaction to an unknown or outgoing message', async () => {
    const { outbox } = setup();
    expect(outbox.react({ message_id: 9, emoji: '👍' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    outbox.sendText({ conversation_id: 1, text: 'mine' }, 'ana');
    expect(outbox.react({ message_id: 2, emoji: '👍' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    await outbox.settle();
  });

  it('a reply names the id of the message it quotes, as sent and as read back, so clients can jump to it', async () => {
    const { outbox, message } = setup();
    const reply = outbox.sendText({ conversation_id: 1, text: 'Sí, a Canarias también', reply_to: 'wamid.TEXT0001' }, 'ana');
    expect(reply).toMatchObject({ ok: true, value: { reply_to: 'wamid.TEXT0001', reply_to_id: 1 } });
    expect(message(2)).toMatchObject({ reply_to: 'wamid.TEXT0001', reply_to_id: 1 });
    expect(message(1)?.reply_to_id).toBeUndefined();
    await outbox.settle();
  });

  it('refuses an unknown conversation and a reply to a message not in it, storing nothing', async () => {
    const { outbox, client, store } = setup();
    expect(outbox.sendText({ conversation_id: 99, text: 'x' }, 'ana')).toEqual({ ok: false, error: { code: 'not_found', message: 'conversation 99 does not exist' } });
    expect(outbox.sendText({ conversation_id: 1, text: 'x', reply_to: 'wamid.NOPE' }, 'ana')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    await outbox.settle();
    expect(client.sent).toEqual([]);
    expect(store.db.prepare("SELECT count(*) FROM messages WHERE direction = 'out'").pluck().get()).toBe(0);
  });
});

describe('Outbox: attachments', () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
  const folder = () => mkdtempSync(path.join(os.tmpdir(), 'switchboard-outbox-media-'));

  it('keeps the file, shows it at once, then uploads it and sends it by media id with its caption', async () => {
    const mediaFolder = folder();
    const { outbox, client, published, message } = setup({ mediaFolder });
    const sent = outbox.sendAttachment({ conversation_id: 1, filename: 'label.jpg', mime_type: 'image/jpeg', data: jpeg, caption: 'The label' }, 'ana');
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    expect(sent).toMatchObject({ ok: true, value: { type: 'image', text: 'The label', status: 'pending', sent_by: 'ana', media_file: { state: 'stored', sha256, size: 8, mime_type: 'image/jpeg' } } });
    expect(published[0]).toMatchObject({ type: 'new_message', message: { content: { media: { filename: 'label.jpg', caption: 'The label' } } } });
    expect(readFileSync(path.join(mediaFolder, sha256.slice(0, 2), sha256))).toEqual(Buffer.from(jpeg));
    await outbox.settle();
    expect(client.uploads).toEqual([{ phoneNumberId: '200300400500', bytes: Buffer.from(jpeg), mimeType: 'image/jpeg', filename: 'label.jpg' }]);
    expect(client.sent[0]?.body).toEqual({ type: 'media', kind: 'image', mediaId: 'media.1', caption: 'The label', filename: 'label.jpg' });
    expect(message(2)).toMatchObject({ wamid: 'wamid.S1', media_file: { state: 'stored', sha256 } });
  });

  it('retries a failed upload with backoff, and marks the message failed with the reason when WhatsApp refuses the file', async () => {
    const { outbox, client, message } = setup({ mediaFolder: folder() });
    client.uploadAnswers = [() => Promise.resolve({ ok: false, retry: 'backoff', error: { code: 2, title: 'Service temporarily unavailable' } })];
    const first = outbox.sendAttachment({ conversation_id: 1, filename: 'a.pdf', mime_type: 'application/pdf', data: new Uint8Array([37, 80, 68, 70]) }, 'ana');
    await vi.waitFor(() => expect(message(first.ok ? first.value.id : 0)?.wamid).toBe('wamid.S1'));
    expect(client.uploads).toHaveLength(2);
    expect(client.sent[0]?.body).toMatchObject({ type: 'media', kind: 'document', filename: 'a.pdf' });
    client.uploadAnswers = [() => Promise.resolve({ ok: false, retry: 'never', error: { code: 131053, title: 'Media upload error' } })];
    const refused = outbox.sendAttachment({ conversation_id: 1, filename: 'b.pdf', mime_type: 'application/pdf', data: new Uint8Array([37, 80, 68, 70, 1]) }, 'ana');
    await outbox.settle();
    expect(message(refused.ok ? refused.value.id : 0)).toMatchObject({ status: 'failed', error: { code: 131053, title: 'Upload failed: Media upload error' } });
    expect(client.sent).toHaveLength(1);
  });

  it('refuses what WhatsApp would refuse, before storing anything: an unaccepted type, an empty file, a photo over 5 MB', async () => {
    const mediaFolder = folder();
    const { outbox, client, store } = setup({ mediaFolder });
    expect(outbox.sendAttachment({ conversation_id: 1, filename: 'x.zip', mime_type: 'application/zip', data: jpeg }, 'ana')).toMatchObject({ ok: false, error: { code: 'unsupported_media_type', message: expect.stringContaining('x.zip: WhatsApp does not accept application/zip') } });
    expect(outbox.sendAttachment({ conversation_id: 1, filename: 'e.png', mime_type: 'image/png', data: new Uint8Array() }, 'ana')).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'e.png: the file is empty' } });
    expect(outbox.sendAttachment({ conversation_id: 1, filename: 'big.jpg', mime_type: 'image/jpeg', data: new Uint8Array(5 * 1024 * 1024 + 1) }, 'ana')).toMatchObject({ ok: false, error: { code: 'payload_too_large', message: "big.jpg: 5.0 MB is over WhatsApp's 5.0 MB limit for photos" } });
    expect(outbox.sendAttachment({ conversation_id: 99, filename: 'a.jpg', mime_type: 'image/jpeg', data: jpeg }, 'ana')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await outbox.settle();
    expect(client.uploads).toEqual([]);
    expect(store.db.prepare("SELECT count(*) FROM messages WHERE direction = 'out'").pluck().get()).toBe(0);
    expect(readdirSync(mediaFolder)).toEqual([]);
  });

  it('fails the send, without uploading, when the kept file has gone from the media folder', async () => {
    const mediaFolder = folder();
    const { outbox, client, message } = setup({ mediaFolder });
    // A text in flight holds the customer's queue, so the file goes before the attachment's turn.
    let release: (result: SendResult) => void = () => undefined;
    client.answers.push(() => new Promise<SendResult>((resolve) => (release = resolve)));
    outbox.sendText({ conversation_id: 1, text: 'first' }, 'ana');
    const sent = outbox.sendAttachment({ conversation_id: 1, filename: 'v.mp4', mime_type: 'video/mp4', data: jpeg }, 'ana');
    rmSync(mediaFolder, { recursive: true });
    await vi.waitFor(() => expect(client.sent).toHaveLength(1));
    release({ ok: true, wamid: 'wamid.FIRST' });
    await vi.waitFor(() => expect(message(sent.ok ? sent.value.id : 0)?.status).toBe('failed'));
    await outbox.settle();
    expect(client.uploads).toEqual([]);
    expect(message(sent.ok ? sent.value.id : 0)).toMatchObject({ status: 'failed', error: { title: 'The attachment is no longer on this computer' } });
  });
});

describe('Outbox: throughput', () => {
  it('sends to one customer in order, one at a time, and spaces a burst past the pair limit', async () => {
    const { outbox, client } = setup({ perRecipient: { capacity: 3, intervalMs: 150 } });
    const sentAt: number[] = [];
    const send = client.send.bind(client);
    client.send = (message) => (sentAt.push(Date.now()), send(message));
    for (const text of ['a', 'b', 'c', 'd', 'e']) outbox.sendText({ conversation_id: 1, text }, 'ana');
    await vi.waitFor(() => expect(client.sent).toHaveLength(5), { timeout: 2_000 });
    // A burst of three, then one per interval.
    expect((sentAt[3] ?? 0) - (sentAt[2] ?? 0)).toBeGreaterThanOrEqual(140);
    expect((sentAt[4] ?? 0) - (sentAt[3] ?? 0)).toBeGreaterThanOrEqual(140);
    expect((sentAt[2] ?? 0) - (sentAt[0] ?? 0)).toBeLessThan(100);
    expect(client.sent.map((m) => (m.body.type === 'text' ? m.body.text : ''))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('Outbox: limits for many customers', () => {
  it('forgets the refilled limits of a thousand customers, never one whose burst is used up', async () => {
    const { outbox, client, ingest } = setup({ perRecipient: { capacity: 2, intervalMs: 400 }, perNumber: { capacity: 100_000, perSecond: 100_000 } });
    // Conversations 2..1101, one per customer besides the fixture's (conversation 1).
    for (let n = 0; n < 1100; n += 1) {
      const body = freshFixtureBytes('text-message').toString('utf8').replaceAll('34600111222', String(34610000000 + n)).replace('wamid.TEXT0001', `wamid.M${n}`);
      ingest(Buffer.from(body));
    }
    const sentAt = new Map<string, number[]>();
    const send = client.send.bind(client);
    client.send = (message) => {
      const to = message.to.waId ?? '';
      sentAt.set(to, [...(sentAt.get(to) ?? []), Date.now()]);
      return send(message);
    };
    const sendTo = async (ids: number[]) => {
      const before = client.sent.length;
      for (const id of ids) outbox.sendText({ conversation_id: id, text: 'x' }, 'ana');
      await vi.waitFor(() => expect(client.sent.length).toBe(before + ids.length), { timeout: 5_000 });
    };
    const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    // 600 customers get one message each; their limits refill 400 ms later, and then mean nothing.
    await sendTo(range(2, 600));
    await new Promise((resolve) => setTimeout(resolve, 450));
    // The fixture's customer uses up a burst of two; 500 more customers push the map past 1,024
    // entries, so the refilled ones are swept out.
    await sendTo([1, 1]);
    await sendTo(range(602, 500));
    // A third message to the fixture's customer still waits for its limit to refill.
    outbox.sendText({ conversation_id: 1, text: 'third' }, 'ana');
    await vi.waitFor(() => expect(sentAt.get('34600111222')).toHaveLength(3), { timeout: 2_000 });
    const [first = 0, , third = 0] = sentAt.get('34600111222') ?? [];
    expect(third - first).toBeGreaterThanOrEqual(350);
  });
});

describe('Outbox: pacing per business number', () => {
  it('spreads sends evenly at the number’s limit', async () => {
    const { outbox, client, ingest } = setup({ perNumber: { capacity: 1, perSecond: 50 } });
    for (let n = 0; n < 9; n += 1) {
      const body = JSON.parse(freshFixtureBytes('text-message').toString('utf8').replaceAll('34600111222', String(34600000000 + n)).replace('wamid.TEXT0001', `wamid.P${n}`));
      ingest(Buffer.from(JSON.stringify(body)));
    }
    const sentAt: number[] = [];
    const send = client.send.bind(client);
    client.send = (message) => (sentAt.push(Date.now()), send(message));
    for (let id = 1; id <= 10; id += 1) outbox.sendText({ conversation_id: id, text: 'x' }, 'ana');
    await vi.waitFor(() => expect(sentAt).toHaveLength(10), { timeout: 2_000 });
    // 50/s: about 20 ms apart, so 10 sends take at least ~180 ms.
    expect((sentAt[9] ?? 0) - (sentAt[0] ?? 0)).toBeGreaterThanOrEqual(170);
  });
});

describe('Outbox: read receipts and typing', () => {
  it('on_open: marks the customer’s newest message read once when the agent opens the conversation', async () => {
    const { outbox, client } = setup({ readReceipts: 'on_open' });
    outbox.conversationOpened(1);
    await outbox.settle();
    outbox.conversationOpened(1);
    await outbox.settle();
    expect(client.receipts).toEqual([{ phoneNumberId: '200300400500', wamid: 'wamid.TEXT0001', typing: false }]);
  });

  it('on_reply: marks read when the agent replies, not when opening', async () => {
    const { outbox, client } = setup({ readReceipts: 'on_reply' });
    outbox.conversationOpened(1);
    outbox.sendText({ conversation_id: 1, text: 'hi' }, 'ana');
    await outbox.settle();
    expect(client.receipts).toEqual([{ phoneNumberId: '200300400500', wamid: 'wamid.TEXT0001', typing: false }]);
  });

  it('shows the typing indicator at most every 20 s, and never with receipts off', async () => {
    const on = setup({ readReceipts: 'on_open' });
    on.outbox.agentTyping(1);
    on.outbox.agentTyping(1);
    await on.outbox.settle();
    expect(on.client.receipts).toEqual([{ phoneNumberId: '200300400500', wamid: 'wamid.TEXT0001', typing: true }]);
    const off = setup({ readReceipts: 'never' });
    off.outbox.agentTyping(1);
    off.outbox.conversationOpened(1);
    await off.outbox.settle();
    expect(off.client.receipts).toEqual([]);
  });
});
