import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-seed-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('switchboard seed-demo', () => {
  it('fills an empty data dir with a realistic history: many scripts, a media mix, statuses, edits', async () => {
    const result = await runCli(['seed-demo', '--conversations', '60', '--messages', '6000', '--data', dataDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^seeded 60 conversations and 6000 messages in \d+\.\d s \(\d+ MB\)\n$/);
    const db = new BetterSqlite3(path.join(dataDir, 'switchboard.db'), { readonly: true });
    try {
      const count = (sql: string) => db.prepare(sql).pluck().get() as number;
      expect(count('SELECT count(*) FROM messages')).toBe(6000);
      expect(count('SELECT count(DISTINCT conversation_id) FROM messages')).toBe(60);
      expect(count("SELECT count(*) FROM messages WHERE text GLOB '*[一-龥]*'")).toBeGreaterThan(0);
      expect(count("SELECT count(*) FROM messages WHERE text LIKE '%São Paulo%'")).toBeGreaterThan(0);
      expect(count("SELECT count(DISTINCT type) FROM messages")).toBeGreaterThanOrEqual(6);
      expect(count("SELECT count(DISTINCT status) FROM messages WHERE direction = 'out'")).toBe(5);
      expect(count('SELECT count(*) FROM messages WHERE edited_at IS NOT NULL')).toBeGreaterThan(0);
      // The list reads as ingest would have left it.
      expect(count('SELECT count(*) FROM conversations WHERE last_message_at IS NULL OR preview = \'\'')).toBe(0);
      // Long threads and short ones.
      const sizes = db.prepare('SELECT count(*) FROM messages GROUP BY conversation_id ORDER BY 1').pluck().all() as number[];
      expect((sizes.at(-1) ?? 0) / (sizes[0] ?? 1)).toBeGreaterThan(10);
    } finally {
      db.close();
    }
  });

  it('builds the same history from the same seed', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'switchboard-seed-'));
    try {
      await runCli(['seed-demo', '--conversations', '5', '--messages', '300', '--seed', '42', '--data', dataDir]);
      await runCli(['seed-demo', '--conversations', '5', '--messages', '300', '--seed', '42', '--data', other]);
      const texts = (dir: string) => {
        const db = new BetterSqlite3(path.join(dir, 'switchboard.db'), { readonly: true });
        const all = db.prepare('SELECT text FROM messages ORDER BY id').pluck().all();
        db.close();
        return all;
      };
      expect(texts(other)).toEqual(texts(dataDir));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('never mixes demo messages into a history that has messages, and says so in one line', async () => {
    await runCli(['seed-demo', '--conversations', '2', '--messages', '10', '--data', dataDir]);
    const again = await runCli(['seed-demo', '--conversations', '2', '--messages', '10', '--data', dataDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('switchboard: the database already holds 10 messages: seed-demo only fills an empty one (use another --data dir)\n');
  });

  it('refuses counts that are not whole numbers in range, with one line', async () => {
    const bad = await runCli(['seed-demo', '--messages', 'lots', '--data', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('switchboard: --messages must be a whole number from 1 to 50,000,000, not lots\n');
    const fewer = await runCli(['seed-demo', '--conversations', '10', '--messages', '5', '--data', dataDir]);
    expect(fewer.stderr).toBe('switchboard: --messages must be at least --conversations (every conversation gets a message)\n');
  });
});
