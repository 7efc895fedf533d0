import type { Database, RunResult } from 'better-sqlite3';
import type { DeliveryError, Message, MessageContent, MessageStatus, Reaction, TimestampSource } from '../../shared/contract';
import { mediaKindOf } from '../../shared/domain/media-limits';
import { MEDIA_FILE_JSON, toMediaFile, type MediaRepo } from './media-repo';
import { SEARCH_KEY_LOW_BITS, searchKeyBase } from './migrations';

const LOW_SLOTS = 2 ** SEARCH_KEY_LOW_BITS;

function isSearchKeyTaken(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && String((error as Error).message).includes('messages.search_key');
}

/** A messages row as selected with its reactions. */
export type MessageRow = {
  id: number;
  conversation_id: number;
  wamid: string | null;
  direction: 'in' | 'out';
  type: string;
  text: string;
  timestamp: number;
  status: MessageStatus;
  error_json: string | null;
  reply_to: string | null;
  content_json: string;
  edited_at: number | null;
  revoked_at: number | null;
  timestamp_source: TimestampSource | null;
  imported: number;
  sent_by: string | null;
  reply_to_id: number | null;
  reactions_json: string;
  media_json: string | null;
};

/** An edit of a stored message, by its own wamid, with Meta's time and its arrival. */
export type MessageEdit = { editWamid: string; type: string; text: string; content: MessageContent; timestampMs: number; receivedAtMs: number };

/**
 * The history queries behind paging, named so that tests can assert their plans (each must search
 * `messages_by_conversation`, never scan): at a million messages a lost index is seconds per page.
 */
export const HISTORY_SQL = {
  // Cursors compare as row values: the index range then starts at the cursor. The same test
  // spelled with OR is only a filter, and walks the whole conversation from one end (4.5 ms a
  // query at 100,000 messages in one thread, growing with it).
  pageBefore: `WHERE m.conversation_id = ? AND (m.timestamp, m.id) < (?, ?) ORDER BY m.timestamp DESC, m.id DESC LIMIT ?`,
  pageAfter: `WHERE m.conversation_id = ? AND (m.timestamp, m.id) > (?, ?) ORDER BY m.timestamp, m.id LIMIT ?`,
  anyBefore: 'SELECT 1 FROM messages WHERE conversation_id = ? AND (timestamp, id) < (?, ?) LIMIT 1',
  anyAfter: 'SELECT 1 FROM messages WHERE conversation_id = ? AND (timestamp, id) > (?, ?) LIMIT 1',
  position: 'SELECT timestamp, id FROM messages WHERE id = ? AND conversation_id = ?',
} as const;

/** A message to store; `wamid` is null for an outbound send not yet accepted by Meta. */
export type NewMessage = Pick<MessageRow, 'conversation_id' | 'wamid' | 'direction' | 'type' | 'text' | 'timestamp' | 'status' | 'reply_to'> & {
  content: MessageContent;
  error: DeliveryError | undefined;
  raw: unknown;
  /** An agent's idempotency key for a send (absent for received messages). */
  client_message_id?: string;
  /** `received` when arrival time stands in for an unusable timestamp of Meta's. */
  timestamp_source?: TimestampSource;
  /** Synced from the WhatsApp Business app's history rather than received live. */
  imported?: boolean;
  /** The agent who sent it from Switchboard (absent for received messages and echoes). */
  sent_by?: string;
};

/** A status seen for a wamid, with Meta's timestamp. */
export type StatusRecord = { status: MessageStatus; timestampMs: number; error: DeliveryError | undefined };

/** Position of a message in its conversation's order (Meta timestamp, then arrival), as a page cursor. */
export type MessageCursor = { timestampMs: number; id: number };

/** One entry of a message's status history ("message info"). */
export type StatusHistoryEntry = { status: MessageStatus; timestampMs: number; error: DeliveryError | undefined };

// Reactions are joined by wamid at read time, so a reaction that arrived before its message
// appears as soon as the message is stored.
/** Every column of a message, with its reactions joined by wamid and its file's archive state. */
export const SELECT_MESSAGE = `SELECT m.*, (SELECT json_group_array(json_object('emoji', r.emoji, 'from', r.reactor)) FROM reactions r
  WHERE r.target_wamid = m.wamid AND r.emoji IS NOT NULL) AS reactions_json, ${MEDIA_FILE_JSON} AS media_json,
  (SELECT q.id FROM messages q WHERE q.wamid = m.reply_to) AS reply_to_id FROM messages m`;

