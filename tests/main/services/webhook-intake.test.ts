import { describe, expect, it, vi } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { WebhookIntake } from '../../../main/services/webhook-intake';
import { inboundTextWebhook } from '../../../main/whatsapp/simulated-payloads';
import { memoryStore } from '../../helpers/memory-store';

function delivery(n: number, messages = 1) {
  const bodies = Array.from({ length: messages }, (_, i) =>
    inboundTextWebhook({ phoneNumberId: '1', from: String(15550000000 + n), name: 'C', text: `m${n}.${i}`, atMs: 1_764_115_200_000, wamid: `wamid.I${n}.${i}` }).body,
  );
  const body = bodies[0] as { entry: { changes: { value: { messages: unknown[] } }[] }[] };
  const value = body.entry[0]?.changes[0]?.value;
  if (value) value.messages = bodies.flatMap((b) => (b as typeof body).entry[0]?.changes[0]?.value.messages ?? []);
  return { delivery: { receivedAtMs: n, signature: 's', headers: {}, body: Buffer.from(JSON.stringify(body)) }, json: body as unknown };
}

function setup() {
  const memory = memoryStore();
  const inbox = new Inbox(memory.store, memory.bus);
  const loggedOnly = vi.fn();
  const backlog = { waiting: false };
  const intake = new WebhookIntake(memory.store, inbox, { hasBacklog: () => backlog.waiting, schedule: loggedOnly });
  const transaction = vi.spyOn(memory.store, 'transaction');
  const outcomes = () => memory.store.db.prepare('SELECT outcome FROM webhook_log ORDER BY id').pluck().all();
  return { ...memory, intake, loggedOnly, backlog, transaction, outcomes };
}

describe('WebhookIntake (group commit)', () => {
  it('commits deliveries submitted in the same turn in ONE transaction, processed inline', async () => {
    const { intake, transaction, loggedOnly, outcomes, store } = setup();
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, n) => intake.submit(delivery(n).delivery, delivery(n).json)));
    expect(receipts).toEqual(Array(50).fill({ received: { messages: 1, statuses: 0, reactions: 0, changes: 0 } }));
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(loggedOnly).not.toHaveBeenCalled();
    expect(outcomes()).toEqual(Array(50).fill('processed'));
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(50);
  });

  it('only logs a batch too large to process inline, and hands it to the processor', async () => {
    const { intake, loggedOnly, outcomes, store } = setup();
    const big = Array.from({ length: 11 }, (_, n) => delivery(n, 100));
    const receipts = await Promise.all(big.map((d) => intake.submit(d.delivery, d.json)));
    // Not parsed here (the processor parses it): the answer counts what the payload holds.
    expect(receipts).toEqual(Array(11).fill({ queued: { updates: 100 } }));
    expect(outcomes()).toEqual(Array(11).fill('received'));
    expect(loggedOnly).toHaveBeenCalledTimes(1);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
  });

  it('keeps arrival order: while older deliveries wait, a small batch is only logged too', async () => {
    const { intake, outcomes, store, backlog } = setup();
    store.webhooks.record(delivery(0).delivery, 'received', '');
    backlog.waiting = true;
    const next = delivery(1);
    expect(await intake.submit(next.delivery, next.json)).toEqual({ queued: { updates: 1 } });
    expect(outcomes()).toEqual(['received', 'received']);
  });

  it('fails every request of a batch that could not be committed, so Meta retries them', async () => {
    const { intake, loggedOnly, store } = setup();
    store.db.close();
    const results = await Promise.allSettled([intake.submit(delivery(1).delivery, delivery(1).json), intake.submit(delivery(2).delivery, delivery(2).json)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(loggedOnly).not.toHaveBeenCalled();
  });
});
