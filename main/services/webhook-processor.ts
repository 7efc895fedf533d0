import type { Store } from '../store';
import { describeStorageFailure, isStorageFailure } from '../store/storage-failure';
import { emptyDelivery, parseWebhook, updateCount, type ParsedDelivery } from '../whatsapp/webhook-parser';
import type { Inbox, LoggedDelivery } from './inbox';

/**
 * Updates (messages, statuses, reactions, edits) per transaction: enough to amortise the commit,
 * few enough that acknowledgements keep flowing between chunks. A chunk runs on the main thread,
 * and every request that arrives meanwhile waits for it: about 14 ms at 500 updates on a 2-core
 * machine. With 1,000, acknowledged 100-message batches fell to about 100,000 messages/s; with
 * 250, processing slowed, from 32,000 to 28,300 messages/s (more commits; figures in the README).
 */
const UPDATES_PER_CHUNK = 500;

/** Bounds of the wait before processing is tried again after the storage failed. */
const MIN_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 30_000;

/** Deliveries read from the log at a time while filling a chunk. */
const PAGE = 16;

function parseLogged(body: Buffer, receivedAtMs: number): ParsedDelivery {
  try {
    return parseWebhook(JSON.parse(body.toString('utf8')), receivedAtMs);
  } catch {
    return { ...emptyDelivery(), ignored: ['body is not valid JSON'] };
  }
}

/**
 * Turns acknowledged deliveries in the webhook log into messages, statuses and events, oldest
 * first, a chunk per transaction; marking a delivery processed happens in the same transaction, so
 * each is applied exactly once. Runs after an intake commit that only logged, and at start
 * (recovery of what a crash left unprocessed), one chunk per turn of the event loop so that
 * requests are read and acknowledged in between.
 */
export class WebhookProcessor {
  private scheduled = false;
  private stopped = false;
  private backlog = false;
  private idle: (() => void)[] = [];
  private carried: LoggedDelivery | null = null;
  private retryDelayMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly inbox: Inbox,
    private readonly log: (line: string) => void,
  ) {}

  /** Processes pending deliveries soon (after the current turn of the event loop). */
  schedule(): void {
    if (this.stopped) return;
    this.backlog = true;
    if (this.scheduled || this.retryTimer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      const taken = this.processChunk();
      // Waiting for the storage to recover: the backlog stays, and the retry schedules again.
      if (this.retryTimer) return;
      if (taken > 0) {
        this.schedule();
        return;
      }
      this.backlog = false;
      this.notifyIdle();
    });
  }

  /**
   * Whether acknowledged deliveries may still wait (known without a query): new ones must then be
   * queued behind them, to keep arrival order.
   */
  hasBacklog(): boolean {
    return this.backlog;
  }

  /** Resolves once nothing acknowledged is left unprocessed. */
  settle(): Promise<void> {
    if (this.store.webhooks.pending(1).length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.schedule();
    });
  }

  /** Stops scheduling more work (shutdown); what is left is processed at the next start. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.notifyIdle();
  }

  /** Processes the oldest pending deliveries, up to about one chunk of updates; returns how many deliveries it took. */
  processChunk(): number {
    let logged: LoggedDelivery[] = [];
    try {
      logged = this.nextChunk();
      if (logged.length === 0) return 0;
      this.inbox.processLogged(logged);
    } catch (error) {
      if (isStorageFailure(error)) {
        this.waitForStorage(error);
        return 0;
      }
      // Each delivery's content is contained in its own savepoint, so this is unexpected: process
      // one by one, so that one bad delivery still cannot hold up the others.
      for (const row of logged) this.processAlone(row);
    }
    this.retryDelayMs = 0;
    return logged.length;
  }

  // The disk is full, the file read-only or unreadable: nothing was committed and the backlog
  // stays durable in the log. Try again with a growing delay (0.5 s up to 30 s), so processing
  // resumes by itself once the storage recovers, even if no new delivery arrives to prompt it.
  private waitForStorage(error: unknown): void {
    this.retryDelayMs = Math.min(MAX_RETRY_DELAY_MS, Math.max(MIN_RETRY_DELAY_MS, this.retryDelayMs * 2));
    this.carried = null;
    this.log(`webhook: processing paused, ${describeStorageFailure(error)}; trying again in ${this.retryDelayMs} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.schedule();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  // Whole deliveries, oldest first, until the chunk holds UPDATES_PER_CHUNK updates (a single
  // larger delivery is a chunk of its own). The delivery that did not fit is kept parsed for the
  // next chunk, which reuses that parse if the delivery is still pending then (a replay may have
  // processed it in between).
  private nextChunk(): LoggedDelivery[] {
    const chunk: LoggedDelivery[] = [];
    const carried = this.carried;
    this.carried = null;
    let updates = 0;
    let afterId = 0;
    while (updates < UPDATES_PER_CHUNK) {
      const rows = this.store.webhooks.pending(PAGE, afterId);
      for (const row of rows) {
        if (updates >= UPDATES_PER_CHUNK) return chunk;
        const parsed = carried?.id === row.id ? carried.parsed : parseLogged(row.body, row.receivedAtMs);
        const delivery = { id: row.id, receivedAtMs: row.receivedAtMs, parsed };
        const size = updateCount(parsed);
        if (chunk.length > 0 && updates + size > UPDATES_PER_CHUNK) {
          this.carried = delivery;
          return chunk;
        }
        chunk.push(delivery);
        updates += size;
        afterId = row.id;
      }
      if (rows.length < PAGE) break;
    }
    return chunk;
  }

  private processAlone(row: LoggedDelivery): void {
    try {
      this.inbox.processLogged([row]);
    } catch (error) {
      if (isStorageFailure(error)) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.log(`webhook: delivery ${row.id} could not be processed (${reason}); kept in the log for a replay`);
      this.store.webhooks.setOutcome(row.id, 'failed', reason);
    }
  }

  private notifyIdle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}
