import type { Database } from 'better-sqlite3';
import type { MediaFile } from '../../shared/contract';
import { MEDIA_DEADLINE_MS } from './migrations';

/** A media_files row. */
export type MediaFileRow = {
  message_id: number;
  media_id: string;
  phone_number_id: string;
  kind: string;
  expected_sha256: string | null;
  state: MediaFile['state'];
  attempts: number;
  next_attempt_at: number;
  deadline_at: number;
  sha256: string | null;
  mime_type: string | null;
  size: number | null;
  error: string | null;
};

/** A download to make: which file, for which message, checked against what. */
export type MediaJob = Pick<MediaFileRow, 'message_id' | 'media_id' | 'phone_number_id' | 'kind' | 'expected_sha256' | 'attempts' | 'deadline_at'>;

/** What a message needs for a download job. */
export type NewMediaJob = { messageId: number; conversationId: number; mediaId: string; kind: string; expectedSha256: string | null; receivedAtMs: number };

/** The columns a message's `media_file` is built from, as SQL for a correlated subquery over `m`. */
export const MEDIA_FILE_JSON = `(SELECT json_object('state', f.state, 'attempts', f.attempts, 'next_attempt_at', f.next_attempt_at,
  'size', f.size, 'mime_type', f.mime_type, 'sha256', f.sha256, 'error', f.error) FROM media_files f WHERE f.message_id = m.id)`;

type MediaFileJson = { state: MediaFile['state']; attempts: number; next_attempt_at: number; size: number | null; mime_type: string | null; sha256: string | null; error: string | null };

/** A row's archive state as the contract's MediaFile. */
export function toMediaFile(json: string | MediaFileJson): MediaFile {
  const row = typeof json === 'string' ? (JSON.parse(json) as MediaFileJson) : json;
  return {
    state: row.state,
    attempts: row.attempts,
    ...(row.state === 'pending' ? { next_attempt_at: new Date(row.next_attempt_at).toISOString() } : {}),
    ...(row.size !== null ? { size: row.size } : {}),
    ...(row.mime_type !== null ? { mime_type: row.mime_type } : {}),
    ...(row.sha256 !== null ? { sha256: row.sha256 } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
  };
}

/** The durable download jobs of the media archive and what each stored. */
export class MediaRepo {
  private readonly insertJob;
  private readonly dueRows;
  private readonly nextDue;
  private readonly byMessage;
  private readonly storeRow;
  private readonly retryRow;
  private readonly failRow;
  private readonly restartRow;
  private readonly insertSent;

  constructor(db: Database) {
    // An agent's attachment is kept from the start; `media_id` is filled once WhatsApp has it.
    this.insertSent = db.prepare<[number, number, string, string, string, number, number]>(
      `INSERT INTO media_files (message_id, media_id, phone_number_id, kind, state, sha256, mime_type, size, attempts, next_attempt_at, deadline_at)
       VALUES (?, '', (SELECT phone_number_id FROM conversations WHERE id = ?), ?, 'stored', ?, ?, ?, 0, 0, ?)`,
    );
    this.insertJob = db.prepare<[number, string, number, string, string | null, number, number]>(
      `INSERT INTO media_files (message_id, media_id, phone_number_id, kind, expected_sha256, next_attempt_at, deadline_at)
       VALUES (?, ?, (SELECT phone_number_id FROM conversations WHERE id = ?), ?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET media_id = excluded.media_id, expected_sha256 = excluded.expected_sha256,
         state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, deadline_at = excluded.deadline_at, error = NULL
       WHERE media_files.media_id IS NOT excluded.media_id`,
    );
    this.dueRows = db.prepare<[number, number], MediaJob>(
      `SELECT message_id, media_id, phone_number_id, kind, expected_sha256, attempts, deadline_at FROM media_files
       WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
    );
    this.nextDue = db.prepare<[], number | null>("SELECT min(next_attempt_at) FROM media_files WHERE state = 'pending'").pluck();
    this.byMessage = db.prepare<[number], MediaFileRow>('SELECT * FROM media_files WHERE message_id = ?');
    this.storeRow = db.prepare<[string, string, number, number]>(
      "UPDATE media_files SET state = 'stored', sha256 = ?, mime_type = ?, size = ?, attempts = attempts + 1, error = NULL WHERE message_id = ?",
    );
    this.retryRow = db.prepare<[number, string, number]>(
      "UPDATE media_files SET attempts = attempts + 1, next_attempt_at = ?, error = ? WHERE message_id = ? AND state = 'pending'",
    );
    this.failRow = db.prepare<[string, number]>("UPDATE media_files SET state = 'failed', attempts = attempts + 1, error = ? WHERE message_id = ?");
    this.restartRow = db.prepare<[number, number, number]>(
      `UPDATE media_files SET state = 'pending', next_attempt_at = ?, error = CASE WHEN state = 'failed' THEN NULL ELSE error END
       WHERE message_id = ? AND state IN ('pending', 'failed') AND deadline_at > ?`,
    );
  }

  /** Adds a download job for a message's file (in the transaction that stores the message). */
  enqueue(job: NewMediaJob): void {
    const { messageId, mediaId, conversationId, kind, expectedSha256, receivedAtMs } = job;
    this.insertJob.run(messageId, mediaId, conversationId, kind, expectedSha256, receivedAtMs, receivedAtMs + MEDIA_DEADLINE_MS);
  }

  /** Records the file of an agent's attachment as stored (its bytes are already under their hash). */
  recordSent(file: { messageId: number; conversationId: number; kind: string; sha256: string; mimeType: string; size: number; nowMs: number }): void {
    this.insertSent.run(file.messageId, file.conversationId, file.kind, file.sha256, file.mimeType, file.size, file.nowMs);
  }

  /** Up to `limit` pending jobs due at `nowMs`, the longest waiting first. */
  due(nowMs: number, limit: number): MediaJob[] {
    return this.dueRows.all(nowMs, limit);
  }

  /** When the next pending job is due, or null when none waits. */
  nextDueAt(): number | null {
    return this.nextDue.get() ?? null;
  }

  get(messageId: number): MediaFileRow | undefined {
    return this.byMessage.get(messageId);
  }

  /** Records verified bytes kept under their hash; false when the message is gone (erased meanwhile). */
  markStored(messageId: number, file: { sha256: string; mimeType: string; size: number }): boolean {
    return this.storeRow.run(file.sha256, file.mimeType, file.size, messageId).changes > 0;
  }

  /** Records a failed attempt that is worth repeating at `nextAttemptAtMs`. */
  markRetry(messageId: number, reason: string, nextAttemptAtMs: number): void {
    this.retryRow.run(nextAttemptAtMs, reason, messageId);
  }

  /** Records that the file cannot be had, with the reason shown on the message. */
  markFailed(messageId: number, reason: string): void {
    this.failRow.run(reason, messageId);
  }

  /** Makes a failed or waiting job due at once; false when it is stored or Meta's deadline has passed. */
  restart(messageId: number, nowMs: number): boolean {
    return this.restartRow.run(nowMs, messageId, nowMs).changes > 0;
  }
}
