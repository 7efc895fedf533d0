import { useMemo, useState } from 'react';
import { ConversationList } from '../components/ConversationList';
import { StatusBar } from '../components/StatusBar';
import { visibleConversations } from '../stores/conversation-filter';
import { looksForConversation } from '../stores/conversations-store';
import { ConversationFilters } from './ConversationFilters';
import { useBridge, useConnection, useConversations, usePressConversation, useSeeConversations, useTeam } from '../stores/inbox-stores';
import { ConversationView } from './ConversationView';
import { SearchPalette } from './SearchPalette';
import { SettingsPanel } from './SettingsPanel';
import { WebhookInspector } from './WebhookInspector';
import { isCommandKey, useWindowKeys } from './use-shortcut';
import { useArrivalNotices } from './use-arrival-notices';
import { useTheme } from './use-theme';
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
  const filter = useConversations((state) => state.filter);
  const textMatches = useConversations((state) => state.textMatches);
  // Filtering while older conversations still come in: the list says it is not through yet.
  const stillLoading = useConversations((state) => state.loaded && !state.complete && looksForConversation(state.filter));
  const order = useConversations((state) => state.order);
  // The store keeps the order as events move conversations: no sort of the whole list per message.
  const conversations = useMemo(() => order.flatMap((id) => byId[id] ?? []), [order, byId]);
  const visible = useMemo(() => visibleConversations(conversations, filter, textMatches, selectedId), [conversations, filter, textMatches, selectedId]);
  const agents = useTeam((state) => state.agents);
  const me = useTeam((state) => state.me);
  const [searching, setSearching] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [webhooksOpen, setWebhooksOpen] = useState(false);
  const [theme, setTheme] = useTheme();
  const bridge = useBridge();
  const pressConversation = usePressConversation();
  const seeConversations = useSeeConversations();
  const notices = useArrivalNotices();
  useUnreadBadge();

  useWindowKeys((event) => {
    // Ctrl/Cmd+K finds anything, from anywhere in the inbox.
    if (isCommandKey(event, 'k')) {
      event.preventDefault();
      setSearching(true);
      return;
    }
    // Alt+Up/Down (and Ctrl+Tab, where the browser lets it through) go to the previous or next conversation in the list.
    const step = (event.altKey && event.key === 'ArrowDown') || (event.ctrlKey && event.key === 'Tab' && !event.shiftKey) ? 1
      : (event.altKey && event.key === 'ArrowUp') || (event.ctrlKey && event.key === 'Tab' && event.shiftKey) ? -1 : 0;
    if (step === 0 || visible.length === 0) return;
    event.preventDefault();
    const index = visible.findIndex((conversation) => conversation.id === selectedId);
    const next = visible[index < 0 ? 0 : Math.min(visible.length - 1, Math.max(0, index + step))];
    if (next) select(next.id);
  });

  return (
    <div className={`inbox${mode === 'sandbox' ? ' inbox-sandbox' : ''}${selectedId !== null ? ' inbox-open' : ''}`}>
      <StatusBar connection={connection} mode={mode} error={connectionError ?? listError} agents={agents} me={me} onSignOut={onSignOut} theme={theme} onTheme={setTheme} onRetryNow={bridge.reconnectNow} onEnableNotifications={notices.canAskToNotify ? notices.askToNotify : undefined} onOpenSettings={() => setSettingsOpen(true)} onOpenWebhooks={() => setWebhooksOpen(true)} />
      <nav className="sidebar">
        <button type="button" className="search-open" onClick={() => setSearching(true)}>
          Search <kbd>Ctrl K</kbd>
        </button>
        <ConversationFilters conversations={conversations} />
        {stillLoading && (
          <p className="list-note" role="status">
            Looking through older conversations…
          </p>
        )}
        <ConversationList
          conversations={visible}
          selectedId={selectedId}
          me={me}
          onSelect={select}
          onPress={pressConversation}
          onInView={seeConversations}
          emptyText={conversations.length === 0 ? 'No conversations yet. Messages customers send appear here.' : 'No conversation matches this filter.'}
        />
      </nav>
      <main className="main-pane">
        {selectedId === null ? <p className="empty">{removedNotice ?? 'Select a conversation.'}</p> : <ConversationView key={selectedId} conversationId={selectedId} />}
      </main>
      {searching && <SearchPalette onClose={() => setSearching(false)} />}
      {settingsOpen && <SettingsPanel onClose={() => setSettingsOpen(false)} />}
      {webhooksOpen && <WebhookInspector onClose={() => setWebhooksOpen(false)} />}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {notices.announcement}
      </p>
    </div>
  );
}
