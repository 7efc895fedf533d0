import type { MessageStatus } from '../../shared/contract';

// What each status looks like and how a screen reader says it.
const TICKS: Record<MessageStatus, { glyph: string; label: string }> = {
  pending: { glyph: '🕓', label: 'Sending' },
  sent: { glyph: '✓', label: 'Sent' },
  delivered: { glyph: '✓✓', label: 'Delivered' },
  read: { glyph: '✓✓', label: 'Read' },
  played: { glyph: '✓✓', label: 'Played' },
  failed: { glyph: '!', label: 'Not delivered' },
};

/** The delivery ticks of an outgoing message: clock, ✓, ✓✓, blue ✓✓ (read or played), or ! when it failed. */
export function Ticks({ status }: { status: MessageStatus }) {
  const tick = TICKS[status];
  return (
    <span className={`ticks ticks-${status}`} data-status={status} role="img" aria-label={tick.label} title={tick.label}>
      {tick.glyph}
    </span>
  );
}
