import type { Database } from 'better-sqlite3';
import { delimited, deliverySummary } from '../whatsapp/delivery-summary';

/** One schema change, applied once, in order; its number is stored in `PRAGMA user_version`. */
export type Migration = { version: number; description: string; up: (db: Database) => void };

// Persisted history: never edit a migration that has shipped; add the next number instead.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'conversations, messages, status history, early statuses, event log, webhook log',
    up: (db) => {
      db.exec(`
        CREATE TABLE conversations (
          id              INTEGER PRIMARY KEY,
          phone_number_id TEXT    NOT NULL,
          customer_key    TEXT    NOT NULL,   -- wa_id when known, else the business-scoped user id
          wa_id           TEXT,
          user_id         TEXT,
          name            TEXT    NOT NULL DEFAULT '',
          last_message_at INTEGER,            -- ms since epoch, from Meta's timestamp
          preview         TEXT    NOT NULL DEFAULT '',
          unread_count    INTEGER NOT NULL DEFAULT 0,
          last_inbound_at INTEGER,
          UNIQUE (phone_number_id, customer_key)
        );
        CREATE TABLE messages (
          id              INTEGER PRIMARY KEY,
          conversation_id INTEGER NOT NULL REFERENCES conversations(id),
          wamid           TEXT UNIQUE,        -- null while an outbound send awaits Meta's answer
          direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
          type            TEXT    NOT NULL,
          text            TEXT    NOT NULL,
          timestamp       INTEGER NOT NULL,   -- ms since epoch, from Meta's timestamp
          status          TEXT    NOT NULL,
          error_json      TEXT,
          reply_to        TEXT,
          raw_json        TEXT,
          received_at     INTEGER NOT NULL
        );
        CREATE INDEX messages_by_conversation ON messages (conversation_id, timestamp, id);
        CREATE TABLE status_history (
          message_id INTEGER NOT NULL REFERENCES messages(id),
          status     TEXT    NOT NULL,
          timestamp  INTEGER NOT NULL,
          error_json TEXT,
          PRIMARY KEY (message_id, status)
        );
        -- Statuses that arrive before their message is known (the send response is still in
        -- flight, or another app sent it); applied the moment the wamid appears.
        CREATE TABLE early_statuses (
          wamid      TEXT    NOT NULL,
          status     TEXT    NOT NULL,
          timestamp  INTEGER NOT NULL,
          error_json TEXT,
          PRIMARY KEY (wamid, status)
        );
        CREATE TABLE events (
          seq        INTEGER PRIMARY KEY AUTOINCREMENT,
          type       TEXT    NOT NULL,
          body_json  TEXT    NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE webhook_log (
          id          INTEGER PRIMARY KEY,
          received_at INTEGER NOT NULL,
          signature   TEXT    NOT NULL,
          body        BLOB    NOT NULL,
          outcome     TEXT    NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'message content, edits, revokes, reactions; webhook log headers and detail; webhook retention index',
    up: (db) => {
      db.exec(`
        ALTER TABLE messages ADD COLUMN content_json TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE messages ADD COLUMN edited_at INTEGER;
        ALTER TABLE messages ADD COLUMN revoked_at INTEGER;
        -- One reaction per person per message; a removal is kept (emoji NULL) so that a late,
        -- older "add" cannot resurrect it.
        CREATE TABLE reactions (
          target_wamid TEXT    NOT NULL,
          reactor      TEXT    NOT NULL CHECK (reactor IN ('customer', 'business')),
          emoji        TEXT,
          timestamp    INTEGER NOT NULL,
          PRIMARY KEY (target_wamid, reactor)
        );
        ALTER TABLE webhook_log ADD COLUMN headers_json TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE webhook_log ADD COLUMN detail TEXT NOT NULL DEFAULT '';
        CREATE INDEX webhook_log_by_time ON webhook_log (received_at);
      `);
    },
  },
  {
    version: 3,
    description: 'indexes: conversations by wa_id or business-scoped user id; deliveries not processed yet',
    up: (db) => {
      db.exec(`
        CREATE INDEX conversations_by_wa_id ON conversations (phone_number_id, wa_id);
        CREATE INDEX conversations_by_user_id ON conversations (phone_number_id, user_id);
        CREATE INDEX webhook_log_pending ON webhook_log (id) WHERE outcome = 'received';
      `);
    },
  },
  {
    version: 4,
    description: 'API tokens of the agents of a team server',
    up: (db) => {
      db.exec(`
        -- Only a hash of each token is kept: the database alone does not let anyone log in.
        CREATE TABLE api_tokens (
          id         INTEGER PRIMARY KEY,
          user       TEXT    NOT NULL,
          token_hash TEXT    NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          revoked_at INTEGER
        );
      `);
    },
  },
  {
    version: 5,
    description: 'durable outbox: client message ids, send queue with attempts, read receipts sent',
    up: (db) => {
      db.exec(`
        ALTER TABLE messages ADD COLUMN client_message_id TEXT;
        CREATE UNIQUE INDEX messages_by_client_id ON messages (client_message_id) WHERE client_message_id IS NOT NULL;
        -- One row per thing to send (a message, or a reaction on one). 'in_flight' rows found at
        -- start were interrupted: WhatsApp may have them, so they are never re-sent automatically.
        CREATE TABLE outbox (
          id              INTEGER PRIMARY KEY,
          message_id      INTEGER NOT NULL REFERENCES messages(id),
          kind            TEXT    NOT NULL CHECK (kind IN ('text', 'template', 'reaction')),
          request_json    TEXT    NOT NULL,
          phone_number_id TEXT    NOT NULL,
          recipient       TEXT    NOT NULL,
          attempts        INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          state           TEXT    NOT NULL CHECK (state IN ('queued', 'in_flight', 'done'))
        );
        CREATE INDEX outbox_queued ON outbox (next_attempt_at, id) WHERE state = 'queued';
        ALTER TABLE conversations ADD COLUMN read_receipt_wamid TEXT;
      `);
    },
  },
  {
    version: 6,
    description: 'where a message time came from; edits applied newest first, each edit wamid once',
    up: (db) => {
      db.exec(`
        -- NULL: Meta's timestamp. 'received': the payload's was unusable and arrival time stands in.
        ALTER TABLE messages ADD COLUMN timestamp_source TEXT;
        -- Arrival of the edit whose text is shown: the tie-break when two edits share Meta's second.
        ALTER TABLE messages ADD COLUMN edit_received_at INTEGER;
        -- Every edit seen, by its own wamid: a redelivered edit is recognised and changes nothing.
        CREATE TABLE message_edits (
          edit_wamid  TEXT    PRIMARY KEY,
          message_id  INTEGER NOT NULL REFERENCES messages(id),
          timestamp   INTEGER NOT NULL,
          received_at INTEGER NOT NULL
        );
        CREATE INDEX message_edits_by_message ON message_edits (message_id);
      `);
    },
  },
  {
    version: 7,
    description: 'the conversation list in activity order, read a page at a time',
    up: (db) => {
      db.exec('CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC)');
    },
  },
  {
    version: 8,
    description: 'full-text search over messages (FTS5 trigram), keyed in order of Meta time, indexed in batches',
    up: (db) => {
      db.exec(`
        -- Orders search results newest first by Meta's time at no cost: (seconds << 15) + a low
        -- part that keeps keys unique (MessageRepo.searchKeyFor). It is the search index's rowid.
        ALTER TABLE messages ADD COLUMN search_key INTEGER;
        -- Contentless: the text lives in messages; the index holds only trigrams. Trigrams find
        -- mid-word, CJK without spaces, order ids and phone fragments; remove_diacritics folds
        -- accents on both sides ("sao paulo" finds "São Paulo"). Measured choice: README, "Search".
        CREATE VIRTUAL TABLE message_search USING fts5(body, tokenize = 'trigram remove_diacritics 1', content = '', contentless_delete = 1);
        -- Messages are indexed in batches after they are stored (one segment per commit of a
        -- webhook group nearly halved ingest); search reads the few not indexed yet directly.
        -- Every message with id <= indexed_through is in the index.
        CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);
      `);
      // Existing messages in (time, id) order: keys increase with time and never collide.
      const rows = db.prepare('SELECT id, timestamp FROM messages ORDER BY timestamp, id').iterate() as IterableIterator<{ id: number; timestamp: number }>;
      const setKey = db.prepare('UPDATE messages SET search_key = ? WHERE id = ?');
      let last = -1;
      for (const row of rows) {
        last = Math.max(searchKeyBase(row.timestamp), last + 1);
        setKey.run(last, row.id);
      }
      db.exec(`
        CREATE UNIQUE INDEX messages_by_search_key ON messages (search_key);
        INSERT INTO message_search (rowid, body) SELECT search_key, ${searchBody('messages')} FROM messages;
        INSERT INTO search_state (id, indexed_through) VALUES (1, coalesce((SELECT max(id) FROM messages), 0));
        -- An indexed message's edits, revokes and erasure reach the index in the same transaction.
        CREATE TRIGGER messages_search_update AFTER UPDATE OF text, content_json ON messages
          WHEN new.id <= (SELECT indexed_through FROM search_state) BEGIN
          DELETE FROM message_search WHERE rowid = old.search_key;
          INSERT INTO message_search (rowid, body) VALUES (new.search_key, ${searchBody('new')});
        END;
        CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
          WHEN old.id <= (SELECT indexed_through FROM search_state) BEGIN
          DELETE FROM message_search WHERE rowid = old.search_key;
        END;
      `);
    },
  },
  {
    version: 9,
    description: 'messages imported from the WhatsApp Business app history',
    up: (db) => {
      db.exec('ALTER TABLE messages ADD COLUMN imported INTEGER NOT NULL DEFAULT 0');
    },
  },
  {
    version: 10,
    description: 'the media archive: a durable download job per message with a file',
    up: (db) => {
      db.exec(`
        -- One row per message with a file. Files are kept under media/ by the sha256 of their bytes,
        -- so a file sent twice is stored once; a file goes when no row names its hash any more.
        CREATE TABLE media_files (
          message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
          media_id TEXT NOT NULL,
          phone_number_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          -- What Meta's webhook says the bytes hash to, as it came (base64; the media endpoint's is hex).
          expected_sha256 TEXT,
          state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          -- Meta keeps a webhook's media for 7 days: past this, a download cannot succeed.
          deadline_at INTEGER NOT NULL,
          sha256 TEXT,
          mime_type TEXT,
          size INTEGER,
          error TEXT
        );
        CREATE INDEX media_files_due ON media_files (next_attempt_at) WHERE state = 'pending';
        CREATE INDEX media_files_by_sha256 ON media_files (sha256) WHERE sha256 IS NOT NULL;
      `);
      // Messages stored before the archive existed: a job each; those past Meta's deadline fail at
      // their first attempt with that reason, which the message then shows.
      db.exec(`
        INSERT INTO media_files (message_id, media_id, phone_number_id, kind, expected_sha256, next_attempt_at, deadline_at)
        SELECT m.id, json_extract(m.content_json, '$.media.id'), c.phone_number_id, m.type,
               json_extract(m.content_json, '$.media.sha256'), 0, m.received_at + ${MEDIA_DEADLINE_MS}
        FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.type IN ('image', 'audio', 'video', 'document', 'sticker') AND json_extract(m.content_json, '$.media.id') IS NOT NULL
      `);
    },
  },
  {
    version: 11,
    description: 'which agent sent each message sent from Switchboard',
    up: (db) => {
      db.exec(`
        -- The agent's name; '' for sends made before agents were recorded; NULL for inbound
        -- messages and for what the WhatsApp Business app sent (echoes, synced history).
        ALTER TABLE messages ADD COLUMN sent_by TEXT;
        UPDATE messages SET sent_by = '' WHERE direction = 'out' AND client_message_id IS NOT NULL;
      `);
    },
  },
  {
    version: 12,
    description: 'the outbox sends attachments (uploaded, then sent by media id)',
    up: (db) => {
      // SQLite cannot change a CHECK constraint: the table is rebuilt with its rows, ids and index.
      db.exec(`
        CREATE TABLE outbox_next (
          id              INTEGER PRIMARY KEY,
          message_id      INTEGER NOT NULL REFERENCES messages(id),
          kind            TEXT    NOT NULL CHECK (kind IN ('text', 'template', 'reaction', 'media')),
          request_json    TEXT    NOT NULL,
          phone_number_id TEXT    NOT NULL,
          recipient       TEXT    NOT NULL,
          attempts        INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          state           TEXT    NOT NULL CHECK (state IN ('queued', 'in_flight', 'done'))
        );
        INSERT INTO outbox_next SELECT id, message_id, kind, request_json, phone_number_id, recipient, attempts, next_attempt_at, state FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_next RENAME TO outbox;
        CREATE INDEX outbox_queued ON outbox (next_attempt_at, id) WHERE state = 'queued';
      `);
    },
  },
  {
    version: 13,
    description: 'forwarding of webhook deliveries to the developer’s own endpoints: targets with their place in the log, and every attempt',
    up: (db) => {
      db.exec(`
        CREATE TABLE forward_targets (
          id          INTEGER PRIMARY KEY,
          url         TEXT    NOT NULL UNIQUE,
          fields_json TEXT,
          -- The last delivery (webhook_log.id) handed over or passed by: forwarding resumes after it.
          cursor      INTEGER NOT NULL,
          created_at  INTEGER NOT NULL
        );
        CREATE TABLE forward_attempts (
          id           INTEGER PRIMARY KEY,
          target_id    INTEGER NOT NULL REFERENCES forward_targets(id),
          delivery_id  INTEGER NOT NULL,
          attempted_at INTEGER NOT NULL,
          status       INTEGER,
          latency_ms   INTEGER NOT NULL,
          error        TEXT,
          resend       INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX forward_attempts_by_delivery ON forward_attempts (delivery_id, id);
      `);
    },
  },
  {
    version: 14,
    description: 'the webhook inspector: what each logged delivery carries (fields) and for which business numbers',
    up: (db) => {
      db.exec(`
        ALTER TABLE webhook_log ADD COLUMN fields TEXT NOT NULL DEFAULT '';
        ALTER TABLE webhook_log ADD COLUMN phone_number_ids TEXT NOT NULL DEFAULT '';
      `);
      // Deliveries already logged get theirs from their bodies (the log keeps 30 days by default).
      const update = db.prepare<[string, string, number]>('UPDATE webhook_log SET fields = ?, phone_number_ids = ? WHERE id = ?');
      const page = db.prepare<[number], { id: number; body: Buffer }>('SELECT id, body FROM webhook_log WHERE id > ? ORDER BY id LIMIT 1000');
      for (let rows = page.all(0); rows.length > 0; rows = page.all(rows.at(-1)!.id)) {
        for (const row of rows) {
          let json: unknown = null;
          try {
            json = JSON.parse(row.body.toString('utf8'));
          } catch {
            // Not JSON: nothing to read.
          }
          const summary = deliverySummary(json);
          update.run(delimited(summary.fields), delimited(summary.phoneNumberIds), row.id);
        }
      }
    },
  },
  {
    version: 15,
    description: 'the unread conversations in activity order, read before the rest of the list (a partial index: as small as they are few)',
    up: (db) => {
      db.exec('CREATE INDEX conversations_unread_by_activity ON conversations (last_message_at DESC, id DESC) WHERE unread_count > 0');
    },
  },
];

/** How long Meta keeps a webhook's media downloadable: 7 days from the message. */
export const MEDIA_DEADLINE_MS = 7 * 24 * 60 * 60 * 1000;

/** What of a message search finds: its text (captions, place names and card names are in it) and a document's file name. */
export function searchBody(row: string): string {
  return `${row}.text || char(10) || coalesce(json_extract(${row}.content_json, '$.media.filename'), '')`;
}

/** Bits of a search key below the second: room for 32,768 messages in one second of Meta's time. */
export const SEARCH_KEY_LOW_BITS = 15;

/**
 * The first search key of a message's second. Keys stay below 2^53 up to year 9999 (the parser's
 * limit), so JavaScript numbers hold them exactly.
 */
export function searchKeyBase(timestampMs: number): number {
  return Math.floor(Math.max(0, timestampMs) / 1000) * 2 ** SEARCH_KEY_LOW_BITS;
}

/** The schema version this build of the app writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Thrown when a database was written by a newer app: opening it could corrupt data we do not understand. */
export class DatabaseFromTheFutureError extends Error {
  constructor(readonly found: number) {
    super(`the database has schema version ${found}, newer than this app's ${LATEST_SCHEMA_VERSION}: update Switchboard`);
  }
}

/** Brings `db` to the latest schema, each migration in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) throw new DatabaseFromTheFutureError(current);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    // IMMEDIATE, and the version read again under the write lock: another process (the desktop
    // app and a CLI command) may have applied this migration while this one waited.
    db.transaction(() => {
      if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return latest;
}
