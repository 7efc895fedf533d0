import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { SEARCH_MEDIA_KINDS, type Conversation, type SearchHit } from '../../shared/contract';
import { formatTime } from '../components/format-time';
import { Highlighted } from '../components/Highlighted';
import { byActivity } from '../stores/conversation-order';
import { useBridge, useConversations, useMessagesStore } from '../stores/inbox-stores';
import { useFocusReturn } from './use-focus-return';

/** How long typing pauses before the history is searched. */
const DEBOUNCE_MS = 150;
/** Conversations shown for a query, before the messages. */
const CONVERSATION_LIMIT = 8;

type Filters = { direction: '' | 'in' | 'out'; media: '' | (typeof SEARCH_MEDIA_KINDS)[number]; from: string; to: string; here: boolean };
const NO_FILTERS: Filters = { direction: '', media: '', from: '', to: '', here: false };

type Option = { kind: 'conversation'; conversation: Conversation } | { kind: 'message'; hit: SearchHit };

const MEDIA_LABELS: Record<(typeof SEARCH_MEDIA_KINDS)[number], string> = { photo: 'Photos', video: 'Videos', audio: 'Audio', document: 'Documents', link: 'Links' };

// Digits of a phone number as typed ("+34 600-111"), to match wa_id.
const digitsOf = (text: string) => text.replace(/[^\d]/g, '');

/** Conversations whose name or number holds the query, newest activity first. */
export function matchConversations(all: Record<number, Conversation>, query: string): Conversation[] {
  const wanted = query.trim().toLocaleLowerCase();
  if (wanted === '') return [];
  const digits = digitsOf(wanted);
  return Object.values(all)
    .filter((c) => c.name.toLocaleLowerCase().includes(wanted) || (digits.length >= 3 && (c.wa_id ?? '').includes(digits)))
    .sort(byActivity)
    .slice(0, CONVERSATION_LIMIT);
}

/**
 * Finds anything (Ctrl/Cmd+K): conversations by name or number as the agent types, and messages
 * through the history search, newest first, with the match highlighted and filters for the open
 * conversation, direction, media kind and dates. Arrow keys move through the results, Enter opens
 * one: a message opens its conversation centred on it. Esc closes.
 */
