import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Message } from '../../shared/contract';
import { Composer, type Quote } from '../components/Composer';
import { TemplateForm } from '../components/TemplateForm';
import { windowLeft } from '../components/WindowNotice';
import { MessageBubble } from '../components/MessageBubble';
import { ActivityLine } from '../components/ActivityLine';
import { ExportMenu } from '../components/ExportMenu';
import { MessageInfoPanel } from '../components/MessageInfoPanel';
import { typingIn, viewersOf } from '../stores/team-store';
import { useConversations, useMessages, useTeam } from '../stores/inbox-stores';
import { useAgentSignals } from './use-agent-signals';
import { useExpiringNow } from './use-expiring-now';

/** One conversation: its history (older pages on demand), live messages and the composer. */
export function ConversationView({ conversationId }: { conversationId: number }) {
  const conversation = useConversations((state) => state.byId[conversationId]);
  const thread = useMessages((state) => state.threads[conversationId]);
  const load = useMessages((state) => state.load);
  const loadOlder = useMessages((state) => state.loadOlder);
  const send = useMessages((state) => state.send);
  const sendTemplate = useMessages((state) => state.sendTemplate);
  const retry = useMessages((state) => state.retry);
  const react = useMessages((state) => state.react);
  const info = useMessages((state) => state.info);
  const showInfo = useMessages((state) => state.showInfo);
  const hideInfo = useMessages((state) => state.hideInfo);
  const onTyping = useAgentSignals(conversationId);
  const [quote, setQuote] = useState<Quote | null>(null);
  useEffect(() => setQuote(null), [conversationId]);
  const now = useExpiringNow();
  const typing = useTeam(useShallow((state) => typingIn(state, conversationId, now)));
  const viewers = useTeam(useShallow((state) => viewersOf(state, conversationId, now)));

  useEffect(() => {
    void load(conversationId);
  }, [conversationId, load]);

  const window = windowLeft(conversation?.window_expires_at ?? null, now);
  const messages = (thread?.ids ?? []).map((id) => thread?.byId[id]).filter((m): m is Message => m !== undefined);
  const textOf = new Map(messages.flatMap((m) => (m.wamid ? [[m.wamid, m.text] as const] : [])));
  return (
    <section className="conversation-view" aria-label={conversation?.name ?? 'Conversation'}>
      <header className="conversation-header">
        <h2>{conversation?.name}</h2>
        {conversation?.wa_id && <span className="conversation-number">+{conversation.wa_id}</span>}
        <ActivityLine typing={typing} viewers={viewers} />
        <ExportMenu conversationId={conversationId} />
      </header>
      {thread?.error && (
        <p className="load-error" role="alert">
          Could not load messages: {thread.error}
        </p>
      )}
      {thread?.nextBefore && (
        <button type="button" className="load-older" disabled={thread.loading} onClick={() => void loadOlder(conversationId)}>
          Load older messages
        </button>
      )}
      <ol className="messages" aria-label="Messages">
        {messages.map((message) => (
          <MessageBubble
            key={message.id}
            message={message}
            onShowInfo={(id) => void showInfo(id)}
            onRetry={(id) => void retry(conversationId, id)}
            onReact={window.open ? (id, emoji) => void react(conversationId, id, emoji) : undefined}
            onQuote={window.open ? (quoted) => setQuote({ wamid: quoted.wamid ?? '', text: quoted.text }) : undefined}
            quoted={message.reply_to ? (textOf.get(message.reply_to) ?? null) : null}
          />
        ))}
      </ol>
      {info && <MessageInfoPanel info={info.value} error={info.error} onClose={hideInfo} />}
      <p className={`window-notice${window.open ? '' : ' window-closed'}`} role="status">
        {window.text}
      </p>
      {window.open ? (
        <Composer
          onSend={async (text, options) => {
            const sent = await send(conversationId, text, options);
            if (sent) setQuote(null);
            return sent;
          }}
          onTyping={onTyping}
          quote={quote}
          onCancelQuote={() => setQuote(null)}
          error={thread?.sendError ?? null}
        />
      ) : (
        <TemplateForm onSend={(template) => sendTemplate(conversationId, template)} error={thread?.sendError ?? null} />
      )}
    </section>
  );
}
