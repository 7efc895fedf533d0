import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageSchema } from '../../../shared/contract';
import { Inbox } from '../../../main/services/inbox';
import { asArray, asObject, asString } from '../../../main/whatsapp/json-reading';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { memoryStore } from '../../helpers/memory-store';

// Real payloads from other projects' test suites and Meta's documentation, kept by the team beside
// the checkout (their sources and licences are in its SOURCES.md). Read from there, never copied.
const PEER_DIR = path.join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'peer-webhooks');
const available = existsSync(PEER_DIR);

function peerFixtures(): { name: string; body: unknown }[] {
  return readdirSync(PEER_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((folder) =>
      readdirSync(path.join(PEER_DIR, folder.name))
        .filter((file) => file.endsWith('.json'))
        .map((file) => ({ name: `${folder.name}/${file}`, body: JSON.parse(readFileSync(path.join(PEER_DIR, folder.name, file), 'utf8')) as unknown })),
    );
}

// Every message or echo item a payload holds under a field the inbox stores, as Meta sends it.
function messageItems(body: unknown): { id: string | null; type: string | null }[] {
  const root = asObject(body);
  if (root?.object !== 'whatsapp_business_account') return [];
  return asArray(root.entry).flatMap((entry) =>
    asArray(asObject(entry)?.changes).flatMap((change) => {
      const field = asString(asObject(change)?.field);
      if (field !== 'messages' && field !== 'smb_message_echoes') return [];
      const value = asObject(asObject(change)?.value);
      return [...asArray(value?.messages), ...asArray(value?.message_echoes)].map((item) => ({ id: asString(asObject(item)?.id), type: asString(asObject(item)?.type) }));
    }),
  );
}

const NOW = 1_800_000_000_000;

function ingestAlone(body: unknown) {
  const { store, bus } = memoryStore();
  const inbox = new Inbox(store, bus);
  const outcome = inbox.ingest({ delivery: { body: Buffer.from(JSON.stringify(body)), signature: 'sha256=peer', headers: {}, receivedAtMs: NOW }, parsed: parseWebhook(body, NOW) });
  return { store, outcome };
}

describe.skipIf(!available)('real webhook payloads from other projects and Meta’s docs', () => {
  const fixtures = available ? peerFixtures() : [];

  it('finds the whole collection', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(160);
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture.body] as const))('%s: parses without throwing, and stores every message it carries', (_name, body) => {
    expect(() => parseWebhook(body, NOW)).not.toThrow();
    const { store, outcome } = ingestAlone(body);
    expect(outcome.failed).toBeUndefined();
    for (const item of messageItems(body)) {
      // Reactions attach to, and edits or revokes change, another message: they are no bubble.
      if (!item.id || item.type === 'reaction' || item.type === 'edit' || item.type === 'revoke') continue;
      const stored = store.messages.findByWamid(item.id);
      expect(stored, `message ${item.id}`).toBeDefined();
      expect(() => MessageSchema.parse(stored)).not.toThrow();
    }
  });

  it('moves the conversation to the new number of a webhooks-v11 number change (new_wa_id)', () => {
    const fixture = fixtures.find((f) => f.name.endsWith('TestListener_HandleNotification_UserChangedNumber.json'));
    const { store } = ingestAlone(fixture?.body);
    const [conversation] = store.conversations.list();
    expect(conversation?.wa_id).toBe('15550003333');
    expect(store.messages.findByWamid('wamid.USERCHANGE')?.content.system).toMatchObject({ kind: 'user_changed_number', new_wa_id: '15550003333' });
  });

  it('keeps the product a customer asked about (context.referred_product)', () => {
    const fixture = fixtures.find((f) => f.name.endsWith('TestListener_HandleNotification_ProductInquiry.json'));
    const { store } = ingestAlone(fixture?.body);
    const message = store.messages.findByWamid('wamid.PRODINQ001');
    expect(message).toMatchObject({ text: 'Interested in your product!', content: { referred_product: { catalog_id: 'CATALOG_9999', product_retailer_id: 'SKU-1234' } } });
  });
});
