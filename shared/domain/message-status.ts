/** Every delivery state a message can show, in the order a tick may move through them. */
export const MESSAGE_STATUSES = ['pending', 'sent', 'delivered', 'failed', 'read', 'played'] as const;

/** The delivery state of one message: clock, ✓, ✓✓, blue ✓✓ (read; played for voice notes), or ! for failed. */
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

// A status may only replace one of lower rank: Meta delivers status webhooks concurrently, out of
// order and more than once, so "read then a late delivered" must stay read. `failed` outranks
// pending/sent/delivered (Meta can fail a message after accepting it, e.g. 131047) but not `read`:
// a read receipt proves the customer saw it.
const STATUS_RANK: Record<MessageStatus, number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  failed: 3,
  read: 4,
  played: 5,
};

/**
 * Whether a message in status `current` may move to `incoming`. Only forward moves are allowed,
 * and `failed` is terminal: only an explicit resend by the agent leaves it.
 */
export function canAdvanceStatus(current: MessageStatus, incoming: MessageStatus): boolean {
  if (current === 'failed') return false;
  return STATUS_RANK[incoming] > STATUS_RANK[current];
}

/** Whether a string is one of the statuses this app tracks (older schemas also had e.g. `deleted`). */
export function isMessageStatus(value: string): value is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(value);
}
