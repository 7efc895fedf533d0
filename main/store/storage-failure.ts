/**
 * SQLite result codes that say the database itself cannot take a write right now (disk full, I/O
 * error, read-only or moved file, corruption, lock held too long), as opposed to a problem with
 * what was being written. Extended codes (`SQLITE_IOERR_WRITE`, `SQLITE_READONLY_DBMOVED`) share
 * their primary code's prefix.
 */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN|NOMEM|BUSY|LOCKED|PERM|PROTOCOL)(_|$)/;

/**
 * Whether `error` means nothing can be committed until the storage recovers: the webhook must then
 * be answered 503 so that Meta retries it, rather than stored as a failed delivery.
 */
export function isStorageFailure(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  return typeof code === 'string' && STORAGE_CODES.test(code);
}

/** One line for a log or an HTTP answer: the SQLite code and what it means to the person reading. */
export function describeStorageFailure(error: unknown): string {
  const code = (error as { code?: string }).code ?? 'SQLITE_ERROR';
  const message = error instanceof Error ? error.message : String(error);
  const hint = code.startsWith('SQLITE_FULL')
    ? 'the disk is full'
    : code.startsWith('SQLITE_READONLY')
      ? 'the database is read-only'
      : code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
        ? 'another process holds the database'
        : 'the database cannot be written';
  return `${hint} (${code}: ${message})`;
}
