import type { Database } from 'better-sqlite3';

/** Where verified deliveries are relayed, and how far it has got in the webhook log. */
export type ForwardTarget = { id: number; url: string; fields: string[] | null; cursor: number };

/** A delivery as it is relayed: the bytes and signature Meta sent. */
export type ForwardedDelivery = { id: number; body: Buffer; signature: string };

/** One try at relaying a delivery to a target: the HTTP status (null when none came) or the error. */
export type ForwardAttempt = { target_url: string; attempted_at: number; status: number | null; latency_ms: number; error: string | null; resend: boolean };

type TargetRow = { id: number; url: string; fields_json: string | null; cursor: number };

/**
 * The forwarding state, durable with the log it reads: each target's cursor (the last delivery
 * handed over or passed by) and every attempt. Each target goes through the log in id order, so a
 * target that was down gets what it missed, in order, after a restart too.
 */
export class ForwardRepo {
  private readonly targetByUrl;
  private readonly insertTarget;
  private readonly updateFields;
  private readonly nextRows;
  private readonly deliveryRow;
  private readonly advanceRow;
  private readonly toHeadRow;
  private readonly insertAttempt;
  private readonly attemptRows;
  private readonly headRow;
  private readonly pruneRows;

  constructor(db: Database) {
    this.targetByUrl = db.prepare<[string], TargetRow>('SELECT id, url, fields_json, cursor FROM forward_targets WHERE url = ?');
    this.insertTarget = db.prepare<[string, string | null, number, number]>('INSERT INTO forward_targets (url, fields_json, cursor, created_at) VALUES (?, ?, ?, ?)');
    this.updateFields = db.prepare<[string | null, number]>('UPDATE forward_targets SET fields_json = ? WHERE id = ?');
    this.nextRows = db.prepare<[number, number], { id: number; body: Buffer; signature: string }>('SELECT id, body, signature FROM webhook_log WHERE id > ? ORDER BY id LIMIT ?');
    this.deliveryRow = db.prepare<[number], { id: number; body: Buffer; signature: string }>('SELECT id, body, signature FROM webhook_log WHERE id = ?');
    this.toHeadRow = db.prepare<[number]>('UPDATE forward_targets SET cursor = (SELECT coalesce(max(id), 0) FROM webhook_log) WHERE id = ?');
    this.advanceRow = db.prepare<[number, number, number]>('UPDATE forward_targets SET cursor = ? WHERE id = ? AND cursor < ?');
    this.insertAttempt = db.prepare<[number, number, number, number | null, number, string | null, number]>(
      'INSERT INTO forward_attempts (target_id, delivery_id, attempted_at, status, latency_ms, error, resend) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.attemptRows = db.prepare<[string], { delivery_id: number; url: string; attempted_at: number; status: number | null; latency_ms: number; error: string | null; resend: number }>(
      `SELECT a.delivery_id, t.url, a.attempted_at, a.status, a.latency_ms, a.error, a.resend
         FROM forward_attempts a JOIN forward_targets t ON t.id = a.target_id
        WHERE a.delivery_id IN (SELECT value FROM json_each(?)) ORDER BY a.id`,
    );
    this.headRow = db.prepare<[], { head: number | null }>('SELECT max(id) AS head FROM webhook_log');
    this.pruneRows = db.prepare('DELETE FROM forward_attempts WHERE delivery_id < (SELECT coalesce(min(id), 9e18) FROM webhook_log)');
  }

  /**
   * The target for `url`, created at the log's head when new: a target added today gets what
   * arrives from now on, not the retained history (which `resend` can hand over one by one).
   * A known target resumes at its cursor, or (`fromHead`: given again in the settings after it was
   * taken out) starts over at the head, so it is not flooded with what came while it was out.
   */
  target(url: string, fields: readonly string[] | null, nowMs: number, { fromHead = false } = {}): ForwardTarget {
    const fieldsJson = fields ? JSON.stringify([...fields].sort()) : null;
    const found = this.targetByUrl.get(url);
    if (found) {
      if (found.fields_json !== fieldsJson) this.updateFields.run(fieldsJson, found.id);
      if (fromHead) this.toHeadRow.run(found.id);
      return { id: found.id, url, fields: fields ? [...fields] : null, cursor: fromHead ? (this.headRow.get()?.head ?? 0) : found.cursor };
    }
    const cursor = this.headRow.get()?.head ?? 0;
    const id = Number(this.insertTarget.run(url, fieldsJson, cursor, nowMs).lastInsertRowid);
    return { id, url, fields: fields ? [...fields] : null, cursor };
  }

  /** The deliveries after `afterId`, oldest first. */
  after(afterId: number, limit: number): ForwardedDelivery[] {
    return this.nextRows.all(afterId, limit);
  }

  delivery(id: number): ForwardedDelivery | undefined {
    return this.deliveryRow.get(id);
  }

  /** Moves the target's cursor to `deliveryId` (never back). */
  advance(targetId: number, deliveryId: number): void {
    this.advanceRow.run(deliveryId, targetId, deliveryId);
  }

  recordAttempt(targetId: number, deliveryId: number, attempt: Omit<ForwardAttempt, 'target_url'>): void {
    this.insertAttempt.run(targetId, deliveryId, attempt.attempted_at, attempt.status, attempt.latency_ms, attempt.error, attempt.resend ? 1 : 0);
  }

  /** Every attempt at these deliveries, oldest first, by delivery. */
  attempts(deliveryIds: readonly number[]): Map<number, ForwardAttempt[]> {
    const byDelivery = new Map<number, ForwardAttempt[]>();
    if (deliveryIds.length === 0) return byDelivery;
    for (const row of this.attemptRows.all(JSON.stringify(deliveryIds))) {
      const list = byDelivery.get(row.delivery_id) ?? [];
      list.push({ target_url: row.url, attempted_at: row.attempted_at, status: row.status, latency_ms: row.latency_ms, error: row.error, resend: row.resend === 1 });
      byDelivery.set(row.delivery_id, list);
    }
    return byDelivery;
  }

  /** Drops the attempts of deliveries the log no longer holds (after its retention ran); returns how many. */
  prune(): number {
    return this.pruneRows.run().changes;
  }
}
