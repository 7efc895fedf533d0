import type { ReactNode } from 'react';
import type { MessageStatus } from '../../shared/contract';
import { Icon } from './Icon';

// What each status looks like and how a screen reader says it. The clock is drawn (see Icon);
// ✓ and ! are text the usual system fonts carry.
const TICKS: Record<MessageStatus, { glyph: ReactNode; label: string }> = {
  pending: { glyph: <Icon name="clock" />, label: 'Sending' },
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
