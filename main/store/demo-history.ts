import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { mediaFilePath } from './media-files';
import { MEDIA_DEADLINE_MS, SEARCH_KEY_LOW_BITS, searchBody, searchKeyBase } from './migrations';

/** How big a demo history to build, and the randomness and clock it is built with. */
export type DemoHistoryOptions = {
  conversations: number;
  messages: number;
  random: () => number;
  nowMs: number;
  phoneNumberIds: string[];
  /** Real files for the demo's media messages: each kind's sample, copied into the data dir's archive. */
  media?: { from: string; into: string; samples: Record<'image' | 'audio' | 'document' | 'video' | 'sticker', DemoSample> };
};

/** A sample file standing in for every demo message of one kind. */
export type DemoSample = { id: string; file: string; mimeType: string; size: number; sha256: string };

/** What was built. */
export type DemoHistorySummary = { conversations: number; messages: number; seconds: number };

/** The demo history goes only into a database with no messages: it must never mix with real ones. */
export class HistoryNotEmptyError extends Error {}

const DAY_MS = 24 * 60 * 60 * 1000;
const SPAN_MS = 3 * 365 * DAY_MS;

// Customers and what they write, in the languages and scripts an inbox sees: accents, RTL, CJK
// without spaces, Devanagari, Cyrillic, emoji, order ids and phone numbers inside the text.
const NAMES = [
  'Lucía Gómez', 'João Pereira', 'Zoë Müller', 'Søren Ødegård', 'Ana São Paulo', 'François Lefèvre', 'محمد العلي', 'فاطمة الزهراء',
  '王小明', '李娜', '佐藤 花子', '山田太郎', 'प्रिया शर्मा', 'Дмитрий Иванов', 'Ольга Смирнова', 'Chidi Okafor', 'Nguyễn Văn An', 'Mary O’Brien',
];
const LINES = [
  'Hola, ¿tenéis envío a Canarias? Mi pedido es #{order}',
  '¿Cuándo llega mi pedido {order}? Lo necesito antes del viernes 🙏',
  'Olá! Comprei ontem em São Paulo e ainda não recebi o código de rastreio {order}',
  'Bonjour, je voudrais échanger la taille de ma commande {order}, merci 😊',
  'Guten Tag, die Lieferung an die Heinestraße 12 ist beschädigt angekommen',
  'مرحبا، أريد تتبع طلبي رقم {order} من فضلكم',
  '你好，我的订单{order}什么时候发货？谢谢',
  '请问可以开发票吗？订单号{order}',
  'こんにちは、注文{order}の配送状況を教えてください',
  'नमस्ते, मेरा ऑर्डर {order} अभी तक नहीं आया है',
  'Здравствуйте, можно изменить адрес доставки для заказа {order}?',
  'Hi! My number changed, please call me at +{phone} about order {order}',
  'The seed packets arrived but one is missing 🌱🌱',
  'Thanks so much, received it today! ⭐⭐⭐⭐⭐',
  'Can I pay by bank transfer? Invoice {order}',
  'ok', 'gracias!', '👍', 'obrigado 🙌', 'merci', 'спасибо', '谢谢', '?',
];
const REPLIES = [
  'Hola {name}, tu pedido {order} sale hoy por la tarde 🚚',
  'Olá {name}! O código de rastreio do pedido {order} é BR{phone}',
  'Bonjour {name}, nous avons bien reçu votre demande d’échange pour {order}.',
  'Hi {name}, sorry about that! We are sending a replacement for order {order} today.',
  'مرحبا {name}، تم شحن طلبك {order}',
  '您好{name}，订单{order}已经发货了',
  '{name}様、ご注文{order}は明日お届け予定です',
  'Здравствуйте, {name}! Адрес для заказа {order} изменён.',
  'You’re welcome! 😊',
];
const MEDIA = [
  { type: 'image', weight: 8, mime: 'image/jpeg', caption: ['Foto del paquete roto', 'receipt', ' fatura do pedido', ''] },
  { type: 'audio', weight: 4, mime: 'audio/ogg; codecs=opus', voice: true },
  { type: 'document', weight: 3, mime: 'application/pdf', filename: ['factura-{order}.pdf', 'nota_fiscal_{order}.pdf', 'invoice {order}.pdf'] },
  { type: 'video', weight: 2, mime: 'video/mp4', caption: ['unboxing', 'así llegó la caja', ''] },
  { type: 'sticker', weight: 1, mime: 'image/webp' },
  { type: 'location', weight: 1 },
] as const;
const STATUSES = [
  ['read', 70],
  ['delivered', 18],
  ['sent', 6],
  ['failed', 4],
  ['pending', 2],
] as const;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function weighted<T extends readonly [string, number]>(items: readonly T[], random: () => number): T[0] {
  const total = items.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of items) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return items[0]?.[0] ?? '';
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_match, key: string) => values[key] ?? '');
}

