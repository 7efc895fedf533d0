import type { Conversation } from '../../shared/contract';

/**
 * The list's order: newest activity first, conversations without messages last (newest id first
 * among equals). ISO times compare as plain strings; localeCompare's collation is far slower over
 * thousands of rows.
 */
export function byActivity(a: Conversation, b: Conversation): number {
  const left = a.last_message_at ?? '';
  const right = b.last_message_at ?? '';
  return left === right ? b.id - a.id : left < right ? 1 : -1;
}

/** The ids of every conversation, in the list's order. */
export function orderOf(byId: Record<number, Conversation>): number[] {
  return Object.values(byId)
    .sort(byActivity)
    .map((conversation) => conversation.id);
}

/** Past this many changed conversations, one sort costs less than moving each. */
const MOVES_BEFORE_A_SORT = 64;

/**
 * The order after some conversations changed, came or went: each changed one moves to its place
 * (a binary search), the rest keep theirs. A new message in one of 100,000 conversations costs a
 * pass over the ids, not a sort of them all (about 50 ms).
 */
export function reorder(order: readonly number[], byId: Record<number, Conversation>, changed: ReadonlySet<number>): number[] {
  if (changed.size > MOVES_BEFORE_A_SORT) return orderOf(byId);
  const kept = order.slice();
  for (const id of changed) {
    const at = kept.indexOf(id);
    if (at >= 0) kept.splice(at, 1);
  }
  for (const id of changed) {
    const conversation = byId[id];
    if (!conversation) continue;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = byId[kept[middle] as number];
      if (other && byActivity(other, conversation) < 0) low = middle + 1;
      else high = middle;
    }
    kept.splice(low, 0, id);
  }
  return kept;
}
