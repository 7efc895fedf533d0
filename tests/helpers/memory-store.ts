import { EventBus } from '../../main/services/event-bus';
import { createStore, type Store } from '../../main/store';
import { openDatabase } from '../../main/store/database';
import type { ServerEvent } from '../../shared/contract';

/** A migrated in-memory store with a bus that records what it published. */
export function memoryStore(): { store: Store; bus: EventBus; published: ServerEvent[] } {
  const store = createStore(openDatabase({ path: ':memory:' }));
  const bus = new EventBus();
  const published: ServerEvent[] = [];
  bus.subscribe((event) => published.push(event));
  return { store, bus, published };
}
