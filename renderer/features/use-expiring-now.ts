import { useEffect, useState } from 'react';
import { nextExpiry } from '../stores/team-store';
import { useTeam } from '../stores/inbox-stores';

/**
 * The current time, with a re-render scheduled exactly when the next typing or viewing entry
 * expires, so "Ana is typing…" disappears on time without polling anything.
 */
export function useExpiringNow(): number {
  const [, setExpired] = useState(0);
  const now = Date.now();
  const next = useTeam((state) => nextExpiry(state, now));
  useEffect(() => {
    if (next === null) return;
    const timer = setTimeout(() => setExpired((count) => count + 1), Math.max(0, next - Date.now()) + 10);
    return () => clearTimeout(timer);
  }, [next]);
  return now;
}
