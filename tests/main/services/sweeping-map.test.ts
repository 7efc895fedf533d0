import { describe, expect, it } from 'vitest';
import { SweepingMap } from '../../../main/services/sweeping-map';
import { TokenBucket } from '../../../main/services/token-bucket';

describe('SweepingMap', () => {
  it('keeps its size to the keys in recent use: spent entries go once the map has doubled', () => {
    // An entry is spent 1 s after it was set.
    const map = new SweepingMap<string, number>((setAt, nowMs) => nowMs - setAt >= 1_000, 4);
    for (let customer = 0; customer < 10_000; customer += 1) map.set(`c${customer}`, customer * 10, customer * 10);
    // Only the last 100 customers (written within the last second) may stay, plus at most the
    // growth since the last sweep.
    expect(map.size).toBeLessThanOrEqual(2 * 100 + 1);
    expect(map.get('c9999')).toBe(99_990);
    expect(map.get('c0')).toBeUndefined();
  });

  it('never drops an entry that still matters', () => {
    const map = new SweepingMap<string, number>((setAt, nowMs) => nowMs - setAt >= 1_000_000, 4);
    for (let customer = 0; customer < 1_000; customer += 1) map.set(`c${customer}`, customer, customer);
    expect(map.size).toBe(1_000);
    expect(map.get('c0')).toBe(0);
  });

  it('updating a known key never sweeps', () => {
    const map = new SweepingMap<string, number>(() => true, 2);
    map.set('a', 1, 0);
    map.set('b', 1, 0);
    map.set('b', 2, 0);
    expect(map.size).toBe(2);
  });
});

describe('TokenBucket.isFull', () => {
  it('is full when new, not after a take, and again once refilled', () => {
    const bucket = new TokenBucket(2, 1 / 1_000, 0);
    expect(bucket.isFull(0)).toBe(true);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.isFull(999)).toBe(false);
    expect(bucket.isFull(1_000)).toBe(true);
  });
});
