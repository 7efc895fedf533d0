import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { fixture, fixtureBytes } from '../../helpers/fixtures';
import { memoryStore } from '../../helpers/memory-store';

const NOW = 1_800_000_000_000;

function setup() {
  const memory = memoryStore();
  const inbox = new Inbox(memory.store, memory.bus);
  const ingest = (body: unknown) => inbox.ingest({ delivery: { body: Buffer.from(JSON.stringify(body)), signature: 'sha256=test', headers: {}, receivedAtMs: NOW }, parsed: parseWebhook(body, NOW) });
  return { ...memory, inbox, ingest };
}

function statusBody(wamid: string, status: string, seconds: number, errors?: unknown[]) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        changes: [
          {
            field: 'messages',
            value: { metadata: { phone_number_id: '200300400500' }, statuses: [{ id: wamid, status, timestamp: String(seconds), recipient_id: '1', ...(errors ? { errors } : {}) }] },
          },
        ],
      },
    ],
  };
}

function echo(wamid: string) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        changes: [
          {
            field: 'smb_message_echoes',
            value: {
              metadata: { phone_number_id: '200300400500' },
              message_echoes: [{ from: '15550001111', to: '34600111222', id: wamid, timestamp: '1764115500', type: 'text', text: { body: 'from the phone' } }],
            },
          },
        ],
      },
    ],
  };
}

