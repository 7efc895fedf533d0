import { describe, expect, it } from 'vitest';
import { Presence } from '../../../main/services/presence';
import { Inbox } from '../../../main/services/inbox';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { fixture } from '../../helpers/fixtures';
import { memoryStore } from '../../helpers/memory-store';

function setup() {
  const memory = memoryStore();
  new Inbox(memory.store, memory.bus).ingest({ delivery: { body: Buffer.from('{}'), signature: 's', headers: {}, receivedAtMs: 1 }, parsed: parseWebhook(fixture('text-message'), 1) });
  memory.published.length = 0;
  let now = 1_800_000_000_000;
  const presence = new Presence(memory.store, memory.bus, () => now, { typingMs: 6_000, viewingMs: 20_000 });
  return { ...memory, presence, advance: (ms: number) => (now += ms) };
}

describe('Presence', () => {
  it('is online with the first connection and offline when the last one closes', () => {
    const { presence, published } = setup();
    const first = presence.connect('ana');
    const second = presence.connect('ana');
    first();
    first();
    expect(presence.team().agents).toEqual([{ user: 'ana', state: 'online' }]);
    second();
    expect(published.map((e) => e.type === 'presence' && [e.user, e.state])).toEqual([
      ['ana', 'online'],
      ['ana', 'offline'],
    ]);
    expect(presence.team().agents).toEqual([]);
  });

  it('goes away and back, once per change, and refuses it without a connection', () => {
    const { presence, published } = setup();
    presence.connect('ana');
    presence.setState('ana', 'away');
    presence.setState('ana', 'away');
    presence.setState('ana', 'online');
    expect(published.map((e) => e.type === 'presence' && e.state)).toEqual(['online', 'away', 'online']);
    expect(presence.setState('ben', 'away')).toEqual({ ok: false, error: { code: 'conflict', message: 'ben has no open connection' } });
  });

  it('logs typing with an expiry, and leaves expired typing and viewing out of the snapshot', () => {
    const { presence, published, advance } = setup();
    presence.connect('ana');
    expect(presence.typing('ana', 1)).toEqual({ ok: true, value: { expires_at: new Date(1_800_000_006_000).toISOString() } });
    presence.viewing('ana', 1);
    expect(published.at(-2)).toMatchObject({ type: 'typing', user: 'ana', conversation_id: 1 });
    expect(presence.team().typing).toHaveLength(1);
    advance(7_000);
    expect(presence.team()).toMatchObject({ typing: [], viewing: [{ user: 'ana', conversation_id: 1 }] });
    advance(20_000);
    expect(presence.team().viewing).toEqual([]);
  });

  it('refuses typing or viewing in an unknown conversation', () => {
    const { presence } = setup();
    expect(presence.typing('ana', 99)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(presence.viewing('ana', 99)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('clears viewing and typing when an agent’s last connection closes', () => {
    const { presence, published } = setup();
    const close = presence.connect('ana');
    presence.viewing('ana', 1);
    presence.typing('ana', 1);
    close();
    expect(published.slice(-2).map((e) => e.type)).toEqual(['presence', 'viewing']);
    expect(published.at(-1)).toMatchObject({ type: 'viewing', conversation_id: null });
    expect(presence.team()).toEqual({ agents: [], typing: [], viewing: [] });
  });

  it('records nothing after stop (shutdown is not agents leaving)', () => {
    const { presence, published } = setup();
    const close = presence.connect('ana');
    presence.stop();
    close();
    expect(published.map((e) => e.type === 'presence' && e.state)).toEqual(['online']);
  });
});
