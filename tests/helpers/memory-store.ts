import { EventBus } from '../../main/services/event-bus';
import { createStore, type Store } from '../../main/store';
import { openDatabase } from '../../main/store/database';
import type { ServerEvent } from '../../shared/contract';

/**
 * A migrated in-memory store with a bus that records what it published: `published` holds the
 * inbox's events (what agents see), `logUpdates` the webhook log's one-per-commit notices, which
 * the webhook inspector's own tests check.
 */
export function memoryStore(): { store: Store; bus: EventBus; published: ServerEvent[]; logUpdates: ServerEvent[] } {
  const store = createStore(openDatabase({ path: ':memory:' }));
  const bus = new EventBus();
  const published: ServerEvent[] = [];
  const logUpdates: ServerEvent[] = [];
  bus.subscribe((event) => (event.type === 'webhook_log_update' ? logUpdates : published).push(event));
  return { store, bus, published, logUpdates };
}
