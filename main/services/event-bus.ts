import type { ServerEvent } from '../../shared/contract';

/** A function that receives committed events in `seq` order. */
export type EventListener = (event: ServerEvent) => void;

/** A function that receives the events of one commit at once, in `seq` order. */
export type BatchListener = (events: readonly ServerEvent[]) => void;

/**
 * Fans committed events out to IPC and WebSocket. Publishing happens right after the commit, on
 * the same thread, so a reader that takes the log's backlog and subscribes in one synchronous step
 * sees every event exactly once.
 *
 * A listener that throws is reported and skipped: the change is already committed, so its
 * failure must neither reach the committer (a webhook would be answered 500 although stored) nor
 * keep the other listeners from the event.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly batchListeners = new Set<BatchListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = (error) => console.error('event listener failed:', error)) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Like subscribe, a commit at a time: lets a consumer write one commit's events in one go. */
  subscribeBatch(listener: BatchListener): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  publish(events: readonly ServerEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.batchListeners) this.deliver(() => listener(events));
    for (const event of events) {
      for (const listener of this.listeners) this.deliver(() => listener(event));
    }
  }

  private deliver(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.onListenerError(error);
    }
  }

  get listenerCount(): number {
    return this.listeners.size + this.batchListeners.size;
  }
}
