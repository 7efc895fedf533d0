import type { FocusEvent, KeyboardEvent } from 'react';

const BUBBLE = '[data-testid="message"]';

// In the order they are seen, top to bottom: the virtual list places rows absolutely, so their DOM order need not be it.
function bubblesIn(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(BUBBLE)]
    .map((bubble) => ({ bubble, top: bubble.getBoundingClientRect().top }))
    .sort((a, b) => a.top - b.top)
    .map(({ bubble }) => bubble);
}

function actionsOf(bubble: HTMLElement): HTMLElement[] {
  return [...bubble.querySelectorAll<HTMLElement>('button:not(:disabled), a[href], audio, video')];
}

/**
 * The timeline is one Tab stop: focus lands on the newest message (or the one last focused), Up
 * and Down move between messages, Right and Left step through a message's actions (reply, react,
 * info, retry, its file), Esc goes back from an action to its message.
 */
export function onTimelineKey(event: KeyboardEvent<HTMLElement>): void {
  const container = event.currentTarget;
  const target = event.target as HTMLElement;
  const bubble = target.closest<HTMLElement>(BUBBLE);
  const bubbles = bubblesIn(container);
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    if (bubbles.length === 0) return;
    const index = bubble ? bubbles.indexOf(bubble) : event.key === 'ArrowUp' ? bubbles.length : -1;
    const next = bubbles[Math.min(bubbles.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (!next) return;
    event.preventDefault();
    next.focus();
    return;
  }
  if (!bubble) return;
  if (event.key === 'Escape' && target !== bubble) {
    event.preventDefault();
    event.stopPropagation();
    bubble.focus();
    return;
  }
  if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
    const actions = actionsOf(bubble);
    if (actions.length === 0) return;
    event.preventDefault();
    const index = target === bubble ? -1 : actions.indexOf(target);
    const step = event.key === 'ArrowRight' ? 1 : -1;
    const next = index < 0 ? (step > 0 ? actions[0] : actions.at(-1)) : actions[(index + step + actions.length) % actions.length];
    next?.focus();
  }
}

/** Tab into the timeline goes to the message last focused there, else the newest on screen. */
export function onTimelineFocus(event: FocusEvent<HTMLElement>, last: { current: number | null }): void {
  const container = event.currentTarget;
  const target = event.target as HTMLElement;
  const bubble = target.closest<HTMLElement>(BUBBLE);
  if (bubble) {
    last.current = Number(bubble.dataset.messageId);
    return;
  }
  if (target !== container) return;
  const bubbles = bubblesIn(container);
  const remembered = bubbles.find((candidate) => Number(candidate.dataset.messageId) === last.current);
  // Else the message a search result or a quote opened, else the newest mounted.
  const opened = bubbles.find((candidate) => candidate.classList.contains('bubble-target'));
  (remembered ?? opened ?? bubbles.at(-1))?.focus({ preventScroll: remembered === undefined });
}
