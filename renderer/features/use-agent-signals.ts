import { useCallback, useEffect, useRef } from 'react';
import { useBridge } from '../stores/inbox-stores';

/** Re-sent while the conversation stays open; the gateway forgets a view after 20 s. */
const VIEWING_REFRESH_MS = 10_000;
/** At most one typing signal per this interval; the gateway shows typing for 6 s after each. */
const TYPING_THROTTLE_MS = 3_000;

/**
 * Tells the other agents this one is viewing `conversationId` (refreshed while open, cleared on
 * leaving), and returns the function the composer calls on each keystroke.
 */
export function useAgentSignals(conversationId: number): () => void {
  const bridge = useBridge();
  const lastTyping = useRef(0);
  useEffect(() => {
    bridge.signal({ type: 'viewing', conversation_id: conversationId });
    const refresh = setInterval(() => bridge.signal({ type: 'viewing', conversation_id: conversationId }), VIEWING_REFRESH_MS);
    return () => {
      clearInterval(refresh);
      bridge.signal({ type: 'viewing', conversation_id: null });
    };
  }, [bridge, conversationId]);
  return useCallback(() => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_THROTTLE_MS) return;
    lastTyping.current = now;
    bridge.signal({ type: 'typing', conversation_id: conversationId });
  }, [bridge, conversationId]);
}
