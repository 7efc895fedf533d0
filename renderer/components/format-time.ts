/** A message time as the agent reads it: hours and minutes today, the date before that. */
export function formatTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/** A message's time of day, always: the day separators above it carry the date. */
export function formatClock(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
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
  if (days > 1 && days < 7) return start.toLocaleDateString(undefined, { weekday: 'long' });
  return start.toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: start.getFullYear() === now.getFullYear() ? undefined : 'numeric' });
}
