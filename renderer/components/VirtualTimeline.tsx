import { useCallback, useLayoutEffect, useMemo, useReducer, useRef, type ReactElement } from 'react';
import { flushSync } from 'react-dom';
import { onTimelineFocus, onTimelineKey } from './bubble-keys';
import { Virtualizer, type CacheSnapshot, type CustomContainerComponentProps, type CustomItemComponentProps, type VirtualizerHandle } from 'virtua';

/**
 * Where the view goes when a new focus is given (a new object): an item (centred, or at the top,
 * `offset` pixels into it), or the bottom (`index` null). `seq` names the window it belongs to.
 */
export type TimelineFocus = { index: number | null; align: 'center' | 'start'; offset?: number; seq: number };

/**
 * Where a timeline was left: the key at the top of the view and how far into it, with the row
 * sizes measured then (so coming back lands on the same pixel), or the bottom.
 */
export type TimelinePlace = { stuck: true } | { stuck: false; key: string; offset: number; sizes: CacheSnapshot; rows: number };

/** What the timeline tells its owner. */
export type TimelineEvents = {
  /** Less than a screen of loaded history remains above. */
  onNearStart(): void;
  /** Less than a screen remains below, in a window detached from the tail. */
  onNearEnd(): void;
  /** The agent is (or stopped being) at the newest message of the tail: new messages follow only then. */
  onStuckChange(stuck: boolean): void;
  /** The timeline is going away (another conversation opens): where it was, to come back to. */
  onLeave(place: TimelinePlace): void;
};

/** Pixels from an end at which the next page is fetched: about a screen, so it arrives before it shows. */
const FETCH_MARGIN_PX = 800;
/** How long after the agent's own wheel, touch or key scroll the view is left alone. */
const HAND_SETTLE_MS = 700;
/** Sub-pixel sums under browser zoom: "at the bottom" allows this much. */
const BOTTOM_SLACK_PX = 2;

/**
 * The one virtual list of the app's timelines (virtua): only the rows near the viewport are
 * mounted, each measured as it renders and remembered by key, so a row that grows (a photo that
 * loads) moves nothing above it. Anchoring follows one rule at a time: a focus (jump target,
 * unread divider, or the bottom) when it changes; otherwise a prepend keeps the view where it is
 * (virtua's `shift`, only on the render that inserts at the start), and a view stuck at the bottom
 * of the live tail follows new rows. Pages load by themselves near either end.
 */
