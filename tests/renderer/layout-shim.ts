// jsdom lays nothing out: it has no ResizeObserver and every size is 0. The virtual timeline
// measures its viewport and rows through ResizeObserver, so here each observed element reports a
// size at once: a timeline or list viewport of 800 px, every row 40 px. Enough rows mount for the tests;
// real layout, scrolling and anchoring are tested in Chromium (tests/e2e).
class ImmediateResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}

  observe(target: Element): void {
    const height = viewportHeight(target) || 40;
    const size = [{ blockSize: height, inlineSize: 600 }];
    const entry = { target, contentRect: { height, width: 600 }, borderBoxSize: size, contentBoxSize: size, devicePixelContentBoxSize: size };
    // Like a browser, after the current task: the observer's owner finishes setting up first.
    queueMicrotask(() => this.callback([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver));
  }

  unobserve(): void {}

  disconnect(): void {}
}

globalThis.ResizeObserver ??= ImmediateResizeObserver as unknown as typeof ResizeObserver;

// jsdom has no layout, so no element has an offsetParent; the virtual list measures only rows that do.
Object.defineProperty(HTMLElement.prototype, 'offsetParent', {
  configurable: true,
  get(this: HTMLElement) {
    return this.isConnected ? this.parentElement : null;
  },
});

// jsdom does not scroll either; the virtual list scrolls its viewport with scrollTo and scrollBy.
// As in a browser, the view stops at the end of its content (the heights its children are given:
// the virtual list's is its total), and a scroll that moves it is followed by a scroll event in the
// next frame.
const viewportHeight = (element: Element) => (element.classList.contains('timeline') || element.classList.contains('conversation-list') ? 800 : 0);
const contentHeight = (element: Element) => [...element.children].reduce((sum, child) => sum + (Number.parseFloat((child as HTMLElement).style.height) || 0), 0);
function scrollViewTo(element: Element, top: number): void {
  const clamped = Math.max(0, Math.min(top, contentHeight(element) - viewportHeight(element)));
  if (element.scrollTop === clamped) return;
  element.scrollTop = clamped;
  requestAnimationFrame(() => element.dispatchEvent(new Event('scroll')));
}
Element.prototype.scrollTo ??= function scrollTo(this: Element, options?: ScrollToOptions | number) {
  if (typeof options === 'object' && options.top !== undefined) scrollViewTo(this, options.top);
};
Element.prototype.scrollBy ??= function scrollBy(this: Element, options?: ScrollToOptions | number) {
  if (typeof options === 'object' && options.top !== undefined) scrollViewTo(this, this.scrollTop + options.top);
};
// The heights a scroll to the end reads: the view's, and its content's (at least the view's).
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return viewportHeight(this);
  },
});
Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return Math.max(viewportHeight(this), viewportHeight(this) > 0 ? contentHeight(this) : 0);
  },
});
