import type { Database, Statement } from 'better-sqlite3';
import { delimited, undelimited, type DeliverySummary } from '../whatsapp/delivery-summary';

/**
 * What became of a delivery: `received` (durable and acknowledged, not processed yet), `processed`,
 * `ignored` (acknowledged, nothing usable in it), `replayed` (processed again later), or `failed`
 * (processing threw: kept for a replay once the cause is fixed).
 */
export type WebhookOutcome = 'received' | 'processed' | 'ignored' | 'replayed' | 'failed';

/** A logged delivery without its body. */
export type WebhookLogEntry = { id: number; received_at: string; outcome: WebhookOutcome; detail: string; bytes: number; fields: string[]; phone_number_ids: string[] };

/** A delivery as received, for the log (what it carries, when the JSON was read). */
export type IncomingDelivery = { receivedAtMs: number; signature: string; headers: Record<string, string>; body: Buffer; summary?: DeliverySummary };

/** Which deliveries the inspector lists. */
export type WebhookLogFilter = { before?: number; outcome?: WebhookOutcome; field?: string; phoneNumberId?: string; text?: string; fromMs?: number; toMs?: number };

/** A logged delivery with its body and headers, for the inspector. */
export type LoggedDelivery = WebhookLogEntry & { body: Buffer; signature: string; headers: Record<string, string> };

/** A logged delivery's raw bytes. */
export type LoggedBody = { id: number; receivedAtMs: number; body: Buffer };

type EntryRow = { id: number; received_at: number; outcome: WebhookOutcome; detail: string; bytes: number; fields: string; phone_number_ids: string };

const ENTRY_COLUMNS = 'id, received_at, outcome, detail, length(body) AS bytes, fields, phone_number_ids';

function entryOf(row: EntryRow): WebhookLogEntry {
  return { ...row, received_at: new Date(row.received_at).toISOString(), fields: undelimited(row.fields), phone_number_ids: undelimited(row.phone_number_ids) };
}

/**
 * Raw bytes, headers and outcome of every signed delivery, kept because Meta offers no API to
 * fetch a past webhook: whatever a later version of the parser learns can be replayed from here.
 */
export class WebhookLog {
  private readonly insertRow;
  private readonly filtered = new Map<string, Statement<unknown[], EntryRow>>();
  private readonly detailRow;
  private readonly headRow;
  private readonly bodyRow;
  private readonly setOutcomeRow;
  private readonly pruneRows;
  private readonly pendingRows;

  constructor(private readonly db: Database) {
    this.insertRow = db.prepare<[number, string, string, Buffer, WebhookOutcome, string, string, string]>(
      'INSERT INTO webhook_log (received_at, signature, headers_json, body, outcome, detail, fields, phone_number_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.detailRow = db.prepare<[number], EntryRow & { body: Buffer; signature: string; headers_json: string }>(`SELECT ${ENTRY_COLUMNS}, body, signature, headers_json FROM webhook_log WHERE id = ?`);
    this.headRow = db.prepare<[], { head: number | null }>('SELECT max(id) AS head FROM webhook_log');
    this.bodyRow = db.prepare<[number], { body: Buffer; received_at: number }>('SELECT body, received_at FROM webhook_log WHERE id = ?');
    this.setOutcomeRow = db.prepare<[WebhookOutcome, string, number]>('UPDATE webhook_log SET outcome = ?, detail = ? WHERE id = ?');
    // Never prunes a delivery that was acknowledged but not processed yet.
    this.pruneRows = db.prepare<[number]>("DELETE FROM webhook_log WHERE received_at < ? AND outcome <> 'received'");
    this.pendingRows = db.prepare<[number, number], { id: number; received_at: number; body: Buffer }>(
      "SELECT id, received_at, body FROM webhook_log WHERE outcome = 'received' AND id > ? ORDER BY id LIMIT ?",
    );
  }

  record(delivery: IncomingDelivery, outcome: WebhookOutcome, detail: string): number {
    const { receivedAtMs, signature, headers, body, summary } = delivery;
    return Number(
      this.insertRow.run(receivedAtMs, signature, JSON.stringify(headers), body, outcome, detail, delimited(summary?.fields ?? []), delimited(summary?.phoneNumberIds ?? [])).lastInsertRowid,
    );
  }

  /** Newest first, narrowed by the filter (one prepared statement per combination of its parts). */
  list(filter: WebhookLogFilter, limit: number): WebhookLogEntry[] {
    const parts: [keyof WebhookLogFilter, string, unknown][] = [
      ['before', 'id < ?', filter.before],
      ['outcome', 'outcome = ?', filter.outcome],
      ['field', "fields LIKE '%,' || ? || ',%'", filter.field],
      ['phoneNumberId', "phone_number_ids LIKE '%,' || ? || ',%'", filter.phoneNumberId],
      ['text', 'instr(CAST(body AS TEXT), ?) > 0', filter.text],
      ['fromMs', 'received_at >= ?', filter.fromMs],
      ['toMs', 'received_at <= ?', filter.toMs],
    ];
    const used = parts.filter(([, , value]) => value !== undefined);
    const key = used.map(([name]) => name).join(',');
    let statement = this.filtered.get(key);
    if (!statement) {
      const where = used.length > 0 ? `WHERE ${used.map(([, sql]) => sql).join(' AND ')}` : '';
      statement = this.db.prepare<unknown[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM webhook_log ${where} ORDER BY id DESC LIMIT ?`);
      this.filtered.set(key, statement);
    }
    return statement.all(...used.map(([, , value]) => value), limit).map(entryOf);
  }

  /** One delivery with its body and headers, or undefined. */
  get(id: number): LoggedDelivery | undefined {
    const row = this.detailRow.get(id);
    if (!row) return undefined;
    const { body, signature, headers_json, ...entry } = row;
    return { ...entryOf(entry), body, signature, headers: JSON.parse(headers_json) as Record<string, string> };
  }

  /** The newest delivery's id (0 when the log is empty). */
  head(): number {
    return this.headRow.get()?.head ?? 0;
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
