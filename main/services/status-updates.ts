import { canAdvanceStatus, type Message, type ServerEvent } from '../../shared/contract';
import type { StatusRecord } from '../store/message-repo';
import type { Store } from '../store';

/**
 * Applies one status to a stored message: always into its history, and to the message itself only
 * when it moves the tick forward. Returns the event to emit, or null for a no-op (duplicate or late).
 */
export function applyStatus(store: Store, message: Message, record: StatusRecord, nowMs: number): ServerEvent | null {
  store.messages.recordHistory(message.id, record);
  if (!canAdvanceStatus(message.status, record.status)) return null;
  store.messages.setStatus(message.id, record.status, record.error);
  return store.events.append(
    {
      type: 'status_update',
      conversation_id: message.conversation_id,
      message_id: message.id,
      wamid: message.wamid,
      status: record.status,
      ...(record.error ? { error: record.error } : {}),
    },
    nowMs,
  );
}

/** Applies, in order, the statuses that arrived for `message` before its wamid was known. */
export function applyEarlyStatuses(store: Store, message: Message, nowMs: number): ServerEvent[] {
  if (!message.wamid) return [];
  const events: ServerEvent[] = [];
  let current = message;
  for (const record of store.messages.takeEarlyStatuses(message.wamid)) {
    const event = applyStatus(store, current, record, nowMs);
    if (event?.type === 'status_update') {
      events.push(event);
      current = { ...current, status: event.status };
    }
  }
  return events;
}
