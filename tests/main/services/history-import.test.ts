import { describe, expect, it } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { fixture } from '../../helpers/fixtures';
import { memoryStore } from '../../helpers/memory-store';
import { postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';

const NOW = 1_800_000_000_000;

function setup() {
  const memory = memoryStore();
  const inbox = new Inbox(memory.store, memory.bus);
  const ingest = (body: unknown) => inbox.ingest({ delivery: { body: Buffer.from(JSON.stringify(body)), signature: 's', headers: {}, receivedAtMs: NOW }, parsed: parseWebhook(body, NOW) });
  return { ...memory, ingest };
}

describe('importing what the WhatsApp Business app holds (Coexistence)', () => {
  it('imports a history chunk as messages marked imported, with their original times and the statuses the app knew', () => {
    const { store, ingest, published } = setup();
    ingest(fixture('history-chunk'));
    const byWamid = (wamid: string) => store.messages.findByWamid(wamid);
    expect(byWamid('wamid.HIST0001')).toMatchObject({ direction: 'out', status: 'read', imported: true, timestamp: '2025-10-20T22:40:00.000Z', text: 'Hola Marta, tu pedido B-7731 ya salió' });
    expect(byWamid('wamid.HIST0002')).toMatchObject({ direction: 'in', status: 'delivered', imported: true });
    expect(byWamid('wamid.HIST0003')).toMatchObject({ type: 'media_placeholder', text: '📎 Media (it arrives separately)', status: 'delivered' });
    expect(byWamid('wamid.HIST0004')).toMatchObject({ status: 'failed' });
    expect(byWamid('wamid.HIST0005')).toMatchObject({ direction: 'in', imported: true });
    // Old news: nothing unread, no 24-hour window opened by it.
    for (const conversation of store.conversations.list()) expect(conversation).toMatchObject({ unread_count: 0, window_expires_at: null });
    expect(published.filter((event) => event.type === 'new_message')).toHaveLength(5);
  });

  it('imports each message exactly once: a redelivered or overlapping chunk adds and announces nothing', () => {
    const { store, ingest, published } = setup();
    ingest(fixture('history-chunk'));
    const events = published.length;
    ingest(fixture('history-chunk'));
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(5);
    expect(published).toHaveLength(events);
  });

  it('gives a placeholder its media when the history webhook that carries it arrives', () => {
    const { store, ingest, published } = setup();
    ingest(fixture('history-chunk'));
    ingest(fixture('history-media'));
    expect(store.messages.findByWamid('wamid.HIST0003')).toMatchObject({ type: 'image', text: 'Foto del paquete', content: { media: { id: '1100220033', caption: 'Foto del paquete' } }, imported: true });
    expect(published.at(-1)).toMatchObject({ type: 'message_update' });
  });

  it('names conversations after the business’s own contacts', () => {
    const { store, ingest } = setup();
    ingest(fixture('history-chunk'));
    ingest(fixture('state-sync-contacts'));
    expect(store.conversations.list().find((c) => c.wa_id === '34600777888')?.name).toBe('Marta Ruiz (tienda Gràcia)');
  });

  it('keeps why history was not shared, and stores nothing', () => {
    const { store, ingest } = setup();
    const outcome = ingest(fixture('history-declined'));
    expect(outcome.ignored).toEqual(['history not shared: History sync is turned off by the business from the WhatsApp Business App']);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
  });

  it('imports a large chunk through the real webhook path: queued, then processed from the durable log', async () => {
    const gateway = await startTestGateway();
    try {
      const messages = Array.from({ length: 1500 }, (_, n) => ({ from: '34600777888', id: `wamid.BIG${n}`, timestamp: String(1761000000 + n), type: 'text', text: { body: `antiguo ${n}` }, history_context: { status: 'READ' } }));
      const body = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'history', value: { metadata: { phone_number_id: '200300400500', display_phone_number: '15550001111' }, history: [{ metadata: { phase: 2 }, threads: [{ id: '34600777888', messages }] }] } }] }] };
      const response = await postSignedWebhook(gateway.url, body);
      expect(await response.json()).toEqual({ queued: { updates: 1500 } });
      await gateway.processed();
      expect(gateway.store.db.prepare('SELECT count(*) FROM messages WHERE imported = 1').pluck().get()).toBe(1500);
    } finally {
      await gateway.stop();
    }
  });
});
