import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate } from './migrations';

/**
 * The database file cannot be read: not an SQLite file, truncated or corrupt. It is left exactly as
 * it was: nothing is overwritten or "repaired" behind the user's back.
 */
export class DatabaseUnreadableError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`the database ${path} cannot be read (${reason}); it was left untouched: restore it from a backup, or move it aside to start with an empty one`);
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function startsLikeSqlite(path: string): boolean {
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks, read-only, that an existing database file can be read before anything writes to it:
 * the header, the schema, and the last row of every table (a truncated file loses its last pages
 * first, and SQLite then reports the image malformed). Cheap at any size: each probe walks one
 * path down one b-tree.
 */
export function assertDatabaseReadable(path: string): void {
  if (path === ':memory:' || !existsSync(path) || statSync(path).size === 0) return;
  if (!startsLikeSqlite(path)) throw new DatabaseUnreadableError(path, 'not an SQLite database file');
  let db: Database | null = null;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    // Ordinary tables and the search index's own, with a rowid to probe (not views, not virtual).
    const tables = (db.pragma('table_list') as { schema: string; name: string; type: string; wr: number }[]).filter(
      (table) => table.schema === 'main' && (table.type === 'table' || table.type === 'shadow') && table.wr === 0,
    );
    for (const { name } of tables) db.prepare(`SELECT max(rowid) FROM "${name.replaceAll('"', '""')}"`).get();
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    throw new DatabaseUnreadableError(path, `${code}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db?.close();
  }
}

/**
 * WAL size, in pages, at which SQLite's autocheckpoint copies the WAL into the database file:
 * about 40 MB, so that under load a checkpoint copies each hot page once rather than every few
 * commits. The background checkpointer rewinds the WAL at the same size.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** How a database is opened; tests use `:memory:`. */
export type OpenDatabaseOptions = { path: string };

/**
 * Opens (creating if needed) and migrates the app database. WAL with synchronous=FULL: a webhook
 * we acknowledged survives kill -9 and power loss, because Meta never redelivers what got a 200.
 */
export function openDatabase({ path }: OpenDatabaseOptions): Database {
  assertDatabaseReadable(path);
  const db = new BetterSqlite3(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Deleted and replaced content is overwritten, not left in free space: an edited message's old
    // text or an erased customer cannot be read back from the file (privacy requests, edits).
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
