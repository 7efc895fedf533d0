/// <reference types="node" />
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRIPT_SAMPLES, typefacePieces, TYPEFACES_WARM_MARK, warmTypefaces, type Piece } from '../../../renderer/features/warm-typefaces';

/** Idle callbacks run by hand, each with a deadline that has `remaining` ms left. */
class IdleScheduler {
  private callbacks = new Map<number, IdleRequestCallback>();
  private nextHandle = 1;
  readonly cancelled: number[] = [];
  readonly document = document;

  constructor(readonly performance: Pick<Performance, 'now' | 'mark'> = window.performance) {}

  requestIdleCallback = (callback: IdleRequestCallback): number => {
    const handle = this.nextHandle++;
    this.callbacks.set(handle, callback);
    return handle;
  };

  cancelIdleCallback = (handle: number): void => {
    this.cancelled.push(handle);
    this.callbacks.delete(handle);
  };

  get pending(): number {
    return this.callbacks.size;
  }

  /** Runs the waiting callbacks once; `remaining` is what the deadline reports on each call. */
  runIdle(remaining: () => number): void {
    const due = [...this.callbacks.entries()];
    this.callbacks.clear();
    for (const [, callback] of due) callback({ didTimeout: false, timeRemaining: remaining });
  }
}

/** What each piece laid out was, read from the mutations of the host: the outer element's tags and classes, and the text. */
function laidOut(observer: MutationObserver): string[] {
  return observer
    .takeRecords()
    .flatMap((record) => [...record.addedNodes])
    .filter((node): node is HTMLElement => node instanceof HTMLElement && node.className !== 'typeface-warmup')
    .map((element) => {
      const path: string[] = [];
      for (let at: Element | null = element; at; at = at.firstElementChild) path.push([at.tagName.toLowerCase(), ...at.classList].join('.'));
      return `${path.join(' > ')}: ${element.textContent ?? ''}`;
    });
}

const PIECES: Piece[] = [
  { path: ['header.conversation-header', 'h2'], text: 'Ana' },
  { path: ['p.bubble-text.bubble-deleted'], text: '你好' },
  { path: ['span.bubble-meta'], text: '✓✓' },
];

let host: HTMLElement;
let observer: MutationObserver;

function start(pieces: readonly Piece[] = PIECES, clock?: Pick<Performance, 'now' | 'mark'>) {
  host = document.createElement('div');
  document.body.append(host);
  observer = new MutationObserver(() => undefined);
  observer.observe(host, { childList: true, subtree: true });
  const idle = new IdleScheduler(clock);
  const cancel = warmTypefaces(host, idle, pieces);
  return { idle, cancel };
}

afterEach(() => {
  observer.disconnect();
  host.remove();
  performance.clearMarks(TYPEFACES_WARM_MARK);
});

