import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process';
import { api, postSignedWebhook, startTestGateway } from '../helpers/test-gateway';
import { inboundMedia, inboundText } from '../helpers/webhook-bodies';
import { mediaFilePath, mediaFolder } from '../../main/store/media-files';
import { SAMPLE_MEDIA, sampleSha256Base64 } from '../../main/whatsapp/sample-media';

const ANA = '34611122233';
const BEA = '34699988877';
const SECRET_TEXT = 'ZEBRAMARKER pedido de Ana';

function everyRowAsText(file: string): string {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = (db.pragma('table_list') as { name: string; type: string; schema: string }[]).filter((t) => t.schema === 'main' && (t.type === 'table' || t.type === 'shadow'));
    return tables
      .map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all(), (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('utf8') : value)))
      .join('\n');
  } finally {
    db.close();
  }
}

describe('switchboard erase (a customer’s privacy request)', () => {
  it('removes everything of the customer from every table and from the files, reports it, and keeps the others', async () => {
    const gateway = await startTestGateway();
    const { dataDir } = gateway.config;
    try {
      const now = String(Math.floor(Date.now() / 1000));
      expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.ANA1', from: ANA, text: SECRET_TEXT, timestamp: now }))).status).toBe(200);
      expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.BEA1', from: BEA, text: 'pedido de Bea', timestamp: now }))).status).toBe(200);
      // Her files: a voice note only she sent, and a photo Bea sent too (kept once, by hash).
      const media = (wamid: string, from: string, name: 'voice' | 'photo') =>
        inboundMedia({ wamid, from, timestamp: now, type: SAMPLE_MEDIA[name].type, media: { id: SAMPLE_MEDIA[name].id, sha256: sampleSha256Base64(name) } });
      for (const body of [media('wamid.ANAVOICE', ANA, 'voice'), media('wamid.ANAPHOTO', ANA, 'photo'), media('wamid.BEAPHOTO', BEA, 'photo')]) {
        expect((await postSignedWebhook(gateway.url, body)).status).toBe(200);
      }
      await gateway.processed();
      await gateway.mediaSettled();
      expect(existsSync(mediaFilePath(mediaFolder(dataDir), SAMPLE_MEDIA.voice.sha256))).toBe(true);
      const ana = gateway.store.conversations.list().find((c) => c.wa_id === ANA);
      // A reply with its ticks, a reaction, an edit: everything that hangs off her messages.
      const sent = await api(gateway.url, `/api/conversations/${ana?.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Hola Ana ZEBRAMARKER' }) });
      expect(sent.status).toBe(201);
      const message = gateway.store.messages.findByWamid('wamid.ANA1');
      await api(gateway.url, `/api/messages/${message?.id}/reaction`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ emoji: '👍' }) });
      await postSignedWebhook(gateway.url, {
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '200300400500' }, messages: [{ from: ANA, id: 'wamid.ANAEDIT', timestamp: now, type: 'edit', edit: { original_message_id: 'wamid.ANA1', message: { type: 'text', text: { body: `${SECRET_TEXT}, corregido` } } } }] } }] }],
      });
      await gateway.processed();
      await gateway.indexed();
    } finally {
      await gateway.close();
    }
    const file = path.join(dataDir, 'switchboard.db');
    expect(everyRowAsText(file)).toContain('ZEBRAMARKER');

    const result = await runCli(['erase', '--wa-id', ANA, '--data', dataDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      new RegExp(`^erased ${ANA}: 1 conversations, 4 messages, \\d+ status history, 1 reactions, 0 early statuses, 1 message edits, 2 outbox, \\d+ events, [4-9] webhook deliveries, 2 media jobs, 1 media files\\n$`),
    );
    // Her voice note is gone; the photo Bea also sent stays, hers.
    expect(existsSync(mediaFilePath(mediaFolder(dataDir), SAMPLE_MEDIA.voice.sha256))).toBe(false);
    expect(existsSync(mediaFilePath(mediaFolder(dataDir), SAMPLE_MEDIA.photo.sha256))).toBe(true);

    const rows = everyRowAsText(file);
    for (const trace of ['ZEBRAMARKER', ANA, 'wamid.ANA1']) expect(rows, trace).not.toContain(trace);
    expect(rows).toContain('pedido de Bea');
    // Nor in the bytes of the files: freed pages are overwritten, the WAL emptied.
    for (const name of ['switchboard.db', 'switchboard.db-wal']) {
      const bytes = existsSync(path.join(dataDir, name)) ? readFileSync(path.join(dataDir, name)) : Buffer.alloc(0);
      expect(bytes.includes('ZEBRAMARKER'), name).toBe(false);
      expect(bytes.includes(ANA), name).toBe(false);
    }
    const db = new BetterSqlite3(file);
    db.prepare("INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 1)").run();
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells the clients of a gateway serving the same data dir at once: the conversation is gone', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await postSignedWebhook(gateway.url, inboundText({ wamid: 'wamid.LIVE', from: ANA, text: SECRET_TEXT }))).status).toBe(200);
      await gateway.processed();
      const ana = gateway.store.conversations.list().find((c) => c.wa_id === ANA);
      const head = gateway.store.events.head();
      const removed = new Promise<unknown>((resolve) => {
        gateway.bus.subscribe((event) => {
          if (event.type === 'conversation_removed') resolve(event);
        });
      });
      const result = await runCli(['erase', '--wa-id', ANA, '--data', gateway.config.dataDir]);
      expect(result.stderr).toBe('');
      expect(await removed).toMatchObject({ type: 'conversation_removed', conversation_id: ana?.id, reason: 'erased' });
      // And a client that resumes finds it in the log.
      const events = (await (await api(gateway.url, `/api/events?since=${head}`)).json()) as { events: { type: string }[] };
      expect(events.events.map((event) => event.type)).toContain('conversation_removed');
    } finally {
      await gateway.stop();
    }
  });

  it('waits for deliveries still being processed, which could bring the customer back', async () => {
    const gateway = await startTestGateway();
    const { dataDir } = gateway.config;
    await gateway.close();
    const db = new BetterSqlite3(path.join(dataDir, 'switchboard.db'));
    db.prepare("INSERT INTO webhook_log (received_at, signature, body, outcome, headers_json, detail) VALUES (1, 's', ?, 'received', '{}', '')").run(Buffer.from(JSON.stringify(inboundText({ wamid: 'wamid.P', from: ANA }))));
    db.close();
    const result = await runCli(['erase', '--wa-id', ANA, '--data', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('switchboard: 1 webhook deliveries are still being processed: erase again in a moment, once they are\n');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says in one line what is wrong with the request', async () => {
    const none = await runCli(['erase', '--data', '/nonexistent']);
    expect(none.stderr).toBe('switchboard: erase needs the customer: --wa-id <phone number id> or --user-id <business-scoped id>\n');
    const bad = await runCli(['erase', '--wa-id', 'ana', '--data', '/nonexistent']);
    expect(bad.stderr).toBe('switchboard: --wa-id must be the customer number, digits only (e.g. 34600111222)\n');
    const missing = await runCli(['erase', '--wa-id', '34600111222', '--data', '/nonexistent']);
    expect(missing.stderr).toBe('switchboard: there is no database at /nonexistent/switchboard.db\n');
  });
});
