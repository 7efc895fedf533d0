import { useCallback, useState } from 'react';

/** A saved answer: typed as `/shortcut` in the reply box. */
export type CannedReply = { shortcut: string; text: string };

const CANNED_KEY = 'switchboard.canned-replies';

/** What a new install starts with; the agent edits, adds and deletes from there. */
export const DEFAULT_CANNED_REPLIES: readonly CannedReply[] = [
  { shortcut: 'hello', text: 'Hi! Thanks for getting in touch. How can I help you today?' },
  { shortcut: 'order', text: 'Could you send me your order number? I will check it right away.' },
  { shortcut: 'thanks', text: 'Thank you for your patience! Is there anything else I can help you with?' },
  { shortcut: 'bye', text: 'Have a great day! Write to us here whenever you need anything.' },
];

/** A shortcut as stored: lower case letters, digits, - and _. */
export function normaliseShortcut(shortcut: string): string {
  return shortcut.trim().replace(/^\//, '').toLowerCase();
}

/** Whether a shortcut can be saved: 1 to 32 of a–z, 0–9, - and _. */
export function isValidShortcut(shortcut: string): boolean {
  return /^[a-z0-9_-]{1,32}$/.test(shortcut);
}

function read(): CannedReply[] {
  try {
    const stored = JSON.parse(window.localStorage.getItem(CANNED_KEY) ?? 'null') as unknown;
    if (Array.isArray(stored)) {
      return stored.filter((item): item is CannedReply => typeof item?.shortcut === 'string' && typeof item?.text === 'string' && isValidShortcut(item.shortcut));
    }
  } catch {
    // Unreadable storage: the defaults.
  }
  return [...DEFAULT_CANNED_REPLIES];
}

/**
 * The agent's canned replies, kept in this browser or desktop profile (they are the agent's own
 * words, not the team's): the list, and save (add or replace by shortcut) and remove.
 */
export function useCannedReplies(): { replies: CannedReply[]; save(reply: CannedReply): void; remove(shortcut: string): void } {
  const [replies, setReplies] = useState<CannedReply[]>(read);
  const store = useCallback((next: CannedReply[]) => {
    setReplies(next);
    try {
      window.localStorage.setItem(CANNED_KEY, JSON.stringify(next));
    } catch {
      // Storage refused: the change lasts this session.
    }
  }, []);
  return {
    replies,
    save: (reply) => store([...replies.filter((item) => item.shortcut !== reply.shortcut), reply].sort((a, b) => a.shortcut.localeCompare(b.shortcut))),
    remove: (shortcut) => store(replies.filter((item) => item.shortcut !== shortcut)),
  };
}

/** The canned replies a `/word` at the start of the box asks for (all for a bare `/`); null when the text is not a shortcut. */
export function cannedMatches(text: string, replies: readonly CannedReply[]): CannedReply[] | null {
  const typed = /^\/([a-z0-9_-]*)$/i.exec(text);
  if (!typed) return null;
  const prefix = (typed[1] ?? '').toLowerCase();
  return replies.filter((reply) => reply.shortcut.startsWith(prefix));
}
