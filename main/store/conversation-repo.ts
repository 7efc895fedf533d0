import type { Database, Statement } from 'better-sqlite3';
import type { Conversation } from '../../shared/contract';
import type { CustomerIdentity } from '../whatsapp/webhook-parser';

/** The customer-service window: free-form replies within 24 h of the customer's last message. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** A conversation as stored: what clients see plus the identities and times the gateway works with. */
export type ConversationRow = {
  id: number;
  phone_number_id: string;
  customer_key: string;
  wa_id: string | null;
  user_id: string | null;
  name: string;
  last_message_at: number | null;
  preview: string;
  unread_count: number;
  last_inbound_at: number | null;
};

/** A stored conversation as read, with its newest message (what the preview shows). */
type ConversationReadRow = ConversationRow & { last_message_json: string | null };

// The newest message by the conversation's own order: one seek of messages_by_conversation.
export const SELECT_CONVERSATION = `SELECT c.*, (SELECT json_object('id', m.id, 'direction', m.direction, 'status', m.status, 'sent_by', m.sent_by)
  FROM messages m WHERE m.conversation_id = c.id ORDER BY m.timestamp DESC, m.id DESC LIMIT 1) AS last_message_json FROM conversations c`;

/** What the gateway needs to reply to a customer, beyond what clients see. */
export type ConversationRouting = { wa_id: string | null; user_id: string | null; last_inbound_at: number | null };

/** What one or more new messages do to a conversation's preview, order, unread count and window. */
export type Activity = {
  timestampMs: number;
  preview: string;
  unread: number;
  lastInboundMs: number | null;
  /** The message this activity is (what the list shows as the newest when it is). */
  message: NonNullable<Conversation['last_message']>;
};

function isNewest(row: ConversationRow, activity: Activity): boolean {
  return row.last_message_at === null || activity.timestampMs >= row.last_message_at;
}

/**
 * The conversation after `activity`. Ordered by Meta's timestamp, not arrival: a late retry of an
 * old message must not become the preview.
 */
function withActivity(row: ConversationRow, activity: Activity): ConversationRow {
  const newest = isNewest(row, activity);
  return {
    ...row,
    preview: newest ? activity.preview : row.preview,
    last_message_at: Math.max(row.last_message_at ?? 0, activity.timestampMs),
    unread_count: row.unread_count + activity.unread,
    last_inbound_at: activity.lastInboundMs === null ? row.last_inbound_at : Math.max(row.last_inbound_at ?? 0, activity.lastInboundMs),
  };
}

function lastMessageOf(json: string | null): Conversation['last_message'] {
  if (json === null) return null;
  const { id, direction, status, sent_by } = JSON.parse(json) as Omit<NonNullable<Conversation['last_message']>, 'sent_by'> & { sent_by: string | null };
  return { id, direction, status, ...(sent_by !== null ? { sent_by } : {}) };
}

/** The client's view of a stored conversation. */
function toConversation(row: ConversationReadRow): Conversation {
  return {
    id: row.id,
    phone_number_id: row.phone_number_id,
    wa_id: row.wa_id,
    name: row.name,
    last_message_at: row.last_message_at === null ? null : new Date(row.last_message_at).toISOString(),
    preview: row.preview,
    unread_count: row.unread_count,
    last_message: lastMessageOf(row.last_message_json),
    window_expires_at: row.last_inbound_at === null ? null : new Date(row.last_inbound_at + WINDOW_MS).toISOString(),
  };
}

const ORDER = 'ORDER BY c.last_message_at DESC, c.id DESC';
/** Only the conversations with unread messages: read through their own (partial) index, as small as they are few. */
const UNREAD = 'c.unread_count > 0';
const where = (...conditions: string[]): string => `WHERE ${conditions.join(' AND ')} ${ORDER}`;