function parseError(json: string | null): DeliveryError | undefined {
  return json ? (JSON.parse(json) as DeliveryError) : undefined;
}

/** A stored row as the contract's Message. */
export function toMessage(row: MessageRow): Message {
  const error = parseError(row.error_json);
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    wamid: row.wamid,
    direction: row.direction,
    type: row.type,
    text: row.text,
    timestamp: new Date(row.timestamp).toISOString(),
    status: row.status,
    ...(error ? { error } : {}),
    reply_to: row.reply_to,
    ...(row.reply_to_id !== null ? { reply_to_id: row.reply_to_id } : {}),
    content: JSON.parse(row.content_json) as MessageContent,
    reactions: JSON.parse(row.reactions_json) as Reaction[],
    edited_at: row.edited_at === null ? null : new Date(row.edited_at).toISOString(),
    revoked: row.revoked_at !== null,
    ...(row.timestamp_source === 'received' ? { timestamp_source: 'received' as const } : {}),
    ...(row.imported ? { imported: true as const } : {}),
    ...(row.media_json ? { media_file: toMediaFile(row.media_json) } : {}),
    ...(row.sent_by !== null ? { sent_by: row.sent_by } : {}),
  };
}

function errorJson(error: DeliveryError | undefined): string | null {
  return error ? JSON.stringify(error) : null;
}

/** Messages, their status history, reactions, and statuses waiting for a message that is not stored yet. */
export class MessageRepo {
  private readonly insertRow;
  private readonly byId;
  private readonly byWamid;
  private readonly idByWamid;
  private readonly pageRows;
  private readonly pageAfterRows;
  private readonly positionRow;
  private readonly anyBefore;
  private readonly anyAfter;
  private readonly setWamidRow;
  private readonly setStatusRow;
  private readonly addHistory;
  private readonly historyRows;
  private readonly addEarly;
  private readonly earlyFor;
  private readonly dropEarly;
  private readonly upsertReaction;
  private readonly editRow;
  private readonly recordEditRow;
  private readonly fillPlaceholderRow;
  private readonly newestKey;
  /** Spreads the messages of one second over its key slots in arrival order. */
  private nextLow = 0;
  private readonly revokeRow;
  private readonly reactionsFor;
  private readonly byClientId;
  // Supersets of the wamids that have held statuses / reactions, so the common case (a new message
  // nobody reacted to and with no early status) skips both queries. Never removing from them is
  // what keeps them safe across rolled-back transactions.
  private readonly earlyWamids: Set<string>;
  private readonly reactionTargets: Set<string>;

