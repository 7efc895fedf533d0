import type { Database } from 'better-sqlite3';
import type { ServerEvent } from '../../shared/contract';
import { EventLog } from './event-log';
import { removeUnkeptFiles, storedHashesOf } from './media-files';

/** Whose history to erase: a customer by phone-based or business-scoped id, on one business number or all. */
export type ErasureTarget = { waId?: string; userId?: string; phoneNumberId?: string };

/** Deliveries still wait to be processed: erasing now could bring the customer back when they are. */
export class ErasureDeferredError extends Error {}

/** How many rows of each kind an erasure removed. */
export type ErasureReport = {
  conversations: number;
  messages: number;
  status_history: number;
  reactions: number;
  early_statuses: number;
  message_edits: number;
  outbox: number;
  events: number;
  webhook_deliveries: number;
  /** Download jobs of their files, and the files themselves (a file another customer also sent stays). */
  media_jobs: number;
  media_files: number;
};

/**
 * Erases a customer (a privacy request): their conversations and messages, everything hanging off
 * those messages, the events that carried them, the search index entries, and every raw webhook
 * delivery that mentions them, in one transaction. With `secure_delete` on, SQLite overwrites what
 * it deletes, so nothing of them stays readable in the file; afterwards the search index is
 * rewritten (its deleted entries are otherwise only marked) and the WAL is emptied.
 */
export function eraseCustomer(db: Database, target: ErasureTarget, mediaDir: string): ErasureReport {
  const ids = [target.waId, target.userId].filter((id): id is string => typeof id === 'string' && id.length > 0);
  if (ids.length === 0) throw new Error('eraseCustomer needs a wa_id or a user_id');
  const pending = db.prepare("SELECT count(*) FROM webhook_log WHERE outcome = 'received'").pluck().get() as number;
  if (pending > 0) throw new ErasureDeferredError(`${pending} webhook deliveries are still being processed: erase again in a moment, once they are`);
  const conversations = db
    .prepare<{ ids: string; phone: string | null }, number>(
      `SELECT id FROM conversations
       WHERE (wa_id IN (SELECT value FROM json_each(@ids)) OR user_id IN (SELECT value FROM json_each(@ids)))
         AND (@phone IS NULL OR phone_number_id = @phone)`,
    )
    .pluck()
    .all({ ids: JSON.stringify(ids), phone: target.phoneNumberId ?? null });
  const list = JSON.stringify(conversations);
  // The raw bytes hold ids as JSON strings: match them quoted, so 3460011 never matches 34600111.
  const quoted = ids.map((id) => Buffer.from(JSON.stringify(id)));
  // The app's connections always run with secure_delete on (openDatabase); so does this one.
  db.pragma('secure_delete = ON');
  let hashes: string[] = [];
  const report = db.transaction((): Omit<ErasureReport, 'media_files'> => {
    // Read under the write lock: a download the gateway records meanwhile waits, then finds its row gone.
    hashes = storedHashesOf(db, 'SELECT id FROM messages WHERE conversation_id IN (SELECT value FROM json_each(@list))', { list });
    const messageIds = `SELECT id FROM messages WHERE conversation_id IN (SELECT value FROM json_each(@list))`;
    const wamids = `SELECT wamid FROM messages WHERE conversation_id IN (SELECT value FROM json_each(@list)) AND wamid IS NOT NULL`;
    const run = (sql: string) => db.prepare(sql).run({ list }).changes;
    const counts = {
      status_history: run(`DELETE FROM status_history WHERE message_id IN (${messageIds})`),
      reactions: run(`DELETE FROM reactions WHERE target_wamid IN (${wamids})`),
      early_statuses: run(`DELETE FROM early_statuses WHERE wamid IN (${wamids})`),
      message_edits: run(`DELETE FROM message_edits WHERE message_id IN (${messageIds})`),
      outbox: run(`DELETE FROM outbox WHERE message_id IN (${messageIds})`),
      media_jobs: run(`DELETE FROM media_files WHERE message_id IN (${messageIds})`),
      events: run(`DELETE FROM events WHERE json_extract(body_json, '$.conversation_id') IN (SELECT value FROM json_each(@list))`),
      messages: run(`DELETE FROM messages WHERE conversation_id IN (SELECT value FROM json_each(@list))`),
      conversations: run(`DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(@list))`),
      webhook_deliveries: quoted.reduce((sum, id) => sum + db.prepare('DELETE FROM webhook_log WHERE instr(body, ?) > 0').run(id).changes, 0),
    };
    // Relays of the deliveries just removed go with them (ids and statuses only, but nothing is left pointing at nothing).
    db.prepare('DELETE FROM forward_attempts WHERE delivery_id NOT IN (SELECT id FROM webhook_log)').run();
    const { conversations: erased, messages, status_history, reactions, early_statuses, message_edits, outbox, events, webhook_deliveries, media_jobs } = counts;
    announceRemoved(db, conversations, 'erased');
    return { conversations: erased, messages, status_history, reactions, early_statuses, message_edits, outbox, events, webhook_deliveries, media_jobs };
  }).immediate();
  const mediaFiles = removeUnkeptFiles(db, mediaDir, hashes);
  // Deleted search entries are only marked until their segments are rewritten.
  db.prepare("INSERT INTO message_search (message_search) VALUES ('optimize')").run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { ...report, media_files: mediaFiles };
}