/** The list's order and its paging, whole or its unread conversations, named so that tests can assert their plans. */
export const CONVERSATION_SQL = {
  order: ORDER,
  // After a conversation with activity: the others with activity, from the cursor on (a row value,
  // so the index range starts there), then those without. After one without: those without.
  afterActive: where('(c.last_message_at, c.id) < (?, ?)'),
  afterInactive: where('c.last_message_at IS NULL AND c.id < ?'),
  unread: where(UNREAD),
  unreadAfterActive: where('(c.last_message_at, c.id) < (?, ?)', UNREAD),
  unreadAfterInactive: where('c.last_message_at IS NULL AND c.id < ?', UNREAD),
} as const;

/** The statements that read one listing (the whole list, or its unread conversations) whole or by pages. */
type Listing = {
  all: Statement<[], ConversationReadRow>;
  first: Statement<[number], ConversationReadRow>;
  afterActive: Statement<[number, number, number], ConversationReadRow>;
  afterInactive: Statement<[number, number], ConversationReadRow>;
};

function prepareListing(db: Database, unread: boolean): Listing {
  const sql = unread
    ? { all: CONVERSATION_SQL.unread, afterActive: CONVERSATION_SQL.unreadAfterActive, afterInactive: CONVERSATION_SQL.unreadAfterInactive }
    : { all: CONVERSATION_SQL.order, afterActive: CONVERSATION_SQL.afterActive, afterInactive: CONVERSATION_SQL.afterInactive };
  return {
    all: db.prepare<[], ConversationReadRow>(`${SELECT_CONVERSATION} ${sql.all}`),
    first: db.prepare<[number], ConversationReadRow>(`${SELECT_CONVERSATION} ${sql.all} LIMIT ?`),
    afterActive: db.prepare<[number, number, number], ConversationReadRow>(`${SELECT_CONVERSATION} ${sql.afterActive} LIMIT ?`),
    afterInactive: db.prepare<[number, number], ConversationReadRow>(`${SELECT_CONVERSATION} ${sql.afterInactive} LIMIT ?`),
  };
}

/** Which conversations a listing holds: all of them, or only those with unread messages. */
export type ConversationListing = { unread?: boolean };

/** Conversations: one per (business phone number, customer). */
export class ConversationRepo {
  private readonly byId;
  private readonly readById;
  private readonly byWaId;
  private readonly byUserId;
  private readonly byKey;
  private readonly latestInboundRow;
  private readonly setReceiptRow;
  private readonly everyConversation;
  private readonly unreadConversations;
  private readonly insertRow;
  private readonly linkIdentity;
  private readonly updateActivity;
  private readonly clearUnread;
  private readonly unreadSum;
  private readonly renumber;
  private readonly rekeyUser;

