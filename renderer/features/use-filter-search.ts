import { useEffect } from 'react';
import { useConversationsStore } from '../stores/inbox-stores';

/** How long typing must pause before the filter text is looked up in the history. */
export const FILTER_SEARCH_DELAY_MS = 250;

/** Looks the list's filter text up in the message history once the agent pauses typing. */
export function useFilterSearch(query: string): void {
  const store = useConversationsStore();
  useEffect(() => {
    if (query.trim().length < 2) return;
    const timer = setTimeout(() => void store.getState().searchText(query), FILTER_SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, store]);
}
