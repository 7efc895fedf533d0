import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessagePage } from '../../../shared/contract';
import { createMessagesStore, PRESS_AHEAD_MS, WARM_LIMIT } from '../../../renderer/stores/messages-store';
import { FakeBridge, message } from '../fake-bridge';

async function loadedStore() {
  const bridge = new FakeBridge();
  bridge.messages[1] = [message(), message({ id: 2, direction: 'out', status: 'sent', wamid: 'wamid.B', timestamp: '2026-11-26T10:01:00.000Z' })];
  const store = createMessagesStore(bridge);
  await store.getState().load(1);
  return { bridge, store };
}

const status = (seq: number, value: 'delivered' | 'read' | 'sent' | 'failed') =>
  ({ type: 'status_update', seq, conversation_id: 1, message_id: 2, wamid: 'wamid.B', status: value }) as const;

describe('messages store', () => {
  it('loads a thread in time order', async () => {
    const { store } = await loadedStore();
    expect(store.getState().threads[1]?.ids).toEqual([1, 2]);
  });

  it('moves a tick forward and never back, whatever order statuses arrive in', async () => {
    const { store } = await loadedStore();
    store.getState().apply(status(11, 'read'));
    store.getState().apply(status(12, 'delivered'));
    store.getState().apply(status(13, 'sent'));
    expect(store.getState().threads[1]?.byId[2]?.status).toBe('read');
  });

  it('applies a frame’s batch of ticks (one copy of the thread), forward only, leaving the state before it untouched', async () => {
    const { store } = await loadedStore();
    store.getState().applyMany([message({ id: 3, direction: 'out', status: 'sent', wamid: 'wamid.C', timestamp: '2026-11-26T10:02:00.000Z' })].map((m) => ({ type: 'new_message', seq: 10, conversation_id: 1, message: m }) as const));
    const before = store.getState().threads[1]!;
    store.getState().applyMany([
      status(11, 'delivered'),
      { type: 'status_update', seq: 12, conversation_id: 1, message_id: 3, wamid: 'wamid.C', status: 'read' },
      status(13, 'read'),
      status(14, 'delivered'),
      { type: 'new_message', seq: 15, conversation_id: 1, message: message({ id: 4, timestamp: '2026-11-26T10:03:00.000Z' }) },
      { type: 'status_update', seq: 16, conversation_id: 1, message_id: 3, wamid: 'wamid.C', status: 'delivered' },
    ]);
    const after = store.getState().threads[1]!;
    expect([after.byId[2]?.status, after.byId[3]?.status, after.ids]).toEqual(['read', 'read', [1, 2, 3, 4]]);
    // What was rendered before the batch is not changed under the rows that still show it.
    expect([before.byId[2]?.status, before.byId[3]?.status, before.byId[4]]).toEqual(['sent', 'sent', undefined]);
    // A message no tick touched keeps its record: its row does not re-render.
    expect(after.byId[1]).toBe(before.byId[1]);
  });

  it('shows failed with its error', async () => {
    const { store } = await loadedStore();
    store.getState().apply({ ...status(11, 'failed'), error: { code: 131047, title: 'Re-engagement message' } });
    expect(store.getState().threads[1]?.byId[2]).toMatchObject({ status: 'failed', error: { code: 131047 } });
  });

  it('adds a new message to a loaded thread in timestamp order, once even if replayed', async () => {
    const { store } = await loadedStore();
    const early = message({ id: 3, text: 'late arrival, early timestamp', timestamp: '2026-11-26T09:59:00.000Z' });
    store.getState().apply({ type: 'new_message', seq: 11, conversation_id: 1, message: early });
    store.getState().apply({ type: 'new_message', seq: 11, conversation_id: 1, message: early });
    expect(store.getState().threads[1]?.ids).toEqual([3, 1, 2]);
  });

  it('ignores events for threads it has not loaded', () => {
    const store = createMessagesStore(new FakeBridge());
    store.getState().apply({ type: 'new_message', seq: 1, conversation_id: 5, message: message({ conversation_id: 5 }) });
    expect(store.getState().threads).toEqual({});
  });

  describe('events that land while a page is on its way', () => {
    /** A store whose pages are answered by hand. */
    function waitingStore() {
      const bridge = new FakeBridge();
      const answers: ((page: MessagePage) => void)[] = [];
      bridge.listMessages = () => new Promise((resolve) => answers.push((value) => resolve({ ok: true, value })));
      return { store: createMessagesStore(bridge), answer: (page: MessagePage) => answers.shift()?.(page) };
    }
    const first = message();
    const sent = message({ id: 2, direction: 'out', status: 'sent', wamid: 'wamid.B', timestamp: '2026-11-26T10:01:00.000Z' });
    const later = message({ id: 3, wamid: 'wamid.C', text: 'are you there?', timestamp: '2026-11-26T10:05:00.000Z' });
    const newMessage = (seq: number, m: typeof later) => ({ type: 'new_message', seq, conversation_id: 1, message: m }) as const;

    /** Opens the conversation while a new message (seq 11) and a ✓✓ for message 2 (seq 12) land, then answers with `page`. */
    async function openedWhileTheyLand(page: MessagePage) {
      const { store, answer } = waitingStore();
      const opening = store.getState().open(1, 0);
      store.getState().applyMany([newMessage(11, later), status(12, 'delivered')]);
      answer(page);
      await opening;
      const thread = store.getState().threads[1]!;
      return [thread.ids, thread.byId[2]?.status, thread.arrivals];
    }

    it('shows a message and a tick that the page, read before them, does not have, counting the message once', async () => {
      expect(await openedWhileTheyLand({ messages: [first, sent], next_before: null, next_after: null, seq: 10 })).toEqual([[1, 2, 3], 'delivered', 1]);
    });

    it('leaves to the page what it already holds: nothing twice, no tick moved back', async () => {
      const read = { ...sent, status: 'read' as const };
      expect(await openedWhileTheyLand({ messages: [first, read, later], next_before: null, next_after: null, seq: 12 })).toEqual([[1, 2, 3], 'read', 1]);
    });

    it('moves the tick of a message in an older page that lands meanwhile, and keeps a new message once', async () => {
      const { store, answer } = waitingStore();
      const opening = store.getState().open(1, 0);
      answer({ messages: [first], next_before: '1_1', next_after: null, seq: 10 });
      await opening;
      const older = store.getState().loadOlder(1);
      store.getState().applyMany([status(11, 'delivered'), newMessage(12, later)]);
      answer({ messages: [sent], next_before: null, next_after: null, seq: 10 });
      await older;
      const thread = store.getState().threads[1]!;
      expect([thread.ids, thread.byId[2]?.status, thread.arrivals]).toEqual([[1, 2, 3], 'delivered', 1]);
    });

    it('counts a message as missed when the page opens a window away from the newest', async () => {
      const { store, answer } = waitingStore();
      const jump = store.getState().jumpTo(1, 1);
      store.getState().apply(newMessage(11, later));
      answer({ messages: [first, sent], next_before: null, next_after: '1_2', seq: 10 });
      await jump;
      const thread = store.getState().threads[1]!;
      expect([thread.ids, thread.missed]).toEqual([[1, 2], 1]);
    });
  });

  describe('a page asked for on the press, before the click opens the conversation', () => {
    afterEach(() => vi.useRealTimers());
    /** A store whose pages are answered by hand, recording what each asked for. */
    function pressedStore() {
      const bridge = new FakeBridge();
      const asked: { request: unknown; answer: (page: MessagePage) => void }[] = [];
      bridge.listMessages = (request) => new Promise((resolve) => asked.push({ request, answer: (value) => resolve({ ok: true, value }) }));
      return { store: createMessagesStore(bridge), asked };
    }
    const first = message();
    const sent = message({ id: 2, direction: 'out', status: 'sent', wamid: 'wamid.B', timestamp: '2026-11-26T10:01:00.000Z' });
    const later = message({ id: 3, wamid: 'wamid.C', text: 'are you there?', timestamp: '2026-11-26T10:05:00.000Z' });

    it('opens with the pressed page, asked for once, with what landed from the press on applied on top of it', async () => {
      const { store, asked } = pressedStore();
      store.getState().prepare(1, 0);
      // Nothing shows before the click: the conversation is not open.
      expect([asked.map((ask) => ask.request), store.getState().threads[1]]).toEqual([[{ conversation_id: 1, limit: 50 }], undefined]);
      store.getState().apply(status(11, 'delivered'));
      asked[0]?.answer({ messages: [first, sent], next_before: null, next_after: null, seq: 10 });
      await Promise.resolve();
      store.getState().apply({ type: 'new_message', seq: 12, conversation_id: 1, message: later });
      await store.getState().open(1, 0);
      const thread = store.getState().threads[1]!;
      // The message came before the opening: the thread opens with it, not with a new arrival to count.
      expect([asked.length, thread.ids, thread.byId[2]?.status, thread.arrivals, thread.loading]).toEqual([1, [1, 2, 3], 'delivered', 0, false]);
    });

    it('drops a press that no click follows in time: the opening asks again', async () => {
      vi.useFakeTimers();
      const { store, asked } = pressedStore();
      store.getState().prepare(1, 0);
      asked[0]?.answer({ messages: [first], next_before: null, next_after: null, seq: 10 });
      vi.advanceTimersByTime(PRESS_AHEAD_MS);
      // A tick that lands after the press was dropped is not kept for a page that nobody opened.
      store.getState().apply(status(11, 'delivered'));
      const opening = store.getState().open(1, 0);
      expect(asked).toHaveLength(2);
      asked[1]?.answer({ messages: [first, sent], next_before: null, next_after: null, seq: 11 });
      await opening;
      expect(store.getState().threads[1]?.ids).toEqual([1, 2]);
    });

    it('asks again when a message changed the unread count between the press and the click (the divider would be misplaced)', async () => {
      const { store, asked } = pressedStore();
      store.getState().prepare(1, 0);
      const opening = store.getState().open(1, 1);
      expect(asked.map((ask) => ask.request)).toEqual([
        { conversation_id: 1, limit: 50 },
        { conversation_id: 1, limit: 50 },
      ]);
      asked[1]?.answer({ messages: [first, sent, later], next_before: null, next_after: null, seq: 12 });
      // The dropped page answering late changes nothing.
      asked[0]?.answer({ messages: [first], next_before: null, next_after: null, seq: 10 });
      await opening;
      expect([store.getState().threads[1]?.ids, store.getState().threads[1]?.unreadFromId]).toEqual([[1, 2, 3], 3]);
    });

    it('keeps only the latest press, and asks nothing for a conversation kept open with nothing unread', async () => {
      const { store, asked } = pressedStore();
      store.getState().prepare(1, 0);
      store.getState().prepare(1, 0);
      store.getState().prepare(2, 0);
      expect(asked.map((ask) => ask.request)).toEqual([
        { conversation_id: 1, limit: 50 },
        { conversation_id: 2, limit: 50 },
      ]);
      asked[1]?.answer({ messages: [message({ id: 9, conversation_id: 2 })], next_before: null, next_after: null, seq: 10 });
      await store.getState().open(2, 0);
      expect(asked).toHaveLength(2);
      store.getState().prepare(2, 0);
      expect(asked).toHaveLength(2);
      // Opening the first conversation now asks for its page again: its press was replaced.
      void store.getState().open(1, 0);
      expect(asked).toHaveLength(3);
    });
  });

  describe('the conversations in view, warmed ahead of a click', () => {
    /** A store whose pages are answered by hand, recording what each asked for. */
    function handAnswered() {
      const bridge = new FakeBridge();
      const asked: { request: { conversation_id: number; limit?: number }; answer: (page: MessagePage) => void; fail: () => void }[] = [];
      bridge.listMessages = (request) =>
        new Promise((resolve) =>
          asked.push({
            request,
            answer: (value) => resolve({ ok: true, value }),
            fail: () => resolve({ ok: false, error: { code: 'unavailable', message: 'the gateway cannot be reached' } }),
          }),
        );
      const store = createMessagesStore(bridge);
      // Lets the answer's continuation (and the next warm request) run.
      const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
      return { store, asked, settled, conversations: () => asked.map((ask) => ask.request.conversation_id) };
    }
    const page = (conversationId: number, messages: ReturnType<typeof message>[], seq = 10): MessagePage => ({ messages: messages.map((m) => ({ ...m, conversation_id: conversationId })), next_before: null, next_after: null, seq });
    const first = message();
    const sent = message({ id: 2, direction: 'out', status: 'sent', wamid: 'wamid.B', timestamp: '2026-11-26T10:01:00.000Z' });
    const later = message({ id: 3, wamid: 'wamid.C', text: 'are you there?', timestamp: '2026-11-26T10:05:00.000Z' });
    const twoInView = [
      { id: 1, unreadCount: 0 },
      { id: 2, unreadCount: 0 },
    ];

    it('loads their opening pages one at a time, and a click opens a warmed one with no request, current with what landed since', async () => {
      const { store, asked, settled, conversations } = handAnswered();
      store.getState().warm(twoInView);
      // One at a time: the second page is asked for once the first is in.
      expect(conversations()).toEqual([1]);
      asked[0]?.answer(page(1, [first, sent]));
      await settled();
      expect(conversations()).toEqual([1, 2]);
      asked[1]?.answer(page(2, [message({ id: 9 })]));
      await settled();
      store.getState().applyMany([status(11, 'delivered'), { type: 'new_message', seq: 12, conversation_id: 1, message: later }]);
      await store.getState().open(1, 0);
      const thread = store.getState().threads[1]!;
      expect([asked.length, thread.ids, thread.byId[2]?.status, thread.loading, thread.unreadFromId]).toEqual([2, [1, 2, 3], 'delivered', false, null]);
    });

    it('keeps the events that land while a warm page is on its way, as an opening does', async () => {
      const { store, asked, settled } = handAnswered();
      store.getState().warm([{ id: 1, unreadCount: 0 }]);
      store.getState().applyMany([status(11, 'delivered')]);
      asked[0]?.answer(page(1, [first, sent]));
      await settled();
      expect(store.getState().threads[1]?.byId[2]?.status).toBe('delivered');
    });

    it('opens one whose warm page is still on its way with that page, asking nothing more', async () => {
      const { store, asked } = handAnswered();
      store.getState().warm([{ id: 1, unreadCount: 2 }]);
      const opening = store.getState().open(1, 2);
      store.getState().prepare(1, 2);
      asked[0]?.answer(page(1, [first, sent, later]));
      await opening;
      expect([asked.length, asked[0]?.request.limit, store.getState().threads[1]?.ids, store.getState().threads[1]?.unreadFromId]).toEqual([1, 50, [1, 2, 3], 1]);
    });

    it('asks again when the unread count moved since the warm page (the divider would be misplaced)', async () => {
      const { store, asked, settled } = handAnswered();
      store.getState().warm([{ id: 1, unreadCount: 0 }]);
      asked[0]?.answer(page(1, [first, sent]));
      await settled();
      // A press asks for the page the click will need; the click opens with it.
      store.getState().prepare(1, 1);
      const opening = store.getState().open(1, 1);
      asked[1]?.answer(page(1, [first, sent, later], 12));
      await opening;
      expect([asked.length, store.getState().threads[1]?.unreadFromId]).toEqual([2, 3]);
    });

    it('loads a warmed conversation again when its row shows another unread count, and lets go of rows gone from view', async () => {
      const { store, asked, settled, conversations } = handAnswered();
      store.getState().warm(twoInView);
      asked[0]?.answer(page(1, [first]));
      await settled();
      asked[1]?.answer(page(2, [message({ id: 9 })]));
      await settled();
      store.getState().warm([
        { id: 2, unreadCount: 1 },
        { id: 3, unreadCount: 0 },
      ]);
      // Conversation 1 left the view: its window goes. Conversation 2's divider moved: loaded again.
      expect([Object.keys(store.getState().threads), conversations()]).toEqual([[], [1, 2, 2]]);
      asked[2]?.answer(page(2, [message({ id: 9 }), message({ id: 10, timestamp: '2026-11-26T10:09:00.000Z' })]));
      await settled();
      expect([conversations(), store.getState().threads[2]?.unreadFromId]).toEqual([[1, 2, 2, 3], 10]);
    });

    it('never lets go of a conversation that was opened, and never warms it again', async () => {
      const { store, asked, settled, conversations } = handAnswered();
      store.getState().warm([{ id: 1, unreadCount: 0 }]);
      asked[0]?.answer(page(1, [first]));
      await settled();
      await store.getState().open(1, 0);
      store.getState().warm([]);
      store.getState().warm([{ id: 1, unreadCount: 0 }]);
      expect([conversations(), store.getState().threads[1]?.ids]).toEqual([[1], [1]]);
    });

    it('keeps nothing from a page that failed or answered after its row left the view: the opening asks again', async () => {
      const { store, asked, settled, conversations } = handAnswered();
      store.getState().warm(twoInView);
      asked[0]?.fail();
      await settled();
      store.getState().warm([]);
      asked[1]?.answer(page(2, [message({ id: 9 })]));
      await settled();
      expect(store.getState().threads).toEqual({});
      const opening = store.getState().open(1, 0);
      asked[2]?.answer(page(1, [first]));
      await opening;
      expect([conversations(), store.getState().threads[1]?.ids]).toEqual([[1, 2, 1], [1]]);
    });

    it('warms no more than a tall window shows', async () => {
      const { store, asked, settled, conversations } = handAnswered();
      store.getState().warm(Array.from({ length: WARM_LIMIT + 10 }, (_, n) => ({ id: n + 1, unreadCount: 0 })));
      for (let n = 0; n < WARM_LIMIT + 10; n += 1) {
        asked[n]?.answer(page(n + 1, [message({ id: 100 + n })]));
        await settled();
      }
      expect([conversations().length, conversations().at(-1), Object.keys(store.getState().threads).length]).toEqual([WARM_LIMIT, WARM_LIMIT, WARM_LIMIT]);
    });

    it('after a resync, drops the warmed windows and a warm page asked before it, and warms the rows in view again', async () => {
      const { store, asked, settled, conversations } = handAnswered();
      store.getState().warm(twoInView);
      asked[0]?.answer(page(1, [first]));
      await settled();
      // Conversation 2's page is on its way when the events stream resyncs.
      void store.getState().reloadAll();
      expect(store.getState().threads).toEqual({});
      asked[1]?.answer(page(2, [message({ id: 9 })]));
      await settled();
      expect(store.getState().threads[2]).toBeUndefined();
      expect(conversations()).toEqual([1, 2, 1]);
      asked[2]?.answer(page(1, [first, sent], 20));
      await settled();
      asked[3]?.answer(page(2, [message({ id: 9 })], 20));
      await settled();
      expect([conversations(), store.getState().threads[1]?.ids, store.getState().threads[2]?.ids]).toEqual([[1, 2, 1, 2], [1, 2], [9]]);
    });
  });

  it('keeps the composer error visible when the gateway refuses a send', async () => {
    const { bridge, store } = await loadedStore();
    bridge.sendResult = () => ({ ok: false, error: { code: 'bad_request', message: 'text: must not be empty' } });
    expect(await store.getState().send(1, ' ')).toBe(false);
    expect(store.getState().threads[1]?.sendError).toBe('text: must not be empty');
  });

  it('shows the load error when history cannot be read', async () => {
    const bridge = new FakeBridge();
    bridge.listMessages = () => Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'the gateway cannot be reached' } });
    const store = createMessagesStore(bridge);
    await store.getState().load(1);
    expect(store.getState().threads[1]?.error).toBe('the gateway cannot be reached');
  });

  it('shows the latest by moving the view at the tail, and by loading the newest page from a detached window', async () => {
    const { bridge, store } = await loadedStore();
    const before = store.getState().threads[1]?.focus.seq ?? 0;
    const loads = () => bridge.calls.filter((call) => call.name === 'listMessages').length;
    const loaded = loads();
    await store.getState().showLatest(1);
    expect(loads()).toBe(loaded);
    expect(store.getState().threads[1]?.focus).toEqual({ messageId: null, seq: before + 1 });
    await store.getState().jumpTo(1, 1);
    store.setState((state) => ({ threads: { ...state.threads, 1: { ...state.threads[1]!, nextAfter: '1_1' } } }));
    await store.getState().showLatest(1);
    expect(bridge.calls.at(-1)).toEqual({ name: 'listMessages', request: { conversation_id: 1 } });
    expect(store.getState().threads[1]?.focus.messageId).toBeNull();
  });

  it('finds a quoted message once an older page brings it, and a jump starts a window with an index of its own', async () => {
    const bridge = new FakeBridge();
    const quoted = message({ id: 1, wamid: 'wamid.ASK', text: 'Where is my order?' });
    const reply = message({ id: 2, direction: 'out', wamid: 'wamid.ANSWER', reply_to: 'wamid.ASK', timestamp: '2026-11-26T10:01:00.000Z' });
    let page = 0;
    bridge.listMessages = (request) => {
      bridge.calls.push({ name: 'listMessages', request });
      page += 1;
      const value: MessagePage = page === 1 ? { messages: [reply], next_before: '1_2', next_after: null, seq: 0 } : page === 2 ? { messages: [quoted], next_before: null, next_after: null, seq: 0 } : { messages: [quoted], next_before: null, next_after: '1_1', seq: 0 };
      return Promise.resolve({ ok: true as const, value });
    };
    const store = createMessagesStore(bridge);
    await store.getState().load(1);
    const newestOnly = store.getState().threads[1]!;
    expect(newestOnly.wamidIndex.get('wamid.ASK')).toBeUndefined();
    await store.getState().loadOlder(1);
    const both = store.getState().threads[1]!;
    expect(both.byId[both.wamidIndex.get('wamid.ASK')!]?.text).toBe('Where is my order?');
    // The earlier version never shows what it did not load: its lookups go through its own byId.
    expect(newestOnly.byId[newestOnly.wamidIndex.get('wamid.ASK')!]).toBeUndefined();
    await store.getState().jumpTo(1, 1);
    const jumped = store.getState().threads[1]!;
    expect(jumped.wamidIndex).not.toBe(both.wamidIndex);
    expect([...jumped.wamidIndex.keys()]).toEqual(['wamid.ASK']);
  });
});
