import { describe, expect, it } from 'vitest';
import { operations } from '../../../shared/contract';
import { History } from '../../../main/services/history';
import { seedDemoHistory } from '../../../main/store/demo-history';
import { CONVERSATION_SQL, SELECT_CONVERSATION } from '../../../main/store/conversation-repo';
import { HISTORY_SQL } from '../../../main/store/message-repo';
import { memoryStore } from '../../helpers/memory-store';

function seeded() {
  const memory = memoryStore();
  let state = 7;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  seedDemoHistory(memory.store.db, { conversations: 20, messages: 3_000, random, nowMs: Date.UTC(2026, 10, 30), phoneNumberIds: ['100000000000001'] });
  const history = new History(memory.store, memory.bus);
  // The longest thread, and every id in it in the conversation's order.
  const { conversation_id: conversationId } = memory.store.db
    .prepare('SELECT conversation_id, count(*) AS n FROM messages GROUP BY conversation_id ORDER BY n DESC LIMIT 1')
    .get() as { conversation_id: number };
  const ids = memory.store.db.prepare('SELECT id FROM messages WHERE conversation_id = ? ORDER BY timestamp, id').pluck().all(conversationId) as number[];
  const list = (request: Record<string, unknown>) => {
    const result = history.listMessages(operations.listMessages.request.parse({ conversation_id: conversationId, ...request }));
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  return { ...memory, history, conversationId, ids, list };
}

describe('paging a thread both ways from any message', () => {
  it('opens on the newest page, with a cursor to older messages and none to newer', () => {
    const { ids, list } = seeded();
    const page = list({ limit: 50 });
    expect(page.messages.map((m) => m.id)).toEqual(ids.slice(-50));
    expect(page.next_before).not.toBeNull();
    expect(page.next_after).toBeNull();
  });

  it('tells the event log position it was read at, so a client can tell the events a page already holds', () => {
    const { list, store, conversationId } = seeded();
    const before = list({ limit: 5 });
    expect(before.seq).toBe(store.events.head());
    const conversation = store.conversations.get(conversationId);
    if (!conversation) throw new Error('the seeded conversation is missing');
    const event = store.transaction(() => store.events.append({ type: 'conversation_update', conversation_id: conversationId, conversation }, Date.now()));
    expect(event.seq).toBeGreaterThan(before.seq);
    expect(list({ limit: 5 }).seq).toBe(event.seq);
  });

  it('centres a page on a message in the middle, and pages on both ways without overlap or gap', () => {
    const { ids, list } = seeded();
    const target = ids[Math.floor(ids.length / 2)] as number;
    const page = list({ around: target, limit: 51 });
    const at = ids.indexOf(target);
    expect(page.messages.map((m) => m.id)).toEqual(ids.slice(at - 25, at + 26));
    const older = list({ before: page.next_before, limit: 30 });
    const newer = list({ after: page.next_after, limit: 30 });
    expect(older.messages.map((m) => m.id)).toEqual(ids.slice(at - 55, at - 25));
    expect(newer.messages.map((m) => m.id)).toEqual(ids.slice(at + 26, at + 56));
  });

  it('walks the whole thread from its first message to its newest with after-cursors', () => {
    const { ids, list } = seeded();
    let page = list({ around: ids[0], limit: 200 });
    const seen = page.messages.map((m) => m.id);
    expect(page.next_before).toBeNull();
    while (page.next_after) {
      page = list({ after: page.next_after, limit: 200 });
      seen.push(...page.messages.map((m) => m.id));
    }
    expect(seen).toEqual(ids);
  });

  it('jumps to a date: a page centred on the first message at or after it, the newest past the end', () => {
    const { ids, list, store } = seeded();
    const target = ids[Math.floor(ids.length / 2)] as number;
    const at = store.db.prepare('SELECT timestamp FROM messages WHERE id = ?').pluck().get(target) as number;
    const page = list({ at: new Date(at).toISOString(), limit: 21 });
    expect(page.messages[10]?.id).toBe(target);
    expect(list({ at: '2999-01-01T00:00:00Z', limit: 5 }).messages.map((m) => m.id)).toEqual(ids.slice(-5));
    expect(list({ at: '1999-01-01T00:00:00Z', limit: 5 }).messages[0]?.id).toBe(ids[0]);
  });

  it('refuses a message of another conversation, an unknown one, a forged cursor, and two directions at once', () => {
    const { history, conversationId, store, list } = seeded();
    const foreign = store.db.prepare('SELECT id FROM messages WHERE conversation_id <> ? LIMIT 1').pluck().get(conversationId) as number;
    expect(history.listMessages({ conversation_id: conversationId, around: foreign })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(history.listMessages({ conversation_id: conversationId, around: 99_999_999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(history.listMessages({ conversation_id: conversationId, after: 'nope' })).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'after: not a cursor from this gateway' } });
    expect(() => list({ before: '1_1', after: '1_1' })).toThrow('give at most one of before, after, around and at');
  });
});

describe('history queries use their indexes (a lost index fails here, not for a user)', () => {
  const plan = (db: ReturnType<typeof seeded>['store']['db'], sql: string, ...params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join(' | ');

  it.each([
    ['a page before a cursor', `SELECT * FROM messages m ${HISTORY_SQL.pageBefore}`, [1, 1, 1, 50], '<'],
    ['a page after a cursor', `SELECT * FROM messages m ${HISTORY_SQL.pageAfter}`, [1, 1, 1, 50], '>'],
    ['a probe for older messages', HISTORY_SQL.anyBefore, [1, 1, 1], '<'],
    ['a probe for newer messages', HISTORY_SQL.anyAfter, [1, 1, 1], '>'],
  ])('%s reads messages through messages_by_conversation, in its order, from the cursor on', (_name, sql, params, side) => {
    const { store } = seeded();
    const detail = plan(store.db, sql, ...params);
    // The cursor bounds the index range: a filter on the conversation alone would walk all of it.
    expect(detail).toMatch(new RegExp(`SEARCH (messages|m) USING (COVERING )?INDEX messages_by_conversation \\(conversation_id=\\? AND timestamp\\${side}\\?\\)`));
    expect(detail).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it('finds a message’s position by its primary key', () => {
    const { store } = seeded();
    expect(plan(store.db, HISTORY_SQL.position, 1, 1)).toMatch(/USING INTEGER PRIMARY KEY/);
  });
});

describe('the conversation list a page at a time', () => {
  it('pages the whole list in activity order, without overlap or gap, conversations without messages last', () => {
    const { history, store } = seeded();
    // Several without messages, so pages cross from those with activity into them and run on among them.
    for (const waId of ['997', '998', '999']) store.db.prepare("INSERT INTO conversations (phone_number_id, customer_key, wa_id, name) VALUES ('100000000000001', ?, ?, 'No messages yet')").run(waId, waId);
    const whole = history.listConversations({});
    if (!whole.ok) throw new Error(whole.error.message);
    expect(whole.value.at(-1)?.name).toBe('No messages yet');
    for (const limit of [1, 2, 6]) {
      const paged: number[] = [];
      let afterId: number | undefined;
      for (;;) {
        const page = history.listConversations({ limit, ...(afterId ? { after_id: afterId } : {}) });
        if (!page.ok) throw new Error(page.error.message);
        if (page.value.length === 0) break;
        paged.push(...page.value.map((c) => c.id));
        afterId = page.value.at(-1)?.id;
      }
      expect(paged).toEqual(whole.value.map((c) => c.id));
    }
    const times = whole.value.map((c) => (c.last_message_at ? Date.parse(c.last_message_at) : -1));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('pages the unread conversations alone, in the same order, from any cursor (one that was read meanwhile too)', () => {
    const { history, store } = seeded();
    const everyone = history.listConversations({});
    if (!everyone.ok) throw new Error(everyone.error.message);
    // Every third conversation has unread messages.
    const unread = everyone.value.filter((_, n) => n % 3 === 1).map((c) => c.id);
    store.db.prepare('UPDATE conversations SET unread_count = 0').run();
    for (const id of unread) store.db.prepare('UPDATE conversations SET unread_count = 2 WHERE id = ?').run(id);
    const whole = history.listConversations({ unread: true });
    if (!whole.ok) throw new Error(whole.error.message);
    expect(whole.value.map((c) => c.id)).toEqual(unread);
    // Last, pages of 2 whose last conversation the agent reads before the next page is asked for.
    for (const limit of [1, 4, 2]) {
      const paged: number[] = [];
      let afterId: number | undefined;
      for (;;) {
        const page = history.listConversations({ limit, unread: true, ...(afterId ? { after_id: afterId } : {}) });
        if (!page.ok) throw new Error(page.error.message);
        if (page.value.length === 0) break;
        paged.push(...page.value.map((c) => c.id));
        afterId = page.value.at(-1)?.id;
        // A read conversation still places the cursor.
        if (limit === 2 && afterId) expect(history.markRead({ conversation_id: afterId })).toMatchObject({ ok: true, value: { unread_count: 0 } });
      }
      expect(paged).toEqual(unread);
    }
  });

  it('takes unread=true and unread=false from a query string, and refuses anything else', () => {
    const request = operations.listConversations.request;
    expect(request.parse({ unread: 'true', limit: '5' })).toEqual({ unread: true, limit: 5 });
    expect(request.parse({ unread: 'false' })).toEqual({ unread: false });
    expect(request.safeParse({ unread: 'yes' }).success).toBe(false);
  });

  it('refuses an unknown after_id, and after_id without limit', () => {
    const { history } = seeded();
    expect(history.listConversations({ limit: 5, after_id: 99_999 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(history.listConversations({ after_id: 1 })).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'after_id pages the list: give limit too' } });
  });

  it.each([
    ['the first page', `${SELECT_CONVERSATION} ${CONVERSATION_SQL.order} LIMIT 50`, [], /SCAN c USING INDEX conversations_by_activity/],
    ['a page after a conversation with activity', `${SELECT_CONVERSATION} ${CONVERSATION_SQL.afterActive} LIMIT 50`, [1, 1], /SEARCH c USING INDEX conversations_by_activity \(last_message_at<\?\)/],
    ['a page after one without', `${SELECT_CONVERSATION} ${CONVERSATION_SQL.afterInactive} LIMIT 50`, [1], /SEARCH c USING INDEX conversations_by_activity \(last_message_at=\? AND id<\?\)/],
    ['the first unread page', `${SELECT_CONVERSATION} ${CONVERSATION_SQL.unread} LIMIT 50`, [], /SCAN c USING INDEX conversations_unread_by_activity/],
    ['an unread page after a conversation with activity', `${SELECT_CONVERSATION} ${CONVERSATION_SQL.unreadAfterActive} LIMIT 50`, [1, 1], /SEARCH c USING INDEX conversations_unread_by_activity \(last_message_at<\?\)/],
    ['an unread page after one without', `${SELECT_CONVERSATION} ${CONVERSATION_SQL.unreadAfterInactive} LIMIT 50`, [1], /SEARCH c USING INDEX conversations_unread_by_activity \(last_message_at=\? AND id<\?\)/],
  ])('reads %s through its activity index, in its order, from the cursor on, each newest message by one index seek', (_name, sql, params, range) => {
    const { store } = seeded();
    const detail = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join(' | ');
    expect(detail).toMatch(range);
    expect(detail).toMatch(/SEARCH m USING INDEX messages_by_conversation \(conversation_id=\?\)/);
    expect(detail).not.toMatch(/TEMP B-TREE|SCAN m/);
  });
});
