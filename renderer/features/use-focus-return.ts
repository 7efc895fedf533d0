import { useEffect, useState } from 'react';

/**
 * Gives the keyboard focus back, when the component goes, to what had it when the component came
 * (if that is still on the page), not to the page itself: a keyboard user who closes a palette or
 * a panel goes on from where they were. Read while rendering, before anything inside takes it.
 */
export function useFocusReturn(): void {
  const [opener] = useState(() => document.activeElement);
  useEffect(
    () => () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    },
    [opener],
  );
}
