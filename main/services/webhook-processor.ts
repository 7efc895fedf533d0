import type { Store } from '../store';
import { emptyDelivery, parseWebhook, type ParsedDelivery } from '../whatsapp/webhook-parser';
import type { Inbox, LoggedDelivery } from './inbox';

/** Deliveries processed per transaction: large enough to amortise the fsync, small enough to keep serving requests in between. */
const CHUNK = 100;

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
 * each is applied exactly once. Runs right after each intake commit and at start (recovery of
 * what a crash left unprocessed).
 */
export class WebhookProcessor {
  private scheduled = false;
  private stopped = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly inbox: Inbox,
    private readonly log: (line: string) => void,
  ) {}

  /** Processes pending deliveries soon (after the current turn of the event loop). */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      if (this.processChunk() === CHUNK) this.schedule();
      else this.notifyIdle();
    });
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
    this.notifyIdle();
  }

  /** Processes up to one chunk; returns how many deliveries it took. */
  processChunk(): number {
    const rows = this.store.webhooks.pending(CHUNK);
    if (rows.length === 0) return 0;
    const logged = rows.map((row) => ({ id: row.id, receivedAtMs: row.receivedAtMs, parsed: parseLogged(row.body, row.receivedAtMs) }));
    try {
      this.inbox.processLogged(logged);
    } catch {
      // Something in the chunk broke the transaction (nothing of it was committed): process one
      // by one, so one bad delivery cannot hold up the others.
      for (const row of logged) this.processAlone(row);
    }
    return rows.length;
  }

  private processAlone(row: LoggedDelivery): void {
    try {
      this.inbox.processLogged([row]);
    } catch (error) {
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
