import type { Database } from 'better-sqlite3';

/**
 * What became of a delivery: `received` (durable and acknowledged, not processed yet), `processed`,
 * `ignored` (acknowledged, nothing usable in it), `replayed` (processed again later), or `failed`
 * (processing threw: kept for a replay once the cause is fixed).
 */
export type WebhookOutcome = 'received' | 'processed' | 'ignored' | 'replayed' | 'failed';

/** A logged delivery without its body. */
export type WebhookLogEntry = { id: number; received_at: string; outcome: WebhookOutcome; detail: string; bytes: number };

/** A delivery as received, for the log. */
export type IncomingDelivery = { receivedAtMs: number; signature: string; headers: Record<string, string>; body: Buffer };

/** A logged delivery's raw bytes. */
export type LoggedBody = { id: number; receivedAtMs: number; body: Buffer };

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
  private readonly pendingRows;

  constructor(db: Database) {
    this.insertRow = db.prepare<[number, string, string, Buffer, WebhookOutcome, string]>(
      'INSERT INTO webhook_log (received_at, signature, headers_json, body, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.listRows = db.prepare<[number, number], EntryRow>(
      'SELECT id, received_at, outcome, detail, length(body) AS bytes FROM webhook_log WHERE id < ? ORDER BY id DESC LIMIT ?',
    );
    this.bodyRow = db.prepare<[number], { body: Buffer; received_at: number }>('SELECT body, received_at FROM webhook_log WHERE id = ?');
    this.setOutcomeRow = db.prepare<[WebhookOutcome, string, number]>('UPDATE webhook_log SET outcome = ?, detail = ? WHERE id = ?');
    // Never prunes a delivery that was acknowledged but not processed yet.
    this.pruneRows = db.prepare<[number]>("DELETE FROM webhook_log WHERE received_at < ? AND outcome <> 'received'");
    this.pendingRows = db.prepare<[number, number], { id: number; received_at: number; body: Buffer }>(
      "SELECT id, received_at, body FROM webhook_log WHERE outcome = 'received' AND id > ? ORDER BY id LIMIT ?",
    );
  }

  record(delivery: IncomingDelivery, outcome: WebhookOutcome, detail: string): number {
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

  /** Acknowledged deliveries not processed yet, oldest first (after `afterId` when given). */
  pending(limit: number, afterId = 0): LoggedBody[] {
    return this.pendingRows.all(afterId, limit).map((row) => ({ id: row.id, receivedAtMs: row.received_at, body: row.body }));
  }

  /** Deletes deliveries received before `cutoffMs`; returns how many. */
  prune(cutoffMs: number): number {
    return this.pruneRows.run(cutoffMs).changes;
  }
}
