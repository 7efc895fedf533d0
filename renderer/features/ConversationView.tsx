import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Composer, type Quote } from '../components/Composer';
import { TemplatePicker } from './TemplatePicker';
import { useCannedReplies } from './use-canned-replies';
import { windowLeft } from '../components/WindowNotice';
import { MessageBubble } from '../components/MessageBubble';
import { ActivityLine } from '../components/ActivityLine';
import { ExportMenu } from '../components/ExportMenu';
import { MessageInfoPanel } from '../components/MessageInfoPanel';
import { VirtualTimeline, type TimelineEvents, type TimelineFocus, type TimelinePlace } from '../components/VirtualTimeline';
import { formatDay } from '../components/format-time';
import { typingIn, viewersOf } from '../stores/team-store';
import { useConversations, useMessages, useMessagesStore, useTeam } from '../stores/inbox-stores';
import { timelineKeys } from './timeline-keys';
import { useAgentSignals } from './use-agent-signals';
import { useExpiringNow } from './use-expiring-now';
import { useReadWhenSeen } from './use-read-when-seen';
import { isCommandKey, useWindowKeys } from './use-shortcut';
import { ThreadSearch } from '../components/ThreadSearch';

// Where each conversation was left, so switching back returns to the same message.
const places = new Map<number, TimelinePlace>();

// The row sizes measured when the conversation was left, while it still has the same rows.
function sizesOf(conversationId: number, rows: number) {
  const place = places.get(conversationId);
  return place && !place.stuck && place.rows === rows ? place.sizes : undefined;
}

type RowActions = {
  showInfo: (messageId: number) => void;
  retry: (messageId: number) => void;
  react?: (messageId: number, emoji: string) => void;
  quote?: (quote: Quote) => void;
  openQuote: (messageId: number) => void;
};

/** One message row: it selects its own message, so a tick on another message never renders it. */
const MessageRow = memo(function MessageRow({ conversationId, messageId, actions }: { conversationId: number; messageId: number; actions: RowActions }) {
  const message = useMessages((state) => state.threads[conversationId]?.byId[messageId]);
  // The message a search result or a quote opened: marked so the eye finds it.
  const target = useMessages((state) => state.threads[conversationId]?.focus.messageId === messageId);
  const quoted = useMessages((state) => {
    const replyTo = message?.reply_to;
    if (!replyTo) return null;
    const thread = state.threads[conversationId];
    const id = thread?.wamidIndex.get(replyTo);
    return id === undefined ? null : (thread?.byId[id]?.text ?? null);
  });
  const me = useTeam((state) => state.me);
  if (!message) return null;
  return (
    <MessageBubble
      me={me}
      onOpenQuote={actions.openQuote}
      target={target}
      message={message}
      onShowInfo={actions.showInfo}
      onRetry={actions.retry}
      onReact={actions.react}
      onQuote={actions.quote ? (quotedMessage) => actions.quote?.({ wamid: quotedMessage.wamid ?? '', text: quotedMessage.text }) : undefined}
      quoted={quoted}
    />
  );
});

/**
 * One conversation: a virtual timeline of its history that opens at the first unread message (or
 * the newest), follows new messages while the agent is at the bottom and offers a "new messages"
 * button otherwise, loads pages by itself at either end, and comes back to where it was left.
 */
