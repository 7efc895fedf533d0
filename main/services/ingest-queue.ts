import type { IngestOutcome, Inbox, ReceivedDelivery } from './inbox';

type Pending = { received: ReceivedDelivery; resolve: (outcome: IngestOutcome) => void; reject: (error: unknown) => void };

/**
 * Group commit for webhooks. Deliveries that finish arriving in the same turn of the event loop
 * are committed in one transaction with one fsync, and each request is answered only after that
 * commit. Under load the batches grow by themselves: while one commit runs, the next requests
 * queue up in the socket buffers and are all read before the next flush.
 */
export class IngestQueue {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly inbox: Inbox) {}

  submit(received: ReceivedDelivery): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ received, resolve, reject });
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
    try {
      const outcomes = this.inbox.ingestMany(batch.map((item) => item.received));
      batch.forEach((item, index) => item.resolve(outcomes[index] ?? { events: [], ignored: [] }));
    } catch {
      // One delivery broke the shared transaction (nothing of it was committed): commit each on
      // its own, so only the broken one gets an error and is retried by Meta.
      for (const item of batch) {
        try {
          item.resolve(this.inbox.ingest(item.received));
        } catch (error) {
          item.reject(error);
        }
      }
    }
  }
}
