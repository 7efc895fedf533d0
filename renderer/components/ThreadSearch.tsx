import { useEffect, useRef, useState } from 'react';
import { MAX_SEARCH_PAGE, type SearchHit } from '../../shared/contract';
import { useBridge } from '../stores/inbox-stores';

/**
 * Ctrl/Cmd+F inside one conversation: its own fast search path, newest match first; ↑ goes to
 * older matches, ↓ to newer ones (Enter and Shift+Enter too), each opening the thread on it.
 */
export function ThreadSearch({ conversationId, onGoTo, onClose }: { conversationId: number; onGoTo: (messageId: number) => void; onClose: () => void }) {
  const bridge = useBridge();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [more, setMore] = useState(false);
  const [index, setIndex] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const searched = useRef('');

  useEffect(() => input.current?.focus(), []);

  const go = (found: SearchHit[], at: number) => {
    const hit = found[at];
    if (!hit) return;
    setIndex(at);
    onGoTo(hit.message.id);
  };

  const search = async () => {
    const q = query.trim();
    if (q === '') return;
    if (q === searched.current && hits) {
      go(hits, Math.min(hits.length - 1, index + 1));
      return;
    }
    searched.current = q;
    const page = await bridge.searchMessages({ q, conversation_id: conversationId, limit: MAX_SEARCH_PAGE });
    if (!page.ok) {
      setError(page.error.message);
      return;
    }
    setError(null);
    setHits(page.value.hits);
    setMore(page.value.next_before !== null);
    go(page.value.hits, 0);
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'Enter' && event.shiftKey && hits) {
      event.preventDefault();
      go(hits, Math.max(0, index - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void search();
    }
  };

  const count = hits === null ? '' : hits.length === 0 ? 'No matches' : `${index + 1} of ${hits.length}${more ? '+' : ''}`;
  return (
    <div className="thread-search" role="search" aria-label="Search this conversation" onKeyDown={onKeyDown}>
      <input
        ref={input}
        type="search"
        aria-label="Search this conversation"
        placeholder="Search this conversation"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setHits(null);
        }}
      />
      <span className="thread-search-count" role="status">
        {error ? `Search failed: ${error}` : count}
      </span>
      <button type="button" aria-label="Older match" disabled={!hits || index >= hits.length - 1} onClick={() => hits && go(hits, index + 1)}>
        ↑
      </button>
      <button type="button" aria-label="Newer match" disabled={!hits || index === 0} onClick={() => hits && go(hits, index - 1)}>
        ↓
      </button>
      <button type="button" aria-label="Close search" onClick={onClose}>
        ✕
      </button>
    </div>
  );
}
