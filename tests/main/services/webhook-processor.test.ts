import { describe, expect, it, vi } from 'vitest';
import { Inbox } from '../../../main/services/inbox';
import { WebhookProcessor } from '../../../main/services/webhook-processor';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { fixtureBytes } from '../../helpers/fixtures';
import { memoryStore } from '../../helpers/memory-store';

function setup() {
  const memory = memoryStore();
  const lines: string[] = [];
  const inbox = new Inbox(memory.store, memory.bus);
  const processor = new WebhookProcessor(memory.store, inbox, (line) => lines.push(line));
  const log = (body: Buffer) => memory.store.webhooks.record({ receivedAtMs: 1, signature: 's', headers: {}, body }, 'received', '');
  const outcomes = () => memory.store.db.prepare('SELECT outcome FROM webhook_log ORDER BY id').pluck().all();
  return { ...memory, inbox, processor, log, lines, outcomes };
}

describe('WebhookProcessor', () => {
  it('processes acknowledged deliveries oldest first and marks them, exactly once', async () => {
    const { store, processor, log, published, outcomes } = setup();
    log(fixtureBytes('echo-text'));
    log(Buffer.from(fixtureBytes('status-failed').toString('utf8').replace('wamid.OUT0001', 'wamid.ECHO0001')));
    log(fixtureBytes('echo-text'));
    await processor.settle();
    expect(outcomes()).toEqual(['processed', 'processed', 'processed']);
    expect(store.messages.findByWamid('wamid.ECHO0001')?.status).toBe('failed');
    expect(published.filter((e) => e.type === 'new_message')).toHaveLength(1);
    expect(processor.processChunk()).toBe(0);
  });

  it('recovers after a crash: what was acknowledged but not processed is processed at start', async () => {
    const first = setup();
    first.log(fixtureBytes('text-message'));
    // "Restart": a new inbox and processor over the same database.
    const inbox = new Inbox(first.store, first.bus);
    const processor = new WebhookProcessor(first.store, inbox, () => undefined);
    processor.schedule();
    await processor.settle();
    expect(first.store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
  });

  it('marks a delivery whose processing throws as failed, logs it, and still processes the others', async () => {
    const { store, inbox, processor, log, lines, outcomes } = setup();
    log(fixtureBytes('text-message'));
    log(fixtureBytes('echo-text'));
    const real = inbox.processLogged.bind(inbox);
    vi.spyOn(inbox, 'processLogged').mockImplementation((rows) => {
      if (rows.some((row) => row.id === 1)) throw new Error('disk on fire');
      return real(rows);
    });
    await processor.settle();
    expect(outcomes()).toEqual(['failed', 'processed']);
    expect(lines).toEqual(['webhook: delivery 1 could not be processed (disk on fire); kept in the log for a replay']);
    expect(store.messages.findByWamid('wamid.ECHO0001')).toBeDefined();
  });

  it('ignores a logged body that is not JSON instead of failing', async () => {
    const { processor, log, outcomes, store } = setup();
    log(Buffer.from('{nope'));
    await processor.settle();
    expect(outcomes()).toEqual(['ignored']);
    expect(store.db.prepare('SELECT detail FROM webhook_log').pluck().get()).toBe('body is not valid JSON');
  });

  it('takes whole deliveries up to about five hundred updates per transaction, so acknowledgements go on in between', async () => {
    const { store, processor, log, outcomes } = setup();
    const text = JSON.parse(fixtureBytes('text-message').toString('utf8')) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] };
    const value = text.entry[0]?.changes[0]?.value;
    const template = value?.messages[0];
    if (!value || !template) throw new Error('fixture changed');
    for (let delivery = 0; delivery < 3; delivery += 1) {
      value.messages = Array.from({ length: 200 }, (_, i) => ({ ...template, id: `wamid.BULK${delivery}.${i}` }));
      log(Buffer.from(JSON.stringify(text)));
    }
    expect(processor.hasBacklog()).toBe(false);
    expect(processor.processChunk()).toBe(2);
    expect(outcomes()).toEqual(['processed', 'processed', 'received']);
    processor.schedule();
    expect(processor.hasBacklog()).toBe(true);
    await processor.settle();
    expect(processor.hasBacklog()).toBe(false);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(600);
  });

  it('parses each delivery once, also the one that did not fit in the previous chunk', () => {
    const { store, processor, log, outcomes } = setup();
    const bulk = (n: number) => {
      const text = JSON.parse(fixtureBytes('text-message').toString('utf8')) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] };
      const value = text.entry[0]?.changes[0]?.value;
      const template = value?.messages[0];
      if (!value || !template) throw new Error('fixture changed');
      value.messages = Array.from({ length: 300 }, (_, i) => ({ ...template, id: `wamid.ONCE${n}.${i}` }));
      return Buffer.from(JSON.stringify(text));
    };
    [1, 2, 3].forEach((n) => log(bulk(n)));
    const parse = vi.spyOn(JSON, 'parse');
    const bodiesParsed = () => parse.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('wamid.ONCE')).length;
    try {
      // 300 + 300 is over a chunk: each chunk takes one delivery and carries the next, parsed.
      expect(processor.processChunk()).toBe(1);
      expect(processor.processChunk()).toBe(1);
      expect(processor.processChunk()).toBe(1);
      expect(processor.processChunk()).toBe(0);
      expect(bodiesParsed()).toBe(3);
    } finally {
      parse.mockRestore();
    }
    expect(outcomes()).toEqual(['processed', 'processed', 'processed']);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(900);
  });

  it('does not reuse the carried delivery once something else processed it (a replay)', () => {
    const { store, inbox, processor, log, outcomes } = setup();
    const bulk = (prefix: string, count: number) => {
      const text = JSON.parse(fixtureBytes('text-message').toString('utf8')) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] };
      const value = text.entry[0]?.changes[0]?.value;
      const template = value?.messages[0];
      if (!value || !template) throw new Error('fixture changed');
      value.messages = Array.from({ length: count }, (_, i) => ({ ...template, id: `wamid.${prefix}.${i}` }));
      return Buffer.from(JSON.stringify(text));
    };
    log(bulk('FIRST', 400));
    const carriedId = log(bulk('CARRIED', 200));
    log(fixtureBytes('echo-text'));
    expect(processor.processChunk()).toBe(1);
    // The second delivery did not fit and was carried; a replay processes it before the next chunk.
    const row = store.webhooks.body(carriedId);
    if (!row) throw new Error('logged delivery missing');
    inbox.replay({ id: carriedId, receivedAtMs: row.receivedAtMs, parsed: parseWebhook(JSON.parse(row.body.toString('utf8')), row.receivedAtMs) });
    expect(processor.processChunk()).toBe(1);
    expect(processor.processChunk()).toBe(0);
    expect(outcomes()).toEqual(['processed', 'replayed', 'processed']);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(601);
  });

  it('stops scheduling on shutdown, leaving the rest for the next start', async () => {
    const { processor, log, outcomes } = setup();
    log(fixtureBytes('text-message'));
    processor.stop();
    processor.schedule();
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcomes()).toEqual(['received']);
  });
});
