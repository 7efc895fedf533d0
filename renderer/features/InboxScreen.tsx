import { useMemo, useState } from 'react';
import { ConversationList } from '../components/ConversationList';
import { StatusBar } from '../components/StatusBar';
import { sortConversations } from '../stores/conversations-store';
import { useConnection, useConversations, useTeam } from '../stores/inbox-stores';
import { ConversationView } from './ConversationView';
import { SearchPalette } from './SearchPalette';
import { isCommandKey, useWindowKeys } from './use-shortcut';
import { useUnreadBadge } from './use-unread-badge';

/** The main screen: status bar, conversation list, and the selected conversation. */
export function InboxScreen({ onSignOut }: { onSignOut?: () => void }) {
  const byId = useConversations((state) => state.byId);
  const selectedId = useConversations((state) => state.selectedId);
  const removedNotice = useConversations((state) => state.removedNotice);
  const select = useConversations((state) => state.select);
  const listError = useConversations((state) => state.error);
  const connection = useConnection((state) => state.state);
  const mode = useConnection((state) => state.info?.mode ?? null);
  const connectionError = useConnection((state) => state.error);
  const conversations = useMemo(() => sortConversations(byId), [byId]);
  const agents = useTeam((state) => state.agents);
  const me = useTeam((state) => state.me);
  const [searching, setSearching] = useState(false);
  useUnreadBadge();

  // Ctrl/Cmd+K finds anything, from anywhere in the inbox.
  useWindowKeys((event) => {
    if (!isCommandKey(event, 'k')) return;
    event.preventDefault();
    setSearching(true);
  });

  return (
    <div className={`inbox${mode === 'sandbox' ? ' inbox-sandbox' : ''}`}>
      <StatusBar connection={connection} mode={mode} error={connectionError ?? listError} agents={agents} me={me} onSignOut={onSignOut} />
      <nav className="sidebar">
        <button type="button" className="search-open" onClick={() => setSearching(true)}>
          Search <kbd>Ctrl K</kbd>
        </button>
        <ConversationList conversations={conversations} selectedId={selectedId} onSelect={select} />
      </nav>
      <main className="main-pane">
        {selectedId === null ? <p className="empty">{removedNotice ?? 'Select a conversation.'}</p> : <ConversationView key={selectedId} conversationId={selectedId} />}
      </main>
      {searching && <SearchPalette onClose={() => setSearching(false)} />}
    </div>
  );
}
