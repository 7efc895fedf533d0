/** Text folded for matching (accents removed, lower case) with, for each folded unit, where it came from. */
export type FoldedText = { folded: string; origin: number[] };

const COMBINING_MARK = /\p{M}/gu;

/** Folds one piece of text as search does: decomposed, combining marks dropped, lower case. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARK, '').toLowerCase();
}

/**
 * Folds `text` character by character, remembering each folded unit's offset in the original, so
 * that a match found in the folded text can be marked in the text as it is shown.
 */
export function foldWithOrigin(text: string): FoldedText {
  let folded = '';
  const origin: number[] = [];
  let offset = 0;
  for (const character of text) {
    const piece = foldForSearch(character);
    for (let unit = 0; unit < piece.length; unit += 1) origin.push(offset);
    folded += piece;
    offset += character.length;
  }
  origin.push(text.length);
  return { folded, origin };
}

/** Where the terms occur in `text` ([start, end) offsets, merged and in order), folding both sides. */
export function matchRanges(text: string, terms: readonly string[]): [number, number][] {
  const { folded, origin } = foldWithOrigin(text);
  const ranges: [number, number][] = [];
  for (const term of terms) {
    const needle = foldForSearch(term);
    if (needle.length === 0) continue;
    for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + needle.length)) {
      ranges.push([origin[at] ?? 0, origin[at + needle.length] ?? text.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** Whether every term occurs in `text`, accents and case folded. */
export function containsAll(text: string, terms: readonly string[]): boolean {
  const folded = foldForSearch(text);
  return terms.every((term) => folded.includes(foldForSearch(term)));
}

/**
 * Up to `width` characters of `text` around its first match, with the matches inside marked
 * ([start, end) into the returned text). Cut ends are shown as "…".
 */
export function snippetOf(text: string, terms: readonly string[], width = 160): { text: string; highlights: [number, number][] } {
  const ranges = matchRanges(text, terms);
  const first = ranges[0]?.[0] ?? 0;
  let start = Math.max(0, first - Math.floor(width / 3));
  // Never split a surrogate pair (an emoji) at either end.
  if (start > 0 && /[\udc00-\udfff]/.test(text[start] ?? '')) start -= 1;
  let end = Math.min(text.length, start + width);
  if (end < text.length && /[\udc00-\udfff]/.test(text[end] ?? '')) end += 1;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const highlights = ranges
    .filter(([from, to]) => to > start && from < end)
    .map(([from, to]): [number, number] => [Math.max(from, start) - start + prefix.length, Math.min(to, end) - start + prefix.length]);
  return { text: `${prefix}${text.slice(start, end)}${suffix}`, highlights };
}
