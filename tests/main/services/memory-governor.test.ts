import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryGovernor, type Collect } from '../../../main/services/memory-governor';

let calls: Parameters<Collect>[0][];
let level: number;
let young: number;
let holds: boolean[];
let governor: MemoryGovernor;
beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
  level = 1_000;
  young = 1_000;
  holds = [];
  governor = new MemoryGovernor(
    { checkEveryBytes: 100, growthPerCollection: 500, quietMs: 2_000, maxYoungBytes: 8_000 },
    (options) => calls.push(options),
    () => level,
    () => young,
    (hold) => holds.push(hold),
  );
});
afterEach(() => {
  governor.stop();
  vi.useRealTimers();
});

describe('MemoryGovernor', () => {
  it('starts an incremental major collection when the heap grew by growthPerCollection since its low', () => {
    level = 1_400;
    governor.noteIngest(100);
    expect(calls).toEqual([]);
    level = 1_500;
    governor.noteIngest(100);
    expect(calls).toEqual([{ type: 'major', execution: 'async' }]);
    // The collection brought it down: the next one counts from the new low.
    level = 1_100;
    governor.noteIngest(100);
    level = 1_599;
    governor.noteIngest(100);
    expect(calls).toHaveLength(1);
    level = 1_600;
    governor.noteIngest(100);
    expect(calls).toHaveLength(2);
  });

  it('looks at the heap only every checkEveryBytes of bodies', () => {
    level = 5_000;
    governor.noteIngest(40);
    governor.noteIngest(40);
    expect(calls).toEqual([]);
    governor.noteIngest(40);
    expect(calls).toEqual([{ type: 'major', execution: 'async' }]);
  });

  it('never collects during small-webhook traffic whose garbage dies young', () => {
    for (let n = 0; n < 10_000; n += 1) governor.noteIngest(1_000);
    expect(calls).toEqual([]);
  });

  it('gives memory back with one full collection once ingest has been quiet, and only once', () => {
    governor.noteIngest(10);
    vi.advanceTimersByTime(1_500);
    governor.noteIngest(10);
    vi.advanceTimersByTime(1_999);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    vi.advanceTimersByTime(10_000);
    expect(calls).toHaveLength(1);
  });

  it('holds the young generation once a flood has grown it to maxYoungBytes, and lets it grow again after the quiet collection', () => {
    governor.noteIngest(100);
    expect(holds).toEqual([]);
    young = 8_000;
    governor.noteIngest(100);
    governor.noteIngest(100);
    expect(holds).toEqual([true]);
    vi.advanceTimersByTime(2_000);
    expect(holds).toEqual([true, false]);
  });

  it('does nothing while nothing arrives', () => {
    vi.advanceTimersByTime(60_000);
    expect(calls).toEqual([]);
  });

  it('finds V8’s collector at run time', () => {
    const real = new MemoryGovernor();
    expect((real as unknown as { collect: unknown }).collect).toBeTypeOf('function');
    real.stop();
  });
});
