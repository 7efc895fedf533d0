import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';

/** The folder of a data dir where archived files are kept by hash. */
export function mediaFolder(dataDir: string): string {
  return path.join(dataDir, 'media');
}

/** Where the file with this sha256 (hex) lives: `media/<first two hex>/<sha256>`. */
export function mediaFilePath(folder: string, sha256: string): string {
  return path.join(folder, sha256.slice(0, 2), sha256);
}

/** The hashes of the stored files of the messages a SQL query selects (by id), before they are deleted. */
export function storedHashesOf(db: Database, messageIdsSql: string, parameters: Record<string, unknown>): string[] {
  return db
    .prepare<Record<string, unknown>, string>(`SELECT DISTINCT sha256 FROM media_files WHERE sha256 IS NOT NULL AND message_id IN (${messageIdsSql})`)
    .pluck()
    .all(parameters);
}

/**
 * Deletes the files of these hashes that no message keeps any more (a file sent by two customers
 * stays while one keeps it); returns how many went. Called after the rows are gone, outside the
 * transaction: a crash in between leaves a file no row names, never a row without its file.
 */
export function removeUnkeptFiles(db: Database, folder: string, hashes: readonly string[]): number {
  const kept = db.prepare<[string], number>('SELECT count(*) FROM media_files WHERE sha256 = ?').pluck();
  let removed = 0;
  for (const sha256 of hashes) {
    if ((kept.get(sha256) ?? 0) > 0) continue;
    const file = mediaFilePath(folder, sha256);
    if (!existsSync(file)) continue;
    rmSync(file);
    removed += 1;
  }
  return removed;
}

/**
 * Keeps bytes under their sha256 (hex), written to a temporary name and renamed, so the path
 * never holds half a file; a file already kept is not written again. Returns the hash.
 */
export function keepBytes(folder: string, bytes: Uint8Array): string {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const target = mediaFilePath(folder, sha256);
  if (existsSync(target)) return sha256;
  mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${randomUUID()}.part`;
  writeFileSync(temporary, bytes, { flag: 'wx' });
  renameSync(temporary, target);
  return sha256;
}
