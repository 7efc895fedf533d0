// Each format's formatter is made once: `toLocaleTimeString` builds a new one on every call, which
// cost about 10 ms of a thread's opening (a page of bubbles, each with its time).
function lazyFormat(options: Intl.DateTimeFormatOptions): () => Intl.DateTimeFormat {
  let made: Intl.DateTimeFormat | null = null;
  return () => (made ??= new Intl.DateTimeFormat(undefined, options));
}

const CLOCK = lazyFormat({ hour: '2-digit', minute: '2-digit' });
const SHORT_DATE = lazyFormat({ day: 'numeric', month: 'short' });
const WEEKDAY = lazyFormat({ weekday: 'long' });
const LONG_DATE = lazyFormat({ day: 'numeric', month: 'long' });
const LONG_DATE_WITH_YEAR = lazyFormat({ day: 'numeric', month: 'long', year: 'numeric' });

/** A message time as the agent reads it: hours and minutes today, the date before that. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay ? CLOCK().format(date) : SHORT_DATE().format(date);
}

/** A message's time of day, always: the day separators above it carry the date. */
export function formatClock(iso: string): string {
  return CLOCK().format(new Date(iso));
}

/** The local calendar day of a time, as `YYYY-MM-DD`. */
export function localDay(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** A day separator's words: Today, Yesterday, a weekday within the week, else the date. */
export function formatDay(day: string, now: Date = new Date()): string {
  const [year, month, date] = day.split('-').map(Number);
  const start = new Date(year ?? 1970, (month ?? 1) - 1, date ?? 1);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const days = Math.round((today.getTime() - start.getTime()) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return WEEKDAY().format(start);
  return (start.getFullYear() === now.getFullYear() ? LONG_DATE() : LONG_DATE_WITH_YEAR()).format(start);
}
