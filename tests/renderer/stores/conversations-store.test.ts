import { describe, expect, it } from 'vitest';
import type { Conversation, Result } from '../../../shared/contract';
import { createConversationsStore, FIRST_LIST_PAGE } from '../../../renderer/stores/conversations-store';
import { conversation, FakeBridge } from '../fake-bridge';

/** `count` conversations, newest activity first (the order the gateway pages them in), all read. */
function history(count: number): Conversation[] {
  return Array.from({ length: count }, (_, n) =>
    conversation({ id: count - n, name: `Customer ${count - n}`, unread_count: 0, last_message_at: new Date(Date.UTC(2026, 10, 1) - n * 60_000).toISOString(), last_message: { id: 10_000 + count - n, direction: 'out', status: 'sent' } }),
  );
}

/** The unread conversations' request, right after the first page. */
const UNREAD = { limit: 500, unread: true };

/** Lets every page already answered, and what it starts, run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Loads the list and lets the pages after the first come in (the page is idle at once). */
async function loadWhole(store: ReturnType<typeof createConversationsStore>): Promise<void> {
  await store.getState().load();
  await settle();
}

/** A bridge whose list pages wait until the test lets each one through. */
function gatedBridge(conversations: Conversation[]) {
  const bridge = new FakeBridge();
  bridge.conversations = conversations;
  const waiting: (() => void)[] = [];
  const answer = bridge.listConversations;
  bridge.listConversations = (request = {}) => new Promise<Result<Conversation[]>>((resolve) => waiting.push(() => void answer(request).then(resolve)));
  /** Lets the next page answer, and everything it starts run. */
  const release = async () => {
    await settle();
    waiting.shift()?.();
    await settle();
  };
  return { bridge, release, waiting };
}

/** The page is idle at once (the browser's idle callback, in the app). */
const atOnce = () => Promise.resolve();

/** A store over a gated bridge, its first page let through and shown. */
async function firstPageThroughGate(conversations: Conversation[]) {
  const { bridge, release } = gatedBridge(conversations);
  const store = createConversationsStore(bridge, () => 0, atOnce);
  const loaded = store.getState().load();
  await release();
  await loaded;
  return { bridge, release, store };
}

const pagesAsked = (bridge: FakeBridge) => bridge.calls.filter((call) => call.name === 'listConversations').map((call) => call.request);