export function VirtualTimeline(props: {
  keys: readonly string[];
  /** The row of a key: an element keyed by it (sizes are remembered by key). */
  renderItem: (key: string, index: number) => ReactElement;
  focus: TimelineFocus;
  /** Whether the window holds the newest message (a detached window never sticks to the bottom). */
  atTail: boolean;
  label: string;
  events: TimelineEvents;
  /** Row sizes measured when the same rows were last shown (a conversation opened again). */
  sizes?: CacheSnapshot;
}) {
  const { keys: offered, renderItem, focus, atTail, label, events, sizes } = props;
  const handle = useRef<VirtualizerHandle>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const lastFocused = useRef<number | null>(null);
  const stuck = useRef(focus.index === null);
  // When the agent last moved the view by hand: following the bottom waits for that to settle.
  const handledAt = useRef(Number.NEGATIVE_INFINITY);
  // The agent's gesture that started at the bottom, until the scroll comes to rest.
  const leavingBottom = useRef(false);
  const appliedFocus = useRef<TimelineFocus | null>(null);
  const previousKeys = useRef<readonly string[]>([]);

  // The first rows of a window that opens at the bottom wait for the list to know its viewport's
  // height (it measures it in the frame after it mounts). Given before, they would mount at the
  // page's start, then scroll, then mount again at its end. A page asked for on the press of a
  // conversation is there by the click, before that frame.
  const viewportKnown = () => (handle.current?.viewportSize ?? 0) > 0;
  // Renders again once the viewport is measured, for rows that wait for it.
  const [, viewportMeasured] = useReducer(() => true, false);
  const previous = previousKeys.current;
  const waiting = previous.length === 0 && offered.length > 0 && focus.index === null && !viewportKnown();
  const keys = waiting ? NO_KEYS : offered;

  // Rows came in above and none below (an older page; its day separator may stay first): keep the
  // view's distance from the end, so what is on screen does not move. The first rows of a window
  // that opens at the bottom count as such too: virtua then mounts the newest rows at once, and
  // keeps the end while they are measured.
  const opensAtBottom = previous.length === 0 && keys.length > 0 && focus.index === null;
  const shift = opensAtBottom || (previous.length > 0 && keys.length > previous.length && keys.at(-1) === previous.at(-1) && keys[0] !== previous[1]);

  const setStuck = useCallback(
    (value: boolean) => {
      if (stuck.current === value) return;
      stuck.current = value;
      events.onStuckChange(value);
    },
    [events],
  );

  useLayoutEffect(() => {
    const list = handle.current;
    const last = keys.length - 1;
    previousKeys.current = keys;
    if (!list || last < 0) return;
    if (appliedFocus.current !== focus) {
      appliedFocus.current = focus;
      if (focus.index === null) {
        setStuck(atTail);
        // Opened by a shift, virtua keeps the end while the rows are measured. A scroll to the
        // newest row would switch it to keeping the top row instead: the rows grow downwards
        // past the end, and the first painted frame shows older rows, or none.
        if (opensAtBottom) {
          // virtua scrolled to the end, and learns where that landed from the scroll event, which
          // the browser sends with the next frame; until then it mounts no rows. Told now (after
          // this commit), it mounts them before this frame paints.
          queueMicrotask(() => {
            const element = scroller.current;
            if (element && element.scrollTop !== handle.current?.scrollOffset) element.dispatchEvent(new Event('scroll'));
          });
          requestAnimationFrame(snapToEnd);
        } else followBottom();
      } else {
        list.scrollToIndex(focus.index, { align: focus.align, ...(focus.offset ? { offset: focus.offset } : {}) });
        setStuck(false);
        // A short thread shows its newest message wherever the focus is: then it is at the bottom.
        requestAnimationFrame(() => checkBottom());
      }
      return;
    }
    if (stuck.current && atTail && !recentlyHandled()) followBottom();
    // Still near the start after a page came in (or the view is shorter than a screen): the next.
    else if (list.scrollOffset < FETCH_MARGIN_PX) requestAnimationFrame(() => events.onNearStart());
  }, [keys, focus, atTail, setStuck, events]);

  // Remember the place when leaving: the row at the top of the view, by key, not by pixels.
  const latest = useRef({ keys, events });
  latest.current = { keys, events };
  // Where a timeline starts, stuck to the bottom or not, goes to its owner on mount too: one that
  // replaces another (a new window, see ConversationView) may start where the last was not.
  useLayoutEffect(() => {
    latest.current.events.onStuckChange(stuck.current);
  }, []);
  useLayoutEffect(
    () => () => {
      const list = handle.current;
      const { keys: shown, events: owner } = latest.current;
      if (!list || stuck.current || shown.length === 0) {
        owner.onLeave({ stuck: true });
        return;
      }
      const index = list.findItemIndex(list.scrollOffset);
      owner.onLeave({ stuck: false, key: shown[index] ?? shown[0] ?? '', offset: list.scrollOffset - list.getItemOffset(index), sizes: list.cache, rows: shown.length });
    },
    [],
  );

  // To the newest row; virtua re-aims while the rows it lands on are measured, and once they are,
  // the last few pixels are closed directly (estimates can leave the view a row short of the end).
  function followBottom(): void {
    if (keys.length > 0) handle.current?.scrollToIndex(keys.length - 1, { align: 'end' });
    requestAnimationFrame(snapToEnd);
  }
  function snapToEnd(): void {
    const element = scroller.current;
    if (element && stuck.current && atTail && !recentlyHandled()) element.scrollTop = element.scrollHeight - element.clientHeight;
  }

  // Rows measured taller than estimated grow the list below the view without a scroll: while
  // following the bottom, follow that growth in the same frame (not at the next scroll end).
  const snapLatest = useRef(snapToEnd);
  snapLatest.current = snapToEnd;
  useLayoutEffect(() => {
    const content = scroller.current?.querySelector('.timeline-list');
    if (!content) return;
    const observer = new ResizeObserver(() => snapLatest.current());
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  const distanceFromBottom = (offset: number): number => {
    const list = handle.current;
    return list ? list.scrollSize - list.viewportSize - offset : Infinity;
  };
  // The newest row in view at the end of the tail: attached again (this never lets go).
  function checkBottom(): void {
    const list = handle.current;
    if (list && atTail && distanceFromBottom(list.scrollOffset) <= BOTTOM_SLACK_PX) setStuck(true);
  }

  // Only the agent lets go of the bottom (a wheel, touch, key or scrollbar scroll, or a jump they
  // asked for): the list's own corrections while rows are measured or pages land may pass through
  // positions short of the bottom, and must not be read as the agent leaving it.
  const onScroll = (offset: number) => {
    const list = handle.current;
    if (!list || !recentlyHandled()) {
      checkBottom();
      return;
    }
    // Leaving the bottom: a follow of it that virtua may still be re-aiming (as rows are measured)
    // now aims at the row the agent has on top, so it holds still. Once let go, no follow runs.
    if (leavingBottom.current) {
      const index = list.findItemIndex(offset);
      list.scrollToIndex(index, { align: 'start', offset: offset - list.getItemOffset(index) });
    }
    // Mid-gesture, passing the bottom does not re-attach it; the gesture's end decides.
    if (distanceFromBottom(offset) > BOTTOM_SLACK_PX) setStuck(false);
  };

  // Pages are asked for once a scroll comes to rest: a page inserted while the browser still
  // animates a wheel or fling would be compensated against a position the animation then overrides.
  const onScrollEnd = () => {
    leavingBottom.current = false;
    const list = handle.current;
    if (!list) return;
    snapToEnd();
    checkBottom();
    if (list.scrollOffset < FETCH_MARGIN_PX) events.onNearStart();
    if (!atTail && distanceFromBottom(list.scrollOffset) < FETCH_MARGIN_PX) events.onNearEnd();
  };

  // A row that grew or shrank (media, an edit) while stuck: stay on the newest. Not stuck: the
  // newest may have come into view (a short thread), which attaches.
  const onResize = () => {
    // The viewport measured, in the frame that lays the empty list out: rows waiting for it mount
    // now, so that this frame paints them, at the end.
    if (waiting && viewportKnown()) {
      flushSync(viewportMeasured);
      return;
    }
    if (stuck.current && atTail && keys.length > 0 && !recentlyHandled()) snapToEnd();
    else checkBottom();
  };

  // A list with its name; rows are its items (only the mounted ones exist: aria-setsize is unknown).
  const List = useMemo(
    () =>
      function TimelineList({ style, children, ref }: CustomContainerComponentProps) {
        return (
          <ol ref={ref} style={style} className="timeline-list" aria-label={label}>
            {children}
          </ol>
        );
      },
    [label],
  );

  // The agent reaching for older messages lets go of the bottom at once, before the scroll event
  // arrives: otherwise a row that resizes meanwhile (a tick, a photo) would pull the view back down.
  const letGo = (upward: boolean) => {
    handledAt.current = performance.now();
    if (upward && stuck.current) leavingBottom.current = true;
    if (upward) setStuck(false);
  };
  // A wheel scroll animates for a while after its event: no automatic scroll may cut across it.
  function recentlyHandled(): boolean {
    return performance.now() - handledAt.current < HAND_SETTLE_MS;
  }

  return (
    <div
      className="timeline"
      ref={scroller}
      onWheel={(event) => {
        letGo(event.deltaY < 0);
        // Wheeling on at the very top: the list counts as still scrolling (so no scroll end), and
        // there is nothing left for the wheel to animate, so the next page is asked for now.
        if (event.deltaY < 0 && scroller.current?.scrollTop === 0) events.onNearStart();
      }}
      onTouchMove={() => letGo(true)}
      tabIndex={0}
      role="log"
      aria-label="Messages"
      onFocus={(event) => onTimelineFocus(event, lastFocused)}
      onKeyDown={(event) => {
        letGo(['ArrowUp', 'PageUp', 'Home'].includes(event.key));
        onTimelineKey(event);
      }}
      onPointerDown={() => letGo(false)}
    >
      {/* Pushes a short thread to the bottom, where chats start. */}
      <div className="timeline-spacer" />
      <Virtualizer ref={handle} scrollRef={scroller} data={keys} cache={sizes} shift={shift} onScroll={onScroll} onScrollEnd={onScrollEnd} onResize={onResize} as={List} item={TimelineItem} bufferSize={400}>
        {renderItem}
      </Virtualizer>
    </div>
  );
}

const NO_KEYS: readonly string[] = [];

function TimelineItem({ style, children, ref }: CustomItemComponentProps) {
  return (
    <li ref={ref} style={style} className="timeline-item">
      {children}
    </li>
  );
}
