import { describe, expect, it } from 'vitest';
import { operations, type SearchPage } from '../../../shared/contract';
import { Inbox } from '../../../main/services/inbox';
import { Search } from '../../../main/services/search';
import { SEARCH_SQL } from '../../../main/store/search-repo';
import { parseWebhook } from '../../../main/whatsapp/webhook-parser';
import { memoryStore } from '../../helpers/memory-store';

const BASE = 1_764_115_200;

type Mode = 'indexed' | 'not indexed yet';

function setup(mode: Mode = 'indexed') {
  const memory = memoryStore();
  const inbox = new Inbox(memory.store, memory.bus);
  const search = new Search(memory.store);
  let serial = 0;
  const deliver = (item: Record<string, unknown>, field: 'messages' | 'smb_message_echoes' = 'messages', phoneNumberId = '200300400500') => {
    const key = field === 'messages' ? 'messages' : 'message_echoes';
    const body = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field, value: { metadata: { phone_number_id: phoneNumberId }, contacts: [{ profile: { name: 'Lucía' }, wa_id: String(item.from ?? item.to) }], [key]: [item] } }] }] };
    const arrival = 1_800_000_000_000 + serial;
    inbox.ingest({ delivery: { body: Buffer.from(JSON.stringify(body)), signature: 's', headers: {}, receivedAtMs: arrival }, parsed: parseWebhook(body, arrival) });
  };
  // A text from a customer, at BASE + seconds.
  const text = (wamid: string, body: string, seconds: number, from = '34600111222', phoneNumberId?: string) => {
    serial += 1;
    deliver({ from, id: wamid, timestamp: String(BASE + seconds), type: 'text', text: { body } }, 'messages', phoneNumberId);
  };
  const find = (request: Record<string, unknown>): SearchPage => {
    // Both ways a message can be found: through the index, or checked directly before the
    // indexer's next batch.
    if (mode === 'indexed') memory.store.search.indexBatch(1_000_000);
    const result = search.searchMessages(operations.searchMessages.request.parse(request));
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  const wamids = (page: SearchPage) => page.hits.map((hit) => hit.message.wamid);
  return { ...memory, inbox, deliver, text, find, wamids, nextSerial: () => (serial += 1) };
}

