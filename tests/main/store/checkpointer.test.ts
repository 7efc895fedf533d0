import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from '../../../main/store';
import { startCheckpointer, type Checkpointer } from '../../../main/store/checkpointer';
import { openDatabase, WAL_AUTOCHECKPOINT_PAGES } from '../../../main/store/database';
import { EventBus } from '../../../main/services/event-bus';
import { Inbox } from '../../../main/services/inbox';
import { WebhookIntake } from '../../../main/services/webhook-intake';
import { inboundTextWebhook } from '../../../main/whatsapp/simulated-payloads';
import type { ServerEvent } from '../../../shared/contract';
import { CHECKPOINT_WORKER_SOURCE } from '../../helpers/test-gateway';

// A WAL frame is a page plus a 24-byte header; the WAL file starts with a 32-byte header.
const frameBytes = (db: Database) => (db.pragma('page_size', { simple: true }) as number) + 24;

let dataDir: string;
let dbPath: string;
let db: Database;
let checkpointer: Checkpointer | undefined;
let logs: string[];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-checkpoint-'));
  dbPath = path.join(dataDir, 'switchboard.db');
  db = openDatabase({ path: dbPath });
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
  logs = [];
});
afterEach(async () => {
  await checkpointer?.stop();
  checkpointer = undefined;
  if (db.open) db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function start(overrides: { script?: string; databasePath?: string; restartFrames?: number } = {}): Checkpointer {
  checkpointer = startCheckpointer(db, {
    databasePath: overrides.databasePath ?? dbPath,
    script: overrides.script ?? CHECKPOINT_WORKER_SOURCE,
    log: (line) => logs.push(line),
    intervalMs: 5,
    restartFrames: overrides.restartFrames,
  });
  return checkpointer;
}

describe('background checkpointer', () => {
  it('takes checkpoints off the commit path and keeps the WAL bounded while the main thread writes', async () => {
    const running = start({ restartFrames: 100 });
    await vi.waitFor(() => expect(running.active()).toBe(true));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const store = createStore(db);
    const insert = db.prepare<[Buffer]>('INSERT INTO filler (payload) VALUES (?)');
    // 300 commits of 5 pages each: 1,500 frames, fifteen times the restart size. Commits go
    // through the store's IMMEDIATE transactions, which wait while the worker rewinds the WAL.
    for (let burst = 0; burst < 30; burst += 1) {
      for (let commit = 0; commit < 10; commit += 1) store.transaction(() => insert.run(Buffer.alloc(5 * 4000, burst)));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(db.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(300);
    const walFrames = (statSync(`${dbPath}-wal`).size - 32) / frameBytes(db);
    expect(walFrames).toBeLessThan(600);
    expect(logs).toEqual([]);
  });

  it('never fails a group commit of webhooks, nor loses an event, while it rewinds the WAL under them', async () => {
    const running = start({ restartFrames: 32 });
    await vi.waitFor(() => expect(running.active()).toBe(true));
    const store = createStore(db);
    const bus = new EventBus();
    const published: ServerEvent[] = [];
    bus.subscribe((event) => published.push(event));
    const intake = new WebhookIntake(store, new Inbox(store, bus), { hasBacklog: () => false, schedule: () => undefined });
    let largestWal = 0;
    for (let wave = 0; wave < 100; wave += 1) {
      // One wave is one group commit of 30 deliveries; all must be acknowledged.
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => {
          const n = wave * 30 + i;
          const { body } = inboundTextWebhook({ phoneNumberId: '1', from: String(15550000000 + (n % 50)), name: 'C', text: `m${n}`, atMs: 1_764_115_200_000 + n, wamid: `wamid.W${n}` });
          return intake.submit({ receivedAtMs: n, signature: 's', headers: {}, body: Buffer.from(JSON.stringify(body)) }, body);
        }),
      );
      largestWal = Math.max(largestWal, statSync(`${dbPath}-wal`).size);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(3000);
    expect(published.filter((event) => event.type === 'new_message')).toHaveLength(3000);
    // Every event of every commit (its messages, then the webhook log's notice), none missing.
    const seqs = published.map((event) => event.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] ?? 0) + i));
    // The WAL was rewound again and again: 100 commits of 30 messages write thousands of frames.
    expect((largestWal - 32) / frameBytes(db)).toBeLessThan(600);
  });

  it('hands checkpoints back to the commits when it stops, and the closed database leaves no WAL behind', async () => {
    const running = start();
    await vi.waitFor(() => expect(running.active()).toBe(true));
    db.prepare('INSERT INTO filler (payload) VALUES (?)').run(Buffer.alloc(10_000));
    await running.stop();
    expect(running.active()).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    db.close();
    // Only the last connection to close removes the WAL: the worker's is closed too.
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
    expect(logs).toEqual([]);
  });

  it('logs one line and leaves checkpoints to the commits when the worker script is missing', async () => {
    const running = start({ script: path.join(dataDir, 'no-such-worker.cjs') });
    await vi.waitFor(() => expect(logs).toHaveLength(1));
    expect(logs[0]).toMatch(/^database: background checkpoints unavailable \(.+\); commits checkpoint the WAL instead$/);
    expect(running.active()).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    await running.stop();
  });

  it('logs one line and leaves checkpoints to the commits when the worker cannot open the database', async () => {
    const running = start({ databasePath: path.join(dataDir, 'missing', 'switchboard.db') });
    await vi.waitFor(() => expect(logs).toHaveLength(1));
    expect(logs[0]).toContain('background checkpoints unavailable');
    expect(running.active()).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
  });
});
