import type { ServerEvent } from '../../shared/contract';

/** A function that receives committed events in `seq` order. */
export type EventListener = (event: ServerEvent) => void;

/**
 * Fans committed events out to IPC and WebSocket. Publishing happens right after the commit, on
 * the same thread, so a reader that takes the log's backlog and subscribes in one synchronous step
 * sees every event exactly once.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly ServerEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) listener(event);
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