  constructor(db: Database) {
    this.byId = db.prepare<[number], ConversationRow>('SELECT * FROM conversations WHERE id = ?');
    this.readById = db.prepare<[number], ConversationReadRow>(`${SELECT_CONVERSATION} WHERE c.id = ?`);
    this.byWaId = db.prepare<[string, string], ConversationRow>(
      'SELECT * FROM conversations WHERE phone_number_id = ? AND wa_id = ?',
    );
    this.byUserId = db.prepare<[string, string], ConversationRow>(
      'SELECT * FROM conversations WHERE phone_number_id = ? AND user_id = ?',
    );
    this.byKey = db.prepare<[string, string], ConversationRow>(
      'SELECT * FROM conversations WHERE phone_number_id = ? AND customer_key = ?',
    );
    this.latestInboundRow = db.prepare<[number], { wamid: string; phone_number_id: string; read_receipt_wamid: string | null }>(
      `SELECT m.wamid, c.phone_number_id, c.read_receipt_wamid FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.conversation_id = ? AND m.direction = 'in' AND m.wamid IS NOT NULL ORDER BY m.timestamp DESC, m.id DESC LIMIT 1`,
    );
    this.setReceiptRow = db.prepare<[string, number]>('UPDATE conversations SET read_receipt_wamid = ? WHERE id = ?');
    // NULL sorts lowest, so conversations without a message come last in descending order.
    this.everyConversation = prepareListing(db, false);
    this.unreadConversations = prepareListing(db, true);
    this.insertRow = db.prepare<[string, string, string | null, string | null, string]>(
      'INSERT INTO conversations (phone_number_id, customer_key, wa_id, user_id, name) VALUES (?, ?, ?, ?, ?)',
    );
    this.linkIdentity = db.prepare<[string | null, string | null, string, number]>('UPDATE conversations SET wa_id = ?, user_id = ?, name = ? WHERE id = ?');
    this.updateActivity = db.prepare<[string, number | null, number, number | null, number]>(
      'UPDATE conversations SET preview = ?, last_message_at = ?, unread_count = ?, last_inbound_at = ? WHERE id = ?',
    );
    this.clearUnread = db.prepare<[number]>('UPDATE conversations SET unread_count = 0 WHERE id = ?');
    this.unreadSum = db.prepare<[], number>('SELECT coalesce(sum(unread_count), 0) FROM conversations').pluck();
    // Only when no other conversation on the same number already uses the new identity.
    this.renumber = db.prepare<[{ value: string; id: number; phone: string }]>(
      `UPDATE conversations SET wa_id = @value WHERE id = @id AND NOT EXISTS
         (SELECT 1 FROM conversations o WHERE o.phone_number_id = @phone AND o.wa_id = @value AND o.id <> @id)`,
    );
    this.rekeyUser = db.prepare<[{ value: string; id: number; phone: string }]>(
      `UPDATE conversations SET user_id = @value WHERE id = @id AND NOT EXISTS
         (SELECT 1 FROM conversations o WHERE o.phone_number_id = @phone AND o.user_id = @value AND o.id <> @id)`,
    );
  }

  /**
   * Follows a customer who changed number (or whose business-scoped id was regenerated), so their
   * next messages land in the same conversation.
   */
  changeIdentity(id: number, change: { waId?: string; userId?: string }): void {
    const conversation = this.byId.get(id);
    if (!conversation) return;
    const phone = conversation.phone_number_id;
    if (change.waId) this.renumber.run({ value: change.waId, id, phone });
    if (change.userId) this.rekeyUser.run({ value: change.userId, id, phone });
  }

  get(id: number): Conversation | undefined {
    const row = this.readById.get(id);
    return row && toConversation(row);
  }

  routing(id: number): ConversationRouting | undefined {
    const row = this.byId.get(id);
    return row && { wa_id: row.wa_id, user_id: row.user_id, last_inbound_at: row.last_inbound_at };
  }

  /** The customer's newest message (what a read receipt names) and the one last marked read. */
  latestInbound(id: number): { wamid: string; phoneNumberId: string; receiptWamid: string | null } | undefined {
    const row = this.latestInboundRow.get(id);
    return row && { wamid: row.wamid, phoneNumberId: row.phone_number_id, receiptWamid: row.read_receipt_wamid };
  }

  setReadReceipt(id: number, wamid: string): void {
    this.setReceiptRow.run(wamid, id);
  }

  /** The whole list in activity order (or its unread conversations). */
  list(listing: ConversationListing = {}): Conversation[] {
    return this.listingOf(listing).all.all().map(toConversation);
  }

  /**
   * A page of the list (or of its unread conversations) in activity order: the first, or the one
   * after conversation `afterId`; undefined when `afterId` does not exist.
   */
  page(limit: number, afterId?: number, listing: ConversationListing = {}): Conversation[] | undefined {
    const statements = this.listingOf(listing);
    if (afterId === undefined) return statements.first.all(limit).map(toConversation);
    const after = this.byId.get(afterId);
    if (!after) return undefined;
    // Conversations without a message have no activity: they follow all the others, by id.
    if (after.last_message_at === null) return statements.afterInactive.all(afterId, limit).map(toConversation);
    const active = statements.afterActive.all(after.last_message_at, afterId, limit);
    const inactive = active.length < limit ? statements.afterInactive.all(Number.MAX_SAFE_INTEGER, limit - active.length) : [];
    return [...active, ...inactive].map(toConversation);
  }

