import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaLink, Message, ServerEvent } from '../../../shared/contract';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DEFAULT_MEDIA_ARCHIVE, MediaArchive, sha256Hex } from '../../../main/services/media-archive';
import { mediaFilePath, mediaFolder } from '../../../main/store/media-files';
import { MEDIA_DEADLINE_MS } from '../../../main/store/migrations';
import type { MediaSource } from '../../../main/whatsapp/media-source';
import { memoryStore } from '../../helpers/memory-store';
import { parseRange } from '../../../main/gateway/media-route';
import { SAMPLE_MEDIA, sampleMediaFolder, sampleSha256Base64, type SampleName } from '../../../main/whatsapp/sample-media';
import { FAKE_FILES_PATH, startFakeGraph } from '../../helpers/fake-graph';
import { api, postSignedWebhook, startTestGateway } from '../../helpers/test-gateway';
import { inboundMedia } from '../../helpers/webhook-bodies';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
const running: { stop(): Promise<void> }[] = [];
const T0 = Date.parse('2026-11-02T09:00:00Z');

afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.stop()));
});

function sampleBytes(name: SampleName): Buffer {
  return readFileSync(path.join(sampleMediaFolder(), SAMPLE_MEDIA[name].file));
}

function sampleWebhook(wamid: string, name: SampleName, extra: { caption?: string; filename?: string; id?: string; sha256?: string } = {}): Record<string, unknown> {
  const sample = SAMPLE_MEDIA[name];
  return inboundMedia({
    wamid,
    type: sample.type,
    media: { id: extra.id ?? sample.id, sha256: extra.sha256 ?? sampleSha256Base64(name), mime_type: sample.mimeType, ...extra },
  });
}

async function deliver(gateway: Gateway, body: unknown): Promise<Message> {
  expect((await postSignedWebhook(gateway.url, body)).status).toBe(200);
  await gateway.processed();
  const wamid = (body as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }).entry[0]?.changes[0]?.value.messages[0]?.id ?? '';
  const message = gateway.store.messages.findByWamid(wamid);
  if (!message) throw new Error(`${wamid} was not stored`);
  return message;
}

async function sandbox(): Promise<Gateway> {
  const gateway = await startTestGateway({}, { mediaArchive: { backoffMs: 20, maxBackoffMs: 100 } });
  running.push(gateway);
  return gateway;
}

const LIVE = { WHATSAPP_ACCESS_TOKEN: 'EAAG-media-test', WHATSAPP_PHONE_NUMBER_ID: '200300400500' };

async function live(options: { backoffMs?: number } = {}): Promise<{ gateway: Gateway; graph: Awaited<ReturnType<typeof startFakeGraph>> }> {
  const graph = await startFakeGraph();
  const gateway = await startTestGateway({ ...LIVE, WHATSAPP_GRAPH_URL: graph.url }, { mediaArchive: { backoffMs: options.backoffMs ?? 20, maxBackoffMs: 200 } });
  running.push(gateway, { stop: () => graph.close() });
  return { gateway, graph };
}

/** What Meta's `GET /<media-id>` answers: a short-lived URL (on the fake), hex sha256, size as a string. */
function described(graphUrl: string, name: SampleName, file: string = name): { status: number; body: unknown } {
  const sample = SAMPLE_MEDIA[name];
  return {
    status: 200,
    body: { messaging_product: 'whatsapp', url: `${graphUrl}${FAKE_FILES_PATH}${file}`, mime_type: sample.mimeType, sha256: sample.sha256, file_size: String(sample.size), id: sample.id },
  };
}

function collect(gateway: Gateway): ServerEvent[] {
  const events: ServerEvent[] = [];
  gateway.bus.subscribe((event) => events.push(event));
  return events;
}

