import type { ServerEvent } from '../../shared/contract';
import type { Store } from '../store';
import { describeStorageFailure, isStorageFailure } from '../store/storage-failure';
import type { EventBus } from './event-bus';

/** How the indexer batches: messages per transaction, how many make it start at once, and how long a smaller backlog waits. */
export type SearchIndexerOptions = { batch: number; eagerAt: number; quietMs: number; retryMs: number };

/**
 * 2,000 messages per transaction (about 15 ms at a million messages); at once from 500 waiting,
 * else after 250 ms; 1 s after a storage failure.
 */
export const DEFAULT_INDEXER_OPTIONS: SearchIndexerOptions = { batch: 2_000, eagerAt: 500, quietMs: 250, retryMs: 1_000 };

/**
 * Adds new messages to the search index in batches, after they are stored. Indexing inside each
 * webhook's group commit wrote one index segment per commit and nearly halved ingest (README,
 * "Search"); in batches of hundreds it costs a few microseconds a message. Nothing is missed in
 * between: search checks the messages not indexed yet directly, and the index's cursor is durable,
 * so what a crash left unindexed is indexed at the next start. Edits, revokes and erasure of indexed
 * messages reach the index at once, by trigger, in their own transaction.
 */
export class SearchIndexer {
  private waiting = 0;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: () => void;
  private idle: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    bus: EventBus,
    private readonly log: (line: string) => void,
    private readonly options: SearchIndexerOptions = DEFAULT_INDEXER_OPTIONS,
  ) {
    this.unsubscribe = bus.subscribeBatch((events) => this.noteEvents(events));
  }

  /** Indexes whatever is left from before (a crash, a migration, a demo history). */
  start(): void {
    if (this.store.search.hasUnindexed()) this.runSoon();
  }

  /** Resolves once every stored message is in the index (tests, benchmarks). */
  settle(): Promise<void> {
    if (!this.store.search.hasUnindexed()) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.runSoon();
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.notifyIdle();
  }

  private noteEvents(events: readonly ServerEvent[]): void {
    const added = events.reduce((count, event) => count + (event.type === 'new_message' ? 1 : 0), 0);
    if (added === 0) return;
    this.waiting += added;
    if (this.waiting >= this.options.eagerAt) this.runSoon();
    else if (!this.timer && !this.scheduled) {
      this.timer = setTimeout(() => this.runSoon(), this.options.quietMs);
      this.timer.unref();
    }
  }

  private runSoon(): void {
    if (this.stopped || this.scheduled) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.scheduled = true;
    setImmediate(() => this.indexBatch());
  }

  // One batch per turn of the event loop, so requests are served between batches.
  private indexBatch(): void {
    this.scheduled = false;
    if (this.stopped) return;
    let indexed: number;
    try {
      indexed = this.store.search.indexBatch(this.options.batch);
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      // The messages are stored and found by search directly meanwhile: try again later.
      this.log(`search: indexing paused, ${describeStorageFailure(error)}`);
      this.timer = setTimeout(() => this.runSoon(), this.options.retryMs);
      this.timer.unref();
      return;
    }
    this.waiting = Math.max(0, this.waiting - indexed);
    if (indexed === this.options.batch) this.runSoon();
    else {
      this.waiting = 0;
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}
