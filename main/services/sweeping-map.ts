/**
 * A map whose entries, after a while, mean the same as no entry at all (a token bucket that has
 * refilled, a timestamp older than its throttle). Such entries are swept out whenever the map has
 * doubled since the last sweep, so its size follows the keys in recent use (customers written to,
 * conversations typed in) rather than every key since the app started, at O(1) amortised cost.
 */
export class SweepingMap<K, V> {
  private readonly entries = new Map<K, V>();
  private sweepAt: number;

  constructor(
    /** Whether an entry now means the same as none. */
    private readonly isSpent: (value: V, nowMs: number) => boolean,
    private readonly minSweepSize = 1024,
  ) {
    this.sweepAt = minSweepSize;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V, nowMs: number): void {
    if (!this.entries.has(key) && this.entries.size >= this.sweepAt) this.sweep(nowMs);
    this.entries.set(key, value);
  }

  private sweep(nowMs: number): void {
    for (const [key, value] of this.entries) if (this.isSpent(value, nowMs)) this.entries.delete(key);
    this.sweepAt = Math.max(this.minSweepSize, this.entries.size * 2);
  }
}