// Every demo message with a file shows a real one: its kind's sample, archived as a download would
// have left it (the files are kept by hash, so once each).
function archiveDemoMedia(db: Database, media: NonNullable<DemoHistoryOptions['media']>): void {
  const archive = db.prepare<[string, string, string, number, string]>(
    `INSERT INTO media_files (message_id, media_id, phone_number_id, kind, expected_sha256, state, attempts, next_attempt_at, deadline_at, sha256, mime_type, size)
     SELECT m.id, ?, c.phone_number_id, m.type, NULL, 'stored', 1, 0, m.received_at + ${MEDIA_DEADLINE_MS}, ?, ?, ?
     FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.type = ?`,
  );
  const setMediaId = db.prepare<[string, string, string]>("UPDATE messages SET content_json = json_set(content_json, '$.media.id', ?, '$.media.mime_type', ?) WHERE type = ?");
  db.transaction(() => {
    for (const [type, sample] of Object.entries(media.samples)) {
      setMediaId.run(sample.id, sample.mimeType, type);
      archive.run(sample.id, sample.sha256, sample.mimeType, sample.size, type);
      const target = mediaFilePath(media.into, sample.sha256);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(path.join(media.from, sample.file), target);
    }
  })();
}

/**
 * Builds a demo history straight into the tables (no events, no webhook log): `conversations`
 * customers on the given business numbers, `messages` messages over three years, long threads and
 * short ones, several languages and scripts, a media mix, outgoing statuses, edits and failures.
 * For trying the inbox at scale and for `npm run bench -- history`; never into a database that
 * already holds messages.
 */
