import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate } from './migrations';

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
  const db = new BetterSqlite3(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