describe.each<Mode>(['indexed', 'not indexed yet'])('search, %s', (mode) => {
  describe('search finds anything in history', () => {
    it('folds accents and case on both sides: "sao paulo" finds "São Paulo", and "SÃO" finds "sao"', () => {
      const { text, find, wamids } = setup(mode);
      text('wamid.A', 'Moro em São Paulo, capital', 1);
      text('wamid.B', 'enviado desde sao paulo', 2);
      expect(wamids(find({ q: 'sao paulo' }))).toEqual(['wamid.B', 'wamid.A']);
      expect(wamids(find({ q: 'SÃO PAULO' }))).toEqual(['wamid.B', 'wamid.A']);
    });

    it('matches prefixes and the middle of words ("eed" finds "seed", "pedi" finds "pedido")', () => {
      const { text, find, wamids } = setup(mode);
      text('wamid.S', 'The seed packets arrived', 1);
      text('wamid.P', 'Mi pedido no llegó', 2);
      expect(wamids(find({ q: 'eed' }))).toEqual(['wamid.S']);
      expect(wamids(find({ q: 'pedi' }))).toEqual(['wamid.P']);
    });

    it('finds CJK text without spaces, two-character words included', () => {
      const { text, find, wamids } = setup(mode);
      text('wamid.C', '你好，我的订单什么时候发货？谢谢', 1);
      text('wamid.J', 'こんにちは、注文の配送状況を教えてください', 2);
      expect(wamids(find({ q: '什么时候' }))).toEqual(['wamid.C']);
      expect(wamids(find({ q: '订单' }))).toEqual(['wamid.C']);
      expect(wamids(find({ q: '配送状況' }))).toEqual(['wamid.J']);
    });

    it('finds order ids and phone numbers by any fragment', () => {
      const { text, find, wamids } = setup(mode);
      text('wamid.O', 'Where is order BR-48213-X?', 1);
      text('wamid.N', 'call me at +34 600 111 222 or 600111222', 2);
      expect(wamids(find({ q: '4821' }))).toEqual(['wamid.O']);
      expect(wamids(find({ q: 'br-48213' }))).toEqual(['wamid.O']);
      expect(wamids(find({ q: '0111' }))).toEqual(['wamid.N']);
    });

    it('requires every term, and checks one- and two-character terms on the candidates', () => {
      const { text, find, wamids } = setup(mode);
      text('wamid.1', 'pedido ok', 1);
      text('wamid.2', 'pedido pendiente', 2);
      text('wamid.3', 'ok gracias', 3);
      expect(wamids(find({ q: 'pedido ok' }))).toEqual(['wamid.1']);
      expect(wamids(find({ q: 'ok' }))).toEqual(['wamid.3', 'wamid.1']);
    });

    it('finds captions and document file names', () => {
      const { deliver, find, wamids, nextSerial } = setup(mode);
      nextSerial();
      deliver({ from: '34600111222', id: 'wamid.DOC', timestamp: String(BASE + 1), type: 'document', document: { id: 'm1', filename: 'factura-2291.pdf', mime_type: 'application/pdf' } });
      deliver({ from: '34600111222', id: 'wamid.IMG', timestamp: String(BASE + 2), type: 'image', image: { id: 'm2', caption: 'la caja llegó rota', mime_type: 'image/jpeg' } });
      expect(wamids(find({ q: 'factura-2291' }))).toEqual(['wamid.DOC']);
      expect(wamids(find({ q: 'caja rota' }))).toEqual(['wamid.IMG']);
    });

    it('marks the matches in a snippet of the text as shown, accents and emoji intact', () => {
      const { text, find } = setup(mode);
      text('wamid.H', `${'x'.repeat(300)} Entrega em São Paulo amanhã 🚚 ${'y'.repeat(300)}`, 1);
      const [hit] = find({ q: 'sao paulo' }).hits;
      const snippet = hit?.snippet;
      expect(snippet?.text.startsWith('…')).toBe(true);
      expect(snippet?.text.endsWith('…')).toBe(true);
      expect(snippet?.highlights).toHaveLength(2);
      expect(snippet?.highlights.map(([from, to]) => snippet.text.slice(from, to))).toEqual(['São', 'Paulo']);
    });
  });

  describe('results newest first, with no cap', () => {
    it('orders by Meta’s time, not arrival: a late, older message sorts below newer ones', () => {
      const { text, find, wamids } = setup(mode);
      text('wamid.NEW', 'pedido nuevo', 500);
      text('wamid.MID', 'pedido medio', 300);
      text('wamid.OLD', 'pedido antiguo', 100);
      expect(wamids(find({ q: 'pedido' }))).toEqual(['wamid.NEW', 'wamid.MID', 'wamid.OLD']);
    });

    it('pages through 250 matches with cursors, each once, in order, and ends with null', () => {
      const { text, find } = setup(mode);
      for (let n = 0; n < 250; n += 1) text(`wamid.M${n}`, `mensaje del pedido ${n}`, n);
      text('wamid.OTHER', 'nada que ver', 251);
      const seen: string[] = [];
      let page = find({ q: 'pedido', limit: 100 });
      seen.push(...page.hits.map((hit) => hit.message.wamid ?? ''));
      while (page.next_before) {
        page = find({ q: 'pedido', limit: 100, before: page.next_before });
        seen.push(...page.hits.map((hit) => hit.message.wamid ?? ''));
      }
      expect(seen).toEqual(Array.from({ length: 250 }, (_, n) => `wamid.M${249 - n}`));
    });

    it('keeps many messages of one second apart and in arrival order', () => {
      const { text, find, wamids } = setup(mode);
      for (let n = 0; n < 5; n += 1) text(`wamid.SAME${n}`, 'misma hora', 42);
      expect(wamids(find({ q: 'misma' }))).toEqual(['wamid.SAME4', 'wamid.SAME3', 'wamid.SAME2', 'wamid.SAME1', 'wamid.SAME0']);
    });
  });

  describe('filters', () => {
    it('narrows by conversation, business number, direction, unread, media kind and date range', () => {
      const { text, deliver, find, wamids, store, nextSerial } = setup(mode);
      text('wamid.ANA', 'hola pedido', 10, '34600000001');
      text('wamid.BEA', 'hola pedido', 20, '34600000002', '999888777');
      nextSerial();
      deliver({ from: '15550001111', to: '34600000001', id: 'wamid.ECHO', timestamp: String(BASE + 30), type: 'text', text: { body: 'hola pedido enviado' } }, 'smb_message_echoes');
      deliver({ from: '34600000001', id: 'wamid.PHOTO', timestamp: String(BASE + 40), type: 'image', image: { id: 'i', caption: 'hola foto del pedido' } });
      text('wamid.LINK', 'hola pedido https://example.com/p/1', 50, '34600000001');
      const ana = store.conversations.list().find((c) => c.wa_id === '34600000001');
      expect(wamids(find({ q: 'pedido', conversation_id: ana?.id }))).toEqual(['wamid.LINK', 'wamid.PHOTO', 'wamid.ECHO', 'wamid.ANA']);
      expect(wamids(find({ q: 'pedido', phone_number_id: '999888777' }))).toEqual(['wamid.BEA']);
      expect(wamids(find({ q: 'pedido', direction: 'out' }))).toEqual(['wamid.ECHO']);
      expect(wamids(find({ q: 'pedido', media: 'photo' }))).toEqual(['wamid.PHOTO']);
      expect(wamids(find({ q: 'pedido', media: 'link' }))).toEqual(['wamid.LINK']);
      const at = (seconds: number) => new Date((BASE + seconds) * 1000).toISOString();
      expect(wamids(find({ q: 'pedido', from: at(20), to: at(41) }))).toEqual(['wamid.PHOTO', 'wamid.ECHO', 'wamid.BEA']);
      store.conversations.markRead(ana?.id ?? 0);
      expect(wamids(find({ q: 'pedido', unread: 'true' }))).toEqual(['wamid.BEA']);
    });
  });

  describe('the index in step with every write', () => {
    it('follows edits and deletions in the same transaction', () => {
      const { text, deliver, find, wamids, store } = setup(mode);
      text('wamid.E', 'texto original', 1);
      deliver({ from: '34600111222', id: 'wamid.EDIT', timestamp: String(BASE + 5), type: 'edit', edit: { original_message_id: 'wamid.E', message: { type: 'text', text: { body: 'texto corregido' } } } });
      expect(wamids(find({ q: 'original' }))).toEqual([]);
      expect(wamids(find({ q: 'corregido' }))).toEqual(['wamid.E']);
      deliver({ from: '34600111222', id: 'wamid.REV', timestamp: String(BASE + 9), type: 'revoke', revoke: { original_message_id: 'wamid.E' } });
      expect(wamids(find({ q: 'corregido' }))).toEqual([]);
      store.db.prepare("INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 1)").run();
    });

    it('uses the index for every query shape (a lost index fails here, not for a user)', () => {
      const { store } = setup(mode);
      const plan = (sql: string) =>
        (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1)) as { detail: string }[])
          .map((row) => row.detail)
          .join(' | ');
      expect(plan(SEARCH_SQL.match)).toMatch(/SCAN message_search VIRTUAL TABLE INDEX/);
      expect(plan(SEARCH_SQL.scanTexts)).toMatch(/SEARCH messages USING INDEX messages_by_search_key/);
      // The range starts at the cursor, not at the conversation's newest message.
      expect(plan(SEARCH_SQL.scanInConversation)).toMatch(/SEARCH messages USING INDEX messages_by_conversation \(conversation_id=\? AND timestamp>\? AND timestamp<\?\)/);
      expect(plan(SEARCH_SQL.tail)).toMatch(/SEARCH messages USING INTEGER PRIMARY KEY/);
      // Results come in index order: nothing is sorted per query, except the few unindexed messages.
      for (const sql of [SEARCH_SQL.match, SEARCH_SQL.scanTexts, SEARCH_SQL.scanInConversation]) expect(plan(sql)).not.toMatch(/TEMP B-TREE|SCAN messages\b/);
    });
  });
});

