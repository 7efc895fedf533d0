import type { ServerEvent } from '../../shared/contract';

/** Live events as applied, a frame's batch at a time, for what reacts to them beyond the stores (notifications, announcements). */
export type EventChannel = {
  publish(events: readonly ServerEvent[]): void;
  /** Returns an unsubscribe. */
  subscribe(listener: (events: readonly ServerEvent[]) => void): () => void;
};

export function createEventChannel(): EventChannel {
  const listeners = new Set<(events: readonly ServerEvent[]) => void>();
  return {
    publish(events) {
      for (const listener of listeners) listener(events);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
