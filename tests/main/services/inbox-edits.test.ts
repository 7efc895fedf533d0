import { describe, expect, it } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { memoryStore } from '../../helpers/memory-store';

const BASE = 1_764_115_200;

function setup() {
  const memory = memoryStore();
  const inbox = new Inbox(memory.store, memory.bus);
  let arrival = 1_800_000_000_000;
  // Each delivery arrives a second after the one before.
  const ingest = (body: unknown) => {
    arrival += 1000;
    return inbox.ingest({ delivery: { body: Buffer.from(JSON.stringify(body)), signature: 'sha256=test', headers: {}, receivedAtMs: arrival }, parsed: parseWebhook(body, arrival) });
  };
  const updates = () => memory.published.filter((event) => event.type === 'message_update').length;
  return { ...memory, ingest, updates };
}

function delivery(field: 'messages' | 'smb_message_echoes', item: Record<string, unknown>) {
  const key = field === 'messages' ? 'messages' : 'message_echoes';
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field, value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '200300400500' }, [key]: [item] } }] }],
  };
}

const inbound = (wamid: string, text: string, seconds: number) =>
  delivery('messages', { from: '34600111222', id: wamid, timestamp: String(seconds), type: 'text', text: { body: text } });
const inboundEdit = (editWamid: string, target: string, text: string, seconds: number) =>
  delivery('messages', { from: '34600111222', id: editWamid, timestamp: String(seconds), type: 'edit', edit: { original_message_id: target, message: { type: 'text', text: { body: text } } } });
const echo = (wamid: string, text: string, seconds: number) =>
  delivery('smb_message_echoes', { from: '15550001111', to: '34600111222', id: wamid, timestamp: String(seconds), type: 'text', text: { body: text } });
const echoEdit = (editWamid: string, target: string, text: string, seconds: number) =>
  delivery('smb_message_echoes', { from: '15550001111', to: '34600111222', id: editWamid, timestamp: String(seconds), type: 'edit', edit: { original_message_id: target, message: { type: 'text', text: { body: text } } } });

describe('edits from the real world', () => {
  it('keeps the newer edit when an older one arrives late', () => {
    const { store, ingest, updates } = setup();
    ingest(inbound('wamid.M1', 'first', BASE));
    ingest(inboundEdit('wamid.E2', 'wamid.M1', 'second edit', BASE + 20));
    const before = updates();
    ingest(inboundEdit('wamid.E1', 'wamid.M1', 'first edit', BASE + 10));
    expect(store.messages.findByWamid('wamid.M1')).toMatchObject({ text: 'second edit', edited_at: new Date((BASE + 20) * 1000).toISOString() });
    expect(updates()).toBe(before);
  });

  it('treats a redelivered edit wamid as a no-op with no second message_update, even after a newer edit', () => {
    const { store, ingest, updates } = setup();
    ingest(inbound('wamid.M1', 'first', BASE));
    ingest(inboundEdit('wamid.E1', 'wamid.M1', 'edited once', BASE + 10));
    const afterFirst = updates();
    ingest(inboundEdit('wamid.E1', 'wamid.M1', 'edited once', BASE + 10));
    expect(updates()).toBe(afterFirst);
    // Same second as E1, so only its wamid tells the redelivery from a new edit.
    ingest(inboundEdit('wamid.E2', 'wamid.M1', 'edited twice', BASE + 10));
    ingest(inboundEdit('wamid.E1', 'wamid.M1', 'edited once', BASE + 10));
    expect(store.messages.findByWamid('wamid.M1')?.text).toBe('edited twice');
    expect(updates()).toBe(afterFirst + 1);
  });

  it('breaks a tie on Meta’s second by arrival: the edit that arrived later wins', () => {
    const { store, ingest } = setup();
    ingest(inbound('wamid.M1', 'first', BASE));
    ingest(inboundEdit('wamid.E1', 'wamid.M1', 'a', BASE + 5));
    ingest(inboundEdit('wamid.E2', 'wamid.M1', 'b', BASE + 5));
    expect(store.messages.findByWamid('wamid.M1')?.text).toBe('b');
  });

  it('never lets an edit older than the message itself replace its text', () => {
    const { store, ingest } = setup();
    ingest(inbound('wamid.M1', 'original', BASE + 100));
    ingest(inboundEdit('wamid.E0', 'wamid.M1', 'stale', BASE + 50));
    expect(store.messages.findByWamid('wamid.M1')).toMatchObject({ text: 'original', edited_at: null });
  });

  it('orders echo edits from the WhatsApp Business app the same way', () => {
    const { store, ingest, updates } = setup();
    ingest(echo('wamid.OUT1', 'hola', BASE));
    ingest(echoEdit('wamid.OE2', 'wamid.OUT1', 'hola, ¿qué tal?', BASE + 30));
    const before = updates();
    ingest(echoEdit('wamid.OE1', 'wamid.OUT1', 'hola!', BASE + 15));
    ingest(echoEdit('wamid.OE2', 'wamid.OUT1', 'hola, ¿qué tal?', BASE + 30));
    expect(store.messages.findByWamid('wamid.OUT1')).toMatchObject({ direction: 'out', text: 'hola, ¿qué tal?' });
    expect(updates()).toBe(before);
  });

  it('keeps a deleted message deleted when an edit arrives after the revoke', () => {
    const { store, ingest } = setup();
    ingest(inbound('wamid.M1', 'secret', BASE));
    ingest(delivery('messages', { from: '34600111222', id: 'wamid.R1', timestamp: String(BASE + 10), type: 'revoke', revoke: { original_message_id: 'wamid.M1' } }));
    ingest(inboundEdit('wamid.E1', 'wamid.M1', 'edited', BASE + 20));
    expect(store.messages.findByWamid('wamid.M1')).toMatchObject({ revoked: true, text: '' });
  });
});
