import { describe, expect, it, vi } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { IngestQueue } from '../../../main/services/ingest-queue';
import { inboundTextWebhook } from '../../../main/whatsapp/simulated-payloads';
import { parseWebhook, type ParsedDelivery } from '../../../main/whatsapp/webhook-parser';
import { memoryStore } from '../../helpers/memory-store';

function received(n: number, parsed?: ParsedDelivery) {
  const body = inboundTextWebhook({ phoneNumberId: '1', from: '15551234567', name: 'Ana', text: `m${n}`, atMs: 1_764_115_200_000 + n, wamid: `wamid.Q${n}` }).body;
  return { delivery: { body: Buffer.from(JSON.stringify(body)), signature: 's', headers: {}, receivedAtMs: 1 }, parsed: parsed ?? parseWebhook(body, 1) };
}

describe('IngestQueue (group commit)', () => {
  it('commits deliveries submitted in the same turn in one transaction, and resolves each after it', async () => {
    const { store, bus } = memoryStore();
    const inbox = new Inbox(store, bus);
    const ingestMany = vi.spyOn(inbox, 'ingestMany');
    const queue = new IngestQueue(inbox);
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, n) => queue.submit(received(n))));
    expect(ingestMany).toHaveBeenCalledTimes(1);
    expect(ingestMany.mock.calls[0]?.[0]).toHaveLength(50);
    expect(outcomes.every((o) => o.events.length === 2)).toBe(true);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(50);
  });

  it('when one delivery breaks the shared transaction, commits the others alone and fails only that one', async () => {
    const { store, bus } = memoryStore();
    const inbox = new Inbox(store, bus);
    const queue = new IngestQueue(inbox);
    const broken = received(2);
    // A message whose conversation cannot be resolved makes the store throw.
    broken.parsed.messages[0] = { ...broken.parsed.messages[0]!, customer: { waId: null, userId: null, name: null } };
    const results = await Promise.allSettled([queue.submit(received(1)), queue.submit(broken), queue.submit(received(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(store.db.prepare('SELECT text FROM messages ORDER BY id').pluck().all()).toEqual(['m1', 'm3']);
    expect(store.db.prepare('SELECT count(*) FROM webhook_log').pluck().get()).toBe(2);
  });
});
