import { useEffect, useState } from 'react';
import type { Conversation, Message, ServerEvent } from '../../shared/contract';
import { useAppliedEvents, useConversationsStore } from '../stores/inbox-stores';

/** What a new customer message says in a notification or an announcement: its text, or its kind. */
export function arrivalText(message: Message): string {
  return message.text.trim() || `${message.type[0]?.toUpperCase() ?? ''}${message.type.slice(1)}`;
}

/** New messages from customers, live (not synced history, not the agents' own sends). */
export function customerArrivals(events: readonly ServerEvent[]): { message: Message; conversation: Conversation | undefined }[] {
  return events.flatMap((event) =>
    event.type === 'new_message' && event.message.direction === 'in' && !event.message.imported ? [{ message: event.message, conversation: event.conversation }] : [],
  );
}

function agentIsLooking(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/**
 * Tells the agent about new customer messages: a desktop notification while the window is not in
 * front (clicking it brings the window and opens the conversation; one per conversation, replaced
 * by the next), and a polite announcement for screen readers. Returns that announcement, and
 * whether notifications can still be switched on (the browser has not been asked yet).
 */
export function useArrivalNotices(): { announcement: string; canAskToNotify: boolean; askToNotify: () => void } {
  const applied = useAppliedEvents();
  const conversations = useConversationsStore();
  const [announcement, setAnnouncement] = useState('');
  const supported = typeof Notification !== 'undefined';
  // Read once: the permission getter asks the browser process, and this hook's host renders on every list change.
  const [permission, setPermission] = useState(() => (supported ? Notification.permission : 'denied'));

  useEffect(
    () =>
      applied.subscribe((events) => {
        const arrivals = customerArrivals(events);
        const last = arrivals.at(-1);
        if (!last) return;
        const nameOf = (arrival: (typeof arrivals)[number]) => arrival.conversation?.name ?? conversations.getState().byId[arrival.message.conversation_id]?.name ?? 'A customer';
        setAnnouncement(`New message from ${nameOf(last)}: ${arrivalText(last.message)}`);
        if (!supported || Notification.permission !== 'granted' || agentIsLooking()) return;
        const newestPerConversation = new Map(arrivals.map((arrival) => [arrival.message.conversation_id, arrival]));
        for (const [conversationId, arrival] of newestPerConversation) {
          const notice = new Notification(nameOf(arrival), { body: arrivalText(arrival.message), tag: `conversation-${conversationId}` });
          notice.onclick = () => {
            window.focus();
            conversations.getState().select(conversationId);
            notice.close();
          };
        }
      }),
    [applied, conversations, supported],
  );

  return {
    announcement,
    canAskToNotify: supported && permission === 'default',
    askToNotify: () => {
      if (supported) void Notification.requestPermission().then(setPermission);
    },
  };
}
