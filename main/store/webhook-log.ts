import type { Database } from 'better-sqlite3';

/** What became of a delivery: stored, acknowledged with nothing usable, or processed again later. */
export type WebhookOutcome = 'processed' | 'ignored' | 'replayed';

/** A logged delivery without its body. */
export type WebhookLogEntry = { id: number; received_at: string; outcome: WebhookOutcome; detail: string; bytes: number };

/** A delivery as received, for the log. */
export type LoggedDelivery = { receivedAtMs: number; signature: string; headers: Record<string, string>; body: Buffer };

type EntryRow = { id: number; received_at: number; outcome: WebhookOutcome; detail: string; bytes: number };

/**
 * Raw bytes, headers and outcome of every signed delivery, kept because Meta offers no API to
 * fetch a past webhook: whatever a later version of the parser learns can be replayed from here.
 */
export class WebhookLog {
  private readonly insertRow;
  private readonly listRows;
  private readonly bodyRow;
  private readonly setOutcomeRow;
  private readonly pruneRows;

  constructor(db: Database) {
    this.insertRow = db.prepare<[number, string, string, Buffer, WebhookOutcome, string]>(
      'INSERT INTO webhook_log (received_at, signature, headers_json, body, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.listRows = db.prepare<[number, number], EntryRow>(
      'SELECT id, received_at, outcome, detail, length(body) AS bytes FROM webhook_log WHERE id < ? ORDER BY id DESC LIMIT ?',
    );
    this.bodyRow = db.prepare<[number], { body: Buffer; received_at: number }>('SELECT body, received_at FROM webhook_log WHERE id = ?');
    this.setOutcomeRow = db.prepare<[WebhookOutcome, string, number]>('UPDATE webhook_log SET outcome = ?, detail = ? WHERE id = ?');
    this.pruneRows = db.prepare<[number]>('DELETE FROM webhook_log WHERE received_at < ?');
  }

  record(delivery: LoggedDelivery, outcome: WebhookOutcome, detail: string): number {
    const { receivedAtMs, signature, headers, body } = delivery;
    return Number(this.insertRow.run(receivedAtMs, signature, JSON.stringify(headers), body, outcome, detail).lastInsertRowid);
  }

  /** Newest first, before `beforeId` when given. */
  list(beforeId: number | undefined, limit: number): WebhookLogEntry[] {
    return this.listRows.all(beforeId ?? Number.MAX_SAFE_INTEGER, limit).map((row) => ({ ...row, received_at: new Date(row.received_at).toISOString() }));
  }

  body(id: number): { body: Buffer; receivedAtMs: number } | undefined {
    const row = this.bodyRow.get(id);
    return row && { body: row.body, receivedAtMs: row.received_at };
  }

  setOutcome(id: number, outcome: WebhookOutcome, detail: string): void {
    this.setOutcomeRow.run(outcome, detail, id);
  }

  /** Deletes deliveries received before `cutoffMs`; returns how many. */
  prune(cutoffMs: number): number {
    return this.pruneRows.run(cutoffMs).changes;
  }
}