describe('search inside one conversation', () => {
  it('pages through a long thread with thread cursors, each match once, in the thread’s order', () => {
    const { text, find, store } = setup('indexed');
    for (let n = 0; n < 120; n += 1) text(`wamid.T${n}`, n % 2 === 0 ? `pedido ${n}` : `otra cosa ${n}`, n, '34600000009');
    text('wamid.ELSEWHERE', 'pedido de otro cliente', 500, '34600000010');
    const [conversation] = store.conversations.list().filter((c) => c.wa_id === '34600000009');
    const seen: string[] = [];
    let page = find({ q: 'pedido', conversation_id: conversation?.id, limit: 25 });
    seen.push(...page.hits.map((hit) => hit.message.wamid ?? ''));
    while (page.next_before) {
      expect(page.next_before).toMatch(/^\d+_\d+$/);
      page = find({ q: 'pedido', conversation_id: conversation?.id, limit: 25, before: page.next_before });
      seen.push(...page.hits.map((hit) => hit.message.wamid ?? ''));
    }
    expect(seen).toEqual(Array.from({ length: 60 }, (_, n) => `wamid.T${118 - 2 * n}`));
  });

  it('refuses a cursor of the other kind', () => {
    const { text, store } = setup('indexed');
    text('wamid.X', 'pedido', 1);
    const search = new Search(store);
    const [conversation] = store.conversations.list();
    expect(search.searchMessages(operations.searchMessages.request.parse({ q: 'pedido', conversation_id: conversation?.id, before: '12345' }))).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: 'before: not a cursor of a search inside a conversation' },
    });
    expect(search.searchMessages(operations.searchMessages.request.parse({ q: 'pedido', before: '1_2' }))).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: 'before: not a cursor of a search across conversations' },
    });
  });
});

