import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fail, ok, type MediaFile, type Message, type Result, type ServerEvent, type ValidOperationRequest } from '../../shared/contract';
import { MEDIA_SIZE_LIMITS, formatFileSize, mediaKindOf } from '../../shared/domain/media-limits';
import type { Store } from '../store';
import { mediaFilePath, removeUnkeptFiles } from '../store/media-files';
import { toMediaFile, type MediaJob } from '../store/media-repo';
import { describeStorageFailure, isStorageFailure } from '../store/storage-failure';
import type { MediaSource } from '../whatsapp/media-source';
import type { EventBus } from './event-bus';

/** How the archive paces itself (tests shorten the backoff). */
export type MediaArchiveOptions = {
  /** Downloads at once: enough to keep up, few enough to leave the line to sends. */
  concurrency: number;
  /** First retry after this, doubling per attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A file whose bytes never match Meta's sha256 after this many tries has failed for good. */
  maxHashMismatches: number;
};

export const DEFAULT_MEDIA_ARCHIVE: MediaArchiveOptions = { concurrency: 2, backoffMs: 30_000, maxBackoffMs: 60 * 60_000, maxHashMismatches: 3 };


/** Meta's sha256 as hex, whether it came as 64 hex characters (media endpoint) or base64 (webhooks). */
export function sha256Hex(stated: string): string | null {
  const trimmed = stated.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return trimmed.toLowerCase();
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : null;
}

type Outcome = { kind: 'stored'; sha256: string; mimeType: string; size: number } | { kind: 'retry'; reason: string; hashMismatch?: boolean } | { kind: 'failed'; reason: string };

class TooLargeError extends Error {}

/** A stored file: where it is, what it is, and the message's archive state. */
export type ArchivedFile = { file: string; mimeType: string; size: number; sha256: string; filename?: string; mediaFile: MediaFile };

/**
 * Keeps every file customers send. Meta holds a webhook's media for 7 days and a download URL for
 * minutes, so each message with a file gets a durable job when it is stored; this runs the jobs:
 * the file is fetched, streamed to disk while hashed, checked against its size limit and the sha256
 * Meta states (base64 in the webhook, hex from the media endpoint: both are accepted), and kept
 * under `media/` by its hash. A failed attempt is retried with backoff up to the deadline, across
 * restarts; a permanent failure is recorded with its reason and shown on the message. Every change
 * reaches clients as a `message_update`.
 */
