import type { Database } from 'better-sqlite3';
import { ConversationRepo } from './conversation-repo';
import { EventLog } from './event-log';
import { ForwardRepo } from './forward-repo';
import { MediaRepo } from './media-repo';
import { MessageRepo } from './message-repo';
import { OutboxRepo } from './outbox-repo';
import { SearchRepo } from './search-repo';
import { TokenRepo } from './token-repo';
import { WebhookLog } from './webhook-log';

/** Every repository over one open database, plus its transaction helper. */
export type Store = {
  db: Database;
  conversations: ConversationRepo;
  messages: MessageRepo;
  media: MediaRepo;
  events: EventLog;
  webhooks: WebhookLog;
  forwards: ForwardRepo;
  tokens: TokenRepo;
  outbox: OutboxRepo;
  search: SearchRepo;
  transaction<T>(work: () => T): T;
  /**
   * Runs `work` inside the current transaction as a savepoint: if it throws, only its own writes
   * are rolled back and the error is rethrown; the enclosing transaction goes on.
   */
  savepoint<T>(work: () => T): T;
};

/** Prepares every repository's statements over an open, migrated database. */
export function createStore(db: Database): Store {
  // better-sqlite3 turns a transaction function called inside a transaction into a savepoint; one
  // wrapper serves every call instead of one per delivery.
  const nested = db.transaction((work: () => unknown) => work());
  const media = new MediaRepo(db);
  return {
    db,
    conversations: new ConversationRepo(db),
    messages: new MessageRepo(db, media),
    media,
    events: new EventLog(db),
    webhooks: new WebhookLog(db),
    forwards: new ForwardRepo(db),
    tokens: new TokenRepo(db),
    outbox: new OutboxRepo(db),
    search: new SearchRepo(db),
    // IMMEDIATE takes the write lock up front: a transaction that read first and wrote later
    // would fail at once (SQLITE_BUSY, no wait) if another connection (a CLI command, or the
    // checkpointer rewinding the WAL) had taken the write lock in between.
    transaction: (work) => db.transaction(work).immediate(),
    savepoint: <T>(work: () => T) => nested(work) as T,
  };
}
