import type { WebhookReceipt } from '../../shared/contract';
import type { Store } from '../store';
import type { IncomingDelivery } from '../store/webhook-log';
import { itemCount, parseWebhook, type ParsedDelivery } from '../whatsapp/webhook-parser';
import { deliverySummary } from '../whatsapp/delivery-summary';
import type { Inbox, IngestOutcome } from './inbox';

type Pending = {
  delivery: IncomingDelivery;
  /** The body's JSON: parsed into updates only if processed in this commit. */
  json: unknown;
  items: number;
  resolve: (receipt: WebhookReceipt) => void;
  reject: (error: unknown) => void;
};

function receivedReceipt(parsed: ParsedDelivery, outcome: IngestOutcome | undefined): WebhookReceipt {
  if (outcome?.failed) return { failed: { error: outcome.failed } };
  return { received: { messages: parsed.messages.length, statuses: parsed.statuses.length, reactions: parsed.reactions.length, changes: parsed.changes.length } };
}

/** Where deliveries that were only logged go: the WebhookProcessor. */
export type Backlog = {
  /** Whether logged deliveries may still wait to be processed. */
  hasBacklog(): boolean;
  /** Processes what was only logged, after the current turn. */
  schedule(): void;
};

/**
 * Above this many messages, echoes and statuses in one flush, processing is left to the processor
 * so acks stay fast; such a flush is not even parsed here (the processor parses what it processes).
 */
const INLINE_LIMIT = 1000;

/**
 * Group commit of webhook deliveries. Deliveries that finish arriving in the same turn of the event
 * loop are committed in one transaction with one fsync, and each request is answered only after
 * that commit: from then on the delivery survives kill -9 and power loss. Under load the batches
 * grow by themselves: while one commit runs, the next requests queue up in the socket buffers and
 * are all read before the next flush.
 *
 * A small batch is processed into messages inside that same transaction. A large one (or any
 * batch while older deliveries still wait) is only logged, and the WebhookProcessor processes it
 * right after, in arrival order: acknowledging never waits for a big backlog.
 */
export class WebhookIntake {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly inbox: Inbox,
    private readonly backlog: Backlog,
    /** Called after each commit of deliveries (the forwarder relays them from the log). */
    private readonly onStored: () => void = () => undefined,
  ) {}

  /** Resolves once the delivery is durable, with what was done with it. */
  submit(delivery: IncomingDelivery, json: unknown): Promise<WebhookReceipt> {
    return new Promise((resolve, reject) => {
      this.pending.push({ delivery: { ...delivery, summary: deliverySummary(json) }, json, items: itemCount(json), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    let answers: [Pending, WebhookReceipt][];
    try {
      const inline = batch.reduce((sum, item) => sum + item.items, 0) <= INLINE_LIMIT && !this.backlog.hasBacklog();
      answers = inline ? this.processNow(batch) : this.logOnly(batch);
    } catch (error) {
      // Each delivery's own content is contained in its savepoint, so only the storage itself
      // failing (disk full, read-only, I/O error) lands here: nothing of the batch was committed,
      // every request gets a 503 and Meta retries it.
      for (const item of batch) item.reject(error);
      return;
    }
    for (const [item, receipt] of answers) item.resolve(receipt);
    this.onStored();
  }

  private processNow(batch: readonly Pending[]): [Pending, WebhookReceipt][] {
    const received = batch.map((item) => ({ item, parsed: parseWebhook(item.json, item.delivery.receivedAtMs) }));
    const outcomes = this.inbox.ingestMany(received.map(({ item, parsed }) => ({ delivery: item.delivery, parsed })));
    return received.map(({ item, parsed }, index) => [item, receivedReceipt(parsed, outcomes[index])]);
  }

  private logOnly(batch: readonly Pending[]): [Pending, WebhookReceipt][] {
    this.inbox.recordOnly(() => batch.forEach((item) => this.store.webhooks.record(item.delivery, 'received', '')));
    this.backlog.schedule();
    return batch.map((item) => [item, { queued: { updates: item.items } }]);
  }
}
