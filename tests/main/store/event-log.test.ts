import { describe, expect, it } from 'vitest';
import type { UnsequencedEvent } from '../../../shared/contract';
import { eventJson } from '../../../main/store/event-log';
import { memoryStore } from '../../helpers/memory-store';

const typing: UnsequencedEvent = { type: 'typing', conversation_id: 1, user: 'ana', expires_at: new Date(0).toISOString() };

function logWith(createdAt: number[]) {
  const { store } = memoryStore();
  for (const at of createdAt) store.events.append(typing, at);
  return store.events;
}

describe('EventLog retention', () => {
  it('drops events older than the cutoff, and resumes only from what it still has', () => {
    const log = logWith([100, 200, 300, 400]);
    expect(log.prune(250, 1_000_000)).toBe(2);
    expect(log.after(0, 10).map((e) => e.seq)).toEqual([3, 4]);
    expect(log.canResumeFrom(2)).toBe(true);
    expect(log.canResumeFrom(1)).toBe(false);
  });

  it('keeps at most maxCount events', () => {
    const log = logWith([1, 2, 3, 4, 5]);
    expect(log.prune(0, 2)).toBe(3);
    expect(log.after(0, 10).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('always keeps the newest event, so the head survives and older clients get a resync', () => {
    const log = logWith([1, 2, 3]);
    log.prune(10_000, 1_000_000);
    expect(log.head()).toBe(3);
    expect(log.canResumeFrom(0)).toBe(false);
    expect(log.canResumeFrom(3)).toBe(true);
  });
});

describe('EventLog as JSON text (what WebSocket clients receive)', () => {
  it('gives the same events as after(), with the seq in them, without a second serialisation', () => {
    const log = logWith([1, 2]);
    const appended = log.append({ ...typing, user: 'ben "the" agent' }, 3);
    const texts = log.afterAsJson(0, 10);
    expect(texts.map((t) => t.seq)).toEqual([1, 2, 3]);
    expect(texts.map((t) => JSON.parse(t.json) as unknown)).toEqual(log.after(0, 10));
    expect(JSON.parse(eventJson(appended))).toEqual(appended);
    expect(eventJson(appended)).toBe(texts[2]?.json);
  });

  it('serialises an event it did not append', () => {
    const event = { ...typing, seq: 9 } as const;
    expect(JSON.parse(eventJson(event))).toEqual(event);
  });
});