describe('Inbox.ingest', () => {
  it('stores a text, creates the conversation, and emits one new_message carrying the conversation', () => {
    const { store, published, ingest } = setup();
    ingest(fixture('text-message'));
    const [conversation] = store.conversations.list();
    expect(conversation).toMatchObject({ wa_id: '34600111222', name: 'Lucía Gómez', preview: '¿Tenéis envío a Canarias? 🚚 @tienda', unread_count: 1 });
    expect(published.map((e) => [e.type, e.seq])).toEqual([['new_message', 1]]);
    expect(published[0]).toMatchObject({ conversation: conversation });
    expect(store.db.prepare('SELECT outcome, signature FROM webhook_log').all()).toEqual([{ outcome: 'processed', signature: 'sha256=test' }]);
  });

  it('stores a redelivered wamid once and emits nothing the second time', () => {
    const { store, published, ingest } = setup();
    ingest(fixture('text-message'));
    const before = published.length;
    ingest(fixture('text-message'));
    expect(published).toHaveLength(before);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    expect(store.conversations.list()[0]?.unread_count).toBe(1);
  });

  it('stores every message of a batch, across entries', () => {
    const { store, ingest } = setup();
    ingest(fixture('batch-two-entries'));
    expect(store.conversations.list().map((c) => c.name).sort()).toEqual(['Ana', 'Ben']);
  });

  it('keeps read when a late delivered arrives, and records both in the history', () => {
    const { store, published, ingest } = setup();
    ingest(echo('wamid.OUT1'));
    ingest(statusBody('wamid.OUT1', 'read', 1764115600));
    ingest(statusBody('wamid.OUT1', 'delivered', 1764115590));
    expect(store.messages.findByWamid('wamid.OUT1')?.status).toBe('read');
    expect(published.filter((e) => e.type === 'status_update').map((e) => e.type === 'status_update' && e.status)).toEqual(['read']);
    expect(store.db.prepare('SELECT status FROM status_history ORDER BY timestamp').pluck().all()).toEqual(['delivered', 'read']);
  });

  it('keeps failed with its error when a late sent arrives', () => {
    const { store, ingest } = setup();
    ingest(echo('wamid.OUT0001'));
    ingest(fixture('status-failed'));
    ingest(statusBody('wamid.OUT0001', 'sent', 1764115200));
    const message = store.messages.findByWamid('wamid.OUT0001');
    expect(message?.status).toBe('failed');
    expect(message?.error).toMatchObject({ code: 131047, title: 'Re-engagement message' });
  });

  it('holds a status that arrives before its message and applies it when the message appears', () => {
    const { store, published, ingest } = setup();
    ingest(statusBody('wamid.EARLY', 'delivered', 1764115600));
    expect(published).toEqual([]);
    ingest({ ...echo('wamid.EARLY') });
    expect(store.messages.findByWamid('wamid.EARLY')?.status).toBe('delivered');
    expect(published.map((e) => e.type)).toEqual(['new_message', 'status_update']);
    expect(store.db.prepare('SELECT count(*) FROM early_statuses').pluck().get()).toBe(0);
  });

  it('links a business-scoped id and a phone number to one conversation', () => {
    const { store, ingest } = setup();
    ingest(fixture('bsuid-only-text'));
    ingest(fixture('bsuid-and-phone-text'));
    const conversations = store.conversations.list();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ wa_id: '4915112345678', name: 'Kai Weber' });
  });

  it('orders the preview by Meta’s timestamp, not arrival', () => {
    const { store, ingest } = setup();
    ingest(fixture('batch-two-entries'));
    const body = fixture('text-message') as { entry: { changes: { value: { contacts: { wa_id: string }[]; messages: Record<string, unknown>[] } }[] }[] };
    const value = body.entry[0]?.changes[0]?.value;
    if (value?.messages[0] && value.contacts[0]) {
      value.contacts[0].wa_id = '15551234567';
      Object.assign(value.messages[0], { from: '15551234567', id: 'wamid.OLD', timestamp: '1764115000' });
    }
    const before = store.conversations.list().find((c) => c.wa_id === '15551234567')?.last_message;
    const { events } = ingest(body);
    expect(store.conversations.list().find((c) => c.wa_id === '15551234567')?.preview).toBe('my receipt');
    // So is the newest message the list shows: the late, older one does not take its place, in the event or stored.
    const late = events.find((event) => event.type === 'new_message');
    expect(late?.type === 'new_message' ? late.conversation?.last_message : undefined).toEqual(before);
    expect(store.conversations.list().find((c) => c.wa_id === '15551234567')?.last_message).toEqual(before);
  });

  it('acknowledges a body with nothing usable and logs it as ignored', () => {
    const { store, published, inbox } = setup();
    const body = Buffer.from('{"object":"page"}');
    inbox.ingest({ delivery: { body, signature: 's', headers: {}, receivedAtMs: NOW }, parsed: parseWebhook({ object: 'page' }, NOW) });
    expect(published).toEqual([]);
    expect(store.db.prepare('SELECT outcome FROM webhook_log').pluck().all()).toEqual(['ignored']);
  });

  it('keeps the raw bytes of each delivery', () => {
    const { store, inbox } = setup();
    const bytes = fixtureBytes('text-message');
    inbox.ingest({ delivery: { body: bytes, signature: 's', headers: {}, receivedAtMs: NOW }, parsed: parseWebhook(JSON.parse(bytes.toString('utf8')), NOW) });
    expect(Buffer.compare(store.db.prepare('SELECT body FROM webhook_log').pluck().get() as Buffer, bytes)).toBe(0);
  });

  it('stores every message of a generated batch exactly once, whatever the duplicates and order', () => {
    const wamid = fc.integer({ min: 1, max: 40 }).map((n) => `wamid.P${n}`);
    fc.assert(
      fc.property(fc.array(fc.array(wamid, { maxLength: 10 }), { minLength: 1, maxLength: 6 }), (deliveries) => {
        const { store, published, logUpdates, ingest } = setup();
        for (const ids of deliveries) {
          ingest({
            object: 'whatsapp_business_account',
            entry: [
              {
                changes: [
                  {
                    field: 'messages',
                    value: {
                      metadata: { phone_number_id: '1' },
                      contacts: [{ profile: { name: 'P' }, wa_id: '111' }],
                      messages: ids.map((id) => ({ from: '111', id, timestamp: '1764115200', type: 'text', text: { body: id } })),
                    },
                  },
                ],
              },
            ],
          });
        }
        const distinct = new Set(deliveries.flat());
        expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(distinct.size);
        expect(published.filter((e) => e.type === 'new_message')).toHaveLength(distinct.size);
        // With the webhook log's notice of each commit, the log has no gap.
        const seqs = [...published, ...logUpdates].map((e) => e.seq).sort((a, b) => a - b);
        expect(seqs).toEqual(seqs.map((_, index) => index + 1));
        expect(logUpdates).toHaveLength(deliveries.length);
      }),
      { numRuns: 100 },
    );
  });

  it('stores every documented type with its content, and the raw message', () => {
    const { store, ingest } = setup();
    ingest(fixture('all-inbound-types'));
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(18);
    expect(store.messages.findByWamid('wamid.TYPE0003')).toMatchObject({ type: 'audio', text: '🎤 Voice message', content: { media: { voice: true } } });
    expect(store.messages.findByWamid('wamid.TYPE0017')).toMatchObject({ text: 'Unsupported message', error: { code: 131051 } });
    expect(JSON.parse(store.db.prepare("SELECT raw_json FROM messages WHERE wamid = 'wamid.TYPE0018'").pluck().get() as string)).toMatchObject({ hologram: { shape: 'cube' } });
  });

  it('follows a customer who changed number: later messages from the new number land in the same conversation', () => {
    const { store, ingest } = setup();
    ingest(fixture('all-inbound-types'));
    const body = fixture('text-message') as { entry: { changes: { value: { contacts: { wa_id: string }[]; messages: Record<string, unknown>[] } }[] }[] };
    const value = body.entry[0]?.changes[0]?.value;
    if (value?.messages[0] && value.contacts[0]) {
      value.contacts[0].wa_id = '15559990000';
      Object.assign(value.messages[0], { from: '15559990000', id: 'wamid.NEWNUMBER' });
    }
    (body.entry[0]?.changes[0]?.value as unknown as { metadata: { phone_number_id: string } }).metadata.phone_number_id = '200300400500';
    ingest(body);
    expect(store.conversations.list()).toHaveLength(1);
    expect(store.conversations.list()[0]?.wa_id).toBe('15559990000');
  });

  it('attaches a reaction to its target and removes it on a missing or empty emoji, emitting message_update', () => {
    const { store, published, ingest } = setup();
    ingest(echo('wamid.OUT0001'));
    ingest(fixture('reaction-add'));
    expect(store.messages.findByWamid('wamid.OUT0001')?.reactions).toEqual([{ emoji: '👍', from: 'customer' }]);
    expect(published.at(-1)).toMatchObject({ type: 'message_update', message: { reactions: [{ emoji: '👍' }] } });
    ingest(fixture('reaction-remove'));
    expect(store.messages.findByWamid('wamid.OUT0001')?.reactions).toEqual([]);
    ingest(fixture('reaction-add'));
    expect(store.messages.findByWamid('wamid.OUT0001')?.reactions).toEqual([]);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
  });

  it('treats an empty emoji as removal too', () => {
    const { store, ingest } = setup();
    ingest(echo('wamid.OUT0001'));
    ingest(fixture('reaction-add'));
    ingest(fixture('reaction-remove-empty'));
    expect(store.messages.findByWamid('wamid.OUT0001')?.reactions).toEqual([]);
  });

  it('shows a reaction that arrived before its message once the message is stored', () => {
    const { store, ingest } = setup();
    ingest(fixture('reaction-add'));
    ingest(echo('wamid.OUT0001'));
    expect(store.messages.findByWamid('wamid.OUT0001')?.reactions).toEqual([{ emoji: '👍', from: 'customer' }]);
  });

  it('updates an edited message and withdraws a revoked one, once', () => {
    const { store, published, ingest } = setup();
    ingest(fixture('all-inbound-types'));
    ingest(fixture('edit-text'));
    expect(store.messages.findByWamid('wamid.TYPE0001')).toMatchObject({ text: 'plain text, corrected', edited_at: '2025-11-26T00:06:40.000Z' });
    ingest(fixture('revoke'));
    const revoked = store.messages.findByWamid('wamid.TYPE0002');
    expect(revoked).toMatchObject({ revoked: true, text: '', content: {} });
    const updates = published.filter((e) => e.type === 'message_update').length;
    ingest(fixture('revoke'));
    expect(published.filter((e) => e.type === 'message_update')).toHaveLength(updates);
  });

  it('logs an edit of an unknown message as ignored, keeping the delivery for replay', () => {
    const { store, ingest } = setup();
    ingest(fixture('edit-text'));
    expect(store.db.prepare('SELECT outcome, detail FROM webhook_log').get()).toEqual({ outcome: 'processed', detail: 'edit of unknown message wamid.TYPE0001' });
  });

  it('moves a voice note from read to played, and not back', () => {
    const { store, ingest } = setup();
    ingest(echo('wamid.OUT0001'));
    ingest(statusBody('wamid.OUT0001', 'read', 1764115700));
    ingest(fixture('status-played'));
    ingest(statusBody('wamid.OUT0001', 'read', 1764115900));
    expect(store.messages.findByWamid('wamid.OUT0001')?.status).toBe('played');
  });

  it('keeps the status history with Meta’s timestamps for message info', () => {
    const { store, ingest } = setup();
    ingest(echo('wamid.OUT1'));
    ingest(statusBody('wamid.OUT1', 'delivered', 1764115550));
    ingest(statusBody('wamid.OUT1', 'read', 1764115600));
    const message = store.messages.findByWamid('wamid.OUT1');
    expect(store.messages.history(message?.id ?? 0).map((h) => [h.status, h.timestampMs])).toEqual([
      ['delivered', 1_764_115_550_000],
      ['read', 1_764_115_600_000],
    ]);
  });

  it('commits several deliveries in one transaction, each outcome its own', () => {
    const { store, inbox, published } = setup();
    const deliveries = ['text-message', 'batch-two-entries'].map((name) => ({
      delivery: { body: Buffer.from(name), signature: 's', headers: {}, receivedAtMs: NOW },
      parsed: parseWebhook(fixture(name), NOW),
    }));
    const outcomes = inbox.ingestMany(deliveries);
    expect(outcomes.map((o) => o.events.filter((e) => e.type === 'new_message').length)).toEqual([1, 2]);
    expect(published.map((e) => e.seq)).toEqual(published.map((_, i) => i + 1));
    expect(store.db.prepare('SELECT count(*) FROM webhook_log').pluck().get()).toBe(2);
  });
});
