import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';

/** Who holds a data dir: written beside the lock by the holder, read by whoever is refused. */
export type LockHolder = { pid: number; command: string; since: string };

/** Another Switchboard process (the desktop app or `switchboard serve`) already runs on this data dir. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder ? `${holder.command} (pid ${holder.pid}, since ${holder.since})` : 'another Switchboard process';
    super(`data dir ${dataDir} is in use by ${who}: stop it first, or give this one another --data dir`);
  }
}

const LOCK_FILE = 'switchboard.lock';
const HOLDER_FILE = 'switchboard.lock.json';

function readHolder(dataDir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, HOLDER_FILE), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/** A held data-dir lock; `release` gives it up (also done by the OS if the process dies). */
export type DataDirLock = { release(): void };

/**
 * Takes the data dir for this process alone, so that two processes never run two outboxes (each
 * marking the other's sends interrupted) on one database. The lock is SQLite's own exclusive file
 * lock on a small file of its own, held for as long as the process keeps it open: the OS drops it
 * when the process ends, however it ends, so a crash never leaves a stale lock behind, and a
 * recycled pid can never keep the data dir locked. CLI commands that only add or revoke tokens do
 * not take it: they are short transactions the running gateway sees at once.
 */
export function lockDataDir(dataDir: string, command: string): DataDirLock {
  let db: Database | null = null;
  try {
    db = new BetterSqlite3(path.join(dataDir, LOCK_FILE), { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write under EXCLUSIVE locking takes the file lock and keeps it until close.
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (at INTEGER); DELETE FROM held; INSERT INTO held VALUES (unixepoch()); COMMIT');
  } catch (error) {
    db?.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DataDirInUseError(dataDir, readHolder(dataDir));
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, command, since: new Date().toISOString() };
  writeFileSync(path.join(dataDir, HOLDER_FILE), `${JSON.stringify(holder)}\n`);
  const held = db;
  return {
    release: () => {
      if (!held.open) return;
      rmSync(path.join(dataDir, HOLDER_FILE), { force: true });
      held.close();
    },
  };
}
