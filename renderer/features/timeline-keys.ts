import type { Message } from '../../shared/contract';
import { localDay } from '../components/format-time';

/** A timeline row's key: a day separator, the unread divider, or a message. */
export type TimelineKey = `day:${string}` | 'unread' | `m:${number}`;

/** The key of a message's row. */
export function messageKey(id: number): TimelineKey {
  return `m:${id}`;
}

/**
 * The rows of a window of messages: a separator at each new local day, the unread divider before
 * the first unread message, then each message. Messages never change day (an edit keeps its time),
 * so this depends on the ids alone.
 */
export function timelineKeys(ids: readonly number[], byId: Record<number, Message>, unreadFromId: number | null): TimelineKey[] {
  const keys: TimelineKey[] = [];
  let day = '';
  for (const id of ids) {
    const message = byId[id];
    if (!message) continue;
    const today = localDay(message.timestamp);
    if (today !== day) {
      day = today;
      keys.push(`day:${today}`);
    }
    if (id === unreadFromId) keys.push('unread');
    keys.push(messageKey(id));
  }
  return keys;
}
