import type { Database } from 'better-sqlite3';
import type { DeliveryError, Message, MessageStatus } from '../../shared/contract';

type MessageRow = {
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
};

/** A message to store; `wamid` is null for an outbound send not yet accepted by Meta. */
export type NewMessage = Omit<MessageRow, 'id' | 'error_json'> & { raw: unknown };

/** A status seen for a wamid, with Meta's timestamp. */
export type StatusRecord = { status: MessageStatus; timestampMs: number; error: DeliveryError | undefined };

/** Position of a message in its conversation's order (Meta timestamp, then arrival), as a page cursor. */
export type MessageCursor = { timestampMs: number; id: number };

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    wamid: row.wamid,
    direction: row.direction,
    type: row.type,
    text: row.text,
    timestamp: new Date(row.timestamp).toISOString(),
    status: row.status,
    ...(row.error_json ? { error: JSON.parse(row.error_json) as DeliveryError } : {}),
    reply_to: row.reply_to,
  };
}

function errorJson(error: DeliveryError | undefined): string | null {
  return error ? JSON.stringify(error) : null;
}

/** Messages, their status history, and statuses waiting for a message that is not stored yet. */
export class MessageRepo {
  private readonly insertRow;
  private readonly byId;
  private readonly byWamid;
  private readonly pageRows;
  private readonly setWamidRow;
  private readonly setStatusRow;
  private readonly addHistory;
  private readonly addEarly;
  private readonly earlyFor;
  private readonly dropEarly;

  constructor(db: Database) {
    this.insertRow = db.prepare(
      `INSERT INTO messages (conversation_id, wamid, direction, type, text, timestamp, status, reply_to, raw_json, received_at)
       VALUES (@conversation_id, @wamid, @direction, @type, @text, @timestamp, @status, @reply_to, @raw_json, @received_at)
       ON CONFLICT (wamid) DO NOTHING`,
    );
    this.byId = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE id = ?');
    this.byWamid = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE wamid = ?');
    this.pageRows = db.prepare<[number, number, number, number, number], MessageRow>(
      `SELECT * FROM messages WHERE conversation_id = ? AND (timestamp < ? OR (timestamp = ? AND id < ?))
       ORDER BY timestamp DESC, id DESC LIMIT ?`,
    );
    this.setWamidRow = db.prepare<[string, number]>('UPDATE messages SET wamid = ? WHERE id = ?');
    this.setStatusRow = db.prepare<[MessageStatus, string | null, number]>(
      'UPDATE messages SET status = ?, error_json = ? WHERE id = ?',
    );
    this.addHistory = db.prepare<[number, MessageStatus, number, string | null]>(
      'INSERT OR IGNORE INTO status_history (message_id, status, timestamp, error_json) VALUES (?, ?, ?, ?)',
    );
    this.addEarly = db.prepare<[string, MessageStatus, number, string | null]>(
      'INSERT OR IGNORE INTO early_statuses (wamid, status, timestamp, error_json) VALUES (?, ?, ?, ?)',
    );
    this.earlyFor = db.prepare<[string], { status: MessageStatus; timestamp: number; error_json: string | null }>(
      'SELECT status, timestamp, error_json FROM early_statuses WHERE wamid = ? ORDER BY timestamp',
    );
    this.dropEarly = db.prepare<[string]>('DELETE FROM early_statuses WHERE wamid = ?');
  }

  /** Stores a message; returns null when its wamid is already stored (Meta redelivers). */
  insert(message: NewMessage, receivedAtMs: number): Message | null {
    const { raw, ...columns } = message;
    const info = this.insertRow.run({ ...columns, raw_json: JSON.stringify(raw ?? null), received_at: receivedAtMs });
    return info.changes === 0 ? null : this.get(Number(info.lastInsertRowid)) ?? null;
  }

  get(id: number): Message | undefined {
    const row = this.byId.get(id);
    return row && toMessage(row);
  }

  findByWamid(wamid: string): Message | undefined {
    const row = this.byWamid.get(wamid);
    return row && toMessage(row);
  }

  /** Up to `limit` messages before `cursor` (newest page when absent), returned oldest first. */
  page(conversationId: number, cursor: MessageCursor | null, limit: number): Message[] {
    const ts = cursor?.timestampMs ?? Number.MAX_SAFE_INTEGER;
    const id = cursor?.id ?? Number.MAX_SAFE_INTEGER;
    return this.pageRows.all(conversationId, ts, ts, id, limit).reverse().map(toMessage);
  }

  setWamid(id: number, wamid: string): void {
    this.setWamidRow.run(wamid, id);
  }

  setStatus(id: number, status: MessageStatus, error: DeliveryError | undefined): void {
    this.setStatusRow.run(status, errorJson(error), id);
  }

  /** Appends to the "message info" history; a repeated (message, status) keeps its first timestamp. */
  recordHistory(id: number, record: StatusRecord): void {
    this.addHistory.run(id, record.status, record.timestampMs, errorJson(record.error));
  }

  /** Keeps a status whose message is not stored yet. */
  holdEarlyStatus(wamid: string, record: StatusRecord): void {
    this.addEarly.run(wamid, record.status, record.timestampMs, errorJson(record.error));
  }

  /** Removes and returns the statuses held for `wamid`, oldest first. */
  takeEarlyStatuses(wamid: string): StatusRecord[] {
    const rows = this.earlyFor.all(wamid);
    if (rows.length > 0) this.dropEarly.run(wamid);
    return rows.map((row) => ({
      status: row.status,
      timestampMs: row.timestamp,
      error: row.error_json ? (JSON.parse(row.error_json) as DeliveryError) : undefined,
    }));
  }
}

/** Encodes a cursor as the opaque string clients pass back as `before`. */
export function encodeCursor(message: Message): string {
  return `${Date.parse(message.timestamp)}_${message.id}`;
}

/** Decodes a `before` cursor; null when it is not one this gateway made. */
export function decodeCursor(value: string): MessageCursor | null {
  const match = /^(\d{1,15})_(\d{1,15})$/.exec(value);
  return match ? { timestampMs: Number(match[1]), id: Number(match[2]) } : null;
}
