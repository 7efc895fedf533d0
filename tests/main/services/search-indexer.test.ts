import { afterEach, describe, expect, it, vi } from 'vitest';
import { operations } from '../../../shared/contract';
import { Inbox } from '../../../main/services/inbox';
import { Search } from '../../../main/services/search';
import { SearchIndexer } from '../../../main/services/search-indexer';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { memoryStore } from '../../helpers/memory-store';
import { inboundText } from '../../helpers/webhook-bodies';

let indexer: SearchIndexer | null = null;
afterEach(() => {
  indexer?.stop();
  indexer = null;
  vi.useRealTimers();
});

function setup(options = { batch: 100, eagerAt: 50, quietMs: 250, retryMs: 1_000 }) {
  const memory = memoryStore();
  const inbox = new Inbox(memory.store, memory.bus);
  indexer = new SearchIndexer(memory.store, memory.bus, () => undefined, options);
  const indexedThrough = () => memory.store.db.prepare('SELECT indexed_through FROM search_state').pluck().get() as number;
  const unindexed = () => memory.store.db.prepare('SELECT count(*) FROM messages WHERE id > (SELECT indexed_through FROM search_state)').pluck().get() as number;
  let n = 0;
  const ingest = (count: number) => {
    const batch = Array.from({ length: count }, () => {
      n += 1;
      const body = inboundText({ wamid: `wamid.I${n}`, text: `pedido número ${n}` });
      return { delivery: { body: Buffer.from(JSON.stringify(body)), signature: 's', headers: {}, receivedAtMs: n }, parsed: parseWebhook(body, n) };
    });
    inbox.ingestMany(batch);
  };
  return { ...memory, indexer, ingest, indexedThrough, unindexed };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the search indexer', () => {
  it('waits for a small backlog, then indexes it in one batch', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { ingest, unindexed } = setup();
    ingest(10);
    await tick();
    expect(unindexed()).toBe(10);
    vi.advanceTimersByTime(250);
    await tick();
    expect(unindexed()).toBe(0);
  });

  it('starts at once from eagerAt waiting messages, and goes on batch by batch until none is left', async () => {
    const { ingest, unindexed, indexer: running } = setup();
    ingest(260);
    await running.settle();
    expect(unindexed()).toBe(0);
  });

  it('indexes at start what an earlier run left unindexed (the cursor is durable)', async () => {
    const memory = setup();
    memory.indexer.stop();
    memory.ingest(30);
    expect(memory.unindexed()).toBe(30);
    indexer = new SearchIndexer(memory.store, memory.bus, () => undefined);
    indexer.start();
    await indexer.settle();
    expect(memory.unindexed()).toBe(0);
    expect(memory.indexedThrough()).toBe(memory.store.db.prepare('SELECT max(id) FROM messages').pluck().get());
  });

  it('finds the same messages before and after indexing, and the index passes its integrity check', async () => {
    const { ingest, store, indexer: running } = setup();
    ingest(40);
    const search = new Search(store);
    const find = () => {
      const result = search.searchMessages(operations.searchMessages.request.parse({ q: 'número 1', limit: 100 }));
      return result.ok ? result.value.hits.map((hit) => hit.message.wamid) : [];
    };
    const before = find();
    await running.settle();
    expect(find()).toEqual(before);
    // "1" is too short for the index: checked on the text (1, 10–19, 21, 31).
    expect(before).toHaveLength(13);
    store.db.prepare("INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 1)").run();
  });
});
