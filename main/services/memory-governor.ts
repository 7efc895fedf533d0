import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's collector as `--expose-gc` exposes it. */
export type Collect = (options: { type: 'major' | 'minor'; execution: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

/** Bytes held by the heap and by buffers outside it (request bodies), as V8 counts them. */
export type HeapLevel = () => number;

/** The young generation's current size (both semi-spaces), in bytes. */
export type YoungSize = () => number;

/**
 * How the governor paces collections: how often it looks (bytes of webhook bodies), how much the
 * heap and its buffers may grow between major collections, and the quiet time before it gives
 * memory back.
 */
export type MemoryGovernorOptions = { checkEveryBytes: number; growthPerCollection: number; quietMs: number; maxYoungBytes: number };

/**
 * Looks every 256 KiB of bodies (a 2 µs read); a major collection per 16 MiB of growth (32 MiB let
 * the flood's peak pass 64 MiB over idle); 2 s quiet; the young generation stops growing at 8 MiB
 * during a flood (a 1 MiB one, kept always, made API reads' p95 miss 2 ms: scavenges too often).
 */
export const DEFAULT_MEMORY_OPTIONS: MemoryGovernorOptions = {
  checkEveryBytes: 256 * 1024,
  growthPerCollection: 16 * 1024 * 1024,
  quietMs: 2_000,
  maxYoungBytes: 4 * 1024 * 1024,
};

// `--expose-gc` set at run time still hands out the collector through a new context.
function exposeCollector(): Collect | null {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as Collect;
  try {
    setFlagsFromString('--expose-gc');
    const collect: unknown = runInNewContext('gc');
    return typeof collect === 'function' ? (collect as Collect) : null;
  } catch {
    return null;
  }
}

function youngSize(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

// V8 reads the growth factor at every scavenge, so, unlike --max-semi-space-size, it takes
// effect at run time: 1 holds the young generation at its present size, 2 is V8's default.
function holdYoungGeneration(hold: boolean): void {
  setFlagsFromString(hold ? '--semi-space-growth-factor=1' : '--semi-space-growth-factor=2');
}

function heapLevel(): number {
  const stats = getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
}

/**
 * Keeps the gateway's memory near idle through a webhook flood (measured by `npm run bench --
 * memory`). Left to V8's defaults, a flood of large deliveries grew the young generation to its
 * ceiling (64 MiB a semi-space, about 90 MiB resident), let old garbage (parsed bodies, their
 * buffers, event JSON) pile up until V8's own schedule collected it, and an idle process never
 * collects, so the RSS stayed about 160 MiB over idle for good. So:
 * - during a flood the young generation stops growing at `maxYoungBytes`: the objects of a
 *   delivery live a few milliseconds, and scavenging a small space costs less than keeping a
 *   large one resident;
 * - when the heap and its buffers have grown by `growthPerCollection` since the last look back, a
 *   major collection is started incrementally (concurrent marking, no long pause); small webhooks
 *   die young and never trigger it, large ones cannot pile up garbage;
 * - once ingest has been quiet for `quietMs`, one full collection returns memory to the OS
 *   (20–60 ms, only when nothing is arriving).
 * Where the collector cannot be had, nothing changes.
 */
export class MemoryGovernor {
  private readonly collect: Collect | null;
  private bytesSinceCheck = 0;
  private floor: number;
  private dirty = false;
  private quietTimer: NodeJS.Timeout | null = null;

  private holding = false;

  constructor(
    private readonly options: MemoryGovernorOptions = DEFAULT_MEMORY_OPTIONS,
    collect: Collect | null = exposeCollector(),
    private readonly level: HeapLevel = heapLevel,
    private readonly young: YoungSize = youngSize,
    private readonly hold: (hold: boolean) => void = holdYoungGeneration,
  ) {
    this.collect = collect;
    this.floor = level();
  }

  /** A webhook body of `bytes` was received. */
  noteIngest(bytes: number): void {
    if (!this.collect) return;
    this.dirty = true;
    this.bytesSinceCheck += bytes;
    if (this.bytesSinceCheck >= this.options.checkEveryBytes) {
      this.bytesSinceCheck = 0;
      this.check(this.collect);
      if (!this.holding && this.young() >= this.options.maxYoungBytes) {
        this.holding = true;
        this.hold(true);
      }
    }
    if (this.quietTimer) this.quietTimer.refresh();
    else {
      this.quietTimer = setTimeout(() => this.afterBurst(), this.options.quietMs);
      this.quietTimer.unref();
    }
  }

  stop(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  private check(collect: Collect): void {
    const now = this.level();
    // After a collection the level falls: the next one is counted from the new low.
    this.floor = Math.min(this.floor, now);
    if (now - this.floor < this.options.growthPerCollection) return;
    this.floor = now;
    collect({ type: 'major', execution: 'async' });
  }

  private afterBurst(): void {
    this.quietTimer = null;
    if (!this.collect || !this.dirty) return;
    this.dirty = false;
    this.collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    this.floor = this.level();
    // That collection shrank the young generation: let it grow again to what reads need.
    if (this.holding) {
      this.holding = false;
      this.hold(false);
    }
  }
}
