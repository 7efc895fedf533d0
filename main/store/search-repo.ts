import type { Database } from 'better-sqlite3';
import type { Message } from '../../shared/contract';
import { SELECT_MESSAGE, toMessage, type MessageCursor, type MessageRow } from './message-repo';
import { searchBody } from './migrations';

/** A message found by search, with what filters and the result need of its conversation. */
export type SearchRow = { key: number; message: Message; conversationName: string; phoneNumberId: string; conversationUnread: number };

/** Search keys of a half-open range [from, before), newest first. */
export type KeyRange = { before: number; from: number };

type JoinedRow = MessageRow & { search_key: number; conversation_name: string; conversation_phone_number_id: string; conversation_unread: number };

/**
 * The queries behind search, named so that tests can assert their plans. The index's rowid is the
 * message's search key (Meta's time, then arrival), so `ORDER BY rowid DESC` is newest first; the
 * direct scans walk the key indexes in the same order.
 */
export const SEARCH_SQL = {
  match: 'SELECT rowid FROM message_search WHERE message_search MATCH ? AND rowid < ? AND rowid >= ? ORDER BY rowid DESC LIMIT ?',
  // The thread's own order and index (Meta's time, then id), so a conversation costs no index of its
  // own; the cursor as a row value, so the index range starts there (see HISTORY_SQL).
  scanInConversation: `SELECT search_key, text, timestamp, id FROM messages WHERE conversation_id = ? AND (timestamp, id) < (?, ?) AND timestamp >= ?
    ORDER BY timestamp DESC, id DESC LIMIT ?`,
  scanTexts: 'SELECT search_key, text FROM messages WHERE search_key < ? AND search_key >= ? ORDER BY search_key DESC LIMIT ?',
  // By id from the cursor (the unary + keeps the planner off the key index, which would walk all
  // of history to find the few unindexed rows); sorted in JavaScript.
  tail: 'SELECT search_key, text FROM messages WHERE id > (SELECT indexed_through FROM search_state) AND +search_key < ? AND +search_key >= ?',
  textsOf: 'SELECT search_key, text FROM messages WHERE search_key IN (SELECT value FROM json_each(?))',
} as const;

/** A message stored but not indexed yet: its key and text, for search to check directly. */
export type TailRow = { search_key: number; text: string };

/** A message of one conversation read for search: its key, text and place in the thread. */
export type ThreadRow = TailRow & { timestamp: number; id: number };

/** Full-text search over the message index (FTS5 trigram) and the messages it points to. */
export class SearchRepo {
  private readonly match;
  private readonly byKeys;
  private readonly conversationTexts;
  private readonly allTexts;
  private readonly tailRows;
  private readonly textsByKeys;
  private readonly indexedThroughRow;
  private readonly unindexed;
  private readonly nextBatch;
  private readonly indexRows;
  private readonly advance;
  private readonly indexBatchTx;

  constructor(db: Database) {
    this.conversationTexts = db.prepare<[number, number, number, number, number], ThreadRow>(SEARCH_SQL.scanInConversation);
    this.tailRows = db.prepare<[number, number], TailRow>(SEARCH_SQL.tail);
    this.textsByKeys = db.prepare<[string], TailRow>(SEARCH_SQL.textsOf);
    this.allTexts = db.prepare<[number, number, number], { search_key: number; text: string }>(SEARCH_SQL.scanTexts);
    this.indexedThroughRow = db.prepare<[], number>('SELECT indexed_through FROM search_state').pluck();
    this.unindexed = db.prepare<[number, number], { id: number }>('SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?');
    this.nextBatch = db.prepare<[number, number], { through: number | null; count: number }>(
      'SELECT max(id) AS through, count(*) AS count FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)',
    );
    this.indexRows = db.prepare<[number, number]>(
      `INSERT INTO message_search (rowid, body) SELECT search_key, ${searchBody('messages')} FROM messages WHERE id > ? AND id <= ? AND search_key IS NOT NULL`,
    );
    this.advance = db.prepare<[number]>('UPDATE search_state SET indexed_through = ?');
    // One transaction per batch: a segment per batch, not per webhook commit.
    this.indexBatchTx = db.transaction((limit: number): number => {
      const from = this.indexedThroughRow.get() ?? 0;
      const batch = this.nextBatch.get(from, limit);
      if (!batch || batch.through === null) return 0;
      this.indexRows.run(from, batch.through);
      this.advance.run(batch.through);
      return batch.count;
    });
    this.match = db.prepare<[string, number, number, number], number>(SEARCH_SQL.match).pluck();
    this.byKeys = db.prepare<[string], JoinedRow>(
      `${SELECT_MESSAGE.replace('SELECT m.*,', 'SELECT m.*, c.name AS conversation_name, c.phone_number_id AS conversation_phone_number_id, c.unread_count AS conversation_unread,')}
       JOIN conversations c ON c.id = m.conversation_id WHERE m.search_key IN (SELECT value FROM json_each(?))`,
    );
  }

  /** Keys of indexed messages whose text holds every phrase of `ftsQuery`, newest first. */
  matching(ftsQuery: string, range: KeyRange, limit: number): number[] {
    return this.match.all(ftsQuery, range.before, range.from, limit);
  }

  /** Keys and texts of messages in the range, newest first: searched directly. */
  texts(range: KeyRange, limit: number): TailRow[] {
    return this.allTexts.all(range.before, range.from, limit);
  }

  /** One conversation's messages before `cursor` and from `fromMs` on, newest first: searched directly. */
  threadTexts(conversationId: number, cursor: MessageCursor, fromMs: number, limit: number): ThreadRow[] {
    return this.conversationTexts.all(conversationId, cursor.timestampMs, cursor.id, fromMs, limit);
  }

  /** The keys and texts of `keys` (in no particular order): enough to check terms, without reading whole messages. */
  textsOf(keys: readonly number[]): TailRow[] {
    return this.textsByKeys.all(JSON.stringify(keys));
  }

  /** Messages in the range that are stored but not indexed yet, newest first: a handful, or none. */
  tail(range: KeyRange): TailRow[] {
    return this.tailRows.all(range.before, range.from).sort((a, b) => b.search_key - a.search_key);
  }

  /** Indexes up to `limit` messages not indexed yet, in one transaction; returns how many. */
  indexBatch(limit: number): number {
    return this.indexBatchTx.immediate(limit);
  }

  /** Whether messages wait to be indexed. */
  hasUnindexed(): boolean {
    return this.unindexed.get(this.indexedThroughRow.get() ?? 0, 1) !== undefined;
  }

  /** The messages of `keys`, in the order of `keys`. */
  rows(keys: readonly number[]): SearchRow[] {
    const found = new Map(
      this.byKeys.all(JSON.stringify(keys)).map((row) => [
        row.search_key,
        { key: row.search_key, message: toMessage(row), conversationName: row.conversation_name, phoneNumberId: row.conversation_phone_number_id, conversationUnread: row.conversation_unread },
      ]),
    );
    return keys.flatMap((key) => found.get(key) ?? []);
  }
}
