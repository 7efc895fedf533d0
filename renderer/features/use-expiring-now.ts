import { useEffect, useState } from 'react';
import { nextExpiry } from '../stores/team-store';
import { useTeam } from '../stores/inbox-stores';

/**
 * The current time, refreshed exactly when the next typing or viewing entry expires, so "Ana is
 * typing…" disappears on time without polling anything.
 */
export function useExpiringNow(): number {
  const [now, setNow] = useState(() => Date.now());
  const next = useTeam((state) => nextExpiry(state, now));
  useEffect(() => {
    if (next === null) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, next - Date.now()) + 10);
    return () => clearTimeout(timer);
  }, [next]);
  // Any change to the team state re-renders; take the time then too.
  const fresh = Date.now();
  return fresh > now ? fresh : now;
}