export function seedDemoHistory(db: Database, options: DemoHistoryOptions): DemoHistorySummary {
  const started = performance.now();
  const existing = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
  if (existing > 0) throw new HistoryNotEmptyError(`the database already holds ${existing} messages: seed-demo only fills an empty one (use another --data dir)`);
  const { random, nowMs } = options;
  const insertConversation = db.prepare<[string, string, string, string]>(
    'INSERT INTO conversations (phone_number_id, customer_key, wa_id, name) VALUES (?, ?, ?, ?)',
  );
  const insertMessage = db.prepare<[number, string, string, string, string, number, string, string | null, string, string | null, number, number | null, number]>(
    `INSERT INTO messages (conversation_id, wamid, direction, type, text, timestamp, status, error_json, content_json, raw_json, received_at, edited_at, search_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Search keys as MessageRepo gives them: Meta's second, then a free slot in it.
  const usedKeys = new Set<number>();
  const searchKey = (timestampMs: number, serial: number): number => {
    let key = searchKeyBase(timestampMs) + (serial % 2 ** SEARCH_KEY_LOW_BITS);
    while (usedKeys.has(key)) key += 1;
    usedKeys.add(key);
    return key;
  };
  const conversationIds: number[] = [];
  db.transaction(() => {
    for (let n = 0; n < options.conversations; n += 1) {
      const waId = `${pick(['34', '55', '33', '49', '966', '86', '81', '91', '7', '234', '1'], random)}${String(Math.floor(random() * 1e9)).padStart(9, '0')}${n}`;
      const id = insertConversation.run(options.phoneNumberIds[n % options.phoneNumberIds.length] ?? '', waId, waId, pick(NAMES, random)).lastInsertRowid;
      conversationIds.push(Number(id));
    }
  })();
  // A few long threads and many short ones (a customer who writes every week, and one-offs).
  const weights = conversationIds.map(() => 1 / (1 + random() * 40) ** 1.6);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const counts = weights.map((weight) => Math.max(1, Math.round((weight / total) * options.messages)));
  let surplus = counts.reduce((sum, count) => sum + count, 0) - options.messages;
  for (let index = 0; surplus !== 0; index = (index + 1) % counts.length) {
    const count = counts[index] ?? 1;
    if (surplus > 0 && count > 1) {
      counts[index] = count - 1;
      surplus -= 1;
    } else if (surplus < 0) {
      counts[index] = count + 1;
      surplus += 1;
    }
  }
  let serial = 0;
  const write = db.transaction((conversationIndex: number) => {
    const conversationId = conversationIds[conversationIndex] ?? 0;
    const count = counts[conversationIndex] ?? 0;
    const name = NAMES[conversationIndex % NAMES.length] ?? '';
    let at = nowMs - SPAN_MS + Math.floor(random() * DAY_MS * 30);
    const step = (SPAN_MS - DAY_MS * 31) / Math.max(1, count);
    for (let n = 0; n < count; n += 1) {
      at += Math.floor(step * (0.2 + random() * 1.6));
      serial += 1;
      const order = `${pick(['A', 'BR', 'PT', 'CN', 'JP'], random)}${10000 + Math.floor(random() * 89999)}`;
      const phone = `${Math.floor(random() * 1e10)}`;
      const inbound = random() < 0.55;
      const roll = random() * 100;
      let acc = 0;
      const media = MEDIA.find((kind) => (acc += kind.weight) > roll);
      const values = { order, phone, name: name.split(' ')[0] ?? name };
      let type = 'text';
      let text = fill(pick(inbound ? LINES : REPLIES, random), values);
      let content: Record<string, unknown> = {};
      if (media) {
        type = media.type;
        if (media.type === 'location') {
          content = { location: { latitude: 40.4168 + random(), longitude: -3.7038 + random(), name: 'Puerta del Sol' } };
          text = '📍 Puerta del Sol';
        } else {
          const caption = 'caption' in media ? fill(pick(media.caption, random), values).trim() : '';
          const filename = 'filename' in media ? fill(pick(media.filename, random), values) : undefined;
          content = { media: { id: `media.${serial}`, mime_type: media.mime, ...(caption ? { caption } : {}), ...(filename ? { filename } : {}), ...('voice' in media ? { voice: true } : {}) } };
          text = caption || (media.type === 'document' ? `📄 ${filename ?? 'Document'}` : media.type === 'audio' ? '🎤 Voice message' : media.type === 'image' ? '📷 Photo' : media.type === 'video' ? '🎬 Video' : 'Sticker');
        }
      }
      if (random() < 0.08) text = `${text} ${text}`.slice(0, 600);
      const status = inbound ? 'delivered' : weighted(STATUSES, random);
      const error = status === 'failed' ? JSON.stringify({ code: 131026, title: 'Message undeliverable' }) : null;
      const raw = inbound ? JSON.stringify({ from: 'demo', id: `wamid.DEMO${serial}`, timestamp: String(Math.floor(at / 1000)), type }) : null;
      const edited = random() < 0.01 ? at + 60_000 : null;
      insertMessage.run(conversationId, `wamid.DEMO${serial}`, inbound ? 'in' : 'out', type, text, at, status, error, JSON.stringify(content), raw, at, edited, searchKey(at, serial));
    }
  });
  for (let index = 0; index < conversationIds.length; index += 1) write(index);
  // Each conversation's list entry as ingest would have left it: last message, preview, unread.
  db.exec(`
    UPDATE conversations SET
      last_message_at = (SELECT max(timestamp) FROM messages m WHERE m.conversation_id = conversations.id),
      last_inbound_at = (SELECT max(timestamp) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'in'),
      preview = coalesce((SELECT text FROM messages m WHERE m.conversation_id = conversations.id ORDER BY timestamp DESC, id DESC LIMIT 1), ''),
      unread_count = CASE WHEN id % 7 = 0 THEN 1 + id % 5 ELSE 0 END;
  `);
  if (options.media) archiveDemoMedia(db, options.media);
  // The whole history into the search index in one go (the indexer's batches would take longer).
  db.exec(`
    INSERT INTO message_search (rowid, body) SELECT search_key, ${searchBody('messages')} FROM messages WHERE id > (SELECT indexed_through FROM search_state);
    UPDATE search_state SET indexed_through = (SELECT max(id) FROM messages);
  `);
  return { conversations: conversationIds.length, messages: serial, seconds: (performance.now() - started) / 1000 };
}
