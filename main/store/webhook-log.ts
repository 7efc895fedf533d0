import type { Database } from 'better-sqlite3';

/** What became of a delivery: stored, or acknowledged but nothing in it was usable. */
export type WebhookOutcome = 'processed' | 'ignored';

/**
 * Raw bytes of every signed delivery, kept because Meta offers no API to fetch a past webhook:
 * whatever a later version of the parser learns can be replayed from here.
 */
export class WebhookLog {
  private readonly insertRow;

  constructor(db: Database) {
    this.insertRow = db.prepare<[number, string, Buffer, string]>(
      'INSERT INTO webhook_log (received_at, signature, body, outcome) VALUES (?, ?, ?, ?)',
    );
  }

  record(receivedAtMs: number, signature: string, body: Buffer, outcome: WebhookOutcome): void {
    this.insertRow.run(receivedAtMs, signature, body, outcome);
  }
}
