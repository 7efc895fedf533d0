import { createHash } from 'node:crypto';
import { constants, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { assertDatabaseReadable, DatabaseUnreadableError } from './database';
import { mediaFilePath } from './media-files';
import { DatabaseFromTheFutureError, LATEST_SCHEMA_VERSION } from './migrations';

/** What a backup or a restore did: the database file, and the archived files copied with it. */
export type BackupSummary = { file: string; bytes: number; seconds: number; media: MediaCopy };

/** Files copied beside a backup (or back from one), their bytes, and those that were missing or damaged. */
export type MediaCopy = { files: number; bytes: number; missing: number };

/** Where a backup keeps its media files: a folder beside it, `<backup>.media/`, laid out like the data dir's. */
export function backupMediaFolder(backupFile: string): string {
  return `${backupFile}.media`;
}

// The hashes of the files a database says it has stored (none before the archive existed).
function storedHashes(db: Database): string[] {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'media_files'").get()) return [];
  return db.prepare<[], string>("SELECT DISTINCT sha256 FROM media_files WHERE state = 'stored' AND sha256 IS NOT NULL").pluck().all();
}

// Copies files by hash from one media folder to another; with `verify`, a file whose bytes no
// longer hash to its name is not copied and counts as missing. Copy-on-write where the file
// system offers it.
function copyMedia(hashes: readonly string[], from: string, to: string, verify: boolean): MediaCopy & { lost: string[] } {
  const copy: MediaCopy & { lost: string[] } = { files: 0, bytes: 0, missing: 0, lost: [] };
  for (const sha256 of hashes) {
    const source = mediaFilePath(from, sha256);
    const target = mediaFilePath(to, sha256);
    if (!existsSync(source) || (verify && createHash('sha256').update(readFileSync(source)).digest('hex') !== sha256)) {
      copy.missing += 1;
      copy.lost.push(sha256);
      continue;
    }
    if (existsSync(target)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target, constants.COPYFILE_FICLONE);
    copy.files += 1;
    copy.bytes += statSync(target).size;
  }
  return copy;
}

/** A backup that cannot be restored, told in one line; nothing was changed. */
export class BackupRefusedError extends Error {}

/**
 * A consistent copy of the live database into `target` (which must not exist yet), taken with
 * `VACUUM INTO` on a connection of its own: it reads one snapshot of the WAL database, so writers
 * (a gateway serving on the same data dir, even from another process) go on meanwhile, and the copy
 * is compact, with no WAL of its own. Then the files that snapshot says are stored are copied into
 * `<target>.media/`: files stored later are not in it, and files are never changed in place.
 */
export function backupDatabase(databaseFile: string, target: string, mediaDir: string): BackupSummary {
  const started = performance.now();
  if (!existsSync(databaseFile)) throw new BackupRefusedError(`there is no database at ${databaseFile} to back up`);
  if (existsSync(target)) throw new BackupRefusedError(`${target} already exists: choose a new file name`);
  if (existsSync(backupMediaFolder(target))) throw new BackupRefusedError(`${backupMediaFolder(target)} already exists: choose a new file name`);
  assertDatabaseReadable(databaseFile);
  const source = new BetterSqlite3(databaseFile, { readonly: true, fileMustExist: true });
  try {
    source.prepare('VACUUM INTO ?').run(target);
  } finally {
    source.close();
  }
  const snapshot = new BetterSqlite3(target, { readonly: true, fileMustExist: true });
  let hashes: string[];
  try {
    hashes = storedHashes(snapshot);
  } finally {
    snapshot.close();
  }
  const { files, bytes, missing } = copyMedia(hashes, mediaDir, backupMediaFolder(target), false);
  return { file: target, bytes: statSync(target).size, seconds: (performance.now() - started) / 1000, media: { files, bytes, missing } };
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
 * (the caller holds its lock). Its files come back from `<backup>.media/`, each checked against its
 * hash; a message whose file is missing or damaged there is marked failed with that reason, never
 * left pointing at nothing.
 */
export function restoreDatabase(backupFile: string, databaseFile: string, nowMs: number, mediaDir: string): BackupSummary & { keptAs: string | null } {
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
  const restored = new BetterSqlite3(databaseFile, { fileMustExist: true });
  let media: MediaCopy;
  try {
    const { lost, ...copied } = copyMedia(storedHashes(restored), backupMediaFolder(backupFile), mediaDir, true);
    const markLost = restored.prepare<[string]>(
      "UPDATE media_files SET state = 'failed', error = 'the file was missing or damaged in the backup it was restored from' WHERE sha256 = ? AND state = 'stored'",
    );
    restored.transaction(() => lost.forEach((sha256) => markLost.run(sha256)))();
    media = copied;
  } finally {
    restored.close();
  }
  return { file: path.resolve(databaseFile), bytes: statSync(databaseFile).size, seconds: (performance.now() - started) / 1000, keptAs, media };
}
