import type { Database } from 'better-sqlite3';

/** What kind of send an outbox row is. */
export type OutboxKind = 'text' | 'template' | 'reaction' | 'media';

/** A queued send. `request` is what the WhatsApp client needs, stored as JSON. */
export type OutboxRow = {
  id: number;
  message_id: number;
  kind: OutboxKind;
  request: unknown;
  phone_number_id: string;
  recipient: string;
  attempts: number;
  next_attempt_at: number;
  state: 'queued' | 'in_flight' | 'done';
};

type Row = Omit<OutboxRow, 'request'> & { request_json: string };

function toRow(row: Row): OutboxRow {
  const { request_json: json, ...rest } = row;
  return { ...rest, request: JSON.parse(json) as unknown };
}

/**
 * The durable send queue. A send is stored before anything goes to WhatsApp; each attempt is
 * marked in flight in its own commit before the request leaves, so after a crash the app knows
 * which sends might have reached WhatsApp and never repeats those on its own.
 */
export class OutboxRepo {
  private readonly insertRow;
  private readonly dueRows;
  private readonly inFlightRows;
  private readonly nextDue;
  private readonly byId;
  private readonly startRow;
  private readonly finishRow;
  private readonly requeueRow;
  private readonly forMessage;

  constructor(db: Database) {
    this.insertRow = db.prepare<[number, OutboxKind, string, string, string, number]>(
      `INSERT INTO outbox (message_id, kind, request_json, phone_number_id, recipient, next_attempt_at, state)
       VALUES (?, ?, ?, ?, ?, ?, 'queued')`,
    );
    this.dueRows = db.prepare<[number], Row>("SELECT * FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY id");
    this.inFlightRows = db.prepare<[], Row>("SELECT * FROM outbox WHERE state = 'in_flight' ORDER BY id");
    this.nextDue = db.prepare<[], { at: number | null }>("SELECT min(next_attempt_at) AS at FROM outbox WHERE state = 'queued'");
    this.byId = db.prepare<[number], Row>('SELECT * FROM outbox WHERE id = ?');
    this.startRow = db.prepare<[number]>("UPDATE outbox SET state = 'in_flight', attempts = attempts + 1 WHERE id = ? AND state = 'queued'");
    this.finishRow = db.prepare<[number]>("UPDATE outbox SET state = 'done' WHERE id = ?");
    this.requeueRow = db.prepare<[number, number]>("UPDATE outbox SET state = 'queued', next_attempt_at = ? WHERE id = ?");
    this.forMessage = db.prepare<[number], Row>("SELECT * FROM outbox WHERE message_id = ? AND kind <> 'reaction' ORDER BY id DESC LIMIT 1");
  }

  enqueue(entry: { messageId: number; kind: OutboxKind; request: unknown; phoneNumberId: string; recipient: string; atMs: number }): number {
    return Number(
      this.insertRow.run(entry.messageId, entry.kind, JSON.stringify(entry.request), entry.phoneNumberId, entry.recipient, entry.atMs).lastInsertRowid,
    );
  }

  /** Queued sends due at `nowMs`, oldest first. */
  due(nowMs: number): OutboxRow[] {
    return this.dueRows.all(nowMs).map(toRow);
  }

  /** Sends that were in flight: at start, the ones a crash interrupted. */
  inFlight(): OutboxRow[] {
    return this.inFlightRows.all().map(toRow);
  }

  /** When the next queued send is due, or null when nothing waits. */
  nextDueAt(): number | null {
    return this.nextDue.get()?.at ?? null;
  }

  get(id: number): OutboxRow | undefined {
    const row = this.byId.get(id);
    return row && toRow(row);
  }

  /** The latest message send (not reaction) for a message, for Retry. */
  latestFor(messageId: number): OutboxRow | undefined {
    const row = this.forMessage.get(messageId);
    return row && toRow(row);
  }

  /** Marks an attempt as leaving now; false when the row was not queued (already taken). */
  start(id: number): boolean {
    return this.startRow.run(id).changes > 0;
  }

  finish(id: number): void {
    this.finishRow.run(id);
  }

  requeue(id: number, atMs: number): void {
    this.requeueRow.run(atMs, id);
  }
}
