import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore } from '../../../main/store';
import { openDatabase } from '../../../main/store/database';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-store-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('store transactions', () => {
  it('hold the write lock from their first statement, so another connection cannot write between a read and a write', () => {
    const file = path.join(dataDir, 'switchboard.db');
    const store = createStore(openDatabase({ path: file }));
    const other = new BetterSqlite3(file, { timeout: 0 });
    try {
      const attempt = store.transaction(() => {
        store.db.prepare('SELECT count(*) FROM events').pluck().get();
        try {
          other.prepare("INSERT INTO events (type, body_json, created_at) VALUES ('x', '{}', 0)").run();
          return 'other connection wrote';
        } catch (error) {
          return (error as { code?: string }).code;
        }
      });
      expect(attempt).toBe('SQLITE_BUSY');
      // Once committed, the other connection writes as usual.
      other.prepare("INSERT INTO events (type, body_json, created_at) VALUES ('x', '{}', 0)").run();
      expect(store.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    } finally {
      other.close();
      store.db.close();
    }
  });
});
