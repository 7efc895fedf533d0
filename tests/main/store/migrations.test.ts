import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/database';
import { DatabaseFromTheFutureError, LATEST_SCHEMA_VERSION, MEDIA_DEADLINE_MS, migrate, MIGRATIONS } from '../../../main/store/migrations';

describe('migrations', () => {
  it('are numbered 1, 2, 3… without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
  });

  it('migration 1 creates every table on an empty in-memory database', () => {
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['conversations', 'messages', 'status_history', 'early_statuses', 'events', 'webhook_log']));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
  });

  it('migration 2 adds content, edits, revokes, reactions and log headers, keeping version-1 rows', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`INSERT INTO conversations (id, phone_number_id, customer_key, wa_id, name) VALUES (1, 'p', 'c', 'c', 'Ana');
      INSERT INTO messages (conversation_id, wamid, direction, type, text, timestamp, status, received_at) VALUES (1, 'wamid.V1', 'in', 'text', 'kept', 1, 'delivered', 1);
      INSERT INTO webhook_log (received_at, signature, body, outcome) VALUES (1, 's', x'7b7d', 'processed');`);
    expect(migrate(db, MIGRATIONS.slice(0, 2))).toBe(2);
    expect(db.prepare('SELECT text, content_json, edited_at, revoked_at FROM messages').get()).toEqual({ text: 'kept', content_json: '{}', edited_at: null, revoked_at: null });
    expect(db.prepare('SELECT headers_json, detail FROM webhook_log').get()).toEqual({ headers_json: '{}', detail: '' });
    db.prepare("INSERT INTO reactions (target_wamid, reactor, emoji, timestamp) VALUES ('wamid.V1', 'customer', '👍', 1)").run();
    expect(() => db.prepare("INSERT INTO reactions (target_wamid, reactor, emoji, timestamp) VALUES ('wamid.V1', 'robot', '👍', 1)").run()).toThrow();
  });

  it('migration 6 adds the timestamp source and the edit ledger, keeping version-5 rows', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.slice(0, 5));
    db.exec(`INSERT INTO conversations (id, phone_number_id, customer_key, wa_id, name) VALUES (1, 'p', 'c', 'c', 'Ana');
      INSERT INTO messages (id, conversation_id, wamid, direction, type, text, timestamp, status, received_at) VALUES (1, 1, 'wamid.V5', 'in', 'text', 'kept', 1, 'delivered', 1);`);
    expect(migrate(db, MIGRATIONS.slice(0, 6))).toBe(6);
    expect(db.prepare('SELECT text, timestamp_source, edit_received_at FROM messages').get()).toEqual({ text: 'kept', timestamp_source: null, edit_received_at: null });
    db.prepare("INSERT INTO message_edits (edit_wamid, message_id, timestamp, received_at) VALUES ('wamid.E', 1, 2, 2)").run();
    expect(() => db.prepare("INSERT INTO message_edits (edit_wamid, message_id, timestamp, received_at) VALUES ('wamid.E', 1, 3, 3)").run()).toThrow(/UNIQUE/);
  });

  it('migration 7 indexes the conversation list by activity, keeping version-6 rows', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.slice(0, 6));
    db.exec("INSERT INTO conversations (id, phone_number_id, customer_key, wa_id, name, last_message_at) VALUES (1, 'p', 'c', 'c', 'Ana', 5)");
    expect(migrate(db, MIGRATIONS.slice(0, 7))).toBe(7);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'conversations_by_activity'").pluck().get()).toBe('conversations_by_activity');
    expect(db.prepare('SELECT name FROM conversations').pluck().all()).toEqual(['Ana']);
  });

  it('migration 10 gives every stored message with a file a download job, due at once, with 7 days from its arrival', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.slice(0, 9));
    db.exec(`INSERT INTO conversations (id, phone_number_id, customer_key, wa_id, name) VALUES (1, '2003', 'c', 'c', 'Ana');
      INSERT INTO messages (id, conversation_id, wamid, direction, type, text, timestamp, status, received_at, content_json) VALUES
        (1, 1, 'wamid.IMG', 'in', 'image', 'caption', 1, 'received', 1000, '{"media":{"id":"m1","sha256":"c2hh"}}'),
        (2, 1, 'wamid.TXT', 'in', 'text', 'hi', 2, 'received', 2000, '{}'),
        (3, 1, 'wamid.DEL', 'in', 'image', '', 3, 'received', 3000, '{}');`);
    expect(migrate(db, MIGRATIONS.slice(0, 10))).toBe(10);
    expect(db.prepare('SELECT message_id, media_id, phone_number_id, kind, expected_sha256, state, next_attempt_at, deadline_at FROM media_files').all()).toEqual([
      { message_id: 1, media_id: 'm1', phone_number_id: '2003', kind: 'image', expected_sha256: 'c2hh', state: 'pending', next_attempt_at: 0, deadline_at: 1000 + MEDIA_DEADLINE_MS },
    ]);
  });

  it('migration 11 records who sent a message: sends from Switchboard before it become an unknown agent, echoes and inbound stay unattributed', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, MIGRATIONS.slice(0, 10));
    db.exec(`INSERT INTO conversations (id, phone_number_id, customer_key, wa_id, name) VALUES (1, '2003', 'c', 'c', 'Ana');
      INSERT INTO messages (id, conversation_id, wamid, direction, type, text, timestamp, status, received_at, client_message_id) VALUES
        (1, 1, 'wamid.IN', 'in', 'text', 'hi', 1, 'delivered', 1, NULL),
        (2, 1, 'wamid.OUT', 'out', 'text', 'hello', 2, 'read', 2, 'click-1234'),
        (3, 1, 'wamid.ECHO', 'out', 'text', 'from the phone', 3, 'sent', 3, NULL);`);
    expect(migrate(db, MIGRATIONS.slice(0, 11))).toBe(11);
    expect(db.prepare('SELECT id, sent_by FROM messages ORDER BY id').all()).toEqual([
      { id: 1, sent_by: null },
      { id: 2, sent_by: '' },
      { id: 3, sent_by: null },
    ]);
  });

  it('running twice changes nothing', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    db.prepare("INSERT INTO events (type, body_json, created_at) VALUES ('x', '{}', 0)").run();
    migrate(db);
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
  });

  it('refuses a database written by a newer app and leaves it untouched', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(DatabaseFromTheFutureError);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 1);
  });

  it('rolls back a failing migration as a whole', () => {
    const db = new BetterSqlite3(':memory:');
    const broken = [
      ...MIGRATIONS,
      {
        version: LATEST_SCHEMA_VERSION + 1,
        description: 'fails halfway',
        up: (target: typeof db) => {
          target.exec('CREATE TABLE half_done (id INTEGER)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, broken)).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
  });

  it('skips a migration that another process applied while this one waited for the write lock', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-migrate-'));
    const file = path.join(dataDir, 'switchboard.db');
    const app = new BetterSqlite3(file);
    const cli = new BetterSqlite3(file);
    // The app reads the schema version; before it takes the write lock, the CLI migrates.
    const readVersion = app.pragma.bind(app);
    let raced = false;
    app.pragma = ((source: string, options?: { simple?: boolean }) => {
      const result = readVersion(source, options);
      if (!raced) {
        raced = true;
        migrate(cli);
      }
      return result;
    }) as typeof app.pragma;
    try {
      expect(migrate(app)).toBe(LATEST_SCHEMA_VERSION);
      expect(raced).toBe(true);
      expect(readVersion('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      app.close();
      cli.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('opens with WAL-ready pragmas: full synchronous durability and foreign keys', () => {
    const db = openDatabase({ path: ':memory:' });
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});
