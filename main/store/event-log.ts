import type { Database } from 'better-sqlite3';
import type { ServerEvent, UnsequencedEvent } from '../../shared/contract';

/** An event as the JSON text a WebSocket client receives, with its seq. */
export type SerializedEvent = { seq: number; json: string };

// The JSON of each event this process appended: fan-out sends it as it was written, never
// serialising an event a second time.
const appendedJson = new WeakMap<ServerEvent, string>();

// `body_json` is the event without its seq, always an object with at least a `type`: the seq goes
// in as its first key, with no parse and no second stringify.
function withSeq(seq: number, bodyJson: string): string {
  return `{"seq":${seq},${bodyJson.slice(1)}`;
}

/** The JSON text of an event: the one written to the log when this process appended it. */
export function eventJson(event: ServerEvent): string {
  return appendedJson.get(event) ?? JSON.stringify(event);
}

/**
 * The one ordered log of everything clients must see. Events are appended inside the same
 * transaction as the change they describe, so a committed change always has its event and `seq`
 * order is commit order.
 */
export class EventLog {
  private readonly insertRow;
  private readonly afterRows;
  private readonly bounds;
  private readonly pruneBySeq;
  private readonly firstSince;

  constructor(db: Database) {
    this.insertRow = db.prepare<[string, string, number]>('INSERT INTO events (type, body_json, created_at) VALUES (?, ?, ?)');
    this.afterRows = db.prepare<[number, number], { seq: number; body_json: string }>(
      'SELECT seq, body_json FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.bounds = db.prepare<[], { first: number | null; last: number | null }>(
      'SELECT min(seq) AS first, max(seq) AS last FROM events',
    );
    this.pruneBySeq = db.prepare<[number]>('DELETE FROM events WHERE seq < ?');
    // Events are appended with the current time, so created_at grows with seq: scanning in seq
    // order stops at the first recent event, after exactly the rows being pruned.
    this.firstSince = db.prepare<[number], { seq: number }>('SELECT seq FROM events WHERE created_at >= ? ORDER BY seq LIMIT 1');
  }

  append(event: UnsequencedEvent, nowMs: number): ServerEvent {
    const body = JSON.stringify(event);
    const seq = Number(this.insertRow.run(event.type, body, nowMs).lastInsertRowid);
    const sequenced = { ...event, seq } as ServerEvent;
    appendedJson.set(sequenced, withSeq(seq, body));
    return sequenced;
  }

  /** Events with `seq` greater than `since`, oldest first. */
  after(since: number, limit: number): ServerEvent[] {
    return this.afterRows.all(since, limit).map((row) => ({ ...(JSON.parse(row.body_json) as UnsequencedEvent), seq: row.seq }) as ServerEvent);
  }

  /** Like `after`, as the JSON text clients receive (a WebSocket catch-up: nothing is parsed). */
  afterAsJson(since: number, limit: number): SerializedEvent[] {
    return this.afterRows.all(since, limit).map((row) => ({ seq: row.seq, json: withSeq(row.seq, row.body_json) }));
  }

  /**
   * Drops events older than `cutoffMs` or beyond the newest `maxCount`, always keeping the newest
   * one (so the log still knows its head, and a client older than the window gets a resync).
   * Returns how many were dropped.
   */
  prune(cutoffMs: number, maxCount: number): number {
    const { last } = this.bounds.get() ?? { last: null };
    if (last === null) return 0;
    const byTime = this.firstSince.get(cutoffMs)?.seq ?? last;
    const byCount = last - maxCount + 1;
    return this.pruneBySeq.run(Math.min(last, Math.max(byTime, byCount))).changes;
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