export class MediaArchive {
  private readonly inFlight = new Map<number, AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly idle = new Set<() => void>();
  private readonly unsubscribe: () => void;
  private readonly incoming: string;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly source: MediaSource,
    private readonly folder: string,
    private readonly log: (line: string) => void,
    private readonly options: MediaArchiveOptions = DEFAULT_MEDIA_ARCHIVE,
    private readonly now: () => number = Date.now,
  ) {
    this.incoming = path.join(folder, '.incoming');
    // A message with a file was stored: its job is due now.
    this.unsubscribe = bus.subscribeBatch((events) => {
      if (events.some((event) => (event.type === 'new_message' || event.type === 'message_update') && event.message.media_file?.state === 'pending')) this.schedule(0);
    });
  }

  /** Starts working through due jobs (those a crash interrupted are due again). */
  start(): void {
    this.stopped = false;
    mkdirSync(this.incoming, { recursive: true });
    // Half-written files of an interrupted download: their jobs are still pending.
    for (const name of readdirSync(this.incoming)) rmSync(path.join(this.incoming, name), { force: true });
    this.schedule(0);
  }

  /** Ends downloads in progress (their jobs stay pending) and stops scheduling. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const controller of this.inFlight.values()) controller.abort();
  }

  /** Resolves once no download runs and none is due now (tests). */
  settle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** The stored file of a message, for serving: its path, type and size; or why there is none. */
  fileOf(messageId: number): Result<ArchivedFile> {
    const row = this.store.media.get(messageId);
    if (!row) return this.store.messages.get(messageId) ? fail('not_found', `message ${messageId} has no file`) : fail('not_found', `no message ${messageId}`);
    if (row.state === 'pending') {
      const tried = row.attempts > 0 ? ` (attempt ${row.attempts} failed: ${row.error ?? 'unknown'}; next at ${new Date(row.next_attempt_at).toISOString()})` : '';
      return fail('conflict', `the file of message ${messageId} is still being downloaded${tried}`);
    }
    if (row.state === 'failed' || row.sha256 === null) return fail('upstream_error', `the file of message ${messageId} could not be downloaded: ${row.error ?? 'unknown reason'}`);
    const file = mediaFilePath(this.folder, row.sha256);
    if (!existsSync(file)) return fail('not_found', `the file of message ${messageId} is missing from the archive (media/${row.sha256.slice(0, 2)}/${row.sha256})`);
    const filename = this.store.messages.get(messageId)?.content.media?.filename;
    return ok({
      file,
      mimeType: row.mime_type ?? 'application/octet-stream',
      size: statSync(file).size,
      sha256: row.sha256,
      mediaFile: toMediaFile(row),
      ...(filename ? { filename } : {}),
    });
  }

  /** `retryMediaDownload`: a failed download is due again at once, while Meta still keeps the file. */
  retry(request: ValidOperationRequest<'retryMediaDownload'>): Result<Message> {
    const row = this.store.media.get(request.message_id);
    if (!row) return fail('not_found', `message ${request.message_id} has no file to download`);
    if (row.state === 'stored') return fail('conflict', `the file of message ${request.message_id} is already stored`);
    // Failed, or waiting for its backoff: due now.
    if (!this.store.media.restart(request.message_id, this.now())) {
      return fail('conflict', `WhatsApp no longer keeps the file of message ${request.message_id} (7 days after it arrived): it cannot be downloaded again`);
    }
    const message = this.announce(request.message_id);
    this.schedule(0);
    return message ? ok(message) : fail('not_found', `no message ${request.message_id}`);
  }

  private isIdle(): boolean {
    return this.inFlight.size === 0 && (this.stopped || (this.store.media.nextDueAt() ?? Infinity) > this.now());
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(0, delayMs));
    this.timer.unref();
  }

  private pump(): void {
    if (this.stopped) return;
    const free = this.options.concurrency - this.inFlight.size;
    if (free > 0) {
      let jobs: MediaJob[];
      try {
        jobs = this.store.media.due(this.now(), free + this.inFlight.size).filter((job) => !this.inFlight.has(job.message_id)).slice(0, free);
      } catch (error) {
        if (!isStorageFailure(error)) throw error;
        this.log(`media archive: paused, ${describeStorageFailure(error)}`);
        this.schedule(this.options.backoffMs);
        return;
      }
      for (const job of jobs) this.begin(job);
    }
    if (this.inFlight.size === 0) {
      const next = this.store.media.nextDueAt();
      if (next !== null) this.schedule(next - this.now());
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
  }

  private begin(job: MediaJob): void {
    const controller = new AbortController();
    this.inFlight.set(job.message_id, controller);
    void this.attempt(job, controller.signal)
      .catch((error: unknown): Outcome => ({ kind: 'retry', reason: error instanceof Error ? error.message : String(error) }))
      .then((outcome) => {
        this.inFlight.delete(job.message_id);
        // Shutdown ended it: the job stays pending, as it was, for the next start.
        if (!this.stopped) this.record(job, outcome);
        this.pump();
      });
  }

  private async attempt(job: MediaJob, signal: AbortSignal): Promise<Outcome> {
    if (this.now() >= job.deadline_at) return { kind: 'failed', reason: 'WhatsApp no longer keeps this file (7 days after it arrived) and it was never downloaded' };
    const kind = mediaKindOf(job.kind) ?? 'document';
    const limit = MEDIA_SIZE_LIMITS[kind];
    const fetched = await this.source.fetchMedia({ mediaId: job.media_id, phoneNumberId: job.phone_number_id }, signal);
    if (!fetched.ok) return fetched.permanent ? { kind: 'failed', reason: fetched.reason } : { kind: 'retry', reason: fetched.reason };
    if (fetched.declaredSize !== null && fetched.declaredSize > limit) {
      return { kind: 'failed', reason: `the file is ${formatFileSize(fetched.declaredSize)}, over WhatsApp's ${formatFileSize(limit)} limit for ${kind} files` };
    }
    const temporary = path.join(this.incoming, `${job.message_id}-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(temporary, { flags: 'wx' });
        out.on('error', reject);
        out.on('finish', resolve);
        void (async () => {
          try {
            for await (const chunk of fetched.body) {
              size += chunk.byteLength;
              if (size > limit) throw new TooLargeError(`the file is over WhatsApp's ${formatFileSize(limit)} limit for ${kind} files`);
              hash.update(chunk);
              if (!out.write(chunk)) await new Promise<void>((drained) => out.once('drain', () => drained()));
            }
            out.end();
          } catch (error) {
            out.destroy();
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        })();
      });
    } catch (error) {
      rmSync(temporary, { force: true });
      if (error instanceof TooLargeError) return { kind: 'failed', reason: error.message };
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') return { kind: 'retry', reason: 'the disk is full' };
      const said = error instanceof Error ? error.message : String(error);
      return { kind: 'retry', reason: size === 0 ? said : `the download broke off after ${formatFileSize(size)} (${said})` };
    }
    const sha256 = hash.digest('hex');
    const stated = [job.expected_sha256, fetched.sha256].flatMap((value) => (value ? [sha256Hex(value)] : []));
    if (stated.some((value) => value !== sha256)) {
      rmSync(temporary, { force: true });
      return { kind: 'retry', hashMismatch: true, reason: `the bytes do not match the sha256 WhatsApp stated (got ${sha256.slice(0, 12)}…)` };
    }
    const target = mediaFilePath(this.folder, sha256);
    mkdirSync(path.dirname(target), { recursive: true });
    // The same file sent again is kept once.
    if (existsSync(target)) rmSync(temporary, { force: true });
    else renameSync(temporary, target);
    return { kind: 'stored', sha256, mimeType: fetched.mimeType, size };
  }

  private record(job: MediaJob, outcome: Outcome): void {
    const nowMs = this.now();
    let event: ServerEvent | null = null;
    try {
      this.store.transaction(() => {
        if (outcome.kind === 'stored') {
          // Erased (or pruned) while it downloaded: the file must not outlive its message.
          if (!this.store.media.markStored(job.message_id, { sha256: outcome.sha256, mimeType: outcome.mimeType, size: outcome.size })) {
            removeUnkeptFiles(this.store.db, this.folder, [outcome.sha256]);
          }
        } else {
          const attempts = job.attempts + 1;
          const next = Math.min(nowMs + Math.min(this.options.backoffMs * 2 ** job.attempts, this.options.maxBackoffMs), job.deadline_at - 60_000);
          const giveUp = outcome.kind === 'failed' || next <= nowMs || (outcome.hashMismatch === true && attempts >= this.options.maxHashMismatches);
          if (giveUp) this.store.media.markFailed(job.message_id, outcome.kind === 'retry' && next <= nowMs ? `${outcome.reason}; WhatsApp keeps files only 7 days` : outcome.reason);
          else this.store.media.markRetry(job.message_id, outcome.reason, next);
        }
        event = this.appendUpdate(job.message_id, nowMs);
      });
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      // Nothing recorded: the job stays due and is tried again once storage is back.
      this.log(`media archive: could not record message ${job.message_id}'s download (${describeStorageFailure(error)})`);
      return;
    }
    if (outcome.kind !== 'stored') this.log(`media archive: message ${job.message_id}: ${outcome.reason}`);
    if (event) this.bus.publish([event]);
  }

  private appendUpdate(messageId: number, nowMs: number): ServerEvent | null {
    const message = this.store.messages.get(messageId);
    return message ? this.store.events.append({ type: 'message_update', conversation_id: message.conversation_id, message }, nowMs) : null;
  }

  private announce(messageId: number): Message | undefined {
    const event = this.store.transaction(() => this.appendUpdate(messageId, this.now()));
    if (event) this.bus.publish([event]);
    return event?.type === 'message_update' ? event.message : undefined;
  }
}