  constructor(
    db: Database,
    private readonly media: MediaRepo,
  ) {
    this.earlyWamids = new Set(db.prepare('SELECT DISTINCT wamid FROM early_statuses').pluck().all() as string[]);
    this.reactionTargets = new Set(db.prepare('SELECT DISTINCT target_wamid FROM reactions').pluck().all() as string[]);
    this.reactionsFor = db.prepare<[string], Reaction>(
      "SELECT emoji, reactor AS 'from' FROM reactions WHERE target_wamid = ? AND emoji IS NOT NULL ORDER BY timestamp",
    );
    this.insertRow = db.prepare<
      [number, string | null, string, string, string, number, MessageStatus, string | null, string | null, string, string, number, string | null, string | null, number, number, string | null]
    >(
      `INSERT INTO messages (conversation_id, wamid, direction, type, text, timestamp, status, error_json, reply_to, content_json, raw_json, received_at, client_message_id, timestamp_source, search_key, imported, sent_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (wamid) DO NOTHING`,
    );
    this.newestKey = db.prepare<[], number | null>('SELECT max(search_key) FROM messages').pluck();
    this.byId = db.prepare<[number], MessageRow>(`${SELECT_MESSAGE} WHERE m.id = ?`);
    this.byWamid = db.prepare<[string], MessageRow>(`${SELECT_MESSAGE} WHERE m.wamid = ?`);
    this.idByWamid = db.prepare<[string], number>('SELECT id FROM messages WHERE wamid = ?').pluck();
    this.byClientId = db.prepare<[string], MessageRow>(`${SELECT_MESSAGE} WHERE m.client_message_id = ?`);
    this.pageRows = db.prepare<[number, number, number, number], MessageRow>(`${SELECT_MESSAGE} ${HISTORY_SQL.pageBefore}`);
    this.pageAfterRows = db.prepare<[number, number, number, number], MessageRow>(`${SELECT_MESSAGE} ${HISTORY_SQL.pageAfter}`);
    this.anyBefore = db.prepare<[number, number, number], number>(HISTORY_SQL.anyBefore).pluck();
    this.anyAfter = db.prepare<[number, number, number], number>(HISTORY_SQL.anyAfter).pluck();
    this.positionRow = db.prepare<[number, number], { timestamp: number; id: number }>(HISTORY_SQL.position);
    this.setWamidRow = db.prepare<[string | null, number]>('UPDATE messages SET wamid = ? WHERE id = ?');
    this.setStatusRow = db.prepare<[MessageStatus, string | null, number]>('UPDATE messages SET status = ?, error_json = ? WHERE id = ?');
    this.addHistory = db.prepare<[number, MessageStatus, number, string | null]>(
      'INSERT OR IGNORE INTO status_history (message_id, status, timestamp, error_json) VALUES (?, ?, ?, ?)',
    );
    this.historyRows = db.prepare<[number], { status: MessageStatus; timestamp: number; error_json: string | null }>(
      'SELECT status, timestamp, error_json FROM status_history WHERE message_id = ? ORDER BY timestamp, rowid',
    );
    this.addEarly = db.prepare<[string, MessageStatus, number, string | null]>(
      'INSERT OR IGNORE INTO early_statuses (wamid, status, timestamp, error_json) VALUES (?, ?, ?, ?)',
    );
    this.earlyFor = db.prepare<[string], { status: MessageStatus; timestamp: number; error_json: string | null }>(
      'SELECT status, timestamp, error_json FROM early_statuses WHERE wamid = ? ORDER BY timestamp',
    );
    this.dropEarly = db.prepare<[string]>('DELETE FROM early_statuses WHERE wamid = ?');
    // Newest wins, by Meta's timestamp: a reaction and its removal may arrive in either order.
    this.upsertReaction = db.prepare<[string, string, string | null, number]>(
      `INSERT INTO reactions (target_wamid, reactor, emoji, timestamp) VALUES (?, ?, ?, ?)
       ON CONFLICT (target_wamid, reactor) DO UPDATE SET emoji = excluded.emoji, timestamp = excluded.timestamp
       WHERE excluded.timestamp >= reactions.timestamp AND emoji IS NOT excluded.emoji`,
    );
    // Only an edit newer than the text it replaces (Meta's time, then arrival) is applied: Meta
    // redelivers and reorders, and a late older edit must not bring back text the sender replaced.
    this.editRow = db.prepare<[string, string, string, number, number, number, number, number, number]>(
      `UPDATE messages SET type = ?, text = ?, content_json = ?, edited_at = ?, edit_received_at = ?
       WHERE id = ? AND revoked_at IS NULL
         AND (coalesce(edited_at, timestamp) < ? OR (coalesce(edited_at, timestamp) = ? AND coalesce(edit_received_at, received_at) < ?))`,
    );
    this.fillPlaceholderRow = db.prepare<[string, string, string, number]>(
      "UPDATE messages SET type = ?, text = ?, content_json = ? WHERE id = ? AND type = 'media_placeholder'",
    );
    this.recordEditRow = db.prepare<[string, number, number, number]>(
      'INSERT INTO message_edits (edit_wamid, message_id, timestamp, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (edit_wamid) DO NOTHING',
    );
    this.revokeRow = db.prepare<[number, number]>(
      "UPDATE messages SET text = '', content_json = '{}', revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    );
  }

  /** Stores a message; returns null when its wamid is already stored (Meta redelivers). */
  insert(message: NewMessage, receivedAtMs: number): Message | null {
    const { content, error } = message;
    const info = this.insertWithSearchKey(message, receivedAtMs);
    if (info.changes === 0) return null;
    const id = Number(info.lastInsertRowid);
    const quotedId = message.reply_to ? this.idByWamid.get(message.reply_to) : undefined;
    const archived = this.archiveMedia(id, message.conversation_id, message.type, content, receivedAtMs);
    // Built from what was written rather than read back, for the same reason.
    return {
      id,
      conversation_id: message.conversation_id,
      wamid: message.wamid,
      direction: message.direction,
      type: message.type,
      text: message.text,
      timestamp: new Date(message.timestamp).toISOString(),
      status: message.status,
      ...(error ? { error } : {}),
      reply_to: message.reply_to,
      ...(quotedId !== undefined ? { reply_to_id: quotedId } : {}),
      content,
      reactions: message.wamid && this.reactionTargets.has(message.wamid) ? this.reactionsFor.all(message.wamid) : [],
      edited_at: null,
      revoked: false,
      ...(message.timestamp_source === 'received' ? { timestamp_source: 'received' as const } : {}),
      ...(message.imported ? { imported: true as const } : {}),
      ...(archived ? { media_file: { state: 'pending' as const, attempts: 0, next_attempt_at: new Date(receivedAtMs).toISOString() } } : {}),
      ...(message.sent_by !== undefined ? { sent_by: message.sent_by } : {}),
    };
  }

  // A file WhatsApp holds for us only 7 days gets a durable download job in the transaction that
  // stores its message: committed together, so a crash can lose neither.
  private archiveMedia(messageId: number, conversationId: number, type: string, content: MessageContent, receivedAtMs: number): boolean {
    const media = content.media;
    if (!media?.id || mediaKindOf(type) === null) return false;
    this.media.enqueue({ messageId, conversationId, mediaId: media.id, kind: type, expectedSha256: media.sha256 ?? null, receivedAtMs });
    return true;
  }

  /**
   * Inserts with a search key in the second of `timestampMs` (the search index's rowid, so that
   * results come newest first by Meta's time), taking the next slot of that second. A slot is
   * rarely taken already (a message of the same second that arrived 32,768 messages apart): the
   * unique index refuses it and the next slot is tried, which costs nothing in the common case.
   */
  private insertWithSearchKey(message: NewMessage, receivedAtMs: number): RunResult {
    const base = searchKeyBase(message.timestamp);
    for (let probe = 0; probe <= LOW_SLOTS; probe += 1) {
      // Every slot of that second taken: the next free key after all others.
      const key = probe < LOW_SLOTS ? base + ((this.nextLow + probe) % LOW_SLOTS) : (this.newestKey.get() ?? base) + 1;
      try {
        const info = this.runInsert(message, receivedAtMs, key);
        this.nextLow = (this.nextLow + probe + 1) % LOW_SLOTS;
        return info;
      } catch (error) {
        if (!isSearchKeyTaken(error)) throw error;
      }
    }
    throw new Error('no free search key');
  }

  // Positional parameters: this runs for every ingested message, and binding by name costs more.
  private runInsert(message: NewMessage, receivedAtMs: number, searchKey: number): RunResult {
    return this.insertRow.run(
      message.conversation_id,
      message.wamid,
      message.direction,
      message.type,
      message.text,
      message.timestamp,
      message.status,
      errorJson(message.error),
      message.reply_to,
      JSON.stringify(message.content),
      JSON.stringify(message.raw ?? null),
      receivedAtMs,
      message.client_message_id ?? null,
      message.timestamp_source === 'received' ? 'received' : null,
      searchKey,
      message.imported ? 1 : 0,
      message.sent_by ?? null,
    );
  }

  get(id: number): Message | undefined {
    const row = this.byId.get(id);
    return row && toMessage(row);
  }

  findByWamid(wamid: string): Message | undefined {
    const row = this.byWamid.get(wamid);
    return row && toMessage(row);
  }

  /** The send an agent's client message id names, if any. */
  findByClientId(clientMessageId: string): Message | undefined {
    const row = this.byClientId.get(clientMessageId);
    return row && toMessage(row);
  }

  /** Up to `limit` messages before `cursor` (newest page when absent), returned oldest first. */
  page(conversationId: number, cursor: MessageCursor | null, limit: number): Message[] {
    const ts = cursor?.timestampMs ?? Number.MAX_SAFE_INTEGER;
    const id = cursor?.id ?? Number.MAX_SAFE_INTEGER;
    return this.pageRows.all(conversationId, ts, id, limit).reverse().map(toMessage);
  }

  /** Up to `limit` messages after `cursor`, oldest first. */
  pageAfter(conversationId: number, cursor: MessageCursor, limit: number): Message[] {
    return this.pageAfterRows.all(conversationId, cursor.timestampMs, cursor.id, limit).map(toMessage);
  }

  /** Whether the conversation holds a message before (`older`) or after `cursor`. */
  hasBeyond(conversationId: number, cursor: MessageCursor, older: boolean): boolean {
    const probe = older ? this.anyBefore : this.anyAfter;
    return probe.get(conversationId, cursor.timestampMs, cursor.id) !== undefined;
  }

  /** Where a message stands in its conversation's order; undefined when it is not in that conversation. */
  position(conversationId: number, messageId: number): MessageCursor | undefined {
    const row = this.positionRow.get(messageId, conversationId);
    return row && { timestampMs: row.timestamp, id: row.id };
  }

  /** Records Meta's id for a send; null forgets the id of a failed attempt before a Retry. */
  setWamid(id: number, wamid: string | null): void {
    this.setWamidRow.run(wamid, id);
  }

  setStatus(id: number, status: MessageStatus, error: DeliveryError | undefined): void {
    this.setStatusRow.run(status, errorJson(error), id);
  }

  /** Appends to the "message info" history; a repeated (message, status) keeps its first timestamp. */
  recordHistory(id: number, record: StatusRecord): void {
    this.addHistory.run(id, record.status, record.timestampMs, errorJson(record.error));
  }

  /** The status history of a message, oldest first, with Meta's timestamps. */
  history(id: number): StatusHistoryEntry[] {
    return this.historyRows.all(id).map((row) => ({ status: row.status, timestampMs: row.timestamp, error: parseError(row.error_json) }));
  }

  /** Keeps a status whose message is not stored yet. */
  holdEarlyStatus(wamid: string, record: StatusRecord): void {
    this.earlyWamids.add(wamid);
    this.addEarly.run(wamid, record.status, record.timestampMs, errorJson(record.error));
  }

  /** Removes and returns the statuses held for `wamid`, oldest first. */
  takeEarlyStatuses(wamid: string): StatusRecord[] {
    if (!this.earlyWamids.has(wamid)) return [];
    const rows = this.earlyFor.all(wamid);
    if (rows.length > 0) this.dropEarly.run(wamid);
    return rows.map((row) => ({ status: row.status, timestampMs: row.timestamp, error: parseError(row.error_json) }));
  }

  /** Sets (emoji) or removes (null) a reaction; returns whether what is shown changed. */
  react(targetWamid: string, from: Reaction['from'], emoji: string | null, timestampMs: number): boolean {
    this.reactionTargets.add(targetWamid);
    return this.upsertReaction.run(targetWamid, from, emoji, timestampMs).changes > 0;
  }

  /**
   * Replaces the text and content of an edited message when the edit is newer than what is shown;
   * returns whether it did. A repeated edit wamid changes nothing; a deleted message stays deleted.
   */
  edit(id: number, edit: MessageEdit): boolean {
    if (this.recordEditRow.run(edit.editWamid, id, edit.timestampMs, edit.receivedAtMs).changes === 0) return false;
    const { timestampMs: at, receivedAtMs } = edit;
    return this.editRow.run(edit.type, edit.text, JSON.stringify(edit.content), at, receivedAtMs, id, at, at, receivedAtMs).changes > 0;
  }

  /** Gives a synced `media_placeholder` its media, from the history webhook that carries it; returns whether it did. */
  fillPlaceholder(id: number, fill: { type: string; text: string; content: MessageContent }, receivedAtMs: number): boolean {
    if (this.fillPlaceholderRow.run(fill.type, fill.text, JSON.stringify(fill.content), id).changes === 0) return false;
    const conversationId = this.byId.get(id)?.conversation_id;
    if (conversationId !== undefined) this.archiveMedia(id, conversationId, fill.type, fill.content, receivedAtMs);
    return true;
  }

  /** Withdraws a message its sender deleted: its text and content are removed, the bubble stays. */
  revoke(id: number, timestampMs: number): boolean {
    return this.revokeRow.run(timestampMs, id).changes > 0;
  }
}

/** Where a message stands in its conversation's order. */
export function cursorOf(message: Message): MessageCursor {
  return { timestampMs: Date.parse(message.timestamp), id: message.id };
}

/** Encodes a cursor as the opaque string clients pass back as `before` or `after`. */
export function encodeCursor(message: Message): string {
  return `${Date.parse(message.timestamp)}_${message.id}`;
}

/** Decodes a `before` cursor; null when it is not one this gateway made. */
export function decodeCursor(value: string): MessageCursor | null {
  const match = /^(\d{1,15})_(\d{1,15})$/.exec(value);
  return match ? { timestampMs: Number(match[1]), id: Number(match[2]) } : null;
}
