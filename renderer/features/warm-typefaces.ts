/**
 * Chromium loads a typeface the first time a layout needs it: for each script a message is
 * written in, it searches the system's fonts for one that has the characters and opens it, and
 * for each size and weight of it builds the font again. That is paid once per renderer process,
 * inside the layout that first needs it. Measured in Chromium 156 on Linux, the first Chinese
 * text took 30 ms, Japanese 20, emoji 17, Devanagari 13, and each new size of the Latin system
 * font 12–14, where the same text once loaded took under 1 ms. Without this, the first
 * conversation an agent opens pays for every script and text style in its page, in the frame that
 * shows it: a mixed-language thread took 42–48 ms to lay out cold and 3–5 ms warm.
 *
 * So while the inbox has nothing else to do, the conversation view's text styles are laid out
 * once, hidden, in the scripts customers write in on WhatsApp: a piece at a time in idle
 * callbacks, then removed. A script whose fonts the system lacks costs only its search. Nothing
 * here is shown, focusable or read out; closing the window first loses nothing.
 *
 * Each step's pieces stay in the document until the next step, at opacity 0 behind the inbox,
 * so that a frame paints them too: laid out but never painted (visibility: hidden, as before),
 * they left the first conversation's frame to pay for painting and rasterising its text the
 * first time. Measured in new windows of Chromium 156 (12 first openings each way, interleaved),
 * the newest message reached the screen (Element Timing) at a median of 80 ms with the pieces
 * painted and 99 ms without; the main thread's part was the same (66 ms).
 */

/** A greeting (or thanks) in each script, with the marks and digits its texts carry. */
export const SCRIPT_SAMPLES: readonly string[] = [
  'Olá, ¿qué tal? Ça va, Øre Ưu đãi 0123456789',
  'Здравствуйте, спасибо',
  'Καλημέρα',
  'مرحبا، شكرا ١٢٣',
  'שלום, תודה',
  'नमस्ते, धन्यवाद',
  'নমস্কার',
  'வணக்கம்',
  'สวัสดีครับ',
  '你好，谢谢',
  'こんにちは、ご注文ありがとう',
  '안녕하세요',
  '🙏😊👍❤️🚚',
];

/**
 * One piece of work: `text` inside nested elements, outermost first, each written `tag.class…`
 * (the class names of the conversation view, so sizes and weights follow the stylesheet).
 */
export type Piece = { path: readonly string[]; text: string };

/** The styles customer text takes in a timeline: a message, a quote of one, a file's name, a place's name and address. */
const TEXT_STYLES: readonly (readonly string[])[] = [
  ['p.bubble-text'],
  ['blockquote.bubble-quote'],
  ['span.file-name'],
  ['strong'],
  ['span.content-meta'],
];

/** The conversation view's own words and glyphs, in their styles: header, ticks and clock, labels, separators, cards, composer. */
const VIEW_PIECES: readonly Piece[] = [
  { path: ['header.conversation-header', 'h2'], text: 'Customer Name' },
  { path: ['header.conversation-header', 'span.conversation-number'], text: '+447700900123' },
  { path: ['header.conversation-header', 'button.back-to-list'], text: '←' },
  { path: ['span.bubble-meta'], text: '12:30 ✓✓ !' },
  { path: ['span.bubble-meta', 'span.bubble-edited'], text: 'edited' },
  { path: ['span.bubble-label'], text: 'Forwarded many times' },
  { path: ['span.bubble-type'], text: 'Template' },
  { path: ['p.bubble-text.bubble-deleted'], text: 'This message was deleted' },
  { path: ['div.day-separator', 'span'], text: 'Yesterday' },
  { path: ['div.unread-divider'], text: '3 unread messages' },
  { path: ['span.bubble-reactions'], text: '👍❤️😂🙏' },
  { path: ['button.to-latest'], text: 'Latest ↓' },
];

