import { act, cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualTimeline, type TimelineEvents, type TimelineFocus } from '../../../renderer/components/VirtualTimeline';

afterEach(cleanup);

const events: TimelineEvents = { onNearStart: () => undefined, onNearEnd: () => undefined, onStuckChange: () => undefined, onLeave: () => undefined };
const atBottom: TimelineFocus = { index: null, align: 'start', seq: 1 };
const page = Array.from({ length: 50 }, (_, n) => `m:${n + 1}`);

/** Lets the layout shim's measurements (microtasks) and scroll events (frames) run. */
const frames = () => act(() => new Promise((resolve) => setTimeout(resolve, 50)));

/** A timeline that opens at the bottom, recording every key it mounts a row for. */
const bottomTimeline = (mounted: Set<string>) =>
  function timeline(keys: string[]) {
    return (
      <VirtualTimeline
        keys={keys}
        renderItem={(key) => {
          mounted.add(key);
          return <p key={key}>{key}</p>;
        }}
        focus={atBottom}
        atTail
        label="Messages"
        events={events}
      />
    );
  };

describe('VirtualTimeline', () => {
  it('opening at the bottom, mounts the newest rows of the first page, never its oldest first', async () => {
    const mounted = new Set<string>();
    const timeline = bottomTimeline(mounted);
    // The thread's page is loading: the list is there, empty, and measures its viewport (800 px here).
    const view = render(timeline([]));
    await frames();
    view.rerender(timeline(page));
    await frames();
    // Rows of 40 px: the newest twenty fill the view; the page's first rows stayed unmounted.
    expect(mounted.has('m:50')).toBe(true);
    expect(mounted.has('m:1')).toBe(false);
    expect(view.container.querySelector('.timeline')?.textContent).toContain('m:50');
  });

  it('opening at the bottom with its page there before the empty list has measured its viewport (asked for on a press), waits for it and mounts only the newest rows', async () => {
    const mounted = new Set<string>();
    const timeline = bottomTimeline(mounted);
    const view = render(timeline([]));
    view.rerender(timeline(page));
    await frames();
    expect(mounted.has('m:50')).toBe(true);
    expect(mounted.has('m:1')).toBe(false);
    expect(view.container.querySelector('.timeline')?.textContent).toContain('m:50');
  });

  it('shows a thread shorter than the view whole', async () => {
    const short = page.slice(0, 3);
    const view = render(<VirtualTimeline keys={[]} renderItem={(key) => <p key={key}>{key}</p>} focus={atBottom} atTail label="Messages" events={events} />);
    await frames();
    view.rerender(<VirtualTimeline keys={short} renderItem={(key) => <p key={key}>{key}</p>} focus={atBottom} atTail label="Messages" events={events} />);
    await frames();
    expect(view.container.querySelector('.timeline-list')?.textContent).toBe('m:1m:2m:3');
  });

  it('tells its owner on mount whether it starts stuck to the bottom, so one that replaces a scrolled-up timeline clears its "Latest" state', async () => {
    const told: boolean[] = [];
    const reporting: TimelineEvents = { ...events, onStuckChange: (stuck) => told.push(stuck) };
    const at = (focus: TimelineFocus) => <VirtualTimeline keys={page} renderItem={(key) => <p key={key}>{key}</p>} focus={focus} atTail label="Messages" events={reporting} />;
    render(at(atBottom));
    expect(told[0]).toBe(true);
    cleanup();
    told.length = 0;
    render(at({ index: 10, align: 'center', seq: 2 }));
    expect(told[0]).toBe(false);
  });

  it('shows a short thread whole when its rows come before the empty list has measured its viewport', async () => {
    const timeline = (keys: string[]) => <VirtualTimeline keys={keys} renderItem={(key) => <p key={key}>{key}</p>} focus={atBottom} atTail label="Messages" events={events} />;
    const view = render(timeline([]));
    view.rerender(timeline(['day:2026-11-26', 'm:2']));
    await frames();
    expect(view.container.querySelector('.timeline-list')?.textContent).toBe('day:2026-11-26m:2');
  });
});
