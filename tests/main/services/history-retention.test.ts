import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mediaFilePath } from '../../../main/store/media-files';
import { HistoryRetention } from '../../../main/services/history-retention';
import { Inbox } from '../../../main/services/inbox';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { memoryStore } from '../../helpers/memory-store';
import { inboundText } from '../../helpers/webhook-bodies';

const DAY = 24 * 60 * 60;
const NOW_S = 1_800_000_000;

function setup(retentionDays: number | null) {
  const memory = memoryStore();
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-retention-media-'));
  const inbox = new Inbox(memory.store, memory.bus);
  const ingest = (wamid: string, from: string, daysAgo: number) => {
    const body = inboundText({ wamid, from, timestamp: String(NOW_S - daysAgo * DAY), text: `mensaje ${wamid}` });
    inbox.ingest({ delivery: { body: Buffer.from(JSON.stringify(body)), signature: 's', headers: {}, receivedAtMs: NOW_S * 1000 }, parsed: parseWebhook(body, NOW_S * 1000) });
  };
  const logs: string[] = [];
  const retention = new HistoryRetention(memory.store, retentionDays, mediaDir, memory.bus, (line) => logs.push(line), () => NOW_S * 1000);
  return { ...memory, ingest, retention, logs, mediaDir };
}

describe('history retention', () => {
  it('deletes messages older than the setting, their reactions and history, and conversations left empty', async () => {
    const { ingest, retention, store, logs, published } = setup(30);
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
    // Clients learn that the emptied conversation is gone.
    const removed = published.filter((event) => event.type === 'conversation_removed');
    expect(removed).toEqual([expect.objectContaining({ type: 'conversation_removed', reason: 'retention' })]);
    expect(store.conversations.get(removed[0]?.conversation_id ?? 0)).toBeUndefined();
  });

  it('deletes the files of the messages it removes, unless a newer message keeps the same file', async () => {
    const { ingest, retention, store, mediaDir } = setup(30);
    ingest('wamid.OLD', '34600000001', 60);
    ingest('wamid.OLDSHARED', '34600000001', 50);
    ingest('wamid.NEWSHARED', '34600000002', 1);
    const file = (wamid: string, sha256: string) => {
      const id = store.messages.findByWamid(wamid)?.id;
      store.db.prepare("INSERT INTO media_files (message_id, media_id, phone_number_id, kind, state, next_attempt_at, deadline_at, sha256) VALUES (?, 'm', 'p', 'image', 'stored', 0, 0, ?)").run(id, sha256);
      const where = mediaFilePath(mediaDir, sha256);
      mkdirSync(path.dirname(where), { recursive: true });
      writeFileSync(where, sha256);
      return where;
    };
    const only = file('wamid.OLD', 'aa'.repeat(32));
    const shared = file('wamid.OLDSHARED', 'bb'.repeat(32));
    file('wamid.NEWSHARED', 'bb'.repeat(32));
    expect(await retention.run()).toBe(2);
    expect(existsSync(only)).toBe(false);
    expect(existsSync(shared)).toBe(true);
    expect(store.db.prepare('SELECT count(*) FROM media_files').pluck().get()).toBe(1);
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