// Clients with a removed conversation open or listed learn it from the log, like any change.
function announceRemoved(db: Database, conversationIds: readonly number[], reason: 'erased' | 'retention'): ServerEvent[] {
  const log = new EventLog(db);
  const nowMs = Date.now();
  return conversationIds.map((id) => log.append({ type: 'conversation_removed', conversation_id: id, reason }, nowMs));
}

/** What one round of history retention removed. */
export type RetentionRound = { messages: number; conversations: number; mediaFiles: number; events: ServerEvent[] };

/**
 * Deletes up to `limit` of the oldest messages older than `cutoffMs` (Meta's time), with what hangs
 * off them, and the conversations left with no message, in one transaction: retention of history
 * works the way erasure does, a bounded round at a time so it never holds the event loop long.
 */
export function pruneHistory(db: Database, cutoffMs: number, limit: number, mediaDir: string): RetentionRound {
  let hashes: string[] = [];
  const round = db
    .transaction((): Omit<RetentionRound, 'mediaFiles'> => {
      const ids = db
        .prepare<[number, number], number>('SELECT id FROM messages WHERE timestamp < ? ORDER BY timestamp LIMIT ?')
        .pluck()
        .all(cutoffMs, limit);
      if (ids.length === 0) return { messages: 0, conversations: 0, events: [] };
      const list = JSON.stringify(ids);
      hashes = storedHashesOf(db, 'SELECT value FROM json_each(@list)', { list });
      const run = (sql: string) => db.prepare(sql).run({ list }).changes;
      const chosen = 'SELECT value FROM json_each(@list)';
      const wamids = `SELECT wamid FROM messages WHERE id IN (${chosen}) AND wamid IS NOT NULL`;
      run(`DELETE FROM status_history WHERE message_id IN (${chosen})`);
      run(`DELETE FROM reactions WHERE target_wamid IN (${wamids})`);
      run(`DELETE FROM message_edits WHERE message_id IN (${chosen})`);
      run(`DELETE FROM outbox WHERE message_id IN (${chosen})`);
      run(`DELETE FROM media_files WHERE message_id IN (${chosen})`);
      const affected = db.prepare<{ list: string }, number>(`SELECT DISTINCT conversation_id FROM messages WHERE id IN (${chosen})`).pluck().all({ list });
      const messages = run(`DELETE FROM messages WHERE id IN (${chosen})`);
      const emptied = db
        .prepare<{ affected: string }, number>(
          `DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(@affected)) AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id) RETURNING id`,
        )
        .pluck()
        .all({ affected: JSON.stringify(affected) });
      return { messages, conversations: emptied.length, events: announceRemoved(db, emptied, 'retention') };
    })
    .immediate();
  return { ...round, mediaFiles: removeUnkeptFiles(db, mediaDir, hashes) };
}
