import type { Conversation } from '../../shared/contract';
import { businessNumbers } from '../stores/conversation-filter';
import { useConversations } from '../stores/inbox-stores';
import { useFilterSearch } from './use-filter-search';

/** The filter box (name, number or message text) and the All / Unread / business number views above the list. */
export function ConversationFilters({ conversations }: { conversations: readonly Conversation[] }) {
  const filter = useConversations((state) => state.filter);
  const setFilter = useConversations((state) => state.setFilter);
  const numbers = businessNumbers(conversations);
  const unreadCount = conversations.filter((conversation) => conversation.unread_count > 0).length;
  useFilterSearch(filter.query);
  return (
    <div className="conversation-filters">
      <input
        type="search"
        className="filter-box"
        placeholder="Filter by name, number or message"
        aria-label="Filter conversations by name, number or message text"
        value={filter.query}
        onChange={(event) => setFilter({ query: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && filter.query !== '') {
            event.stopPropagation();
            setFilter({ query: '' });
          }
        }}
      />
      <div className="filter-views" role="group" aria-label="Show">
        <button type="button" aria-pressed={filter.view === 'all'} onClick={() => setFilter({ view: 'all' })}>
          All
        </button>
        <button type="button" aria-pressed={filter.view === 'unread'} onClick={() => setFilter({ view: 'unread' })}>
          Unread{unreadCount > 0 ? ` (${unreadCount})` : ''}
        </button>
        {numbers.length > 1 && (
          <select
            aria-label="Business number"
            value={filter.phoneNumberId ?? ''}
            onChange={(event) => setFilter({ phoneNumberId: event.target.value === '' ? null : event.target.value })}
          >
            <option value="">Every number</option>
            {numbers.map((number) => (
              <option key={number} value={number}>
                {number}
              </option>
            ))}
          </select>
        )}
      </div>
    </div>
  );
}
