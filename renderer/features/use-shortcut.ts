import { useEffect, useRef } from 'react';

/** A key with Ctrl (Cmd on macOS), such as `k` for Ctrl/Cmd+K. */
export function isCommandKey(event: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'key'>, key: string): boolean {
  return (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === key;
}

/**
 * Calls `onKey` for every key pressed anywhere in the window while mounted; it decides whether the
 * key is its own (and then prevents the browser's default, such as Ctrl+F's find bar).
 */
export function useWindowKeys(onKey: (event: KeyboardEvent) => void): void {
  const latest = useRef(onKey);
  latest.current = onKey;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => latest.current(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}
