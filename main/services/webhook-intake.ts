import type { Store } from '../store';
import type { IncomingDelivery } from '../store/webhook-log';
import { updateCount } from '../whatsapp/webhook-parser';
import type { Inbox, ReceivedDelivery } from './inbox';

type Pending = { received: ReceivedDelivery; resolve: () => void; reject: (error: unknown) => void };

/** Where deliveries that were only logged go: the WebhookProcessor. */
export type Backlog = {
  /** Whether logged deliveries may still wait to be processed. */
  hasBacklog(): boolean;
  /** Processes what was only logged, after the current turn. */
  schedule(): void;
};

/** Above this many updates in one flush, processing is left to the processor so acks stay fast. */
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
  ) {}

  /** Resolves once the delivery is durable. */
  submit(delivery: IncomingDelivery, parsed: ReceivedDelivery['parsed']): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ received: { delivery, parsed }, resolve, reject });
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
    const received = batch.map((item) => item.received);
    let inline: boolean;
    try {
      inline = received.reduce((sum, item) => sum + updateCount(item.parsed), 0) <= INLINE_LIMIT && !this.backlog.hasBacklog();
      if (inline) this.inbox.ingestMany(received);
      else this.store.transaction(() => received.forEach((item) => this.store.webhooks.record(item.delivery, 'received', '')));
    } catch (error) {
      // Nothing of the batch was committed: every request gets an error and Meta retries it.
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) item.resolve();
    if (!inline) this.backlog.schedule();
  }
}
