import type { Database } from 'better-sqlite3';
import type { ServerEvent, UnsequencedEvent } from '../../shared/contract';

/**
 * The one ordered log of everything clients must see. Events are appended inside the same
 * transaction as the change they describe, so a committed change always has its event and `seq`
 * order is commit order.
 */
export class EventLog {
  private readonly insertRow;
  private readonly afterRows;
  private readonly bounds;

  constructor(db: Database) {
    this.insertRow = db.prepare<[string, string, number]>('INSERT INTO events (type, body_json, created_at) VALUES (?, ?, ?)');
    this.afterRows = db.prepare<[number, number], { seq: number; body_json: string }>(
      'SELECT seq, body_json FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.bounds = db.prepare<[], { first: number | null; last: number | null }>(
      'SELECT min(seq) AS first, max(seq) AS last FROM events',
    );
  }

  append(event: UnsequencedEvent, nowMs: number): ServerEvent {
    const seq = Number(this.insertRow.run(event.type, JSON.stringify(event), nowMs).lastInsertRowid);
    return { ...event, seq } as ServerEvent;
  }

  /** Events with `seq` greater than `since`, oldest first. */
  after(since: number, limit: number): ServerEvent[] {
    return this.afterRows.all(since, limit).map((row) => ({ ...(JSON.parse(row.body_json) as UnsequencedEvent), seq: row.seq }) as ServerEvent);
  }

  /** The newest `seq`, 0 for an empty log. */
  head(): number {
    return this.bounds.get()?.last ?? 0;
  }

  /**
   * Whether a client that has seen up to `since` can resume from this log: every later event must
   * still be kept, and `since` must not be ahead of the log (a different or reset database).
   */
  canResumeFrom(since: number): boolean {
    const { first, last } = this.bounds.get() ?? { first: null, last: null };
    if (last === null) return since === 0;
    return since <= last && since >= (first ?? 1) - 1;
  }
}