describe('sample media', () => {
  it('lists each file with the size and sha256 of the bytes shipped', () => {
    for (const name of Object.keys(SAMPLE_MEDIA) as SampleName[]) {
      const bytes = sampleBytes(name);
      expect(bytes.length).toBe(SAMPLE_MEDIA[name].size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(SAMPLE_MEDIA[name].sha256);
    }
  });
});

describe('sha256Hex', () => {
  it("accepts Meta's two encodings (base64 in webhooks, hex from the media endpoint) and refuses anything else", () => {
    const hex = SAMPLE_MEDIA.photo.sha256;
    expect(sha256Hex(sampleSha256Base64('photo'))).toBe(hex);
    expect(sha256Hex(hex.toUpperCase())).toBe(hex);
    expect(sha256Hex('not a hash')).toBeNull();
    expect(sha256Hex('')).toBeNull();
  });
});

describe('parseRange', () => {
  it('reads one bytes range, open-ended and suffix ranges, and refuses what cannot be met', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=9-3', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
  });
});

describe('the media archive, in the sandbox', () => {
  it('downloads every kind of sample through the real path, keeps it by hash and tells clients', async () => {
    const gateway = await sandbox();
    const events = collect(gateway);
    const photo = await deliver(gateway, sampleWebhook('wamid.PHOTO', 'photo', { caption: 'the label on the box' }));
    expect(photo.media_file).toMatchObject({ state: 'pending', attempts: 0 });
    const voice = await deliver(gateway, sampleWebhook('wamid.VOICE', 'voice'));
    const leaflet = await deliver(gateway, sampleWebhook('wamid.PDF', 'leaflet', { filename: 'order form.pdf' }));
    const clip = await deliver(gateway, sampleWebhook('wamid.CLIP', 'clip'));
    await gateway.mediaSettled();
    for (const [message, name] of [[photo, 'photo'], [voice, 'voice'], [leaflet, 'leaflet'], [clip, 'clip']] as const) {
      const stored = gateway.store.messages.get(message.id);
      expect(stored?.media_file).toEqual({ state: 'stored', attempts: 1, size: SAMPLE_MEDIA[name].size, mime_type: SAMPLE_MEDIA[name].mimeType, sha256: SAMPLE_MEDIA[name].sha256 });
      const file = mediaFilePath(mediaFolder(gateway.config.dataDir), SAMPLE_MEDIA[name].sha256);
      expect(readFileSync(file).equals(sampleBytes(name))).toBe(true);
      // Clients learn it without asking: a message_update with the stored state.
      expect(events.some((event) => event.type === 'message_update' && event.message.id === message.id && event.message.media_file?.state === 'stored')).toBe(true);
    }
    // The same file sent again is stored once.
    const again = await deliver(gateway, sampleWebhook('wamid.PHOTO2', 'photo'));
    await gateway.mediaSettled();
    expect(gateway.store.messages.get(again.id)?.media_file?.state).toBe('stored');
    const folder = path.join(mediaFolder(gateway.config.dataDir), SAMPLE_MEDIA.photo.sha256.slice(0, 2));
    expect(readdirSync(folder)).toEqual([SAMPLE_MEDIA.photo.sha256]);
  });

  it('serves a file to a token and to a signed link, with its type, ranges and caching, and refuses everyone else', async () => {
    const gateway = await sandbox();
    const photo = await deliver(gateway, sampleWebhook('wamid.PHOTO', 'photo'));
    const leaflet = await deliver(gateway, sampleWebhook('wamid.PDF', 'leaflet', { filename: 'pedido nº 7.pdf' }));
    await gateway.mediaSettled();
    const whole = await api(gateway.url, `/api/media/${photo.id}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/jpeg');
    expect(whole.headers.get('content-disposition')).toBe('inline');
    expect(whole.headers.get('etag')).toBe(`"${SAMPLE_MEDIA.photo.sha256}"`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(sampleBytes('photo'))).toBe(true);

    const part = await api(gateway.url, `/api/media/${photo.id}`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${SAMPLE_MEDIA.photo.size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(sampleBytes('photo').subarray(10, 20))).toBe(true);
    const beyond = await api(gateway.url, `/api/media/${photo.id}`, { headers: { range: `bytes=${SAMPLE_MEDIA.photo.size}-` } });
    expect(beyond.status).toBe(416);
    expect(await beyond.json()).toEqual({ error: { code: 'range_not_satisfiable', message: `the file has ${SAMPLE_MEDIA.photo.size} bytes` } });
    const cached = await api(gateway.url, `/api/media/${photo.id}`, { headers: { 'if-none-match': `"${SAMPLE_MEDIA.photo.sha256}"` } });
    expect(cached.status).toBe(304);

    // A document is never shown inline on our origin: it is a download, under its own name.
    const pdf = await api(gateway.url, `/api/media/${leaflet.id}`, { method: 'HEAD' });
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('pedido nº 7.pdf')}`);
    expect(pdf.headers.get('content-security-policy')).toContain('sandbox');

    const link = (await (await api(gateway.url, `/api/messages/${photo.id}/media-link`)).json()) as MediaLink;
    expect(link.media_file.state).toBe('stored');
    expect(Date.parse(link.expires_at)).toBeGreaterThan(Date.now());
    const viaLink = await fetch(`${gateway.url}${link.url}`);
    expect(viaLink.status).toBe(200);
    expect(Buffer.from(await viaLink.arrayBuffer()).equals(sampleBytes('photo'))).toBe(true);
    // A link opens only its own message, and only as signed.
    const otherMessage = await fetch(`${gateway.url}${link.url.replace(`/api/media/${photo.id}`, `/api/media/${leaflet.id}`)}`);
    expect(otherMessage.status).toBe(403);
    expect(((await otherMessage.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const forged = await fetch(`${gateway.url}${link.url.replace(/signature=[^&]+/, 'signature=AAAA')}`);
    expect(forged.status).toBe(403);
    const stale = new URL(link.url, gateway.url);
    stale.searchParams.set('expires', String(Date.now() - 1_000));
    expect((await fetch(stale)).status).toBe(403);
    const anonymous = await fetch(`${gateway.url}/api/media/${photo.id}`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await api(gateway.url, `/api/media/${photo.id}`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers what is not a stored file with the reason: no message, no file', async () => {
    const gateway = await sandbox();
    const missing = await api(gateway.url, '/api/media/999');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no message 999' } });
    const place = await deliver(gateway, inboundMedia({ wamid: 'wamid.LOC', type: 'location', media: { id: 'x' } }));
    expect(place.media_file).toBeUndefined();
    expect(await (await api(gateway.url, `/api/messages/${place.id}/media-link`)).json()).toEqual({ error: { code: 'not_found', message: `message ${place.id} has no file` } });
    expect((await api(gateway.url, `/api/media/${place.id}`)).status).toBe(404);
    const retry = await api(gateway.url, `/api/messages/${place.id}/media/retry`, { method: 'POST' });
    expect(await retry.json()).toEqual({ error: { code: 'not_found', message: `message ${place.id} has no file to download` } });
  });

  it('fails a file WhatsApp does not have with the reason on the message, and lets an agent try again', async () => {
    const gateway = await sandbox();
    const unknown = await deliver(gateway, sampleWebhook('wamid.GONE', 'photo', { id: 'no-such-media' }));
    await gateway.mediaSettled();
    const failed = gateway.store.messages.get(unknown.id)?.media_file;
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed?.error).toContain('WhatsApp no longer has this file');
    const link = await api(gateway.url, `/api/messages/${unknown.id}/media-link`);
    expect(link.status).toBe(502);
    expect(((await link.json()) as { error: { message: string } }).error.message).toContain('could not be downloaded: WhatsApp no longer has this file');

    const retried = await api(gateway.url, `/api/messages/${unknown.id}/media/retry`, { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as Message).media_file?.state).toBe('pending');
    await gateway.mediaSettled();
    expect(gateway.store.messages.get(unknown.id)?.media_file).toMatchObject({ state: 'failed', attempts: 2 });

    // Past Meta's 7 days, a retry cannot help and says so.
    gateway.store.db.prepare('UPDATE media_files SET deadline_at = ? WHERE message_id = ?').run(Date.now() - 1, unknown.id);
    const late = await api(gateway.url, `/api/messages/${unknown.id}/media/retry`, { method: 'POST' });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { message: string } }).error.message).toContain('no longer keeps the file');
  });

});

describe('the media archive, against the Graph API', () => {
  it("downloads in Meta's two steps with the bearer token, checking the webhook's base64 and the endpoint's hex sha256", async () => {
    const { gateway, graph } = await live();
    graph.answers.push(described(graph.url, 'voice'));
    graph.files.set('voice', { status: 200, body: sampleBytes('voice'), contentType: 'audio/ogg' });
    const voice = await deliver(gateway, sampleWebhook('wamid.VOICE', 'voice'));
    await gateway.mediaSettled();
    expect(gateway.store.messages.get(voice.id)?.media_file).toMatchObject({ state: 'stored', mime_type: SAMPLE_MEDIA.voice.mimeType, size: SAMPLE_MEDIA.voice.size });
    const [lookup, download] = graph.requests;
    expect(lookup?.path).toMatch(new RegExp(`^/v\\d+\\.\\d+/${SAMPLE_MEDIA.voice.id}\\?phone_number_id=200300400500$`));
    expect(lookup?.authorization).toBe('Bearer EAAG-media-test');
    expect(download?.path).toBe(`${FAKE_FILES_PATH}voice`);
    expect(download?.authorization).toBe('Bearer EAAG-media-test');
  });

  it('retries an outage and an expired URL with backoff, asking for a fresh URL each time, then stores the file', async () => {
    const { gateway, graph } = await live();
    graph.answers.push({ status: 500, body: { error: { code: 2, message: 'Service temporarily unavailable' } } });
    graph.answers.push(described(graph.url, 'photo', 'expired'));
    graph.answers.push(described(graph.url, 'photo'));
    graph.files.set('photo', { status: 200, body: sampleBytes('photo'), contentType: 'image/jpeg' });
    const photo = await deliver(gateway, sampleWebhook('wamid.PHOTO', 'photo'));
    const seen: string[] = [];
    gateway.bus.subscribe((event) => {
      if (event.type === 'message_update' && event.message.id === photo.id) seen.push(`${event.message.media_file?.state}:${event.message.media_file?.error ?? ''}`);
    });
    while (gateway.store.messages.get(photo.id)?.media_file?.state !== 'stored') await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gateway.store.messages.get(photo.id)?.media_file?.attempts).toBe(3);
    expect(seen[0]).toContain('pending:WhatsApp answered HTTP 500: Service temporarily unavailable');
    expect(seen[1]).toContain('pending:the download URL answered HTTP 404');
    expect(seen.at(-1)).toBe('stored:');
    expect(graph.requests.filter((request) => request.path.startsWith(`/v`)).length).toBe(3);
  });

  it('keeps retrying a refused token (it can be fixed) but fails an id Meta does not know at once', async () => {
    const { gateway, graph } = await live({ backoffMs: 60_000 });
    graph.answers.push({ status: 401, body: { error: { code: 190, message: 'Error validating access token' } } });
    const refused = await deliver(gateway, sampleWebhook('wamid.TOKEN', 'photo'));
    await gateway.mediaSettled();
    expect(gateway.store.messages.get(refused.id)?.media_file).toMatchObject({ state: 'pending', attempts: 1, error: 'WhatsApp refused the access token: Error validating access token' });
    graph.answers.push({ status: 400, body: { error: { code: 100, message: 'Unsupported get request. Object with ID does not exist' } } });
    const unknown = await deliver(gateway, sampleWebhook('wamid.UNKNOWN', 'leaflet'));
    await gateway.mediaSettled();
    expect(gateway.store.messages.get(unknown.id)?.media_file).toMatchObject({ state: 'failed', attempts: 1 });
    expect(gateway.store.messages.get(unknown.id)?.media_file?.error).toContain('Object with ID does not exist');
  });

  it('never keeps bytes that do not match the sha256, and fails after three mismatches', async () => {
    const { gateway, graph } = await live();
    for (let i = 0; i < 3; i += 1) graph.answers.push(described(graph.url, 'photo'));
    const corrupt = Buffer.from(sampleBytes('photo'));
    corrupt[100] = (corrupt[100] ?? 0) ^ 0xff;
    graph.files.set('photo', { status: 200, body: corrupt, contentType: 'image/jpeg' });
    const photo = await deliver(gateway, sampleWebhook('wamid.PHOTO', 'photo'));
    while (gateway.store.messages.get(photo.id)?.media_file?.state === 'pending') await new Promise((resolve) => setTimeout(resolve, 20));
    const state = gateway.store.messages.get(photo.id)?.media_file;
    expect(state).toMatchObject({ state: 'failed', attempts: 3 });
    expect(state?.error).toContain('do not match the sha256');
    expect(existsSync(mediaFilePath(mediaFolder(gateway.config.dataDir), SAMPLE_MEDIA.photo.sha256))).toBe(false);
    expect(readdirSync(path.join(mediaFolder(gateway.config.dataDir), '.incoming'))).toEqual([]);
  });

  it('refuses a file over its size limit, whether Meta declares it or the bytes run over', async () => {
    const { gateway, graph } = await live();
    graph.answers.push({ status: 200, body: { url: `${graph.url}${FAKE_FILES_PATH}big`, mime_type: 'image/jpeg', sha256: 'ab'.repeat(32), file_size: String(6 * 1024 * 1024) } });
    const declared = await deliver(gateway, inboundMedia({ wamid: 'wamid.BIG', type: 'image', media: { id: 'big' } }));
    await gateway.mediaSettled();
    expect(gateway.store.messages.get(declared.id)?.media_file).toMatchObject({ state: 'failed', error: "the file is 6.0 MB, over WhatsApp's 5.0 MB limit for image files" });
    // Declared too large: the bytes were never requested.
    expect(graph.requests.some((request) => request.path === `${FAKE_FILES_PATH}big`)).toBe(false);
    // A sticker that says nothing of its size but runs past 500 KB.
    graph.answers.push({ status: 200, body: { url: `${graph.url}${FAKE_FILES_PATH}huge`, mime_type: 'image/webp' } });
    graph.files.set('huge', { status: 200, body: Buffer.alloc(600 * 1024, 1), contentType: 'image/webp' });
    const sticker = await deliver(gateway, inboundMedia({ wamid: 'wamid.HUGE', type: 'sticker', media: { id: 'huge' } }));
    await gateway.mediaSettled();
    expect(gateway.store.messages.get(sticker.id)?.media_file).toMatchObject({ state: 'failed', error: "the file is over WhatsApp's 500 KB limit for sticker files" });
    expect(readdirSync(path.join(mediaFolder(gateway.config.dataDir), '.incoming'))).toEqual([]);
  });

  it('while a file is still being downloaded, a link is refused with the attempt, its reason and the next try', async () => {
    const { gateway, graph } = await live({ backoffMs: 60_000 });
    graph.answers.push({ status: 503, body: { error: { code: 2, message: 'Service temporarily unavailable' } } });
    const photo = await deliver(gateway, sampleWebhook('wamid.WAIT', 'photo'));
    await gateway.mediaSettled();
    const link = await api(gateway.url, `/api/messages/${photo.id}/media-link`);
    expect(link.status).toBe(409);
    const { message } = ((await link.json()) as { error: { message: string } }).error;
    expect(message).toMatch(/still being downloaded \(attempt 1 failed: WhatsApp answered HTTP 503: Service temporarily unavailable; next at \d{4}-/);
    // An agent need not wait for the backoff: "try again" makes it due now.
    graph.answers.push(described(graph.url, 'photo'));
    graph.files.set('photo', { status: 200, body: sampleBytes('photo'), contentType: 'image/jpeg' });
    expect((await api(gateway.url, `/api/messages/${photo.id}/media/retry`, { method: 'POST' })).status).toBe(200);
    while (gateway.store.messages.get(photo.id)?.media_file?.state !== 'stored') await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await api(gateway.url, `/api/messages/${photo.id}/media/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('survives a restart in the middle of a download: the job stays pending and completes on the next start', async () => {
    const graph = await startFakeGraph();
    running.push({ stop: () => graph.close() });
    graph.answers.push('hang');
    const first = await startTestGateway({ ...LIVE, WHATSAPP_GRAPH_URL: graph.url });
    const photo = await deliver(first, sampleWebhook('wamid.PHOTO', 'photo'));
    while (graph.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.close();
    graph.answers.push(described(graph.url, 'photo'));
    graph.files.set('photo', { status: 200, body: sampleBytes('photo'), contentType: 'image/jpeg' });
    const { bootGateway } = await import('../../../main/boot');
    const second = await bootGateway(first.config, { rendererDir: null, log: () => undefined });
    running.push({ stop: () => second.close() });
    await second.mediaSettled();
    expect(second.store.messages.get(photo.id)?.media_file).toMatchObject({ state: 'stored', sha256: SAMPLE_MEDIA.photo.sha256 });
  });
});

describe('the media archive, against the clock', () => {
  function storeWithPhoto(): { memory: ReturnType<typeof memoryStore>; messageId: number } {
    const memory = memoryStore();
    const { store } = memory;
    const messageId = store.transaction(() => {
      const { row } = store.conversations.resolve('200300400500', { waId: '34600111222', userId: null, name: 'Lucía' });
      const stored = store.messages.insert(
        {
          conversation_id: row.id,
          wamid: 'wamid.CLOCK',
          direction: 'in',
          type: 'image',
          text: '',
          timestamp: T0,
          status: 'delivered',
          reply_to: null,
          content: { media: { id: SAMPLE_MEDIA.photo.id, sha256: sampleSha256Base64('photo') } },
          error: undefined,
          raw: null,
        },
        T0,
      );
      return stored?.id ?? 0;
    });
    return { memory, messageId };
  }

  it("retries with doubling backoff, never past Meta's 7 days, and then fails with the reason", async () => {
    const { memory, messageId } = storeWithPhoto();
    let now = T0;
    const outage: MediaSource = { fetchMedia: () => Promise.resolve({ ok: false, permanent: false, reason: 'WhatsApp answered HTTP 503' }) };
    const folder = mkdtempSync(path.join(tmpdir(), 'switchboard-media-'));
    const archive = new MediaArchive(memory.store, memory.bus, outage, folder, () => undefined, { ...DEFAULT_MEDIA_ARCHIVE, backoffMs: 30_000, maxBackoffMs: 24 * 60 * 60_000 }, () => now);
    archive.start();
    try {
      const delays: number[] = [];
      for (;;) {
        await archive.settle();
        const row = memory.store.media.get(messageId);
        if (row?.state !== 'pending') break;
        delays.push(row.next_attempt_at - now);
        now = row.next_attempt_at;
        archive.retry({ message_id: messageId });
      }
      // 30 s, 60 s, 120 s … doubling, then capped by the deadline (7 days less a minute).
      expect(delays.slice(0, 4)).toEqual([30_000, 60_000, 120_000, 240_000]);
      expect(now).toBeLessThanOrEqual(T0 + MEDIA_DEADLINE_MS - 60_000);
      const failed = memory.store.messages.get(messageId)?.media_file;
      expect(failed).toMatchObject({ state: 'failed', error: 'WhatsApp answered HTTP 503; WhatsApp keeps files only 7 days' });
    } finally {
      archive.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('fails a job found past its deadline without calling WhatsApp', async () => {
    const { memory, messageId } = storeWithPhoto();
    let calls = 0;
    const source: MediaSource = {
      fetchMedia: () => {
        calls += 1;
        return Promise.resolve({ ok: false, permanent: false, reason: 'unreachable' });
      },
    };
    const folder = mkdtempSync(path.join(tmpdir(), 'switchboard-media-'));
    const archive = new MediaArchive(memory.store, memory.bus, source, folder, () => undefined, DEFAULT_MEDIA_ARCHIVE, () => T0 + MEDIA_DEADLINE_MS);
    archive.start();
    try {
      await archive.settle();
      expect(calls).toBe(0);
      expect(memory.store.messages.get(messageId)?.media_file).toMatchObject({ state: 'failed', error: 'WhatsApp no longer keeps this file (7 days after it arrived) and it was never downloaded' });
    } finally {
      archive.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
