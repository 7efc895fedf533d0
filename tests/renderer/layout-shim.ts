// jsdom lays nothing out: it has no ResizeObserver and every size is 0. The virtual timeline
// measures its viewport and rows through ResizeObserver, so here each observed element reports a
// size at once: a timeline or list viewport of 800 px, every row 40 px. Enough rows mount for the tests;
// real layout, scrolling and anchoring are tested in Chromium (tests/e2e).
class ImmediateResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}

  observe(target: Element): void {
    const height = target.classList.contains('timeline') || target.classList.contains('conversation-list') ? 800 : 40;
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

// jsdom does not scroll either; the virtual list scrolls its viewport with scrollTo.
Element.prototype.scrollTo ??= function scrollTo(this: Element, options?: ScrollToOptions | number) {
  if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
};
