import type { ServerEvent } from '../../shared/contract';

/** Where the batcher schedules its flush; a page, or a test's stand-in. */
export type FrameScheduler = {
  /** Whether the page is hidden (animation frames do not run then). */
  hidden(): boolean;
  nextFrame(run: () => void): void;
  later(run: () => void, ms: number): void;
  /** Calls `run` when the page becomes visible or hidden; returns the unsubscribe. */
  onVisibilityChange(run: () => void): () => void;
};

/** The page's own scheduler. */
export const PAGE_FRAMES: FrameScheduler = {
  hidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
  nextFrame: (run) => requestAnimationFrame(() => run()),
  later: (run, ms) => setTimeout(run, ms),
  onVisibilityChange: (run) => {
    document.addEventListener('visibilitychange', run);
    return () => document.removeEventListener('visibilitychange', run);
  },
};

/** How long a hidden page gathers events before applying them (no frames run while hidden). */
const HIDDEN_FLUSH_MS = 250;

/**
 * Gathers live events and applies them once per animation frame, all at once: fifty ticks that
 * arrive in one frame are one store update and one render, not fifty. A hidden page has no frames,
 * so it flushes on a timer, and at once when it becomes visible again. Events keep their order.
 */
export function createEventBatcher(apply: (events: readonly ServerEvent[]) => void, frames: FrameScheduler = PAGE_FRAMES) {
  let queue: ServerEvent[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    apply(batch);
  };
  const stopWatching = frames.onVisibilityChange(() => {
    if (!frames.hidden()) flush();
  });
  return {
    push(event: ServerEvent) {
      queue.push(event);
      if (scheduled) return;
      scheduled = true;
      if (frames.hidden()) frames.later(flush, HIDDEN_FLUSH_MS);
      else frames.nextFrame(flush);
    },
    /** Applies what waits now (before a reload replaces state). */
    flush,
    stop() {
      stopWatching();
      queue = [];
    },
  };
}
