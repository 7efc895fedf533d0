import { useEffect, useRef, type KeyboardEvent } from 'react';

/** The emoji support agents reach for most, by group; the OS emoji keyboard has the rest. */
export const EMOJI_GROUPS: readonly { name: string; emoji: readonly string[] }[] = [
  { name: 'Smileys', emoji: ['😀', '😊', '🙂', '😉', '😍', '🥰', '😂', '🤣', '😅', '😇', '🤔', '😮', '😢', '😭', '😡', '🥳', '😎', '🙃', '😴', '🤗'] },
  { name: 'Gestures', emoji: ['👍', '👎', '👏', '🙏', '👋', '🤝', '💪', '👌', '✌️', '🤞', '🙌', '👉'] },
  { name: 'Hearts and signs', emoji: ['❤️', '💙', '💚', '💛', '🧡', '💜', '✅', '❌', '⚠️', '⭐', '🔥', '✨', '🎉', '💯'] },
  { name: 'Things', emoji: ['📦', '🚚', '🛒', '💳', '🧾', '📄', '📷', '📞', '📧', '⏰', '📅', '🔧', '🎁', '🏷️'] },
];

const ALL = EMOJI_GROUPS.flatMap((group) => group.emoji);
const COLUMNS = 8;

/**
 * A grid of emoji: a click or Enter inserts one, arrow keys move, Esc closes and gives focus back
 * to the reply box.
 */
export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => {
    grid.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    const buttons = [...(grid.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const index = buttons.indexOf(event.target as HTMLButtonElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[event.key];
    if (step === undefined || index < 0) return;
    event.preventDefault();
    buttons[Math.min(buttons.length - 1, Math.max(0, index + step))]?.focus();
  };

  return (
    <div className="emoji-picker" role="dialog" aria-label="Emoji" ref={grid} onKeyDown={onKeyDown}>
      {EMOJI_GROUPS.map((group) => (
        <div key={group.name} role="group" aria-label={group.name} className="emoji-group">
          {group.emoji.map((emoji) => (
            <button key={emoji} type="button" aria-label={emoji} tabIndex={emoji === ALL[0] ? 0 : -1} onClick={() => onPick(emoji)}>
              {emoji}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