describe('search keys', () => {
  it('takes the next slot of the second when one is already taken, instead of failing the message', () => {
    const { text, store, find, wamids } = setup('indexed');
    text('wamid.FIRST', 'pedido uno', 7);
    // Another message of the same second already holds the slot the next insert would take.
    const taken = (store.db.prepare("SELECT search_key FROM messages WHERE wamid = 'wamid.FIRST'").pluck().get() as number) + 1;
    store.db.prepare('UPDATE messages SET search_key = ? WHERE wamid = ?').run(taken, 'wamid.FIRST');
    text('wamid.SECOND', 'pedido dos', 7);
    expect(wamids(find({ q: 'pedido' }))).toEqual(expect.arrayContaining(['wamid.FIRST', 'wamid.SECOND']));
    expect(store.db.prepare('SELECT count(DISTINCT search_key) FROM messages').pluck().get()).toBe(2);
  });
});

describe('bad queries get clear errors', () => {
  it.each([
    [{ q: '   ' }, 'q: must not be empty'],
    [{ q: 'x'.repeat(201) }, 'q: must be at most 200 characters'],
    [{ q: 'a', before: 'abc' }, 'before: not a cursor from this gateway'],
    [{ q: 'a', media: 'gif' }, 'media'],
    [{ q: 'a', from: 'yesterday' }, 'from'],
    [{ q: 'a', limit: 500 }, 'limit'],
  ])('%j is refused', (request, message) => {
    const parsed = operations.searchMessages.request.safeParse(request);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(message.split(':')[0] ?? '');
  });
});
