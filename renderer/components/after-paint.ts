/**
 * Runs `work` once the next frame has been painted (a task queued from that frame's animation
 * callback runs after it); returns a cancel. For what a new row asks of the gateway (its file's
 * link): a thread's first page paints first, and the requests follow, instead of each costing the
 * frame the agent waits for.
 */
export function afterNextPaint(work: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(work, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
  };
}