/** Every piece: the view's own words first (every thread has them), then each script in each text style. */
export function typefacePieces(): Piece[] {
  return [...VIEW_PIECES, ...SCRIPT_SAMPLES.flatMap((text) => TEXT_STYLES.map((path) => ({ path, text })))];
}

/** The name of the performance mark left when every piece has been laid out (its detail: the steps taken and the longest, in ms). */
export const TYPEFACES_WARM_MARK = 'switchboard:typefaces-warm';

/** How long one idle step goes on laying pieces out (in a process whose fonts are loaded, all of them took 24–29 ms in one step). */
const STEP_BUDGET_MS = 8;

type IdleWindow = Partial<Pick<Window, 'requestIdleCallback'>> & Pick<Window, 'cancelIdleCallback'> & { document: Document; performance: Pick<Performance, 'now' | 'mark'> };

/** Builds a piece's elements; returns the outermost. */
function pieceElement(document: Document, piece: Piece): HTMLElement {
  let outer: HTMLElement | null = null;
  let parent: HTMLElement | null = null;
  for (const step of piece.path) {
    const [tag = 'span', ...classes] = step.split('.');
    const element = document.createElement(tag);
    if (classes.length > 0) element.className = classes.join(' ');
    if (parent) parent.append(element);
    else outer = element;
    parent = element;
  }
  if (!outer || !parent) throw new Error('a typeface piece needs at least one element');
  parent.textContent = piece.text;
  return outer;
}

/**
 * Lays the pieces out one idle moment at a time (as many as fit in each), in a hidden, inert
 * container at the end of `host`, which goes away when the last is done. Returns a cancel.
 */
export function warmTypefaces(host: HTMLElement, view: IdleWindow = window, pieces: readonly Piece[] = typefacePieces()): () => void {
  // Safari has no idle callbacks: there the fonts load with the first conversation, as before.
  const requestIdleCallback = view.requestIdleCallback;
  if (typeof requestIdleCallback !== 'function') return () => undefined;
  const whenIdle = (callback: IdleRequestCallback) => requestIdleCallback.call(view, callback);
  const frame = view.document.createElement('div');
  frame.className = 'typeface-warmup';
  frame.setAttribute('aria-hidden', 'true');
  frame.inert = true;
  let next = 0;
  let steps = 0;
  let longestStep = 0;
  let handle: number | null = null;
  const finish = () => {
    if (handle !== null) view.cancelIdleCallback(handle);
    handle = null;
    frame.remove();
  };
  const work = (deadline: IdleDeadline) => {
    handle = null;
    // A conversation is open: it lays out and paints its own text now, and pieces painted beside
    // it would only slow its frames (the first opening in a loaded page, clicked as the list
    // showed, took a median of 97 ms with them and 76 without).
    if (view.document.querySelector('.conversation-view')) {
      finish();
      return;
    }
    if (!frame.isConnected) host.append(frame);
    const began = view.performance.now();
    // This step's pieces stay until the next step, so that a frame paints them (see below).
    frame.replaceChildren();
    // At least one piece per idle moment, more while the step is short: a click that lands during
    // a step waits for it. A warm piece takes well under 1 ms, a cold one up to ~30.
    do {
      const piece = pieces[next];
      if (!piece) break;
      next += 1;
      const element = pieceElement(view.document, piece);
      frame.append(element);
      // Reading a size lays the piece out now, inside this idle moment, not in the next frame.
      void element.offsetHeight;
    } while (view.performance.now() - began < STEP_BUDGET_MS && deadline.timeRemaining() > 0);
    steps += 1;
    longestStep = Math.max(longestStep, view.performance.now() - began);
    if (next < pieces.length) {
      handle = whenIdle(work);
      return;
    }
    // The last pieces go once a frame has painted them.
    handle = whenIdle(finish);
    view.performance.mark(TYPEFACES_WARM_MARK, { detail: { steps, longest_step_ms: Math.round(longestStep * 10) / 10 } });
  };
  handle = whenIdle(work);
  return finish;
}