export function SearchPalette({ onClose }: { onClose: () => void }) {
  const bridge = useBridge();
  const conversations = useConversations((state) => state.byId);
  const selectedId = useConversations((state) => state.selectedId);
  const select = useConversations((state) => state.select);
  // Conversations match by name and number among those loaded: the older ones are needed now.
  const hurry = useConversations((state) => state.hurry);
  useEffect(() => hurry(), [hurry]);
  const messages = useMessagesStore();
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();

  useFocusReturn();
  useEffect(() => input.current?.focus(), []);

  const request = useMemo(() => {
    const q = query.trim();
    if (q === '') return null;
    return {
      q,
      ...(filters.direction ? { direction: filters.direction } : {}),
      ...(filters.media ? { media: filters.media } : {}),
      ...(filters.from ? { from: new Date(`${filters.from}T00:00:00`).toISOString() } : {}),
      ...(filters.to ? { to: new Date(new Date(`${filters.to}T00:00:00`).getTime() + 86_400_000).toISOString() } : {}),
      ...(filters.here && selectedId !== null ? { conversation_id: selectedId } : {}),
      limit: 20,
    };
  }, [query, filters, selectedId]);

  useEffect(() => {
    setActive(0);
    if (!request) {
      setHits([]);
      setNextBefore(null);
      setError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setSearching(true);
      void bridge.searchMessages(request).then((page) => {
        if (!current) return;
        setSearching(false);
        if (!page.ok) {
          setError(page.error.message);
          return;
        }
        setError(null);
        setHits(page.value.hits);
        setNextBefore(page.value.next_before);
      });
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [bridge, request]);

  const more = async () => {
    if (!request || !nextBefore) return;
    setSearching(true);
    const page = await bridge.searchMessages({ ...request, before: nextBefore });
    setSearching(false);
    if (!page.ok) {
      setError(page.error.message);
      return;
    }
    setHits((shown) => [...shown, ...page.value.hits]);
    setNextBefore(page.value.next_before);
  };

  const options: Option[] = useMemo(
    () => [
      ...(filters.here ? [] : matchConversations(conversations, query).map((conversation) => ({ kind: 'conversation' as const, conversation }))),
      ...hits.map((hit) => ({ kind: 'message' as const, hit })),
    ],
    [conversations, query, hits, filters.here],
  );

  const choose = (option: Option | undefined) => {
    if (!option) return;
    if (option.kind === 'conversation') {
      select(option.conversation.id);
    } else {
      const { message } = option.hit;
      // The window around the message first, so opening the conversation lands on it.
      void messages.getState().jumpTo(message.conversation_id, message.id);
      select(message.conversation_id);
    }
    onClose();
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((index) => Math.min(options.length - 1, index + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(0, index - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      choose(options[active]);
    }
  };

  const optionId = (index: number) => `${listId}-${index}`;
  const setFilter = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((current) => ({ ...current, [key]: value }));

  return (
    <div className="palette-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label="Search" onKeyDown={onKeyDown}>
        <input
          ref={input}
          className="palette-input"
          type="search"
          placeholder="Search conversations and messages"
          aria-label="Search conversations and messages"
          role="combobox"
          aria-expanded={options.length > 0}
          aria-controls={listId}
          aria-activedescendant={options.length > 0 ? optionId(active) : undefined}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <div className="palette-filters" role="group" aria-label="Filters">
          {selectedId !== null && (
            <label>
              <input type="checkbox" checked={filters.here} onChange={(event) => setFilter('here', event.target.checked)} /> This conversation
            </label>
          )}
          <select aria-label="From" value={filters.direction} onChange={(event) => setFilter('direction', event.target.value as Filters['direction'])}>
            <option value="">From anyone</option>
            <option value="in">From customers</option>
            <option value="out">From us</option>
          </select>
          <select aria-label="Kind" value={filters.media} onChange={(event) => setFilter('media', event.target.value as Filters['media'])}>
            <option value="">Any kind</option>
            {SEARCH_MEDIA_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {MEDIA_LABELS[kind]}
              </option>
            ))}
          </select>
          <label>
            After <input type="date" value={filters.from} onChange={(event) => setFilter('from', event.target.value)} />
          </label>
          <label>
            Before <input type="date" value={filters.to} onChange={(event) => setFilter('to', event.target.value)} />
          </label>
        </div>
        {error && (
          <p className="palette-error" role="alert">
            Search failed: {error}
          </p>
        )}
        <ul id={listId} className="palette-results" role="listbox" aria-label="Results" aria-busy={searching}>
          {options.map((option, index) => (
            <li
              key={option.kind === 'conversation' ? `c${option.conversation.id}` : `m${option.hit.message.id}`}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              className={`palette-option${index === active ? ' active' : ''}`}
              onMouseEnter={() => setActive(index)}
              onClick={() => choose(option)}
            >
              {option.kind === 'conversation' ? (
                <>
                  <span className="palette-title">{option.conversation.name}</span>
                  <span className="palette-meta">{option.conversation.wa_id ? `+${option.conversation.wa_id}` : 'Conversation'}</span>
                </>
              ) : (
                <>
                  <span className="palette-title">
                    {option.hit.conversation.name}
                    <span className="palette-meta"> · {option.hit.message.direction === 'in' ? 'customer' : 'us'} · {formatTime(option.hit.message.timestamp)}</span>
                  </span>
                  <span className="palette-snippet">
                    <Highlighted text={option.hit.snippet.text} ranges={option.hit.snippet.highlights} />
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
        <p className="palette-status" role="status">
          {query.trim() === '' ? 'Type to search every conversation, offline.' : searching ? 'Searching…' : options.length === 0 ? 'Nothing found.' : ''}
          {nextBefore && !searching && (
            <button type="button" className="palette-more" onClick={() => void more()}>
              More results
            </button>
          )}
        </p>
      </div>
    </div>
  );
}
