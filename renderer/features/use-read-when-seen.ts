import { useEffect } from 'react';
import { useBridge, useConversations } from '../stores/inbox-stores';

/** How often a read mark may be sent while messages keep arriving in view. */
const THROTTLE_MS = 500;

/** Whether the agent can see the page now: visible and focused. */
export function pageIsSeen(page: Pick<Document, 'visibilityState' | 'hasFocus'> = document): boolean {
  return page.visibilityState === 'visible' && page.hasFocus();
}

/**
 * Marks the conversation read, here and (per the read-receipt policy) on WhatsApp, only while the
 * agent can see its newest messages: the page visible and focused, and the timeline at the bottom
 * of the live tail. A message that arrives while the window is hidden, unfocused or scrolled up
 * stays unread until it is actually on screen, so no customer sees a blue tick nobody earned.
 */
export function useReadWhenSeen(conversationId: number, newestOnScreen: boolean): void {
  const bridge = useBridge();
  const unread = useConversations((state) => state.byId[conversationId]?.unread_count ?? 0);
  useEffect(() => {
    if (!newestOnScreen || unread === 0) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const attempt = () => {
      if (timer || !pageIsSeen()) return;
      timer = setTimeout(() => {
        timer = null;
        if (pageIsSeen()) void bridge.markRead({ conversation_id: conversationId });
      }, THROTTLE_MS);
    };
    attempt();
    window.addEventListener('focus', attempt);
    document.addEventListener('visibilitychange', attempt);
    return () => {
      if (timer) clearTimeout(timer);
      window.removeEventListener('focus', attempt);
      document.removeEventListener('visibilitychange', attempt);
    };
  }, [bridge, conversationId, newestOnScreen, unread]);
}