  private listingOf(listing: ConversationListing): Listing {
    return listing.unread ? this.unreadConversations : this.everyConversation;
  }

  /**
   * Finds the conversation of a customer, creating it on first contact. A customer is known by
   * `wa_id` and/or the business-scoped `user_id`; a payload carrying both links them to one thread.
   * Returns the stored row (as it is now) and whether anything visible changed, so the caller can
   * tell clients once.
   */
  resolve(phoneNumberId: string, customer: CustomerIdentity): { row: ConversationRow; changed: boolean } {
    // The identity a conversation was created with stays its key: after a number change, a late
    // or redelivered message from the old number still finds it.
    const existing =
      (customer.waId ? this.byWaId.get(phoneNumberId, customer.waId) : undefined) ??
      (customer.userId ? this.byUserId.get(phoneNumberId, customer.userId) : undefined) ??
      (customer.waId ? this.byKey.get(phoneNumberId, customer.waId) : undefined) ??
      (customer.userId ? this.byKey.get(phoneNumberId, customer.userId) : undefined);
    if (!existing) {
      const key = customer.waId ?? customer.userId;
      if (!key) throw new Error('a customer needs a wa_id or a user_id');
      const id = Number(
        this.insertRow.run(phoneNumberId, key, customer.waId, customer.userId, customer.name ?? customer.waId ?? key)
          .lastInsertRowid,
      );
      return { row: this.mustGetRow(id), changed: true };
    }
    const changed =
      (customer.waId !== null && existing.wa_id === null) ||
      (customer.userId !== null && existing.user_id === null) ||
      (customer.name !== null && customer.name !== existing.name);
    if (!changed) return { row: existing, changed };
    // An identity once known is kept; the newest profile name wins.
    const linked = { ...existing, wa_id: existing.wa_id ?? customer.waId, user_id: existing.user_id ?? customer.userId, name: customer.name ?? existing.name };
    this.linkIdentity.run(linked.wa_id, linked.user_id, linked.name, linked.id);
    return { row: linked, changed };
  }

  /**
   * Records new messages in the conversation's preview, ordering and unread count. `current` is the
   * row as stored now (from `resolve`, inside the same transaction), or its id to read it first.
   */
  recordActivity(current: ConversationRow | number, activity: Activity): Conversation {
    const row = typeof current === 'number' ? this.mustGetRow(current) : current;
    const next = withActivity(row, activity);
    this.updateActivity.run(next.preview, next.last_message_at, next.unread_count, next.last_inbound_at, next.id);
    // The newest message is this one (the usual case, on every ingest): no read back. A late,
    // older message leaves the newest as it was, which is read.
    if (!isNewest(row, activity)) return this.mustGet(next.id);
    const { id, direction, status, sent_by } = activity.message;
    return { ...toConversation({ ...next, last_message_json: null }), last_message: { id, direction, status, ...(sent_by !== undefined ? { sent_by } : {}) } };
  }

  /** Unread messages across all conversations (the dock badge). */
  unreadTotal(): number {
    return this.unreadSum.get() ?? 0;
  }

  markRead(id: number): Conversation {
    this.clearUnread.run(id);
    return this.mustGet(id);
  }

  private mustGet(id: number): Conversation {
    const row = this.readById.get(id);
    if (!row) throw new Error(`conversation ${id} vanished inside its own transaction`);
    return toConversation(row);
  }

  private mustGetRow(id: number): ConversationRow {
    const row = this.byId.get(id);
    if (!row) throw new Error(`conversation ${id} vanished inside its own transaction`);
    return row;
  }
}
