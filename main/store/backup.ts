import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { assertDatabaseReadable, DatabaseUnreadableError } from './database';
import { DatabaseFromTheFutureError, LATEST_SCHEMA_VERSION } from './migrations';

/** What a backup or a restore did. */
export type BackupSummary = { file: string; bytes: number; seconds: number };

/** A backup that cannot be restored, told in one line; nothing was changed. */
export class BackupRefusedError extends Error {}

/**
 * A consistent copy of the live database into `target` (which must not exist yet), taken with
 * `VACUUM INTO` on a connection of its own: it reads one snapshot of the WAL database, so writers
 * (a gateway serving on the same data dir, even from another process) go on meanwhile, and the copy
 * is compact, with no WAL of its own.
 */
export function backupDatabase(databaseFile: string, target: string): BackupSummary {
  const started = performance.now();
  if (!existsSync(databaseFile)) throw new BackupRefusedError(`there is no database at ${databaseFile} to back up`);
  if (existsSync(target)) throw new BackupRefusedError(`${target} already exists: choose a new file name`);
  assertDatabaseReadable(databaseFile);
  const source = new BetterSqlite3(databaseFile, { readonly: true, fileMustExist: true });
  try {
    source.prepare('VACUUM INTO ?').run(target);
  } finally {
    source.close();
  }
  return { file: target, bytes: statSync(target).size, seconds: (performance.now() - started) / 1000 };
}

function checkBackup(file: string): void {
  if (!existsSync(file)) throw new BackupRefusedError(`${file} does not exist`);
  try {
    assertDatabaseReadable(file);
  } catch (error) {
    if (error instanceof DatabaseUnreadableError) throw new BackupRefusedError(`${file} is not a usable backup: ${error.message.split(' (')[1]?.split(')')[0] ?? 'unreadable'}`);
    throw error;
  }
  let db: Database | null = null;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LATEST_SCHEMA_VERSION) throw new DatabaseFromTheFutureError(version);
    const problems = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[];
    const first = problems[0]?.integrity_check;
    if (first !== 'ok') throw new BackupRefusedError(`${file} fails SQLite's integrity check (${first ?? 'no answer'}): it was not restored`);
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'messages'").get()) throw new BackupRefusedError(`${file} is an SQLite file but not a Switchboard backup`);
  } finally {
    db?.close();
  }
}

/**
 * Replaces the database of a data dir with a backup, after checking it whole (SQLite's integrity
 * check, a schema this app can read). The database it replaces is kept beside it
 * (`switchboard.db.before-restore-<time>`), never deleted. Run with no gateway on the data dir
 * (the caller holds its lock).
 */
export function restoreDatabase(backupFile: string, databaseFile: string, nowMs: number): BackupSummary & { keptAs: string | null } {
  const started = performance.now();
  checkBackup(backupFile);
  const incoming = `${databaseFile}.restoring`;
  rmSync(incoming, { force: true });
  copyFileSync(backupFile, incoming);
  let keptAs: string | null = null;
  if (existsSync(databaseFile)) {
    // Kept with its WAL, untouched (it may be the reason for the restore): it opens as it was.
    keptAs = `${databaseFile}.before-restore-${new Date(nowMs).toISOString().replaceAll(':', '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(`${databaseFile}${suffix}`)) renameSync(`${databaseFile}${suffix}`, `${keptAs}${suffix}`);
    }
  }
  renameSync(incoming, databaseFile);
  return { file: path.resolve(databaseFile), bytes: statSync(databaseFile).size, seconds: (performance.now() - started) / 1000, keptAs };
}
