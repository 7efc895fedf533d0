import { useEffect, useMemo } from 'react';
import { useConversations } from '../stores/inbox-stores';

const TITLE = 'Switchboard';

/** The unread total drawn as a browser icon: a green disc with the count (99+ above 99). */
function badgeIcon(total: number): string | null {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.fillStyle = '#008069';
  context.beginPath();
  context.arc(32, 32, 30, 0, Math.PI * 2);
  context.fill();
  context.fillStyle = '#ffffff';
  context.font = `bold ${total > 99 ? 24 : 34}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(total > 99 ? '99+' : String(total), 32, 34);
  return canvas.toDataURL('image/png');
}

/**
 * The unread total where the agent sees it with the window in the background: in the page title
 * ("(3) Switchboard") and as the browser tab's icon.
 */
export function useUnreadBadge(): void {
  // Summed when the conversations change, not on every change of the store (a filter, a selection).
  const byId = useConversations((state) => state.byId);
  const total = useMemo(() => Object.values(byId).reduce((sum, conversation) => sum + conversation.unread_count, 0), [byId]);
  useEffect(() => {
    document.title = total > 0 ? `(${total}) ${TITLE}` : TITLE;
    let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    const icon = total > 0 ? badgeIcon(total) : null;
    if (!icon) {
      link?.remove();
      return;
    }
    if (!link) {
      link = document.createElement('link');
      link.rel = 'icon';
      document.head.append(link);
    }
    link.href = icon;
  }, [total]);
}