describe('conversations store: the list a page at a time', () => {
  it('shows the first page at once, then pages the rest in behind it, showing them in few updates', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = history(1_234);
    const store = createConversationsStore(bridge, () => 0, atOnce);
    const updates: number[] = [];
    store.subscribe((state) => updates.push(Object.keys(state.byId).length));
    await store.getState().load();
    expect(Object.keys(store.getState().byId)).toHaveLength(FIRST_LIST_PAGE);
    expect(store.getState()).toMatchObject({ loaded: true, complete: false });
    await settle();
    expect(Object.keys(store.getState().byId)).toHaveLength(1_234);
    expect(store.getState().complete).toBe(true);
    // After the first page, each page goes to the gateway after the last conversation of the one before.
    expect(pagesAsked(bridge)).toEqual([{ limit: 100 }, UNREAD, { limit: 500, after_id: 1_135 }, { limit: 500, after_id: 635 }, { limit: 500, after_id: 135 }]);
    // The clock did not move: the pages after the first are shown once, when the list is whole.
    expect(updates).toEqual([100, 1_234]);
  });

  it('shows the pages that came in so far every half second, not every page', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = history(2_050);
    let clock = 0;
    const store = createConversationsStore(bridge, () => clock, atOnce);
    const updates: number[] = [];
    store.subscribe((state) => updates.push(Object.keys(state.byId).length));
    const original = bridge.listConversations;
    bridge.listConversations = (request = {}) => {
      clock += 300;
      return original(request);
    };
    await loadWhole(store);
    // Each answer takes 300 ms: the first page at 300 (shown), no unread at 600, older pages at 900
    // (shown), 1,200, 1,500 (shown) and the last at 1,800.
    expect(updates).toEqual([100, 600, 1_600, 2_050]);
  });

  it('asks for each page after the first only once the page is idle', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = history(700);
    const idle: (() => void)[] = [];
    const store = createConversationsStore(bridge, () => 0, () => new Promise<void>((resolve) => idle.push(resolve)));
    await store.getState().load();
    await settle();
    // The unread conversations are not paced: they are asked for at once.
    expect(pagesAsked(bridge)).toEqual([{ limit: 100 }, UNREAD]);
    idle.shift()?.();
    await settle();
    expect(pagesAsked(bridge)).toEqual([{ limit: 100 }, UNREAD, { limit: 500, after_id: 601 }]);
    expect(store.getState().complete).toBe(false);
    idle.shift()?.();
    await settle();
    expect(store.getState().complete).toBe(true);
    expect(Object.keys(store.getState().byId)).toHaveLength(700);
  });

  it('keeps what live events brought while it pages: a later page (asked for earlier) does not undo it', async () => {
    const { release, store } = await firstPageThroughGate(history(700));
    // Conversation 5 (in a page not yet in) gets a message, and conversation 7 is erased.
    store.getState().applyMany([
      { type: 'new_message', seq: 11, conversation_id: 5, message: { id: 99, conversation_id: 5, wamid: 'wamid.X', direction: 'in', type: 'text', text: 'news', timestamp: '2026-11-30T10:00:00.000Z', status: 'delivered', reply_to: null, content: {}, reactions: [], edited_at: null, revoked: false }, conversation: conversation({ id: 5, name: 'Customer 5', preview: 'news', unread_count: 3, last_message_at: '2026-11-30T10:00:00.000Z' }) },
      { type: 'conversation_removed', seq: 12, conversation_id: 7, reason: 'erased' },
    ]);
    await release();
    await release();
    await release();
    const { byId, complete } = store.getState();
    expect(complete).toBe(true);
    expect(byId[5]).toMatchObject({ preview: 'news', unread_count: 3 });
    expect(byId[7]).toBeUndefined();
    expect(Object.keys(byId)).toHaveLength(699);
  });

  it('brings every unread conversation right after the first page, however old, before the rest', async () => {
    const bridge = new FakeBridge();
    // Unread: two in the first page, and three far back (ids 3, 250 and 400 of 700).
    bridge.conversations = history(700).map((c) => ([3, 250, 400, 650, 690].includes(c.id) ? { ...c, unread_count: 2 } : c));
    // Older pages wait for an idle moment that does not come.
    const store = createConversationsStore(bridge, () => 0, () => new Promise<void>(() => undefined));
    const loaded = store.getState().load();
    await loaded;
    await settle();
    const { byId, complete } = store.getState();
    expect(complete).toBe(false);
    expect(Object.keys(byId)).toHaveLength(103);
    expect([3, 250, 400].map((id) => byId[id]?.unread_count)).toEqual([2, 2, 2]);
    // What the title and the Unread filter count: every unread message.
    expect(Object.values(byId).reduce((sum, c) => sum + c.unread_count, 0)).toBe(10);
  });

  it('asks for a second page of unread conversations only at an idle moment (or when the agent filters)', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = history(1_300).map((c) => (c.id % 2 === 0 ? { ...c, unread_count: 1 } : c));
    const idle: (() => void)[] = [];
    const store = createConversationsStore(bridge, () => 0, () => new Promise<void>((resolve) => idle.push(resolve)));
    await store.getState().load();
    await settle();
    expect(pagesAsked(bridge)).toEqual([{ limit: 100 }, UNREAD]);
    // The first 500 unread show while the next page waits.
    expect(Object.values(store.getState().byId).filter((c) => c.unread_count > 0)).toHaveLength(500);
    idle.shift()?.();
    await settle();
    expect(pagesAsked(bridge).at(-1)).toEqual({ ...UNREAD, after_id: 302 });
    // 650 unread in all: with the second page they are all in, the older ones still to come.
    expect(Object.values(store.getState().byId).filter((c) => c.unread_count > 0)).toHaveLength(650);
    expect(store.getState().complete).toBe(false);
  });

  it('shows a tick that moved while a conversation’s page was on its way, and keeps a newer page’s own', async () => {
    const { bridge, release, store } = await firstPageThroughGate(history(800));
    // No unread conversations; the next page (conversations 700 to 201) is asked for and on its way.
    await release();
    // Meanwhile the newest messages of 650 (in that page) and of 6 (in the next) are read and delivered.
    store.getState().applyMany([
      { type: 'status_update', seq: 11, conversation_id: 650, message_id: 10_650, status: 'read', wamid: 'wamid.650' },
      { type: 'status_update', seq: 12, conversation_id: 6, message_id: 10_006, status: 'delivered', wamid: 'wamid.6' },
    ]);
    // By the time 6's page is asked for, its message was read too: that page is newer than the tick.
    bridge.conversations = bridge.conversations.map((c) => (c.id === 6 ? { ...c, last_message: { id: 10_006, direction: 'out', status: 'read' } } : c));
    await release();
    await release();
    const { byId, complete } = store.getState();
    expect(complete).toBe(true);
    expect(byId[650]?.last_message?.status).toBe('read');
    expect(byId[6]?.last_message?.status).toBe('read');
    expect(byId[7]?.last_message?.status).toBe('sent');
  });

  it('brings the older pages at once, not at idle moments, when the agent filters by name or number', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = history(1_200);
    // Idle moments that never come: only hurrying brings the older pages.
    const store = createConversationsStore(bridge, () => 0, () => new Promise<void>(() => undefined));
    await store.getState().load();
    await settle();
    expect(store.getState().complete).toBe(false);
    store.getState().setFilter({ view: 'unread' });
    await settle();
    // The unread conversations are all in already: that filter needs nothing more.
    expect(pagesAsked(bridge)).toEqual([{ limit: 100 }, UNREAD]);
    store.getState().setFilter({ view: 'all', query: 'Customer 7' });
    await settle();
    expect(store.getState().complete).toBe(true);
    expect(Object.keys(store.getState().byId)).toHaveLength(1_200);
  });

  it('reloads after a resync: conversations the gateway no longer has go, the rest are as the pages say', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = history(300);
    const store = createConversationsStore(bridge, () => 0, atOnce);
    await loadWhole(store);
    // While events were lost: 10 conversations were erased, and 1 was read elsewhere.
    bridge.conversations = history(300)
      .filter((c) => c.id > 10)
      .map((c) => (c.id === 200 ? { ...c, unread_count: 0 } : c));
    await loadWhole(store);
    const { byId } = store.getState();
    expect(Object.keys(byId)).toHaveLength(290);
    expect(byId[3]).toBeUndefined();
    expect(byId[200]?.unread_count).toBe(0);
  });

  it('starts over when the conversation it pages after is erased meanwhile, and ends with the whole list once', async () => {
    const { bridge, release, store } = await firstPageThroughGate(history(250));
    // The first page's last conversation (151) is erased before the next page is asked for.
    bridge.conversations = bridge.conversations.filter((c) => c.id !== 151);
    store.getState().apply({ type: 'conversation_removed', seq: 11, conversation_id: 151, reason: 'erased' });
    await release();
    await release();
    await release();
    expect(pagesAsked(bridge)).toEqual([{ limit: 100 }, UNREAD, { limit: 500, after_id: 151 }, { limit: 500 }]);
    expect(store.getState().complete).toBe(true);
    expect(Object.keys(store.getState().byId)).toHaveLength(249);
  });

  it('keeps the pages it has when a later one fails, says so, and completes when loaded again', async () => {
    const bridge = new FakeBridge();
    bridge.conversations = history(300);
    const store = createConversationsStore(bridge, () => 0, atOnce);
    bridge.listResults = [{ ok: true, value: history(300).slice(0, 100) }, { ok: false, error: { code: 'internal', message: 'gateway unreachable' } }];
    await loadWhole(store);
    expect(store.getState()).toMatchObject({ loaded: true, complete: false, error: 'Could not load older conversations: gateway unreachable' });
    expect(Object.keys(store.getState().byId)).toHaveLength(100);
    await loadWhole(store);
    expect(store.getState()).toMatchObject({ complete: true, error: null });
    expect(Object.keys(store.getState().byId)).toHaveLength(300);
  });

  it('says why when the first page fails, with nothing shown', async () => {
    const bridge = new FakeBridge();
    bridge.listResults = [{ ok: false, error: { code: 'unauthorized', message: 'the gateway refused the token' } }];
    const store = createConversationsStore(bridge, () => 0, atOnce);
    await store.getState().load();
    expect(store.getState()).toMatchObject({ loaded: false, complete: false, error: 'the gateway refused the token', byId: {} });
  });
});