export function ConversationView({ conversationId }: { conversationId: number }) {
  const conversation = useConversations((state) => state.byId[conversationId]);
  const closeConversation = useConversations((state) => state.close);
  const thread = useMessages(
    useShallow((state) => {
      const found = state.threads[conversationId];
      return {
        ids: found?.ids,
        unreadFromId: found?.unreadFromId ?? null,
        focus: found?.focus,
        nextBefore: found?.nextBefore ?? null,
        nextAfter: found?.nextAfter ?? null,
        loading: found?.loading ?? false,
        error: found?.error ?? null,
        sendError: found?.sendError ?? null,
        missed: found?.missed ?? 0,
        arrivals: found?.arrivals ?? 0,
      };
    }),
  );
  const store = useMessagesStore();
  const { loadOlder, loadNewer, send, sendTemplate, sendAttachments, retry, react, showInfo, hideInfo } = store.getState();
  const canned = useCannedReplies();
  const [choosingTemplate, setChoosingTemplate] = useState(false);
  const info = useMessages((state) => state.info);
  const onTyping = useAgentSignals(conversationId);
  const [quote, setQuote] = useState<Quote | null>(null);
  const now = useExpiringNow();
  const typing = useTeam(useShallow((state) => typingIn(state, conversationId, now)));
  const viewers = useTeam(useShallow((state) => viewersOf(state, conversationId, now)));
  const [stuck, setStuck] = useState(true);
  const [finding, setFinding] = useState(false);
  // Ctrl/Cmd+F searches this conversation (instead of the browser's find, which sees only the mounted rows).
  useWindowKeys((event) => {
    if (isCommandKey(event, 'f')) {
      event.preventDefault();
      setFinding(true);
      return;
    }
    // Esc closes what is open over the conversation, the innermost first (palettes and pickers stop it themselves).
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    if (store.getState().info) hideInfo();
    // (The handler is the latest render's: `windowOpen` below is current when a key comes.)
    else if (choosingTemplate && windowOpen) setChoosingTemplate(false);
  });
  // How many customer messages had arrived when the agent scrolled away: those since are new to them.
  const [arrivalsSeen, setArrivalsSeen] = useState<number | null>(null);

  const ids = thread.ids;
  const keys = useMemo(() => (ids ? timelineKeys(ids, store.getState().threads[conversationId]?.byId ?? {}, thread.unreadFromId) : []), [ids, thread.unreadFromId, store, conversationId]);
  const atTail = thread.nextAfter === null;

  // The focus of the window as loaded: a jump target centred, else a place left earlier, else the
  // unread divider at the top, else the bottom. It changes only when a new window loads, or when
  // the agent asks for the newest message.
  const focusSeq = thread.focus?.seq ?? 0;
  const focusTarget = thread.focus?.messageId ?? null;
  const focus = useMemo((): TimelineFocus => {
    if (focusTarget !== null) return { index: keys.indexOf(`m:${focusTarget}`), align: 'center', seq: focusSeq };
    const place = places.get(conversationId);
    if (place && !place.stuck && keys.includes(place.key as (typeof keys)[number])) {
      return { index: keys.indexOf(place.key as (typeof keys)[number]), align: 'start', offset: place.offset, seq: focusSeq };
    }
    if (thread.unreadFromId !== null && keys.includes('unread')) return { index: keys.indexOf('unread'), align: 'start', seq: focusSeq };
    return { index: null, align: 'start', seq: focusSeq };
    // Only a new window moves the view: later keys (new messages, older pages) must not.
  }, [focusSeq, conversationId, keys.length > 0]);

  // Each window gets a timeline of its own, keyed by its focusSeq (below), with one exception: the
  // first window of a conversation opened with nothing loaded goes into the empty timeline shown
  // while its page was on the way. That one has measured its viewport by then, so the window's
  // rows mount in the commit that brings them, not in the next frame's resize step.
  const timeline = useRef({ seq: focusSeq, key: focusSeq, shown: keys.length > 0 });
  const sizes = sizesOf(conversationId, keys.length);
  if (timeline.current.seq !== focusSeq) {
    const continues = !timeline.current.shown && sizes === undefined;
    timeline.current = { seq: focusSeq, key: continues ? timeline.current.key : focusSeq, shown: keys.length > 0 };
  } else if (keys.length > 0) timeline.current.shown = true;

  // The timeline a new window replaces leaves its place as it goes; that is not where the agent left
  // the conversation, and its row sizes are the old window's: the place goes once the new window has
  // rendered (it was read then).
  const firstWindow = useRef(focusSeq);
  useLayoutEffect(() => {
    if (focusSeq !== firstWindow.current) places.delete(conversationId);
  }, [focusSeq, conversationId]);

  // Closing the thread's search leaves the keyboard in the timeline, on the match it showed last
  // (see onTimelineFocus), not on the page.
  const view = useRef<HTMLElement>(null);
  const focusTimeline = () => view.current?.querySelector<HTMLElement>('.timeline')?.focus();

  const events = useMemo(
    (): TimelineEvents => ({
      onNearStart: () => void loadOlder(conversationId),
      onNearEnd: () => void loadNewer(conversationId),
      onStuckChange: (value) => {
        setStuck(value);
        setArrivalsSeen(value ? null : (store.getState().threads[conversationId]?.arrivals ?? 0));
      },
      onLeave: (place) => places.set(conversationId, place),
    }),
    [conversationId, loadOlder, loadNewer, store],
  );

  const window = windowLeft(conversation?.window_expires_at ?? null, now);
  const windowOpen = window.open;
  const actions = useMemo(
    (): RowActions => ({
      showInfo: (id) => void showInfo(id),
      retry: (id) => void retry(conversationId, id),
      // A quote opens the thread centred on the quoted message, loaded or not.
      openQuote: (id) => {
        places.delete(conversationId);
        void store.getState().jumpTo(conversationId, id);
      },
      ...(windowOpen ? { react: (id: number, emoji: string) => void react(conversationId, id, emoji), quote: setQuote } : {}),
    }),
    [conversationId, windowOpen, showInfo, retry, react, store],
  );

  const renderItem = useCallback(
    (key: string) => {
      if (key === 'unread') {
        return (
          <p key={key} className="unread-divider" role="separator">
            Unread messages
          </p>
        );
      }
      if (key.startsWith('day:')) {
        return (
          <p key={key} className="day-separator" role="separator">
            <span>{formatDay(key.slice(4))}</span>
          </p>
        );
      }
      return <MessageRow key={key} conversationId={conversationId} messageId={Number(key.slice(2))} actions={actions} />;
    },
    [conversationId, actions],
  );

  useReadWhenSeen(conversationId, stuck && atTail && (ids?.length ?? 0) > 0);
  const newBelow = arrivalsSeen === null ? thread.missed : thread.arrivals - arrivalsSeen;

  // "Latest": at the tail, scroll there; in a detached window, load the newest page instead of
  // paging through everything between. The button goes once the newest shows: pressed from the
  // keyboard, the keyboard goes on to the timeline of that window instead of the page.
  const keyedToLatest = useRef(false);
  const toLatest = (event: MouseEvent<HTMLButtonElement>) => {
    keyedToLatest.current = event.currentTarget.matches(':focus-visible');
    places.delete(conversationId);
    void store.getState().showLatest(conversationId);
  };
  useEffect(() => {
    if (!keyedToLatest.current) return;
    keyedToLatest.current = false;
    focusTimeline();
  }, [focusSeq]);


  return (
    <section ref={view} className="conversation-view" aria-label={conversation?.name ?? 'Conversation'}>
      <header className="conversation-header">
        <button type="button" className="back-to-list" aria-label="Back to the conversation list" onClick={closeConversation}>
          ←
        </button>
        <h2>{conversation?.name}</h2>
        {conversation?.wa_id && <span className="conversation-number">+{conversation.wa_id}</span>}
        <ActivityLine typing={typing} viewers={viewers} />
        <ExportMenu conversationId={conversationId} />
      </header>
      {finding && (
        <ThreadSearch
          conversationId={conversationId}
          onGoTo={(messageId) => {
            places.delete(conversationId);
            void store.getState().jumpTo(conversationId, messageId);
          }}
          onClose={() => {
            setFinding(false);
            focusTimeline();
          }}
        />
      )}
      {thread.error && (
        <p className="load-error" role="alert">
          Could not load messages: {thread.error}
        </p>
      )}
      <div className="timeline-frame" aria-busy={thread.loading}>
        {/* Each window (an opening, a jump, the newest page again) gets a timeline of its own (but
            the first one, see `timeline`): one that opens at the bottom then paints the newest row
            there from its first frame, instead of carrying row sizes measured for another window's rows. */}
        {ids && <VirtualTimeline key={timeline.current.key} keys={keys} renderItem={renderItem} focus={focus} atTail={atTail} label="Messages" events={events} sizes={sizes} />}
        {(!stuck || !atTail) && (
          <button type="button" className="to-latest" onClick={toLatest}>
            {newBelow > 0 ? `${newBelow} new ${newBelow === 1 ? 'message' : 'messages'} ↓` : 'Latest ↓'}
          </button>
        )}
      </div>
      {info && <MessageInfoPanel info={info.value} error={info.error} onClose={hideInfo} />}
      <p className={`window-notice${window.open ? '' : ' window-closed'}`} role="status">
        {window.text}
      </p>
      {window.open && !choosingTemplate ? (
        <Composer
            onSend={async (text, options) => {
              const sent = await send(conversationId, text, options);
              if (sent) setQuote(null);
              return sent;
            }}
            onAttach={async (files, replyTo) => {
              const sent = await sendAttachments(conversationId, files, replyTo);
              if (sent > 0) setQuote(null);
              return sent;
            }}
            onTyping={onTyping}
            quote={quote}
            onCancelQuote={() => setQuote(null)}
            error={thread.sendError}
            canned={canned}
            onChooseTemplate={() => setChoosingTemplate(true)}
          />
      ) : (
        <TemplatePicker
          onSend={async (template) => {
            const sent = await sendTemplate(conversationId, template);
            if (sent) setChoosingTemplate(false);
            return sent;
          }}
          error={thread.sendError}
          onCancel={window.open ? () => setChoosingTemplate(false) : undefined}
        />
      )}
    </section>
  );
}