describe('warmTypefaces', () => {
  it('does nothing until the page is idle', () => {
    const { idle } = start();
    expect(host.children).toHaveLength(0);
    expect(idle.pending).toBe(1);
    expect(laidOut(observer)).toEqual([]);
  });

  it('lays out one piece per short idle moment, in a hidden inert frame, keeps it there for a frame to paint, and leaves nothing behind', () => {
    const { idle } = start();
    idle.runIdle(() => 0);
    const frame = host.querySelector('.typeface-warmup');
    expect(frame?.getAttribute('aria-hidden')).toBe('true');
    expect((frame as HTMLElement).inert).toBe(true);
    // Each piece is built with its nesting and classes, laid out, and stays until the next step.
    expect(laidOut(observer)).toEqual(['header.conversation-header > h2: Ana']);
    expect([...(frame?.children ?? [])].map((piece) => piece.textContent)).toEqual(['Ana']);
    expect(idle.pending).toBe(1);

    idle.runIdle(() => 0);
    expect(laidOut(observer)).toEqual(['p.bubble-text.bubble-deleted: 你好']);
    expect([...(frame?.children ?? [])].map((piece) => piece.textContent)).toEqual(['你好']);
    idle.runIdle(() => 0);
    expect(laidOut(observer)).toEqual(['span.bubble-meta: ✓✓']);
    // The last piece goes at the next idle moment, after a frame has painted it.
    expect([host.children.length, idle.pending]).toEqual([1, 1]);
    idle.runIdle(() => 0);
    expect(host.children).toHaveLength(0);
    expect(idle.pending).toBe(0);
  });

  it('lays out as many pieces as a long idle moment allows, then marks the work done', () => {
    const { idle } = start();
    idle.runIdle(() => 40);
    expect(laidOut(observer)).toHaveLength(3);
    expect(host.querySelector('.typeface-warmup')?.children).toHaveLength(3);
    idle.runIdle(() => 40);
    expect(host.children).toHaveLength(0);
    expect(idle.pending).toBe(0);
    const marks = performance.getEntriesByName(TYPEFACES_WARM_MARK);
    expect(marks).toHaveLength(1);
    expect((marks[0] as PerformanceMark).detail).toMatchObject({ steps: 1 });
  });

  it('ends a step after about 8 ms however long the idle moment, so a click waits little', () => {
    let now = 0;
    const marks: string[] = [];
    // Each reading of the clock finds 5 ms gone: two pieces fit in a step.
    const clock = { now: () => (now += 5), mark: (name: string) => (marks.push(name), undefined as unknown as PerformanceMark) };
    const { idle } = start(PIECES, clock);
    idle.runIdle(() => 40);
    expect(laidOut(observer)).toHaveLength(2);
    expect(idle.pending).toBe(1);
    idle.runIdle(() => 40);
    expect(laidOut(observer)).toHaveLength(1);
    expect(marks).toEqual([TYPEFACES_WARM_MARK]);
  });

  it('stops, leaving no mark, once a conversation is open: that lays out and paints its own text', () => {
    const { idle } = start();
    idle.runIdle(() => 0);
    const view = document.createElement('section');
    view.className = 'conversation-view';
    document.body.append(view);
    idle.runIdle(() => 0);
    view.remove();
    expect(laidOut(observer)).toEqual(['header.conversation-header > h2: Ana']);
    expect([host.children.length, idle.pending]).toEqual([0, 0]);
    expect(performance.getEntriesByName(TYPEFACES_WARM_MARK)).toHaveLength(0);
  });

  it('stops at once when cancelled, taking its frame away and leaving no mark', () => {
    const { idle, cancel } = start();
    idle.runIdle(() => 0);
    expect(host.querySelector('.typeface-warmup')).not.toBeNull();
    cancel();
    expect(idle.cancelled).toHaveLength(1);
    expect(idle.pending).toBe(0);
    expect(host.children).toHaveLength(0);
    expect(performance.getEntriesByName(TYPEFACES_WARM_MARK)).toHaveLength(0);
  });

  it('does nothing where the browser has no idle callbacks (Safari), and its cancel is harmless', () => {
    host = document.createElement('div');
    document.body.append(host);
    observer = new MutationObserver(() => undefined);
    const cancelled: number[] = [];
    const cancel = warmTypefaces(host, { document, performance, cancelIdleCallback: (handle) => cancelled.push(handle) }, PIECES);
    cancel();
    expect([host.children.length, cancelled]).toEqual([0, []]);
  });

  it('refuses a piece with no element instead of laying out nothing', () => {
    const { idle } = start([{ path: [], text: 'lost' }]);
    expect(() => idle.runIdle(() => 0)).toThrow(/at least one element/);
  });
});

describe('typefacePieces', () => {
  it('has every script in every text style of a message', () => {
    const pieces = typefacePieces();
    for (const sample of SCRIPT_SAMPLES) {
      expect(pieces.filter((piece) => piece.text === sample).map((piece) => piece.path.join(' '))).toEqual(['p.bubble-text', 'blockquote.bubble-quote', 'span.file-name', 'strong', 'span.content-meta']);
    }
  });

  it('paints its pieces where nobody sees them: at opacity 0, behind the inbox, out of the pointer’s way', () => {
    const stylesheet = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../renderer/styles.css'), 'utf8');
    const rule = /\.typeface-warmup \{([^}]*)\}/.exec(stylesheet)?.[1] ?? '';
    expect(rule).toMatch(/opacity: 0;/);
    expect(rule).toMatch(/z-index: -1;/);
    expect(rule).toMatch(/pointer-events: none;/);
  });

  it('names only classes the stylesheet styles, so a renamed class cannot leave its style cold unnoticed', () => {
    const stylesheet = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../renderer/styles.css'), 'utf8');
    const classes = new Set(typefacePieces().flatMap((piece) => piece.path.flatMap((step) => step.split('.').slice(1))));
    expect(classes.size).toBeGreaterThan(10);
    for (const name of classes) expect(stylesheet, name).toMatch(new RegExp(`\\.${name}(?![\\w-])`));
  });
});
