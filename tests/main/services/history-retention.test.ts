import { describe, expect, it } from 'vitest';
import { HistoryRetention } from '../../../main/services/history-retention';
import { Inbox } from '../../../main/services/inbox';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { memoryStore } from '../../helpers/memory-store';
import { inboundText } from '../../helpers/webhook-bodies';

const DAY = 24 * 60 * 60;
const NOW_S = 1_800_000_000;

function setup(retentionDays: number | null) {
  const memory = memoryStore();
  const inbox = new Inbox(memory.store, memory.bus);
  const ingest = (wamid: string, from: string, daysAgo: number) => {
    const body = inboundText({ wamid, from, timestamp: String(NOW_S - daysAgo * DAY), text: `mensaje ${wamid}` });
    inbox.ingest({ delivery: { body: Buffer.from(JSON.stringify(body)), signature: 's', headers: {}, receivedAtMs: NOW_S * 1000 }, parsed: parseWebhook(body, NOW_S * 1000) });
  };
  const logs: string[] = [];
  const retention = new HistoryRetention(memory.store, retentionDays, (line) => logs.push(line), () => NOW_S * 1000);
  return { ...memory, ingest, retention, logs };
}

describe('history retention', () => {
  it('deletes messages older than the setting, their reactions and history, and conversations left empty', async () => {
    const { ingest, retention, store, logs } = setup(30);
    ingest('wamid.OLD1', '34600000001', 400);
    ingest('wamid.OLD2', '34600000002', 40);
    ingest('wamid.NEW2', '34600000002', 2);
    store.messages.react('wamid.OLD2', 'business', '👍', (NOW_S - 40 * DAY) * 1000);
    store.search.indexBatch(1_000);
    expect(await retention.run()).toBe(2);
    expect(store.db.prepare('SELECT wamid FROM messages').pluck().all()).toEqual(['wamid.NEW2']);
    expect(store.conversations.list().map((c) => c.wa_id)).toEqual(['34600000002']);
    expect(store.db.prepare('SELECT count(*) FROM reactions').pluck().get()).toBe(0);
    expect(store.db.prepare("SELECT count(*) FROM message_search WHERE message_search MATCH '\"OLD\"'").pluck().get()).toBe(0);
    expect(logs).toEqual(['history retention: removed 2 messages and 1 conversations older than 30 days']);
  });

  it('keeps everything when no retention is set', async () => {
    const { ingest, retention, store } = setup(null);
    ingest('wamid.ANCIENT', '34600000001', 4000);
    expect(await retention.run()).toBe(0);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
  });

  it('works through a large backlog in rounds', async () => {
    const { ingest, retention, store } = setup(1);
    for (let n = 0; n < 4_500; n += 1) ingest(`wamid.B${n}`, `3460${n % 40}`, 10);
    expect(await retention.run()).toBe(4_500);
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
  }, 30_000);
});
