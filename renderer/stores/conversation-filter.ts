import type { Conversation } from '../../shared/contract';

/** Which conversations the list shows: all or only unread ones, on every business number or one. */
export type ConversationFilter = { view: 'all' | 'unread'; phoneNumberId: string | null; query: string };

/** The list as it opens: everything. */
export const NO_FILTER: ConversationFilter = { view: 'all', phoneNumberId: null, query: '' };

/** Folds case and accents so that "lucia" finds "Lucía". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The conversations to list, in the given order. The typed text matches a name, a number (digits
 * only, so "+34 600" finds 34600…) or, through history search, any message (`textMatches`). The
 * selected conversation always stays, so reading it under "Unread" does not make it vanish.
 */
export function visibleConversations(
  sorted: readonly Conversation[],
  filter: ConversationFilter,
  textMatches: ReadonlySet<number> | null,
  selectedId: number | null,
): readonly Conversation[] {
  // Nothing filtered: the same array, so selecting a conversation does not re-render the list.
  if (filter.view === 'all' && filter.phoneNumberId === null && filter.query.trim() === '') return sorted;
  const query = foldText(filter.query.trim());
  const digits = query.replace(/\D/g, '');
  const matchesQuery = (conversation: Conversation) =>
    query === '' ||
    foldText(conversation.name).includes(query) ||
    (digits.length >= 3 && (conversation.wa_id ?? '').includes(digits)) ||
    (textMatches?.has(conversation.id) ?? false);
  return sorted.filter(
    (conversation) =>
      conversation.id === selectedId ||
      ((filter.view === 'all' || conversation.unread_count > 0) &&
        (filter.phoneNumberId === null || conversation.phone_number_id === filter.phoneNumberId) &&
        matchesQuery(conversation)),
  );
}

/** The business numbers the conversations are on, for the per-number filter (shown only when there are several). */
export function businessNumbers(conversations: readonly Conversation[]): string[] {
  return [...new Set(conversations.map((conversation) => conversation.phone_number_id))].sort();
}
